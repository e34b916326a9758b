"""The pure rules behind the meeting pages: attendance counts, connections, scheduling, charts."""

import datetime as dt
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from coordinators.models import DisabilityField, OrganizationKind
from meetings.attendance import Participant, attendance_breakdown
from meetings.charts import shade_level, stacked_bars
from meetings.connections import (
    MeetingAttendees,
    coordinator_contacts,
    network_growth,
    organization_matrix,
    pairs_of,
)
from meetings.scheduling import (
    LEAD_TIME,
    DateProposal,
    PastAgendaItem,
    months_later,
    propose_next_meeting_date,
    recurring_agenda,
)

G, C, P, B, H = (
    OrganizationKind.GOVERNMENT,
    OrganizationKind.COMMISSIONED,
    OrganizationKind.PLANNED_CONSULTATION,
    OrganizationKind.BASE_CENTER,
    OrganizationKind.HEALTH_CENTER,
)

participants = st.builds(
    Participant,
    is_coordinator=st.booleans(),
    kind=st.sampled_from(OrganizationKind.values),
    field=st.sampled_from(["", *DisabilityField.values]),
)


def _people(is_coordinator, kind, count, field=""):
    return [Participant(is_coordinator, kind, field)] * count


def test_third_meeting_is_counted_as_the_source_tables_do():
    people = (
        _people(True, C, 2, DisabilityField.INTELLECTUAL)
        + _people(True, G, 4)
        + _people(True, C, 2, DisabilityField.MENTAL)
        + _people(True, P, 2)
        + _people(True, B, 2)
        + _people(False, H, 1)
        + _people(False, G, 4)
    )
    breakdown = attendance_breakdown(people)
    assert breakdown.coordinator_counts() == {
        "委託相談(知的)": 2,
        "行政": 4,
        "委託相談(精神)": 2,
        "計画相談": 2,
        "基幹": 2,
    }
    assert breakdown.other_counts() == {"保健所": 1, "行政": 4}
    assert (breakdown.coordinator_total, breakdown.other_total, breakdown.total) == (12, 5, 17)
    # side by side: five lines, the others' column runs out after two
    assert len(breakdown.rows) == 5
    assert breakdown.rows[-1].others is None


def test_commissioned_centers_are_told_apart_by_field_and_others_are_not():
    breakdown = attendance_breakdown(
        [
            Participant(True, C, DisabilityField.PHYSICAL),
            Participant(True, C, DisabilityField.MENTAL),
            Participant(True, G, ""),
        ]
    )
    assert [c.label for c in breakdown.coordinators] == ["行政", "委託相談(身体)", "委託相談(精神)"]


@given(st.lists(participants, max_size=60))
def test_breakdown_accounts_for_every_participant_once(people):
    breakdown = attendance_breakdown(people)
    assert breakdown.coordinator_total == sum(p.is_coordinator for p in people)
    assert breakdown.other_total == sum(not p.is_coordinator for p in people)
    assert breakdown.total == len(people)
    assert all(item.count > 0 for item in breakdown.coordinators + breakdown.others)
    labels = [item.label for item in breakdown.coordinators]
    assert len(labels) == len(set(labels))


@given(st.lists(participants, max_size=40), st.randoms())
def test_breakdown_does_not_depend_on_the_order_people_signed_in(people, random):
    shuffled = list(people)
    random.shuffle(shuffled)
    assert attendance_breakdown(shuffled) == attendance_breakdown(people)


def _meeting(pk, day, coordinators, organizations):
    return MeetingAttendees(
        meeting_id=pk,
        label=f"第{pk}回",
        held_on=day,
        coordinator_ids=frozenset(coordinators),
        organization_ids=frozenset(organizations),
    )


def test_growth_counts_pairs_who_have_met_once_not_twice():
    meetings = [
        _meeting(1, dt.date(2024, 11, 1), {1, 2, 3}, {10, 11}),
        _meeting(2, dt.date(2025, 5, 1), {1, 2}, {10, 11}),
        _meeting(3, dt.date(2025, 10, 1), {1, 2, 3, 4}, {10, 11, 12}),
    ]
    steps = network_growth(meetings)
    assert [s.coordinator_pairs for s in steps] == [3, 3, 6]
    assert [s.new_coordinator_pairs for s in steps] == [3, 0, 3]
    assert [s.organization_pairs for s in steps] == [1, 1, 3]


def test_contacts_give_attendance_and_last_meeting_and_zero_for_those_never_seen():
    meetings = [
        _meeting(1, dt.date(2024, 11, 1), {1, 2}, {10}),
        _meeting(2, dt.date(2025, 5, 1), {1}, {10}),
    ]
    contacts = coordinator_contacts(meetings, [1, 2, 3])
    assert contacts[1].meetings_attended == 2 and contacts[1].last_met_on == dt.date(2025, 5, 1)
    assert contacts[2].last_met_on == dt.date(2024, 11, 1)
    assert contacts[3].meetings_attended == 0 and contacts[3].last_met_on is None


meeting_lists = st.lists(
    st.tuples(
        st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
        st.frozensets(st.integers(1, 12), max_size=12),
        st.frozensets(st.integers(100, 106), max_size=7),
    ),
    max_size=8,
).map(lambda rows: [_meeting(i, day, c, o) for i, (day, c, o) in enumerate(rows, start=1)])


