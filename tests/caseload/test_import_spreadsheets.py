"""The import page with .xlsx files and with the files the app gave out (issue 24): the
prefecture and caseload exports and the .xlsx template go back in; codes that lost their zero;
bad workbooks through the real view, each a Japanese message and nothing written."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from caseload import spreadsheet
from caseload.factories import CountReportFactory
from caseload.models import CountReport, ReportStatus
from hokenfukushi.factories import RegionAdminFactory
from hokenfukushi.models import Municipality, Region
from hokenfukushi.xlsx import TEXT_FORMAT, WAREKI_DATE_FORMAT
from tests.caseload.test_spreadsheet import HEADER, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/admin/caseload/countreport/import/"
TEMPLATE_XLSX = "/admin/caseload/countreport/import/template.xlsx"
NEW_DATE = dt.date(2025, 10, 1)


def upload(client, data: bytes, name="counts.xlsx"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(
        URL,
        {"csv_text": form["csv_text"].value(), "source": form["source"].value(), "confirm": "1"},
    )


def download(client, name, **params):
    response = client.get(reverse(f"exports:{name}"), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def outcomes(preview):
    return preview.context["outcomes"]


AS_OF_2025 = dt.date(2025, 4, 1)


def set_column(data: bytes, header: str, change) -> bytes:
    """The workbook with `change(row cells)` applied to the cell under `header` of each town
    row (the first sheet), as a user edits it in Excel."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    names = [cell.value for cell in sheet[1]]
    at, code_at = names.index(header), names.index("団体コード")
    for row in sheet.iter_rows(min_row=2):
        if row[code_at].value:  # a town's row, not a 計 or note row
            change(row, row[at])
    return xlsx_bytes(book)


def set_csv_column(data: bytes, header: str, change) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    at, code_at = rows[0].index(header), rows[0].index("団体コード")
    for row in rows[1:]:
        if row[code_at]:  # a town's row, not a 計 or note row
            row[at] = change(row, row[at])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- round trip as the demo's center ------------------------------------------------------------


@pytest.fixture
def center(db):
    call_command("load_demo")
    return RegionAdminFactory(username="center_demo", region=Region.objects.get(name="児玉郡市"))


def _new_date(_row, cell):
    cell.value = NEW_DATE


def test_as_center_prefecture_xlsx_with_a_new_date_previews_four_new_reports(client_for, center):
    client = client_for(center)
    data = set_column(
        download(client, "prefecture_xlsx", fiscal_year=2025), "集計基準日", _new_date
    )
    preview = upload(client, data)
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert outcomes(preview)["new"] == 4 and len(plan.rows) == 4
    page = preview.content.decode()
    assert "使わない行・列" in page and "児玉郡市 圏域計" in page and "コーディネーター数" in page
    assert "シート「県報告用集計表」を読み込みました" in page
    assert not CountReport.objects.filter(as_of=NEW_DATE).exists()

    assert confirm(client, preview).status_code == 302
    written = CountReport.objects.filter(as_of=NEW_DATE).order_by("municipality__code")
    approved = {
        r.municipality.code: r.counts
        for r in CountReport.objects.approved().filter(fiscal_year=2025)
    }
    assert [(r.municipality.code, r.counts, r.status) for r in written] == [
        (code, approved[code], ReportStatus.DRAFT) for code in sorted(approved)
    ]
    assert {r.history.get().history_change_reason for r in written} == {"Excel取り込み"}


def test_as_center_prefecture_csv_with_a_new_date_previews_four_new_reports(client_for, center):
    client = client_for(center)
    body = download(client, "prefecture", fiscal_year=2025)
    data = set_csv_column(body, "集計基準日", lambda row, value: "令和7年10月1日")
    preview = upload(client, data, "prefecture.csv")
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert outcomes(preview)["new"] == 4
    assert confirm(client, preview).status_code == 302
    assert CountReport.objects.filter(as_of=NEW_DATE).count() == 4


