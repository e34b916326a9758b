"""The prefecture export's statements are built once per read scope and fiscal year
(`exports.tables._built_once`): a user of one scope is never handed another scope's or another
year's statement, and each call gets a queryset of its own that reads the database afresh."""

import pytest

from exports import tables
from hokenfukushi.factories import MunicipalityFactory, RegionAdminFactory
from hokenfukushi.models import Municipality, User


def _towns(user, fiscal_year=2025) -> set[str]:
    return {town.code for town in tables.prefecture_towns(user, fiscal_year)}


def _regions(user, fiscal_year=2025) -> set[str]:
    return {region.name for region in tables.regions_in_scope(user, fiscal_year)}


@pytest.fixture(autouse=True)
def _nothing_built():
    tables._BUILT.clear()
    yield
    tables._BUILT.clear()


def test_each_scope_gets_its_own_towns_and_regions(
    region, other_region, town, other_town, far_town, region_admin, other_region_user,
    prefecture_user,
):  # fmt: skip
    # the other region's statement built first, then this one's, then the whole prefecture's
    assert _towns(other_region_user) == {far_town.code}
    assert _towns(region_admin) == {town.code, other_town.code}
    assert _towns(prefecture_user) == {town.code, other_town.code, far_town.code}
    assert _regions(other_region_user) == {other_region.name}
    assert _regions(region_admin) == {region.name}
    assert _regions(prefecture_user) == {region.name, other_region.name}
    # and again in the opposite order, from what was built
    assert _towns(region_admin) == {town.code, other_town.code}
    assert _towns(other_region_user) == {far_town.code}
    assert _regions(region_admin) == {region.name}


def test_a_user_without_read_scope_gets_nothing_after_others_built(town, region_admin):
    assert _towns(region_admin) == {town.code}
    nobody = User.objects.create(username="no-role")
    assert _towns(nobody) == set()
    assert _regions(nobody) == set()


def test_users_of_one_scope_share_the_statement_but_not_the_queryset(region, town, region_admin):
    colleague = RegionAdminFactory(region=region)
    first = tables.prefecture_towns(region_admin, 2025)
    second = tables.prefecture_towns(colleague, 2025)
    assert first is not second
    assert first.query is not second.query
    assert str(first.query) == str(second.query)
    assert len(tables._BUILT) == 1


def test_each_year_is_its_own_statement(town, region_admin):
    assert str(tables.prefecture_towns(region_admin, 2024).query) != str(
        tables.prefecture_towns(region_admin, 2025).query
    )
    assert str(tables.regions_in_scope(region_admin, 2024).query) != str(
        tables.regions_in_scope(region_admin, 2025).query
    )


def test_each_call_reads_the_database_afresh(region, town, region_admin):
    evaluated = tables.prefecture_towns(region_admin, 2025)
    assert {row.code for row in evaluated} == {town.code}  # fills this queryset's cache
    added = MunicipalityFactory(region=region)
    assert _towns(region_admin) == {town.code, added.code}


def test_what_is_kept_stays_bounded(town, region_admin):
    for fiscal_year in range(2000, 2000 + 2 * tables._BUILT_LIMIT):
        tables.prefecture_towns(region_admin, fiscal_year)
        assert len(tables._BUILT) <= tables._BUILT_LIMIT


ROLES = (
    "region_admin",
    "municipal_user",
    "other_town_user",
    "coordinator_user",
    "prefecture_user",
    "other_region_user",
)


def test_every_role_gets_the_towns_it_may_read_whatever_was_built_before(
    request, town, other_town, far_town
):
    """Each role in turn, twice round: the statement it is handed (built for it or for an
    earlier user of the same scope) reads exactly the towns the scope rule lets it read."""
    users = [request.getfixturevalue(role) for role in ROLES]
    for _ in range(2):
        for role, user in zip(ROLES, users, strict=True):
            readable = set(Municipality.objects.visible_to(user).values_list("code", flat=True))
            assert readable, role
            assert _towns(user) == readable, role
