"""The date parser: every format a town office types, and round trips from dates."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hokenfukushi.fiscal import wareki
from hokenfukushi.wareki_dates import WarekiDateField, parse_date_text, wareki_short

# From the first day of 明治 as the project counts it to well after today.
dates = st.dates(min_value=dt.date(1868, 1, 25), max_value=dt.date(2200, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和8年4月1日", dt.date(2026, 4, 1)),
        ("令和８年１０月１日", dt.date(2026, 10, 1)),
        ("令和 8 年 4 月 1 日", dt.date(2026, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R8.4.1", dt.date(2026, 4, 1)),
        ("r08.04.01", dt.date(2026, 4, 1)),
        ("Ｒ８．４．１", dt.date(2026, 4, 1)),
        ("R8/4/1", dt.date(2026, 4, 1)),
        ("H31.4.1", dt.date(2019, 4, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("S64.1.7", dt.date(1989, 1, 7)),
        ("2026/4/1", dt.date(2026, 4, 1)),
        ("2026-04-01", dt.date(2026, 4, 1)),
        ("2026.4.1", dt.date(2026, 4, 1)),
        ("2026年4月1日", dt.date(2026, 4, 1)),
        (" 2026/04/01 ", dt.date(2026, 4, 1)),
    ],
)
def test_accepted_formats(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "令和8年",
        "2026/13/1",
        "2026/2/30",
        "R8.2.30",
        "令和元年4月1日",  # still 平成31年 on that day
        "平成32年4月1日",  # 平成 ended in 2019
        "H31.5.1",
        "R0.4.1",
        "X8.4.1",
        "20260401",
        "4/1/2026",
        "令和8年4月1日 extra",
    ],
)
def test_refused_texts(text):
    assert parse_date_text(text) is None


@given(dates)
def test_round_trip_from_wareki(day):
    assert parse_date_text(wareki(day)) == day


@given(dates)
def test_round_trip_from_short_wareki(day):
    assert parse_date_text(wareki_short(day)) == day


@given(dates)
def test_round_trip_from_western(day):
    assert parse_date_text(day.isoformat()) == day
    assert parse_date_text(f"{day.year}/{day.month}/{day.day}") == day
    assert parse_date_text(f"{day.year}年{day.month}月{day.day}日") == day


@given(st.text(max_size=20))
def test_never_raises(text):
    result = parse_date_text(text)
    assert result is None or isinstance(result, dt.date)


def test_form_field_reads_wareki_and_explains_in_japanese():
    field = WarekiDateField()
    assert field.clean("令和8年4月1日") == dt.date(2026, 4, 1)
    assert field.clean("R8.4.1") == dt.date(2026, 4, 1)
    with pytest.raises(Exception) as refused:
        field.clean("らいねん")
    assert "令和8年4月1日" in str(refused.value)
