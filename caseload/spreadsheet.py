"""A count file as a user uploads it (.xlsx or CSV) -> the CSV text the import pipeline reads.

The import keeps one pipeline: whatever was uploaded becomes normalised CSV text, which
`rules.parse_count_text` reads for the preview and again (from the preview's hidden field) when
the user confirms. This module only reshapes the file; every rule on the values stays in rules.

What is reshaped, for both kinds of file (`select_count_columns`, a pure function on rows):
- only the import's columns are kept; `集計基準日` (the exports' name) reads as `基準日`;
- total rows (団体コード 計 / 圏域計 / 県計, or an empty 団体コード beside a label ending in 計,
  as the exports write 「児玉郡市 計」) and unknown columns are skipped and listed;
- a 団体コード that a spreadsheet saved as a number without its leading zero is restored when
  the padded code has a valid check digit (`codes.restore_leading_zero`), and listed;
- each kept row stays on its line number, so the preview's 「N行目」 is the line (or sheet row)
  the user sees.

An .xlsx file (recognised by its content, not its name) is checked before it is opened: a
password-protected file or an old .xls (both OLE compound files), something that is not a
workbook, and a zip bomb are refused with a Japanese message. In the workbook, the first sheet
whose first row has a 団体コード header is read; dates become ISO dates, whole numbers integer
text; a formula gives its cached value, and one without a cached value, like a merged cell's
hidden part in a column the import reads, is a row error (its text is also made unreadable for
the parser, so the hidden field can never carry it through as empty).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import iterparse  # openpyxl's own XML parser (defusedxml if there)

from caseload import rules
from caseload.rules import _column_key, _normalise  # the header and cell rules of the parser
from hokenfukushi.codes import restore_leading_zero, restored_code_message

logger = logging.getLogger(__name__)

# As for CSV: a whole country is ~1,741 towns, and one file holds one row per town and date.
MAX_DATA_ROWS = 5_000
MAX_COLUMNS = 100
# Zip bomb guards, checked on the archive's directory before anything is decompressed. Python's
# zipfile never returns more than a member's declared size, so the declared sizes are a bound.
# A real 1,741-town workbook is ~2 MB unpacked at a ratio of ~10.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Below this, a high ratio is harmless (small XML parts compress very well).
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1_000

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# An encrypted OOXML file is an OLE file with this stream (name in UTF-16LE).
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

XLSX_ENCODING = "Excel ブック（.xlsx）"
HEADER_ALIASES = {"集計基準日": rules.DATE_COLUMN}
# 計, 圏域計, 県計, 合計, 「児玉郡市 計」
TOTAL_LABEL = re.compile(r".*計")
MERGED_MARK = "（結合セル）"

NOT_A_WORKBOOK = (
    "Excel ブック（.xlsx）として読み取れません。ファイルが壊れているか、別の種類のファイルです。"
    "Excel で開いて「Excel ブック（*.xlsx）」または CSV で保存し直してください。"
)
ENCRYPTED = (
    "パスワードで保護されたファイルは読み込めません。Excel でパスワードを解除して保存し直すか、"
    "CSV で保存したファイルを選んでください。"
)
OLD_XLS = (
    "古い Excel 形式（.xls）は読み込めません。Excel で「Excel ブック（*.xlsx）」または CSV "
    "で保存し直してください。"
)
ODS = (
    "OpenDocument 形式（.ods）は読み込めません。「Excel 2007-365（.xlsx）」または CSV で"
    "保存し直してください。"
)
TOO_BIG = (
    "ファイルを展開すると大きすぎます（{limit}MBまで）。件数の報告にこれほどのデータは"
    "含まれません。必要なシートだけを残して保存し直してください。"
)
TOO_MANY_ROWS = "行が多すぎます（{limit:,}行まで）。ファイルを分けて取り込んでください。"
TOO_MANY_COLUMNS = "列が多すぎます（{limit}列まで）。使う列だけを残して保存し直してください。"
NO_CODE_SHEET = (
    "1行目に「団体コード」の見出しがあるシートがありません（シート: {sheets}）。"
    "1行目を見出し（団体コード, 基準日, …）にしてください。"
)
FORMULA_WITHOUT_VALUE = (
    "計算式の結果がファイルに保存されていません。Excel で開いて保存し直すか、"
    "値として貼り付けてから保存してください。"
)
MERGED = "結合されたセルです（{ref}）。結合を解除して、行ごとに値を入れてください。"


# --- the pure part: rows in, the import's columns out -----------------------------------------


@dataclass(frozen=True, slots=True)
class SkippedRow:
    line: int
    label: str


@dataclass(frozen=True, slots=True)
class RestoredCode:
    line: int
    original: str
    code: str

    @property
    def message(self) -> str:
        return f"{self.line}行目: {restored_code_message(self.original, self.code)}"


@dataclass(frozen=True, slots=True)
class Selected:
    """The import's columns of a file. `columns` are (index in the file's rows, the column's
    name for the parser); `rows` are (line, the cells of those columns)."""

    header: tuple[str, ...]
    columns: tuple[tuple[int, str], ...] = ()
    rows: tuple[tuple[int, tuple[str, ...]], ...] = ()
    skipped_rows: tuple[SkippedRow, ...] = ()
    skipped_columns: tuple[str, ...] = ()
    restored_codes: tuple[RestoredCode, ...] = ()
    notes: tuple[str, ...] = ()

    def to_text(self) -> str:
        """CSV text for `rules.parse_count_text`: the header on line 1 and each row on its own
        line number (blank lines in between, which the parser skips)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        line = 1
        for row_line, cells in self.rows:
            while line < row_line - 1:
                out.write("\r\n")
                line += 1
            writer.writerow(cells)
            line = max(line + 1, row_line)
        return out.getvalue()


