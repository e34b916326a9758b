"""hokenfukushi/xlsx.py: what a spreadsheet user gets, read back with openpyxl."""

import datetime as dt
import io
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hokenfukushi.fiscal import fiscal_year_label
from hokenfukushi.xlsx import (
    COUNT_FORMAT,
    DEFINITIONS_SHEET,
    IN_MEMORY_ROWS,
    MAX_CELL_TEXT,
    TEXT_FORMAT,
    WAREKI_DATE_FORMAT,
    Column,
    Kind,
    UnwritableText,
    write_workbook,
    write_workbook_to,
)

COLUMNS = (
    Column("団体コード"),
    Column("市町村名"),
    Column("年度", Kind.FISCAL_YEAR),
    Column("集計基準日", Kind.DATE),
    Column("重症心身障害児(在宅)", Kind.COUNT),
    Column("医療的ケア児(在宅)", Kind.SUPPRESSIBLE),
)
# the fiscal year takes two sheet columns: 令和7年度 and 2025
SHEET_HEADERS = [
    "団体コード",
    "市町村名",
    "年度",
    "年度（西暦）",
    "集計基準日",
    "重症心身障害児(在宅)",
    "医療的ケア児(在宅)",
]
DEFINITIONS = (
    ("団体コード", "全国地方公共団体コード（6桁、末尾は検査数字）。"),
    ("市町村名", "市町村の名前。"),
    ("年度", "4月から翌年3月まで。"),
    ("集計基準日", "人数を数えた日。"),
    ("重症心身障害児(在宅)", "在宅の重症心身障害児の人数。"),
    ("医療的ケア児(在宅)", "在宅の医療的ケア児の人数（重症心身障害児を除く）。"),
    ("x", "1〜2人のため秘匿。"),
)


def workbook(rows, columns=COLUMNS, definitions=DEFINITIONS, title="都道府県"):
    data = write_workbook(sheet_title=title, columns=columns, rows=rows, definitions=definitions)
    return load_workbook(io.BytesIO(data))


def test_codes_are_text_counts_numbers_dates_wareki():
    book = workbook([("011002", "札幌市", 2025, dt.date(2025, 4, 1), 6, "x")])
    sheet = book["都道府県"]
    code, name, year, western, as_of, count, suppressed = sheet[2]
    assert (code.value, code.data_type, code.number_format) == ("011002", "s", TEXT_FORMAT)
    assert name.value == "札幌市"
    assert (year.value, year.data_type) == ("令和7年度", "s")
    assert (western.value, western.data_type) == (2025, "n")
    assert as_of.value == dt.datetime(2025, 4, 1)
    assert as_of.is_date
    assert as_of.number_format == WAREKI_DATE_FORMAT
    assert (count.value, count.data_type, count.number_format) == (6, "n", COUNT_FORMAT)
    assert (suppressed.value, suppressed.data_type) == ("x", "s")


def test_a_label_where_a_date_or_a_year_goes_is_a_text_cell_as_in_the_csv():
    # a table may write a year out itself or mark a missing date: never a 500, never a guess
    sheet = workbook([("011002", "札幌市", "令和7年度", "—", None, None)])["都道府県"]
    _code, _name, year, western, as_of, *_ = sheet[2]
    # the survey-shaped files write the year as its label: the 西暦 beside it is still filled
    assert (year.value, year.data_type) == ("令和7年度", "s")
    assert (western.value, western.data_type, western.number_format) == (2025, "n", "0")
    assert (as_of.value, as_of.data_type) == ("—", "s")


@pytest.mark.parametrize(
    "label", ["令和1年度", "平成31年度", "R7年度", "令和7年度（見込）", "不明"]
)
def test_a_year_label_the_app_would_not_write_leaves_the_western_year_blank(label):
    sheet = workbook([("011002", "札幌市", label, None, None, None)])["都道府県"]
    _code, _name, year, western, *_ = sheet[2]
    assert (year.value, year.data_type, western.value) == (label, "s", None)


