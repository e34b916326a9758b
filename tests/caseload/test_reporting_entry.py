"""Entry that fits the office (issue 20 item 5) and the admin half of the to-dos (item 4):
和暦 dates typed and shown, the import template, submit-all, bulk 提出/承認, the 提出 button,
headings, display names, sent-back reports -- each as the roles who meet them."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caseload import services
from caseload.definitions import DEFINITIONS
from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus
from hokenfukushi.factories import PopulationSnapshotFactory
from hokenfukushi.fiscal import current_fiscal_year, fiscal_year_bounds, wareki

pytestmark = pytest.mark.django_db

LIST = "/admin/caseload/countreport/"
ADD = f"{LIST}add/"
IMPORT = f"{LIST}import/"
TEMPLATE = f"{IMPORT}template.csv"
HEADER = "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\n"


def upload(client, text: str):
    data = text.encode("utf-8-sig")
    return client.post(IMPORT, {"file": SimpleUploadedFile("counts.csv", data, "text/csv")})


def confirm(client, preview, *, submit_all=False):
    data = {"csv_text": preview.context["confirm_form"]["csv_text"].value(), "confirm": "1"}
    if submit_all:
        data["submit_all"] = "on"
    return client.post(IMPORT, data)


# --- import: 和暦 dates, template, submit all ---------------------------------------------------


def test_an_import_file_with_reiwa_dates_is_accepted(client_for, town, other_town):
    client = client_for("region_admin")
    text = HEADER + f"{town.code},令和7年4月1日,6,4,36,2\n{other_town.code},R8.4.1,0,1,0,0\n"
    preview = upload(client, text)
    assert preview.context["plan"].ok, preview.context["plan"].errors
    assert "令和8年4月1日" in preview.content.decode()
    assert confirm(client, preview).status_code == 302
    assert sorted(CountReport.objects.values_list("as_of", flat=True)) == [
        dt.date(2025, 4, 1),
        dt.date(2026, 4, 1),
    ]


def test_an_unreadable_date_names_the_formats_that_work(client_for, town):
    preview = upload(client_for("municipal_user"), HEADER + f"{town.code},来年度,1,1,1,1\n")
    messages = [error.message for error in preview.context["plan"].errors]
    assert any("令和8年4月1日" in message and "R8.4.1" in message for message in messages)
    assert not CountReport.objects.exists()


def _template(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())  # Excel opens UTF-8 with a BOM in Japanese
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# role -> the towns whose codes the template lists (None: no template at all)
TEMPLATE_TOWNS = {
    "region_admin": ["town", "other_town"],
    "municipal_user": ["town"],
    "other_town_user": ["other_town"],
    "other_region_user": ["far_town"],
    "prefecture_user": None,
    "anonymous": None,
}


@pytest.mark.parametrize("role", TEMPLATE_TOWNS)
def test_the_import_template_lists_the_users_towns(role, client_for, request, far_town):
    towns = {name: request.getfixturevalue(name) for name in ("town", "other_town", "far_town")}
    response = client_for(role).get(TEMPLATE)
    expected = TEMPLATE_TOWNS[role]
    if expected is None:
        assert response.status_code in (302, 403)
        assert b"\xef\xbb\xbf" not in response.content
        return
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _template(response)
    assert header[:6] == HEADER.strip().split(",")
    assert "重症心身障害児のうち医療的ケアが必要な方" in header
    assert [row[0] for row in rows] == sorted(towns[name].code for name in expected)
    april_first = wareki(fiscal_year_bounds(current_fiscal_year())[0])
    assert {row[1] for row in rows} == {april_first}


def test_a_filled_in_template_imports(client_for, town):
    client = client_for("municipal_user")
    header, row = _template(client.get(TEMPLATE))
    row[2:6] = ["1", "2", "3", "4"]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    preview = upload(client, buffer.getvalue())
    assert preview.context["plan"].ok, preview.context["plan"].errors
    assert confirm(client, preview).status_code == 302
    assert CountReport.objects.get().municipality == town


def test_the_import_page_offers_the_template_and_the_definitions(client_for):
    page = client_for("municipal_user").get(IMPORT).content.decode()
    assert TEMPLATE in page
    assert "重症心身障害児・者に数えていない" in page


def test_submit_all_after_import_submits_every_draft_of_the_file(client_for, municipal_user, town):
    already = CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1), submitted=True)
    client = client_for("municipal_user")
    text = HEADER + f"{town.code},R7.4.1,6,4,36,2\n{town.code},令和6年4月1日,3,2,10,1\n"
    preview = upload(client, text)
    assert "取り込んだ報告をすべて提出する" in preview.content.decode()
    response = confirm(client, preview, submit_all=True)
    assert response.status_code == 302
    new = CountReport.objects.get(as_of=dt.date(2025, 4, 1))
    assert new.status == ReportStatus.SUBMITTED and new.submitted_by == municipal_user
    already.refresh_from_db()
    assert already.status == ReportStatus.SUBMITTED and already.version == 1  # untouched


def test_submit_all_is_all_or_nothing(client_for, town, monkeypatch):
    def refuse(**kwargs):
        raise services.WorkflowError("提出できません（テスト）")

    monkeypatch.setattr(services, "submit_reports", refuse)
    client = client_for("municipal_user")
    preview = upload(client, HEADER + f"{town.code},R7.4.1,6,4,36,2\n")
    response = confirm(client, preview, submit_all=True)
    assert response.status_code == 200
    assert "提出できません（テスト）" in response.content.decode()
    assert not CountReport.objects.exists()  # the imported row was rolled back too


def test_without_submit_all_the_rows_stay_drafts(client_for, town):
    client = client_for("municipal_user")
    confirm(client, upload(client, HEADER + f"{town.code},R7.4.1,6,4,36,2\n"))
    assert CountReport.objects.get().status == ReportStatus.DRAFT


# --- forms: 和暦 typed, town preselected, definitions, button, heading, names ---------------


def test_the_add_form_reads_a_wareki_date_and_preselects_the_only_town(client_for, town):
    client = client_for("municipal_user")
    form = client.get(ADD).context["adminform"].form
    assert form.initial["municipality"] == town.pk
    assert DEFINITIONS["medical_care_children"] in client.get(ADD).content.decode()
    response = client.post(
        ADD,
        {
            "municipality": town.pk,
            "as_of": "令和8年4月1日",
            "smid_children": 1,
            "medical_care_children": 0,
            "smid_adults": 2,
            "medical_care_adults": 0,
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    report = CountReport.objects.get()
    assert report.as_of == dt.date(2026, 4, 1) and report.fiscal_year == 2026
    assert str(report) == f"{town.name} 令和8年4月1日"


def test_a_region_admin_with_several_towns_chooses_one(client_for):
    form = client_for("region_admin").get(ADD).context["adminform"].form
    assert "municipality" not in form.initial


def test_a_bad_date_is_explained_on_the_date_field(client_for, town):
    response = client_for("municipal_user").post(
        ADD,
        {
            "municipality": town.pk,
            "as_of": "令和元年4月1日",  # still 平成31年 that day
            "smid_children": 1,
            "medical_care_children": 0,
            "smid_adults": 2,
            "medical_care_adults": 0,
        },
    )
    errors = response.context["adminform"].form.errors
    assert "R8.4.1" in str(errors["as_of"])


def test_the_overlap_above_its_total_is_explained_on_the_overlap_field(client_for, town):
    response = client_for("municipal_user").post(
        ADD,
        {
            "municipality": town.pk,
            "as_of": "R7.4.1",
            "smid_children": 1,
            "medical_care_children": 0,
            "smid_adults": 2,
            "medical_care_adults": 0,
            "smid_children_with_medical_care": 3,
        },
    )
    errors = response.context["adminform"].form.errors
    assert "smid_children_with_medical_care" in errors
    assert "__all__" not in errors


def test_the_submit_button_heading_and_display_names(client_for, municipal_user, town):
    municipal_user.last_name = "本庄 花子"
    municipal_user.save()
    report = CountReportFactory(municipality=town)
    client = client_for("municipal_user")
    page = client.get(f"{LIST}{report.pk}/change/").content.decode()
    assert 'class="button default caseload-submit-button"' in page
    assert "この報告を提出する" in page and "保存して提出へ進む" in page

    client.post(f"{LIST}{report.pk}/submit/", {"expected_version": report.version})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    page = client.get(f"{LIST}{report.pk}/change/").content.decode()
    assert "過去の版" not in page
    assert "在宅の対象者数の報告（提出済み・第2版）" in page
    assert "本庄 花子" in page and municipal_user.username not in page.split("提出者", 1)[1][:200]
    assert "この報告を提出する" not in page


def test_save_and_submit_goes_to_the_submit_step(client_for, town):
    report = CountReportFactory(municipality=town)
    response = client_for("municipal_user").post(
        f"{LIST}{report.pk}/change/",
        {
            "municipality": town.pk,
            "as_of": "R7.4.1",
            "smid_children": 5,
            "medical_care_children": 0,
            "smid_adults": 2,
            "medical_care_adults": 0,
            "expected_version": report.version,
            "_save_and_submit": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{report.pk}/submit/"
    report.refresh_from_db()
    assert report.smid_children == 5 and report.status == ReportStatus.DRAFT


def test_admin_lists_show_dates_in_wareki(client_for, town):
    PopulationSnapshotFactory(municipality=town, as_of=dt.date(2025, 10, 1))
    CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1))
    client = client_for("region_admin")
    assert (
        "令和7年10月1日" in client.get("/admin/hokenfukushi/populationsnapshot/").content.decode()
    )
    assert "令和7年4月1日" in client.get(LIST).content.decode()


# --- bulk 提出 and 承認 -----------------------------------------------------------------------


def _action(client, action, reports, *, confirmed=False):
    data = {"action": action, "_selected_action": [report.pk for report in reports]}
    if confirmed:
        data["confirm"] = "yes"
    return client.post(LIST, data)


def test_bulk_submit_by_a_town_is_confirmed_first_and_stays_in_its_town(
    client_for, municipal_user, town, other_town
):
    own = [
        CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1)),
        CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1)),
    ]
    others = CountReportFactory(municipality=other_town)
    client = client_for("municipal_user")
    page = _action(client, "submit_selected", [*own, others])
    assert page.status_code == 200
    assert "2件を提出する" in page.content.decode()
    assert not CountReport.objects.filter(status=ReportStatus.SUBMITTED).exists()

    _action(client, "submit_selected", [*own, others], confirmed=True)
    assert set(CountReport.objects.filter(status=ReportStatus.SUBMITTED)) == set(own)
    others.refresh_from_db()
    assert others.status == ReportStatus.DRAFT
    assert {r.submitted_by for r in CountReport.objects.filter(pk__in=[r.pk for r in own])} == {
        municipal_user
    }


def test_the_actions_each_role_is_offered(client_for, town):
    CountReportFactory(municipality=town)
    offered = {
        role: client_for(role).get(LIST).content.decode()
        for role in ("region_admin", "municipal_user")
    }
    assert "approve_selected" in offered["region_admin"]
    assert "approve_selected" not in offered["municipal_user"]
    assert "submit_selected" in offered["municipal_user"]


def test_a_town_cannot_approve_through_the_action(client_for, town):
    report = CountReportFactory(municipality=town, submitted=True)
    _action(client_for("municipal_user"), "approve_selected", [report], confirmed=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_bulk_approve_by_the_center(client_for, region_admin, town, other_town, far_town):
    submitted = [
        CountReportFactory(municipality=town, submitted=True),
        CountReportFactory(municipality=other_town, submitted=True),
    ]
    draft = CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1))
    far = CountReportFactory(municipality=far_town, submitted=True)
    client = client_for("region_admin")
    page = _action(client, "approve_selected", [*submitted, draft, far]).content.decode()
    assert "2件を承認する" in page and "対象外" in page
    _action(client, "approve_selected", [*submitted, draft, far], confirmed=True)
    assert set(CountReport.objects.approved()) == set(submitted)
    assert {r.approved_by for r in CountReport.objects.approved()} == {region_admin}
    assert all(r.history.first().history_change_reason == "承認（一括）" for r in submitted)


def test_other_region_admin_cannot_bulk_approve_ours(client_for, other_region, town):
    from hokenfukushi.factories import RegionAdminFactory

    report = CountReportFactory(municipality=town, submitted=True)
    client = client_for(RegionAdminFactory(region=other_region))
    _action(client, "approve_selected", [report], confirmed=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    "role", ["prefecture_user", "anonymous", "other_town_user", "other_region_user"]
)
def test_nobody_else_can_bulk_submit_a_towns_report(role, client_for, town):
    report = CountReportFactory(municipality=town)
    response = _action(client_for(role), "submit_selected", [report], confirmed=True)
    if role in ("prefecture_user", "anonymous"):
        assert response.status_code in (302, 403)
        assert "/login/" in response.get("Location", "/login/")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.version == 1


def test_a_bulk_service_changes_none_when_one_cannot_move(region_admin, town, other_town):
    ready = CountReportFactory(municipality=town, submitted=True)
    draft = CountReportFactory(municipality=other_town)
    with pytest.raises(services.WorkflowError):
        services.approve_reports(user=region_admin, reports=[ready, draft])
    ready.refresh_from_db()
    assert ready.status == ReportStatus.SUBMITTED and ready.version == 1


# --- sent back, with the reason, in the town's list --------------------------------------


def test_a_town_sees_its_sent_back_reports_with_the_reason(client_for, region_admin, town):
    report = CountReportFactory(municipality=town, submitted=True)
    services.reopen_report(
        user=region_admin, report=report, expected_version=1, reason="医療的ケア児の数を再確認"
    )
    CountReportFactory(municipality=town, as_of=dt.date(2024, 4, 1))
    client = client_for("municipal_user")
    page = client.get(f"{LIST}?sent_back=yes")
    assert list(page.context["cl"].result_list) == [report]
    assert "医療的ケア児の数を再確認" in page.content.decode()
    other = client_for("other_town_user").get(f"{LIST}?sent_back=yes")
    assert list(other.context["cl"].result_list) == []
    # above the list too, whatever the filter, so the town cannot miss it
    everything = client.get(LIST)
    assert everything.context["sent_back_reports"] == [report]
    assert client_for("other_town_user").get(LIST).context["sent_back_reports"] == []
    assert client_for("region_admin").get(LIST).context["sent_back_reports"] == []


# --- year lists end at the current fiscal year ----------------------------------------------


def test_year_lists_end_at_the_current_fiscal_year(client_for, town, region):
    from coordinators.factories import CoordinatorFactory, OrganizationFactory

    this_year = current_fiscal_year()
    CountReportFactory(municipality=town, as_of=dt.date(this_year, 4, 1), approved=True)
    CountReportFactory(municipality=town, as_of=dt.date(this_year + 1, 4, 1), approved=True)
    organization = OrganizationFactory(municipality=town)
    CoordinatorFactory(organization=organization, training_fiscal_year=this_year)
    CoordinatorFactory(organization=organization, training_fiscal_year=this_year + 1)
    client = client_for("region_admin")

    def choices(url, parameter):
        filters = client.get(url).context["cl"].filter_specs
        for spec in filters:  # a filter without choices is not shown at all
            if getattr(spec, "parameter_name", "") == parameter:
                return [value for value, _label in spec.lookup_choices]
        return []

    assert choices(LIST, "fiscal_year__exact") == [str(this_year)]
    coordinator_years = choices("/admin/coordinators/coordinator/", "training_fiscal_year")
    assert coordinator_years == [str(this_year)]
    overview = client.get("/caseload/")
    assert overview.context["years"] == [this_year]


def test_other_add_forms_preselect_the_only_choice_too(client_for, town, region):
    town_form = client_for("municipal_user").get("/admin/hokenfukushi/localresource/add/")
    assert town_form.context["adminform"].form.initial["municipality"] == town.pk
    center_form = client_for("region_admin").get("/admin/meetings/meeting/add/")
    assert center_form.context["adminform"].form.initial["region"] == region.pk


def test_the_bulk_confirmation_and_the_list_take_the_same_queries_for_2_or_12(
    client_for, region_admin, region
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hokenfukushi.factories import MunicipalityFactory

    client = client_for(region_admin)
    client.get(LIST)  # session and permissions warmed up
    counts = {}
    for count in (2, 12):
        CountReport.objects.all().delete()
        reports = [
            CountReportFactory(municipality=MunicipalityFactory(region=region), submitted=True)
            for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as confirm_page:
            page = _action(client, "approve_selected", reports)
        assert f"{count}件を承認する" in page.content.decode()
        with CaptureQueriesContext(connection) as list_page:
            assert client.get(LIST).status_code == 200
        counts[count] = (len(confirm_page), len(list_page))
    assert counts[2] == counts[12], counts


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("region_admin", 200),
        ("municipal_user", 200),
        ("other_town_user", 200),
        ("other_region_user", 200),
        ("prefecture_user", 302),
        ("anonymous", 302),
    ],
)
def test_the_sent_back_list_per_role(role, status, client_for, region_admin, town):
    report = CountReportFactory(municipality=town, submitted=True)
    services.reopen_report(user=region_admin, report=report, expected_version=1, reason="再確認")
    response = client_for(role).get(f"{LIST}?sent_back=yes")
    assert response.status_code == status
    if status == 200:
        shown = list(response.context["cl"].result_list)
        assert shown == ([report] if role in ("region_admin", "municipal_user") else [])


def test_every_admin_date_field_reads_wareki(client_for, region, town):
    from hokenfukushi.models import Council, CouncilForm, CouncilStatus, PopulationSnapshot

    client = client_for("region_admin")
    response = client.post(
        "/admin/hokenfukushi/council/add/",
        {
            "region": region.pk,
            "name": "和暦の協議の場",
            "form": CouncilForm.SINGLE,
            "municipalities": [town.pk],
            "status": CouncilStatus.ESTABLISHED,
            "status_date": "令和8年4月1日",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert Council.objects.get(name="和暦の協議の場").status_date == dt.date(2026, 4, 1)
    response = client_for("municipal_user").post(
        "/admin/hokenfukushi/populationsnapshot/add/",
        {"municipality": town.pk, "as_of": "R7.10.1", "population": 1234, "source": ""},
    )
    assert response.status_code == 302
    assert PopulationSnapshot.objects.get(municipality=town).as_of == dt.date(2025, 10, 1)
