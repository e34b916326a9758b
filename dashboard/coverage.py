"""The coverage rule: where a town's (and a region's) support for medical-care children and
adults falls short, named in plain Japanese with a severity.

Pure functions over plain values: no queries here. `dashboard.build` gathers the facts
(counts, population, coordinators, councils, resources, meetings) and hands them in.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from hokenfukushi.fiscal import fiscal_year_label
from hokenfukushi.models import CouncilForm, CouncilStatus, ResourceKind, rate_per_10000

# The quarterly coordinators' meeting: four a fiscal year, roughly three months apart.
MEETINGS_PER_YEAR_TARGET = 4
MEETING_INTERVAL_DAYS = 91


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    # Looked up, not built: the page reads both for every gap of every town.
    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]

    @property
    def css(self) -> str:
        return _SEVERITY_CSS[self]


_SEVERITY_LABELS = {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低"}
_SEVERITY_CSS = {severity: severity.name.lower() for severity in Severity}


class FixIn(enum.StrEnum):
    """Which part of the data a gap asks someone to fix (the dashboard links there)."""

    COUNTS = "counts"
    COORDINATORS = "coordinators"
    COUNCILS = "councils"
    RESOURCES = "resources"


class ThisYearReport(enum.StrEnum):
    """The town's count report for the fiscal year being looked at."""

    APPROVED = "approved"
    UNAPPROVED = "unapproved"  # draft or submitted, not yet approved
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Gap:
    code: str
    message: str
    severity: Severity
    fix_in: FixIn


@dataclass(frozen=True, slots=True)
class Counts:
    """The four headline counts of people living at home."""

    smid_children: int = 0
    medical_care_children: int = 0
    smid_adults: int = 0
    medical_care_adults: int = 0

    @property
    def children(self) -> int:
        return self.smid_children + self.medical_care_children

    @property
    def adults(self) -> int:
        return self.smid_adults + self.medical_care_adults

    @property
    def total(self) -> int:
        return self.children + self.adults

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (
            self.smid_children,
            self.medical_care_children,
            self.smid_adults,
            self.medical_care_adults,
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))


class Rates(NamedTuple):
    """The four counts per 10,000 people (None where the count or the population is unknown),
    named as in `Counts`: the page reads `rates.smid_children`, one attribute lookup, where
    `rates.0` cost the template a failed attribute lookup before the index."""

    smid_children: Decimal | None
    medical_care_children: Decimal | None
    smid_adults: Decimal | None
    medical_care_adults: Decimal | None

    @classmethod
    def of(cls, counts: Counts | None, population: int | None) -> Rates:
        if counts is None:
            return cls(None, None, None, None)
        return cls(*(rate_per_10000(value, population) for value in counts.as_tuple()))


def sum_counts(counts: Iterable[Counts | None]) -> Counts:
    total = Counts()
    for item in counts:
        if item is not None:
            total = total + item
    return total


@dataclass(frozen=True, slots=True)
class YearTotals:
    """The totals of one fiscal year: only figures OF that year are added (a town whose latest
    figures are older adds nothing, and is counted in `towns` but not in `reported`)."""

    fiscal_year: int
    counts: Counts
    reported: int  # towns whose figures are of `fiscal_year`
    towns: int  # every town the totals are about
    population: int  # population of the reported towns (the rates' denominator)

    @property
    def is_complete(self) -> bool:
        return self.reported == self.towns

    @property
    def rates(self) -> Rates:
        return Rates.of(self.counts, self.population)


def year_totals(
    figures: Iterable[tuple[int | None, Counts | None, int | None]], *, fiscal_year: int
) -> YearTotals:
    """Totals for `fiscal_year` over (figures' fiscal year, counts, population) of each town:
    the one rule that no total adds figures of different fiscal years."""
    total, reported, towns, population = Counts(), 0, 0, 0
    for year, counts, town_population in figures:
        towns += 1
        if counts is not None and year == fiscal_year:
            total = total + counts
            reported += 1
            population += town_population or 0
    return YearTotals(fiscal_year, total, reported, towns, population)


@dataclass(frozen=True, slots=True)
class TownFacts:
    """What the dashboard knows about one town for one fiscal year."""

    population: int | None
    counts: Counts | None  # latest approved counts up to the fiscal year; None: never approved
    counts_fiscal_year: int | None
    this_year_report: ThisYearReport
    coordinators: int
    experienced_coordinators: int
    council_status: str | None  # best CouncilStatus of the councils it belongs to; None: none
    council_form: str | None = None


