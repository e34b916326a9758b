"""Invitations over a real SMTP server (aiosmtpd): the Japanese message, its calendar part,
updates and cancellations, rejected addresses, SMTP down then up, reminders, the commands."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.delivery import Outcome, deliver_invitation
from meetings.factories import InvitationFactory
from meetings.models import Invitation, InvitationStatus, MeetingStatus, Reply


def _calendar_part(message) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def _text_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_each_invitee_gets_a_japanese_message_with_a_calendar_request(
    smtp_server, planned, invitees
):
    assert services.send_invitations(meeting=planned) == 3
    assert len(smtp_server.messages) == 3
    message = smtp_server.to("person0@example.jp")[0]
    assert "第4回" in message["Subject"] and message["Subject"].startswith("【ご案内】")
    body = _text_body(message)
    local = planned.local_starts_at
    assert f"{local:%Y年%-m月%-d日}" in body  # 西暦
    assert "令和" in body  # 和暦
    assert "14:00〜16:00" in body
    assert "テスト会議室A" in body
    assert "1. 医療用語の勉強" in body and "2. 事例検討（講師（テスト））" in body
    token = Invitation.objects.get(email="person0@example.jp").token
    assert f"/meetings/reply/{token}/" in body
    calendar = _calendar_part(message)
    assert calendar["method"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == f"meeting-{planned.pk}@hokenfukushi"
    assert event["sequence"] == 0
    assert event["location"] == "テスト会議室A"
    assert "person0@example.jp" in str(event["attendee"])
    statuses = set(Invitation.objects.values_list("status", flat=True))
    assert statuses == {InvitationStatus.SENT}


def test_sending_again_sends_nothing_new(smtp_server, planned, invitees):
    services.send_invitations(meeting=planned)
    assert services.send_invitations(meeting=planned) == 0
    call_command("send_meeting_invitations", str(planned.pk))
    assert len(smtp_server.messages) == 3


def test_a_changed_meeting_sends_an_update_with_a_higher_sequence(smtp_server, planned, invitees):
    services.send_invitations(meeting=planned)
    services.update_meeting(meeting=planned, changes={"venue": "本庄市役所 大会議室"})
    updates = smtp_server.messages[3:]
    assert len(updates) == 3
    assert all(m["Subject"].startswith("【変更のお知らせ】") for m in updates)
    event = _calendar_part(updates[0]).walk("VEVENT")[0]
    assert event["sequence"] == 1 and event["location"] == "本庄市役所 大会議室"
    assert str(event["uid"]) == f"meeting-{planned.pk}@hokenfukushi"
    # a theme change is not calendar news: no mail
    services.update_meeting(meeting=planned, changes={"theme": "新しいテーマ"})
    assert len(smtp_server.messages) == 6


def test_a_cancelled_meeting_sends_cancel_only_to_those_invited(smtp_server, planned, invitees):
    services.send_invitations(meeting=planned)
    never_sent = InvitationFactory(meeting=planned, email="late@example.jp")
    services.update_meeting(meeting=planned, changes={"status": MeetingStatus.CANCELLED})
    cancels = smtp_server.messages[3:]
    assert len(cancels) == 3
    assert _calendar_part(cancels[0])["method"] == "CANCEL"
    assert cancels[0]["Subject"].startswith("【中止のお知らせ】")
    assert services.send_invitations(meeting=planned) == 0
    assert smtp_server.to("late@example.jp") == []
    never_sent.refresh_from_db()
    assert never_sent.status == InvitationStatus.PENDING


def test_a_rejected_address_is_marked_failed_and_the_rest_still_go(smtp_server, planned, invitees):
    smtp_server.rejected.add("person1@example.jp")
    services.send_invitations(meeting=planned)
    assert {m.envelope_recipients[0] for m in smtp_server.messages} == {
        "person0@example.jp",
        "person2@example.jp",
    }
    failed = Invitation.objects.get(email="person1@example.jp")
    assert failed.status == InvitationStatus.FAILED
    assert "550" in failed.failure_reason and "宛先" in failed.failure_reason
    assert failed.next_attempt_at is None  # permanent: waits for the center's 再送
    assert services.send_invitations(meeting=planned) == 0
    smtp_server.rejected.clear()
    services.resend_invitation(invitation=failed)
    failed.refresh_from_db()
    assert failed.status == InvitationStatus.SENT
    assert len(smtp_server.to("person1@example.jp")) == 1


def test_smtp_down_then_up_loses_nothing_and_sends_nothing_twice(smtp_server, planned, invitees):
    smtp_server.stop()
    services.send_invitations(meeting=planned)
    rows = list(Invitation.objects.order_by("pk"))
    assert {r.status for r in rows} == {InvitationStatus.FAILED}
    assert all("接続できません" in r.failure_reason for r in rows)
    assert all(r.next_attempt_at and r.attempts == 1 for r in rows)
    # before the retry time: nothing is due
    assert services.send_invitations(meeting=planned) == 0
    smtp_server.start()
    later = timezone.now() + dt.timedelta(minutes=5)
    assert Invitation.objects.due(later).count() == 3
    for row in rows:
        assert deliver_invitation(invitation_id=row.pk, now=later) == Outcome.SENT
    for row in rows:  # a duplicate delivery (two workers, a re-run) sends nothing
        assert deliver_invitation(invitation_id=row.pk, now=later) == Outcome.ALREADY_SENT
    assert sorted(m.envelope_recipients[0] for m in smtp_server.messages) == [
        "person0@example.jp",
        "person1@example.jp",
        "person2@example.jp",
    ]
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}


def test_reminders_go_once_to_those_coming_or_silent(smtp_server, planned, invitees, settings):
    services.send_invitations(meeting=planned)
    coming, absent, silent = invitees
    services.record_reply(invitation=coming, reply=Reply.ATTENDING)
    services.record_reply(invitation=absent, reply=Reply.ABSENT)
    settings.MEETING_REMINDER_DAYS = 3
    call_command("send_meeting_reminders")  # the meeting is two weeks away: not yet
    assert len(smtp_server.messages) == 3
    call_command("send_meeting_reminders", "--days", "15")
    reminders = smtp_server.messages[3:]
    assert sorted(m.envelope_recipients[0] for m in reminders) == [
        coming.email,
        silent.email,
    ]
    assert all(m["Subject"].startswith("【リマインダー】") for m in reminders)
    call_command("send_meeting_reminders", "--days", "15")
    assert len(smtp_server.messages) == 5


def test_the_command_refuses_an_unknown_meeting(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="会議はありません"):
        call_command("send_meeting_invitations", "999999")


def test_without_a_deferring_backend_the_due_run_picks_up_failures(smtp_server, planned, invitees):
    """The immediate backend cannot defer a retry: `send_meeting_invitations --due` (cron) sends
    what failed once its retry time has come, and nothing before."""
    smtp_server.stop()
    services.send_invitations(meeting=planned)
    smtp_server.start()
    call_command("send_meeting_invitations", "--due")
    assert smtp_server.messages == []
    Invitation.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("send_meeting_invitations", "--due")
    assert len(smtp_server.messages) == 3
    call_command("send_meeting_invitations", "--due")
    assert len(smtp_server.messages) == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("region_admin", 302),
        ("municipal_user", 403),
        ("prefecture_user", 403),
        ("other_region_user", 404),
    ],
)
def test_resend_from_the_page_is_the_centers(role, status, client_for, smtp_server, planned):
    invitation = InvitationFactory(meeting=planned, email="again@example.jp")
    services.send_invitations(meeting=planned)
    response = client_for(role).post(f"/meetings/{planned.pk}/invitations/{invitation.pk}/resend/")
    assert response.status_code == status
    assert len(smtp_server.to("again@example.jp")) == (2 if status == 302 else 1)


def test_another_meetings_invitation_cannot_be_resent_through_this_one(
    client_for, smtp_server, planned, region
):
    from meetings.factories import MeetingFactory

    other = InvitationFactory(meeting=MeetingFactory(region=region, number=99))
    response = client_for("region_admin").post(
        f"/meetings/{planned.pk}/invitations/{other.pk}/resend/"
    )
    assert response.status_code == 404
    assert smtp_server.messages == []


def test_a_date_change_in_the_admin_sends_the_update(client_for, smtp_server, planned, invitees):
    services.send_invitations(meeting=planned)
    client = client_for("region_admin")
    url = f"/admin/meetings/meeting/{planned.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: form.initial.get(name, "")
        for name in ("region", "number", "venue", "theme", "status", "reflection", "notes")
    }
    new_start = timezone.localtime(planned.starts_at) + dt.timedelta(days=1)
    data |= {
        "starts_at_0": new_start.strftime("%Y-%m-%d"),
        "starts_at_1": new_start.strftime("%H:%M:%S"),
        "ends_at_0": new_start.strftime("%Y-%m-%d"),
        "ends_at_1": (new_start + dt.timedelta(hours=2)).strftime("%H:%M:%S"),
        "question_deadline_0": "",
        "question_deadline_1": "",
    }
    for prefix in ("agenda_items", "attendances", "actions_raised", "pre_questions", "invitations"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    updates = smtp_server.messages[3:]
    assert len(updates) == 3 and updates[0]["Subject"].startswith("【変更のお知らせ】")
