"""Writes that touch several rows: planning the next meeting, following up an action item."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hokenfukushi.models import Region
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Meeting,
    MeetingStatus,
)
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
