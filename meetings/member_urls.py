"""マイページ and つながり (mounted at the site root): they read coordinators and meetings."""

from django.urls import path

from meetings import members

urlpatterns = [
    path("me/", members.me, name="me"),
    path("me/actions/<int:pk>/", members.action_progress, name="action_progress"),
    path("network/", members.network, name="network"),
]
