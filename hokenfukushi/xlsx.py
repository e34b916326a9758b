"""Excel workbooks (.xlsx) of an export, streamed with xlsxwriter's constant-memory mode.

One sheet of data (named for what it holds) and a second sheet 「説明」 with every column's
definition. What a spreadsheet user notices:
- 団体コード and other identifiers are text cells (format `@`), so 011002 keeps its zero;
- counts are numbers; a suppressed count (`x`) or a placeholder (`-`) is text in the same column;
- dates are real date cells shown in 和暦 (`WAREKI_DATE_FORMAT`);
- a fiscal year is the text 令和7年度 with the 西暦 (2025) as a number in the column beside it;
- the header row is frozen, the columns are wide enough to read and carry an autofilter.

No cell can start a formula: every text cell is written with `write_string`, never `write`
(which, like openpyxl, would store a string beginning with "=" as a formula).

Memory stays flat whatever the number of rows: in constant-memory mode each row goes to a
temporary file as soon as the next one starts, and strings are written inline (no shared-string
table). The temporary files live in a directory of this call's own, removed even on an error.
xlsxwriter rather than openpyxl's write-only mode: at 1,741 towns × 20 columns it writes in
~40 % of openpyxl's time (benchmarks/xlsx_vs_csv.py); openpyxl still reads uploads.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import IO

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from hokenfukushi.fiscal import fiscal_year_label, fiscal_year_of_label

# Excel's classic Japanese-calendar date format (LCID 0x411 = ja-JP): Excel and LibreOffice Calc
# (checked with 7.4: 2025-04-01 shows 令和7年4月1日) both display it in 和暦. The newer
# `[$-ja-JP-x-gannen]…` code that writes 元年 is not understood by LibreOffice 7.4, which then
# shows the bare serial number (45748); with this one the first year shows as 令和1年.
WAREKI_DATE_FORMAT = '[$-411]ggge"年"m"月"d"日"'
TEXT_FORMAT = "@"
COUNT_FORMAT = "#,##0"
YEAR_FORMAT = "0"
DEFINITIONS_SHEET = "説明"
WESTERN_YEAR_SUFFIX = "（西暦）"

# Up to this many rows the workbook is built in memory (a few hundred KiB at most): xlsxwriter's
# constant-memory mode writes every part of the file through a temporary file, which cost a
# 63-town export ~4× its time on a busy disk. Above it, memory stays flat whatever the rows.
IN_MEMORY_ROWS = 200

MAX_SHEET_TITLE = 31  # Excel's limits
MAX_CELL_TEXT = 32_767
# XML 1.0 cannot hold these control characters (tab, line feed and carriage return it can).
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class Kind(StrEnum):
    TEXT = "text"  # codes, names, labels: a string cell with the text format
    COUNT = "count"  # a whole number
    SUPPRESSIBLE = "suppressible"  # a number, or a text marker such as "x" (秘匿) or "-"
    DATE = "date"  # a real date shown in 和暦
    FISCAL_YEAR = "fiscal_year"  # 2025 -> 令和7年度, plus a column with the 西暦 year 2025


# Readable widths (in Excel's character units) for each kind; a longer header widens its column.
_MIN_WIDTH = {
    Kind.TEXT: 10,
    Kind.COUNT: 8,
    Kind.SUPPRESSIBLE: 8,
    Kind.DATE: 16,  # 令和10年12月31日
    Kind.FISCAL_YEAR: 12,  # 令和10年度
}
_MAX_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: float | None = None  # None: from the header and the kind

    def sheet_headers(self) -> tuple[str, ...]:
        """The headers this column takes on the sheet (a fiscal year takes two)."""
        if self.kind is Kind.FISCAL_YEAR:
            return (self.header, self.header + WESTERN_YEAR_SUFFIX)
        return (self.header,)


class UnwritableText(ValueError):
    """A text an .xlsx cell cannot hold whole: a control character (XML 1.0 forbids them) or
    more than Excel's 32,767 characters. Refused rather than silently changed."""

    def __init__(self, row: int, column: str, value: str) -> None:
        self.row, self.column, self.value = row, column, value
        if excel_length(value) > MAX_CELL_TEXT:
            why = f"Excel のセルに入る{MAX_CELL_TEXT:,}文字を超えています"
        else:
            why = "Excel ファイルに書けない制御文字が含まれています"
        super().__init__(f"{row}行目の「{column}」は{why}。")


def excel_length(text: str) -> int:
    """A text's length as Excel counts it against MAX_CELL_TEXT: in UTF-16 units, so 𠮷 or an
    emoji counts as two. xlsxwriter cuts a longer text short and only says so in the return
    value of write_string, which would lose the end of the text without a word."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _too_long(text: str) -> bool:
    # A character is at most two UTF-16 units: a text of up to half the limit always fits,
    # so the encoding is paid only for the rare very long one.
    return len(text) > MAX_CELL_TEXT // 2 and excel_length(text) > MAX_CELL_TEXT


def display_width(text: str) -> int:
    """Width in half-width character cells: 全角 counts as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in text)