def _one_line(cell: str) -> str:
    # A line break inside a kept cell would move the rows after it to other line numbers.
    return cell.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def select_count_columns(rows: Iterable[tuple[int, Sequence[str]]]) -> Selected:
    """The import's columns of a file's rows, given as (line number, cells) with the header
    first, e.g. `select_count_columns(enumerate(rows, start=1))`.

    Never refuses anything: a missing column or a wrong value is left for the parser to report
    with its usual message."""
    numbered = iter(rows)
    first = next(numbered, None)
    if first is None:
        return Selected(header=())
    raw_header = [str(cell) for cell in first[1]]
    long_format = _long_format_columns(raw_header)
    if long_format is not None:
        return _widen(raw_header, long_format, numbered)
    known = {*rules.REQUIRED_COLUMNS, *rules.OPTIONAL_COLUMNS}
    entries: list[tuple[int, str, str]] = []  # (index, header as written, name for the parser)
    unknown: list[tuple[int, str]] = []
    for index, raw in enumerate(raw_header):
        key = _column_key(raw)
        name = HEADER_ALIASES.get(key, key)
        if name in known:
            entries.append((index, key, name))
        elif key:
            unknown.append((index, raw.strip()))
    # 集計基準日 beside a 基準日: the 基準日 is read. A true duplicate is kept: the parser names it.
    exact = {name for _, key, name in entries if key == name}
    columns: list[tuple[int, str]] = []
    for index, key, name in entries:
        if key != name and name in exact:
            unknown.append((index, raw_header[index].strip()))
        else:
            columns.append((index, name))
    skipped_columns = [raw for _, raw in sorted(unknown)]
    if not columns:
        # Nothing the import reads: hand the header over so the parser lists what is missing.
        return Selected(header=tuple(_one_line(cell) for cell in raw_header))

    names = [name for _, name in columns]
    code_position = names.index(rules.CODE_COLUMN) if rules.CODE_COLUMN in names else None
    date_position = names.index(rules.DATE_COLUMN) if rules.DATE_COLUMN in names else None
    previous_at = next(
        (i for i, raw in enumerate(raw_header) if _column_key(raw) == PREVIOUS_DATE_COLUMN), None
    )
    used = {index for index, _ in columns}
    label_indexes = [index for index in range(len(raw_header)) if index not in used]
    kept: list[tuple[int, tuple[str, ...]]] = []
    skipped_rows: list[SkippedRow] = []
    restored: list[RestoredCode] = []
    for line, raw_cells in numbered:
        cells = [("" if cell is None else str(cell)) for cell in raw_cells]
        if not any(cell.strip() for cell in cells):
            continue
        total = _total_label(cells, columns, code_position, label_indexes)
        if total is not None:
            skipped_rows.append(SkippedRow(line, total))
            continue
        values = [_one_line(cells[index]) if index < len(cells) else "" for index, _ in columns]
        if not any(
            value.strip()
            for (_index, name), value in zip(columns, values, strict=True)
            if name != rules.DATE_COLUMN
        ):
            # a note row (e.g. prefecture.csv's last line on how 計 count coordinators): no
            # 団体コード and no count, only text in columns the import does not read (and perhaps
            # a 基準日 filled down the whole column)
            skipped_rows.append(SkippedRow(line, _note_label(cells, label_indexes)))
            continue
        if code_position is not None and not any(
            value.strip() for position, value in enumerate(values) if position != code_position
        ):
            # a town's row with nothing but its code (e.g. a town without a report in an
            # export, or a template row the user left blank): nothing to import
            code = _normalise(values[code_position])
            skipped_rows.append(SkippedRow(line, f"{code}（基準日・人数が空欄）"))
            continue
        if (
            date_position is not None
            and previous_at is not None
            and previous_at < len(cells)
            and not values[date_position].strip()
        ):
            # a template row left as downloaded: its figures are those of 前回の基準日, so it
            # reads as that report (変更なし; a changed count is then refused as a change to an
            # approved report, never dropped) instead of refusing the whole file for a blank date
            values[date_position] = _one_line(cells[previous_at])
        if code_position is not None:
            code, was_restored = restore_leading_zero(_normalise(values[code_position]))
            if was_restored:
                restored.append(RestoredCode(line, values[code_position].strip(), code))
                values[code_position] = code
        kept.append((line, tuple(values)))
    return Selected(
        header=tuple(names),
        columns=tuple(columns),
        rows=tuple(kept),
        skipped_rows=tuple(skipped_rows),
        skipped_columns=tuple(skipped_columns),
        restored_codes=tuple(restored),
    )


