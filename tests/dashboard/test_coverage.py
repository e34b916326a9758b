"""The coverage rule on its own: each gap alone, gaps together, and properties over any input."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.coverage import (
    Counts,
    FixIn,
    ResourceFacts,
    Severity,
    ThisYearReport,
    TownFacts,
    meeting_schedule,
    missing_resource_kinds,
    resource_gaps,
    sum_counts,
    town_coverage,
)
from hokenfukushi.models import (
    CouncilForm,
    CouncilStatus,
    ResourceKind,
    best_council,
    rate_per_10000,
)

FY = 2025


def facts(**overrides) -> TownFacts:
    """A town with nothing missing; each test breaks one thing."""
    base = {
        "population": 10000,
        "counts": Counts(1, 1, 2, 0),
        "counts_fiscal_year": FY,
        "this_year_report": ThisYearReport.APPROVED,
        "coordinators": 2,
        "experienced_coordinators": 1,
        "council_status": CouncilStatus.ESTABLISHED,
        "council_form": CouncilForm.JOINT,
    }
    return TownFacts(**(base | overrides))


def messages(coverage) -> list[str]:
    return [gap.message for gap in coverage.gaps]


def test_a_town_with_everything_in_place_has_no_gaps():
    coverage = town_coverage(facts(), fiscal_year=FY)
    assert coverage.gaps == ()
    assert coverage.worst is None
    assert coverage.figures_are_current


# --- figures -----------------------------------------------------------------------------------


def test_never_reported_figures_are_a_high_gap():
    coverage = town_coverage(
        facts(counts=None, counts_fiscal_year=None, this_year_report=ThisYearReport.MISSING),
        fiscal_year=FY,
    )
    assert messages(coverage) == ["在宅の対象者数が未報告"]
    assert coverage.gaps[0].severity == Severity.HIGH
    assert coverage.gaps[0].fix_in == FixIn.COUNTS
    assert coverage.rates == (None, None, None, None)
    assert not coverage.figures_are_current


def test_submitted_but_never_approved_figures_say_unapproved():
    coverage = town_coverage(
        facts(counts=None, counts_fiscal_year=None, this_year_report=ThisYearReport.UNAPPROVED),
        fiscal_year=FY,
    )
    assert messages(coverage)[0].startswith("在宅の対象者数が未承認")


def test_last_years_figures_are_shown_but_marked_stale():
    coverage = town_coverage(
        facts(counts_fiscal_year=FY - 1, this_year_report=ThisYearReport.MISSING), fiscal_year=FY
    )
    assert messages(coverage) == ["数は令和6年度のもの（令和7年度分が未報告）"]
    assert coverage.gaps[0].severity == Severity.MEDIUM
    assert coverage.rates[0] == Decimal("1.0")  # still computed from last year's figures
    assert not coverage.figures_are_current


def test_stale_figures_with_this_years_report_waiting_say_unapproved():
    coverage = town_coverage(
        facts(counts_fiscal_year=FY - 1, this_year_report=ThisYearReport.UNAPPROVED),
        fiscal_year=FY,
    )
    assert messages(coverage) == ["数は令和6年度のもの（令和7年度分が未承認）"]


# --- coordinators ------------------------------------------------------------------------------


def test_children_without_an_experienced_coordinator():
    coverage = town_coverage(facts(experienced_coordinators=0), fiscal_year=FY)
    assert messages(coverage) == ["医療的ケア児がいるが、実務経験のあるコーディネーターがいない"]
    assert coverage.gaps[0].severity == Severity.HIGH
    assert coverage.gaps[0].fix_in == FixIn.COORDINATORS


def test_no_children_means_inexperience_is_not_a_gap():
    coverage = town_coverage(
        facts(counts=Counts(0, 0, 4, 0), experienced_coordinators=0), fiscal_year=FY
    )
    assert coverage.gaps == ()


def test_children_and_no_coordinator_at_all():
    coverage = town_coverage(facts(coordinators=0, experienced_coordinators=0), fiscal_year=FY)
    assert messages(coverage) == ["医療的ケア児がいるが、担当コーディネーターがいない"]
    assert coverage.gaps[0].severity == Severity.HIGH


def test_adults_only_and_no_coordinator():
    coverage = town_coverage(
        facts(counts=Counts(0, 0, 3, 1), coordinators=0, experienced_coordinators=0),
        fiscal_year=FY,
    )
    assert messages(coverage) == ["医療的ケア者がいるが、担当コーディネーターがいない"]


def test_nobody_known_and_no_coordinator_is_a_low_gap():
    coverage = town_coverage(
        facts(counts=Counts(), coordinators=0, experienced_coordinators=0), fiscal_year=FY
    )
    assert messages(coverage) == ["担当コーディネーターがいない"]
    assert coverage.gaps[0].severity == Severity.LOW


# --- council -----------------------------------------------------------------------------------


def test_no_council_at_all():
    coverage = town_coverage(facts(council_status=None, council_form=None), fiscal_year=FY)
    assert messages(coverage) == ["協議の場が未設置"]
    assert coverage.gaps[0].severity == Severity.HIGH
    assert coverage.gaps[0].fix_in == FixIn.COUNCILS


def test_council_under_study_names_its_form():
    coverage = town_coverage(facts(council_status=CouncilStatus.PLANNING), fiscal_year=FY)
    assert messages(coverage) == ["協議の場が未設置（共同設置を検討中）"]
    assert coverage.gaps[0].severity == Severity.MEDIUM


def test_council_recorded_as_none_counts_as_missing():
    coverage = town_coverage(facts(council_status=CouncilStatus.NONE), fiscal_year=FY)
    assert messages(coverage) == ["協議の場が未設置"]


def test_the_most_advanced_council_of_a_town_counts():
    assert best_council([]) == (None, None)
    assert best_council(
        [(CouncilStatus.PLANNING, CouncilForm.JOINT), (CouncilStatus.ESTABLISHED, "single")]
    ) == (CouncilStatus.ESTABLISHED, "single")
    assert best_council(
        [(CouncilStatus.NONE, CouncilForm.SINGLE), (CouncilStatus.PLANNING, CouncilForm.JOINT)]
    ) == (CouncilStatus.PLANNING, CouncilForm.JOINT)


# --- together ----------------------------------------------------------------------------------


def test_several_gaps_together_worst_first():
    coverage = town_coverage(
        facts(
            counts_fiscal_year=FY - 1,
            this_year_report=ThisYearReport.MISSING,
            experienced_coordinators=0,
            council_status=CouncilStatus.PLANNING,
        ),
        fiscal_year=FY,
    )
    assert [gap.code for gap in coverage.gaps] == [
        "no_experienced_coordinator",
        "figures_stale",
        "council_planning",
    ]
    assert coverage.worst == Severity.HIGH


# --- rates -------------------------------------------------------------------------------------


def test_rate_per_10000_is_rounded_half_up_to_one_decimal():
    assert rate_per_10000(36, 76218) == Decimal("4.7")
    assert rate_per_10000(1, 10592) == Decimal("0.9")
    assert rate_per_10000(1, 20000) == Decimal("0.5")
    assert rate_per_10000(5, None) is None
    assert rate_per_10000(5, 0) is None
    assert rate_per_10000(None, 1000) is None


def test_counts_add_up():
    total = sum_counts([Counts(6, 4, 36, 2), None, Counts(0, 1, 0, 0), Counts(1, 0, 2, 0)])
    assert total.as_tuple() == (7, 5, 38, 2)
    assert total.children == 12 and total.adults == 40 and total.total == 52


# --- resources ---------------------------------------------------------------------------------


def resource(kind, *, children=False, adults=False, medical=False):
    return ResourceFacts(kind, children, adults, medical)


KODAMA_LIKE = [
    resource(ResourceKind.CHILD_DEVELOPMENT, children=True),
    resource(ResourceKind.AFTER_SCHOOL, children=True),
    resource(ResourceKind.DAILY_LIFE_CARE, adults=True),
    resource(ResourceKind.NURSE_STAFFED_FACILITY, adults=True, medical=True),
    resource(ResourceKind.RESPITE, adults=True, medical=True),
]


def test_adult_respite_only_means_no_respite_for_children():
    gaps = resource_gaps(KODAMA_LIKE, counts=Counts(7, 5, 42, 2))
    assert "児のレスパイト先がない" in [gap.message for gap in gaps]
    assert "者のレスパイト先がない" not in [gap.message for gap in gaps]
    assert gaps[0].severity == Severity.HIGH
    assert all(gap.fix_in == FixIn.RESOURCES for gap in gaps)


def test_respite_that_refuses_medical_care_does_not_count():
    gaps = resource_gaps(
        [resource(ResourceKind.RESPITE, children=True, adults=True)], counts=Counts(1, 0, 1, 0)
    )
    assert {"児のレスパイト先がない", "者のレスパイト先がない"} <= {gap.message for gap in gaps}


def test_a_region_without_children_needs_no_childrens_services():
    gaps = resource_gaps(KODAMA_LIKE, counts=Counts(0, 0, 42, 2))
    assert not any("児" in gap.message for gap in gaps)


def test_unknown_counts_assume_both_groups_need_services():
    assert len(resource_gaps([], counts=None)) == 7


def test_missing_kinds_per_group():
    assert missing_resource_kinds(KODAMA_LIKE, for_children=True) == [
        ResourceKind.RESPITE,
        ResourceKind.HOSPITAL_ACCEPTING,
    ]
    assert missing_resource_kinds(KODAMA_LIKE, for_children=False) == [
        ResourceKind.HOSPITAL_ACCEPTING
    ]


# --- meetings ----------------------------------------------------------------------------------


def test_next_meeting_is_due_three_months_after_the_last_one():
    schedule = meeting_schedule(
        held_dates=[dt.date(2024, 11, 20), dt.date(2025, 5, 21), dt.date(2025, 10, 15)],
        planned_dates=[],
        fiscal_year=2025,
        today=dt.date(2025, 12, 1),
    )
    assert schedule.held_this_year == 2
    assert schedule.target == 4
    assert schedule.next_due == dt.date(2026, 1, 14)
    assert schedule.days_until_due == 44
    assert not schedule.is_planned


def test_a_planned_meeting_sets_the_due_date_and_overdue_is_negative():
    planned = meeting_schedule(
        held_dates=[dt.date(2025, 5, 21)],
        planned_dates=[dt.date(2025, 12, 10), dt.date(2025, 11, 1)],
        fiscal_year=2025,
        today=dt.date(2025, 12, 1),
    )
    assert planned.next_due == dt.date(2025, 12, 10) and planned.is_planned
    overdue = meeting_schedule(
        held_dates=[dt.date(2025, 5, 21)],
        planned_dates=[],
        fiscal_year=2025,
        today=dt.date(2025, 9, 1),
    )
    assert overdue.next_due == dt.date(2025, 8, 20)
    assert overdue.days_until_due == -12


def test_no_meeting_yet_has_no_due_date():
    schedule = meeting_schedule(
        held_dates=[], planned_dates=[], fiscal_year=2025, today=dt.date(2025, 6, 1)
    )
    assert schedule.next_due is None and schedule.days_until_due is None


# --- properties --------------------------------------------------------------------------------

counts_strategy = st.builds(Counts, *(st.integers(min_value=0, max_value=500) for _ in range(4)))
town_facts_strategy = st.builds(
    TownFacts,
    population=st.one_of(st.none(), st.integers(min_value=0, max_value=4_000_000)),
    counts=st.one_of(st.none(), counts_strategy),
    counts_fiscal_year=st.integers(min_value=2019, max_value=FY),
    this_year_report=st.sampled_from(ThisYearReport),
    coordinators=st.integers(min_value=0, max_value=30),
    experienced_coordinators=st.integers(min_value=0, max_value=30),
    council_status=st.one_of(st.none(), st.sampled_from(CouncilStatus)),
    council_form=st.one_of(st.none(), st.sampled_from(CouncilForm)),
)


@given(town_facts_strategy)
def test_every_town_has_at_most_one_gap_per_concern_worst_first(town):
    coverage = town_coverage(town, fiscal_year=FY)
    concerns = [gap.fix_in for gap in coverage.gaps]
    assert len(concerns) == len(set(concerns))
    severities = [gap.severity for gap in coverage.gaps]
    assert severities == sorted(severities, reverse=True)
    assert all(gap.message for gap in coverage.gaps)


@given(town_facts_strategy)
def test_establishing_a_council_removes_exactly_the_council_gap(town):
    before = town_coverage(town, fiscal_year=FY)
    after = town_coverage(
        TownFacts(**{**_asdict(town), "council_status": CouncilStatus.ESTABLISHED}),
        fiscal_year=FY,
    )
    assert [g for g in before.gaps if g.fix_in != FixIn.COUNCILS] == list(after.gaps)
    assert not any(g.fix_in == FixIn.COUNCILS for g in after.gaps)


@given(town_facts_strategy, st.integers(min_value=1, max_value=5))
def test_adding_experienced_coordinators_never_adds_a_gap(town, added):
    before = town_coverage(town, fiscal_year=FY)
    after = town_coverage(
        TownFacts(
            **{
                **_asdict(town),
                "coordinators": town.coordinators + added,
                "experienced_coordinators": town.experienced_coordinators + added,
            }
        ),
        fiscal_year=FY,
    )
    assert {g.code for g in after.gaps} <= {g.code for g in before.gaps}
    assert not any(g.fix_in == FixIn.COORDINATORS for g in after.gaps)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=5_000_000))
def test_rate_is_within_half_a_tenth_of_the_exact_value(count, population):
    rate = rate_per_10000(count, population)
    exact = Decimal(count) * 10000 / Decimal(population)
    assert abs(rate - exact) <= Decimal("0.05")


@given(
    st.lists(
        st.builds(
            ResourceFacts,
            kind=st.sampled_from(ResourceKind),
            serves_children=st.booleans(),
            serves_adults=st.booleans(),
            accepts_medical_care=st.booleans(),
        ),
        max_size=12,
    ),
    counts_strategy,
    st.sampled_from(ResourceKind),
)
def test_adding_a_resource_that_takes_medical_care_never_adds_a_resource_gap(
    resources, counts, kind
):
    before = {g.code for g in resource_gaps(resources, counts=counts)}
    extra = ResourceFacts(kind, True, True, True)
    after = {g.code for g in resource_gaps([*resources, extra], counts=counts)}
    assert after <= before
    assert f"no_{kind}_for_children" not in after
    assert f"no_{kind}_for_adults" not in after


@given(st.lists(counts_strategy, max_size=8))
def test_sum_of_counts_matches_the_sum_of_each_field(items):
    total = sum_counts(items)
    for index in range(4):
        assert total.as_tuple()[index] == sum(c.as_tuple()[index] for c in items)


def _asdict(town: TownFacts) -> dict:
    return {name: getattr(town, name) for name in TownFacts.__slots__}


@pytest.mark.parametrize("severity,label", [(Severity.HIGH, "高"), (Severity.LOW, "低")])
def test_severity_labels_are_japanese(severity, label):
    assert severity.label == label
