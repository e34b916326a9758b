"""活動記録: the entry's rules, the service, the roll-up per town × quarter, and who is placed
but has no activity this quarter."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from coordinators.factories import ActivityFactory, CoordinatorFactory
from coordinators.models import Activity, ActivityRollupRow, AgeBand, Coordinator, PersonKind
from coordinators.rules import activity_errors, experience_steps, topic_errors
from coordinators.services import record_activity
from hokenfukushi.fiscal import FiscalQuarter, fiscal_quarter_of

TODAY = dt.date(2025, 11, 20)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_day_falls_in_its_fiscal_quarter(day):
    quarter = fiscal_quarter_of(day)
    assert quarter.first_day <= day <= quarter.last_day
    assert quarter.next().first_day == quarter.last_day + dt.timedelta(days=1)
    assert quarter.next().previous() == quarter


def test_quarter_labels_follow_the_fiscal_year():
    assert fiscal_quarter_of(dt.date(2026, 2, 1)) == FiscalQuarter(2025, 4)
    assert FiscalQuarter(2025, 3).label == "令和7年度 第3四半期（10〜12月）"
    with pytest.raises(ValueError):
        FiscalQuarter(2025, 5)


@given(
    done_on=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    same_region=st.booleans(),
    person=st.sampled_from(PersonKind.values),
    age=st.sampled_from(AgeBand.values),
)
def test_activity_errors_name_the_field_concerned(done_on, same_region, person, age):
    errors = activity_errors(
        done_on=done_on,
        today=TODAY,
        town_region_id=1 if same_region else 2,
        coordinator_region_id=1,
        person_kind=person,
        age_band=age,
    )
    assert ("done_on" in errors) == (done_on > TODAY)
    assert ("municipality" in errors) == (not same_region)
    assert ("age_band" in errors) == ((person == "adult") != (age == "adult"))


def test_topic_errors():
    assert topic_errors(topics=["other"], other_text=" ") == {
        "consultation_other": "「その他」を選んだときは、その内容を入力してください。"
    }
    assert "consultation_other" in topic_errors(topics=["respite"], other_text="遊び場")
    assert topic_errors(topics=["other", "respite"], other_text="きょうだい支援") == {}


def test_experience_steps_keep_only_changes():
    t = [dt.datetime(2024, m, 1, tzinfo=dt.UTC) for m in (1, 2, 3, 4)]
    steps = experience_steps([(t[2], "direct"), (t[0], "none"), (t[1], "none"), (t[3], "direct")])
    assert [(s.since, s.experience) for s in steps] == [(t[0], "none"), (t[2], "direct")]
    assert steps[-1].label == "直接関わった経験あり"


def _entry(coordinator, town, **overrides):
    values = dict(
        coordinator=coordinator,
        done_on=TODAY,
        kind="individual",
        consulted_by="family",
        method="phone",
        municipality=town,
        person_kind="child",
        continuity="new",
        age_band="infant",
        today=TODAY,
    )
    values.update(overrides)
    return record_activity(**values)


@pytest.mark.django_db
def test_record_activity_refuses_a_future_day_and_another_regions_town(town, far_town):
    coordinator = CoordinatorFactory(organization__municipality=town)
    with pytest.raises(ValidationError) as error:
        _entry(coordinator, far_town, done_on=TODAY + dt.timedelta(days=1))
    assert set(error.value.message_dict) == {"done_on", "municipality"}
    assert Activity.objects.count() == 0
    saved = _entry(coordinator, town)
    assert Activity.objects.get() == saved


@pytest.mark.django_db
def test_the_database_refuses_an_adult_age_for_a_child(town):
    coordinator = CoordinatorFactory(organization__municipality=town)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityFactory(coordinator=coordinator, person_kind="child", age_band="adult")


@pytest.mark.django_db
def test_rollup_counts_per_town_and_quarter(town, other_town):
    coordinator = CoordinatorFactory(organization__municipality=town, municipalities=[town])
    for day, kind, where in [
        (dt.date(2025, 4, 3), "individual", town),
        (dt.date(2025, 6, 30), "community", town),
        (dt.date(2025, 7, 1), "individual", town),
        (dt.date(2025, 7, 2), "individual", town),
        (dt.date(2025, 12, 31), "community", other_town),
        (dt.date(2026, 1, 5), "individual", other_town),
    ]:
        ActivityFactory(coordinator=coordinator, done_on=day, kind=kind, municipality=where)
    rows = Activity.objects.all().rollup_by_town_and_quarter()
    assert rows == sorted(
        [
            ActivityRollupRow(town.pk, town.code, town.name, FiscalQuarter(2025, 1), 1, 1),
            ActivityRollupRow(town.pk, town.code, town.name, FiscalQuarter(2025, 2), 2, 0),
            ActivityRollupRow(
                other_town.pk, other_town.code, other_town.name, FiscalQuarter(2025, 3), 0, 1
            ),
            ActivityRollupRow(
                other_town.pk, other_town.code, other_town.name, FiscalQuarter(2025, 4), 1, 0
            ),
        ],
        key=lambda r: (r.quarter, r.municipality_code),
    )
    assert sum(r.total for r in rows) == 6


@pytest.mark.django_db
def test_rollup_is_one_query(town, django_assert_num_queries):
    coordinator = CoordinatorFactory(organization__municipality=town)
    for day in range(1, 20):
        ActivityFactory(coordinator=coordinator, done_on=dt.date(2025, 5, day))
    with django_assert_num_queries(1):
        rows = Activity.objects.all().rollup_by_town_and_quarter()
    assert rows[0].individual == 19


@pytest.mark.django_db
def test_placed_without_activity_in_a_quarter(town):
    busy = CoordinatorFactory(organization__municipality=town)
    idle = CoordinatorFactory(organization__municipality=town)
    last_quarter_only = CoordinatorFactory(organization__municipality=town)
    CoordinatorFactory(organization__municipality=town, is_active=False)
    ActivityFactory(coordinator=busy, done_on=dt.date(2025, 10, 1))
    ActivityFactory(coordinator=last_quarter_only, done_on=dt.date(2025, 9, 30))
    quarter = FiscalQuarter(2025, 3)
    assert set(Coordinator.objects.without_activity_in(quarter)) == {idle, last_quarter_only}
    assert set(Coordinator.objects.without_activity_in(FiscalQuarter(2025, 2))) == {busy, idle}


@pytest.mark.django_db
def test_service_errors_land_on_the_named_field_or_the_form(town):
    from coordinators.forms import ActivityForm, add_service_errors
    from hokenfukushi.models import Municipality

    form = ActivityForm({}, towns=Municipality.objects.filter(pk=town.pk))
    form.is_valid()
    add_service_errors(
        form, ValidationError({"done_on": "未来の日付", "base_profession": "フォームにない項目"})
    )
    assert "未来の日付" in form.errors["done_on"]
    assert "フォームにない項目" in form.non_field_errors()
