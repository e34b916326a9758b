"""caseload/spreadsheet.py: an uploaded .xlsx or CSV becomes the text the import parser reads."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from caseload import rules, spreadsheet
from caseload.spreadsheet import (
    CountFile,
    SkippedRow,
    read_count_file,
    select_count_columns,
)
from hokenfukushi.codes import check_digit

HEADER = [
    "団体コード",
    "基準日",
    "重症心身障害児",
    "医療的ケア児",
    "重症心身障害者",
    "医療的ケア者",
]


def numbered(rows):
    return enumerate(rows, start=1)


def parse(selected) -> rules.ParsedCsv:
    return rules.parse_count_text(selected.to_text())


def summary(parsed: rules.ParsedCsv):
    return [(row.line, row.code, row.as_of, row.counts) for row in parsed.rows]


def xlsx_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_of(*rows, title="報告") -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return book


# --- the pure rule on rows ---------------------------------------------------------------------


def test_an_export_shape_is_cut_to_the_import_columns():
    rows = [
        [
            "団体コード",
            "市町村名",
            "人口",
            "集計基準日",
            "重症心身障害児(在宅)",
            "医療的ケア児(在宅)",
            "重症心身障害者(在宅)",
            "医療的ケア者(在宅)",
            "報告状態",
        ],
        ["112119", "本庄市", "76218", "2025-04-01", "6", "4", "36", "2", "承認済み"],
        ["113816", "美里町", "10592", "2025-04-01", "0", "1", "0", "0", "承認済み"],
        ["", "児玉郡市 計", "86810", "", "6", "5", "36", "2", "承認済み 2/2"],
    ]
    selected = select_count_columns(numbered(rows))
    assert selected.header == tuple(HEADER)
    assert selected.skipped_columns == ("市町村名", "人口", "報告状態")
    assert selected.skipped_rows == (SkippedRow(4, "児玉郡市 計"),)
    parsed = parse(selected)
    assert parsed.ok, parsed.errors
    assert [(r.line, r.code, r.counts["smid_adults"]) for r in parsed.rows] == [
        (2, "112119", 36),
        (3, "113816", 0),
    ]


@pytest.mark.parametrize("label", ["計", "圏域計", "県計", "合計", "埼玉県 計"])
def test_total_rows_in_the_code_column_are_skipped_and_listed(label):
    rows = [HEADER, ["112119", "2025-04-01", 1, 1, 1, 1], [label, "", 1, 1, 1, 1]]
    selected = select_count_columns(numbered(rows))
    assert selected.skipped_rows == (SkippedRow(3, label),)
    assert parse(selected).ok


def test_a_row_without_a_code_and_without_a_total_label_is_still_an_error():
    rows = [[*HEADER, "市町村名"], ["", "2025-04-01", 1, 1, 1, 1, "本庄市"]]
    selected = select_count_columns(numbered(rows))
    assert selected.skipped_rows == ()
    errors = parse(selected).errors
    assert [(e.line, e.column) for e in errors] == [(2, "団体コード")]


def test_the_date_alias_gives_way_to_a_real_date_column():
    rows = [
        ["団体コード", "集計基準日", "基準日", *HEADER[2:]],
        ["112119", "2024-04-01", "2025-04-01", 1, 2, 3, 4],
    ]
    selected = select_count_columns(numbered(rows))
    assert selected.skipped_columns == ("集計基準日",)
    assert parse(selected).rows[0].as_of == dt.date(2025, 4, 1)


def test_rows_keep_their_line_numbers_across_skipped_and_empty_rows():
    rows = [
        ["団体コード", "市町村名", *HEADER[1:]],
        ["計", "", "", 9, 9, 9, 9],
        ["", "", "", "", "", "", ""],
        ["112119", "本庄市", "2025-04-01", 1, 2, 3, 4],
        ["", "児玉郡市 計", "", 1, 2, 3, 4],
        ["113816", "美里町", "2025-04-01", 1, 2, -3, 4],
    ]
    parsed = parse(select_count_columns(numbered(rows)))
    assert [row.line for row in parsed.rows] == [4]
    assert [(error.line, error.column) for error in parsed.errors] == [(6, "重症心身障害者")]


def test_a_code_that_lost_its_zero_is_restored_and_said_so():
    rows = [HEADER, ["11002", "2025-04-01", 1, 1, 1, 1], ["12025", "2025-04-01", 0, 0, 0, 0]]
    selected = select_count_columns(numbered(rows))
    assert [(r.line, r.original, r.code) for r in selected.restored_codes] == [
        (2, "11002", "011002"),
        (3, "12025", "012025"),
    ]
    assert "011002" in selected.restored_codes[0].message
    assert [row.code for row in parse(selected).rows] == ["011002", "012025"]


def test_a_five_digit_code_that_does_not_check_is_still_refused():
    rows = [HEADER, ["11003", "2025-04-01", 1, 1, 1, 1]]
    selected = select_count_columns(numbered(rows))
    assert selected.restored_codes == ()
    errors = parse(selected).errors
    assert [(e.line, e.column) for e in errors] == [(2, "団体コード")]
    assert "6桁" in errors[0].message


def test_a_file_without_any_import_column_gets_the_parsers_message():
    selected = select_count_columns(numbered([["市町村名", "人口"], ["本庄市", "1"]]))
    errors = parse(selected).errors
    assert errors[0].message.startswith("必要な列がありません")


def test_nothing_at_all():
    assert parse(select_count_columns([])).errors[0].message.startswith("ファイルが空です")


codes = st.integers(min_value=0, max_value=99_999).map(
    lambda n: f"{n:05d}" + str(check_digit(f"{n:05d}"))
)
count = st.integers(min_value=0, max_value=50)
town = st.tuples(codes, count, count, count, count)
extra = st.sampled_from(["計", "圏域計", "県計", "", "   "])


@given(
    towns=st.lists(town, min_size=1, max_size=12, unique_by=lambda t: t[0]),
    noise=st.lists(st.tuples(st.integers(min_value=0, max_value=12), extra), max_size=6),
)
@settings(max_examples=60, deadline=None)
def test_total_and_blank_rows_and_unknown_columns_never_change_the_town_rows(towns, noise):
    clean = [HEADER] + [[c, "2025-04-01", *map(str, counts)] for c, *counts in towns]
    noisy_rows = [["名前", "団体コード", "集計基準日", *HEADER[2:], "メモ"]]
    expected_lines = []
    for position, (code, *counts) in enumerate(towns):
        for at, label in noise:
            if at == position:
                noisy_rows.append(
                    ["児玉郡市 計" if not label.strip() else "", label, "", 1, 1, 1, 1, ""]
                )
        noisy_rows.append(["町", code, "2025-04-01", *map(str, counts), "x"])
        expected_lines.append(len(noisy_rows))
    want = rules.parse_count_text("\r\n".join(",".join(row) for row in clean) + "\r\n")
    got = parse(select_count_columns(numbered(noisy_rows)))
    assert got.ok and want.ok
    assert [(r.code, r.as_of, r.counts) for r in got.rows] == [
        (r.code, r.as_of, r.counts) for r in want.rows
    ]
    assert [r.line for r in got.rows] == expected_lines


# --- CSV uploads -------------------------------------------------------------------------------

PREFECTURE_CSV = (
    '"団体コード","市町村名","人口","人口基準日","集計基準日","重症心身障害児(在宅)",'
    '"医療的ケア児(在宅)","重症心身障害者(在宅)","医療的ケア者(在宅)","報告状態"\r\n'
    '"112119","本庄市",76218,"2025-11-01","2025-04-01",6,4,36,2,"承認済み"\r\n'
    '"113816","美里町",10592,"2025-11-01","2025-04-01",0,1,0,0,"承認済み"\r\n'
    ',"児玉郡市 計",86810,,,6,5,36,2,"承認済み 2/2"\r\n'
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_a_prefecture_csv_reads_as_the_import(encoding):
    result = read_count_file(PREFECTURE_CSV.encode(encoding))
    assert result.sheet_name is None
    assert result.skipped_rows == (SkippedRow(4, "児玉郡市 計"),)
    assert result.skipped_columns == ("市町村名", "人口", "人口基準日", "報告状態")
    parsed = result.parse()
    assert parsed.ok, parsed.errors
    assert [(r.line, r.code, r.as_of) for r in parsed.rows] == [
        (2, "112119", dt.date(2025, 4, 1)),
        (3, "113816", dt.date(2025, 4, 1)),
    ]


def test_csv_line_numbers_survive_a_line_break_inside_a_quoted_cell():
    text = (
        "団体コード,メモ,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\r\n"
        '112119,"二行の\r\nメモ",2025-04-01,1,1,1,1\r\n'
        "113816,,2025-04-01,1,x,1,1\r\n"
    )
    parsed = read_count_file(text.encode()).parse()
    assert [(e.line, e.column) for e in parsed.errors] == [(4, "医療的ケア児")]
    # the same line the parser gives for the file as it is
    assert [(e.line, e.column) for e in rules.parse_count_text(text).errors] == [
        (4, "医療的ケア児")
    ]


def test_a_csv_in_neither_encoding_is_refused_with_the_parsers_message():
    with pytest.raises(ValidationError) as error:
        read_count_file("団体コード".encode("utf-16"))
    assert "文字コード" in error.value.messages[0]


def test_too_many_rows_are_refused(monkeypatch):
    lines = [",".join(HEADER)] + [
        f"112119,2025-04-{1 + i % 28:02d},1,1,1,1" for i in range(spreadsheet.MAX_DATA_ROWS + 1)
    ]
    with pytest.raises(ValidationError) as error:
        read_count_file("\r\n".join(lines).encode())
    assert error.value.messages[0] == spreadsheet.TOO_MANY_ROWS.format(
        limit=spreadsheet.MAX_DATA_ROWS
    )


def test_a_binary_file_is_left_to_the_parser():
    result = read_count_file(b"\x00\x01\x02 not a csv")
    assert "バイナリ" in result.parse().errors[0].message


# --- .xlsx uploads -----------------------------------------------------------------------------


def test_cells_become_the_text_a_csv_would_hold():
    book = sheet_of(
        [*HEADER, "市町村名"],
        [11002, dt.datetime(2025, 4, 1), 3.0, 0, 12, 1, "札幌市"],
        ["012025", dt.date(2025, 4, 1), "2", 0, 0, 0, "函館市"],
    )
    result = read_count_file(xlsx_bytes(book))
    assert result.sheet_name == "報告"
    assert result.encoding == spreadsheet.XLSX_ENCODING
    assert "シート「報告」を読み込みました。" in result.notes
    assert any("011002" in note for note in result.notes)
    parsed = result.parse()
    assert parsed.ok, parsed.errors
    assert summary(parsed) == [
        (
            2,
            "011002",
            dt.date(2025, 4, 1),
            {
                "smid_children": 3,
                "medical_care_children": 0,
                "smid_adults": 12,
                "medical_care_adults": 1,
                "smid_children_with_medical_care": None,
                "smid_adults_with_medical_care": None,
            },
        ),
        (
            3,
            "012025",
            dt.date(2025, 4, 1),
            {
                "smid_children": 2,
                "medical_care_children": 0,
                "smid_adults": 0,
                "medical_care_adults": 0,
                "smid_children_with_medical_care": None,
                "smid_adults_with_medical_care": None,
            },
        ),
    ]


def test_a_fractional_count_is_refused_not_rounded():
    book = sheet_of(HEADER, ["112119", dt.date(2025, 4, 1), 2.5, 0, 0, 0])
    errors = read_count_file(xlsx_bytes(book)).parse().errors
    assert [(e.line, e.column) for e in errors] == [(2, "重症心身障害児")]
    assert "2.5" in errors[0].message


def test_the_first_sheet_with_a_code_header_is_used_and_named():
    book = sheet_of(["表紙"], ["令和7年度 報告"], title="表紙")
    book.create_sheet("報告").append(HEADER)
    book["報告"].append(["112119", dt.date(2025, 4, 1), 1, 1, 1, 1])
    book.create_sheet("控え").append(HEADER)
    result = read_count_file(xlsx_bytes(book))
    assert result.sheet_name == "報告"
    assert "ほかのシート（「表紙」、「控え」）は使っていません。" in result.notes
    assert result.parse().ok


def test_a_workbook_without_a_code_header_names_its_sheets():
    book = sheet_of(["市町村名", "人数"], title="集計")
    book.create_sheet("メモ")
    with pytest.raises(ValidationError) as error:
        read_count_file(xlsx_bytes(book))
    assert "「集計」、「メモ」" in error.value.messages[0]
    assert error.value.code == "no_code_sheet"


def _with_cached_value(data: bytes, formula: str, value: str) -> bytes:
    """openpyxl writes formulas without a result; Excel stores the result beside them."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    f"<f>{formula}</f><v></v>".encode(), f"<f>{formula}</f><v>{value}</v>".encode()
                )
            target.writestr(info, content)
    return out.getvalue()