def test_header_is_frozen_filtered_and_the_columns_readable():
    rows = [("112119", "本庄市", 2025, dt.date(2025, 4, 1), 6, 4)] * 3
    sheet = workbook(rows)["都道府県"]
    assert [cell.value for cell in sheet[1]] == SHEET_HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G4"
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    # 令和7年4月1日 needs ~14 half-width cells; a long header gets its own width
    assert widths["E"] >= 14
    assert widths["F"] >= len("重症心身障害児(在宅)") * 1.5


def test_the_explanation_sheet_lists_every_column_with_its_definition():
    book = workbook([])
    assert book.sheetnames == ["都道府県", DEFINITIONS_SHEET]
    explained = list(book[DEFINITIONS_SHEET].values)
    assert explained[0] == ("列", "説明")
    assert [header for header, _ in explained[1:]] == [*SHEET_HEADERS, "x"]
    assert dict(explained[1:])["医療的ケア児(在宅)"] == DEFINITIONS[5][1]
    assert "西暦" in dict(explained[1:])["年度（西暦）"]


def test_a_column_without_a_definition_is_refused():
    with pytest.raises(ValueError, match="説明のない列"):
        workbook([], definitions=DEFINITIONS[1:])


def test_empty_export_still_has_a_header_and_a_filter():
    sheet = workbook([])["都道府県"]
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:G1"


@pytest.mark.parametrize(
    "text", ["=1+1", "＝SUM(A1)", "+81-3-0000-0000", "-1", "@SUM(A1)", '=HYPERLINK("x")']
)
def test_text_that_looks_like_a_formula_stays_text(text):
    sheet = workbook([(text, text, None, None, 0, text)])["都道府県"]
    for cell in (sheet["A2"], sheet["B2"], sheet["G2"]):
        assert (cell.value, cell.data_type) == (text, "s")
    assert sheet["A2"].value == text


@pytest.mark.parametrize("count", [1, IN_MEMORY_ROWS + 1])  # built in memory / streamed
def test_no_cell_is_a_formula_in_the_file_itself(count):
    data = write_workbook(
        sheet_title="t",
        columns=COLUMNS,
        rows=[("=1+1", "=cmd|' /C calc'!A0", 2025, None, 1, "=2")] * count,
        definitions=DEFINITIONS,
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        names = archive.namelist()
        # a small file's text is in the shared strings, a streamed one's inline
        if "xl/sharedStrings.xml" in names:
            xml += archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert xml.count("=1+1") == (1 if count == 1 else count)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
@settings(max_examples=50, deadline=None)
def test_any_printable_text_round_trips_as_text(text):
    sheet = workbook([(text, "町", None, None, 0, 0)])["都道府県"]
    cell = sheet["A2"]
    assert (cell.value or "") == text
    if text:
        assert cell.data_type == "s"


def test_a_control_character_is_refused_with_the_row_and_column():
    with pytest.raises(UnwritableText) as error:
        workbook([("112119", "本庄\x01市", None, None, 0, 0)])
    assert (error.value.row, error.value.column) == (2, "市町村名")
    assert "2行目の「市町村名」" in str(error.value)


def test_suppressible_accepts_numbers_and_markers_and_count_only_numbers():
    sheet = workbook([("1", "a", None, None, 0, "-"), ("2", "b", None, None, 3, 0)])["都道府県"]
    assert (sheet["G2"].value, sheet["G2"].data_type) == ("-", "s")
    assert (sheet["G3"].value, sheet["G3"].data_type) == (0, "n")
    with pytest.raises(TypeError, match="数値ではありません"):
        workbook([("1", "a", None, None, "x", 0)])


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="列が7個のところ値が6個"):
        workbook(
            [("1", "a", None, None, 0, 0)],
            columns=(*COLUMNS, Column("報告状態")),
            definitions=(*DEFINITIONS, ("報告状態", "承認済みなど。")),
        )


