"""Read methods the dashboard and exports depend on: status per town and latest approved."""

import datetime as dt

import pytest

from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportCompleteness, ReportStatus
from hokenfukushi.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_fiscal_year_follows_from_as_of_date(town):
    march = CountReportFactory(municipality=town, as_of=dt.date(2026, 3, 31))
    april = CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1))
    march.refresh_from_db()
    april.refresh_from_db()
    assert (march.fiscal_year, april.fiscal_year) == (2025, 2026)


def test_status_by_town_marks_missing_unapproved_and_approved(town, other_town, far_town):
    draft = CountReportFactory(municipality=other_town)
    approved = CountReportFactory(municipality=town, approved=True)
    # last year's approved report says nothing about this year
    CountReportFactory(municipality=far_town, as_of=dt.date(2024, 4, 1), approved=True)

    statuses = CountReport.objects.status_by_town([town, other_town, far_town], 2025)

    assert statuses[town.pk].status == ReportCompleteness.APPROVED
    assert statuses[town.pk].label == "承認済み"
    assert statuses[town.pk].report == approved
    assert statuses[other_town.pk].status == ReportCompleteness.UNAPPROVED
    assert statuses[other_town.pk].label == "未承認"
    assert statuses[other_town.pk].report == draft
    assert statuses[far_town.pk].status == ReportCompleteness.MISSING
    assert statuses[far_town.pk].label == "未報告"
    assert statuses[far_town.pk].report is None


def test_an_approved_report_wins_over_a_later_draft_in_the_same_year(town):
    approved = CountReportFactory(municipality=town, approved=True)
    CountReportFactory(municipality=town, as_of=dt.date(2025, 10, 1))
    status = CountReport.objects.status_by_town([town.pk], 2025)[town.pk]
    assert status.status == ReportCompleteness.APPROVED
    assert status.report == approved


def test_status_by_town_hides_reports_outside_the_users_read_scope(
    town, far_town, municipal_user, other_region_user
):
    CountReportFactory(municipality=town, approved=True)
    mine = CountReport.objects.visible_to(municipal_user).status_by_town([town], 2025)
    theirs = CountReport.objects.visible_to(other_region_user).status_by_town([town], 2025)
    assert mine[town.pk].status == ReportCompleteness.APPROVED
    assert theirs[town.pk].status == ReportCompleteness.MISSING
    assert theirs[town.pk].report is None


def test_status_by_town_takes_one_query_however_many_towns(region, django_assert_num_queries):
    def run():
        towns = list(region.municipalities.all())
        with django_assert_num_queries(1):
            statuses = CountReport.objects.status_by_town(towns, 2025)
            # reading the town of each report must not query again
            names = [s.report.municipality.name for s in statuses.values() if s.report]
        return names

    for _ in range(3):
        town = MunicipalityFactory(region=region)
        CountReportFactory(municipality=town, approved=True)
    assert len(run()) == 3
    for _ in range(20):
        town = MunicipalityFactory(region=region)
        CountReportFactory(municipality=town)
        CountReportFactory(municipality=town, as_of=dt.date(2025, 6, 1), approved=True)
    assert len(run()) == 23


def test_latest_approved_up_to_takes_each_towns_latest_approved_year(town, other_town, far_town):
    CountReportFactory(municipality=town, as_of=dt.date(2023, 4, 1), approved=True)
    town_2024 = CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1), approved=True)
    CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1), submitted=True)
    CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1), approved=True)
    other_2025 = CountReportFactory(municipality=other_town, approved=True)
    CountReportFactory(municipality=far_town)  # draft only: no figures

    latest = set(CountReport.objects.latest_approved_up_to(2025))

    assert latest == {town_2024, other_2025}
    assert all(report.status == ReportStatus.APPROVED for report in latest)


def test_latest_approved_up_to_respects_scope(town, far_town, municipal_user):
    mine = CountReportFactory(municipality=town, approved=True)
    CountReportFactory(municipality=far_town, approved=True)
    visible = CountReport.objects.visible_to(municipal_user).latest_approved_up_to(2025)
    assert list(visible) == [mine]


def test_latest_approved_up_to_is_one_query_as_data_grows(region, django_assert_num_queries):
    for size in (2, 30):
        for _ in range(size):
            town = MunicipalityFactory(region=region)
            for year in (2023, 2024, 2025):
                CountReportFactory(municipality=town, as_of=dt.date(year, 4, 1), approved=True)
        with django_assert_num_queries(1):
            reports = list(
                CountReport.objects.latest_approved_up_to(2024).select_related("municipality")
            )
            assert {r.fiscal_year for r in reports} == {2024}
            [r.municipality.code for r in reports]


def test_approved_by_town_and_year_takes_the_latest_approved_report_of_each_year(town):
    CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1), approved=True)
    autumn = CountReportFactory(municipality=town, as_of=dt.date(2025, 10, 1), approved=True)
    CountReportFactory(municipality=town, as_of=dt.date(2026, 1, 1))  # draft: not a figure
    last_year = CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1), approved=True)
    assert CountReport.objects.approved_by_town_and_year() == {
        (town.pk, 2025): autumn,
        (town.pk, 2024): last_year,
    }


def test_completeness_by_town_agrees_with_status_by_town(town, other_town, far_town):
    """The dashboard reads only the completeness; it must be the one status_by_town gives."""
    CountReportFactory(municipality=other_town)
    CountReportFactory(municipality=town, approved=True)
    CountReportFactory(municipality=town, as_of=dt.date(2025, 10, 1))  # a later draft
    CountReportFactory(municipality=far_town, as_of=dt.date(2024, 4, 1), approved=True)
    towns = [town, other_town, far_town]

    completeness = CountReport.objects.completeness_by_town(towns, 2025)

    assert completeness == {
        town.pk: ReportCompleteness.APPROVED,
        other_town.pk: ReportCompleteness.UNAPPROVED,
        far_town.pk: ReportCompleteness.MISSING,
    }
    statuses = CountReport.objects.status_by_town(towns, 2025)
    assert completeness == {pk: status.status for pk, status in statuses.items()}
