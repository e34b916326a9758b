"""plan_next_meeting and close_action_item: what the center does between meetings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory
from meetings.models import ActionItem, ActionStatus, AgendaKind, Meeting, MeetingStatus
from meetings.services import FOLLOW_UP_TITLE, close_action_item, plan_next_meeting

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def held(region):
    first = MeetingFactory(
        region=region, number=1, starts_at=dt.datetime(2025, 5, 21, 14, 0, tzinfo=TOKYO)
    )
    second = MeetingFactory(
        region=region,
        number=2,
        starts_at=dt.datetime(2025, 11, 30, 13, 30, tzinfo=TOKYO),
        venue="会議室B",
    )
    AgendaItemFactory(
        meeting=first, kind=AgendaKind.TERMINOLOGY, title="医療用語", is_recurring=True
    )
    AgendaItemFactory(
        meeting=first, kind=AgendaKind.CASE_REVIEW, title="事例検討", is_recurring=True
    )
    AgendaItemFactory(meeting=second, kind=AgendaKind.LECTURE, title="ゲスト講義")
    AgendaItemFactory(meeting=second, kind=AgendaKind.TERMINOLOGY, title="医療用語", order=9)
    ActionItemFactory(raised_at=first, text="施設見学")
    ActionItemFactory(raised_at=second, text="保健所に依頼")
    ActionItemFactory(raised_at=first, text="済んだ件", status=ActionStatus.DONE, closed_at=second)
    return first, second


def test_plans_the_next_number_three_months_on_at_the_same_time(region, held):
    meeting = plan_next_meeting(region=region, today=dt.date(2025, 12, 10))
    assert meeting.number == 3 and meeting.status == MeetingStatus.PLANNED
    local = meeting.local_starts_at
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 2, 28), 13, 30)
    assert meeting.venue == "会議室B"
    assert not meeting.date_proposal.moved


def test_a_passed_regular_date_is_never_proposed(region, held):
    # the regular date (2026-02-28) has passed by 2026-12-05: the proposal is a weekday at
    # least four weeks on, at the last meeting's time
    meeting = plan_next_meeting(region=region, today=dt.date(2026, 12, 5))
    local = meeting.local_starts_at
    assert local.date() >= dt.date(2027, 1, 2) and local.weekday() < 5
    assert (local.hour, local.minute) == (13, 30)
    assert meeting.date_proposal.regular_day == dt.date(2026, 2, 28)


def test_the_admin_action_says_the_date_was_moved(region, held, region_admin, client):
    from django.contrib.messages import get_messages

    client.force_login(region_admin)
    second = Meeting.objects.get(region=region, number=2)
    response = client.post(
        "/admin/meetings/meeting/",
        {"action": "plan_next", "_selected_action": [second.pk]},
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [
        m.message for m in response.context["messages"]
    ]
    planned = Meeting.objects.get(region=region, number=3)
    assert planned.held_on > dt.date.today()
    assert any("すでに過ぎているため" in text and "令和" in text for text in texts), texts


def test_carries_recurring_agenda_and_every_open_action(region, held):
    meeting = plan_next_meeting(region=region)
    titles = list(meeting.agenda_items.order_by("order").values_list("title", flat=True))
    # 医療用語 was held again at 第2回 without 毎回, so it stops; 事例検討 carries on
    assert titles == ["事例検討", FOLLOW_UP_TITLE]
    follow_up = meeting.agenda_items.get(title=FOLLOW_UP_TITLE)
    assert follow_up.minutes == ""  # the items are listed live from ActionItem, not copied
    carried = set(ActionItem.objects.carried_into(meeting).values_list("text", flat=True))
    assert carried == {"施設見学", "保健所に依頼"}


def test_refuses_a_second_planned_meeting(region, held):
    plan_next_meeting(region=region)
    with pytest.raises(ValidationError, match="第3回がすでに予定されています"):
        plan_next_meeting(region=region)
    assert Meeting.objects.filter(region=region).count() == 3


def test_first_meeting_needs_a_date(region):
    with pytest.raises(ValidationError, match="日時を指定"):
        plan_next_meeting(region=region)
    meeting = plan_next_meeting(
        region=region, starts_at=dt.datetime(2026, 1, 10, 10, 0, tzinfo=TOKYO)
    )
    assert meeting.number == 1 and not meeting.agenda_items.exists()


def test_planning_one_region_leaves_the_other_alone(region, other_region, held):
    far = MeetingFactory(region=other_region, number=7)
    ActionItemFactory(raised_at=far, text="よその宿題")
    meeting = plan_next_meeting(region=region)
    assert "よその宿題" not in {a.text for a in ActionItem.objects.carried_into(meeting)}
    assert plan_next_meeting(region=other_region).number == 8


def test_closing_an_action_records_the_meeting_and_note(region, held):
    _first, second = held
    action = ActionItem.objects.get(text="施設見学")
    closed = close_action_item(
        action=action, at_meeting=second, status=ActionStatus.DONE, note="すくすくを見学"
    )
    assert (closed.status, closed.closed_at, closed.closing_note) == (
        ActionStatus.DONE,
        second,
        "すくすくを見学",
    )


def test_closing_rejects_open_status_earlier_meeting_and_other_region(region, other_region, held):
    first, second = held
    action = ActionItem.objects.get(text="保健所に依頼")  # raised at 第2回
    with pytest.raises(ValidationError, match="完了」か「取りやめ"):
        close_action_item(action=action, at_meeting=second, status=ActionStatus.OPEN)
    with pytest.raises(ValidationError) as earlier:
        close_action_item(action=action, at_meeting=first, status=ActionStatus.DONE)
    assert "より前の会議は選べません" in str(earlier.value)
    with pytest.raises(ValidationError) as elsewhere:
        close_action_item(
            action=action,
            at_meeting=MeetingFactory(region=other_region, number=5),
            status=ActionStatus.DONE,
        )
    assert "同じ圏域の会議" in str(elsewhere.value)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.closed_at is None
