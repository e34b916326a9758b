from django.urls import path

from hokenfukushi.pages import scope_required
from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", scope_required(views.meeting_list), name="list"),
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/print/", views.meeting_print, name="print"),
    path("<int:pk>/actions/<int:action_pk>/close/", views.close_action, name="close_action"),
]
