"""Validation rules for count reports, as pure functions (no database, no request).

The services, the admin form and the CSV importer all ask these, so a rule is stated once:
- what makes a set of counts valid (`count_errors`),
- which changes from last year's approved figures the approver should look at
  (`year_over_year_flags`, DHIS2's "validation rule" with a warning, never a block),
- who may move a report from one status to another (`transition_allowed`),
- how a CSV file of counts is read (`parse_count_csv`): every error with its row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError

from hokenfukushi.codes import check_digit
from hokenfukushi.fiscal import check_supported_date
from hokenfukushi.wareki_dates import DATE_EXAMPLES, parse_date_text

# Field name -> the label used in forms, messages and CSV headers.
COUNT_LABELS: dict[str, str] = {
    "smid_children": "重症心身障害児",
    "medical_care_children": "医療的ケア児",
    "smid_adults": "重症心身障害者",
    "medical_care_adults": "医療的ケア者",
}
SUBSET_LABELS: dict[str, str] = {
    "smid_children_with_medical_care": "重症心身障害児のうち医療的ケアが必要な方",
    "smid_adults_with_medical_care": "重症心身障害者のうち医療的ケアが必要な方",
}
# subset field -> the count it is part of
SUBSET_OF: dict[str, str] = {
    "smid_children_with_medical_care": "smid_children",
    "smid_adults_with_medical_care": "smid_adults",
}
ALL_LABELS: dict[str, str] = {**COUNT_LABELS, **SUBSET_LABELS}

# No town has anywhere near this many; a bigger number is a typo (and would overflow the column).
MAX_COUNT = 100_000


@dataclass(frozen=True, slots=True)
class CountError:
    field: str
    message: str


def count_errors(counts: Mapping[str, int | None]) -> list[CountError]:
    """Errors in a set of counts: the four counts are required non-negative integers, the two
    subsets are optional and never exceed the count they are part of."""
    errors: list[CountError] = []
    for name, label in ALL_LABELS.items():
        value = counts.get(name)
        if value is None:
            if name in COUNT_LABELS:
                errors.append(CountError(name, f"「{label}」を入力してください。"))
            continue
        if value < 0:
            errors.append(CountError(name, f"「{label}」は0以上の整数で入力してください。"))
        elif value > MAX_COUNT:
            errors.append(
                CountError(
                    name, f"「{label}」が大きすぎます（{MAX_COUNT:,}以下で入力してください）。"
                )
            )
    for subset, whole in SUBSET_OF.items():
        part, total = counts.get(subset), counts.get(whole)
        if part is not None and total is not None and 0 <= total < part:
            errors.append(
                CountError(
                    subset,
                    f"「{SUBSET_LABELS[subset]}」（{part}）は「{COUNT_LABELS[whole]}」（{total}）を"
                    "超えられません。",
                )
            )
    return errors


def count_changes(before: Mapping[str, int | None], after: Mapping[str, int | None]) -> list[str]:
    """「医療的ケア児 4→5」 for each count that differs (「—」 for an empty optional one)."""

    def shown(value: int | None) -> str:
        return "—" if value is None else str(value)

    return [
        f"{label} {shown(before.get(name))}→{shown(after.get(name))}"
        for name, label in ALL_LABELS.items()
        if before.get(name) != after.get(name)
    ]


# --- year-over-year check ---------------------------------------------------------------------

# Counts in a small town move by one or two from year to year as children are born, move or
# turn 18; only a change of at least MIN_CHANGE people *and* PERCENT of last year is worth a look.
YEAR_OVER_YEAR_PERCENT = 30
YEAR_OVER_YEAR_MIN_CHANGE = 3


@dataclass(frozen=True, slots=True)
class YearOverYearFlag:
    field: str
    previous: int
    current: int

    @property
    def label(self) -> str:
        return ALL_LABELS[self.field]

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def message(self) -> str:
        return (
            f"「{self.label}」が前年度の承認値 {self.previous} から {self.current} に"
            f"変わりました（{self.change:+d}）。数え方の変更や入力誤りがないか確認してください。"
        )


def year_over_year_flags(
    current: Mapping[str, int | None],
    previous: Mapping[str, int | None] | None,
    *,
    percent: int = YEAR_OVER_YEAR_PERCENT,
    min_change: int = YEAR_OVER_YEAR_MIN_CHANGE,
) -> list[YearOverYearFlag]:
    """Counts that changed from last year's approved figures beyond the threshold."""
    if previous is None:
        return []
    flags = []
    for name in ALL_LABELS:
        now, before = current.get(name), previous.get(name)
        if now is None or before is None:
            continue
        change = abs(now - before)
        # integer arithmetic: 0.3 * 10 is 3.0000000000000004 in floating point
        if change >= min_change and change * 100 >= percent * before:
            flags.append(YearOverYearFlag(name, before, now))
    return flags