def column_width(column: Column, header: str | None = None) -> float:
    if column.width is not None:
        return column.width
    text = header or column.header
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH[column.kind], display_width(text) + 2)))


def _check_title(title: str) -> str:
    if not title or len(title) > MAX_SHEET_TITLE or _SHEET_TITLE_FORBIDDEN.search(title):
        raise ValueError(f"シート名にできません: {title!r}")
    return title


# Built once: written inside the isinstance call, the union was built anew for every cell,
# about half of what checking a number cell took.
_NUMBER = int | Decimal | float


def _is_number(value) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, bool)


class _Sheet:
    """One worksheet and its cell formats, one per kind of cell."""

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.sheet = workbook.add_worksheet(_check_title(title))
        self.text_format = workbook.add_format({"num_format": TEXT_FORMAT})
        self.header_format = workbook.add_format({"num_format": TEXT_FORMAT, "bold": True})
        self.wrap_format = workbook.add_format(
            {"num_format": TEXT_FORMAT, "text_wrap": True, "valign": "top"}
        )
        self.count_format = workbook.add_format({"num_format": COUNT_FORMAT})
        self.year_format = workbook.add_format({"num_format": YEAR_FORMAT})
        self.date_format = workbook.add_format({"num_format": WAREKI_DATE_FORMAT})

    def header(self, headers: Sequence[str]) -> None:
        for col, header in enumerate(headers):
            write = _text_writer(self.sheet, col, header, self.header_format)
            write(0, header)
        self.sheet.freeze_panes(1, 0)


# Writes one value (neither None nor "") of a column at a 0-based sheet row.
_CellWriter = Callable[[int, object], None]


def _text_writer(sheet: Worksheet, col: int, header: str, cell_format: Format) -> _CellWriter:
    """A text cell, refused (`UnwritableText`, naming `header`) if it cannot be held whole.
    Anything not a str is written as the CSV writes it: a date as 2025-04-01, else str()."""
    write_string = sheet.write_string

    def write(row: int, value) -> None:
        text = value if value.__class__ is str else _as_text(value)
        # isprintable() is false for every control character and much cheaper than the
        # search, which then runs only for the few texts with a tab, a line feed, a 全角
        # space or another unprintable character
        if _too_long(text) or (not text.isprintable() and _ILLEGAL_CHARACTERS.search(text)):
            raise UnwritableText(row + 1, header, text)
        # write_string: never a formula, whatever the text starts with
        write_string(row, col, text, cell_format)

    return write


def _as_text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _cell_writers(out: _Sheet, columns: Sequence[Column]) -> list[_CellWriter]:
    """One writer per column, chosen once from its kind rather than at every cell. A value
    that does not fit the kind (the marker of a suppressed count, or a label where a date or
    year goes, e.g. 「令和7年度」 already written out, or 「—」) is a text cell, as in the CSV;
    only a COUNT column refuses it."""
    sheet = out.sheet
    writers: list[_CellWriter] = []
    col = 0
    for column in columns:
        text = _text_writer(sheet, col, column.header, out.text_format)
        match column.kind:
            case Kind.TEXT:
                writers.append(text)
            case Kind.COUNT | Kind.SUPPRESSIBLE:
                writers.append(_number_writer(out, col, column, text))
            case Kind.DATE:
                writers.append(_date_writer(out, col, text))
            case Kind.FISCAL_YEAR:
                writers.append(_fiscal_year_writer(out, col, text))
        col += len(column.sheet_headers())
    return writers


def _number_writer(out: _Sheet, col: int, column: Column, text: _CellWriter) -> _CellWriter:
    write_number, count_format = out.sheet.write_number, out.count_format
    header, refuse_text = column.header, column.kind is Kind.COUNT

    def write(row: int, value) -> None:
        if _is_number(value):
            write_number(row, col, value, count_format)
        elif refuse_text:
            raise TypeError(f"{row + 1}行目の「{header}」は数値ではありません: {value!r}")
        else:
            text(row, value)

    return write


def _date_writer(out: _Sheet, col: int, text: _CellWriter) -> _CellWriter:
    write_datetime, date_format = out.sheet.write_datetime, out.date_format

    def write(row: int, value) -> None:
        if isinstance(value, dt.datetime):  # the day alone: a time would make it a fraction
            write_datetime(row, col, value.date(), date_format)
        elif isinstance(value, dt.date):
            write_datetime(row, col, value, date_format)
        else:
            text(row, value)

    return write


