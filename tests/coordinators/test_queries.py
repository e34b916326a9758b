"""Read logic on CoordinatorQuerySet: training-year table, mixes, coverage gaps, kana order."""

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinators.factories import ActivityFactory, CoordinatorFactory, OrganizationFactory
from coordinators.models import BaseProfession, Coordinator, Experience, TrainingYearRow
from hokenfukushi.factories import MunicipalityFactory
from hokenfukushi.fiscal import FiscalQuarter


def _years(*years: int) -> None:
    for year in years:
        CoordinatorFactory(training_fiscal_year=year)


@pytest.mark.django_db
def test_training_year_table_reproduces_the_source():
    _years(2019, 2021, 2022, 2023, *[2024] * 6, *[2025] * 6)
    assert Coordinator.objects.training_year_table() == [
        TrainingYearRow(2019, 1, 1),
        TrainingYearRow(2021, 1, 2),
        TrainingYearRow(2022, 1, 3),
        TrainingYearRow(2023, 1, 4),
        TrainingYearRow(2024, 6, 10),
        TrainingYearRow(2025, 6, 16),
    ]


@pytest.mark.django_db
def test_training_year_table_follows_the_queryset_it_is_called_on(town, other_town):
    CoordinatorFactory(training_fiscal_year=2020, organization__municipality=town)
    CoordinatorFactory(training_fiscal_year=2020, organization__municipality=other_town)
    CoordinatorFactory(training_fiscal_year=2023, organization__municipality=town)
    CoordinatorFactory(training_fiscal_year=2023, organization__municipality=town, is_active=False)
    in_town = Coordinator.objects.filter(organization__municipality=town)
    assert in_town.active().training_year_table() == [
        TrainingYearRow(2020, 1, 1),
        TrainingYearRow(2023, 1, 2),
    ]
    assert Coordinator.objects.none().training_year_table() == []


@pytest.mark.django_db
def test_training_year_table_counts_a_person_once_despite_many_towns(town, other_town):
    CoordinatorFactory(training_fiscal_year=2024, municipalities=[town, other_town])
    covering = Coordinator.objects.filter(municipalities__in=[town, other_town])
    assert covering.training_year_table() == [TrainingYearRow(2024, 1, 1)]


@pytest.mark.django_db
def test_experience_mix_lists_every_level_even_zero():
    CoordinatorFactory(experience=Experience.PLANNED_CONSULTATION)
    CoordinatorFactory.create_batch(3, experience=Experience.NONE)
    mix = Coordinator.objects.by_experience()
    assert [(row.label, row.count) for row in mix] == [
        ("直接関わった経験あり", 0),
        ("計画相談として関与", 1),
        ("関わった経験なし", 3),
    ]
    assert [row.share for row in mix] == [0.0, 25.0, 75.0]


@pytest.mark.django_db
def test_profession_mix_most_common_first_and_other_counted_once():
    CoordinatorFactory.create_batch(2, base_profession=BaseProfession.PUBLIC_HEALTH_NURSE)
    CoordinatorFactory.create_batch(3, base_profession=BaseProfession.SOCIAL_WORKER)
    CoordinatorFactory(base_profession=BaseProfession.OTHER, base_profession_other="理学療法士")
    CoordinatorFactory(base_profession=BaseProfession.OTHER, base_profession_other="作業療法士")
    mix = Coordinator.objects.by_profession()
    # ties (保健師 2, その他 2) keep the order of the choices
    assert [(row.label, row.count) for row in mix] == [
        ("社会福祉士", 3),
        ("保健師", 2),
        ("その他", 2),
    ]
    assert sum(row.share for row in mix) == pytest.approx(100)


@pytest.mark.django_db
def test_towns_without_coverage(region, town, other_town, far_town):
    lonely = MunicipalityFactory(region=region, name="ひとり村")
    CoordinatorFactory(organization__municipality=town, municipalities=[town])
    CoordinatorFactory(
        organization__municipality=town, municipalities=[other_town], is_active=False
    )
    towns = [town, other_town, lonely, far_town]
    assert Coordinator.objects.towns_without_coverage(towns) == [other_town, lonely, far_town]

    # a base-center coordinator covering the whole region covers every town of that region only
    base = OrganizationFactory(municipality=None, region=region, name="基幹センター")
    CoordinatorFactory(organization=base, covers_whole_region=True, municipalities=[])
    assert Coordinator.objects.towns_without_coverage(towns) == [far_town]


@pytest.mark.django_db
def test_towns_without_coverage_is_one_query_whatever_the_size(region, django_assert_num_queries):
    towns = MunicipalityFactory.create_batch(12, region=region)
    for town in towns[:8]:
        CoordinatorFactory.create_batch(3, organization__municipality=town)
    with django_assert_num_queries(1):
        uncovered = Coordinator.objects.towns_without_coverage(towns)
    assert uncovered == towns[8:]


@pytest.mark.django_db
def test_default_order_is_by_kana_not_by_kanji_or_creation():
    for name, kana in [
        ("渡辺", "わたなべ"),
        ("安藤", "あんどう"),
        ("伊藤", "いとう"),
        ("上田", "うえだ"),
    ]:
        CoordinatorFactory(name=name, kana=kana)
    assert list(Coordinator.objects.values_list("name", flat=True)) == [
        "安藤",
        "伊藤",
        "上田",
        "渡辺",
    ]


