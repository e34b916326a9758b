"""The rows of each export, read in one streaming query per pass whatever the number of towns.

Each function returns a header and a callable that yields rows afresh, so a view can check a
whole export for cp932 first and then stream it, without ever holding the rows in memory.
The region totals of the prefecture and open-data tables are summed in Python while the town
rows stream; what belongs to a region itself (coordinators covering any of its towns, its
council) is read a region at a time alongside (`regions_in_scope`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from caseload.models import COUNT_FIELDS, SUBSET_FIELDS, CountReport, ReportCompleteness
from coordinators.models import Coordinator, TrainingCourse
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
    MunicipalityQuerySet,
    PopulationSnapshot,
    Region,
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
COUNT_AND_SUBSET = (*COUNT_FIELDS, *SUBSET_FIELDS)


class _SubqueryCount(Subquery):
    """COUNT(*) of a subquery's rows: one correlated count per town, no GROUP BY needed."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, **extra) -> None:
        # the rows' order is nothing to their count (a coordinator's default order sorted them)
        super().__init__(queryset.order_by(), **extra)


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


def _first_of(relation: str, ordered: QuerySet) -> FilteredRelation:
    """The one row of `relation` that `ordered` (correlated to the outer row) puts first,
    joined: its fields are columns of the outer row, not a subquery each. (Through a
    many-to-many the outer row comes once per membership: see `prefecture_towns`.)"""
    return FilteredRelation(
        relation, condition=Q(**{f"{relation}__pk": Subquery(ordered.values("pk")[:1])})
    )


def _with_latest_figures(towns: QuerySet[Municipality], fiscal_year: int) -> QuerySet:
    """`towns` with the population up to the end of the fiscal year (`population`,
    `population_as_of`) and that year's latest approved report (`report_as_of` and the
    counts; empty when none), each read from one joined row."""
    _, year_end = fiscal_year_bounds(fiscal_year)
    return towns.alias(
        snapshot=_first_of("population_snapshots", _population(year_end)),
        report=_first_of("count_reports", _approved_report(fiscal_year)),
    ).annotate(
        population=F("snapshot__population"),
        population_as_of=F("snapshot__as_of"),
        report_as_of=F("report__as_of"),
        **{name: F(f"report__{name}") for name in COUNT_FIELDS},
    )


def _any_report(fiscal_year: int) -> Exists:
    return Exists(
        CountReport.objects.for_fiscal_year(fiscal_year).filter(municipality=OuterRef("pk"))
    )


def towns_with_figures(user, fiscal_year: int) -> QuerySet[Municipality]:
    """The towns in `user`'s read scope, in code order, each annotated with its population up
    to the end of the fiscal year, its latest approved report of that year (empty when none),
    and whether it has any report that year."""
    return (
        _with_latest_figures(Municipality.objects.visible_to(user), fiscal_year)
        .select_related("region")
        .annotate(has_any_report=_any_report(fiscal_year))
        .order_by("code")
    )


def _named_not_whole_region(*, region: str, **towns) -> QuerySet:
    """Active coordinators named for the towns `towns` selects, except the whole-region
    coordinators of the region the outer row's `region` field names (they are counted once,
    as the whole region's)."""
    return Coordinator.municipalities.through.objects.filter(
        coordinator__is_active=True, **towns
    ).exclude(
        coordinator__covers_whole_region=True,
        coordinator__organization__region=OuterRef(region),
    )


# Built querysets of `_built_once`, by builder, read scope and fiscal year.
_BUILT: dict[tuple, QuerySet] = {}
# Two per read scope (the whole prefecture, or one region) and year, whatever the number of
# towns; when full, emptied and built again as asked.
_BUILT_LIMIT = 64


def _built_once(
    build: Callable[[QuerySet[Municipality], int], QuerySet], user, fiscal_year: int
) -> QuerySet:
    """`build(towns, fiscal_year)`, `towns` being `Municipality.objects.visible_to(user)`, built
    once per (builder, read scope, fiscal year) in this process, and a copy of it (`.all()`)
    each time, as Django reuses a class-based view's `queryset`: building the prefecture
    export's two statements (a dozen correlated subqueries and joins) took ~9 of the ~22 ms of
    CPU a 63-town download took, the same each time. Users whose read scope is the same
    condition (`read_condition`, what `visible_to` filters on) get the same statement; the
    builder sees the user only through `towns`, so nothing else of theirs can go unkeyed."""
    key = (build, MunicipalityQuerySet.read_condition(user), fiscal_year)
    built = _BUILT.get(key)
    if built is None:
        if len(_BUILT) >= _BUILT_LIMIT:
            _BUILT.clear()
        built = _BUILT[key] = build(Municipality.objects.visible_to(user), fiscal_year)
    return built.all()


def _first_code(towns: QuerySet[Municipality]) -> Subquery:
    """The code of the first of `towns` (correlated to a region): regions come in this order."""
    return Subquery(towns.order_by("code").values("code")[:1])


