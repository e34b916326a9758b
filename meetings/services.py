"""Writes that touch several rows: planning the next meeting, following up an action item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms import BaseModelFormSet
from django.utils import timezone

from coordinators.models import Coordinator, Organization
from hokenfukushi.models import Region
from meetings import tasks
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Attendance,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    PreQuestion,
    Reply,
)
from meetings.rules import calendar_changed, has_started, questions_open, replies_open
from meetings.scheduling import (
    DateProposal,
    PastAgendaItem,
    propose_next_meeting_date,
    recurring_agenda,
)

FOLLOW_UP_TITLE = "前回までの「次回に向けて」の確認"


@transaction.atomic
def plan_next_meeting(
    *, region: Region, starts_at: dt.datetime | None = None, today: dt.date | None = None
) -> Meeting:
    """Create 第N+1回 (planned) about three months after the latest meeting — or, when that day has
    passed, on a weekday at least four weeks from today (`meeting.date_proposal` says which) —
    with the recurring agenda items and a follow-up item for every open action; open actions are
    listed on its page until someone closes them."""
    Region.objects.select_for_update().get(pk=region.pk)  # one planner at a time per region
    meetings = Meeting.objects.filter(region=region)
    latest = meetings.order_by("-number").first()
    if latest is not None and latest.status == MeetingStatus.PLANNED:
        raise ValidationError(
            "%(meeting)sがすでに予定されています。開催済みにしてから次の会議を作成してください。",
            params={"meeting": latest},
        )
    if starts_at is None:
        if latest is None:
            raise ValidationError("最初の会議は日時を指定して作成してください。")
        previous = timezone.localtime(latest.starts_at)
        proposal = propose_next_meeting_date(previous.date(), today or timezone.localdate())
        starts_at = previous.replace(**_date_parts(proposal.day))
    else:
        proposal = DateProposal(day=timezone.localtime(starts_at).date())
    number = (meetings.aggregate(highest=Max("number"))["highest"] or 0) + 1
    meeting = Meeting.objects.create(
        region=region,
        number=number,
        starts_at=starts_at,
        venue=latest.venue if latest else "",
        status=MeetingStatus.PLANNED,
    )
    past_items = [
        PastAgendaItem(
            held_on=timezone.localtime(item.meeting.starts_at).date(),
            order=item.order,
            kind=item.kind,
            title=item.title,
            is_recurring=item.is_recurring,
        )
        for item in AgendaItem.objects.filter(meeting__region=region)
        .exclude(meeting=meeting)
        .select_related("meeting")
    ]
    new_items = [
        AgendaItem(
            meeting=meeting, order=order, kind=item.kind, title=item.title, is_recurring=True
        )
        for order, item in enumerate(recurring_agenda(past_items), start=1)
    ]
    if ActionItem.objects.carried_into(meeting).open().exists():
        # The items themselves are listed live from ActionItem on the meeting's pages and
        # documents (never copied here as text, which went stale when one was closed).
        new_items.append(
            AgendaItem(
                meeting=meeting,
                order=len(new_items) + 1,
                kind=AgendaKind.REPORT,
                title=FOLLOW_UP_TITLE,
            )
        )
    AgendaItem.objects.bulk_create(new_items)
    meeting.date_proposal = proposal  # for the caller's message; not stored
    return meeting


def _date_parts(day: dt.date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


@transaction.atomic
def close_action_item(
    *, action: ActionItem, at_meeting: Meeting, status: str, note: str = ""
) -> ActionItem:
    """Record that an action was done (or dropped) as confirmed at `at_meeting`."""
    if status not in (ActionStatus.DONE, ActionStatus.DROPPED):
        raise ValidationError("「完了」か「取りやめ」を選んでください。")
    action = ActionItem.objects.select_for_update().select_related("raised_at").get(pk=action.pk)
    action.status = status
    action.closed_at = at_meeting
    action.closing_note = note
    action.full_clean()
    action.save()
    return action


# --- the meeting workspace: details, invitations, 出欠, 事前質問, attendance ------------------

# A change to any of these is news to the invitees: the calendar version goes up and every
# invitee who already had the meeting gets an update (or, for 中止, a cancellation).
CALENDAR_FIELDS = ("starts_at", "ends_at", "venue", "status")


def default_invitees(*, region: Region) -> list[tuple[Coordinator, str]]:
    """The region's active coordinators that have a work e-mail address, by ふりがな."""
    coordinators = (
        Coordinator.objects.filter(organization__region=region)
        .active()
        .exclude(work_email="")
        .select_related("organization")
        .order_by("kana", "pk")
    )
    return [(c, c.work_email.strip()) for c in coordinators]