PEOPLE = st.lists(
    st.tuples(
        st.integers(min_value=2016, max_value=2030),
        st.sampled_from(BaseProfession.values),
        st.sampled_from(Experience.values),
        st.booleans(),  # active
    ),
    max_size=20,
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=PEOPLE)
def test_tables_agree_with_a_plain_count(people, town):
    with transaction.atomic():
        organization = OrganizationFactory(municipality=town)
        Coordinator.objects.bulk_create(
            Coordinator(
                name=f"人{i}",
                kana=f"ひと{i}",
                organization=organization,
                base_profession=profession,
                base_profession_other="その他の職" if profession == BaseProfession.OTHER else "",
                training_fiscal_year=year,
                experience=experience,
                is_active=active,
            )
            for i, (year, profession, experience, active) in enumerate(people)
        )
        active = Coordinator.objects.active()
        expected = [p for p in people if p[3]]

        table = active.training_year_table()
        assert {row.fiscal_year: row.count for row in table} == Counter(p[0] for p in expected)
        assert [row.fiscal_year for row in table] == sorted({p[0] for p in expected})
        assert [row.cumulative for row in table] == [
            sum(r.count for r in table[: i + 1]) for i in range(len(table))
        ]
        assert (table[-1].cumulative if table else 0) == len(expected)

        professions = active.by_profession()
        assert {r.value: r.count for r in professions} == Counter(p[1] for p in expected)
        assert [r.count for r in professions] == sorted(
            (r.count for r in professions), reverse=True
        )

        experiences = active.by_experience()
        assert [r.value for r in experiences] == Experience.values
        counts = Counter(p[2] for p in expected)
        assert [r.count for r in experiences] == [counts[v] for v in Experience.values]
        transaction.set_rollback(True)


TOWN_COVERS = st.lists(
    st.tuples(st.sets(st.integers(0, 3)), st.booleans(), st.booleans()),
    max_size=10,
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=TOWN_COVERS)
def test_a_town_is_uncovered_exactly_when_no_active_coordinator_reaches_it(people, region):
    with transaction.atomic():
        towns = MunicipalityFactory.create_batch(4, region=region)
        base = OrganizationFactory(municipality=towns[0])
        reached: set[int] = set()
        for covered, whole_region, active in people:
            CoordinatorFactory(
                organization=base,
                municipalities=[towns[i] for i in covered],
                covers_whole_region=whole_region,
                is_active=active,
            )
            if active:
                reached |= set(range(4)) if whole_region else covered
        uncovered = Coordinator.objects.towns_without_coverage(towns)
        assert uncovered == [town for i, town in enumerate(towns) if i not in reached]
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_summary_counts_what_the_separate_queries_count(town, other_town):
    """The dashboard's one pass over the active coordinators gives the same coverage, totals
    and training table as asking for each separately."""
    CoordinatorFactory(
        training_fiscal_year=2020, experience=Experience.DIRECT, municipalities=[town, other_town]
    )
    CoordinatorFactory(training_fiscal_year=2023, municipalities=[town])
    CoordinatorFactory(
        training_fiscal_year=2023,
        experience=Experience.DIRECT,
        organization__region=town.region,
        covers_whole_region=True,
    )
    CoordinatorFactory(training_fiscal_year=2024, is_active=False, municipalities=[town])
    towns = [town, other_town]

    summary = Coordinator.objects.summary(towns)

    assert (summary.total, summary.experienced) == (3, 2)
    assert summary.training_years == Coordinator.objects.active().training_year_table()
    assert summary.training_years == [TrainingYearRow(2020, 1, 1), TrainingYearRow(2023, 2, 3)]
    assert summary.coverage == Coordinator.objects.coverage_by_municipality(towns)
    assert summary.coverage[town.pk].total == 3
    assert summary.without_activity is None  # not asked for


@pytest.mark.django_db
def test_summary_counts_the_coordinators_without_activity_as_without_activity_in(town, other_town):
    """`summary(idle_in=quarter).without_activity` is `without_activity_in(quarter).count()`:
    a coordinator read in several rows (one per town it names) counts once, busy in any of
    them is busy, an entry of another quarter does not count, an inactive one is never idle."""
    busy_in_two_towns = CoordinatorFactory(municipalities=[town, other_town])
    busy_whole_region = CoordinatorFactory(
        organization__region=town.region, covers_whole_region=True
    )
    CoordinatorFactory(municipalities=[town, other_town])  # idle, in two rows
    CoordinatorFactory(organization__region=town.region, covers_whole_region=True)  # idle
    last_quarter_only = CoordinatorFactory(municipalities=[town])
    inactive = CoordinatorFactory(is_active=False, municipalities=[town])
    for coordinator, day in (
        (busy_in_two_towns, dt.date(2025, 10, 1)),
        (busy_whole_region, dt.date(2025, 12, 31)),
        (last_quarter_only, dt.date(2025, 9, 30)),
        (inactive, dt.date(2025, 11, 1)),
    ):
        ActivityFactory(coordinator=coordinator, done_on=day)

    for quarter in (FiscalQuarter(2025, 2), FiscalQuarter(2025, 3), FiscalQuarter(2025, 4)):
        summary = Coordinator.objects.summary([town, other_town], idle_in=quarter)
        plain = Coordinator.objects.without_activity_in(quarter).count()
        assert summary.without_activity == plain, quarter
    assert Coordinator.objects.summary([town], idle_in=FiscalQuarter(2025, 3)).without_activity == 3
