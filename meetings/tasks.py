"""Django tasks that send the meeting e-mails (django.tasks; django-tasks-db in production).

Each task does one invitee's message, so one rejected address or a dropped connection touches
only that row. `django.tasks` retries nothing by itself: a failed delivery records its next try
on the invitation, and `schedule_retry` queues it for then when the backend can defer tasks
(the database backend); otherwise `send_meeting_invitations` picks it up on its next run.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from meetings import delivery


@task
def send_invitation(invitation_id: int) -> str:
    return delivery.deliver_invitation(invitation_id=invitation_id)


@task
def queue_invitations(meeting_id: int) -> int:
    """Fan out: queue one `send_invitation` per invitee the meeting has not reached yet."""
    from meetings.models import Meeting
    from meetings.services import queue_due_invitations

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return queue_due_invitations(meeting=meeting) if meeting else 0


@task
def send_reminder(invitation_id: int, days_before: int) -> str:
    return delivery.deliver_reminder(invitation_id=invitation_id, days_before=days_before)


def schedule_retry(*, invitation_id: int, run_after: dt.datetime) -> bool:
    """Queue the next try of a failed delivery for `run_after`; False when the backend cannot
    defer (the immediate backend of development and tests), leaving it to the command."""
    if not send_invitation.get_backend().supports_defer:
        return False
    send_invitation.using(run_after=run_after).enqueue(invitation_id)
    return True
