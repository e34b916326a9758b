import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exports.csv_output import (
    CP932,
    UTF8,
    could_start_formula,
    csv_field,
    find_unencodable_cell,
    is_encodable,
    safe_cell,
    stream_csv,
    stream_lines,
)


def parse(chunks, encoding):
    text = b"".join(chunks).decode("utf-8-sig" if encoding == UTF8 else encoding)
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "text",
    [
        *("=1+1", "+81", "-A1", "@SUM(A1)", "\tx", "\rx"),
        # full-width and after blanks (issue 22)
        *("＝1+1", "＋81", "－A1", "＠SUM(A1)", " =1+1", "\t=1+1", "　＝HYPERLINK(1)", "  -2"),
    ],
)
def test_text_that_could_start_a_formula_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_numbers_are_never_touched_even_negative_ones(number):
    assert safe_cell(number) == number
    [[_header], [cell]] = parse(stream_csv(["n"], [[number]], UTF8), UTF8)
    assert int(cell) == number


@given(st.text(min_size=1))
def test_no_text_cell_comes_out_starting_a_formula(text):
    [[_header], [cell]] = parse(stream_csv(["名称"], [[text]], UTF8), UTF8)
    if could_start_formula(text):
        assert cell.startswith("'")
    assert not could_start_formula(cell)


def test_dates_and_empty_cells():
    assert safe_cell(dt.date(2025, 4, 1)) == "2025-04-01"
    assert safe_cell(None) is None


def test_utf8_starts_with_a_bom_and_cp932_has_none():
    utf8 = b"".join(stream_csv(["市町村名"], [["本庄市"]], UTF8))
    assert utf8.startswith(b"\xef\xbb\xbf")
    cp932 = b"".join(stream_csv(["市町村名"], [["本庄市"]], CP932))
    assert cp932 == '"市町村名"\r\n"本庄市"\r\n'.encode(CP932)


def test_text_is_quoted_numbers_and_empty_cells_are_not():
    body = b"".join(stream_csv(["a", "b", "c"], [["112119", 6, None]], CP932)).decode(CP932)
    assert body.splitlines()[1] == '"112119",6,'


def test_the_first_cell_cp932_cannot_hold_is_named():
    rows = [["112119", "本庄市"], ["999999", "𠮷野町"]]
    problem = find_unencodable_cell(["団体コード", "市町村名"], iter(rows), CP932)
    assert (problem.row, problem.column, problem.value, problem.character) == (
        3,
        "市町村名",
        "𠮷野町",
        "𠮷",
    )
    assert find_unencodable_cell(["市町村名"], iter([["髙崎町"]]), CP932) is None


def test_a_lossy_conversion_is_never_written():
    with pytest.raises(UnicodeEncodeError):
        b"".join(stream_csv(["市町村名"], [["𠮷野町"]], CP932))


# --- csv_field: exports that write their own lines must write what csv.writer writes ----------

HOSTILE = [
    'say "hi"',
    "a,b",
    "two\nlines",
    "cr\r\nlf",
    "=1+1",
    "+81",
    "-A1",
    "@SUM(A1)",
    "\tx",
    "\rx",
    '"=quoted"',
    "",
    "本庄市",
]
cells = (
    st.text()
    | st.sampled_from(HOSTILE)
    | st.integers(min_value=-(10**9), max_value=10**9)
    | st.dates()
    | st.none()
)


def _writer_line(row) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_STRINGS, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


# Two cells at least: csv.writer refuses a line of one empty cell, and no export has one column.
@given(st.lists(cells, min_size=2, max_size=8))
def test_csv_field_writes_a_line_exactly_as_csv_writer(row):
    assert ",".join(csv_field(cell) for cell in row) + "\r\n" == _writer_line(row)


def test_stream_lines_writes_the_bytes_of_stream_csv_in_both_encodings():
    header = ["団体コード", "市町村名", "人数"]
    rows = [[text, f"{text}町", n] for text, n in zip(HOSTILE, range(-6, 7), strict=True)]
    lines = [",".join(csv_field(cell) for cell in row) + "\r\n" for row in rows]
    for encoding in (UTF8, CP932):
        expected = b"".join(stream_csv(header, rows, encoding))
        assert b"".join(stream_lines(header, lines, encoding)) == expected
    # a formula made inert, a negative number left a number
    assert '"\'=1+1","\'=1+1町",-2\r\n'.encode(CP932) in expected


def test_is_encodable_says_whether_cp932_can_hold_every_line():
    assert is_encodable(['"本庄市",1\r\n', '"髙崎町",2\r\n'], CP932)
    assert not is_encodable(['"本庄市",1\r\n', '"𠮷野町",2\r\n'], CP932)
