"""The rows of each export, read in one streaming query per pass whatever the number of towns.

Each function returns a header and a callable that yields rows afresh, so a view can check a
whole export for cp932 first and then stream it, without ever holding the rows in memory.
The prefecture table's region totals are summed by the database and streamed after the towns;
the open-data table still sums them while streaming (its suppression plans are per region).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from caseload.models import COUNT_FIELDS, SUBSET_FIELDS, CountReport, ReportCompleteness
from coordinators.models import Coordinator, Experience, TrainingCourse
from exports import columns
from exports.csv_output import LINE_END, Cell, csv_field
from exports.suppression import (
    SUPPRESSED,
    ColumnPlan,
    ColumnSummary,
    plan_column,
)
from hokenfukushi.fiscal import era_year, fiscal_year_bounds, fiscal_year_label
from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    Municipality,
    PopulationSnapshot,
    Region,
    council_preference_order,
)
from hokenfukushi.scope import reads_whole_prefectures

# Rows are read from the database in chunks of this size (server-side cursor on PostgreSQL).
CHUNK_SIZE = 500
# A town row carries some twenty figures: 500 of them were the largest allocation of the
# prefecture export (~480 KiB at 1,741 towns). 50 are already a full fetch at 63 towns, so a
# larger prefecture takes no more for them; 35 fetches instead of 4 at national size, each a
# read of the result PostgreSQL has already materialised for the WITH HOLD cursor.
TOWN_CHUNK_SIZE = 50
# Region total rows are as wide as town rows: fetched 500 at a time, the country's 335 came at
# once (~70 KiB more than a prefecture's 9). Ten are a prefecture's regions in one or two fetches.
REGION_CHUNK_SIZE = 10

# The column definitions live in exports/columns.py (one place for CSV, README and .xlsx).
PREFECTURE_HEADER = columns.PREFECTURE_HEADER
SURVEY_SUMMARY_HEADER = columns.SURVEY_SUMMARY_HEADER
OPEN_DATA_HEADER = (
    "団体コード",
    "市町村名",
    "人口",
    "人口基準日",
    "集計基準日",
    *columns.COUNT_HEADERS,
    "報告状態",
)
CASELOAD_HEADER = ("団体コード", "市町村名", "集計基準日", "年度", "区分", "人数", "状態")

Rows = Callable[[], Iterator[Sequence[Cell]]]


class _SubqueryCount(Subquery):
    """COUNT(*) of a subquery's rows: one correlated count per town, no GROUP BY needed."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _covering_coordinators(**conditions):
    """Active coordinators covering the town: named for it, or covering its whole region.

    Counted as |named| + |whole region| - |both|: each count is an indexed lookup, where a
    single OR across the many-to-many join made SQLite scan every coordinator for every town
    (2.3 s against 0.08 s for 2,000 towns)."""
    named = Coordinator.municipalities.through.objects.filter(
        municipality=OuterRef("pk"),
        coordinator__is_active=True,
        **{f"coordinator__{key}": value for key, value in conditions.items()},
    )
    whole_region = Coordinator.objects.active().filter(
        covers_whole_region=True, organization__region=OuterRef("region"), **conditions
    )
    both = named.filter(
        coordinator__covers_whole_region=True, coordinator__organization__region=OuterRef("region")
    )
    return (
        _SubqueryCount(named.values("pk"))
        + _SubqueryCount(whole_region.values("pk"))
        - _SubqueryCount(both.values("pk"))
    )


def _population(year_end) -> QuerySet[PopulationSnapshot]:
    return PopulationSnapshot.objects.filter(
        municipality=OuterRef("pk"), as_of__lte=year_end
    ).order_by("-as_of")


def _approved_report(fiscal_year: int) -> QuerySet[CountReport]:
    return (
        CountReport.objects.approved()
        .for_fiscal_year(fiscal_year)
        .filter(municipality=OuterRef("pk"))
        .order_by("-as_of", "-pk")
    )


