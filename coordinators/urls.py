from django.urls import path

from coordinators import views

app_name = "coordinators"

urlpatterns = [
    path("", views.coordinator_list, name="list"),
]
