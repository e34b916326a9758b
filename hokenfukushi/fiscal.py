"""Fiscal years (年度, April to March) and Japanese era dates (和暦)."""

import datetime as dt
from dataclasses import dataclass

# (first day, era name); newest first.
ERAS: tuple[tuple[dt.date, str], ...] = (
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
    for start, name in ERAS:
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


def wareki_datetime(moment: dt.datetime | None) -> str:
    """An instant in local time (Asia/Tokyo): 令和7年4月1日 14:05."""
    if moment is None:
        return ""
    from django.utils import timezone

    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{wareki(local)} {local:%H:%M}"


def fiscal_year_label(fiscal_year: int) -> str:
    """2025 -> 令和7年度; 2019 -> 令和元年度 (FY2019 starts in April 2019, still 平成 for a month,
    but the fiscal year is conventionally named after the era of its larger part)."""
    name, number = era_year(dt.date(fiscal_year, 12, 31))
    return f"{name}{_year_label(number)}年度"


_QUARTER_MONTHS = {1: "4〜6月", 2: "7〜9月", 3: "10〜12月", 4: "1〜3月"}


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    """四半期 of a fiscal year: Q1 is April to June, Q4 January to March of the next year."""

    fiscal_year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in _QUARTER_MONTHS:
            raise ValueError(f"quarter must be 1-4, not {self.quarter}")

    @property
    def first_day(self) -> dt.date:
        month = 4 + 3 * (self.quarter - 1)
        year = self.fiscal_year + (month > 12)
        return dt.date(year, (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> "FiscalQuarter":
        if self.quarter == 4:
            return FiscalQuarter(self.fiscal_year + 1, 1)
        return FiscalQuarter(self.fiscal_year, self.quarter + 1)

    def previous(self) -> "FiscalQuarter":
        if self.quarter == 1:
            return FiscalQuarter(self.fiscal_year - 1, 4)
        return FiscalQuarter(self.fiscal_year, self.quarter - 1)

    @property
    def label(self) -> str:
        """令和7年度 第3四半期（10〜12月）."""
        return (
            f"{fiscal_year_label(self.fiscal_year)} 第{self.quarter}四半期"
            f"（{_QUARTER_MONTHS[self.quarter]}）"
        )

    @property
    def short_label(self) -> str:
        return f"第{self.quarter}四半期（{_QUARTER_MONTHS[self.quarter]}）"


def fiscal_quarter_of(day: dt.date) -> FiscalQuarter:
    """2025-10-15 -> FY2025 Q3; 2026-02-01 -> FY2025 Q4."""
    return FiscalQuarter(fiscal_year_of(day), (day.month - 4) % 12 // 3 + 1)
