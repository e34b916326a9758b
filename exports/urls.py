from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("prefecture.csv", views.prefecture_csv, name="prefecture"),
    path("caseload.csv", views.caseload_csv, name="caseload"),
    path("open-data.csv", views.open_data_csv, name="open_data"),
    path("survey-summary.csv", views.survey_summary_csv, name="survey_summary"),
]
