"""An .xlsx from hokenfukushi/xlsx.py as a LibreOffice Calc user sees it (headless soffice)."""

import datetime as dt

import pytest

from hokenfukushi.xlsx import Column, Kind, write_workbook_to
from tests.spreadsheets import Shown

pytestmark = pytest.mark.spreadsheet


def test_calc_shows_codes_with_their_zero_japanese_numbers_and_wareki_dates(
    hokkaido_region, open_in_calc, tmp_path
):
    sapporo, hakodate = hokkaido_region.municipalities.order_by("code")
    columns = (
        Column("団体コード"),
        Column("市町村名"),
        Column("年度", Kind.FISCAL_YEAR),
        Column("集計基準日", Kind.DATE),
        Column("人口", Kind.COUNT),
        Column("重症心身障害児(在宅)", Kind.SUPPRESSIBLE),
        Column("メモ"),
    )
    path = tmp_path / "prefecture.xlsx"
    with path.open("wb") as target:
        write_workbook_to(
            target,
            sheet_title="都道府県",
            columns=columns,
            rows=[
                (sapporo.code, sapporo.name, 2025, dt.date(2025, 4, 1), 1_973_395, 12, "=1+1"),
                (hakodate.code, hakodate.name, 2019, dt.date(2019, 5, 1), 241_000, "x", None),
            ],
            definitions=[(column.header, f"{column.header}の説明。") for column in columns],
        )

    sheets = open_in_calc(path)

    assert set(sheets) == {"都道府県", "説明"}
    header, first, second = sheets["都道府県"]
    assert [cell.text for cell in header] == [
        "団体コード",
        "市町村名",
        "年度",
        "年度（西暦）",
        "集計基準日",
        "人口",
        "重症心身障害児(在宅)",
        "メモ",
    ]
    assert first == [
        Shown("011002", True),  # a text cell: the zero is kept
        Shown("札幌市", True),
        Shown("令和7年度", True),
        Shown("2025", False),
        Shown("令和7年4月1日", False),  # a date cell, shown in 和暦
        Shown("1,973,395", False),  # a number
        Shown("12", False),
        Shown("=1+1", True),  # text, not a formula
    ]
    assert first[0] != Shown("11002", False)
    assert second[:7] == [
        Shown("012025", True),
        Shown("函館市", True),
        Shown("令和元年度", True),
        Shown("2019", False),
        Shown("令和1年5月1日", False),  # Calc writes the first year of an era as 1
        Shown("241,000", False),
        Shown("x", True),
    ]
    assert sheets["説明"][1] == [Shown("団体コード", True), Shown("団体コードの説明。", True)]


@pytest.mark.django_db
def test_prefecture_xlsx_downloaded_opens_in_calc_with_the_zero_kept(
    hokkaido_region, client_for, open_in_calc, tmp_path
):
    from caseload.factories import CountReportFactory
    from hokenfukushi.factories import PopulationSnapshotFactory

    sapporo = hokkaido_region.municipalities.get(code="011002")
    PopulationSnapshotFactory(municipality=sapporo, population=1_973_395)
    CountReportFactory(
        municipality=sapporo, approved=True, as_of=dt.date(2025, 4, 1), smid_children=12
    )
    response = client_for("prefecture_user").get("/exports/prefecture.xlsx?fiscal_year=2025")
    path = tmp_path / "prefecture.xlsx"
    path.write_bytes(b"".join(response.streaming_content))

    sheets = open_in_calc(path)

    header, *rows = sheets["県報告用集計表"]
    row = dict(zip((cell.text for cell in header), rows[0], strict=True))
    assert row["団体コード"] == Shown("011002", True)
    assert row["市町村名"] == Shown("札幌市", True)
    assert row["集計基準日"] == Shown("令和7年4月1日", False)
    assert row["人口"] == Shown("1,973,395", False)
    assert row["重症心身障害児(在宅)"] == Shown("12", False)
    names = [
        dict(zip((cell.text for cell in header), r, strict=False))["市町村名"].text for r in rows
    ]
    assert "北海道テスト圏域 圏域計" in names  # the survey shape: 圏域計 after the region's towns
    assert any(name.endswith(" 県計") for name in names)
    assert "説明" in sheets
