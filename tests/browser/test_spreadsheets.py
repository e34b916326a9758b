"""Issue 24 in real Chromium, as the demo's center: prefecture.xlsx from the export page, its
基準日 changed as in Excel, uploaded on the import page: four new reports, no error; and the
.xlsx template. At 1280 and 390 px."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from hokenfukushi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMPORT = "/admin/caseload/countreport/import/"


@pytest.mark.parametrize("width", [1280, 390])
def test_center_sends_the_prefecture_xlsx_back_with_a_new_date(
    width, page, login, screenshot, axe_violations, admin_demo, tmp_path
):
    from caseload.models import CountReport

    page.set_viewport_size({"width": width, "height": 900})
    login("center", DEMO_PASSWORD)
    page.goto("/exports/")
    assert axe_violations(page) == []
    screenshot(f"exports-xlsx-choice-{width}")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="県報告用 Excel（.xlsx）をダウンロード").click()
    assert waiting.value.suggested_filename.endswith(".xlsx")
    downloaded = tmp_path / "prefecture.xlsx"
    waiting.value.save_as(downloaded)

    book = load_workbook(downloaded)
    sheet = book["県報告用集計表"]
    at = [cell.value for cell in sheet[1]].index("集計基準日")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value:
            row[at].value = dt.date(2025, 10, 1)
    edited = tmp_path / "edited.xlsx"
    book.save(edited)

    page.goto(IMPORT)
    page.get_by_label("CSV または Excel（.xlsx）ファイル").set_input_files(str(edited))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_load_state()
    summary = page.locator("#content-main").inner_text()
    assert "新規 4件" in summary and page.locator("#import-errors").count() == 0
    assert "児玉郡市 圏域計" in page.locator("#import-unused").inner_text()
    assert axe_violations(page) == []
    screenshot(f"import-prefecture-xlsx-preview-{width}")
    page.get_by_role("button", name="この内容で取り込む").click()
    page.wait_for_load_state()
    assert CountReport.objects.filter(as_of=dt.date(2025, 10, 1)).count() == 4


def test_a_town_downloads_the_xlsx_template_with_its_figures(page, login, admin_demo, tmp_path):
    login("honjo", DEMO_PASSWORD)
    page.goto(IMPORT)
    with page.expect_download() as waiting:
        page.get_by_role("link", name="入力用のひな形（Excel）をダウンロード").click()
    path = tmp_path / "template.xlsx"
    waiting.value.save_as(path)
    sheet = load_workbook(path)["取込用"]
    header = [cell.value for cell in sheet[1]]
    (row,) = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]
    assert (row["団体コード"], row["市町村名"], row["基準日"]) == ("112119", "本庄市", None)
    assert row["重症心身障害児"] == 6  # the latest approved figure