def regions_in_scope(user, fiscal_year: int) -> QuerySet[Region]:
    """One row per region with a town in `user`'s read scope, in the order of its first town
    by code (the order of `prefecture_towns`), of what belongs to the region itself rather than
    to its towns (their figures are summed while the town rows stream): `whole_region` (active
    coordinators covering the whole region), `named_elsewhere` (the other active coordinators
    named for any of its towns, each once: with `whole_region`, the coordinators covering any
    town of the region), `trained` (training completers of its organizations by the end of the
    year) and its preferred council's status, form and date. Built once per read scope and
    year (`_built_once`)."""
    return _built_once(_regions_in_scope, user, fiscal_year)


def _regions_in_scope(visible: QuerySet[Municipality], fiscal_year: int) -> QuerySet[Region]:
    towns = visible.filter(region=OuterRef("pk"))
    whole_region = Coordinator.objects.active().filter(
        covers_whole_region=True, organization__region=OuterRef("pk")
    )
    council = Council.objects.filter(region=OuterRef("pk")).preferred_first()
    return (
        Region.objects.filter(Exists(towns))
        .alias(council=_first_of("councils", council))
        .annotate(
            whole_region=_SubqueryCount(whole_region.values("pk")),
            named_elsewhere=_SubqueryCount(
                _named_not_whole_region(region="pk", municipality__region=OuterRef("pk"))
                .values("coordinator")
                .distinct()
            ),
            trained=_SubqueryCount(
                _trained(fiscal_year).filter(organization__region=OuterRef("pk")).values("pk")
            ),
            council_status=F("council__status"),
            council_form=F("council__form"),
            council_date=F("council__status_date"),
        )
        .order_by(_first_code(towns))
        .values_list(
            "pk",
            "name",
            "prefecture_code",
            "prefecture_name",
            "whole_region",
            "named_elsewhere",
            "trained",
            "council_status",
            "council_form",
            "council_date",
            named=True,
        )
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


def prefecture_towns(user, fiscal_year: int) -> QuerySet[Municipality]:
    """The towns in `user`'s read scope with their latest figures (`_with_latest_figures`) and
    what the survey's shape adds: the report's overlap counts, `named` (active coordinators
    named for the town only), `named_elsewhere` (see `_named_not_whole_region`: with the
    region's `whole_region`, the coordinators covering the town), training completers of its
    organizations, its preferred council and whether it has any report that year. Grouped by
    region in the order of each region's first town, by code within a region; as named
    tuples. Built once per read scope and year (`_built_once`)."""
    return _built_once(_prefecture_towns, user, fiscal_year)


def _prefecture_towns(visible: QuerySet[Municipality], fiscal_year: int) -> QuerySet:
    named = Coordinator.municipalities.through.objects.filter(
        municipality=OuterRef("pk"),
        coordinator__is_active=True,
        coordinator__covers_whole_region=False,
    )
    council = Council.objects.filter(municipalities=OuterRef("pk")).preferred_first()
    memberships = Council.municipalities.through.objects.filter(municipality=OuterRef("pk"))
    region_towns = visible.filter(region=OuterRef("region"))
    return (
        _with_latest_figures(visible, fiscal_year)
        # The preferred council joined through the many-to-many: one row per membership, its
        # council filled in on the preferred one's only, so that row is kept (or the one row
        # of a town in no council).
        .alias(council=_first_of("councils", council))
        .filter(Q(council__isnull=False) | ~Exists(memberships))
        .annotate(
            **{name: F(f"report__{name}") for name in SUBSET_FIELDS},
            named=_SubqueryCount(named.values("pk")),
            named_elsewhere=_SubqueryCount(
                _named_not_whole_region(region="region", municipality=OuterRef("pk")).values("pk")
            ),
            trained=_SubqueryCount(
                _trained(fiscal_year).filter(organization__municipality=OuterRef("pk")).values("pk")
            ),
            council_status=F("council__status"),
            council_form=F("council__form"),
            council_date=F("council__status_date"),
            has_any_report=_any_report(fiscal_year),
        )
        .order_by(_first_code(region_towns), "code")
        .values_list(
            "region_id",
            "code",
            "name",
            "population",
            "population_as_of",
            "report_as_of",
            *COUNT_AND_SUBSET,
            "named",
            "named_elsewhere",
            "trained",
            "council_status",
            "council_form",
            "council_date",
            "has_any_report",
            named=True,
        )
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


@dataclass(slots=True)  # one for the region and one for the prefecture being streamed
class _RunningTotal:
    """A region's or a prefecture's figures, summed while its town rows stream: population
    and the counts (0 when nothing is approved), the overlap counts (empty when no town
    entered one), and the region-level coordinators and training completers."""

    towns: int = 0
    approved: int = 0
    population: int = 0
    figures: list[int | None] = field(
        default_factory=lambda: [0] * len(COUNT_FIELDS) + [None] * len(SUBSET_FIELDS)
    )
    coordinators: int = 0
    trained: int = 0

    def add_town(self, population: int | None, approved: bool, figures: Sequence) -> None:
        self.towns += 1
        self.approved += approved
        self.population += population or 0
        self.figures = [
            total if value is None else (value if total is None else total + value)
            for total, value in zip(self.figures, figures, strict=True)
        ]

    def status(self, approved_label: str) -> str:
        return f"{approved_label} {self.approved}/{self.towns}"


def _prefecture_rows(user, fiscal_year: int) -> Iterator[Sequence[Cell]]:
    year = fiscal_year_label(fiscal_year)
    # a 県計 only for those who read the whole prefecture: a region's sum is its 圏域計
    whole_prefectures = reads_whole_prefectures(user)
    labels = {status: str(status.label) for status in ReportCompleteness}
    approved_label = labels[ReportCompleteness.APPROVED]
    # The region-level facts come from a second statement in the same order as the towns
    # (each region by its first town's code): read alongside the towns, a region at a time,
    # so nothing is held per region.
    regions = regions_in_scope(user, fiscal_year).iterator(chunk_size=REGION_CHUNK_SIZE)
    note = [None] * len(PREFECTURE_HEADER)
    note[0], note[PREFECTURE_HEADER.index("市町村名")] = year, columns.COUNTED_ONCE_NOTE

    def region_row(region, total: _RunningTotal) -> Sequence[Cell]:
        return (
            year, region.prefecture_name, region.name, None, f"{region.name} 圏域計",
            total.population, None, None, *total.figures, total.coordinators, total.trained,
            None, survey_council_label(region.council_status, region.council_form),
            wareki_month(region.council_date),
            total.status(approved_label),
        )  # fmt: skip

    def prefecture_row(name: str, total: _RunningTotal) -> Sequence[Cell]:
        return (
            year, name, None, None, f"{name} 県計", total.population, None, None,
            *total.figures, total.coordinators, total.trained, None, None, None,
            total.status(approved_label),
        )  # fmt: skip

    region = region_total = prefecture_total = None

    def close_region() -> Iterator[Sequence[Cell]]:
        region_total.coordinators = region.whole_region + region.named_elsewhere
        region_total.trained = region.trained
        prefecture_total.coordinators += region_total.coordinators
        prefecture_total.trained += region.trained
        yield region_row(region, region_total)

    for town in prefecture_towns(user, fiscal_year).iterator(chunk_size=TOWN_CHUNK_SIZE):
        if region is None or town.region_id != region.pk:
            if region is not None:
                yield from close_region()
            following = next(regions)
            if following.pk != town.region_id:  # the two statements' orders differ
                raise RuntimeError(f"region facts out of order at {following.name}")
            if region is None or following.prefecture_code != region.prefecture_code:
                if region is not None and whole_prefectures:
                    yield prefecture_row(region.prefecture_name, prefecture_total)
                prefecture_total = _RunningTotal()
            region, region_total = following, _RunningTotal()
        figures = town[6 : 6 + len(COUNT_AND_SUBSET)]
        approved = town.report_as_of is not None
        region_total.add_town(town.population, approved, figures)
        prefecture_total.add_town(town.population, approved, figures)
        covering = town.named_elsewhere + region.whole_region
        status_label = labels[_report_status(town.report_as_of, town.has_any_report)]
        yield (
            year, region.prefecture_name, region.name, town.code, town.name, town.population,
            town.population_as_of, town.report_as_of, *figures, covering, town.trained,
            placement_form(town.named, covering),
            survey_council_label(town.council_status, town.council_form),
            wareki_month(town.council_date), status_label,
        )  # fmt: skip
    if region is not None:
        yield from close_region()
        if whole_prefectures:
            yield prefecture_row(region.prefecture_name, prefecture_total)
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
    council = Council.objects.filter(municipalities=OuterRef("pk")).preferred_first()
    for region_id, status, covering in (
        Municipality.objects.visible_to(user)
        .annotate(
            council_status=Subquery(council.values("status")[:1]),
            named_elsewhere=_SubqueryCount(
                _named_not_whole_region(region="region", municipality=OuterRef("pk")).values("pk")
            ),
        )
        .values_list("region_id", "council_status", "named_elsewhere")
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        towns_by_region.setdefault(region_id, _Tally()).add(
            council=status == CouncilStatus.ESTABLISHED, placed=bool(covering)
        )
    # prefecture code -> (name, its own tally, its regions' tally, its towns' tally, regions)
    prefectures: dict[str, tuple[str, _Tally, _Tally, _Tally, list]] = {}
    for row in regions_in_scope(user, fiscal_year):
        region = _Tally()
        region.add(
            council=row.council_status == CouncilStatus.ESTABLISHED,
            placed=bool(row.whole_region + row.named_elsewhere),
        )
        towns = towns_by_region.get(row.pk, _Tally())
        if row.whole_region:  # every town of the region is covered
            towns.placed = towns.units
        _name, _own, regions, all_towns, members = prefectures.setdefault(
            row.prefecture_code, (row.prefecture_name, _Tally(), _Tally(), _Tally(), [])
        )
        regions.merge(region)
        all_towns.merge(towns)
        members.append((row.name, region, towns))
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
