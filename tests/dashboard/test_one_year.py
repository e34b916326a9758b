"""One year at a time (issue 20): no card or total adds figures of different fiscal years, the
page says how many towns have reported the year shown, and it opens on the latest year every
town in scope has approved."""

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from dashboard.coverage import Counts, year_totals
from hokenfukushi.factories import PopulationSnapshotFactory


def _approved(town, fiscal_year, counts):
    return CountReportFactory(
        municipality=town,
        as_of=dt.date(fiscal_year, 4, 1),
        approved=True,
        **dict(
            zip(
                ("smid_children", "medical_care_children", "smid_adults", "medical_care_adults"),
                counts,
                strict=True,
            )
        ),
    )


@pytest.fixture
def one_town_ahead(town, other_town):
    """テスト市 has approved FY2025 and FY2026; となり町 only FY2025."""
    PopulationSnapshotFactory(municipality=town, population=20000, as_of=dt.date(2025, 4, 1))
    PopulationSnapshotFactory(municipality=other_town, population=5000, as_of=dt.date(2025, 4, 1))
    _approved(town, 2025, (3, 2, 10, 1))
    _approved(other_town, 2025, (0, 1, 2, 0))
    _approved(town, 2026, (6, 0, 9, 0))


def _stat(page: str, name: str) -> str:
    match = re.search(rf'data-stat="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1)


def _page(client, **params):
    response = client.get("/", params)
    assert response.status_code == 200
    return response.content.decode(), response


def test_it_opens_on_the_latest_year_every_town_approved(one_town_ahead, client_for):
    page, _ = _page(client_for("region_admin"))
    assert "令和7年度の報告（承認済み）" in page
    assert _stat(page, "reported") == "2市町村中2市町村が報告済み"
    assert [_stat(page, name) for name in ("smid_children", "smid_adults")] == ["3人", "12人"]


def test_the_newer_year_adds_only_its_own_figures(one_town_ahead, client_for):
    page, response = _page(client_for("region_admin"), fiscal_year=2026)
    assert _stat(page, "reported") == "2市町村中1市町村が報告済み"
    # テスト市's 令和8年度 figures only: となり町's 令和7年度 1 and 2 are not added
    assert [
        _stat(page, name)
        for name in ("smid_children", "medical_care_children", "smid_adults", "medical_care_adults")
    ] == ["6人", "0人", "9人", "0人"]
    assert "前年度以前の値は足していません" in page
    assert "（令和8年度の値のみ・1/2市町村）" in page
    data = response.context["data"]
    assert data.totals.as_tuple() == (6, 0, 9, 0)
    # the rates are per the reported towns' population (20,000), not all 25,000
    assert str(data.total_rates[0]) == "3.0"
    # となり町 still shows its 令和7年度 figures in its own row, marked by their year
    row = next(row for row in data.rows if row.town.name == "となり町")
    assert (row.counts_fiscal_year, row.counts.smid_adults) == (2025, 2)
    assert "令和7年度" in page


def test_the_prefecture_viewer_is_not_moved_to_one_towns_new_year(
    one_town_ahead, client_for, far_town
):
    _approved(far_town, 2025, (1, 1, 1, 1))
    page, response = _page(client_for("prefecture_user"))
    assert response.context["data"].fiscal_year == 2025
    assert _stat(page, "reported") == "3市町村中3市町村が報告済み"


counts = st.builds(Counts, *[st.integers(0, 50)] * 4)
town = st.tuples(st.sampled_from([None, 2024, 2025, 2026]), st.none() | counts, st.integers(0, 9))


@given(st.lists(town, max_size=12), st.sampled_from([2024, 2025, 2026]))
def test_totals_add_only_figures_of_the_year_shown(towns, year):
    totals = year_totals(towns, fiscal_year=year)
    of_year = [(c, p) for y, c, p in towns if c is not None and y == year]
    assert totals.counts.as_tuple() == tuple(
        sum(c.as_tuple()[i] for c, _ in of_year) for i in range(4)
    )
    assert (totals.reported, totals.towns) == (len(of_year), len(towns))
    assert totals.population == sum(p for _, p in of_year)
    assert totals.is_complete == (len(of_year) == len(towns))
    # adding a town with figures of another year changes nothing but the number of towns
    other = year_totals([*towns, (year - 1, Counts(9, 9, 9, 9), 100)], fiscal_year=year)
    assert (other.counts, other.reported, other.population) == (
        totals.counts,
        totals.reported,
        totals.population,
    )
    assert other.towns == totals.towns + 1
