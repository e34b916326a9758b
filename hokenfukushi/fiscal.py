"""Fiscal years (年度, April to March), Japanese era dates (和暦) and the supported dates."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

# The first day the app holds figures for: coordinator training began in FY2016 (平成28年度).
# 基準日 and meeting dates before it are typing errors (or attacks), never data.
# The first fiscal year any page or export offers: FY2016 (平成28年度), when the amended 児童福祉法
# (art. 56-6 (2), June 2016) first asked local governments to support children with medical care
# and the national coordinator training began. No figure this project keeps (counts, training
# years, meetings) can be older, and the exports already offered it; the dashboard used to start
# at FY2019, which hid three years a user could download.
FIRST_FISCAL_YEAR = 2016
# Dates entered anywhere (基準日, meetings) start with that fiscal year.
FIRST_SUPPORTED_DATE = dt.date(FIRST_FISCAL_YEAR, 4, 1)

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
    return fiscal_year_of(today or timezone.localdate())


def last_supported_date(today: dt.date | None = None) -> dt.date:
    """The end of the next fiscal year: a meeting or a 基準日 is planned at most that far
    ahead. It moves with today, so only forms and the CSV parser can check it, not the
    database (a CHECK constraint cannot depend on the date)."""
    return fiscal_year_bounds(current_fiscal_year(today) + 1)[1]


def check_supported_date(value: dt.date | dt.datetime, *, today: dt.date | None = None) -> None:
    """Raise a ValidationError (Japanese, code "unsupported_date") for a date outside
    FIRST_SUPPORTED_DATE .. last_supported_date(today); a datetime is judged by its local day.

    Used as a model field validator (so every admin form checks it) and by the CSV parser."""
    day = value
    if isinstance(value, dt.datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    last = last_supported_date(today)
    if not FIRST_SUPPORTED_DATE <= day <= last:
        raise ValidationError(
            "%(first)s から %(last)s までの日付を入力してください（入力: %(day)s）。",
            code="unsupported_date",
            params={
                "first": wareki(FIRST_SUPPORTED_DATE),
                "last": wareki(last),
                "day": wareki(day),
            },
        )


def era_year(day: dt.date) -> tuple[str, int]:
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} is before the Meiji era")


def _year_label(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki(day: dt.date | dt.datetime | None) -> str:
    """2025-04-01 -> 令和7年4月1日; 2019-05-01 -> 令和元年5月1日.

    Never raises (it runs inside templates and list pages): a date before the Meiji era is
    written as 西暦 (1800年4月1日), anything that is not a date as it is."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date):
        return str(day)
    try:
        name, number = era_year(day)
    except ValueError:
        return f"{day.year}年{day.month}月{day.day}日"
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
    but the fiscal year is conventionally named after the era of its larger part).

    Never raises: a year outside the eras (or the calendar) is written as 西暦 (1799年度)."""
    try:
        name, number = era_year(dt.date(fiscal_year, 12, 31))
    except (ValueError, TypeError, OverflowError):
        return f"{fiscal_year}年度"
    return f"{name}{_year_label(number)}年度"


_ERA_STARTS = {name: start for start, name in ERAS}
_FISCAL_YEAR_LABEL = re.compile(
    r"(?P<era>{})?(?P<number>元|[0-9]{{1,4}})年度".format("|".join(_ERA_STARTS))
)


def fiscal_year_of_label(label: str) -> int | None:
    """The year `fiscal_year_label` wrote as `label` (令和7年度 -> 2025, 令和元年度 -> 2019),
    or None for any other text, a label it would not write (令和1年度, 平成31年度) included:
    an export that shows the year as its label can still give the 西暦 beside it."""
    match = _FISCAL_YEAR_LABEL.fullmatch(label)
    if match is None:
        return None
    number = 1 if match["number"] == "元" else int(match["number"])
    era = match["era"]
    year = number if era is None else _ERA_STARTS[era].year + number - 1
    return year if fiscal_year_label(year) == label else None


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


def default_fiscal_year(latest_complete: int | None, *, current: int) -> int:
    """The fiscal year a page or export opens on — the one rule, used by the dashboard, the
    exports and the caseload page:

    the newest year in which EVERY town in what the user is looking at has approved figures
    (`CountReportQuerySet.latest_fiscal_year_approved_by_all`), if it is a year the pages offer
    (FIRST_FISCAL_YEAR to `current`); otherwise `current`, shown with its reporting state
    (「4町中3町が報告済み」). One town's approval of a new year does not move the page to that
    year: it would open on a year most towns have not reported."""
    if latest_complete is None or not FIRST_FISCAL_YEAR <= latest_complete <= current:
        return current
    return latest_complete