def towns_with_figures(user, fiscal_year: int) -> QuerySet[Municipality]:
    """The towns in `user`'s read scope, in code order, each annotated with its population up
    to the end of the fiscal year, its latest approved report of that year (empty when none),
    whether it has any report that year, its coordinators and its best council status."""
    _, year_end = fiscal_year_bounds(fiscal_year)
    population = _population(year_end)
    report = _approved_report(fiscal_year)
    any_report = CountReport.objects.for_fiscal_year(fiscal_year).filter(
        municipality=OuterRef("pk")
    )
    council = (
        Council.objects.filter(municipalities=OuterRef("pk"))
        .annotate(preference=council_preference_order())
        .order_by("preference", "pk")
    )
    return (
        Municipality.objects.visible_to(user)
        .select_related("region")
        .annotate(
            population=Subquery(population.values("population")[:1]),
            population_as_of=Subquery(population.values("as_of")[:1]),
            report_as_of=Subquery(report.values("as_of")[:1]),
            has_any_report=Exists(any_report),
            coordinator_count=_covering_coordinators(),
            experienced_count=_covering_coordinators(experience=Experience.DIRECT),
            council_status=Subquery(council.values("status")[:1]),
            council_form=Subquery(council.values("form")[:1]),
            **{name: Subquery(report.values(name)[:1]) for name in COUNT_FIELDS},
        )
        .order_by("code")
    )


def _region_covering(**conditions):
    """Active coordinators covering any town of the region, each counted once."""
    named = (
        Coordinator.municipalities.through.objects.filter(
            municipality__region=OuterRef("pk"),
            coordinator__is_active=True,
            **{f"coordinator__{key}": value for key, value in conditions.items()},
        )
        .values("coordinator")
        .distinct()
    )
    whole_region = Coordinator.objects.active().filter(
        covers_whole_region=True, organization__region=OuterRef("pk"), **conditions
    )
    both = named.filter(
        coordinator__covers_whole_region=True, coordinator__organization__region=OuterRef("pk")
    )
    return _SubqueryCount(named) + _SubqueryCount(whole_region.values("pk")) - _SubqueryCount(both)


REGION_TOTAL_COLUMNS = (
    "name",
    "towns",
    "approved",
    "population_total",
    *(f"{name}_total" for name in COUNT_FIELDS),
    "coordinators",
    "experienced",
    "council_status",
    "council_form",
)
# What the prefecture export reads of each region besides REGION_TOTAL_COLUMNS.
REGION_EXTRA_COLUMNS = (
    "pk",
    "prefecture_code",
    "prefecture_name",
    *(f"{name}_total" for name in SUBSET_FIELDS),
    "trained",
    "council_date",
)


def region_totals(user, fiscal_year: int, *, extra: bool = False) -> QuerySet[Region]:
    """One row per region with a town in `user`'s read scope, in the order of its first town by
    code (the order of the town rows): REGION_TOTAL_COLUMNS. The towns' population and
    approved counts are summed (a town without an approved report adds nothing but is counted
    in `towns`), coordinators covering any town of the region are counted once, and the council
    is the region's best by `council_preference`.

    Summed by the database, so that the export holds nothing per region while streaming. Each
    figure is a subquery per region rather than a GROUP BY over the towns: grouped, the
    region-level subqueries (coordinators, council) were grouped by too and so ran once per
    town."""
    _, year_end = fiscal_year_bounds(fiscal_year)
    report = _approved_report(fiscal_year)
    towns = Municipality.objects.visible_to(user).filter(region=OuterRef("pk"))

    def over_towns(aggregate) -> Subquery:
        return Subquery(
            towns.order_by().values("region").annotate(value=aggregate).values("value"),
            output_field=IntegerField(),
        )

    council = (
        Council.objects.filter(region=OuterRef("pk"))
        .annotate(preference=council_preference_order())
        .order_by("preference", "pk")
    )
    if extra:
        more = {
            **{
                f"{name}_total": over_towns(Sum(Subquery(report.values(name)[:1])))
                for name in SUBSET_FIELDS
            },
            "trained": _SubqueryCount(
                _trained(fiscal_year).filter(organization__region=OuterRef("pk")).values("pk")
            ),
            "council_date": Subquery(council.values("status_date")[:1]),
        }
    else:
        more = {}
    return (
        Region.objects.filter(Exists(towns))
        .annotate(
            **more,
            towns=over_towns(Count("pk")),
            approved=over_towns(Count(Subquery(report.values("pk")[:1]))),
            population_total=Coalesce(
                over_towns(Sum(Subquery(_population(year_end).values("population")[:1]))), 0
            ),
            **{
                f"{name}_total": Coalesce(over_towns(Sum(Subquery(report.values(name)[:1]))), 0)
                for name in COUNT_FIELDS
            },
            coordinators=_region_covering(),
            experienced=_region_covering(experience=Experience.DIRECT),
            council_status=Subquery(council.values("status")[:1]),
            council_form=Subquery(council.values("form")[:1]),
            first_code=Subquery(towns.order_by("code").values("code")[:1]),
        )
        .order_by("first_code")
        .values_list(*REGION_TOTAL_COLUMNS, *(REGION_EXTRA_COLUMNS if extra else ()))
    )