def test_a_formula_gives_its_cached_value():
    book = sheet_of(HEADER, ["112119", dt.date(2025, 4, 1), "=1+2", 0, 0, 0])
    data = _with_cached_value(xlsx_bytes(book), "1+2", "3")
    result = read_count_file(data)
    parsed = result.parse()
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].counts["smid_children"] == 3
    assert any("計算式のセル1個" in note for note in result.notes)


def test_a_formula_without_a_cached_value_is_a_row_error_even_in_the_hidden_text():
    book = sheet_of(HEADER, ["112119", dt.date(2025, 4, 1), 1, "=B9*2", 0, 0])
    result = read_count_file(xlsx_bytes(book))
    parsed = result.parse()
    assert [(e.line, e.column, e.message) for e in parsed.errors] == [
        (2, "医療的ケア児", spreadsheet.FORMULA_WITHOUT_VALUE)
    ]
    assert parsed.rows == ()
    # the preview's hidden field carries the text alone: it is refused there too
    assert not rules.parse_count_text(result.text).ok


def test_a_formula_in_a_column_the_import_does_not_use_is_no_error():
    book = sheet_of([*HEADER, "メモ"], ["112119", dt.date(2025, 4, 1), 1, 1, 0, 0, "=A1"])
    assert read_count_file(xlsx_bytes(book)).parse().ok


