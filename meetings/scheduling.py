"""When the next meeting is due and what it inherits: pure rules, tested without a database."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS_BETWEEN_MEETINGS = 3  # the network meets quarterly
# When the regular date has already passed, the proposal leaves this much time to invite people
# and for them to clear their diaries (the demo's 第4回 is placed the same way).
LEAD_TIME = dt.timedelta(weeks=4)


def months_later(day: dt.date, months: int = MONTHS_BETWEEN_MEETINGS) -> dt.date:
    """Same day of the month `months` later, clamped to the month's end (11-30 + 3 -> 02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class PastAgendaItem:
    held_on: dt.date
    order: int
    kind: str
    title: str
    is_recurring: bool


def recurring_agenda(items: Iterable[PastAgendaItem]) -> list[PastAgendaItem]:
    """Agenda items the next meeting keeps: for each (kind, title), its latest occurrence decides
    (unticking 毎回行う at one meeting stops it). Returned in the order they were last held."""
    latest: dict[tuple[str, str], PastAgendaItem] = {}
    for item in sorted(items, key=lambda i: (i.held_on, i.order)):
        latest[(item.kind, item.title)] = item
    return sorted(
        (item for item in latest.values() if item.is_recurring),
        key=lambda i: (i.held_on, i.order),
    )


@dataclass(frozen=True)
class DateProposal:
    """The proposed date of the next meeting; `regular_day` is the cadence date it replaces when
    that date had already passed (None when the regular date is used)."""

    day: dt.date
    regular_day: dt.date | None = None

    @property
    def moved(self) -> bool:
        return self.regular_day is not None


def first_weekday_on_or_after(day: dt.date, weekday: int | None = None) -> dt.date:
    """The first day on or after `day` that is a weekday (Mon–Fri) and, when `weekday` (0 = Monday)
    is a weekday itself, that day of the week."""
    wanted = weekday if weekday is not None and weekday < 5 else None
    while day.weekday() >= 5 or (wanted is not None and day.weekday() != wanted):
        day += dt.timedelta(days=1)
    return day


def propose_next_meeting_date(last_held: dt.date, today: dt.date) -> DateProposal:
    """The regular cadence from the last meeting; if that day is today or already past, the
    first day at least LEAD_TIME ahead that falls on the last meeting's day of the week (a
    weekday). Never today or earlier."""
    regular = months_later(last_held)
    if regular > today:
        return DateProposal(day=regular)
    return DateProposal(
        day=first_weekday_on_or_after(today + LEAD_TIME, last_held.weekday()),
        regular_day=regular,
    )
