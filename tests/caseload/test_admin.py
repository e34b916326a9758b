"""The count-report admin as each role: scope, workflow pages, stale-edit refusal, history."""

import datetime as dt

import pytest

from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus
from hokenfukushi.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/caseload/countreport/"


def form_data(report=None, **overrides):
    data = {
        "municipality": report.municipality_id if report else "",
        "as_of": "2025-04-01",
        "smid_children": 6,
        "medical_care_children": 4,
        "smid_adults": 36,
        "medical_care_adults": 2,
        "smid_children_with_medical_care": "",
        "smid_adults_with_medical_care": "",
        "note": "",
    }
    if report is not None:
        data["expected_version"] = report.version
    data.update(overrides)
    return data


@pytest.fixture
def reports(town, other_town, far_town):
    return {
        "own": CountReportFactory(municipality=town),
        "other": CountReportFactory(municipality=other_town),
        "far": CountReportFactory(municipality=far_town),
    }


# role -> status of change and history pages for own/other/far town's report
PAGES = {
    "region_admin": {"own": 200, "other": 200, "far": 404},
    "municipal_user": {"own": 200, "other": 404, "far": 404},
    "other_town_user": {"own": 404, "other": 200, "far": 404},
    "other_region_user": {"own": 404, "other": 404, "far": 200},
}


@pytest.mark.parametrize("role", PAGES)
def test_change_and_history_pages_answer_404_outside_the_worklist(role, client_for, reports):
    client = client_for(role)
    for key, status in PAGES[role].items():
        pk = reports[key].pk
        for suffix in ("change/", "history/", "submit/", "approve/", "reopen/"):
            assert client.get(f"{LIST}{pk}/{suffix}").status_code in (
                (status,) if status == 404 or suffix in ("change/", "history/") else (200, 302)
            ), (key, suffix)