@dataclass(frozen=True, slots=True)
class TownCoverage:
    rates: Rates
    figures_are_current: bool
    gaps: tuple[Gap, ...] = field(default=())

    @property
    def worst(self) -> Severity | None:
        return max((gap.severity for gap in self.gaps), default=None)

    @property
    def sort_value(self) -> str:
        """What the town table sorts the gaps column by: the worst severity (0 for none), then
        the number of gaps ("32": two gaps, the worst high)."""
        return f"{self.worst or 0}{len(self.gaps)}"


def _figures_gaps(facts: TownFacts, fiscal_year: int) -> list[Gap]:
    this_year = fiscal_year_label(fiscal_year)
    if facts.counts is None:
        if facts.this_year_report == ThisYearReport.UNAPPROVED:
            message = (
                f"在宅の対象者数が未承認（承認済みの数がない。{this_year}分は提出待ち・承認待ち）"
            )
        else:
            message = "在宅の対象者数が未報告"
        return [Gap("figures_missing", message, Severity.HIGH, FixIn.COUNTS)]
    if facts.counts_fiscal_year is not None and facts.counts_fiscal_year < fiscal_year:
        shown = fiscal_year_label(facts.counts_fiscal_year)
        state = "未承認" if facts.this_year_report == ThisYearReport.UNAPPROVED else "未報告"
        return [
            Gap(
                "figures_stale",
                f"数は{shown}のもの（{this_year}分が{state}）",
                Severity.MEDIUM,
                FixIn.COUNTS,
            )
        ]
    return []


def _coordinator_gaps(facts: TownFacts) -> list[Gap]:
    children = facts.counts.children if facts.counts is not None else None
    people = facts.counts.total if facts.counts is not None else None
    if facts.coordinators == 0:
        if children:
            return [
                Gap(
                    "no_coordinator",
                    "医療的ケア児がいるが、担当コーディネーターがいない",
                    Severity.HIGH,
                    FixIn.COORDINATORS,
                )
            ]
        if people:
            return [
                Gap(
                    "no_coordinator",
                    "医療的ケア者がいるが、担当コーディネーターがいない",
                    Severity.HIGH,
                    FixIn.COORDINATORS,
                )
            ]
        return [
            Gap("no_coordinator", "担当コーディネーターがいない", Severity.LOW, FixIn.COORDINATORS)
        ]
    if children and facts.experienced_coordinators == 0:
        return [
            Gap(
                "no_experienced_coordinator",
                "医療的ケア児がいるが、実務経験のあるコーディネーターがいない",
                Severity.HIGH,
                FixIn.COORDINATORS,
            )
        ]
    return []


def _council_gaps(facts: TownFacts) -> list[Gap]:
    if facts.council_status == CouncilStatus.ESTABLISHED:
        return []
    if facts.council_status == CouncilStatus.PLANNING:
        form = CouncilForm(facts.council_form).label if facts.council_form else "設置"
        return [
            Gap(
                "council_planning",
                f"協議の場が未設置（{form}を検討中）",
                Severity.MEDIUM,
                FixIn.COUNCILS,
            )
        ]
    return [Gap("council_missing", "協議の場が未設置", Severity.HIGH, FixIn.COUNCILS)]


def town_coverage(facts: TownFacts, *, fiscal_year: int) -> TownCoverage:
    """A town's rates per 10,000 and its gaps, worst first."""
    counts = facts.counts
    gaps = _figures_gaps(facts, fiscal_year) + _coordinator_gaps(facts) + _council_gaps(facts)
    gaps.sort(key=lambda gap: -gap.severity)
    return TownCoverage(
        rates=Rates.of(counts, facts.population),
        figures_are_current=counts is not None and facts.counts_fiscal_year == fiscal_year,
        gaps=tuple(gaps),
    )


# --- local resources (judged for a region: families travel within their region) --------------


@dataclass(frozen=True, slots=True)
class ResourceFacts:
    kind: str
    serves_children: bool
    serves_adults: bool
    accepts_medical_care: bool


