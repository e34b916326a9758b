"""The read side of the dashboard: gathers each town's facts across the apps through their
query methods and hands them to the coverage rule.

`build_dashboard` runs a fixed number of queries whatever the number of towns, regions,
coordinators or meetings (pinned by tests at 4 and at 60 towns): one per kind of fact, never
one per row.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from operator import itemgetter

from django.db.models import QuerySet
from django.utils import timezone

from caseload.models import COUNT_FIELDS, CountReport, ReportCompleteness, completeness_from_rows
from coordinators.models import Coordinator, TownCoordinatorCoverage, TrainingYearRow
from dashboard.activity import ActivitySection, activity_section
from dashboard.coverage import (
    Counts,
    FixIn,
    Gap,
    MeetingSchedule,
    ResourceFacts,
    Severity,
    ThisYearReport,
    TownCoverage,
    TownFacts,
    YearTotals,
    meeting_schedule,
    resource_gaps,
    town_coverage,
    year_totals,
)
from dashboard.templatetags.dashboard_tags import thousands
from hokenfukushi.fiscal import fiscal_quarter_of, fiscal_year_label
from hokenfukushi.models import Council, LocalResource, Municipality, Region, User, best_council
from meetings.models import ActionItem, Attendance, Meeting, MeetingStatus

_THIS_YEAR_REPORT = {
    ReportCompleteness.APPROVED: ThisYearReport.APPROVED,
    ReportCompleteness.UNAPPROVED: ThisYearReport.UNAPPROVED,
    ReportCompleteness.MISSING: ThisYearReport.MISSING,
}

# Enough meetings for the participants chart to show the trend without growing without bound
# when a prefecture with dozens of regions is selected.
PARTICIPANT_CHART_MEETINGS = 12


@dataclass(frozen=True)
class TownRow:
    town: Municipality  # annotated with population
    counts: Counts | None
    counts_fiscal_year: int | None
    this_year_report: ThisYearReport
    coordinators: TownCoordinatorCoverage
    council_status: str | None
    council_form: str | None
    coverage: TownCoverage
    is_own_town: bool

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return self.coverage.gaps

    @cached_property
    def cells(self) -> dict:
        """What the town table prints of the row, as plain values in a dict:
        the template finds a dict's key at its first try, where every attribute of a model or a
        dataclass first cost it a failed item lookup (a millisecond of the 63-town page).

        The texts a filter used to make in each row are made here once per row, exactly as the
        filter made them (`population_text` is `|thousands`, `counts_year` is `|nendo`, a rate
        of None is the "—" of `|default_if_none:"—"`): a filter in a template costs several
        lookups and checks per call, 60 towns × 7 of them per page."""
        town, counts, coverage = self.town, self.counts, self.coverage
        rates = coverage.rates
        population = town.population
        cells = {
            "town": town,
            "region": town.region,
            "code": town.code,
            "name": town.name,
            "sort_name": town.kana or town.name,
            "region_name": town.region.name,
            "population_sort": -1 if population is None else population,
            "population_text": thousands(population),
            "is_own_town": self.is_own_town,
            "counts": counts,
            "this_year_report": self.this_year_report,
            "figures_are_current": coverage.figures_are_current,
            "coordinators": self.coordinators.total,
            "experienced_coordinators": self.coordinators.experienced,
            "council_status": self.council_status,
            "gaps": gap_items(coverage.gaps),
            "gaps_sort_value": coverage.sort_value,
        }
        if counts is not None:
            cells.update(
                counts_year=fiscal_year_label(self.counts_fiscal_year),
                smid_children=counts.smid_children,
                medical_care_children=counts.medical_care_children,
                smid_adults=counts.smid_adults,
                medical_care_adults=counts.medical_care_adults,
                smid_children_rate=_rate_text(rates.smid_children),
                medical_care_children_rate=_rate_text(rates.medical_care_children),
                smid_adults_rate=_rate_text(rates.smid_adults),
                medical_care_adults_rate=_rate_text(rates.medical_care_adults),
            )
        return cells


def _rate_text(rate: Decimal | None) -> Decimal | str:
    """A rate as the table prints it: "—" where it cannot be computed."""
    return "—" if rate is None else rate


# (code, message, severity's css class, severity's label, where it is fixed) of a gap.
GapItem = tuple[str, str, str, str, FixIn]


def gap_items(gaps: Iterable[Gap]) -> tuple[GapItem, ...]:
    """What a gap list (`_gaps.html`) prints of each gap, as a tuple its loop unpacks into plain
    names: `gap.severity.css` cost the template a failed item lookup on the gap and another on
    the severity before each attribute, for every gap of every town."""
    return tuple(
        (gap.code, gap.message, gap.severity.css, gap.severity.label, gap.fix_in) for gap in gaps
    )


def bar_width(value: int, most: int) -> int:
    """A bar's width in percent of the longest (`most`), rounded as `{% widthratio value most
    100 %}` rounds it; 0 when there is nothing to draw."""
    return round(value / most * 100) if most else 0


@dataclass(frozen=True)
class MeetingParticipants:
    meeting: Meeting
    day: dt.date
    coordinators: int
    others: int

    @property
    def total(self) -> int:
        return self.coordinators + self.others


@dataclass(frozen=True)
class RegionPanel:
    region: Region
    totals: Counts
    resource_gaps: tuple[Gap, ...]
    schedule: MeetingSchedule

    @cached_property
    def resource_gap_items(self) -> tuple[GapItem, ...]:
        return gap_items(self.resource_gaps)


@dataclass(frozen=True)
class Dashboard:
    fiscal_year: int
    today: dt.date
    regions: list[Region]  # the regions shown
    selectable_regions: list[Region]  # the regions the user may pick from
    rows: list[TownRow]
    panels: list[RegionPanel]
    totals: Counts  # figures of `fiscal_year` only (see `year_totals`)
    total_rates: tuple  # per 10,000 of the reported towns' population
    year_totals: YearTotals
    population: int  # every town shown
    coordinators: int
    experienced_coordinators: int
    open_actions: int
    training_years: list[TrainingYearRow]
    participants: list[MeetingParticipants]
    activity: ActivitySection | None = None  # the 活動記録 section (dashboard/activity.py)

    def rows_with(self, gap_filter: str) -> list[TownRow]:
        """The town rows the table shows for a filter: "" every town, "any" towns with a gap,
        "high" towns with a gap of high severity. Totals always cover every row."""
        if gap_filter == "any":
            return [row for row in self.rows if row.gaps]
        if gap_filter == "high":
            return [row for row in self.rows if row.coverage.worst == Severity.HIGH]
        return self.rows

    @property
    def meetings_held(self) -> int:
        return sum(panel.schedule.held_this_year for panel in self.panels)

    @property
    def meetings_target(self) -> int:
        return sum(panel.schedule.target for panel in self.panels)

    @property
    def most_urgent_schedule(self) -> MeetingSchedule | None:
        due = [p.schedule for p in self.panels if p.schedule.days_until_due is not None]
        return min(due, key=lambda s: s.days_until_due, default=None)

    # The bar charts read these once per bar: computed once, not once per bar (at 1,741 towns
    # recomputing the maximum for each of 3 × 1,741 bars took seconds).
    @cached_property
    def max_town_total(self) -> int:
        return max((row.counts.total for row in self.rows if row.counts), default=0)

    @cached_property
    def town_bars(self) -> list[tuple[str, int, int, int]]:
        """(name, children's width, adults' width, total) of each town with figures: the widths
        in percent of the largest total, rounded as `{% widthratio %}` rounds them, worked out
        here once instead of by three template tags per town."""
        most = self.max_town_total
        return [
            (
                row.town.name,
                bar_width(counts.children, most),
                bar_width(counts.adults, most),
                counts.total,
            )
            for row in self.rows
            if (counts := row.counts)
        ]

    @cached_property
    def town_table(self) -> list[tuple[str, int | None, int | None, int | None]]:
        """(name, children, adults, total) of every town for the chart's table, None for a town
        without figures: plain names for its loop to unpack, where each row's cells cost the
        template a `{% with %}` and a lookup per value."""
        return [
            (row.town.name, counts.children, counts.adults, counts.total)
            if (counts := row.counts)
            else (row.town.name, None, None, None)
            for row in self.rows
        ]

    @cached_property
    def max_training_year(self) -> int:
        return max((row.count for row in self.training_years), default=0)

    @cached_property
    def training_bars(self) -> list[tuple[int, int, int]]:
        """(fiscal year, count, bar width) of each row of the training-year chart and its table,
        the width worked out here once as `{% widthratio %}` rounds it."""
        most = self.max_training_year
        return [
            (row.fiscal_year, row.count, bar_width(row.count, most)) for row in self.training_years
        ]

    @cached_property
    def max_participants(self) -> int:
        return max((m.total for m in self.participants), default=0)

    @cached_property
    def participant_bars(self) -> list[tuple[str, str, dt.date, int, int, int, int, int]]:
        """(region name, meeting, day, coordinators, others, total, coordinators' bar width,
        others' bar width) of each meeting of the participants chart and its table: plain names
        for their loops to unpack (`m.meeting.region.name` cost three failed item lookups per
        meeting), the widths worked out here once instead of by three template tags."""
        most = self.max_participants
        return [
            (
                m.meeting.region.name,
                str(m.meeting),
                m.day,
                m.coordinators,
                m.others,
                m.total,
                bar_width(m.coordinators, most),
                bar_width(m.others, most),
            )
            for m in self.participants
        ]


def own_town_id(user: User) -> int | None:
    """The town a municipal user's page highlights as theirs."""
    return user.municipality_id if user.role == User.Role.MUNICIPAL else None


@dataclass(frozen=True)
class _Selection:
    """What every statement of the page is built from: the user's read scope (each statement
    starts from `visible_to(user)`) and the region picked (None: every region they may read)."""

    user: User
    picked: Region | None


def build_dashboard(
    user: User,
    *,
    fiscal_year: int,
    today: dt.date,
    region: Region | None = None,
) -> Dashboard:
    """Everything the dashboard shows for `user` in `fiscal_year`: the towns of `region` (or of
    every region they may read), their facts and gaps, and the regions' summaries."""
    selection = _Selection(user, region)
    selectable_regions = list(Region.objects.visible_to(user))
    regions = [region] if region is not None else selectable_regions
    regions_by_id = {r.pk: r for r in regions}

    towns = _towns(selection, regions)
    reports = CountReport.objects.visible_to
    completeness = completeness_from_rows(
        (town.pk for town in towns),
        list(
            _in_picked(reports(user), "municipality__region", region).completeness_rows(fiscal_year)
        ),
    )
    # The figures as plain values: the page reads four counts and a year of each report, and
    # model instances of all twenty columns cost more than the query.
    latest = {
        town_id: (report_year, Counts(*figures))
        for town_id, report_year, *figures in _in_picked(
            reports(user).latest_approved_up_to(fiscal_year), "municipality__region", region
        )
        .order_by()
        .values_list("municipality_id", "fiscal_year", *COUNT_FIELDS)
    }

    # The same coordinators as the 活動記録 section counts for "no entry this quarter" (its
    # `placed`): read with them instead of in a statement of its own.
    coordinator_summary = _in_picked(
        Coordinator.objects.visible_to(user), "organization__region", region
    ).summary(towns, idle_in=fiscal_quarter_of(today))
    coverage_by_town = coordinator_summary.coverage
    councils_by_town: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for town_id, status, form in _in_picked(
        Council.municipalities.through.objects.filter(council__in=Council.objects.visible_to(user)),
        "municipality__region",
        region,
    ).values_list("municipality_id", "council__status", "council__form"):
        councils_by_town[town_id].append((status, form))

    own_town = own_town_id(user)
    rows = []
    for town in towns:
        counts_fiscal_year, counts = latest.get(town.pk, (None, None))
        council_status, council_form = best_council(councils_by_town[town.pk])
        cover = coverage_by_town[town.pk]
        facts = TownFacts(
            population=town.population,
            counts=counts,
            counts_fiscal_year=counts_fiscal_year,
            this_year_report=_THIS_YEAR_REPORT[completeness[town.pk]],
            coordinators=cover.total,
            experienced_coordinators=cover.experienced,
            council_status=council_status,
            council_form=council_form,
        )
        rows.append(
            TownRow(
                town=town,
                counts=counts,
                counts_fiscal_year=facts.counts_fiscal_year,
                this_year_report=facts.this_year_report,
                coordinators=cover,
                council_status=council_status,
                council_form=council_form,
                coverage=town_coverage(facts, fiscal_year=fiscal_year),
                is_own_town=town.pk == own_town,
            )
        )

    meetings = _meeting_rows(selection)
    panels = _region_panels(
        selection,
        regions,
        rows,
        meetings=meetings,
        fiscal_year=fiscal_year,
        today=today,
    )
    # One year at a time: a town whose latest figures are of an earlier year shows them,
    # marked, in its row; they are never added to the totals of the year shown.
    shown_year = year_totals(
        ((row.counts_fiscal_year, row.counts, row.town.population) for row in rows),
        fiscal_year=fiscal_year,
    )
    population = sum(town.population or 0 for town in towns)
    return Dashboard(
        fiscal_year=fiscal_year,
        today=today,
        regions=regions,
        selectable_regions=selectable_regions,
        rows=rows,
        panels=panels,
        totals=shown_year.counts,
        total_rates=shown_year.rates,
        year_totals=shown_year,
        population=population,
        coordinators=coordinator_summary.total,
        experienced_coordinators=coordinator_summary.experienced,
        open_actions=(
            _in_picked(ActionItem.objects.visible_to(user).open(), "raised_at__region", region)
        ).count(),
        training_years=coordinator_summary.training_years,
        participants=_participants(user, meetings, regions_by_id),
        activity=activity_section(
            user,
            fiscal_year=fiscal_year,
            today=today,
            region=region,
            without_activity=coordinator_summary.without_activity,
        ),
    )


def _in_picked(queryset: QuerySet, region_path: str, picked: Region | None) -> QuerySet:
    """`queryset` (already limited to what the user may read) narrowed to the region picked.

    With no region picked the dashboard shows every region the user may read, which is exactly
    what `visible_to(user)` already limits every statement to (a region admin's own region, or
    all): repeating it as `region IN (…)` changed no row and cost 0.1–0.2 ms of ORM work per
    statement, a tenth of a small region's page."""
    if picked is None:
        return queryset
    return queryset.filter(**{region_path: picked})


def _towns(selection: _Selection, regions: Sequence[Region]) -> list[Municipality]:
    """The towns of `regions` (the picked region or every region the user may read) with their
    latest population, in the order of `regions` (as read from the database) and by code within
    a region.

    Each town's `region` is set from `regions` rather than joined: the page reads it for every
    town, and a join with a Region instance per town cost more than sorting here. Codes are
    six ASCII digits, so Python orders them as the database does."""
    by_id = {r.pk: r for r in regions}
    position = {r.pk: index for index, r in enumerate(regions)}
    user, picked = selection.user, selection.picked
    towns = list(
        _in_picked(Municipality.objects.visible_to(user), "region", picked)
        .with_latest_population(with_as_of=False)
        .order_by("code")
    )
    for town in towns:
        town.region = by_id[town.region_id]
    towns.sort(key=lambda town: position[town.region_id])  # stable: by code within a region
    return towns


# (id, region id, number, status, start) of a held or planned meeting, as the database gives it:
# plain tuples, since a national selection has over 13,000 meetings.
_MeetingRow = tuple[int, int, int, str, dt.datetime]
_MEETING_COLUMNS = ("id", "region_id", "number", "status", "starts_at")


def _meeting_rows(selection: _Selection) -> list[_MeetingRow]:
    """Every held or planned meeting: the schedules need region, status and start, and the
    participants chart picks its meetings from these too. (As model instances with attendance
    counts they once took a third of the dashboard's time at national size.)

    Unordered: every reader groups them by region and orders what it needs itself, so the
    meetings' default order (by region name, a join) is not asked for."""
    user, picked = selection.user, selection.picked
    return list(
        _in_picked(Meeting.objects.visible_to(user), "region", picked)
        .filter(status__in=(MeetingStatus.HELD, MeetingStatus.PLANNED))
        .order_by()
        .values_list(*_MEETING_COLUMNS)
    )


def _participants(
    user: User, meetings: Sequence[_MeetingRow], regions: dict[int, Region]
) -> list[MeetingParticipants]:
    """The last PARTICIPANT_CHART_MEETINGS held meetings, oldest first, with their attendance.

    The meetings are picked from the rows already read (latest start first, then highest id,
    as `order_by("-starts_at", "-pk")` would) and only their attendances are read: a plain
    statement instead of one grouping every held meeting with two filtered counts, which cost
    more to build in Python than to run for a region, and ~50 ms to run at national size."""
    held = [row for row in meetings if row[3] == MeetingStatus.HELD]
    latest = heapq.nlargest(PARTICIPANT_CHART_MEETINGS, held, key=itemgetter(4, 0))
    coordinators: Counter[int] = Counter()
    others: Counter[int] = Counter()
    for meeting_id, coordinator_id in (
        Attendance.objects.visible_to(user)
        .filter(meeting_id__in=[row[0] for row in latest])
        .values_list("meeting_id", "coordinator_id")
    ):
        (others if coordinator_id is None else coordinators)[meeting_id] += 1
    participants = []
    for row in reversed(latest):
        meeting = Meeting.from_values(dict(zip(_MEETING_COLUMNS, row, strict=True)))
        meeting.region = regions[meeting.region_id]
        participants.append(
            MeetingParticipants(
                meeting=meeting,
                day=timezone.localtime(meeting.starts_at).date(),
                coordinators=coordinators[meeting.pk],
                others=others[meeting.pk],
            )
        )
    return participants


def _region_panels(
    selection: _Selection,
    regions: Sequence[Region],
    rows: Sequence[TownRow],
    *,
    meetings: Sequence[_MeetingRow],
    fiscal_year: int,
    today: dt.date,
) -> list[RegionPanel]:
    user, picked = selection.user, selection.picked
    resources: dict[int, list[ResourceFacts]] = defaultdict(list)
    # Unordered: only whether a region has a kind of resource counts.
    for region_id, kind, children, adults, medical in list(
        _in_picked(LocalResource.objects.visible_to(user), "municipality__region", picked)
        .order_by()
        .values_list(
            "municipality__region_id",
            "kind",
            "serves_children",
            "serves_adults",
            "accepts_medical_care",
        )
    ):
        resources[region_id].append(ResourceFacts(kind, children, adults, medical))
    held: dict[int, list[dt.date]] = defaultdict(list)
    planned: dict[int, list[dt.date]] = defaultdict(list)
    planned_numbers: dict[int, dict[dt.date, int]] = defaultdict(dict)
    # The zone is looked up once: timezone.localtime() asks for it on every call, and at
    # national size that was 13,400 lookups (~30 ms); astimezone is what localtime then does.
    zone = timezone.get_current_timezone()
    for _id, region_id, number, status, starts_at in meetings:
        day = starts_at.astimezone(zone).date()
        if status == MeetingStatus.HELD:
            held[region_id].append(day)
        elif status == MeetingStatus.PLANNED:
            planned[region_id].append(day)
            # two planned on one day: the first of them (the rows come in no order)
            numbers = planned_numbers[region_id]
            numbers[day] = min(number, numbers.get(day, number))
    rows_by_region: dict[int, list[TownRow]] = defaultdict(list)
    for row in rows:
        rows_by_region[row.town.region_id].append(row)
    panels = []
    for region in regions:
        region_rows = rows_by_region[region.pk]
        region_year = year_totals(
            ((row.counts_fiscal_year, row.counts, row.town.population) for row in region_rows),
            fiscal_year=fiscal_year,
        )
        totals = region_year.counts
        # A region where some town has no figures of the year may still have children or
        # adults there: its needs are judged only on a complete year.
        counts_for_needs = totals if region_rows and region_year.is_complete else None
        panels.append(
            RegionPanel(
                region=region,
                totals=totals,
                resource_gaps=resource_gaps(resources[region.pk], counts=counts_for_needs),
                schedule=meeting_schedule(
                    held_dates=held[region.pk],
                    planned_dates=planned[region.pk],
                    fiscal_year=fiscal_year,
                    today=today,
                    planned_numbers=planned_numbers[region.pk],
                ),
            )
        )
    return panels
