from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    # each export's .csv and .xlsx (views.EXPORTS): prefecture, open-data, survey-summary,
    # caseload, activity, activity-open-data
    *views.export_url_patterns(),
]