@transaction.atomic
def prepare_next_meeting(*, region: Region, today: dt.date | None = None) -> Meeting:
    """「次回の会議を準備する」: plan 第N+1回 (a date proposal after today, the last venue, the
    every-time agenda and the open 次回に向けて) and list the default invitees (not sent yet)."""
    meeting = plan_next_meeting(region=region, today=today)
    proposal = meeting.date_proposal
    add_default_invitees(meeting=meeting)
    meeting.date_proposal = proposal
    return meeting


@transaction.atomic
def add_default_invitees(*, meeting: Meeting) -> int:
    """Invite the region's coordinators with an address who are not invited yet; how many."""
    invited = set(meeting.invitations.values_list("email", flat=True))
    invited_coordinators = set(
        meeting.invitations.exclude(coordinator=None).values_list("coordinator_id", flat=True)
    )
    new = [
        Invitation(
            meeting=meeting,
            coordinator=coordinator,
            name=coordinator.name,
            email=email,
            affiliation=str(coordinator.organization),
        )
        for coordinator, email in default_invitees(region=meeting.region)
        if email.lower() not in {e.lower() for e in invited}
        and coordinator.pk not in invited_coordinators
    ]
    Invitation.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def invite(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    affiliation: str = "",
    organization: Organization | None = None,
    coordinator: Coordinator | None = None,
) -> Invitation:
    """Add one invitee (行政, 保健所, the guest speaker, …); sent with the next 送信."""
    invitation = Invitation(
        meeting=meeting,
        name=name,
        email=email.strip(),
        affiliation=affiliation or (str(organization) if organization else ""),
        organization=organization,
        coordinator=coordinator,
    )
    if Invitation.objects.filter(meeting=meeting, email__iexact=invitation.email).exists():
        raise ValidationError({"email": "このメールアドレスはすでに招待されています。"})
    invitation.full_clean()
    invitation.save()
    return invitation


def _due_invitation_ids(meeting: Meeting, now: dt.datetime | None = None) -> list[int]:
    meeting = Meeting.objects.get(pk=meeting.pk)
    if meeting.status == MeetingStatus.HELD:
        return []
    due = Invitation.objects.filter(meeting=meeting).due(now)
    if meeting.status == MeetingStatus.CANCELLED:
        due = due.filter(sent_at__isnull=False)  # never told of it: nothing to cancel
    return list(due.values_list("pk", flat=True))


@transaction.atomic
def queue_due_invitations(*, meeting: Meeting, now: dt.datetime | None = None) -> int:
    """Queue one delivery per invitee the meeting's current version has not reached; how many.
    Idempotent: a queued delivery checks again under the row lock before it sends."""
    due = _due_invitation_ids(meeting, now)
    for pk in due:
        tasks.send_invitation.enqueue(pk)
    return len(due)


@transaction.atomic
def send_invitations(*, meeting: Meeting, now: dt.datetime | None = None) -> int:
    """The center's 「招待を送る」: one task that queues each due invitee's delivery (so the
    request writes one row however many are invited); returns how many are due."""
    due = len(_due_invitation_ids(meeting, now))
    if due:
        tasks.queue_invitations.enqueue(meeting.pk)
    return due


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> Invitation:
    """The center's 再送: deliver this invitation again now, whatever happened before."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.status = InvitationStatus.PENDING
    invitation.sent_sequence = None
    invitation.next_attempt_at = None
    invitation.attempts = 0
    invitation.failure_reason = ""
    invitation.save()
    tasks.send_invitation.enqueue(invitation.pk)
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def update_meeting(*, meeting: Meeting, changes: dict[str, Any]) -> Meeting:
    """Change the meeting's details. A new date, place or status raises the calendar version and
    queues an update (or cancellation) to everyone who already has the invitation."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    for name, value in changes.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    changed = calendar_changed(before, {name: getattr(meeting, name) for name in CALENDAR_FIELDS})
    if changed:
        meeting.calendar_sequence += 1
    meeting.save()
    if changed and meeting.status != MeetingStatus.HELD:
        notify = Invitation.objects.filter(meeting=meeting, sent_at__isnull=False)
        for pk in notify.values_list("pk", flat=True):
            tasks.send_invitation.enqueue(pk)
    return meeting


