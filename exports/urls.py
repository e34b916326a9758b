from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("prefecture.csv", views.prefecture_csv, name="prefecture"),
    path("caseload.csv", views.caseload_csv, name="caseload"),
    path("open-data.csv", views.open_data_csv, name="open_data"),
    path("activity.csv", views.activity_csv, name="activity"),
    path("activity-open-data.csv", views.activity_open_data_csv, name="activity_open_data"),
    # .xlsx twins: prefecture.xlsx, open-data.xlsx, caseload.xlsx (views.SHEET_EXPORTS)
    *views.sheet_url_patterns(),
    path("survey-summary.csv", views.survey_summary_csv, name="survey_summary"),
]