def test_a_failed_export_leaves_no_temporary_file(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows():
        yield ("1", "a", None, None, 0, 0)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        workbook(rows())
    assert list(tmp_path.iterdir()) == []


def test_first_year_of_an_era_is_named_gannen():
    sheet = workbook([("1", "a", 2019, dt.date(2019, 5, 1), 0, 0)])["都道府県"]
    assert sheet["C2"].value == "令和元年度"


def test_leading_zero_codes_of_a_real_region_stay_text(hokkaido_region):
    towns = hokkaido_region.municipalities.order_by("code")
    rows = [(town.code, town.name, 2025, dt.date(2025, 4, 1), 1, 0) for town in towns]
    sheet = workbook(rows)["都道府県"]
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [
        ("011002", "s"),
        ("012025", "s"),
    ]


def test_sheet_title_must_be_a_valid_sheet_name():
    with pytest.raises(ValueError, match="シート名"):
        workbook([], title="都道府県/市町村")


MEMORY_COLUMNS = (
    Column("団体コード"),
    Column("基準日", Kind.DATE),
    Column("人数", Kind.SUPPRESSIBLE),
)


def _peak_bytes(rows: int) -> int:
    # three kinds of cell, distinct text in every row (no shared-string table may grow)
    def generate():
        for i in range(rows):
            yield (f"{i:06d}", dt.date(2025, 4, 1), "x" if i % 5 else i)

    tracemalloc.start()
    try:
        write_workbook_to(
            _Sink(),
            sheet_title="t",
            columns=MEMORY_COLUMNS,
            rows=generate(),
            definitions=[(column.header, "説明。") for column in MEMORY_COLUMNS],
        )
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Sink(io.RawIOBase):
    """A seekable file that keeps nothing but its size (zipfile writes, seeks and rewrites
    local headers), so the workbook's bytes do not count as the writer's memory."""

    def __init__(self) -> None:
        self.position = 0
        self.size = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.position += len(data)
        self.size = max(self.size, self.position)
        return len(data)

    def seek(self, offset, whence=io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position


def test_memory_stays_flat_whatever_the_number_of_rows():
    small, large = _peak_bytes(1_000), _peak_bytes(50_000)
    # 50 times the rows; the peak may move a little (temporary file buffers), not grow with rows
    assert large < small * 1.5 + 256 * 1024, (small, large)


@pytest.mark.parametrize("count", [IN_MEMORY_ROWS, IN_MEMORY_ROWS + 1, 3 * IN_MEMORY_ROWS + 7])
def test_every_row_is_written_in_order_small_or_large(count):
    rows = ((f"{i:06d}", f"町{i}", None, None, i, i) for i in range(count))
    sheet = workbook(rows)["都道府県"]
    assert sheet.max_row == count + 1
    assert [c.value for c in sheet["A"][1:]] == [f"{i:06d}" for i in range(count)]
    assert sheet.auto_filter.ref == f"A1:G{count + 1}"


# --- every kind of column, any value: the cell a spreadsheet user finds -------------------------

_MARKERS = st.sampled_from(["x", "-", "—", "令和7年度", "=cmd|' /C calc'!A0", "+81-3", "@SUM(A1)"])
_VALUES = st.one_of(
    st.none(),
    st.just(""),
    _MARKERS,
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
    st.integers(-(10**9), 10**9),
    st.integers(1868, 2200),  # a fiscal year
    st.integers(1868, 2200).map(fiscal_year_label),  # one already written out (令和7年度)
    st.sampled_from(["令和1年度", "平成31年度", "0年度", "1年度"]),  # near misses, and odd ones
    st.decimals(places=2, min_value=-1000, max_value=1000),
    st.booleans(),  # not a number: text, as the CSV writes it
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)),
)


