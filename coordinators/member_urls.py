"""The coordinator's own pages (mounted at the site root): profile, activity entry, and the
account invitation link."""

from django.urls import path

from coordinators import views

urlpatterns = [
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/activity/new/", views.activity_new, name="activity_new"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]
