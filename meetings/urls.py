from django.urls import path

from hokenfukushi.pages import scope_required
from meetings import views, workspace_views

app_name = "meetings"

urlpatterns = [
    path("", scope_required(views.meeting_list), name="list"),
    path("calendar.ics", views.calendar_feed, name="calendar"),
    path("prepare/", workspace_views.prepare_next, name="prepare"),
    path("reply/<str:token>/", workspace_views.reply, name="reply"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/print/", views.meeting_print, name="print"),
    path("<int:pk>/edit/", workspace_views.edit_meeting, name="edit"),
    path("<int:pk>/invitations/", workspace_views.invitations, name="invitations"),
    path(
        "<int:pk>/invitations/coordinators/",
        workspace_views.add_coordinators,
        name="add_coordinators",
    ),
    path("<int:pk>/invitations/send/", workspace_views.send_invitations, name="send_invitations"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/resend/",
        workspace_views.resend_invitation,
        name="resend_invitation",
    ),
    path("<int:pk>/reply/", workspace_views.my_reply, name="my_reply"),
    path("<int:pk>/attendance/", workspace_views.attendance_checklist, name="attendance"),
    path("<int:pk>/questions/", workspace_views.questions, name="questions"),
    path("<int:pk>/questions/print/", workspace_views.questions_print, name="questions_print"),
    path("<int:pk>/meeting.ics", workspace_views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/agenda.docx", workspace_views.agenda_document, name="agenda_docx"),
    path("<int:pk>/minutes.docx", workspace_views.minutes_document, name="minutes_docx"),
    path("<int:pk>/actions/<int:action_pk>/close/", views.close_action, name="close_action"),
]
