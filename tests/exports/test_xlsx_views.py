"""The .xlsx twins of the downloads, read back with openpyxl as each role: the same rows as the
CSV, typed cells (codes as text, counts as numbers, dates in 和暦), frozen header, the log."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from caseload.factories import CountReportFactory
from exports import views as export_views
from exports.models import ExportLog
from hokenfukushi.factories import (
    PopulationSnapshotFactory,
    UserFactory,
)
from hokenfukushi.xlsx import COUNT_FORMAT, DEFINITIONS_SHEET, TEXT_FORMAT, WAREKI_DATE_FORMAT
from tests.exports import test_views

pytestmark = pytest.mark.django_db

demo = test_views.demo  # the 児玉郡市 demo and a prefecture viewer (a fixture)
_add_towns = test_views._add_towns

EXPORTS = ("prefecture", "open_data", "caseload")
FIELDS = ("smid_children", "medical_care_children", "smid_adults", "medical_care_adults")
SHEETS = {"prefecture": "県報告用集計表", "open_data": "オープンデータ", "caseload": "報告データ"}


def get(client, name, **params):
    response = client.get(reverse(f"exports:{name}"), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def workbook(body):
    return load_workbook(io.BytesIO(body))


def sheet_of(body, name):
    return workbook(body)[SHEETS[name]]


def code_at(sheet) -> int:
    """Where the 団体コード column is (the survey-shaped prefecture file leads with 年度)."""
    return [cell.value for cell in sheet[1]].index("団体コード")


def csv_rows(client, name, **params):
    _, body = get(client, name, **params)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def reports(town, other_town, far_town):
    for municipality, population in ((town, 50000), (other_town, 8000), (far_town, 3000)):
        PopulationSnapshotFactory(municipality=municipality, population=population)
    for municipality, counts in ((town, (5, 4, 12, 3)), (other_town, (1, 0, 7, 3)), (far_town, ())):
        CountReportFactory(
            municipality=municipality,
            approved=True,
            as_of=dt.date(2025, 4, 1),
            **dict(
                zip(
                    (
                        "smid_children",
                        "medical_care_children",
                        "smid_adults",
                        "medical_care_adults",
                    ),
                    counts,
                    strict=False,
                )
            ),
        )


VISIBLE = test_views.VISIBLE  # role -> the towns whose rows it gets


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", VISIBLE)
def test_each_role_gets_the_rows_of_its_csv_with_codes_as_text(
    request, client_for, reports, role, name
):
    client = client_for(role)
    response, body = get(client, f"{name}_xlsx", fiscal_year=2025)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = sheet_of(body, name)
    at = code_at(sheet)
    codes = {row[at].value for row in sheet.iter_rows(min_row=2) if row[at].value}
    assert codes == {request.getfixturevalue(fixture).code for fixture in VISIBLE[role]}
    assert all(
        row[at].data_type == "s" and row[at].number_format == TEXT_FORMAT
        for row in sheet.iter_rows(min_row=2)
        if row[at].value
    )
    # the same rows as the CSV twin (the fiscal year takes a second, 西暦 column on the sheet)
    expected = csv_rows(client, name, fiscal_year=2025)
    header = [cell.value for cell in sheet[1]]
    if "年度" in header:
        at = header.index("年度")
        del header[at + 1]
    assert header == expected[0]
    assert sheet.max_row == len(expected)


@pytest.mark.parametrize("name", EXPORTS)
def test_anonymous_is_sent_to_login_and_a_user_without_a_role_finds_nothing(
    client_for, reports, name
):
    response = client_for("anonymous").get(reverse(f"exports:{name}_xlsx"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client_for(UserFactory()).get(reverse(f"exports:{name}_xlsx"))
    assert response.status_code == 404
    assert not ExportLog.objects.exists()


def test_as_pref_the_demo_prefecture_xlsx_is_typed_for_a_spreadsheet(client_for, demo):
    _, body = get(client_for(demo), "prefecture_xlsx", fiscal_year=2025)
    book = workbook(body)
    assert book.sheetnames == ["県報告用集計表", DEFINITIONS_SHEET]
    sheet = book["県報告用集計表"]
    header = [cell.value for cell in sheet[1]]
    at = code_at(sheet)
    rows = {
        row[at].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)
    }
    honjo = rows["112119"]
    assert honjo["団体コード"].data_type == "s"
    assert honjo["市町村名"].value == "本庄市"
    counts = [honjo[f"{label}(在宅)"] for label in ("重症心身障害児", "医療的ケア児")]
    assert [(c.value, c.data_type, c.number_format) for c in counts] == [
        (6, "n", COUNT_FORMAT),
        (4, "n", COUNT_FORMAT),
    ]
    as_of = honjo["集計基準日"]
    assert isinstance(as_of.value, dt.datetime) and as_of.is_date
    assert as_of.number_format == WAREKI_DATE_FORMAT
    names = [row[header.index("市町村名")].value for row in sheet.iter_rows(min_row=2)]
    # 4 towns, the 圏域計, the 県計 and the note on counting coordinators once
    assert names[4:6] == ["児玉郡市 圏域計", "埼玉県 県計"] and names[6].startswith("注:")
    # the year as the survey writes it, and on every row the 西暦 beside it as a number
    years = [(row[0].value, row[1].value) for row in sheet.iter_rows(min_row=2)]
    assert header[:2] == ["年度", "年度（西暦）"]
    assert years == [("令和7年度", 2025)] * 7
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}8"
    assert sheet.column_dimensions["B"].width >= 10
    explained = [row[0].value for row in book[DEFINITIONS_SHEET].iter_rows(min_row=2)]
    assert explained == header


def test_a_leading_zero_code_is_kept_as_text(client_for, hokkaido_region):
    sapporo = hokkaido_region.municipalities.get(code="011002")
    CountReportFactory(municipality=sapporo, approved=True, as_of=dt.date(2025, 4, 1))
    for name in EXPORTS:
        _, body = get(client_for("prefecture_user"), f"{name}_xlsx", fiscal_year=2025)
        sheet = sheet_of(body, name)
        at = code_at(sheet)
        cells = [row[at] for row in sheet.iter_rows(min_row=2) if row[at].value]
        assert {(cell.value, cell.data_type) for cell in cells} >= {("011002", "s")}, name
        assert "012025" in {cell.value for cell in cells} or name == "caseload"


def test_open_data_suppressed_cells_are_text_and_explained(client_for, demo):
    _, body = get(client_for(demo), "open_data_xlsx", fiscal_year=2025)
    book = workbook(body)
    cells = [cell for row in book["オープンデータ"].iter_rows(min_row=2) for cell in row[5:9]]
    hidden = [cell for cell in cells if cell.value == "x"]
    assert hidden and all(cell.data_type == "s" for cell in hidden)
    shown = [cell for cell in cells if cell.value != "x" and cell.value is not None]
    assert shown and all(isinstance(cell.value, int) for cell in shown)
    notes = {row[0].value: row[1].value for row in book[DEFINITIONS_SHEET].iter_rows(min_row=2)}
    assert "秘匿" in notes["x"]


def test_caseload_fiscal_year_is_wareki_with_the_western_year_beside_it(client_for, town):
    CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1))
    _, body = get(client_for("region_admin"), "caseload_xlsx")
    sheet = sheet_of(body, "caseload")
    header = [cell.value for cell in sheet[1]]
    assert header[3:5] == ["年度", "年度（西暦）"]
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert (first[3].value, first[4].value) == ("令和7年度", 2025)
    assert first[6].data_type == "n"  # 人数


OPEN_DATA_LOG = {"fiscal_year": 2024, "threshold": 3, "format": "xlsx"}


def test_every_xlsx_download_is_logged_with_its_format(
    client_for, reports, region_admin, prefecture_user, region
):
    get(client_for("region_admin"), "prefecture_xlsx", fiscal_year=2025)
    get(client_for("prefecture_user"), "open_data_xlsx", fiscal_year=2024)
    get(client_for("region_admin"), "caseload_xlsx")
    logs = list(ExportLog.objects.order_by("pk"))
    assert [(log.user, log.export, log.region, log.parameters) for log in logs] == [
        (region_admin, "prefecture", region, {"fiscal_year": 2025, "format": "xlsx"}),
        (
            prefecture_user,
            "open_data",
            None,
            {"fiscal_year": 2024, "threshold": 3, "format": "xlsx"},
        ),
        (region_admin, "caseload", region, {"format": "xlsx"}),
    ]


def test_filename_is_the_csvs_with_xlsx(client_for, reports, region):
    from urllib.parse import unquote

    response, _ = get(client_for("region_admin"), "prefecture_xlsx", fiscal_year=2025)
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert re.fullmatch(rf"prefecture_R7_2025_{region.name}_\d{{8}}\.xlsx", name)
    assert response["Cache-Control"] == "no-store"


def test_a_bad_fiscal_year_re_renders_the_page(client_for, reports):
    response = client_for("region_admin").get(
        reverse("exports:prefecture_xlsx"), {"fiscal_year": "1999"}
    )
    assert response.status_code == 400
    assert "年度は選べません" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_a_name_an_xlsx_cannot_hold_gets_a_japanese_page_and_no_log(client_for, reports, town):
    type(town).objects.filter(pk=town.pk).update(name="テスト\x01市")
    response, body = get(client_for("region_admin"), "prefecture_xlsx", fiscal_year=2025)
    assert response.status_code == 422
    assert "制御文字" in body.decode()
    assert not ExportLog.objects.exists()


def test_the_export_page_says_which_to_pick_and_offers_each_xlsx(client_for, reports):
    page = client_for("municipal_user").get(reverse("exports:index")).content.decode()
    assert "Excel で開いて見る" in page and "ほかのシステムに取り込む" in page
    for name in export_views.EXPORTS:
        assert f'formaction="{reverse(f"exports:{name}_xlsx")}"' in page


# as the CSV: session, user, scope name, log insert, then the rows (prefecture: towns and region
# totals in one snapshot, in a test a savepoint and its release)
QUERIES = {"prefecture": 8, "open_data": 6, "caseload": 5}


def _queries(client, name: str) -> tuple[int, int]:
    """(queries, rows) of one download of `name` (an .xlsx: rows on its sheet, else CSV lines)."""
    with CaptureQueriesContext(connection) as captured:
        _response, body = get(client, name, fiscal_year=2025)
    if name.endswith("_xlsx"):
        rows = sheet_of(body, name.removesuffix("_xlsx")).max_row
    else:
        rows = len(body.decode("utf-8-sig").splitlines())
    return len(captured), rows


def test_each_xlsx_takes_its_csvs_queries_for_3_towns_and_for_30_towns_over_3_years(
    client_for, region, region_admin
):
    client = client_for("region_admin")
    seen = {}
    for towns, years in ((3, (2025,)), (27, (2023, 2024, 2025))):
        _add_towns(region, towns, years=years)
        for name in EXPORTS:
            queries, rows = _queries(client, f"{name}_xlsx")
            assert (queries, rows) == _queries(client, name), name
            assert queries <= QUERIES[name], name
            seen.setdefault(name, []).append((queries, rows))
    for name, ((small, small_rows), (large, large_rows)) in seen.items():
        assert small == large and large_rows > 30 and large_rows > small_rows, name


def test_the_survey_summary_xlsx_has_its_csv_rows_with_numbers(client_for, demo):
    client = client_for(demo)
    _, body = get(client, "survey_summary_xlsx", fiscal_year=2025)
    sheet = workbook(body)["設置状況"]
    header = [cell.value for cell in sheet[1]]
    expected = csv_rows(client, "survey_summary", fiscal_year=2025)
    assert sheet.max_row == len(expected)
    placed, denominator = header.index("協議の場 設置数"), header.index("協議の場 分母")
    for row, csv_row in zip(sheet.iter_rows(min_row=2), expected[1:], strict=True):
        assert (row[0].value, row[1].value) == ("令和7年度", 2025)
        assert row[placed].data_type == "n" and row[denominator].data_type == "n"
        assert str(row[placed].value) == csv_row[placed - 1]  # the sheet adds 年度（西暦）
    response = client_for("anonymous").get(reverse("exports:survey_summary_xlsx"))
    assert response.status_code == 302


# --- every export, as every role: the .xlsx carries exactly the CSV's rows of that user --------

ROLES = (*VISIBLE, "anonymous")
SCOPE_COLUMNS = ("団体コード", "圏域", "市町村名")


def _column(rows: list[list[str]], header: str) -> list[str]:
    at = rows[0].index(header)
    return [row[at] for row in rows[1:]]


@pytest.mark.parametrize("key", export_views.EXPORTS)
@pytest.mark.parametrize("role", ROLES)
def test_each_xlsx_has_its_csvs_rows_for_each_role(client_for, reports, role, key):
    client = client_for(role)
    csv_response, _body = get(client, key, fiscal_year=2025)
    xlsx_response, body = get(client, f"{key}_xlsx", fiscal_year=2025)
    if role == "anonymous":
        for response in (csv_response, xlsx_response):
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        return
    assert (csv_response.status_code, xlsx_response.status_code) == (200, 200)
    expected = csv_rows(client, key, fiscal_year=2025)
    sheet = workbook(body)[export_views.EXPORTS[key].sheet_title]
    got = [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert len(got) == len(expected)
    shared = [header for header in SCOPE_COLUMNS if header in expected[0]]
    assert shared, key  # every export names its towns or regions
    for header in shared:
        assert _column(got, header) == _column(expected, header), (key, header)


@pytest.mark.parametrize("key", export_views.EXPORTS)
def test_a_user_without_a_role_gets_no_export_in_either_format(client_for, reports, key):
    client = client_for(UserFactory())
    for name in (key, f"{key}_xlsx"):
        assert client.get(reverse(f"exports:{name}")).status_code == 404, name
    assert not ExportLog.objects.exists()


def test_each_sheet_explains_its_columns_in_its_own_words(client_for, reports):
    from exports import columns

    client = client_for("prefecture_user")
    for key, own in (
        ("prefecture", columns.PREFECTURE_COLUMNS),
        ("survey_summary", columns.SURVEY_SUMMARY_COLUMNS),
    ):
        _response, body = get(client, f"{key}_xlsx", fiscal_year=2025)
        explained = dict(
            row for row in workbook(body)[DEFINITIONS_SHEET].iter_rows(min_row=2, values_only=True)
        )
        for header, definition in own:
            assert explained[header] == definition, (key, header)
    # caseload.xlsx spans every year and every state: not the prefecture file's wording
    _response, body = get(client, "caseload_xlsx")
    explained = dict(
        row for row in workbook(body)[DEFINITIONS_SHEET].iter_rows(min_row=2, values_only=True)
    )
    assert explained["年度"] == columns.describe("年度")[1]
    assert explained["年度"] != dict(columns.PREFECTURE_COLUMNS)["年度"]
    # activity-open-data.xlsx says what its "x" means
    _response, body = get(client, "activity_open_data_xlsx", fiscal_year=2025)
    notes = [row[0] for row in workbook(body)[DEFINITIONS_SHEET].iter_rows(values_only=True)]
    assert "x" in notes
