from django.urls import path

from caseload import views

app_name = "caseload"

urlpatterns = [
    path("", views.caseload_overview, name="overview"),
]