def _is_number(value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


# Every label fiscal_year_label writes for a year of up to four digits, and its year.
_YEAR_OF_LABEL = {fiscal_year_label(year): year for year in range(10_000)}


def _as_text(value) -> tuple:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return (text, "s", TEXT_FORMAT)


def _expected_cells(kind: Kind, value) -> list[tuple]:
    """(value, data type, number format) of the sheet cells `value` takes in a `kind` column."""
    blank = (None, "n", "General")
    if value is None or value == "":
        return [blank, blank] if kind is Kind.FISCAL_YEAR else [blank]
    if kind is Kind.FISCAL_YEAR:
        if _is_number(value):
            return [_as_text(fiscal_year_label(int(value))), (int(value), "n", "0")]
        if isinstance(value, str) and value in _YEAR_OF_LABEL:  # a year already written out
            return [_as_text(value), (_YEAR_OF_LABEL[value], "n", "0")]
        return [_as_text(value), blank]
    if kind is Kind.DATE and isinstance(value, dt.date):
        day = dt.datetime(value.year, value.month, value.day)
        return [(day, "d", WAREKI_DATE_FORMAT)]
    if kind in (Kind.COUNT, Kind.SUPPRESSIBLE) and _is_number(value):
        shown = float(value) if isinstance(value, Decimal) else value  # read back as a float
        return [(shown, "n", COUNT_FORMAT)]
    return [_as_text(value)]


@st.composite
def _table(draw):
    kinds = draw(st.lists(st.sampled_from(Kind), min_size=1, max_size=6))
    rows = draw(st.lists(st.tuples(*(_VALUES for _ in kinds)), min_size=1, max_size=5))
    # above IN_MEMORY_ROWS the workbook is streamed (inline strings instead of shared ones)
    streamed = draw(st.booleans())
    return kinds, rows * (IN_MEMORY_ROWS // len(rows) + 1) if streamed else rows


@given(_table())
@settings(max_examples=60, deadline=None)
def test_any_value_in_any_kind_of_column_is_the_cell_a_user_expects(table):
    kinds, rows = table
    columns = [Column(f"列{i}", kind) for i, kind in enumerate(kinds)]
    definitions = [(column.header, "説明。") for column in columns]
    refused = next(
        (
            (line, column.header, value)
            for line, row in enumerate(rows, start=2)
            for column, value in zip(columns, row, strict=True)
            if column.kind is Kind.COUNT and value not in (None, "") and not _is_number(value)
        ),
        None,
    )
    if refused is not None:  # a COUNT column takes numbers only, and says where it did not
        line, header, value = refused
        with pytest.raises(TypeError) as error:
            workbook(rows, columns, definitions)
        assert str(error.value) == f"{line}行目の「{header}」は数値ではありません: {value!r}"
        return
    sheet = workbook(rows, columns, definitions)["都道府県"]
    width = len([header for column in columns for header in column.sheet_headers()])
    # bounds given: a row or a last column of blanks only is not in the file at all
    found_rows = sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=width)
    for row, cells in zip(rows, found_rows, strict=True):
        expected = [
            cell
            for kind, value in zip(kinds, row, strict=True)
            for cell in _expected_cells(kind, value)
        ]
        found = [(cell.value, cell.data_type, cell.number_format) for cell in cells]
        assert found == expected


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("あ" * MAX_CELL_TEXT, False),  # 32,767 characters of one UTF-16 unit each: fits
        ("あ" * (MAX_CELL_TEXT + 1), True),
        # 𠮷 (outside the BMP) is two UTF-16 units, as Excel counts: 16,384 of them are 32,768
        ("𠮷" * (MAX_CELL_TEXT // 2), False),
        ("𠮷" * (MAX_CELL_TEXT // 2 + 1), True),
    ],
)
def test_a_text_longer_than_excel_counts_is_refused_not_cut_short(text, refused):
    rows = [("112119", text, None, None, 0, 0)]
    if refused:
        with pytest.raises(
            UnwritableText, match=r"2行目の「市町村名」は.*32,767文字を超えています"
        ):
            workbook(rows)
    else:
        assert workbook(rows)["都道府県"]["B2"].value == text
