"""The next meeting is named (第N回) on the dashboard when it is a planned one."""

import datetime as dt

from dashboard.coverage import meeting_schedule


def test_a_planned_next_meeting_carries_its_number():
    schedule = meeting_schedule(
        held_dates=[dt.date(2025, 10, 22)],
        planned_dates=[dt.date(2027, 1, 6), dt.date(2027, 4, 7)],
        planned_numbers={dt.date(2027, 1, 6): 4, dt.date(2027, 4, 7): 5},
        fiscal_year=2026,
        today=dt.date(2026, 12, 5),
    )
    assert (schedule.next_due, schedule.next_number, schedule.is_planned) == (
        dt.date(2027, 1, 6),
        4,
        True,
    )


def test_an_estimated_due_date_has_no_number():
    schedule = meeting_schedule(
        held_dates=[dt.date(2025, 10, 22)],
        planned_dates=[],
        planned_numbers={},
        fiscal_year=2026,
        today=dt.date(2026, 12, 5),
    )
    assert schedule.next_number is None and not schedule.is_planned
