"""Dates as people in a Japanese town office type them, read into `datetime.date`.

One pure function, `parse_date_text`, knows the accepted FORMATS (and nothing else: whether a
date is plausible for a report is asked elsewhere, after parsing):

- 和暦: 令和8年4月1日, 令和元年5月1日, 平成31年4月1日 (spaces allowed, 元年 = 1年)
- the era's initial: R8.4.1, H31.4.1, r08/04/01, R8-4-1, R8年4月1日 (M, T, S, H, R)
- 西暦: 2026/4/1, 2026-04-01, 2026.4.1, 2026年4月1日

Full-width digits and letters are read as half-width. A 和暦 date outside its era (平成32年,
令和元年4月1日) is refused, never silently moved into the next era.

`WarekiDateField` is the form field that reads the same formats; the admin uses it for every
date field (`hokenfukushi.admin_scope`), the CSV import reads its date column with the parser.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django import forms

from hokenfukushi.fiscal import ERAS, era_year

# era initial -> era name, as printed on Japanese forms (R8.4.1)
ERA_INITIALS: dict[str, str] = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}
_ERA_NAMES = "|".join(name for _start, name in ERAS)

_SEPARATOR = r"\s*[./\-]\s*"
_WESTERN = (
    re.compile(
        rf"(?P<year>[0-9]{{4}}){_SEPARATOR}(?P<month>[0-9]{{1,2}}){_SEPARATOR}"
        r"(?P<day>[0-9]{1,2})"
    ),
    re.compile(r"(?P<year>[0-9]{4})\s*年\s*(?P<month>[0-9]{1,2})\s*月\s*(?P<day>[0-9]{1,2})\s*日"),
)
_ERA = (
    re.compile(
        rf"(?P<era>{_ERA_NAMES})\s*(?P<year>[0-9]{{1,3}}|元)\s*年\s*(?P<month>[0-9]{{1,2}})\s*月"
        r"\s*(?P<day>[0-9]{1,2})\s*日"
    ),
    re.compile(
        rf"(?P<era>[MTSHR])\s*(?P<year>[0-9]{{1,3}}){_SEPARATOR}(?P<month>[0-9]{{1,2}})"
        rf"{_SEPARATOR}(?P<day>[0-9]{{1,2}})",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<era>[MTSHR])\s*(?P<year>[0-9]{1,3}|元)\s*年\s*(?P<month>[0-9]{1,2})\s*月"
        r"\s*(?P<day>[0-9]{1,2})\s*日",
        re.IGNORECASE,
    ),
)


def parse_date_text(text: str) -> dt.date | None:
    """The date `text` names in one of the accepted formats, or None when it names none."""
    value = unicodedata.normalize("NFKC", text).strip()
    for pattern in _WESTERN:
        match = pattern.fullmatch(value)
        if match:
            return _date(int(match["year"]), int(match["month"]), int(match["day"]))
    for pattern in _ERA:
        match = pattern.fullmatch(value)
        if match:
            era = match["era"]
            era = ERA_INITIALS.get(era.upper(), era)
            number = 1 if match["year"] == "元" else int(match["year"])
            return _era_date(era, number, int(match["month"]), int(match["day"]))
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _era_date(era: str, number: int, month: int, day: int) -> dt.date | None:
    if number < 1:
        return None
    start = next(start for start, name in ERAS if name == era)
    day_value = _date(start.year + number - 1, month, day)
    if day_value is None:
        return None
    try:
        in_era = era_year(day_value)
    except ValueError:
        return None
    return day_value if in_era == (era, number) else None


def wareki_short(day: dt.date) -> str:
    """2026-04-01 -> R8.4.1 (the short form on Japanese paper forms)."""
    era, number = era_year(day)
    initial = next(letter for letter, name in ERA_INITIALS.items() if name == era)
    return f"{initial}{number}.{day.month}.{day.day}"


DATE_EXAMPLES = "令和8年4月1日、R8.4.1、2026/4/1 または 2026-04-01"


class WarekiDateField(forms.DateField):
    """A date form field that also reads 和暦 and R8.4.1 (see `parse_date_text`)."""

    default_error_messages = {
        "invalid": f"日付として読み取れません（例: {DATE_EXAMPLES}）。",
    }

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            parsed = parse_date_text(value)
            if parsed is not None:
                return parsed
        return super().to_python(value)
