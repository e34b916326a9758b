"""The dashboard's 活動記録 section: the coordinators' support activity per town × quarter of
the fiscal year shown (個別支援 / 地域支援), and how many placed coordinators have no entry yet
this quarter ("trained but not yet active").

Who sees what is `Activity.objects.counted_for(user)` (scope.count_filter): the center and the
prefecture viewer the towns they read, municipal staff their own town, a coordinator their
region's counts. Counts only: no coordinator is named here. Two statements, whatever the number
of towns: the roll-up and the count of coordinators without activity; one when the caller has
that count already (the dashboard reads it with its coordinators: `CoordinatorQuerySet.summary`
with `idle_in`).

The cached dashboard is shared by users of the same `dashboard.cache.scope_key` (the read scope
and the own town); `counted_for` gives all of them the same entries (a coordinator and its
region's center count the same region), so the section can be cached with the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coordinators.activity_rollup import (
    ActivityCell,
    ActivityTownRow,
    activity_table,
    quarters_of,
)
from coordinators.models import Activity, Coordinator
from hokenfukushi.fiscal import FiscalQuarter, fiscal_quarter_of
from hokenfukushi.models import Region, User


@dataclass(frozen=True)
class ActivitySection:
    fiscal_year: int
    quarters: tuple[FiscalQuarter, ...]
    rows: list[ActivityTownRow]  # towns with at least one entry in the year, by 団体コード
    totals: tuple[ActivityCell, ...]
    this_quarter: FiscalQuarter
    without_activity: int  # placed (active) coordinators with no entry this quarter

    @property
    def total(self) -> int:
        return sum(cell.total for cell in self.totals)


def activity_section(
    user: User,
    *,
    fiscal_year: int,
    today: dt.date,
    region: Region | None,
    without_activity: int | None = None,
) -> ActivitySection:
    """The section for `user`; `without_activity` is the number of their coordinators (of
    `region`) with no entry in today's quarter when the caller has read it already, else it is
    counted here."""
    entries = Activity.objects.counted_for(user).in_fiscal_year(fiscal_year)
    if region is not None:
        entries = entries.filter(municipality__region=region)
    this_quarter = fiscal_quarter_of(today)
    if without_activity is None:
        placed = Coordinator.objects.visible_to(user)
        if region is not None:
            placed = placed.filter(organization__region=region)
        without_activity = placed.without_activity_in(this_quarter).count()
    rows, totals = activity_table(entries.rollup_by_town_and_quarter(), fiscal_year)
    return ActivitySection(
        fiscal_year=fiscal_year,
        quarters=quarters_of(fiscal_year),
        rows=rows,
        totals=totals,
        this_quarter=this_quarter,
        without_activity=without_activity,
    )
