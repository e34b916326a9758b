"""When the next meeting is due and what it inherits: pure rules, tested without a database."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

MONTHS_BETWEEN_MEETINGS = 3  # the network meets quarterly


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