def _fiscal_year_writer(out: _Sheet, col: int, text: _CellWriter) -> _CellWriter:
    """2025 -> the text 令和7年度 and, in the column beside it, the number 2025. A file that
    gives the year already as its label (the survey-shaped ones, as in their CSV) gets the
    number beside it too, so that the 西暦 column is never blank where a year is shown."""
    write_number, year_format = out.sheet.write_number, out.year_format
    # an export has a few years in thousands of rows
    labels: dict[int, str] = {}
    years: dict[str, int | None] = {}

    def write(row: int, value) -> None:
        if _is_number(value):
            year = int(value)
            label = labels.get(year)
            if label is None:
                label = labels[year] = fiscal_year_label(year)
            text(row, label)
        else:
            text(row, value)
            if value.__class__ is not str:
                return
            if value not in years:
                years[value] = fiscal_year_of_label(value)
            year = years[value]
            if year is None:
                return
        write_number(row, col + 1, year, year_format)

    return write


def _write_row(writers: Sequence[_CellWriter], values: Sequence, row: int) -> None:
    """Data row `row` (0-based; the header is row 0, so a message says row + 1行目)."""
    if len(values) != len(writers):
        raise ValueError(
            f"{row + 1}行目: 列が{len(writers)}個のところ値が{len(values)}個あります。"
        )
    for write, value in zip(writers, values, strict=True):
        if value is None or value == "":
            continue  # a blank cell
        write(row, value)


def write_workbook_to(
    target: IO[bytes] | str,
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    definitions: Sequence[tuple[str, str]],
) -> int:
    """Write the workbook to `target` (a binary file or a path); returns the number of data
    rows. `rows` is read once, one row at a time. `definitions` are (column header,
    definition) pairs for the 「説明」 sheet; every column needs one (the 西暦 column beside a
    fiscal year gets one of its own), and any further pairs (e.g. what "x" means) follow the
    columns. Nothing is written to `target` unless every row could be written."""
    headers = [header for column in columns for header in column.sheet_headers()]
    defined = dict(definitions)
    missing = [column.header for column in columns if column.header not in defined]
    if missing:
        raise ValueError("説明のない列があります: " + "、".join(missing))
    remaining = iter(rows)
    first = list(itertools.islice(remaining, IN_MEMORY_ROWS + 1))
    small = len(first) <= IN_MEMORY_ROWS
    options = {"in_memory": True} if small else {"constant_memory": True}
    with tempfile.TemporaryDirectory(prefix="hokenfukushi-xlsx-") as tmpdir:
        workbook = Workbook(target, {**options, "tmpdir": tmpdir})
        out = _Sheet(workbook, sheet_title)
        for col, column in enumerate(_sheet_columns(columns)):
            out.sheet.set_column(col, col, column_width(column, headers[col]))
        out.header(headers)
        writers = _cell_writers(out, columns)
        count = 0
        for count, values in enumerate(itertools.chain(first, remaining), start=1):
            _write_row(writers, values, count)
        out.sheet.autofilter(0, 0, count, len(headers) - 1)
        _write_definitions(workbook, columns, definitions, headers)
        workbook.close()
    return count


def _sheet_columns(columns: Sequence[Column]) -> list[Column]:
    """The column each sheet column belongs to (a fiscal year's two share one)."""
    return [column for column in columns for _ in column.sheet_headers()]


def _write_definitions(
    workbook: Workbook,
    columns: Sequence[Column],
    definitions: Sequence[tuple[str, str]],
    headers: Sequence[str],
) -> None:
    defined = dict(definitions)
    # Every sheet column in order, then any further notes (e.g. what "x" means).
    explained: list[tuple[str, str]] = []
    for column in columns:
        explained.append((column.header, defined[column.header]))
        if column.kind is Kind.FISCAL_YEAR:
            western = column.header + WESTERN_YEAR_SUFFIX
            explained.append(
                (western, defined.get(western, f"「{column.header}」の西暦（4月始まりの年）。"))
            )
    on_sheet = set(headers)
    explained += [(header, text) for header, text in definitions if header not in on_sheet]
    out = _Sheet(workbook, DEFINITIONS_SHEET)
    out.sheet.set_column(0, 0, max(12.0, min(_MAX_WIDTH, max(map(display_width, headers)) + 2)))
    out.sheet.set_column(1, 1, 80)
    out.header(("列", "説明"))
    name = _text_writer(out.sheet, 0, "列", out.text_format)
    definition = _text_writer(out.sheet, 1, "説明", out.wrap_format)
    for row, (header, text) in enumerate(explained, start=1):
        name(row, header)
        definition(row, text)


def write_workbook(
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    definitions: Sequence[tuple[str, str]],
) -> bytes:
    """The workbook as bytes (see `write_workbook_to`; a view can as well write to a temporary
    file and send that)."""
    buffer = io.BytesIO()
    write_workbook_to(
        buffer, sheet_title=sheet_title, columns=columns, rows=rows, definitions=definitions
    )
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
