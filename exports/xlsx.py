"""Excel workbooks (.xlsx) of an export, streamed with openpyxl's write-only mode.

One sheet of data (named for what it holds) and a second sheet 「説明」 with every column's
definition. What a spreadsheet user notices:
- 団体コード and other identifiers are text cells (format `@`), so 011002 keeps its zero;
- counts are numbers; a suppressed count (`x`) or a placeholder (`-`) is text in the same column;
- dates are real date cells shown in 和暦 (`WAREKI_DATE_FORMAT`);
- a fiscal year is the text 令和7年度 with the 西暦 (2025) as a number in the column beside it;
- the header row is frozen, the columns are wide enough to read and carry an autofilter.

No cell can start a formula: every text cell is written as a string cell (openpyxl would
otherwise store a string beginning with "=" as a formula).

Memory stays flat whatever the number of rows: openpyxl's write-only worksheet writes each row to
a temporary file as it is appended, and strings are written inline (no shared-string table).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from hokenfukushi.fiscal import fiscal_year_label

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

MAX_SHEET_TITLE = 31  # Excel's limit
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
    """A text holds a control character that an .xlsx file cannot store (XML 1.0 forbids it)."""

    def __init__(self, row: int, column: str, value: str) -> None:
        self.row, self.column, self.value = row, column, value
        super().__init__(
            f"{row}行目の「{column}」に Excel ファイルに書けない制御文字が含まれています。"
        )


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


class _CellMaker:
    """Makes the cells of one sheet. A data cell is made once per sheet column and number
    format and given a new value for every row: a write-only sheet writes each appended row
    before the next one is appended, and making and styling a fresh cell cost more than
    writing it. (Every such cell has a number format, so openpyxl never reuses it itself.)"""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.header_font = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self._cells: dict[tuple[int, str], WriteOnlyCell] = {}

    def _cell(self, position: int, value, number_format: str) -> WriteOnlyCell:
        cell = self._cells.get((position, number_format))
        if cell is None:
            cell = self._cells[position, number_format] = WriteOnlyCell(self.sheet)
            cell.number_format = number_format
        cell.value = value
        return cell

    def text(self, position: int, value: str, *, row: int, column: str) -> WriteOnlyCell:
        _check_text(value, row=row, column=column)
        cell = self._cell(position, value, TEXT_FORMAT)
        # openpyxl makes a string that starts with "=" a formula: force a plain string cell.
        cell.data_type = "s"
        return cell

    def number(self, position: int, value: int | Decimal, number_format: str) -> WriteOnlyCell:
        return self._cell(position, value, number_format)

    def date(self, position: int, value: dt.date) -> WriteOnlyCell:
        if isinstance(value, dt.datetime):
            value = value.date()
        return self._cell(position, value, WAREKI_DATE_FORMAT)

    def single_text(self, value: str, *, row: int, column: str, **style) -> WriteOnlyCell:
        """A text cell of its own (headers, the 説明 sheet)."""
        _check_text(value, row=row, column=column)
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = TEXT_FORMAT
        cell.data_type = "s"
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def header(self, value: str) -> WriteOnlyCell:
        return self.single_text(value, row=1, column=value, font=self.header_font)


def _check_text(value: str, *, row: int, column: str) -> None:
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise UnwritableText(row, column, value)


def _is_number(value) -> bool:
    return isinstance(value, int | Decimal | float) and not isinstance(value, bool)


def _row_cells(
    make: _CellMaker, columns: Sequence[Column], values: Sequence, row: int
) -> list[WriteOnlyCell | None]:
    if len(values) != len(columns):
        raise ValueError(f"{row}行目: 列が{len(columns)}個のところ値が{len(values)}個あります。")
    cells: list[WriteOnlyCell | None] = []
    for column, value in zip(columns, values, strict=True):
        kind = column.kind
        at = len(cells)
        if value is None or value == "":
            cells.extend((None,) * len(column.sheet_headers()))
        elif kind is Kind.FISCAL_YEAR:
            year = int(value)
            cells.append(make.text(at, fiscal_year_label(year), row=row, column=column.header))
            cells.append(make.number(at + 1, year, YEAR_FORMAT))
        elif kind is Kind.DATE:
            if not isinstance(value, dt.date):
                raise TypeError(f"{row}行目の「{column.header}」は日付ではありません: {value!r}")
            cells.append(make.date(at, value))
        elif kind in (Kind.COUNT, Kind.SUPPRESSIBLE) and _is_number(value):
            cells.append(make.number(at, value, COUNT_FORMAT))
        elif kind is Kind.COUNT:
            raise TypeError(f"{row}行目の「{column.header}」は数値ではありません: {value!r}")
        else:  # TEXT, or the marker of a suppressed count
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            cells.append(make.text(at, text, row=row, column=column.header))
    return cells


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
    definition) pairs for the 「説明」 sheet, in the order given; every column needs one (the
    西暦 column beside a fiscal year gets its own)."""
    headers = [header for column in columns for header in column.sheet_headers()]
    defined = dict(definitions)
    missing = [column.header for column in columns if column.header not in defined]
    if missing:
        raise ValueError("説明のない列があります: " + "、".join(missing))

    workbook = Workbook(write_only=True)
    try:
        count = _write_sheets(workbook, sheet_title, columns, rows, definitions, headers, defined)
    except BaseException:
        # Each write-only sheet keeps its rows in a temporary file until the workbook is saved:
        # saving what there is to nowhere is openpyxl's public way to close and remove them.
        with contextlib.suppress(Exception):
            workbook.save(_Discard())
        raise
    workbook.save(target)
    return count