@pytest.mark.parametrize("name", ["prefecture", "prefecture_xlsx", "caseload", "caseload_xlsx"])
def test_an_export_uploaded_unchanged_changes_nothing(client_for, center, name):
    client = client_for(center)
    data = download(client, name, fiscal_year=2025)
    preview = upload(client, data, "export.xlsx" if name.endswith("xlsx") else "export.csv")
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert plan.rows and {row.outcome for row in plan.rows} == {"unchanged"}
    assert preview.context["nothing_to_do"]


def test_one_count_changed_in_prefecture_xlsx_is_exactly_what_the_preview_shows(client_for, center):
    client = client_for(center)

    def one_more(row, cell):
        if "112119" in [cell.value for cell in row]:
            cell.value += 1

    data = set_column(
        download(client, "prefecture_xlsx", fiscal_year=2025), "医療的ケア児(在宅)", one_more
    )
    preview = upload(client, data)
    plan = preview.context["plan"]
    # the approved report cannot change by import: the one error names the town and the change
    assert [(e.column, e.message) for e in plan.errors] == [
        (
            None,
            "本庄市の令和7年4月1日時点の報告は承認済みのため変更できません（変わった値: "
            "医療的ケア児 4→5）。基幹相談支援センターに差し戻しを依頼してから取り込んでください。",
        )
    ]
    assert outcomes(preview)["unchanged"] == 3


@pytest.mark.parametrize("name", ["caseload", "caseload_xlsx"])
def test_one_count_changed_in_caseload_export_updates_that_draft_only(
    client_for, town, other_town, name
):
    client = client_for("region_admin")
    draft = CountReportFactory(municipality=town, as_of=dt.date(2025, 4, 1), smid_children=2)
    CountReportFactory(municipality=other_town, as_of=dt.date(2025, 4, 1))
    body = download(client, name)
    if name == "caseload":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        for row in rows:
            if row[0] == town.code and row[4].startswith("重症心身障害児（"):
                row[5] = "3"
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        data = out.getvalue().encode("utf-8")
    else:

        def change(row, cell):
            if row[0].value == town.code and row[5].value.startswith("重症心身障害児（"):
                cell.value = 3

        data = set_column(body, "人数", change)
    preview = upload(client, data, f"caseload.{'csv' if name == 'caseload' else 'xlsx'}")
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert [(row.municipality, row.outcome, row.changes) for row in plan.rows] == [
        (town, "update", ["重症心身障害児 2→3"]),
        (other_town, "unchanged", []),
    ]
    assert "重症心身障害児 2→3" in preview.content.decode()
    assert "縦持ち" in preview.content.decode()
    confirm(client, preview)
    draft.refresh_from_db()
    assert draft.smid_children == 3 and draft.version == 2


# --- the .xlsx template -------------------------------------------------------------------------


