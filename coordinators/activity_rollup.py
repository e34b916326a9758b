"""The 活動記録 roll-up as a town × quarter table of one fiscal year (個別支援 / 地域支援 per cell)
with its totals per quarter: a pure function of `ActivityQuerySet.rollup_by_town_and_quarter()`
rows, shared by the center's report (/coordinators/activity/) and the dashboard's section."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coordinators.models import ActivityRollupRow
from hokenfukushi.fiscal import FiscalQuarter


@dataclass(frozen=True)
class ActivityCell:
    individual: int = 0
    community: int = 0

    @property
    def total(self) -> int:
        return self.individual + self.community


@dataclass(frozen=True)
class ActivityTownRow:
    code: str
    name: str
    cells: tuple[ActivityCell, ...]  # one per quarter, Q1 to Q4

    @property
    def total(self) -> int:
        return sum(cell.total for cell in self.cells)


def quarters_of(fiscal_year: int) -> tuple[FiscalQuarter, ...]:
    return tuple(FiscalQuarter(fiscal_year, q) for q in (1, 2, 3, 4))


def activity_table(
    rows: Sequence[ActivityRollupRow],
    fiscal_year: int,
    *,
    towns: Iterable[tuple[str, str]] = (),
) -> tuple[list[ActivityTownRow], tuple[ActivityCell, ...]]:
    """The roll-up of one fiscal year as a town × quarter table (by 団体コード) and its totals
    per quarter. Rows of other years are left out. Without `towns` ((code, name) pairs) the
    table lists the towns with entries; with them, every one of them too (all 0 where none)."""
    quarters = quarters_of(fiscal_year)
    by_town: dict[str, tuple[str, dict[FiscalQuarter, ActivityCell]]] = {
        code: (name, {}) for code, name in towns
    }
    for row in rows:
        if row.quarter.fiscal_year != fiscal_year:
            continue
        _name, cells = by_town.setdefault(row.municipality_code, (row.municipality_name, {}))
        cells[row.quarter] = ActivityCell(row.individual, row.community)
    table = [
        ActivityTownRow(code, name, tuple(cells.get(q, ActivityCell()) for q in quarters))
        for code, (name, cells) in sorted(by_town.items())
    ]
    totals = tuple(
        ActivityCell(
            sum(row.cells[i].individual for row in table),
            sum(row.cells[i].community for row in table),
        )
        for i in range(len(quarters))
    )
    return table, totals