def _trained(fiscal_year: int) -> QuerySet[Coordinator]:
    """養成研修修了者 by the end of `fiscal_year` (active or not, placed or not)."""
    return Coordinator.objects.filter(
        training_course=TrainingCourse.COORDINATOR, training_fiscal_year__lte=fiscal_year
    )


def placement_form(named: int, covering: int) -> str:
    """配置形態 of a town: coordinators named for it (not only the whole region's), else only
    the whole region's, else none. 予定 is not recorded, so never given."""
    if named:
        return columns.PLACED_SINGLE
    if covering:
        return columns.PLACED_REGIONAL
    return columns.NOT_PLACED


def survey_council_label(status: str | None, form: str | None) -> str:
    """協議の場 in the survey's words: 単独設置 / 圏域で共同設置 / 設置予定 / 未設置."""
    if status == CouncilStatus.ESTABLISHED:
        return columns.COUNCIL_SINGLE if form == CouncilForm.SINGLE else columns.COUNCIL_REGIONAL
    if status == CouncilStatus.PLANNING:
        return columns.COUNCIL_PLANNED
    return columns.COUNCIL_NONE


def wareki_month(day) -> str | None:
    """2025-04-01 -> 令和7年4月 (the month a council was set up); None stays None."""
    if day is None:
        return None
    era, number = era_year(day)
    return f"{era}{'元' if number == 1 else number}年{day.month}月"


PREFECTURE_TOWN_COLUMNS = (
    "region_id",
    "region__prefecture_code",
    "region__prefecture_name",
    "region__name",
    "code",
    "name",
    "population",
    "population_as_of",
    "report_as_of",
    *COUNT_FIELDS,
    *SUBSET_FIELDS,
    "coordinator_count",
    "named_count",
    "trained",
    "council_status",
    "council_form",
    "council_date",
    "has_any_report",
)


def prefecture_towns(user, fiscal_year: int) -> QuerySet[Municipality]:
    """`towns_with_figures` with what the survey's shape adds (overlap counts, placement,
    training completers, the council's date), grouped by region in the order of each region's
    first town (the order of `region_totals`), by code within a region."""
    report = _approved_report(fiscal_year)
    council = (
        Council.objects.filter(municipalities=OuterRef("pk"))
        .annotate(preference=council_preference_order())
        .order_by("preference", "pk")
    )
    named = Coordinator.municipalities.through.objects.filter(
        municipality=OuterRef("pk"),
        coordinator__is_active=True,
        coordinator__covers_whole_region=False,
    )
    region_towns = Municipality.objects.visible_to(user).filter(region=OuterRef("region"))
    return (
        towns_with_figures(user, fiscal_year)
        .annotate(
            **{name: Subquery(report.values(name)[:1]) for name in SUBSET_FIELDS},
            named_count=_SubqueryCount(named.values("pk")),
            trained=_SubqueryCount(
                _trained(fiscal_year).filter(organization__municipality=OuterRef("pk")).values("pk")
            ),
            council_date=Subquery(council.values("status_date")[:1]),
            region_first_code=Subquery(region_towns.order_by("code").values("code")[:1]),
        )
        .order_by("region_first_code", "code")
    )


def completeness(town: Municipality) -> ReportCompleteness:
    return _report_status(town.report_as_of, town.has_any_report)


