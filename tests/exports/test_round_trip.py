"""What the app writes goes back in: an .xlsx (hokenfukushi/xlsx.py) or a CSV (stream_csv) in the
import template's or the prefecture export's shape, read by caseload/spreadsheet.py and parsed by
caseload.rules.parse_count_text, gives the same rows."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from caseload.rules import COUNT_LABELS, parse_count_text
from caseload.spreadsheet import SkippedRow, read_count_file
from exports.csv_output import CP932, UTF8, stream_csv
from hokenfukushi.xlsx import Column, Kind, write_workbook

FIELDS = tuple(COUNT_LABELS)
TEMPLATE = (
    Column("団体コード"),
    Column("基準日", Kind.DATE),
    *(Column(label, Kind.COUNT) for label in COUNT_LABELS.values()),
)
TEMPLATE_DEFINITIONS = [(column.header, f"{column.header}の説明。") for column in TEMPLATE]


@pytest.fixture
def towns(hokkaido_region):
    """(code, name) of real towns: two with a leading zero and 本庄市."""
    return [
        *hokkaido_region.municipalities.order_by("code").values_list("code", "name"),
        ("112119", "本庄市"),
    ]


def figures(towns, as_of=dt.date(2025, 4, 1)):
    return [
        (code, as_of, index + 1, index, 10 * index + 3, 0) for index, (code, _) in enumerate(towns)
    ]


def as_read(parsed):
    assert parsed.ok, parsed.errors
    return [(row.code, row.as_of, *(row.counts[name] for name in FIELDS)) for row in parsed.rows]


def template_xlsx(rows) -> bytes:
    return write_workbook(
        sheet_title="取込用", columns=TEMPLATE, rows=rows, definitions=TEMPLATE_DEFINITIONS
    )


def test_the_import_template_as_xlsx_reads_back_the_same_rows(towns):
    rows = figures(towns)
    result = read_count_file(template_xlsx(rows))
    assert result.sheet_name == "取込用"
    assert result.restored_codes == ()  # the codes were text cells: nothing to restore
    assert as_read(parse_count_text(result.text)) == rows
    assert [code for code, *_ in rows][:2] == ["011002", "012025"]


def test_a_count_and_a_date_changed_in_the_workbook_are_exactly_what_changes(towns):
    rows = figures(towns)
    book = load_workbook(io.BytesIO(template_xlsx(rows)))
    sheet = book["取込用"]
    sheet["E3"] = 99  # 函館市's 重症心身障害者
    sheet["B4"] = dt.date(2026, 4, 1)  # 本庄市's 基準日
    out = io.BytesIO()
    book.save(out)
    read = as_read(read_count_file(out.getvalue()).parse())
    changed = [(before, after) for before, after in zip(rows, read, strict=True) if before != after]
    assert changed == [
        (rows[1], (*rows[1][:4], 99, *rows[1][5:])),
        (rows[2], (rows[2][0], dt.date(2026, 4, 1), *rows[2][2:])),
    ]


PREFECTURE = (
    Column("団体コード"),
    Column("市町村名"),
    Column("年度", Kind.FISCAL_YEAR),
    Column("人口", Kind.COUNT),
    Column("集計基準日", Kind.DATE),
    *(Column(f"{label}(在宅)", Kind.SUPPRESSIBLE) for label in COUNT_LABELS.values()),
    Column("報告状態"),
)


def prefecture_rows(towns, rows):
    names = dict(towns)
    for code, as_of, *counts in rows:
        yield (code, names[code], 2025, 10_000, as_of, *counts, "承認済み")
    totals = [sum(row[2 + i] for row in rows) for i in range(4)]
    yield (None, "北海道テスト圏域 計", 2025, 30_000, None, *totals, "承認済み 3/3")
    yield ("県計", None, 2025, 30_000, None, *totals, None)


def test_the_prefecture_export_as_xlsx_goes_back_in(towns):
    rows = figures(towns)
    data = write_workbook(
        sheet_title="都道府県",
        columns=PREFECTURE,
        rows=prefecture_rows(towns, rows),
        definitions=[(column.header, "説明。") for column in PREFECTURE],
    )
    result = read_count_file(data)
    assert result.skipped_rows == (SkippedRow(5, "北海道テスト圏域 計"), SkippedRow(6, "県計"))
    assert result.skipped_columns == ("市町村名", "年度", "年度（西暦）", "人口", "報告状態")
    assert as_read(result.parse()) == rows


@pytest.mark.parametrize("encoding", [UTF8, CP932])
def test_the_prefecture_csv_with_its_date_name_and_total_rows_goes_back_in(towns, encoding):
    rows = figures(towns)
    header = [header for column in PREFECTURE for header in column.sheet_headers()]
    csv_rows = [(row[0], row[1], "令和7年度", *row[2:]) for row in prefecture_rows(towns, rows)]
    data = b"".join(stream_csv(header, csv_rows, encoding))
    result = read_count_file(data)
    assert "集計基準日" not in result.skipped_columns  # read as 基準日
    assert [row.label for row in result.skipped_rows] == ["北海道テスト圏域 計", "県計"]
    assert as_read(parse_count_text(result.text, encoding=result.encoding)) == rows


def test_a_csv_saved_by_a_spreadsheet_without_the_zeros_is_restored_and_said_so(towns):
    rows = figures(towns)
    text = "団体コード,基準日," + ",".join(COUNT_LABELS.values()) + "\r\n"
    for code, as_of, *counts in rows:
        text += ",".join([code.lstrip("0"), as_of.strftime("%Y/%-m/%-d"), *map(str, counts)])
        text += "\r\n"
    result = read_count_file(text.encode())
    assert as_read(result.parse()) == rows
    assert [(r.line, r.original, r.code) for r in result.restored_codes] == [
        (2, "11002", "011002"),
        (3, "12025", "012025"),
    ]
