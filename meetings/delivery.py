"""Invitation and reminder e-mails: building the Japanese message and delivering it once.

Delivery runs in a Django task (meetings.tasks). Each delivery locks the invitation's row, sends,
and records the outcome in the same transaction, so two workers (or a worker and the command)
never send the same version twice: the second waits for the lock, then sees it was sent.

SMTP failures are sorted by their reply code: 5xx (address rejected) is permanent and waits for
the center's 再送; anything else (server down, 4xx) is retried with a growing delay
(`meetings.rules.retry_delay`). The database backend runs the retry as a deferred task
(`run_after`); a backend that cannot defer leaves the row to the next
`send_meeting_invitations` run, which picks up every invitation whose retry time has come.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hokenfukushi.fiscal import wareki
from meetings.calendar import invitation_calendar
from meetings.models import (
    AgendaItem,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Reply,
)
from meetings.rules import may_retry, questions_open, reminder_due, retry_delay

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    NOT_DUE = "not_due"
    REJECTED = "rejected"
    RETRY = "retry"
    GAVE_UP = "gave_up"
    GONE = "gone"


class MessageKind(StrEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCEL = "cancel"
    REMINDER = "reminder"


_SUBJECT_PREFIX = {
    MessageKind.INVITATION: "【ご案内】",
    MessageKind.UPDATE: "【変更のお知らせ】",
    MessageKind.CANCEL: "【中止のお知らせ】",
    MessageKind.REMINDER: "【リマインダー】",
}


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def reply_url(invitation: Invitation) -> str:
    return site_url() + reverse("meetings:reply", args=[invitation.token])


def message_kind(invitation: Invitation) -> MessageKind:
    if invitation.meeting.status == MeetingStatus.CANCELLED:
        return MessageKind.CANCEL
    return MessageKind.UPDATE if invitation.sent_at else MessageKind.INVITATION


def meeting_date_text(meeting: Meeting) -> str:
    """令和8年1月20日（火）14:00〜16:00（2026年1月20日） — 和暦 and 西暦 in one line."""
    starts = meeting.local_starts_at
    weekday = "月火水木金土日"[starts.weekday()]
    text = f"{wareki(starts.date())}（{weekday}）{starts:%H:%M}"
    if meeting.ends_at:
        text += f"〜{timezone.localtime(meeting.ends_at):%H:%M}"
    return f"{text}（{starts:%Y年%-m月%-d日}）"


def build_message(
    invitation: Invitation, kind: MessageKind, *, now: dt.datetime
) -> EmailMultiAlternatives:
    """The Japanese e-mail: the text body alone carries date and time (和暦 and 西暦), place,
    agenda and the reply link, since a municipal network may strip attachments; the calendar
    part (METHOD:REQUEST or CANCEL) lets a calendar app add or update the entry."""
    meeting = invitation.meeting
    agenda = list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk"))
    title = f"{meeting.region} {meeting} 医ケアコーディネーター連絡会議"
    body = render_to_string(
        "meetings/email/invitation.txt",
        {
            "invitation": invitation,
            "meeting": meeting,
            "kind": str(kind),
            "title": title,
            "date_text": meeting_date_text(meeting),
            "agenda": agenda,
            "reply_url": reply_url(invitation),
            "questions_open": questions_open(meeting.question_deadline, meeting.starts_at, now),
            "question_deadline": (
                timezone.localtime(meeting.question_deadline) if meeting.question_deadline else None
            ),
            "meeting_url": site_url() + reverse("meetings:detail", args=[meeting.pk]),
        },
    )
    message = EmailMultiAlternatives(
        subject=f"{_SUBJECT_PREFIX[kind]}{title}（{wareki(meeting.held_on)}）",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    _method, ics = invitation_calendar(
        meeting,
        base_url=site_url(),
        organizer=_address_of(settings.DEFAULT_FROM_EMAIL),
        attendee=invitation.email,
        attendee_name=invitation.name,
    )
    message.attach_alternative(ics.decode(), "text/calendar")
    return message


def _address_of(from_email: str) -> str:
    """noreply@example.jp out of 'Name <noreply@example.jp>'."""
    return from_email.rsplit("<", 1)[-1].rstrip(">").strip()


def _permanent(error: Exception) -> bool:
    """An SMTP 5xx answer (address rejected, message refused) will not change on retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return False


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for code, message in error.recipients.values()
        ]
        return "宛先が受け付けられませんでした: " + "; ".join(parts)
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"メールサーバーが拒否しました: {error.smtp_code} {text}"
    return f"メールサーバーに接続できませんでした: {type(error).__name__}: {error}"


