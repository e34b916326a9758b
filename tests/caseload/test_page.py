"""The /caseload/ page as each role: approved figures, totals, rates, this year's status."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus
from hokenfukushi.factories import MunicipalityFactory, PopulationSnapshotFactory
from hokenfukushi.fiscal import current_fiscal_year

pytestmark = pytest.mark.django_db

URL = "/caseload/"


@pytest.fixture
def figures(town, other_town, far_town):
    PopulationSnapshotFactory(municipality=town, population=20000)
    PopulationSnapshotFactory(municipality=other_town, population=5000)
    CountReportFactory(
        municipality=town,
        approved=True,
        smid_children=6,
        medical_care_children=4,
        smid_adults=36,
        medical_care_adults=2,
    )
    CountReportFactory(municipality=other_town, submitted=True, smid_adults=999)
    CountReportFactory(municipality=far_town, approved=True, smid_adults=777)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("region_admin", {"テスト市", "となり町"}),
        ("municipal_user", {"テスト市", "となり町"}),
        ("other_town_user", {"テスト市", "となり町"}),
        ("other_region_user", {"とおく村"}),
        ("prefecture_user", {"テスト市", "となり町", "とおく村"}),
    ],
)
def test_page_per_role_shows_only_towns_in_read_scope(role, sees, client_for, figures):
    response = client_for(role).get(URL, {"fiscal_year": 2025})
    assert response.status_code == 200
    shown = {row.town.name for row in response.context["rows"]}
    assert shown == sees


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_only_approved_figures_are_counted_and_unapproved_towns_are_marked(client_for, figures):
    response = client_for("municipal_user").get(URL, {"fiscal_year": 2025})
    page = response.content.decode()
    assert response.context["totals"] == [6, 4, 36, 2]
    assert response.context["grand_total"] == 48
    # 48 per 20,000 residents = 24.0 per 10,000 (the unapproved town's population is left out),
    # rounded like the dashboard's rates
    assert response.context["total_rate"] == Decimal("24.0")
    assert "999" not in page  # a submitted report's figures are never shown as figures
    assert "承認済みの報告がない市町村" in page and "となり町" in page


def test_demo_page_reproduces_the_source_table(client_for, settings):
    call_command("load_demo")
    from hokenfukushi.factories import RegionAdminFactory
    from hokenfukushi.models import Region

    center = RegionAdminFactory(region=Region.objects.get(name="児玉郡市"))
    response = client_for(center).get(URL, {"fiscal_year": 2025})
    assert response.context["totals"] == [7, 5, 42, 2]
    assert response.context["grand_total"] == 56
    assert response.context["reported_population"] == 129873
    page = response.content.decode()
    assert "令和7年度の人数（承認済み）" in page and "令和7年4月1日" in page


def test_this_years_status_column(client_for, town, other_town, monkeypatch):
    CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1), approved=True)
    CountReportFactory(municipality=other_town, as_of=dt.date(2025, 4, 1))
    monkeypatch.setattr("caseload.views.current_fiscal_year", lambda: 2025)
    response = client_for("region_admin").get(URL)
    statuses = {row.town.name: row.status.label for row in response.context["rows"]}
    assert statuses == {"テスト市": "承認済み", "となり町": "未承認"}


def test_bad_year_parameter_falls_back_to_the_default_year(client_for, figures, other_town):
    # となり町's report is only submitted: no year has every town approved -> the current year
    response = client_for("region_admin").get(URL, {"fiscal_year": "abc"})
    assert response.status_code == 200
    assert response.context["chosen_year"] == current_fiscal_year()
    CountReport.objects.filter(municipality=other_town).update(status=ReportStatus.APPROVED)
    response = client_for("region_admin").get(URL, {"fiscal_year": "abc"})
    assert response.context["chosen_year"] == 2025  # every town approved 令和7年度


def test_query_count_is_constant_as_towns_and_years_grow(
    client_for, region, django_assert_max_num_queries
):
    client = client_for("region_admin")
    for size in (2, 30):
        for _ in range(size):
            town = MunicipalityFactory(region=region)
            PopulationSnapshotFactory(municipality=town)
            for year in (2023, 2024, 2025):
                CountReportFactory(municipality=town, as_of=dt.date(year, 4, 1), approved=True)
        with django_assert_max_num_queries(6):
            response = client.get(URL)
        assert len(response.context["years"]) == 3


@pytest.mark.parametrize(
    ("role", "years"),
    [
        ("region_admin", [2025]),
        ("municipal_user", [2025]),
        ("other_town_user", [2025]),
        ("other_region_user", [2025, 2023]),
        ("prefecture_user", [2025, 2023]),
    ],
)
def test_a_year_reported_only_outside_the_read_scope_is_not_offered(
    role, years, client_for, figures, far_town
):
    # Only the far region reported in FY2023: its year must not show up as a column or a
    # choice for readers of the other region, which would tell them about its reports.
    CountReportFactory(municipality=far_town, as_of=dt.date(2023, 4, 1), approved=True)
    response = client_for(role).get(URL, {"fiscal_year": 2025})
    assert response.context["years"] == years
    assert ("令和5年度" in response.content.decode()) == (2023 in years)
