"""Issue 20 item 5 in real Chromium: a town downloads its import template, fills it in with
令和 dates, imports it with "submit all", and its reports arrive submitted; at 1280 and 390 px."""

import csv
import io
from pathlib import Path

import pytest

from hokenfukushi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPORT = "/admin/caseload/countreport/import/"


@pytest.mark.parametrize("width", [1280, 390])
def test_template_download_and_a_reiwa_dated_import(
    width, page, login, screenshot, axe_violations, admin_demo, tmp_path
):
    from caseload.models import CountReport, ReportStatus

    page.set_viewport_size({"width": width, "height": 900})
    login("honjo", DEMO_PASSWORD)
    page.goto(IMPORT)
    assert axe_violations(page) == []
    screenshot(f"caseload-import-page-{width}")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="入力用のひな形（CSV）をダウンロード").click()
    download = waiting.value
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["112119"]  # honjo enters 本庄市 only

    rows = [["112119", "令和8年4月1日", "6", "4", "36", "2", "3", "1"]]
    filled = tmp_path / "counts.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    filled.write_text(buffer.getvalue(), encoding="utf-8-sig")

    page.get_by_label("CSV または Excel（.xlsx）ファイル").set_input_files(str(filled))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_load_state()
    assert "令和8年4月1日" in page.locator("#import-rows").inner_text()
    page.get_by_label("取り込んだ報告をすべて提出する").check()
    assert axe_violations(page) == []
    screenshot(f"caseload-import-reiwa-preview-{width}")
    page.get_by_role("button", name="この内容で取り込む").click()
    page.wait_for_load_state()
    assert "下書きはすべて提出しました" in page.content()
    report = CountReport.objects.get(municipality__code="112119", fiscal_year=2026)
    assert report.status == ReportStatus.SUBMITTED
    assert report.smid_children_with_medical_care == 3
    screenshot(f"caseload-import-done-{width}")


def test_submit_button_on_a_draft_at_both_widths(
    page, login, screenshot, axe_violations, admin_demo, enter_counts
):
    from caseload.models import CountReport

    login("honjo", DEMO_PASSWORD)
    page.goto("/admin/caseload/countreport/add/")
    assert page.get_by_label("市町村").input_value() != ""  # the only town, preselected
    enter_counts("R8.4.1")
    report = CountReport.objects.get(municipality__code="112119", fiscal_year=2026)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        button = page.get_by_role("link", name="この報告を提出する")
        box = button.bounding_box()
        assert box["height"] >= 36 and box["x"] + box["width"] <= width
        assert axe_violations(page) == []
        screenshot(f"caseload-submit-button-{width}")
    button.click()
    page.get_by_role("button", name="提出する").click()
    page.wait_for_load_state()
    assert "提出済み・第2版" in page.content() and "過去の版" not in page.content()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_bulk_approve_with_its_confirmation(page, login, screenshot, axe_violations, admin_demo):
    import datetime as dt

    from caseload.factories import CountReportFactory
    from caseload.models import CountReport, ReportStatus
    from hokenfukushi.models import Municipality

    for code in ("112119", "113816"):
        CountReportFactory(
            municipality=Municipality.objects.get(code=code),
            as_of=dt.date(2026, 4, 1),
            submitted=True,
        )
    login("center", DEMO_PASSWORD)
    page.goto("/admin/caseload/countreport/?status__exact=submitted")
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option("approve_selected")
    page.get_by_role("button", name="実行").click()
    page.wait_for_load_state()
    assert "2件を承認する" in page.content()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == []
        screenshot(f"caseload-bulk-approve-{width}")
    page.get_by_role("button", name="2件を承認する").click()
    page.wait_for_load_state()
    assert "2件の報告を承認しました" in page.content()
    assert CountReport.objects.filter(fiscal_year=2026, status=ReportStatus.APPROVED).count() == 2


def test_a_town_sees_its_sent_back_report_and_why(
    page, login, screenshot, axe_violations, admin_demo
):
    from caseload import services
    from caseload.models import CountReport
    from hokenfukushi.models import User

    report = CountReport.objects.get(municipality__code="112119", fiscal_year=2025)
    services.reopen_report(
        user=User.objects.get(username="center"),
        report=report,
        expected_version=report.version,
        reason="重症心身障害者の数を前年度と比べて確認してください",
    )
    login("honjo", DEMO_PASSWORD)
    page.goto("/admin/caseload/countreport/")
    page.get_by_role("link", name="差し戻された報告").click()
    page.wait_for_load_state()
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "前年度と比べて確認してください" in rows.first.inner_text()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == []
        screenshot(f"caseload-sent-back-list-{width}")