# The .xlsx template's column of the date its prefilled figures are of (caseload.admin_import).
PREVIOUS_DATE_COLUMN = "前回の基準日"


# The caseload export's long format: one row per figure, named in 区分 with its 人数.
CATEGORY_COLUMN = "区分"
VALUE_COLUMN = "人数"
WIDENED = "区分・人数の縦持ちの行を、団体コード・基準日ごとに1行にまとめて読みました。"


def _long_format_columns(raw_header: Sequence[str]) -> tuple[int, int, int, int] | None:
    """(団体コード, 基準日, 区分, 人数) column indexes of a long-format file (caseload.csv),
    or None when the file has count columns of its own or is not in that shape."""
    keys = [HEADER_ALIASES.get(_column_key(cell), _column_key(cell)) for cell in raw_header]
    if any(label in keys for label in rules.ALL_LABELS.values()):
        return None
    wanted = (rules.CODE_COLUMN, rules.DATE_COLUMN, CATEGORY_COLUMN, VALUE_COLUMN)
    if not all(name in keys for name in wanted):
        return None
    return tuple(keys.index(name) for name in wanted)  # type: ignore[return-value]


def _widen(
    raw_header: Sequence[str],
    indexes: tuple[int, int, int, int],
    numbered: Iterator[tuple[int, Sequence[str]]],
) -> Selected:
    """The long format's rows as the import's wide rows: one per (団体コード, 基準日), on the
    line of its first figure; a 区分 the import does not know is a skipped row."""
    code_at, date_at, category_at, value_at = indexes
    labels = list(rules.ALL_LABELS.values())
    groups: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    skipped_rows: list[SkippedRow] = []
    for line, raw_cells in numbered:
        cells = [("" if cell is None else str(cell)) for cell in raw_cells]
        if not any(cell.strip() for cell in cells):
            continue

        def cell(index: int, cells=cells) -> str:
            return _one_line(cells[index]) if index < len(cells) else ""

        category = _column_key(cell(category_at))
        if category not in labels:
            skipped_rows.append(SkippedRow(line, f"区分「{cell(category_at).strip()}」"))
            continue
        key = (_normalise(cell(code_at)), _normalise(cell(date_at)))
        _first, figures = groups.setdefault(key, (line, {}))
        figures[category] = cell(value_at)
    used = set(indexes)
    skipped_columns = tuple(
        raw.strip()
        for index, raw in enumerate(raw_header)
        if index not in used and _column_key(raw)
    )
    header = (rules.CODE_COLUMN, rules.DATE_COLUMN, *labels)
    wide = [
        (line, (code, as_of, *(figures.get(label, "") for label in labels)))
        for (code, as_of), (line, figures) in sorted(groups.items(), key=lambda item: item[1][0])
    ]
    selected = select_count_columns([(1, header), *wide])
    return dataclasses.replace(
        selected,
        skipped_rows=(*skipped_rows, *selected.skipped_rows),
        skipped_columns=skipped_columns,
        notes=(WIDENED,),
    )


