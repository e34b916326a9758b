"""Workflow through the services, per role: enter, submit, approve (locks), reopen, stale edits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from caseload import services
from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus

pytestmark = pytest.mark.django_db

COUNTS = {
    "smid_children": 6,
    "medical_care_children": 4,
    "smid_adults": 36,
    "medical_care_adults": 2,
}


def test_municipal_staff_enter_and_submit_the_center_approves(town, municipal_user, region_admin):
    report = services.create_report(
        user=municipal_user, municipality=town, as_of=dt.date(2025, 4, 1), counts=COUNTS
    )
    assert (report.status, report.fiscal_year, report.version) == ("draft", 2025, 1)

    services.submit_report(user=municipal_user, report=report, expected_version=1)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == municipal_user and report.submitted_at is not None

    with pytest.raises(services.WorkflowError):
        services.approve_report(user=municipal_user, report=report, expected_version=2)
    services.approve_report(user=region_admin, report=report, expected_version=2)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == region_admin

    # who did what, when: one history row per step, with the step's name
    steps = [
        (h.history_user, h.history_change_reason) for h in report.history.order_by("history_id")
    ]
    assert steps == [
        (municipal_user, "作成"),
        (municipal_user, "提出"),
        (region_admin, "承認"),
    ]


def test_approved_report_is_locked_until_the_center_reopens_it_with_a_reason(
    town, municipal_user, region_admin
):
    report = CountReportFactory(municipality=town, approved=True)
    for user in (municipal_user, region_admin):
        with pytest.raises(services.WorkflowError, match="承認済みの報告は編集できません"):
            services.update_report(user=user, report=report, expected_version=1, counts=COUNTS)
    with pytest.raises(services.WorkflowError):
        services.reopen_report(user=municipal_user, report=report, expected_version=1, reason="x")
    with pytest.raises(ValidationError, match="理由を入力"):
        services.reopen_report(user=region_admin, report=report, expected_version=1, reason="  ")

    services.reopen_report(
        user=region_admin, report=report, expected_version=1, reason="成人の数え方を確認"
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.reopen_reason == "成人の数え方を確認"
    assert report.approved_by is None
    services.update_report(user=municipal_user, report=report, expected_version=2, counts=COUNTS)
    report.refresh_from_db()
    assert report.smid_adults == 36


def test_other_towns_and_regions_cannot_touch_the_report(
    town, other_town_user, other_region_user, prefecture_user
):
    report = CountReportFactory(municipality=town)
    for user in (other_town_user, other_region_user, prefecture_user):
        with pytest.raises(services.WorkflowError):
            services.update_report(user=user, report=report, expected_version=1, counts=COUNTS)
        with pytest.raises(services.WorkflowError):
            services.submit_report(user=user, report=report, expected_version=1)
        with pytest.raises(services.WorkflowError):
            services.create_report(
                user=user, municipality=town, as_of=dt.date(2026, 4, 1), counts=COUNTS
            )
    report.refresh_from_db()
    assert (report.status, report.version, report.smid_adults) == ("draft", 1, 10)


def test_a_stale_edit_is_refused_naming_who_changed_it_and_overwrites_nothing(
    town, municipal_user, region_admin
):
    region_admin.last_name = "基幹センター"
    region_admin.save()
    report = CountReportFactory(municipality=town)
    # both open version 1; the center saves first
    mine = CountReport.objects.get(pk=report.pk)
    theirs = CountReport.objects.get(pk=report.pk)
    services.update_report(
        user=region_admin, report=theirs, expected_version=1, counts={**COUNTS, "smid_adults": 40}
    )
    with pytest.raises(services.StaleReportError) as refused:
        services.update_report(
            user=municipal_user,
            report=mine,
            expected_version=1,
            counts={**COUNTS, "smid_adults": 99},
        )
    assert "基幹センターさんが" in str(refused.value)
    assert "上書きはしていません" in str(refused.value)
    report.refresh_from_db()
    assert (report.smid_adults, report.version) == (40, 2)


def test_invalid_counts_are_refused_with_field_messages(town, municipal_user):
    with pytest.raises(ValidationError) as refused:
        services.create_report(
            user=municipal_user,
            municipality=town,
            as_of=dt.date(2025, 4, 1),
            counts={**COUNTS, "smid_children_with_medical_care": 7},
        )
    assert "smid_children_with_medical_care" in refused.value.message_dict
    assert not CountReport.objects.exists()


def test_one_report_per_town_and_date(town, municipal_user):
    CountReportFactory(municipality=town)
    with pytest.raises(ValidationError, match="すでにあります"):
        services.create_report(
            user=municipal_user, municipality=town, as_of=dt.date(2025, 4, 1), counts=COUNTS
        )


@pytest.mark.parametrize(
    "values",
    [
        {"smid_children": -1},
        {"smid_adults_with_medical_care": 11},  # more than smid_adults=10
        {"smid_children_with_medical_care": 4},  # more than smid_children=3
    ],
)
def test_database_constraints_refuse_bad_rows_without_the_services(town, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        CountReportFactory(municipality=town, **values)


def test_database_refuses_a_second_report_for_the_same_town_and_date(town):
    CountReportFactory(municipality=town)
    with pytest.raises(IntegrityError), transaction.atomic():
        CountReportFactory(municipality=town)


def test_year_over_year_flags_compare_with_last_years_approved_report(town):
    CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1), approved=True, smid_adults=36)
    CountReportFactory(municipality=town, as_of=dt.date(2024, 10, 1), smid_adults=1)  # draft
    report = CountReportFactory(municipality=town, submitted=True, smid_adults=20)
    previous, flags = services.year_over_year_flags_for(report)
    assert previous.as_of == dt.date(2024, 4, 1)
    assert [(f.field, f.previous, f.current) for f in flags] == [("smid_adults", 36, 20)]


def test_only_drafts_can_be_deleted(town, municipal_user):
    approved = CountReportFactory(municipality=town, approved=True)
    with pytest.raises(services.WorkflowError):
        services.delete_draft(user=municipal_user, report=approved)
    draft = CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1))
    services.delete_draft(user=municipal_user, report=draft)
    assert list(CountReport.objects.all()) == [approved]
