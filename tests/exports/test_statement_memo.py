"""The export statements are compiled once per read scope and year (tables._statement): a
memoized statement must never hand one reader another's towns."""

import datetime as dt

import pytest
from django.urls import reverse

from caseload.factories import CountReportFactory
from exports import tables
from hokenfukushi import compiled_sql
from hokenfukushi.factories import PopulationSnapshotFactory, RegionAdminFactory

pytestmark = pytest.mark.django_db

READERS = {
    "region_admin": {"town", "other_town"},
    "other_region_admin": {"far_town"},
    "municipal_user": {"town", "other_town"},
    "prefecture_user": {"town", "other_town", "far_town"},
}


@pytest.fixture(autouse=True)
def _cold_memo():
    compiled_sql.clear()
    yield
    compiled_sql.clear()


@pytest.fixture
def readers(request, other_region, town, other_town, far_town):
    for municipality in (town, other_town, far_town):
        PopulationSnapshotFactory(municipality=municipality)
        for year in (2024, 2025):
            CountReportFactory(municipality=municipality, approved=True, as_of=dt.date(year, 6, 1))
    users = {
        role: request.getfixturevalue(role) for role in READERS if role != "other_region_admin"
    }
    users["other_region_admin"] = RegionAdminFactory(region=other_region)
    return users


def _body(client_for, user, name: str, year: int) -> bytes:
    response = client_for(user).get(
        reverse(f"exports:{name}"), {"fiscal_year": year, "encoding": "utf-8"}
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _codes(body: bytes) -> set[str]:
    lines = body.decode("utf-8-sig").splitlines()[1:]
    return {line.split(",")[0].strip('"') for line in lines} - {""}


@pytest.mark.parametrize("name", ["prefecture", "caseload"])
def test_with_the_memo_warm_each_reader_gets_exactly_their_own_towns(
    request, client_for, readers, monkeypatch, name
):
    cold = {}
    for role, user in readers.items():
        for year in (2024, 2025):
            compiled_sql.clear()
            cold[role, year] = _body(client_for, user, name, year)
            expected = {request.getfixturevalue(town).code for town in READERS[role]}
            assert _codes(cold[role, year]) == expected
    compiled_sql.clear()
    # Count the builds as production runs: with verification (tests/conftest.py) every reuse
    # would build again to compare.
    compiled_sql.set_verify(False)
    built = []
    for builder in ("towns_with_figures", "region_totals"):
        original = getattr(tables, builder)
        monkeypatch.setattr(
            tables, builder, lambda *args, _f=original, _n=builder: built.append(_n) or _f(*args)
        )
    order = [*readers.items(), *reversed(readers.items())]  # every reader after every other
    for role, user in order:
        for year in (2024, 2025):
            assert _body(client_for, user, name, year) == cold[role, year], (role, year)
    if name == "prefecture":
        # built once per distinct read scope and year, then reused (region admin A and the
        # municipal user of the same region have different keys: the town is part of it)
        assert len(built) == 2 * len(readers) * 2
