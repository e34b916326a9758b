"""The issue's acceptance walk in real Chromium: honjo enters and submits, center approves and
the report locks, misato gets 404; the /caseload/ page and the import preview, with axe."""

import pytest

from hokenfukushi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "/admin/caseload/countreport/"


def logout(page):
    page.context.clear_cookies()


def test_enter_submit_approve_lock_and_scope(
    page, login, screenshot, axe_violations, admin_demo, enter_counts
):
    from caseload.models import CountReport

    login("honjo", DEMO_PASSWORD)
    page.goto(f"{ADMIN}add/")
    enter_counts("2026-04-01", town="本庄市")
    report = CountReport.objects.get(municipality__code="112119", fiscal_year=2026)
    assert "状態: 下書き" in page.content()
    assert "前年度の承認値 36 から 20" in page.content()  # the check shows before submitting
    screenshot("caseload-admin-draft")
    page.get_by_role("link", name="この報告を提出する").click()
    page.get_by_role("button", name="提出する").click()
    page.wait_for_load_state()
    assert "提出しました" in page.content()

    logout(page)
    login("center", DEMO_PASSWORD)
    page.goto(f"{ADMIN}{report.pk}/approve/")
    assert page.locator("tr.flagged").count() == 1
    assert axe_violations(page) == []
    screenshot("caseload-admin-approve")
    page.get_by_role("button", name="承認する").click()
    page.wait_for_load_state()
    assert "承認しました" in page.content() and "ロックされています" in page.content()
    assert page.locator('input[name="smid_adults"]').count() == 0
    screenshot("caseload-admin-approved")

    logout(page)
    login("misato", DEMO_PASSWORD)
    for suffix in ("change/", "history/"):
        response = page.goto(f"{ADMIN}{report.pk}/{suffix}")
        assert response.status == 404, suffix


def test_caseload_page_and_import_preview(
    page, login, screenshot, axe_violations, admin_demo, tmp_path
):
    login("center", DEMO_PASSWORD)
    page.get_by_role("link", name="在宅の対象者数", exact=True).click()
    page.wait_for_url("**/caseload/")
    totals = page.locator("#figures tfoot").inner_text().split("\t")
    assert totals[-7:] == ["7人", "5人", "42人", "2人", "56人", "129,873人", "4.3"]
    assert axe_violations(page) == []
    screenshot("caseload-page")

    csv_file = tmp_path / "counts.csv"
    csv_file.write_text(
        "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\n"
        "112119,2026-04-01,6,4,36,2\n"
        "113816,2026-04-01,0,1,abc,0\n",
        encoding="utf-8-sig",
    )
    page.goto(f"{ADMIN}import/")
    page.get_by_label("CSV または Excel（.xlsx）ファイル").set_input_files(str(csv_file))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_load_state()
    errors = page.locator("#import-errors tbody").inner_text()
    assert "3行目" in errors and "数値ではありません" in errors
    assert page.get_by_role("button", name="この内容で取り込む").count() == 0
    screenshot("caseload-import-preview")
