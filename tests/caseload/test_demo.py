import pytest
from django.core.management import call_command
from django.db.models import Sum

from caseload.models import CountReport, ReportStatus


@pytest.mark.django_db
def test_demo_reports_are_the_fy2025_figures_approved_and_marked_demo():
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    reports = CountReport.objects.filter(fiscal_year=2025)
    assert reports.count() == 4
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.APPROVED}
    assert all("（デモ）" in note for note in reports.values_list("note", flat=True))
    totals = reports.aggregate(
        *(Sum(f) for f in ("smid_children", "medical_care_children", "smid_adults"))
    )
    assert list(totals.values()) == [7, 5, 42]
    honjo = reports.get(municipality__code="112119")
    assert (
        honjo.smid_children,
        honjo.medical_care_children,
        honjo.smid_adults,
        honjo.medical_care_adults,
    ) == (6, 4, 36, 2)
    assert reports.aggregate(Sum("medical_care_adults"))["medical_care_adults__sum"] == 2