@pytest.mark.parametrize("role", ["prefecture_user", "anonymous"])
def test_non_staff_are_sent_to_the_login(role, client_for, reports):
    response = client_for(role).get(f"{LIST}{reports['own'].pk}/change/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_municipal_staff_list_only_their_own_town(client_for, reports):
    page = client_for("municipal_user").get(LIST).content.decode()
    assert "テスト市" in page and "となり町" not in page and "とおく村" not in page
    page = client_for("region_admin").get(LIST).content.decode()
    assert "テスト市" in page and "となり町" in page and "とおく村" not in page


def test_list_query_count_is_constant_as_reports_grow(
    client_for, region, django_assert_max_num_queries
):
    client = client_for("region_admin")
    for n in (3, 40):
        for _ in range(n):
            CountReportFactory(municipality=MunicipalityFactory(region=region))
        with django_assert_max_num_queries(12):
            assert client.get(LIST).status_code == 200


def test_whole_workflow_through_the_admin(client_for, town, municipal_user, region_admin):
    honjo, center = client_for("municipal_user"), client_for("region_admin")

    response = honjo.post(f"{LIST}add/", form_data(municipality=town.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    report = CountReport.objects.get()
    assert (report.status, report.smid_adults, report.fiscal_year) == ("draft", 36, 2025)

    page = honjo.get(f"{LIST}{report.pk}/change/").content.decode()
    assert "この報告を提出する" in page and "承認する…" not in page
    honjo.post(f"{LIST}{report.pk}/submit/", {"expected_version": 1})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # municipal staff cannot approve, even by posting directly
    honjo.post(f"{LIST}{report.pk}/approve/", {"expected_version": 2})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    page = center.get(f"{LIST}{report.pk}/approve/").content.decode()
    assert "前年度の承認値なし" in page
    center.post(f"{LIST}{report.pk}/approve/", {"expected_version": 2})
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == region_admin

    # locked: the form is read-only and a direct POST changes nothing
    page = honjo.get(f"{LIST}{report.pk}/change/").content.decode()
    assert "ロックされています" in page and 'name="smid_adults"' not in page
    honjo.post(f"{LIST}{report.pk}/change/", form_data(report, smid_adults=1))
    report.refresh_from_db()
    assert report.smid_adults == 36

    # reopening needs a reason
    response = center.post(f"{LIST}{report.pk}/reopen/", {"expected_version": 3, "reason": ""})
    assert "このフィールドは必須です" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    center.post(f"{LIST}{report.pk}/reopen/", {"expected_version": 3, "reason": "成人の再確認"})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert (
        "差し戻しの理由: 成人の再確認" in honjo.get(f"{LIST}{report.pk}/change/").content.decode()
    )

    history = center.get(f"{LIST}{report.pk}/history/").content.decode()
    for step in ("作成", "提出", "承認", "差し戻し: 成人の再確認"):
        assert step in history


def test_a_stale_save_is_refused_with_who_changed_it_and_the_input_kept(
    client_for, town, region_admin
):
    region_admin.last_name = "基幹センター"
    region_admin.save()
    report = CountReportFactory(municipality=town, smid_adults=10)
    honjo = client_for("municipal_user")
    assert (
        'name="expected_version" value="1"'
        in honjo.get(f"{LIST}{report.pk}/change/").content.decode()
    )
    # the center saves while honjo's form is open
    client_for("region_admin").post(f"{LIST}{report.pk}/change/", form_data(report, smid_adults=12))
    response = honjo.post(f"{LIST}{report.pk}/change/", form_data(report, smid_adults=99))
    page = response.content.decode()
    assert response.status_code == 200
    assert "基幹センターさんが" in page and "上書きはしていません" in page
    assert 'name="smid_adults" value="99"' in page  # nothing the user typed is lost
    report.refresh_from_db()
    assert (report.smid_adults, report.version) == (12, 2)


def test_constraint_errors_show_next_to_the_field_in_japanese(client_for, town):
    response = client_for("municipal_user").post(
        f"{LIST}add/",
        form_data(municipality=town.pk, smid_children=2, smid_children_with_medical_care=3),
    )
    form = response.context["adminform"].form
    assert form.errors["smid_children_with_medical_care"] == [
        "「重症心身障害児のうち医療的ケアが必要な方」（3）は「重症心身障害児」（2）を超えられません。"
    ]
    assert not CountReport.objects.exists()


def test_municipal_staff_cannot_file_a_report_under_another_town(client_for, other_town):
    response = client_for("municipal_user").post(
        f"{LIST}add/", form_data(municipality=other_town.pk)
    )
    assert "municipality" in response.context["adminform"].form.errors
    assert not CountReport.objects.exists()


def test_year_over_year_flag_is_shown_to_the_approver(client_for, town):
    CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1), approved=True, smid_adults=36)
    report = CountReportFactory(municipality=town, submitted=True, smid_adults=20)
    page = client_for("region_admin").get(f"{LIST}{report.pk}/approve/").content.decode()
    assert "前年度の承認値 36 から 20" in page
    assert '<tr class="flagged">' in page


def test_revert_to_an_old_version_is_disabled(client_for, town):
    report = CountReportFactory(municipality=town)
    record = report.history.first()
    response = client_for("region_admin").get(f"{LIST}{report.pk}/history/{record.pk}/")
    assert response.status_code == 404


def test_only_drafts_offer_delete(client_for, town):
    approved = CountReportFactory(municipality=town, approved=True)
    client = client_for("region_admin")
    assert client.get(f"{LIST}{approved.pk}/delete/").status_code == 403
    assert client.post(f"{LIST}{approved.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CountReport.objects.filter(pk=approved.pk).exists()


def test_drafts_can_be_deleted_one_by_one_but_not_in_bulk(client_for, town):
    draft = CountReportFactory(municipality=town)
    client = client_for("municipal_user")
    assert 'value="delete_selected"' not in client.get(LIST).content.decode()
    response = client.post(f"{LIST}{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CountReport.objects.exists()


def test_fiscal_year_filter_speaks_wareki_and_filters(client_for, town, far_town):
    CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1))
    CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1))
    CountReportFactory(municipality=far_town, as_of=dt.date(2019, 4, 1))  # another region
    client = client_for("region_admin")
    page = client.get(LIST).content.decode()
    assert "令和7年度（2025）" in page and "令和6年度（2024）" in page
    assert "令和元年度" not in page  # only years of reports the user reads
    filtered = client.get(LIST, {"fiscal_year__exact": "2024"})
    assert [r.fiscal_year for r in filtered.context["cl"].result_list] == [2024]
