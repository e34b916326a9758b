"""The production queue: django-tasks-db's DatabaseBackend with its worker (`db_worker`) run in
the test, delivering to a real SMTP server. Runs on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meetings import services
from meetings.models import Invitation, InvitationStatus

# The worker runs as in production, in autocommit: it closes a connection it finds inside a
# transaction (the test's own), so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_inviting_only_queues_and_the_worker_delivers(
    database_queue, smtp_server, planned, invitees
):
    assert services.send_invitations(meeting=planned) == 3
    assert smtp_server.messages == []  # the request only queued: one task that fans out
    assert DBTaskResult.objects.count() == 1
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.PENDING}
    run_worker()
    assert len(smtp_server.messages) == 3
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}
    # queued twice (the command run again before the worker got to them): still one message each
    call_command("send_meeting_invitations", str(planned.pk))
    for invitation in invitees:
        services.resend_invitation(invitation=invitation)
        services.resend_invitation(invitation=invitation)
    run_worker()
    assert len(smtp_server.messages) == 6


def test_smtp_down_the_worker_retries_later_and_nothing_is_lost(
    database_queue, smtp_server, planned, invitees
):
    smtp_server.stop()
    services.send_invitations(meeting=planned)
    run_worker()
    rows = list(Invitation.objects.all())
    assert {r.status for r in rows} == {InvitationStatus.FAILED}
    # each failure queued its own retry, deferred (run_after) to the invitation's next try
    retries = DBTaskResult.objects.filter(
        status="READY", task_path="meetings.tasks.send_invitation"
    )
    assert retries.count() == 3
    assert all(r.run_after > timezone.now() for r in retries)
    run_worker()  # too early: nothing runs
    assert retries.count() == 3
    smtp_server.start()
    past = timezone.now() - dt.timedelta(seconds=1)
    retries.update(run_after=past)
    Invitation.objects.update(next_attempt_at=past)
    run_worker()
    assert sorted(m.envelope_recipients[0] for m in smtp_server.messages) == sorted(
        i.email for i in invitees
    )
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}
    assert DBTaskResult.objects.filter(status="READY").count() == 0