class _Discard:
    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


def _write_sheets(workbook, sheet_title, columns, rows, definitions, headers, defined) -> int:
    sheet = workbook.create_sheet(_check_title(sheet_title))
    make = _CellMaker(sheet)
    letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
    # Column widths and the frozen header are written before the first row: set them first.
    for column_index, (letter, header) in enumerate(zip(letters, headers, strict=True)):
        column = _column_of(columns, column_index)
        sheet.column_dimensions[letter].width = column_width(column, header)
    sheet.freeze_panes = "A2"
    sheet.append([make.header(header) for header in headers])
    count = 0
    for count, values in enumerate(rows, start=1):
        sheet.append(_row_cells(make, columns, values, count + 1))
    # The autofilter is written after the rows, so its range can be set now.
    sheet.auto_filter.ref = f"A1:{letters[-1]}{count + 1}"

    notes = workbook.create_sheet(DEFINITIONS_SHEET)
    notes_make = _CellMaker(notes)
    notes.column_dimensions["A"].width = max(
        12.0, min(_MAX_WIDTH, max(display_width(h) for h in headers) + 2)
    )
    notes.column_dimensions["B"].width = 80
    notes.freeze_panes = "A2"
    notes.append([notes_make.header("列"), notes_make.header("説明")])
    # Every sheet column in order, then any further notes (e.g. what "x" means).
    explained: list[tuple[str, str]] = []
    for column in columns:
        explained.append((column.header, defined[column.header]))
        if column.kind is Kind.FISCAL_YEAR:
            western = column.header + WESTERN_YEAR_SUFFIX
            explained.append(
                (western, defined.get(western, f"「{column.header}」の西暦（4月始まりの年）。"))
            )
    explained += [(h, text) for h, text in definitions if h not in set(headers)]
    for line, (header, text) in enumerate(explained, start=2):
        notes.append(
            [
                notes_make.single_text(header, row=line, column="列"),
                notes_make.single_text(text, row=line, column="説明", alignment=notes_make.wrap),
            ]
        )
    return count


def _column_of(columns: Sequence[Column], sheet_index: int) -> Column:
    index = 0
    for column in columns:
        width = len(column.sheet_headers())
        if sheet_index < index + width:
            return column
        index += width
    raise IndexError(sheet_index)


def write_workbook(
    *,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    definitions: Sequence[tuple[str, str]],
) -> bytes:
    """The workbook as bytes (see `write_workbook_to`; a view that streams a large export can
    write to a temporary file instead and send that)."""
    buffer = io.BytesIO()
    write_workbook_to(
        buffer, sheet_title=sheet_title, columns=columns, rows=rows, definitions=definitions
    )
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
