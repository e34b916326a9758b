"""When a town's count report for a fiscal year is due (報告の期限), as pure functions.

The due day is the same month and day every year (`REPORT_DUE_MONTH_DAY`, "MM-DD"), inside the
fiscal year it reports on: "06-30" is 30 June of that fiscal year, "01-31" is 31 January of the
next calendar year (still the same fiscal year). The report is late from the day after.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hokenfukushi.fiscal import FIRST_FISCAL_YEAR, fiscal_year_of


def parse_month_day(text: str) -> tuple[int, int]:
    """ "06-30" -> (6, 30); a day that is not in every year (02-29) or not a day is refused."""
    try:
        month, day = (int(part) for part in text.strip().split("-"))
        dt.date(2023, month, day)  # 2023 is not a leap year: 02-29 is refused
    except ValueError as error:
        raise ImproperlyConfigured(
            f"REPORT_DUE_MONTH_DAY must be a day of every year as MM-DD (e.g. 06-30), not {text!r}"
        ) from error
    return month, day


def report_due_on(fiscal_year: int, month_day: tuple[int, int] | None = None) -> dt.date:
    """The day the report for `fiscal_year` is due (the setting unless `month_day` is given)."""
    month, day = month_day or parse_month_day(settings.REPORT_DUE_MONTH_DAY)
    return dt.date(fiscal_year if month >= 4 else fiscal_year + 1, month, day)


def latest_overdue_fiscal_year(
    today: dt.date, month_day: tuple[int, int] | None = None
) -> int | None:
    """The newest fiscal year whose report is late on `today` (its due day has passed): the
    current year once its due day is behind, the previous year before that. None before the
    first year the app keeps."""
    current = fiscal_year_of(today)
    year = current if today > report_due_on(current, month_day) else current - 1
    return year if year >= FIRST_FISCAL_YEAR else None
