"""The activity exports (活動記録, issue 19): the roll-up per town × quarter of a fiscal year for
the user's scope (`activity.csv`), and the same with small cells suppressed (`activity-open-
data.csv`), in the shape of the other exports (a header and a callable yielding rows afresh).

Whose entries are counted is `Activity.objects.counted_for(user)`: the center and the prefecture
viewer the towns they read, municipal staff their own town, a coordinator its region. Rows are
the towns with at least one entry in a quarter (a town absent from a quarter had none), by
quarter, region and 団体コード, each region followed by its total. Two statements per pass
whatever the number of towns: the roll-up and the towns' regions.

Open data follows exports/suppression.py as open-data.csv does: a column is one kind of support
(個別支援 or 地域支援) of the towns of one region in one quarter, published with that region's
quarter total; no per-town total across kinds is published (the rule treats columns apart)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from coordinators.models import Activity, ActivityRollupRow
from exports.csv_output import Cell
from exports.suppression import SUPPRESSED, plan_column, summarise
from exports.tables import Rows
from hokenfukushi.fiscal import FiscalQuarter
from hokenfukushi.models import Municipality

ACTIVITY_HEADER = (
    "年度",
    "四半期",
    "圏域",
    "団体コード",
    "市町村名",
    "個別支援",
    "地域支援",
    "計",
)
# No per-town total: the suppression rule publishes each column with its own total only.
ACTIVITY_OPEN_DATA_HEADER = ACTIVITY_HEADER[:-1]

KINDS = ("individual", "community")  # 個別支援, 地域支援: the columns suppressed apart

# (quarter, region name, region id) -> the region's towns in that quarter, by 団体コード
_Groups = dict[tuple[FiscalQuarter, str, int], list[ActivityRollupRow]]


def _groups(user, fiscal_year: int) -> _Groups:
    entries = Activity.objects.counted_for(user).in_fiscal_year(fiscal_year)
    regions = {
        town_id: (region_id, region_name)
        for town_id, region_id, region_name in Municipality.objects.filter(
            pk__in=entries.values("municipality_id")
        ).values_list("pk", "region_id", "region__name")
    }
    groups: _Groups = {}
    for row in entries.rollup_by_town_and_quarter():  # by quarter, then 団体コード
        region_id, region_name = regions[row.municipality_id]
        groups.setdefault((row.quarter, region_name, region_id), []).append(row)
    return dict(sorted(groups.items()))


def activity_table(user, fiscal_year: int) -> tuple[Sequence[str], Rows]:
    def rows() -> Iterator[Sequence[Cell]]:
        for (quarter, region_name, _id), towns in _groups(user, fiscal_year).items():
            first = (quarter.fiscal_year, quarter.quarter, region_name)
            for town in towns:
                yield (
                    *first,
                    town.municipality_code,
                    town.municipality_name,
                    town.individual,
                    town.community,
                    town.total,
                )
            individual = sum(town.individual for town in towns)
            community = sum(town.community for town in towns)
            yield (*first, None, f"{region_name} 計", individual, community, individual + community)

    return ACTIVITY_HEADER, rows


def _published(value: int | None) -> Cell:
    return SUPPRESSED if value is None else value


def activity_open_data_table(user, fiscal_year: int, threshold: int) -> tuple[Sequence[str], Rows]:
    def rows() -> Iterator[Sequence[Cell]]:
        for (quarter, region_name, _id), towns in _groups(user, fiscal_year).items():
            plans = [
                plan_column(summarise((getattr(t, kind) for t in towns), threshold=threshold))
                for kind in KINDS
            ]
            first = (quarter.fiscal_year, quarter.quarter, region_name)
            for town in towns:
                yield (
                    *first,
                    town.municipality_code,
                    town.municipality_name,
                    *(
                        _published(plan.publish(getattr(town, kind)))
                        for plan, kind in zip(plans, KINDS, strict=True)
                    ),
                )
            yield (
                *first,
                None,
                f"{region_name} 計",
                *(_published(plan.published_total) for plan in plans),
            )

    return ACTIVITY_OPEN_DATA_HEADER, rows
