"""CSV for Japanese Excel: formula-safe cells, UTF-8 with BOM or cp932, streamed row by row."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

UTF8 = "utf-8"
CP932 = "cp932"
ENCODINGS = {
    UTF8: "UTF-8（BOM付き・Excel で開けます）",
    CP932: "Shift_JIS（cp932・古い Excel 向け）",
}

# OWASP "CSV injection": a text cell starting with one of these can start a formula in Excel.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Japanese Excel also reads the full-width forms (＝ ＋ － ＠, the same characters after NFKC
# normalisation), and skips blanks before them: " =1+1" and "　＝1+1" are formulas too.
_LEADING_BLANKS = " \t\r\n\u3000"


def could_start_formula(text: str) -> bool:
    """Whether Excel might read this text cell as a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return True
    rest = text.lstrip(_LEADING_BLANKS)
    return bool(rest) and unicodedata.normalize("NFKC", rest[0]).startswith(FORMULA_TRIGGERS)


Cell = str | int | Decimal | dt.date | None


def safe_cell(value: Cell) -> str | int | Decimal | None:
    """Text that could start a formula gets a leading apostrophe, as OWASP recommends.

    Numbers are written as numbers and never touched, so -3 stays -3: only text is at risk, and
    the writer quotes every text cell, so a number can never be mistaken for text or vice versa.
    """
    if value is None or (isinstance(value, int | Decimal) and not isinstance(value, bool)):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if could_start_formula(text):
        return "'" + text
    return text


@dataclass(frozen=True)
class UnencodableCell:
    """The first cell that cp932 cannot hold (row 1 is the header)."""

    row: int
    column: str
    value: str
    character: str


def find_unencodable_cell(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], encoding: str
) -> UnencodableCell | None:
    """Reads the rows once and holds one at a time (the header is ours and always encodable)."""
    for row_number, row in enumerate(rows, start=2):
        for column, value in zip(header, row, strict=True):
            text = safe_cell(value)
            if not isinstance(text, str):
                continue
            try:
                text.encode(encoding)
            except UnicodeEncodeError as error:
                bad = text[error.start : error.end]
                return UnencodableCell(row_number, column, str(value), bad)
    return None


class _Line:
    """csv.writer needs a file; this one hands each written line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


# Lines are sent in pieces of about this many characters: one piece per row made every CSV row a
# separate trip through Django and the server (170,000 for the national caseload export), while
# a piece this size still keeps memory flat whatever the number of rows.
CHUNK_BYTES = 16 * 1024
# The town tables (prefecture, open data) are ~5,000 characters at 63 towns: a 16 K piece only
# filled beyond ~200 towns, so their memory grew up to there. A piece of this size is already full
# at 63 towns; 1,741 towns make ~55 pieces instead of ~14, nothing beside their SQL.
ROW_CHUNK_CHARS = 4 * 1024
# Enough for the values that repeat from row to row (dates and labels); town names and codes are
# all distinct, so a larger memo only grew with the number of towns (to 1,000 entries, ~18 KiB).
_SAFE_MEMO_SIZE = 64
LINE_END = "\r\n"


def csv_field(value: Cell) -> str:
    """One cell as `stream_csv` writes it (csv.writer, QUOTE_STRINGS, after `safe_cell`): text
    and dates quoted with inner quotes doubled, numbers as they are, None as nothing.

    For exports that write their lines themselves (caseload.csv); tests/exports/
    test_csv_output.py holds it to csv.writer's output for hostile text."""
    value = safe_cell(value)
    if value is None:
        return ""
    if type(value) is str:
        return '"' + value.replace('"', '""') + '"'
    return str(value)


def header_line(header: Sequence[str]) -> str:
    return ",".join(csv_field(cell) for cell in header) + LINE_END


def _pieces(text: Iterable[str], encoding: str, piece_chars: int) -> Iterator[bytes]:
    """The text joined into pieces of about `piece_chars` characters, encoded strictly."""
    parts: list[str] = []
    size = 0
    for part in text:
        parts.append(part)
        size += len(part)
        if size >= piece_chars:
            yield "".join(parts).encode(encoding, errors="strict")
            parts.clear()
            size = 0
    if parts:
        yield "".join(parts).encode(encoding, errors="strict")


def stream_lines(header: Sequence[str], text: Iterable[str], encoding: str) -> Iterator[bytes]:
    """Like `stream_csv` for an export that formats its own lines with `csv_field` (each item
    of `text` one or more whole lines ending in CRLF)."""
    if encoding == UTF8:
        yield "\ufeff".encode(UTF8)
    yield header_line(header).encode(encoding, errors="strict")
    yield from _pieces(text, encoding, CHUNK_BYTES)


def is_encodable(text: Iterable[str], encoding: str) -> bool:
    """Whether every piece of text fits the encoding: the quick first look before
    `find_unencodable_cell` names the culprit (an apostrophe or quote never makes a cell
    unencodable, so formatted lines fail exactly when one of their cells does)."""
    try:
        for part in text:
            part.encode(encoding, errors="strict")
    except UnicodeEncodeError:
        return False
    return True


def stream_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], encoding: str
) -> Iterator[bytes]:
    """Encoded CSV lines, a piece of rows at a time. Text cells are quoted, numbers are not.

    Call `find_unencodable_cell` first for cp932: once the response has started, an error can
    no longer be shown. `errors="strict"` keeps a lossy `?` out even if that step is skipped."""
    writer = csv.writer(_Line(), quoting=csv.QUOTE_STRINGS, lineterminator=LINE_END)
    if encoding == UTF8:
        yield "\ufeff".encode(UTF8)
    yield writer.writerow([safe_cell(c) for c in header]).encode(encoding, errors="strict")
    yield from _pieces(_csv_lines(writer, rows), encoding, ROW_CHUNK_CHARS)


def _csv_lines(writer, rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    # Town names, dates and labels repeat row after row: each distinct text or date is made safe
    # once (only those two types: Decimal("1.0") == Decimal("1") would share an entry).
    safe: dict[str | dt.date, str] = {}
    for row in rows:
        cells = []
        for cell in row:
            kind = type(cell)
            if kind is str or kind is dt.date:
                text = safe.get(cell)
                if text is None:
                    if len(safe) >= _SAFE_MEMO_SIZE:
                        safe.clear()  # free text could be all distinct: stay bounded
                    text = safe[cell] = safe_cell(cell)
                cells.append(text)
            elif kind is int or cell is None:
                cells.append(cell)
            else:
                cells.append(safe_cell(cell))
        yield writer.writerow(cells)
