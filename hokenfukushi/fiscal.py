"""Fiscal years (年度, April to March) and Japanese era dates (和暦)."""

import datetime as dt

# (first day, era name); newest first.
_ERAS: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 1, 25), "明治"),
)


def fiscal_year_of(day: dt.date) -> int:
    """令和7年度 (FY2025) runs from 2025-04-01 to 2026-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)


def current_fiscal_year(today: dt.date | None = None) -> int:
    from django.utils import timezone

    return fiscal_year_of(today or timezone.localdate())


def era_year(day: dt.date) -> tuple[str, int]:
    for start, name in _ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} is before the Meiji era")


def _year_label(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki(day: dt.date | dt.datetime | None) -> str:
    """2025-04-01 -> 令和7年4月1日; 2019-05-01 -> 令和元年5月1日."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.date()
    name, number = era_year(day)
    return f"{name}{_year_label(number)}年{day.month}月{day.day}日"


def fiscal_year_label(fiscal_year: int) -> str:
    """2025 -> 令和7年度; 2019 -> 令和元年度 (FY2019 starts in April 2019, still 平成 for a month,
    but the fiscal year is conventionally named after the era of its larger part)."""
    name, number = era_year(dt.date(fiscal_year, 12, 31))
    return f"{name}{_year_label(number)}年度"


# The first fiscal year any page or export offers: FY2016 (平成28年度), when the amended 児童福祉法
# (art. 56-6 (2), June 2016) first asked local governments to support children with medical care
# and the national coordinator training began. No figure this project keeps (counts, training
# years, meetings) can be older, and the exports already offered it; the dashboard used to start
# at FY2019, which hid three years a user could download.
FIRST_FISCAL_YEAR = 2016


def default_fiscal_year(latest_approved: int | None, *, current: int) -> int:
    """The fiscal year a page or export opens on: the newest with approved figures in what the
    user is looking at (`CountReportQuerySet.latest_approved_fiscal_year`), if it is a year
    the pages offer (FIRST_FISCAL_YEAR to `current`); otherwise `current`. Early in a year
    nothing is approved yet, and opening on an empty year would show zeros that only mean "not
    reported yet"."""
    if latest_approved is None or not FIRST_FISCAL_YEAR <= latest_approved <= current:
        return current
    return latest_approved