def test_a_merged_count_is_a_row_error_for_its_hidden_part():
    book = sheet_of(
        [*HEADER, "重症心身障害児のうち医療的ケアが必要な方"],
        ["112119", dt.date(2025, 4, 1), 1, 1, 0, 0, 1],
        ["113816", dt.date(2025, 4, 1), 1, 1, 0, 0, None],
    )
    book.active.merge_cells("G2:G3")
    result = read_count_file(xlsx_bytes(book))
    parsed = result.parse()
    assert [(e.line, e.column) for e in parsed.errors] == [
        (3, "重症心身障害児のうち医療的ケアが必要な方")
    ]
    assert "G2:G3" in parsed.errors[0].message
    assert [row.line for row in parsed.rows] == [2]
    # an optional column left empty would be "not entered": the hidden text refuses it instead
    assert not rules.parse_count_text(result.text).ok


def test_merged_cells_outside_the_import_columns_are_ignored_and_said_so():
    book = sheet_of(
        ["圏域", *HEADER],
        ["児玉郡市", "112119", dt.date(2025, 4, 1), 1, 1, 0, 0],
        [None, "113816", dt.date(2025, 4, 1), 1, 1, 0, 0],
    )
    book.active.merge_cells("A2:A3")
    result = read_count_file(xlsx_bytes(book))
    assert result.parse().ok
    assert any("結合" in note for note in result.notes)


