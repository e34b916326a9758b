"""The meeting cycle's rules as pure functions and as model validation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings.attendance import reply_table
from meetings.factories import MeetingFactory
from meetings.models import MeetingStatus
from meetings.rules import (
    MAX_DELIVERY_ATTEMPTS,
    RETRY_MAX_DELAY,
    calendar_changed,
    has_started,
    may_retry,
    questions_open,
    reminder_due,
    replies_open,
    retry_delay,
)
from meetings.services import default_invitees

TOKYO = ZoneInfo("Asia/Tokyo")
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(TOKYO)
)


@given(moments, moments)
def test_replies_close_exactly_when_the_meeting_may_be_marked_held(starts_at, now):
    assert replies_open(starts_at, now) != has_started(starts_at, now)


@given(st.integers(min_value=1, max_value=200))
def test_retry_delay_grows_and_is_capped(attempt):
    delay = retry_delay(attempt)
    assert dt.timedelta(minutes=1) <= delay <= RETRY_MAX_DELAY
    assert retry_delay(attempt + 1) >= delay


def test_retry_delays_double_then_stop():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert may_retry(MAX_DELIVERY_ATTEMPTS - 1) and not may_retry(MAX_DELIVERY_ATTEMPTS)
    with pytest.raises(ValueError):
        retry_delay(0)


@given(moments, st.one_of(st.none(), moments), moments)
def test_questions_are_never_taken_after_the_deadline_or_the_start(starts_at, deadline, now):
    if questions_open(deadline, starts_at, now):
        assert deadline is not None and now < deadline and now < starts_at


@given(moments, moments, st.integers(min_value=0, max_value=30))
def test_a_reminder_is_due_only_in_the_days_before(starts_at, now, days):
    if reminder_due(starts_at, now, days):
        assert starts_at - dt.timedelta(days=days) <= now < starts_at


def test_calendar_news_is_date_place_or_cancellation():
    base = {"starts_at": 1, "ends_at": 2, "venue": "A", "status": "planned"}
    assert not calendar_changed(base, base | {"status": "held"})
    assert calendar_changed(base, base | {"venue": "B"})
    assert calendar_changed(base, base | {"status": "cancelled"})
    assert calendar_changed(base | {"status": "cancelled"}, base)


def test_reply_table_counts_by_affiliation_coordinators_first():
    rows, totals = reply_table(
        [
            (False, "保健所", "attending"),
            (True, "基幹", "attending"),
            (True, "基幹", ""),
            (False, "行政", "absent"),
        ],
        ["attending", "absent", "undecided", ""],
    )
    assert [(r.label, r.is_coordinator, r.counts) for r in rows] == [
        ("基幹", True, (1, 0, 0, 1)),
        ("保健所", False, (1, 0, 0, 0)),
        ("行政", False, (0, 1, 0, 0)),
    ]
    assert totals == (2, 1, 0, 1)


def test_end_before_start_is_an_error_on_the_end_field(region):
    meeting = MeetingFactory.build(
        region=region,
        number=1,
        starts_at=dt.datetime(2025, 5, 1, 14, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 5, 1, 13, tzinfo=TOKYO),
    )
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert error.value.message_dict == {"ends_at": ["終了日時は開始の日時より後にしてください。"]}


def test_the_database_refuses_end_before_start_too(region):
    meeting = MeetingFactory(region=region, number=1)
    meeting.ends_at = meeting.starts_at - dt.timedelta(hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


def test_held_only_once_the_start_has_passed(region):
    soon = MeetingFactory.build(
        region=region,
        number=2,
        starts_at=timezone.now() + dt.timedelta(days=30),
        status=MeetingStatus.HELD,
    )
    with pytest.raises(ValidationError) as error:
        soon.full_clean()
    assert error.value.message_dict == {
        "status": ["開始日時を過ぎていない会議は「開催済み」にできません。"]
    }
    soon.starts_at = timezone.now() - dt.timedelta(minutes=1)
    soon.full_clean()


def test_default_invitees_are_active_coordinators_of_the_region_with_an_address(
    region, other_region
):
    from coordinators.factories import CoordinatorFactory, OrganizationFactory

    def org(r):
        return OrganizationFactory(region=r, municipality=None)

    with_address = CoordinatorFactory(organization=org(region), work_email="a@example.jp")
    CoordinatorFactory(organization=org(region), work_email="")
    CoordinatorFactory(organization=org(region), work_email="b@example.jp", is_active=False)
    CoordinatorFactory(organization=org(other_region), work_email="c@example.jp")
    assert default_invitees(region=region) == [(with_address, "a@example.jp")]