def _index_of(columns: Sequence[tuple[int, str]], position: int | None) -> int | None:
    return None if position is None else columns[position][0]


NOTE_LABEL_LENGTH = 24


def _note_label(cells: Sequence[str], label_indexes: Sequence[int]) -> str:
    """What a note row says, shortened for the preview's list of unused rows."""
    texts = [_one_line(cells[index]).strip() for index in label_indexes if index < len(cells)]
    longest = max(texts, key=len, default="")
    if len(longest) > NOTE_LABEL_LENGTH:
        return longest[:NOTE_LABEL_LENGTH] + "…"
    return longest or "（注記の行）"


def _total_label(
    cells: Sequence[str],
    columns: Sequence[tuple[int, str]],
    code_position: int | None,
    label_indexes: Sequence[int],
) -> str | None:
    """The label of a total row (計 in the 団体コード, or an empty 団体コード beside a label
    ending in 計), else None."""
    code_index = _index_of(columns, code_position)
    code = ""
    if code_index is not None and code_index < len(cells):
        code = _normalise(cells[code_index])
    if code:
        return code if TOTAL_LABEL.fullmatch(code) else None
    for index in label_indexes:
        if index < len(cells):
            label = _normalise(cells[index])
            if label and TOTAL_LABEL.fullmatch(label):
                return label
    return None


# --- reading an upload ------------------------------------------------------------------------


@dataclass(frozen=True)
class CountFile:
    """An uploaded count file, read. `text` goes to `rules.parse_count_text` (use `parse()`,
    which adds `row_errors`, the problems only the workbook could show)."""

    text: str
    encoding: str
    sheet_name: str | None = None
    notes: tuple[str, ...] = ()
    skipped_rows: tuple[SkippedRow, ...] = ()
    skipped_columns: tuple[str, ...] = ()
    restored_codes: tuple[RestoredCode, ...] = ()
    row_errors: tuple[rules.RowError, ...] = field(default=())

    def parse(self) -> rules.ParsedCsv:
        parsed = rules.parse_count_text(self.text, encoding=self.encoding)
        if not self.row_errors:
            return parsed
        ours = {(error.line, error.column) for error in self.row_errors}
        lines = {error.line for error in self.row_errors}
        errors = [e for e in parsed.errors if (e.line, e.column) not in ours]
        errors.extend(self.row_errors)
        errors.sort(key=lambda e: e.line or 0)
        return dataclasses.replace(
            parsed,
            errors=tuple(errors),
            rows=tuple(row for row in parsed.rows if row.line not in lines),
        )


def read_count_file(data: bytes) -> CountFile:
    """Read an uploaded .xlsx or CSV file of counts; ValidationError (Japanese) if it cannot
    be read at all. Problems in rows are left to the parser (and `CountFile.row_errors`)."""
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTION_STREAM in data:
            raise ValidationError(ENCRYPTED, code="encrypted")
        raise ValidationError(OLD_XLS, code="xls")
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    return _read_csv(data)