# --- workflow --------------------------------------------------------------------------------


class Action(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REOPEN = "reopen"
    DELETE = "delete"


# action -> (statuses it starts from, whether only an approver may do it)
_TRANSITIONS: dict[Action, tuple[frozenset[str], bool]] = {
    Action.EDIT: (frozenset({"draft"}), False),
    Action.DELETE: (frozenset({"draft"}), False),
    Action.SUBMIT: (frozenset({"draft"}), False),
    Action.APPROVE: (frozenset({"submitted"}), True),
    Action.REOPEN: (frozenset({"submitted", "approved"}), True),
}


def transition_allowed(action: Action, *, status: str, may_edit: bool, is_approver: bool) -> bool:
    """Whether a user may do `action` on a report in `status`.

    `may_edit`: the report's town is in the user's edit scope. `is_approver`: the user is the
    region's base center (or a superuser). Municipal staff enter and submit; only the base
    center approves and reopens, and an approved report is locked until reopened."""
    statuses, approver_only = _TRANSITIONS[action]
    if not may_edit or status not in statuses:
        return False
    return is_approver or not approver_only


# --- CSV --------------------------------------------------------------------------------------

CODE_COLUMN = "団体コード"
DATE_COLUMN = "基準日"
REQUIRED_COLUMNS = (CODE_COLUMN, DATE_COLUMN, *COUNT_LABELS.values())
OPTIONAL_COLUMNS = tuple(SUBSET_LABELS.values())
_COLUMN_FIELD = {label: name for name, label in ALL_LABELS.items()}


@dataclass(frozen=True, slots=True)
class RowError:
    """`line` is the line in the file (the header is line 1); None for the file as a whole."""

    line: int | None
    column: str | None
    message: str


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    code: str
    as_of: dt.date
    counts: dict[str, int | None]


@dataclass(frozen=True, slots=True)
class ParsedCsv:
    text: str = ""
    rows: tuple[CsvRow, ...] = ()
    errors: tuple[RowError, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def decode_csv(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) for UTF-8 (with or without BOM) or cp932; None if neither fits.

    Strict decoding on purpose: a lossy guess would import wrong town codes or numbers."""
    for encoding, name in (("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS (cp932)")):
        try:
            return data.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return None


def _normalise(cell: str) -> str:
    """Full-width digits and letters to half-width, surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", cell).strip()


def _column_key(header: str) -> str:
    key = re.sub(r"\s+", "", _normalise(header))
    return key.removesuffix("(在宅)")


def parse_date(cell: str) -> dt.date | None:
    """The date in a cell, in any format `parse_date_text` reads (令和8年4月1日, R8.4.1,
    2026/4/1, 2026-04-01, …); None when it is none of them."""
    return parse_date_text(cell)


def parse_code(cell: str) -> tuple[str | None, str | None]:
    """(code, None) or (None, why it is wrong)."""
    value = _normalise(cell)
    if not re.fullmatch(r"[0-9]{6}", value):
        return None, "団体コードは半角数字6桁で入力してください（先頭の0も必要です）。"
    if check_digit(value[:5]) != int(value[5]):
        return None, "団体コードの検査数字（6桁目）が正しくありません。"
    return value, None


def parse_count(cell: str, *, required: bool) -> tuple[int | None, str | None]:
    value = _normalise(cell).replace(",", "")
    if value == "":
        return None, ("空欄です。0人の場合は 0 を入力してください。" if required else None)
    if re.fullmatch(r"-[0-9]+", value):
        return None, "0以上の整数で入力してください。"
    if not re.fullmatch(r"[0-9]+", value):
        return None, f"数値ではありません（「{value[:20]}」）。人数を半角数字で入力してください。"
    number = int(value)
    if number > MAX_COUNT:
        return None, f"大きすぎます（{MAX_COUNT:,}以下で入力してください）。"
    return number, None


def _csv_problem(problem: csv.Error) -> str:
    """csv.Error speaks English; say what is wrong in Japanese."""
    if "field larger than field limit" in str(problem):
        return f"1つの欄が長すぎます（{csv.field_size_limit():,}文字まで）。"
    return '引用符（"）の使い方が正しくないため、CSVとして読み取れません。'


def max_import_rows() -> int:
    """How many data rows one import may hold (settings.CASELOAD_IMPORT_MAX_ROWS)."""
    return settings.CASELOAD_IMPORT_MAX_ROWS


def check_as_of(as_of: dt.date) -> str | None:
    """Why a 基準日 cannot be taken (outside the supported dates), or None."""
    try:
        check_supported_date(as_of)
    except ValidationError as error:
        return error.messages[0]
    return None


@dataclass
class _Reader:
    errors: list[RowError] = field(default_factory=list)

    def error(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(line, column, message))


def parse_count_csv(data: bytes) -> ParsedCsv:
    """Read a CSV of counts. Never raises: anything wrong becomes a RowError."""
    decoded = decode_csv(data)
    if decoded is None:
        return ParsedCsv(
            errors=(
                RowError(
                    None,
                    None,
                    "文字コードを読み取れません。UTF-8（BOM付き可）または Shift_JIS（cp932）で"
                    "保存したCSVファイルを選んでください。",
                ),
            )
        )
    text, encoding = decoded
    return parse_count_text(text, encoding=encoding)


def parse_count_text(text: str, *, encoding: str = "UTF-8") -> ParsedCsv:
    reader_state = _Reader()
    error = reader_state.error
    if "\x00" in text:
        error(None, None, "CSVファイルではないようです（バイナリデータが含まれています）。")
        return ParsedCsv(text=text, errors=tuple(reader_state.errors), encoding=encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as problem:
        error(1, None, _csv_problem(problem))
        return ParsedCsv(text=text, errors=tuple(reader_state.errors), encoding=encoding)
    if not header or not any(cell.strip() for cell in header):
        error(None, None, "ファイルが空です。1行目に見出し（団体コード, 基準日, …）が必要です。")
        return ParsedCsv(text=text, errors=tuple(reader_state.errors), encoding=encoding)

    positions: dict[str, int] = {}
    ignored: list[str] = []
    known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS}
    for index, raw in enumerate(header):
        key = _column_key(raw)
        if key in known:
            if key in positions:
                error(1, key, f"見出し「{key}」が2回あります。")
            positions[key] = index
        elif key:
            ignored.append(raw.strip())
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        error(1, None, "必要な列がありません: " + "、".join(missing))
    if reader_state.errors:
        return ParsedCsv(text=text, errors=tuple(reader_state.errors), encoding=encoding)

    rows: list[CsvRow] = []
    first_line_of: dict[tuple[str, dt.date], int] = {}
    limit, data_rows = max_import_rows(), 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            data_rows += 1
            if data_rows > limit:
                error(
                    line,
                    None,
                    f"1回に取り込めるのは{limit:,}行までです。ファイルを分けて取り込んでください。",
                )
                break

            def cell(column: str, cells=cells) -> str:
                index = positions.get(column)
                return cells[index] if index is not None and index < len(cells) else ""

            before = len(reader_state.errors)
            code, why = parse_code(cell(CODE_COLUMN))
            if why:
                error(line, CODE_COLUMN, why)
            as_of = parse_date(cell(DATE_COLUMN))
            if as_of is None:
                error(
                    line,
                    DATE_COLUMN,
                    f"日付として読み取れません（例: {DATE_EXAMPLES}）。",
                )
            elif why := check_as_of(as_of):
                error(line, DATE_COLUMN, why)
                as_of = None
            counts: dict[str, int | None] = {}
            for name, label in ALL_LABELS.items():
                value, why = parse_count(cell(label), required=name in COUNT_LABELS)
                counts[name] = value
                if why:
                    error(line, label, why)
            if len(reader_state.errors) == before:
                for problem in count_errors(counts):
                    error(line, ALL_LABELS[problem.field], problem.message)
            if code is not None and as_of is not None:
                key = (code, as_of)
                if key in first_line_of:
                    error(
                        line,
                        CODE_COLUMN,
                        f"{first_line_of[key]}行目と同じ団体コード・基準日の行が重複しています。",
                    )
                else:
                    first_line_of[key] = line
            if len(reader_state.errors) == before:
                rows.append(CsvRow(line, code, as_of, counts))
    except csv.Error as problem:
        error(reader.line_num, None, _csv_problem(problem))
    if not rows and not reader_state.errors:
        error(None, None, "データの行がありません。")
    return ParsedCsv(
        text=text,
        rows=tuple(rows),
        errors=tuple(reader_state.errors),
        ignored_columns=tuple(ignored),
        encoding=encoding,
    )