@given(meeting_lists)
def test_growth_never_shrinks_and_ends_with_every_pair_that_met(meetings):
    steps = network_growth(meetings)
    pairs = [s.coordinator_pairs for s in steps]
    assert pairs == sorted(pairs)
    everyone_who_met = set().union(*(pairs_of(m.coordinator_ids) for m in meetings))
    assert (steps[-1].coordinator_pairs if steps else 0) == len(everyone_who_met)
    assert sum(s.new_coordinator_pairs for s in steps) == len(everyone_who_met)


@given(meeting_lists)
def test_matrix_is_symmetric_and_counts_meetings_shared(meetings):
    organizations = sorted({o for m in meetings for o in m.organization_ids})
    matrix = organization_matrix(meetings, organizations)
    for i, a in enumerate(organizations):
        assert matrix[i][i] is None
        for j, b in enumerate(organizations):
            if i != j:
                assert matrix[i][j] == matrix[j][i]
                assert matrix[i][j] == sum(1 for m in meetings if {a, b} <= m.organization_ids)


def test_next_meeting_is_three_months_on_clamped_to_the_month_end():
    assert months_later(dt.date(2025, 10, 22)) == dt.date(2026, 1, 22)
    assert months_later(dt.date(2025, 11, 30)) == dt.date(2026, 2, 28)
    assert months_later(dt.date(2027, 11, 30)) == dt.date(2028, 2, 29)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)), st.integers(0, 36))
def test_months_later_moves_by_whole_months(day, months):
    later = months_later(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day  # clamped, never pushed over


def _item(day, title, recurring, order=1, kind="discussion"):
    return PastAgendaItem(dt.date(2025, 1, day), order, kind, title, recurring)


def test_latest_occurrence_decides_whether_an_item_recurs():
    items = [
        _item(1, "用語の勉強", True),
        _item(1, "事例検討", True, order=2),
        _item(2, "用語の勉強", False),  # unticked at the later meeting: stops
        _item(2, "講義", False, order=2),
    ]
    assert [i.title for i in recurring_agenda(items)] == ["事例検討"]


def test_an_item_held_once_recurring_carries_even_if_a_later_meeting_skipped_it():
    items = [_item(1, "事例検討", True), _item(2, "講義", False)]
    assert [i.title for i in recurring_agenda(items)] == ["事例検討"]


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=12))
def test_stacked_bars_fit_the_plot_and_are_proportional(series):
    bars = stacked_bars([(f"第{i}回", c, o) for i, (c, o) in enumerate(series)])
    tallest = max(c + o for c, o in series)
    for bar in bars:
        assert bar.others_y >= -1e-9
        assert abs(bar.coordinators_y + bar.coordinators_height - 160) < 1e-9
        if tallest:
            assert (
                abs((bar.coordinators_height + bar.others_height) - 160 * bar.total / tallest)
                < 1e-6
            )
    assert all(a.x + a.width <= b.x for a, b in pairwise(bars))


def test_shade_levels():
    assert shade_level(None, 3) == 0
    assert shade_level(0, 3) == 0
    assert shade_level(1, 3) == 2
    assert shade_level(3, 3) == 4
    assert shade_level(1, 100) == 1


# --- the next meeting's proposed date (issue 17) ---------------------------------------------


def test_the_regular_date_is_proposed_while_it_is_still_ahead():
    proposal = propose_next_meeting_date(dt.date(2025, 10, 22), today=dt.date(2025, 12, 1))
    assert proposal == DateProposal(day=dt.date(2026, 1, 22))
    assert not proposal.moved


def test_a_passed_regular_date_moves_to_the_same_weekday_four_weeks_on():
    # 第3回 was Wednesday 2025-10-22; on 2026-12-05 (a Saturday) the regular 2026-01-22 is long
    # gone: the proposal is the first Wednesday at least four weeks ahead.
    proposal = propose_next_meeting_date(dt.date(2025, 10, 22), today=dt.date(2026, 12, 5))
    assert proposal.moved and proposal.regular_day == dt.date(2026, 1, 22)
    assert proposal.day == dt.date(2027, 1, 6)
    assert proposal.day.weekday() == 2


def test_a_regular_date_of_today_counts_as_passed():
    proposal = propose_next_meeting_date(dt.date(2025, 10, 22), today=dt.date(2026, 1, 22))
    assert proposal.moved and proposal.day > dt.date(2026, 1, 22)


def test_a_weekend_meeting_is_followed_by_a_weekday_proposal():
    saturday = dt.date(2025, 10, 25)
    proposal = propose_next_meeting_date(saturday, today=dt.date(2026, 6, 1))
    assert proposal.day.weekday() < 5


@given(
    st.dates(dt.date(2016, 4, 1), dt.date(2040, 3, 31)),
    st.dates(dt.date(2016, 4, 1), dt.date(2040, 3, 31)),
)
def test_the_proposal_is_never_today_or_earlier(last_held, today):
    proposal = propose_next_meeting_date(last_held, today=today)
    assert proposal.day > today
    if proposal.moved:
        assert proposal.day.weekday() < 5
        assert today + LEAD_TIME <= proposal.day < today + LEAD_TIME + dt.timedelta(days=7)
    else:
        assert proposal.day == months_later(last_held)
