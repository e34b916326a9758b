"""The year pages open on: the latest year every town in scope has approved (one query), and
the same rule over pairs already read (the caseload page)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from caseload.models import CountReport, latest_fiscal_year_reported_by_all
from hokenfukushi.models import Municipality

pytestmark = pytest.mark.django_db


def _report(town, year, **kwargs):
    return CountReportFactory(municipality=town, as_of=dt.date(year, 4, 1), **kwargs)


def test_one_towns_newer_year_does_not_move_the_default(
    town, other_town, far_town, region, django_assert_num_queries
):
    _report(town, 2025, approved=True)
    _report(other_town, 2025, approved=True)
    _report(town, 2026, approved=True)
    _report(other_town, 2026, submitted=True)  # submitted is not approved
    _report(far_town, 2024, approved=True)
    towns = Municipality.objects.filter(region=region)
    with django_assert_num_queries(1):
        assert CountReport.objects.latest_fiscal_year_approved_by_all(towns) == 2025
    # across both regions no year has all three towns
    assert (
        CountReport.objects.latest_fiscal_year_approved_by_all(Municipality.objects.all()) is None
    )
    CountReport.objects.filter(municipality=other_town).update(status="approved")
    assert CountReport.objects.latest_fiscal_year_approved_by_all(towns) == 2026


def test_no_towns_no_year(db):
    assert (
        CountReport.objects.latest_fiscal_year_approved_by_all(Municipality.objects.none()) is None
    )
    assert latest_fiscal_year_reported_by_all([], [(1, 2025)]) is None


@given(
    st.sets(st.integers(1, 4), min_size=1),
    st.lists(st.tuples(st.integers(1, 6), st.integers(2020, 2026))),
)
def test_the_pure_rule_picks_the_newest_year_all_towns_have(towns, pairs):
    year = latest_fiscal_year_reported_by_all(towns, pairs)
    complete = [y for y in range(2020, 2027) if towns <= {t for t, yy in pairs if yy == y}]
    assert year == max(complete, default=None)
