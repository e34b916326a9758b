import csv
import io

import pytest
from django.core.management import call_command

from exports.models import ExportLog
from hokenfukushi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


LABELS = ("重症心身障害児", "医療的ケア児", "重症心身障害者", "医療的ケア者")


def test_prefecture_officer_downloads_the_prefecture_csv(
    page, login, screenshot, axe_violations, settings
):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    login("pref", DEMO_PASSWORD)
    page.get_by_role("link", name="データ出力").click()
    page.wait_for_url("**/exports/")
    assert page.get_by_role("heading", level=1).inner_text() == "データ出力"
    section = page.get_by_role("region", name="県報告用の集計表 prefecture.csv")
    assert section.get_by_label("年度").input_value() == "2025"
    assert axe_violations(page) == []
    screenshot("exports")
    section.get_by_label("Shift_JIS（cp932・古い Excel 向け）").check()
    with page.expect_download() as info:
        section.get_by_role("button", name="県報告用 CSV をダウンロード").click()
    download = info.value
    assert download.suggested_filename.startswith("prefecture_R7_2025_全圏域_")
    with open(download.path(), encoding="cp932") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    header, *rows = rows
    totals = {row[header.index("市町村名")]: dict(zip(header, row, strict=True)) for row in rows}
    region = totals["児玉郡市 圏域計"]  # the survey shape: 圏域計 after the towns, then 県計
    assert [region["人口"], *(region[f"{label}(在宅)"] for label in LABELS)] == [
        "129873", "7", "5", "42", "2",
    ]  # fmt: skip
    assert rows[-1][header.index("市町村名")].startswith("注:")
    assert ExportLog.objects.get().parameters == {"fiscal_year": 2025, "encoding": "cp932"}
