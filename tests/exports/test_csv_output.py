import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hokenfukushi.exports.csv_output import (
    CP932,
    FORMULA_TRIGGERS,
    UTF8,
    find_unencodable_cell,
    safe_cell,
    stream_csv,
)


def parse(chunks, encoding):
    text = b"".join(chunks).decode("utf-8-sig" if encoding == UTF8 else encoding)
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("text", ["=1+1", "+81", "-A1", "@SUM(A1)", "\tx", "\rx"])
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
    if text.startswith(FORMULA_TRIGGERS):
        assert cell.startswith("'")
    assert not cell.startswith(FORMULA_TRIGGERS)


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