@dataclass(slots=True)  # one per region (open data), held until the end: no __dict__ each
class _RegionTotal:
    name: str
    towns: int = 0
    approved: int = 0
    population: int = 0
    counts: list[int] = field(default_factory=lambda: [0] * len(COUNT_FIELDS))

    def add(self, town: Municipality) -> None:
        self.towns += 1
        self.population += town.population or 0
        if town.report_as_of is not None:
            self.approved += 1
            for i, name in enumerate(COUNT_FIELDS):
                self.counts[i] += getattr(town, name)

    @property
    def label(self) -> str:
        return f"{self.name} 計"

    @property
    def status(self) -> str:
        return f"{ReportCompleteness.APPROVED.label} {self.approved}/{self.towns}"


TOWN_COLUMNS = (
    "code",
    "name",
    "population",
    "population_as_of",
    "report_as_of",
    *COUNT_FIELDS,
    "coordinator_count",
    "experienced_count",
    "council_status",
    "council_form",
    "has_any_report",
)


def _report_status(report_as_of, has_any_report: bool) -> ReportCompleteness:
    if report_as_of is not None:
        return ReportCompleteness.APPROVED
    if has_any_report:
        return ReportCompleteness.UNAPPROVED
    return ReportCompleteness.MISSING


@contextmanager
def _one_snapshot(using: str) -> Iterator[None]:
    """Statements run inside read the database as of one moment (PostgreSQL REPEATABLE READ;
    a SQLite read transaction already does). Inside an outer transaction, that one's."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def prefecture_table(user, fiscal_year: int) -> tuple[Sequence[str], Rows]:
    """The national survey's shape: every row names its year, prefecture and region; the towns
    of each region, then its 圏域計; after a prefecture's regions its 県計; a note row last.
    Headers and definitions: `exports.columns.PREFECTURE_COLUMNS`."""

    def rows() -> Iterator[Sequence[Cell]]:
        # Both statements read one snapshot, so that a write committed mid-download cannot
        # make a region's 計 row disagree with the town rows above it.
        with _one_snapshot(Municipality.objects.db):
            yield from _prefecture_rows(user, fiscal_year)

    return PREFECTURE_HEADER, rows


@dataclass(slots=True)  # one per prefecture while streaming
class _PrefectureTotal:
    name: str
    towns: int = 0
    approved: int = 0
    # population, the counts and overlap counts, coordinators, training completers; an overlap
    # count no region entered stays empty rather than 0
    figures: list[int | None] = field(
        default_factory=lambda: [None] * (2 + len(COUNT_AND_SUBSET) + 1)
    )

    def add(self, towns: int, approved: int, figures: Sequence[int | None]) -> None:
        self.towns += towns
        self.approved += approved
        self.figures = [
            a if b is None else (b if a is None else a + b)
            for a, b in zip(self.figures, figures, strict=True)
        ]


COUNT_AND_SUBSET = (*COUNT_FIELDS, *SUBSET_FIELDS)


def _prefecture_rows(user, fiscal_year: int) -> Iterator[Sequence[Cell]]:
    year = fiscal_year_label(fiscal_year)
    # a 県計 only for those who read the whole prefecture: a region's sum is its 圏域計
    whole_prefectures = reads_whole_prefectures(user)
    labels = {status: str(status.label) for status in ReportCompleteness}
    approved_label = labels[ReportCompleteness.APPROVED]
    # The region totals come from a second statement in the same order as the towns (each
    # region by its first town's code): read alongside the towns, one region at a time, so
    # nothing is held per region.
    regions = region_totals(user, fiscal_year, extra=True).iterator(chunk_size=REGION_CHUNK_SIZE)

    def region_total(region_id: int) -> tuple[Sequence[Cell], str, str, int, int, list[int]]:
        (name, towns, approved, population, *rest) = next(regions)
        if rest[len(COUNT_FIELDS) + 4] != region_id:  # the two statements' orders differ
            raise RuntimeError(f"region totals out of order at {name}")
        counts = rest[: len(COUNT_FIELDS)]
        coordinators, _experienced, status, form = rest[len(COUNT_FIELDS) : len(COUNT_FIELDS) + 4]
        _pk, pref_code, pref_name, *subsets_trained_date = rest[len(COUNT_FIELDS) + 4 :]
        subsets = subsets_trained_date[: len(SUBSET_FIELDS)]
        trained, council_date = subsets_trained_date[len(SUBSET_FIELDS) :]
        row = (
            year, pref_name, name, None, f"{name} 圏域計", population, None, None,
            *counts, *subsets, coordinators, trained, None,
            survey_council_label(status, form), wareki_month(council_date),
            f"{approved_label} {approved}/{towns}",
        )  # fmt: skip
        return row, pref_code, pref_name, towns, approved, [population, *counts, *subsets,
                                                            coordinators, trained]  # fmt: skip

    def prefecture_row(total: _PrefectureTotal) -> Sequence[Cell]:
        population, *rest = total.figures
        figures, (coordinators, trained) = rest[: len(COUNT_AND_SUBSET)], rest[-2:]
        return (
            year, total.name, None, None, f"{total.name} 県計", population, None, None,
            *figures, coordinators, trained, None, None, None,
            f"{approved_label} {total.approved}/{total.towns}",
        )  # fmt: skip

    towns = prefecture_towns(user, fiscal_year).values_list(*PREFECTURE_TOWN_COLUMNS)
    current_region: int | None = None
    prefecture: tuple[str, _PrefectureTotal] | None = None

    def close_region() -> Iterator[Sequence[Cell]]:
        nonlocal prefecture
        row, pref_code, pref_name, count, approved, figures = region_total(current_region)
        yield row
        if prefecture is None or prefecture[0] != pref_code:
            prefecture = (pref_code, _PrefectureTotal(pref_name))
        prefecture[1].add(count, approved, figures)

    for region_id, pref_code, pref_name, region_name, *rest in towns.iterator(
        chunk_size=TOWN_CHUNK_SIZE
    ):
        if region_id != current_region:
            if current_region is not None:
                yield from close_region()
            if prefecture is not None and prefecture[0] != pref_code:
                if whole_prefectures:
                    yield prefecture_row(prefecture[1])
                prefecture = None
            current_region = region_id
        (code, name, population, population_as_of, report_as_of, *figures) = rest
        counts = figures[: len(COUNT_AND_SUBSET)]
        covering, named, trained, status, form, council_date, has_any_report = figures[
            len(COUNT_AND_SUBSET) :
        ]
        yield (
            year, pref_name, region_name, code, name, population, population_as_of, report_as_of,
            *counts, covering, trained, placement_form(named, covering),
            survey_council_label(status, form), wareki_month(council_date),
            labels[_report_status(report_as_of, has_any_report)],
        )  # fmt: skip
    if current_region is not None:
        yield from close_region()
    if prefecture is not None and whole_prefectures:
        yield prefecture_row(prefecture[1])
    note = [None] * len(PREFECTURE_HEADER)
    note[0], note[PREFECTURE_HEADER.index("市町村名")] = year, columns.COUNTED_ONCE_NOTE
    yield note


def _plan_open_data(user, fiscal_year: int, threshold: int) -> dict[int, list[ColumnPlan]]:
    """First pass: one suppression plan per region and count column (reported towns only)."""
    summaries: dict[int, list[ColumnSummary]] = {}
    towns = towns_with_figures(user, fiscal_year).filter(
        Exists(
            CountReport.objects.approved()
            .for_fiscal_year(fiscal_year)
            .filter(municipality=OuterRef("pk"))
        )
    )
    for values in towns.values_list("region", *COUNT_FIELDS).iterator(chunk_size=TOWN_CHUNK_SIZE):
        region_id, *counts = values
        columns = summaries.setdefault(
            region_id, [ColumnSummary(threshold=threshold) for _ in COUNT_FIELDS]
        )
        for summary, value in zip(columns, counts, strict=True):
            summary.add(value)
    return {
        region_id: [plan_column(summary) for summary in columns]
        for region_id, columns in summaries.items()
    }


def _published(value: int | None) -> Cell:
    return SUPPRESSED if value is None else value


def open_data_table(user, fiscal_year: int, threshold: int) -> tuple[Sequence[str], Rows]:
    def rows() -> Iterator[Sequence[Cell]]:
        plans = _plan_open_data(user, fiscal_year, threshold)
        totals: dict[int, _RegionTotal] = {}
        for town in towns_with_figures(user, fiscal_year).iterator(chunk_size=TOWN_CHUNK_SIZE):
            totals.setdefault(town.region_id, _RegionTotal(town.region.name)).add(town)
            if town.report_as_of is None:
                counts: list[Cell] = [None] * len(COUNT_FIELDS)
            else:
                counts = [
                    _published(plan.publish(getattr(town, name)))
                    for plan, name in zip(plans[town.region_id], COUNT_FIELDS, strict=True)
                ]
            yield (
                town.code,
                town.name,
                town.population,
                town.population_as_of,
                town.report_as_of,
                *counts,
                completeness(town).label,
            )
        for region_id, total in totals.items():
            region_plans = plans.get(region_id)
            counts = (
                [_published(plan.published_total) for plan in region_plans]
                if region_plans
                else [None] * len(COUNT_FIELDS)
            )
            yield (None, total.label, total.population, None, None, *counts, total.status)

    return OPEN_DATA_HEADER, rows


def _caseload_reports(user, names: Sequence[str]) -> Iterator[tuple]:
    """One tuple per report in scope: code, town, as_of, fiscal year, status, then `names`."""
    return (
        CountReport.objects.visible_to(user)
        .order_by("municipality__code", "as_of", "pk")
        .values_list(
            "municipality__code",
            "municipality__name",
            "as_of",
            "fiscal_year",
            "status",
            *names,
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _caseload_labels() -> tuple[list[str], list[str], dict[str, str]]:
    """The figure fields in export order, their labels and the status labels, translated once
    per export, not once per cell: gettext per row was three quarters of the export's time at
    national size."""
    field = CountReport._meta.get_field
    names = [*COUNT_FIELDS, *SUBSET_FIELDS]
    labels = [str(field(name).verbose_name) for name in names]
    statuses = {value: str(label) for value, label in field("status").flatchoices}
    return names, labels, statuses


def caseload_table(user) -> tuple[Sequence[str], Rows]:
    """One row per reported figure (long format); the rows `caseload_text` writes as CSV."""

    def rows() -> Iterator[Sequence[Cell]]:
        # Translated here, not when the table is made: the download reads these rows only to
        # name a cell cp932 cannot hold.
        names, label_list, statuses = _caseload_labels()
        for code, town, as_of, fiscal_year, status, *values in _caseload_reports(user, names):
            status_label = statuses.get(status, status)
            for label, value in zip(label_list, values, strict=True):
                if value is None:
                    continue  # an optional subset that was not reported
                yield (code, town, as_of, fiscal_year, label, value, status_label)

    return CASELOAD_HEADER, rows


def caseload_text(user) -> Callable[[], Iterator[str]]:
    """The CSV lines of `caseload_table` (header excepted), one string per report.

    A report gives up to six lines that differ only in label and figure: the quoted,
    formula-safe prefix (code, town, date, year) is written once per report and the label and
    status parts once per export, so a line is a few concatenations instead of a trip through
    csv.writer and the per-cell formula guard (most of this export's time at national size).
    tests/exports/test_csv_output.py requires the same bytes as `stream_csv` of the rows."""
    names, label_list, statuses = _caseload_labels()
    label_parts = [csv_field(label) + "," for label in label_list]
    status_parts: dict[str, str] = {}

    def text() -> Iterator[str]:
        last_town: tuple[str, str] | None = None
        town_part = ""
        dates: dict[object, str] = {}  # a few report dates repeat across all towns
        for code, town, as_of, fiscal_year, status, *values in _caseload_reports(user, names):
            if (code, town) != last_town:  # reports come town by town
                last_town = (code, town)
                town_part = f"{csv_field(code)},{csv_field(town)},"
            date = dates.get(as_of)
            if date is None:
                if len(dates) >= 100:
                    dates.clear()  # stay bounded however many dates there are
                date = dates[as_of] = csv_field(as_of)
            year = str(fiscal_year) if type(fiscal_year) is int else csv_field(fiscal_year)
            prefix = f"{town_part}{date},{year},"
            suffix = status_parts.get(status)
            if suffix is None:
                suffix = status_parts[status] = (
                    f",{csv_field(statuses.get(status, status))}{LINE_END}"
                )
            # The report's lines are `prefix label,value suffix`: joining "label,value" parts
            # with `suffix + prefix` between them writes each shared part once per line.
            figures = [
                label + (str(value) if type(value) is int else csv_field(value))
                for label, value in zip(label_parts, values, strict=True)
                if value is not None  # an optional subset that was not reported
            ]
            if figures:
                yield prefix + (suffix + prefix).join(figures) + suffix

    return text


# --- the three-level survey summary ------------------------------------------------------------

LEVEL_PREFECTURE, LEVEL_REGION, LEVEL_TOWN = "都道府県", "圏域", "市町村"


@dataclass(slots=True)
class _Tally:
    """設置数 / 分母 of 協議の場 and of coordinator placement over some units."""

    councils: int = 0
    placed: int = 0
    units: int = 0

    def add(self, *, council: bool, placed: bool) -> None:
        self.units += 1
        self.councils += council
        self.placed += placed

    def merge(self, other: _Tally) -> None:
        self.units += other.units
        self.councils += other.councils
        self.placed += other.placed

    def cells(self) -> tuple[int, int, int, int]:
        return (self.councils, self.units, self.placed, self.units)


def survey_summary_table(user, fiscal_year: int) -> tuple[Sequence[str], Rows]:
    """The national tracking table's three levels for each prefecture in scope: the
    prefecture (1 unit), its regions, its municipalities; then each region (1 unit) and its
    municipalities. A unit "has" a council when a council of it is 設置済み (a region or the
    prefecture: any of its councils), and coordinators when an active one covers it. Headers
    and definitions: `exports.columns.SURVEY_SUMMARY_COLUMNS`. Two statements whatever the
    number of towns; what is held is a few integers per region."""

    def rows() -> Iterator[Sequence[Cell]]:
        with _one_snapshot(Municipality.objects.db):
            yield from _survey_summary_rows(user, fiscal_year)

    return SURVEY_SUMMARY_HEADER, rows


def _survey_summary_rows(user, fiscal_year: int) -> Iterator[Sequence[Cell]]:
    year = fiscal_year_label(fiscal_year)
    towns_by_region: dict[int, _Tally] = {}
    for region_id, status, covering in (
        towns_with_figures(user, fiscal_year)
        .values_list("region_id", "council_status", "coordinator_count")
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        towns_by_region.setdefault(region_id, _Tally()).add(
            council=status == CouncilStatus.ESTABLISHED, placed=bool(covering)
        )
    coordinators_at = REGION_TOTAL_COLUMNS.index("coordinators")
    status_at = REGION_TOTAL_COLUMNS.index("council_status")
    # prefecture code -> (name, its own tally, its regions' tally, its towns' tally, regions)
    prefectures: dict[str, tuple[str, _Tally, _Tally, _Tally, list]] = {}
    for row in region_totals(user, fiscal_year, extra=True):
        name, pk, pref_code, pref_name = row[0], *row[len(REGION_TOTAL_COLUMNS) :][:3]
        region = _Tally()
        region.add(
            council=row[status_at] == CouncilStatus.ESTABLISHED, placed=bool(row[coordinators_at])
        )
        towns = towns_by_region.get(pk, _Tally())
        _name, _own, regions, all_towns, members = prefectures.setdefault(
            pref_code, (pref_name, _Tally(), _Tally(), _Tally(), [])
        )
        regions.merge(region)
        all_towns.merge(towns)
        members.append((name, region, towns))
    # the prefecture's own three rows only for those who read all of it (see _prefecture_rows)
    whole_prefectures = reads_whole_prefectures(user)
    for pref_name, own, regions, all_towns, members in prefectures.values():
        own.add(council=regions.councils > 0, placed=regions.placed > 0)
        if whole_prefectures:
            yield (year, pref_name, None, LEVEL_PREFECTURE, *own.cells())
            yield (year, pref_name, None, LEVEL_REGION, *regions.cells())
            yield (year, pref_name, None, LEVEL_TOWN, *all_towns.cells())
        for name, region, towns in members:
            yield (year, pref_name, name, LEVEL_REGION, *region.cells())
            yield (year, pref_name, name, LEVEL_TOWN, *towns.cells())