def _locked(invitation_id: int) -> Invitation | None:
    """The invitation with its meeting, its row locked until the transaction ends."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("meeting__region")
        .filter(pk=invitation_id)
        .first()
    )


def deliver_invitation(*, invitation_id: int, now: dt.datetime | None = None) -> Outcome:
    """Send the invitation (or the update / cancellation of its meeting) if its current version
    has not been sent; record 送信済み or 失敗 in the same transaction that holds the row lock."""
    now = now or timezone.now()
    retry_at = None
    with transaction.atomic():
        invitation = _locked(invitation_id)
        if invitation is None:
            return Outcome.GONE
        meeting = invitation.meeting
        if (
            invitation.sent_sequence is not None
            and invitation.sent_sequence >= meeting.calendar_sequence
        ):
            return Outcome.ALREADY_SENT
        if meeting.status == MeetingStatus.HELD:
            return Outcome.NOT_DUE
        if meeting.status == MeetingStatus.CANCELLED and invitation.sent_at is None:
            return Outcome.NOT_DUE  # never told of it, so nothing to cancel
        if invitation.next_attempt_at and invitation.next_attempt_at > now:
            return Outcome.NOT_DUE  # a retry is already scheduled for later
        message = build_message(invitation, message_kind(invitation), now=now)
        invitation.attempts += 1
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            invitation.status = InvitationStatus.FAILED
            invitation.failure_reason = _reason(error)[:500]
            if _permanent(error):
                outcome = Outcome.REJECTED
                invitation.next_attempt_at = None
            elif may_retry(invitation.attempts):
                outcome = Outcome.RETRY
                retry_at = invitation.next_attempt_at = now + retry_delay(invitation.attempts)
            else:
                outcome = Outcome.GAVE_UP
                invitation.next_attempt_at = None
            logger.warning("invitation %s not delivered: %s", invitation.pk, error)
        else:
            outcome = Outcome.SENT
            invitation.status = InvitationStatus.SENT
            invitation.failure_reason = ""
            invitation.next_attempt_at = None
            invitation.attempts = 0
            invitation.sent_at = now
            invitation.sent_sequence = meeting.calendar_sequence
        invitation.save(
            update_fields=[
                "status",
                "failure_reason",
                "next_attempt_at",
                "attempts",
                "sent_at",
                "sent_sequence",
            ]
        )
    if retry_at is not None:
        from meetings.tasks import schedule_retry

        schedule_retry(invitation_id=invitation_id, run_after=retry_at)
    return outcome


def deliver_reminder(
    *, invitation_id: int, days_before: int, now: dt.datetime | None = None
) -> Outcome:
    """Remind one invitee (said 出席 or has not answered) once, `days_before` days before."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _locked(invitation_id)
        if invitation is None:
            return Outcome.GONE
        meeting = invitation.meeting
        if invitation.reminded_at is not None:
            return Outcome.ALREADY_SENT
        if (
            invitation.status != InvitationStatus.SENT
            or invitation.reply not in (Reply.ATTENDING, Reply.NONE)
            or meeting.status != MeetingStatus.PLANNED
            or not reminder_due(meeting.starts_at, now, days_before)
        ):
            return Outcome.NOT_DUE
        try:
            build_message(invitation, MessageKind.REMINDER, now=now).send()
        except (smtplib.SMTPException, OSError) as error:
            # Not reminded: tomorrow's run tries again while the reminder is still due.
            logger.warning("reminder for invitation %s not delivered: %s", invitation.pk, error)
            return Outcome.REJECTED if _permanent(error) else Outcome.RETRY
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
    return Outcome.SENT
