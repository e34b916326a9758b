from django.urls import path

from coordinators import views

app_name = "coordinators"

urlpatterns = [
    path("", views.coordinator_list, name="list"),
    path("activity/", views.activity_report, name="activity"),
    path("activity.csv", views.activity_csv, name="activity_csv"),
    path("<int:pk>/account/<slug:action>/", views.account_action, name="account_action"),
]