def _limit_rows(rows: Iterable[tuple[int, Sequence[str]]]) -> Iterator[tuple[int, Sequence]]:
    data_rows = 0
    for number, (line, cells) in enumerate(rows):
        if number and any(cell not in (None, "") for cell in cells):
            data_rows += 1
            if data_rows > MAX_DATA_ROWS:
                raise ValidationError(TOO_MANY_ROWS.format(limit=MAX_DATA_ROWS), code="rows")
        yield line, cells


def _read_csv(data: bytes) -> CountFile:
    decoded = rules.decode_csv(data)
    if decoded is None:
        # the parser's own message for a file in neither encoding
        raise ValidationError(rules.parse_count_csv(data).errors[0].message, code="encoding")
    text, encoding = decoded
    if "\x00" in text:
        return CountFile(text=text, encoding=encoding)  # the parser says it is not a CSV file
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error:
        return CountFile(text=text, encoding=encoding)  # the parser names the line
    selected = select_count_columns(_limit_rows(rows))
    return _count_file(selected, encoding=encoding)


def _count_file(
    selected: Selected,
    *,
    encoding: str,
    sheet_name: str | None = None,
    notes: Sequence[str] = (),
    row_errors: Sequence[rules.RowError] = (),
) -> CountFile:
    return CountFile(
        text=selected.to_text(),
        encoding=encoding,
        sheet_name=sheet_name,
        notes=(
            *notes,
            *selected.notes,
            *(restored.message for restored in selected.restored_codes),
        ),
        skipped_rows=selected.skipped_rows,
        skipped_columns=selected.skipped_columns,
        restored_codes=selected.restored_codes,
        row_errors=tuple(row_errors),
    )


def check_archive(data: bytes) -> zipfile.ZipFile:
    """The upload as a zip archive that may be opened, or ValidationError: not a zip, an
    OpenDocument file, encrypted members, or a zip bomb (sizes from the directory only)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise ValidationError(NOT_A_WORKBOOK, code="not_a_workbook") from error
    too_big = ValidationError(
        TOO_BIG.format(limit=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)), code="zip_bomb"
    )
    if len(infos) > MAX_ZIP_MEMBERS:
        raise too_big
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise too_big
    if unpacked > RATIO_CHECKED_ABOVE_BYTES and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise too_big
    names = {info.filename for info in infos}
    if "mimetype" in names and "xl/workbook.xml" not in names:
        with archive.open("mimetype") as member:
            if b"opendocument" in member.read(100):
                raise ValidationError(ODS, code="ods")
    if "xl/workbook.xml" not in names:
        raise ValidationError(NOT_A_WORKBOOK, code="not_a_workbook")
    if any(info.flag_bits & 0x1 for info in infos):
        raise ValidationError(ENCRYPTED, code="encrypted")
    return archive


def _cell_text(value) -> str:
    """A cell value as the text a CSV of the same sheet would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 11002.0, a code or count typed as a number
    return str(value)


def _read_xlsx(data: bytes) -> CountFile:
    archive = check_archive(data)
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        return _read_workbook(values, formulas, archive)
    except ValidationError:
        raise
    except Exception as error:  # a broken file can fail anywhere inside openpyxl
        logger.info("unreadable workbook upload: %r", error)
        raise ValidationError(NOT_A_WORKBOOK, code="not_a_workbook") from error
    finally:
        archive.close()


def _first_row(sheet) -> tuple:
    return next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())


