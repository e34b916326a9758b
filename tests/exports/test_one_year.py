"""Issue 20's checks of prefecture.csv: one fiscal year at a time, and the survey's shape on the
demo data as the prefecture viewer."""

import pytest
from django.core.management import call_command

from exports.columns import PREFECTURE_HEADER
from hokenfukushi.factories import PrefectureViewerFactory
from tests.dashboard.test_one_year import one_town_ahead  # noqa: F401 (a fixture)
from tests.exports.test_views import download, records

pytestmark = pytest.mark.django_db

COUNTS = PREFECTURE_HEADER[8:12]


@pytest.mark.usefixtures("one_town_ahead")
def test_no_total_of_the_newer_year_adds_last_years_figures(client_for, region):
    _, body = download(client_for("prefecture_user"), "prefecture", fiscal_year=2026)
    rows = {row["市町村名"]: row for row in records(body)}
    assert {row["年度"] for row in rows.values()} == {"令和8年度"}
    assert [rows["テスト市"][h] for h in COUNTS] == ["6", "0", "9", "0"]
    # となり町 has no 令和8年度 report: empty, never its 令和7年度 figures
    assert [rows["となり町"][h] for h in COUNTS] == ["", "", "", ""]
    assert rows["となり町"]["報告状態"] == "未報告"
    for total in (f"{region.name} 圏域計", f"{region.prefecture_name} 県計"):
        assert [rows[total][h] for h in COUNTS] == ["6", "0", "9", "0"], total
        assert rows[total]["報告状態"] == "承認済み 1/2"


@pytest.mark.usefixtures("one_town_ahead")
def test_the_default_year_is_the_one_every_town_approved(client_for):
    _, body = download(client_for("region_admin"), "prefecture")
    rows = records(body)
    assert {row["年度"] for row in rows} == {"令和7年度"}
    total = next(row for row in rows if row["市町村名"].endswith("圏域計"))
    assert [total[h] for h in COUNTS] == ["3", "3", "12", "1"]


def test_the_demo_as_the_prefecture_viewer_has_the_survey_shape(client_for, db):
    call_command("load_demo")
    _, body = download(client_for(PrefectureViewerFactory()), "prefecture", fiscal_year=2025)
    rows = records(body)
    towns = [row for row in rows if row["団体コード"]]
    assert len(towns) == 4
    assert {(row["年度"], row["都道府県"], row["圏域"]) for row in towns} == {
        ("令和7年度", "埼玉県", "児玉郡市")
    }
    (region_total,) = [row for row in rows if row["市町村名"] == "児玉郡市 圏域計"]
    (prefecture_total,) = [row for row in rows if row["市町村名"] == "埼玉県 県計"]
    for header in (*COUNTS, "人口"):
        town_sum = sum(int(row[header]) for row in towns)
        assert town_sum == int(region_total[header]) == int(prefecture_total[header]), header
    # the 計 rows count a coordinator covering several towns once, and the file says so
    assert sum(int(row["コーディネーター配置数"]) for row in towns) == 24
    assert region_total["コーディネーター配置数"] == "16"
    assert "1人として数えます" in rows[-1]["市町村名"]
    assert rows.index(region_total) == 4 and rows.index(prefecture_total) == 5
