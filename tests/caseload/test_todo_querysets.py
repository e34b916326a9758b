"""The QuerySets a to-do list is made of, each named for what it finds."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus, municipalities_without_report_for
from hokenfukushi.models import Municipality
from meetings.factories import ActionItemFactory, meeting_on
from meetings.models import ActionItem, ActionStatus

pytestmark = pytest.mark.django_db


def test_awaiting_approval_is_submitted_only_oldest_first_and_scoped(
    region_admin, municipal_user, other_region_user, prefecture_user, anonymous, town, far_town
):
    later = CountReportFactory(municipality=town, submitted=True)
    earlier = CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1), submitted=True)
    earlier.submitted_at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    earlier.save()
    CountReportFactory(municipality=town, as_of=dt.date(2023, 4, 1))  # draft
    CountReportFactory(municipality=town, as_of=dt.date(2022, 4, 1), approved=True)
    far = CountReportFactory(municipality=far_town, submitted=True)

    def waiting(user):
        return list(CountReport.objects.awaiting_approval().visible_to(user))

    assert waiting(region_admin) == [earlier, later]
    assert waiting(municipal_user) == [earlier, later]  # the region's, read scope
    assert waiting(other_region_user) == [far]
    assert waiting(prefecture_user) == [earlier, later, far]
    assert waiting(anonymous) == []


def test_sent_back_is_a_draft_with_a_reason(town):
    sent_back = CountReportFactory(municipality=town, reopen_reason="数を確認してください")
    CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1))
    CountReportFactory(
        municipality=town, as_of=dt.date(2023, 4, 1), submitted=True, reopen_reason="以前の理由"
    )
    assert list(CountReport.objects.sent_back()) == [sent_back]


def test_towns_without_a_report_count_drafts_as_not_reported(
    municipal_user, town, other_town, far_town
):
    CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1), submitted=True)
    CountReportFactory(municipality=other_town, as_of=dt.date(2026, 4, 1))  # draft only
    CountReportFactory(municipality=far_town, as_of=dt.date(2025, 4, 1), approved=True)
    assert set(municipalities_without_report_for(2026)) == {other_town, far_town}
    assert set(municipalities_without_report_for(2025)) == {town, other_town}
    visible = Municipality.objects.visible_to(municipal_user)
    assert set(municipalities_without_report_for(2026, towns=visible)) == {other_town}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(list(ReportStatus)), max_size=4))
def test_a_town_is_due_exactly_when_none_of_its_reports_is_submitted_or_approved(statuses):
    from hokenfukushi.factories import MunicipalityFactory

    town = MunicipalityFactory()
    for offset, status in enumerate(statuses):
        CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1 + offset), status=status)
    due = town in municipalities_without_report_for(2026)
    assert due == all(status == ReportStatus.DRAFT for status in statuses)
    CountReport.objects.filter(municipality=town).delete()
    town.delete()


def test_action_items_overdue_and_open_for_long(region):
    today = dt.date(2026, 12, 5)
    old_meeting = meeting_on(region, 2, dt.date(2025, 5, 20))
    recent_meeting = meeting_on(region, 3, dt.date(2026, 11, 20))
    late = ActionItemFactory(raised_at=recent_meeting, due_on=dt.date(2026, 12, 4))
    due_today = ActionItemFactory(raised_at=recent_meeting, due_on=today)
    old_open = ActionItemFactory(raised_at=old_meeting)
    ActionItemFactory(raised_at=old_meeting, due_on=dt.date(2025, 6, 1), status=ActionStatus.DONE)

    assert list(ActionItem.objects.overdue(today)) == [late]
    assert due_today not in ActionItem.objects.overdue(today)
    assert list(ActionItem.objects.open_longer_than(365, today)) == [old_open]
    assert set(ActionItem.objects.open_longer_than(14, today)) == {old_open, late, due_today}
    assert list(ActionItem.objects.open_longer_than(15, today)) == [old_open]


@pytest.mark.parametrize("days", [0, 14, 15, 365, 1000])
def test_overdue_or_open_longer_than_is_the_union_of_the_two(region, days):
    """The to-do asks for both lists in one condition: the same rows as their union."""
    today = dt.date(2026, 12, 5)
    old_meeting = meeting_on(region, 2, dt.date(2025, 5, 20))
    recent_meeting = meeting_on(region, 3, dt.date(2026, 11, 20))
    for meeting in (old_meeting, recent_meeting):
        for due_on in (None, dt.date(2026, 12, 4), today, dt.date(2027, 1, 1)):
            for status in ActionStatus:
                ActionItemFactory(raised_at=meeting, due_on=due_on, status=status)
    items = ActionItem.objects.open()

    union = items.overdue(today) | items.open_longer_than(days, today)
    one = ActionItem.objects.overdue_or_open_longer_than(days, today)

    assert set(one) == set(union)
    assert one.count() == union.count()