def test_the_xlsx_template_has_each_town_with_its_latest_approved_figures(
    client_for, town, other_town, far_town
):
    CountReportFactory(municipality=town, approved=True, as_of=dt.date(2024, 4, 1))
    latest = CountReportFactory(
        municipality=town, approved=True, as_of=dt.date(2025, 4, 1), medical_care_children=7
    )
    CountReportFactory(municipality=town, as_of=dt.date(2025, 10, 1), medical_care_children=99)
    neighbour = CountReportFactory(municipality=other_town, approved=True, as_of=AS_OF_2025)
    CountReportFactory(municipality=far_town, approved=True, as_of=AS_OF_2025)  # region B
    client = client_for("region_admin")
    response = client.get(TEMPLATE_XLSX)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["取込用"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["団体コード", "市町村名", "基準日"]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {town.code, other_town.code}  # never another region's town
    ours = rows[town.code]
    assert ours["団体コード"].data_type == "s" and ours["団体コード"].number_format == TEXT_FORMAT
    assert ours["基準日"].value is None  # left for the user
    assert ours["医療的ケア児"].value == 7 and ours["医療的ケア児"].data_type == "n"
    assert ours["前回の基準日"].value.date() == latest.as_of
    assert ours["前回の基準日"].number_format == WAREKI_DATE_FORMAT

    # 基準日 filled in for our town only: it imports as a new report; the neighbour's row, left
    # as downloaded, reads as its 前回の基準日 report and changes nothing (no blank-date error)
    def fill(row, cell):
        if row[0].value == town.code:
            cell.value = dt.date(2026, 4, 1)

    preview = upload(client, set_column(response.content, "基準日", fill))
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert [(row.municipality, row.counts, row.outcome) for row in plan.rows] == [
        (town, latest.counts, "new"),
        (other_town, neighbour.counts, "unchanged"),
    ]
    assert preview.context["count_file"].skipped_columns == ("市町村名", "前回の基準日")

    # a count changed without a new 基準日 is a change to the approved report: refused, named
    def one_more(row, cell):
        if row[0].value == other_town.code:
            cell.value = (cell.value or 0) + 1

    preview = upload(client, set_column(response.content, "医療的ケア児", one_more))
    (error,) = preview.context["plan"].errors
    assert other_town.name in error.message and "承認済み" in error.message


def test_the_xlsx_template_per_role(client_for, town, other_town):
    response = client_for("municipal_user").get(TEMPLATE_XLSX)
    codes = [row[0].value for row in load_workbook(io.BytesIO(response.content))["取込用"]]
    assert codes[1:] == [town.code]
    assert client_for("prefecture_user").get(TEMPLATE_XLSX).status_code in (302, 403)
    assert client_for("anonymous").get(TEMPLATE_XLSX).status_code == 302


def test_the_import_page_offers_both_templates_and_both_kinds_of_file(client_for, town):
    page = client_for("municipal_user").get(URL).content.decode()
    assert TEMPLATE_XLSX in page and "template.csv" in page
    assert 'accept=".csv,.xlsx' in page


# --- a code that lost its leading zero ----------------------------------------------------------


@pytest.fixture
def hokkaido_center(hokkaido_region):
    return RegionAdminFactory(username="hokkaido_center", region=hokkaido_region)


def test_a_csv_with_11002_for_sapporo_reads_011002_and_says_so(client_for, hokkaido_center):
    text = ",".join(HEADER) + "\r\n11002,2025-04-01,1,2,3,4\r\n012025,2025-04-01,0,0,0,0\r\n"
    client = client_for(hokkaido_center)
    preview = upload(client, text.encode("utf-8"), "counts.csv")
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert [row.municipality.name for row in plan.rows] == ["札幌市", "函館市"]
    assert "2行目: 団体コード「11002」は先頭の0が落ちていたため「011002」として読みました。" in (
        preview.content.decode()
    )
    confirm(client, preview)
    assert CountReport.objects.get(municipality__code="011002").medical_care_adults == 4


def test_011003_is_refused_with_the_japanese_error(client_for, hokkaido_center):
    text = ",".join(HEADER) + "\r\n011003,2025-04-01,1,2,3,4\r\n11003,2025-04-01,1,2,3,4\r\n"
    preview = upload(client_for(hokkaido_center), text.encode("utf-8"), "counts.csv")
    messages = [(e.line, e.message) for e in preview.context["plan"].errors]
    assert messages == [
        (2, "団体コードの検査数字（6桁目）が正しくありません。"),
        (3, "団体コードは半角数字6桁で入力してください（先頭の0も必要です）。"),
    ]
    assert preview.context["confirm_form"] is None
    assert not CountReport.objects.exists()


# --- bad workbooks through the view --------------------------------------------------------------


def book_of(*sheets) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(5):
                member.write(b"<row/>" * 100_000)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really a zip", spreadsheet.NOT_A_WORKBOOK),
        (spreadsheet.OLE_MAGIC + bytes(512) + "EncryptionInfo".encode("utf-16-le"), "パスワード"),
        (_bomb(), "大きすぎます"),
        (xlsx_bytes(book_of(("メモ", [["備考"], ["なし"]]))), "「団体コード」の見出しがあるシート"),
    ],
    ids=["not-a-workbook", "password", "zip-bomb", "no-code-sheet"],
)
def test_a_file_that_cannot_be_read_is_a_japanese_form_error(client_for, town, data, message):
    response = upload(client_for("municipal_user"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["upload_form"].errors["file"])
    assert response.context.get("plan") is None
    assert not CountReport.objects.exists()


def test_several_sheets_the_first_with_a_code_header_is_used_and_named(client_for, town):
    book = book_of(
        ("表紙", [["在宅の対象者数"]]),
        ("報告", [HEADER, [town.code, dt.date(2025, 4, 1), 1, 2, 3, 4]]),
        ("控え", [HEADER, [town.code, dt.date(2025, 4, 1), 9, 9, 9, 9]]),
    )
    preview = upload(client_for("municipal_user"), xlsx_bytes(book))
    assert preview.context["plan"].ok
    assert preview.context["plan"].rows[0].counts["smid_children"] == 1
    page = preview.content.decode()
    assert "シート「報告」を読み込みました" in page and "「表紙」、「控え」" in page


def test_a_formula_without_a_cached_value_and_a_merged_cell_are_row_errors(client_for, town):
    book = book_of(
        (
            "報告",
            [
                HEADER,
                [town.code, dt.date(2025, 4, 1), 1, "=C2*2", 0, 0],
                [town.code, dt.date(2025, 10, 1), 1, 1, 0, 0],
                [town.code, dt.date(2026, 4, 1), 1, 1, 0, None],
            ],
        )
    )
    book["報告"].merge_cells("F3:F4")
    client = client_for("municipal_user")
    preview = upload(client, xlsx_bytes(book))
    plan = preview.context["plan"]
    assert [(e.line, e.column) for e in plan.errors] == [(2, "医療的ケア児"), (4, "医療的ケア者")]
    assert "計算式の結果" in plan.errors[0].message and "F3:F4" in plan.errors[1].message
    assert preview.context["confirm_form"] is None
    # forcing the hidden text through anyway writes nothing
    client.post(URL, {"csv_text": preview.context["count_file"].text, "confirm": "1"})
    assert not CountReport.objects.exists()


def test_an_xlsx_over_the_size_limit_is_refused_like_a_csv(client_for, town, monkeypatch):
    from caseload import admin_import

    monkeypatch.setattr(admin_import, "MAX_UPLOAD_BYTES", 1000)
    book = book_of(("報告", [HEADER, *[[town.code, "2025-04-01", 1, 1, 1, 1]] * 100]))
    response = upload(client_for("municipal_user"), xlsx_bytes(book))
    assert "大きすぎます" in " ".join(response.context["upload_form"].errors["file"])


def test_an_xlsx_over_the_row_limit_is_refused_like_a_csv(client_for, town, settings):
    settings.CASELOAD_IMPORT_MAX_ROWS = 2
    rows = [[town.code, dt.date(2025, 4, day), 1, 1, 1, 1] for day in (1, 2, 3)]
    preview = upload(client_for("municipal_user"), xlsx_bytes(book_of(("報告", [HEADER, *rows]))))
    assert any("2行まで" in e.message for e in preview.context["plan"].errors)
    assert not CountReport.objects.exists()


def test_municipal_staff_cannot_import_another_towns_rows_from_an_xlsx(
    client_for, town, other_town
):
    book = book_of(("報告", [HEADER, [other_town.code, dt.date(2025, 4, 1), 1, 1, 1, 1]]))
    preview = upload(client_for("municipal_user"), xlsx_bytes(book))
    assert "あなたの担当ではありません" in preview.content.decode()
    assert Municipality.objects.count() == 2 and not CountReport.objects.exists()


# --- a town's staff with the region-wide export ---------------------------------------------------


@pytest.fixture
def approved_region(town, other_town):
    for municipality in (town, other_town):
        CountReportFactory(municipality=municipality, approved=True, as_of=dt.date(2025, 4, 1))


def test_town_staff_upload_the_region_export_back_other_towns_unchanged_are_skipped(
    client_for, town, other_town, approved_region
):
    client = client_for("municipal_user")
    body = download(client, "prefecture_xlsx", fiscal_year=2025)

    preview = upload(client, body)
    plan = preview.context["plan"]
    assert plan.ok, plan.errors
    assert [(row.municipality, row.outcome) for row in plan.rows] == [(town, "unchanged")]
    assert [label for _, label in plan.skipped] == [other_town.name]
    assert "担当外の市町村の行" in preview.content.decode()

    def own_new_date(row, cell):
        if town.code in [c.value for c in row]:
            cell.value = NEW_DATE

    preview = upload(client, set_column(body, "集計基準日", own_new_date))
    assert preview.context["plan"].ok and outcomes(preview)["new"] == 1
    confirm(client, preview)
    assert list(CountReport.objects.filter(as_of=NEW_DATE).values_list("municipality", flat=True))
    assert not CountReport.objects.filter(as_of=NEW_DATE, municipality=other_town).exists()


def test_town_staff_changing_another_towns_row_is_still_refused(
    client_for, town, other_town, approved_region
):
    client = client_for("municipal_user")
    data = set_column(
        download(client, "prefecture_xlsx", fiscal_year=2025), "集計基準日", _new_date
    )
    preview = upload(client, data)
    errors = preview.context["plan"].errors
    assert len(errors) == 1 and "あなたの担当ではありません" in errors[0].message
    assert preview.context["confirm_form"] is None


def _csv_of(*reports) -> bytes:
    """A count CSV of (town, 基準日, figures by field name) rows."""
    from caseload.rules import COUNT_LABELS, REQUIRED_COLUMNS

    lines = [",".join(REQUIRED_COLUMNS)]
    for municipality, as_of, counts in reports:
        figures = [str(counts[name]) for name in COUNT_LABELS]
        lines.append(",".join([municipality.code, as_of.isoformat(), *figures]))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _figures(report) -> dict:
    from caseload.rules import COUNT_LABELS

    return {name: getattr(report, name) for name in COUNT_LABELS}


def test_town_staff_changing_another_towns_figures_on_the_same_date_is_refused(
    client_for, town, other_town
):
    """The skip is for rows that change nothing: other figures on the same 基準日 are a change."""
    neighbour = CountReportFactory(municipality=other_town, approved=True, as_of=AS_OF_2025)
    changed = {**_figures(neighbour), "smid_children": neighbour.smid_children + 1}
    preview = upload(
        client_for("municipal_user"), _csv_of((other_town, AS_OF_2025, changed)), "counts.csv"
    )
    plan = preview.context["plan"]
    assert len(plan.errors) == 1 and "あなたの担当ではありません" in plan.errors[0].message
    assert plan.skipped == ()
    untouched = upload(
        client_for("municipal_user"),
        _csv_of((other_town, AS_OF_2025, _figures(neighbour))),
        "counts.csv",
    )
    assert untouched.context["plan"].skipped == ((2, other_town.name),)  # the same: skipped


def test_another_regions_town_is_never_skipped_by_name_even_with_its_exact_figures(
    client_for, town, far_town
):
    """Skipping names the town: only towns the user may read are ever skipped, so matching an
    unreadable town's figures tells nothing about them."""
    far = CountReportFactory(municipality=far_town, approved=True, as_of=AS_OF_2025)
    preview = upload(
        client_for("municipal_user"), _csv_of((far_town, AS_OF_2025, _figures(far))), "counts.csv"
    )
    plan = preview.context["plan"]
    assert plan.skipped == ()
    assert len(plan.errors) == 1 and "あなたの担当ではありません" in plan.errors[0].message
    assert far_town.name not in preview.content.decode()