@dataclass(frozen=True, slots=True)
class ResourceNeed:
    kind: ResourceKind
    for_children: bool
    must_accept_medical_care: bool
    severity: Severity
    message: str


# Respite and hospital admission are only of use when they take medical care; day services
# count when they serve the group at all.
RESOURCE_NEEDS: tuple[ResourceNeed, ...] = (
    ResourceNeed(ResourceKind.RESPITE, True, True, Severity.HIGH, "児のレスパイト先がない"),
    ResourceNeed(
        ResourceKind.CHILD_DEVELOPMENT, True, False, Severity.MEDIUM, "児童発達支援がない"
    ),
    ResourceNeed(
        ResourceKind.AFTER_SCHOOL, True, False, Severity.MEDIUM, "放課後等デイサービスがない"
    ),
    ResourceNeed(
        ResourceKind.HOSPITAL_ACCEPTING,
        True,
        True,
        Severity.MEDIUM,
        "医療的ケア児を受け入れる医療機関がない",
    ),
    ResourceNeed(ResourceKind.RESPITE, False, True, Severity.HIGH, "者のレスパイト先がない"),
    ResourceNeed(ResourceKind.DAILY_LIFE_CARE, False, False, Severity.MEDIUM, "生活介護がない"),
    ResourceNeed(
        ResourceKind.HOSPITAL_ACCEPTING,
        False,
        True,
        Severity.MEDIUM,
        "医療的ケア者を受け入れる医療機関がない",
    ),
)


def _meets(resource: ResourceFacts, need: ResourceNeed) -> bool:
    serves = resource.serves_children if need.for_children else resource.serves_adults
    return (
        resource.kind == need.kind
        and serves
        and (resource.accepts_medical_care or not need.must_accept_medical_care)
    )


def missing_resource_kinds(
    resources: Iterable[ResourceFacts], *, for_children: bool
) -> list[ResourceKind]:
    resources = list(resources)
    return [
        need.kind
        for need in RESOURCE_NEEDS
        if need.for_children == for_children and not any(_meets(r, need) for r in resources)
    ]


def resource_gaps(resources: Iterable[ResourceFacts], *, counts: Counts | None) -> tuple[Gap, ...]:
    """Missing resource kinds, for children when there are (or may be) children, for adults
    when there are (or may be) adults. Unknown counts (None) mean both are needed."""
    resources = list(resources)
    gaps = []
    for need in RESOURCE_NEEDS:
        group = (
            None if counts is None else (counts.children if need.for_children else counts.adults)
        )
        if group == 0:
            continue
        if not any(_meets(resource, need) for resource in resources):
            code = f"no_{need.kind}_for_{'children' if need.for_children else 'adults'}"
            gaps.append(Gap(code, need.message, need.severity, FixIn.RESOURCES))
    gaps.sort(key=lambda gap: -gap.severity)
    return tuple(gaps)


# --- the quarterly meeting ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingSchedule:
    held_this_year: int
    target: int
    next_due: dt.date | None  # None: no meeting held or planned yet
    days_until_due: int | None  # negative when overdue
    is_planned: bool  # the due date is a planned meeting's date
    next_number: int | None = None  # 第N回 of that planned meeting


def meeting_schedule(
    *,
    held_dates: Iterable[dt.date],
    planned_dates: Iterable[dt.date],
    fiscal_year: int,
    today: dt.date,
    planned_numbers: Mapping[dt.date, int] | None = None,
) -> MeetingSchedule:
    """Meetings held in the fiscal year against the quarterly target, and when the next one is
    due: the next planned meeting if there is one, else three months after the last held."""
    from hokenfukushi.fiscal import fiscal_year_of

    held = sorted(held_dates)
    upcoming = sorted(day for day in planned_dates if day >= today)
    held_this_year = sum(1 for day in held if fiscal_year_of(day) == fiscal_year)
    if upcoming:
        due, planned = upcoming[0], True
    elif held:
        due, planned = held[-1] + dt.timedelta(days=MEETING_INTERVAL_DAYS), False
    else:
        due, planned = None, False
    return MeetingSchedule(
        held_this_year=held_this_year,
        target=MEETINGS_PER_YEAR_TARGET,
        next_due=due,
        days_until_due=None if due is None else (due - today).days,
        is_planned=planned,
        next_number=(planned_numbers or {}).get(due) if planned else None,
    )