@transaction.atomic
def save_agenda(*, meeting: Meeting, formset: BaseModelFormSet) -> list[AgendaItem]:
    """Save the workspace's agenda table (edited, added and deleted rows) in one transaction."""
    items = formset.save(commit=False)
    for item in items:
        item.meeting = meeting
        item.save()
    for item in formset.deleted_objects:
        item.delete()
    return items


@transaction.atomic
def record_reply(
    *, invitation: Invitation, reply: str, comment: str = "", now: dt.datetime | None = None
) -> Invitation:
    """出欠 from the invitee's link or the coordinator's meeting page, until the meeting starts."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=invitation.pk)
    )
    if not replies_open(invitation.meeting.starts_at, now):
        raise ValidationError(
            "この会議はすでに始まっているため、出欠の回答は受け付けていません。",
            code="replies_closed",
        )
    if reply not in (Reply.ATTENDING, Reply.ABSENT, Reply.UNDECIDED):
        raise ValidationError({"reply": "出席・欠席・未定のいずれかを選んでください。"})
    invitation.reply = reply
    invitation.reply_comment = comment
    invitation.replied_at = now
    invitation.save(update_fields=["reply", "reply_comment", "replied_at"])
    return invitation


@transaction.atomic
def submit_question(
    *, invitation: Invitation, text: str, now: dt.datetime | None = None
) -> PreQuestion:
    """A 事前質問 from an invitee, until the meeting's deadline."""
    now = now or timezone.now()
    meeting = invitation.meeting
    if not questions_open(meeting.question_deadline, meeting.starts_at, now):
        raise ValidationError("事前質問の受付は締め切りました。", code="questions_closed")
    question = PreQuestion(
        meeting=meeting,
        text=text.strip(),
        invitation=invitation,
        asked_by=invitation.coordinator,
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def save_questions(*, formset: BaseModelFormSet) -> list[PreQuestion]:
    """Save the center's edits of the 事前質問 (text, answering agenda item, answer, deletions)."""
    saved = formset.save()
    return saved


@transaction.atomic
def merge_questions(*, keep: PreQuestion, others: Iterable[PreQuestion]) -> PreQuestion:
    """Merge similar 事前質問 into `keep`: their texts are appended, then they are deleted."""
    others = [q for q in others if q.pk != keep.pk]
    if any(q.meeting_id != keep.meeting_id for q in others):
        raise ValidationError("同じ会議の事前質問だけをまとめられます。")
    keep = PreQuestion.objects.select_for_update().get(pk=keep.pk)
    keep.text = "\n".join([keep.text, *(q.text for q in others)])
    keep.save()
    PreQuestion.objects.filter(pk__in=[q.pk for q in others]).delete()
    return keep


@transaction.atomic
def record_attendance(*, meeting: Meeting, invitation_ids: Iterable[int]) -> int:
    """After the meeting: the attendance checklist. A checked coordinator invitee attends as a
    coordinator, another invitee through their organization; unchecked invitees' attendance made
    from the checklist before is removed. Returns how many invitees attended."""
    if meeting.status == MeetingStatus.PLANNED and not has_started(
        meeting.starts_at, timezone.now()
    ):
        raise ValidationError("出席の記録は会議の開始後にできます。")
    checked = set(invitation_ids)
    invitations = list(
        Invitation.objects.filter(meeting=meeting).select_related("coordinator", "organization")
    )
    for invitation in invitations:
        if invitation.coordinator_id:
            lookup = {"meeting": meeting, "coordinator": invitation.coordinator}
        elif invitation.organization_id:
            lookup = {
                "meeting": meeting,
                "organization": invitation.organization,
                "name": invitation.name,
            }
        else:
            continue  # no organization to count them under: the center adds one first
        if invitation.pk in checked:
            Attendance.objects.get_or_create(**lookup)
        else:
            Attendance.objects.filter(**lookup).delete()
    return sum(
        1 for i in invitations if i.pk in checked and (i.coordinator_id or i.organization_id)
    )


def send_reminders(*, days_before: int, now: dt.datetime | None = None) -> int:
    """Queue a reminder for every invitee of a planned meeting starting within `days_before`
    days who said 出席 or has not answered and was not reminded yet; how many."""
    now = now or timezone.now()
    due = Invitation.objects.awaiting_reminder().filter(
        meeting__status=MeetingStatus.PLANNED,
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=now + dt.timedelta(days=days_before),
    )
    pks = list(due.values_list("pk", flat=True))
    for pk in pks:
        tasks.send_reminder.enqueue(pk, days_before)
    return len(pks)
