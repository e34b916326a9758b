"""The dashboard cache: reused only while the data is unchanged, never across read scopes."""

import datetime as dt
import itertools

import pytest

from benchmarks.synthetic import generate_synthetic
from caseload.factories import CountReportFactory
from coordinators.factories import CoordinatorFactory
from dashboard.cache import cached_dashboard, data_version, scope_key
from hokenfukushi.factories import MunicipalityFactory, MunicipalStaffFactory, code_for
from hokenfukushi.models import Municipality

TODAY = dt.date(2025, 11, 24)


class CountingBuilder:
    """Stands in for build_dashboard: records each build and returns what the user may read."""

    def __init__(self):
        self.calls = 0

    def __call__(self, user, *, fiscal_year, today, region):
        self.calls += 1
        return sorted(Municipality.objects.visible_to(user).values_list("code", flat=True))


def _get(user, builder, **kwargs):
    params = {"fiscal_year": 2025, "today": TODAY, "region": None} | kwargs
    return cached_dashboard(user, build=builder, **params)


@pytest.mark.django_db(transaction=True)
def test_the_version_is_stable_without_writes_and_costs_one_query(town, django_assert_num_queries):
    # In autocommit, as requests run: one statement. (Inside a transaction a second one reads
    # the transaction's own uncommitted writes.)
    first = data_version()
    with django_assert_num_queries(1):
        assert data_version() == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        "new_report",
        "edited_town",
        "deleted_report",
        "coordinator_covers_another_town",
        "bulk_insert",
    ],
)
def test_every_kind_of_write_changes_the_version(write, town, other_town):
    report = CountReportFactory(municipality=town)
    coordinator = CoordinatorFactory(municipalities=[town])
    before = data_version()
    if write == "new_report":
        CountReportFactory(municipality=other_town)
    elif write == "edited_town":
        town.name = "改名町"
        town.save()
    elif write == "deleted_report":
        report.delete()
    elif write == "coordinator_covers_another_town":
        coordinator.municipalities.add(other_town)
    elif write == "bulk_insert":
        generate_synthetic(regions=1, towns=4, years=1)
    assert data_version() != before


@pytest.mark.django_db
def test_the_dashboard_is_built_once_while_nothing_changes(region_admin, town):
    builder = CountingBuilder()
    first = _get(region_admin, builder)
    assert _get(region_admin, builder) == first
    assert builder.calls == 1


@pytest.mark.django_db
def test_a_write_makes_the_next_request_rebuild(region_admin, region, town):
    builder = CountingBuilder()
    before = _get(region_admin, builder)
    MunicipalityFactory(region=region, code=code_for(900))
    after = _get(region_admin, builder)
    assert builder.calls == 2
    assert len(after) == len(before) + 1


@pytest.mark.django_db
def test_fiscal_year_day_and_region_each_get_their_own_entry(region_admin, region, town):
    builder = CountingBuilder()
    _get(region_admin, builder)
    _get(region_admin, builder, fiscal_year=2024)
    _get(region_admin, builder, today=TODAY + dt.timedelta(days=1))
    _get(region_admin, builder, region=region)
    assert builder.calls == 4


@pytest.mark.django_db
def test_turned_off_it_builds_every_time(settings, region_admin, town):
    settings.DASHBOARD_CACHE_SECONDS = 0
    builder = CountingBuilder()
    _get(region_admin, builder)
    _get(region_admin, builder)
    assert builder.calls == 2


ROLE_FIXTURES = (
    "superuser",
    "region_admin",
    "municipal_user",
    "other_town_user",
    "other_region_user",
    "prefecture_user",
)


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(ROLE_FIXTURES, 2)))
def test_users_share_an_entry_only_when_they_read_the_same_page(
    first, second, user_for_role, town, other_town, far_town
):
    one, other = user_for_role(first), user_for_role(second)
    builder = CountingBuilder()
    assert _get(one, builder) == CountingBuilder()(one, fiscal_year=0, today=TODAY, region=None)
    seen_by_other = _get(other, builder)
    assert seen_by_other == CountingBuilder()(other, fiscal_year=0, today=TODAY, region=None)
    if scope_key(one) == scope_key(other):
        assert builder.calls == 1
    else:
        assert builder.calls == 2


@pytest.mark.django_db
def test_two_staff_of_one_town_share_but_a_neighbour_town_does_not(
    municipal_user, other_town_user, town
):
    colleague = MunicipalStaffFactory(municipality=town)
    assert scope_key(colleague) == scope_key(municipal_user)
    # Same region, same rows, but each sees their own town highlighted.
    assert scope_key(other_town_user) != scope_key(municipal_user)


@pytest.mark.django_db
def test_another_process_reuses_the_shared_cache_entry(region_admin, town):
    from dashboard import cache as dashboard_cache

    builder = CountingBuilder()
    first = _get(region_admin, builder)
    dashboard_cache.clear()  # what a second worker starts with: nothing of its own
    assert _get(region_admin, builder) == first
    assert builder.calls == 1


@pytest.mark.django_db
def test_this_process_copy_expires_with_the_cache(settings, region_admin, town, monkeypatch):
    from django.core.cache import cache

    from dashboard import cache as dashboard_cache

    settings.DASHBOARD_CACHE_SECONDS = 60
    builder = CountingBuilder()
    _get(region_admin, builder)
    later = dashboard_cache.time.monotonic() + 61
    monkeypatch.setattr(dashboard_cache.time, "monotonic", lambda: later)
    cache.clear()  # the shared entry has expired too
    _get(region_admin, builder)
    assert builder.calls == 2


@pytest.mark.django_db
def test_the_default_year_is_looked_up_once_while_nothing_changes(region_admin, town):
    lookups = []

    def default_year():
        lookups.append(1)
        return 2024

    builder = CountingBuilder()
    for _ in range(2):
        _get(region_admin, builder, fiscal_year=None, default_year=default_year)
    assert (len(lookups), builder.calls) == (1, 1)
    CountReportFactory(municipality=town)
    _get(region_admin, builder, fiscal_year=None, default_year=default_year)
    assert (len(lookups), builder.calls) == (2, 2)