def _read_workbook(values, formulas, archive: zipfile.ZipFile) -> CountFile:
    sheets = values.worksheets
    chosen = next(
        (
            position
            for position, sheet in enumerate(sheets)
            if any(_column_key(_cell_text(v)) == rules.CODE_COLUMN for v in _first_row(sheet))
        ),
        None,
    )
    if chosen is None:
        names = "、".join(f"「{sheet.title}」" for sheet in sheets) or "なし"
        raise ValidationError(NO_CODE_SHEET.format(sheets=names), code="no_code_sheet")
    sheet, formula_sheet = sheets[chosen], formulas.worksheets[chosen]
    if (sheet.max_column or 0) > MAX_COLUMNS:
        raise ValidationError(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS), code="columns")

    missing_values: list[tuple[int, int]] = []  # (row, column index) of formulas without a value
    cached = 0

    def texts() -> Iterator[tuple[int, list[str]]]:
        nonlocal cached
        pairs = zip(
            sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
            formula_sheet.iter_rows(max_col=MAX_COLUMNS),
            strict=False,
        )
        for line, (row_values, row_cells) in enumerate(pairs, start=1):
            cells = [_cell_text(value) for value in row_values]
            for index, cell in enumerate(row_cells):
                if getattr(cell, "data_type", None) != "f":
                    continue
                if row_values[index] is None:
                    missing_values.append((line, index))
                    cells[index] = str(cell.value)  # the formula: never read as an empty cell
                else:
                    cached += 1
            yield line, cells

    selected = select_count_columns(_limit_rows(texts()))
    row_errors: list[rules.RowError] = []
    column_names = dict(selected.columns)
    kept_lines = [line for line, _ in selected.rows]
    kept = set(kept_lines)
    for line, index in missing_values:
        if line in kept and index in column_names:
            row_errors.append(rules.RowError(line, column_names[index], FORMULA_WITHOUT_VALUE))
    merged = _merged_ranges(archive, formula_sheet)
    merged_errors = _merged_cell_errors(merged, selected, kept_lines)
    if merged_errors:
        selected = _mark_cells(selected, {(e.line, e.column) for e in merged_errors})
        row_errors.extend(merged_errors)

    notes = [f"シート「{sheet.title}」を読み込みました。"]
    others = [s.title for s in sheets if s.title != sheet.title]
    if others:
        listed = "、".join(f"「{title}」" for title in others)
        notes.append(f"ほかのシート（{listed}）は使っていません。")
    if cached:
        notes.append(f"計算式のセル{cached}個は、ファイルに保存されていた計算結果を使いました。")
    if merged and not merged_errors:
        notes.append("結合されたセルは、取り込みに使わない行・列にだけあったため無視しました。")
    row_errors.sort(key=lambda error: error.line or 0)
    return _count_file(
        selected,
        encoding=XLSX_ENCODING,
        sheet_name=sheet.title,
        notes=notes,
        row_errors=row_errors,
    )


def _merged_ranges(archive: zipfile.ZipFile, sheet) -> list[str]:
    """The merged ranges (e.g. "C2:C3") of a sheet. openpyxl's read-only mode does not read
    them (a merged range's hidden cells just come back empty), so they are read from the
    sheet's XML, which the archive check has bounded in size."""
    path = getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheet keeps its part
    if not path:
        return []
    refs: list[str] = []
    with archive.open(path) as source:
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell"):
                ref = element.get("ref")
                if ref:
                    refs.append(ref)
            element.clear()
    return refs


def _merged_cell_errors(
    refs: Sequence[str], selected: Selected, kept_lines: Sequence[int]
) -> list[rules.RowError]:
    """A row error for each hidden cell of a merged range in a kept row and column."""
    errors: list[rules.RowError] = []
    seen: set[tuple[int, str]] = set()
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if None in (min_col, min_row, max_col, max_row):
            continue
        lines = kept_lines[bisect_left(kept_lines, min_row) : bisect_right(kept_lines, max_row)]
        for index, name in selected.columns:
            column = index + 1
            if not min_col <= column <= max_col:
                continue
            for line in lines:
                if (line, column) == (min_row, min_col) or (line, name) in seen:
                    continue
                seen.add((line, name))
                errors.append(rules.RowError(line, name, MERGED.format(ref=ref)))
    return errors


def _mark_cells(selected: Selected, cells: set[tuple[int, str]]) -> Selected:
    """The hidden part of a merged range gets a text the parser refuses, so that even the
    preview's hidden field can never carry it through as an empty (not entered) cell."""
    names = selected.header
    rows = tuple(
        (
            line,
            tuple(
                MERGED_MARK if (line, name) in cells else value
                for name, value in zip(names, values, strict=True)
            ),
        )
        for line, values in selected.rows
    )
    return dataclasses.replace(selected, rows=rows)