def test_a_workbook_with_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_DATA_ROWS", 3)
    book = sheet_of(HEADER, *[["112119", dt.date(2025, 4, i + 1), 1, 1, 1, 1] for i in range(4)])
    with pytest.raises(ValidationError) as error:
        read_count_file(xlsx_bytes(book))
    assert error.value.code == "rows"
    assert "3行まで" in error.value.messages[0]


# --- files that are not what they seem --------------------------------------------------------


def test_an_old_xls_and_a_password_protected_file_are_told_apart():
    ole = spreadsheet.OLE_MAGIC + bytes(512)
    with pytest.raises(ValidationError) as old:
        read_count_file(ole)
    assert old.value.messages == [spreadsheet.OLD_XLS]
    with pytest.raises(ValidationError) as locked:
        read_count_file(ole + "EncryptionInfo".encode("utf-16-le") + bytes(64))
    assert locked.value.messages == [spreadsheet.ENCRYPTED]


def _zip(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"PK\x03\x04 truncated", "not_a_workbook"),
        (_zip(word__document_xml=b"<w/>"), "not_a_workbook"),
        (_zip(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"), "ods"),
        (_zip(xl__workbook_xml=b"<not-a-workbook", **{"[Content_Types].xml": b"<x/>"}), None),
    ],
)
def test_not_a_workbook_gets_a_japanese_message(data, code):
    with pytest.raises(ValidationError) as error:
        read_count_file(data)
    assert re.search(r"[ぁ-んァ-ン一-龥]", error.value.messages[0])
    if code:
        assert error.value.code == code


def test_a_truncated_workbook_is_refused():
    data = xlsx_bytes(sheet_of(HEADER, ["112119", dt.date(2025, 4, 1), 1, 1, 1, 1]))
    with pytest.raises(ValidationError) as error:
        read_count_file(data[: len(data) // 2])
    assert error.value.messages == [spreadsheet.NOT_A_WORKBOOK]


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(spreadsheet, "load_workbook", must_not_open)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"<row/>" * 100_000
            for _ in range(5):  # 3 MB of XML that packs to a few KB
                member.write(block)
    data = out.getvalue()
    assert len(data) < 100_000
    with pytest.raises(ValidationError) as error:
        read_count_file(data)
    assert error.value.code == "zip_bomb"
    assert "大きすぎます" in error.value.messages[0]


def test_a_workbook_larger_than_the_limit_unpacked_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    monkeypatch.setattr(spreadsheet, "MAX_COMPRESSION_RATIO", 10**9)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/big.bin", bytes(1024 * 1024))
    with pytest.raises(ValidationError) as error:
        read_count_file(out.getvalue())
    assert error.value.code == "zip_bomb"


@given(st.binary(max_size=400))
@settings(max_examples=150, deadline=None)
def test_any_bytes_give_a_result_or_a_japanese_message(data):
    for candidate in (data, b"PK\x03\x04" + data, spreadsheet.OLE_MAGIC + data):
        try:
            result = read_count_file(candidate)
        except ValidationError as error:
            assert error.messages[0]
        else:
            assert isinstance(result, CountFile)
            result.parse()
