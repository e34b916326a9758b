import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hokenfukushi.fiscal import (
    FIRST_FISCAL_YEAR,
    default_fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_of_label,
    wareki,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 4, 1), "令和7年4月1日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(2026, 1, 13), "令和8年1月13日"),
    ],
)
def test_wareki(day, expected):
    assert wareki(day) == expected


def test_wareki_filter_in_templates():
    from django.template import Context, Template

    rendered = Template("{{ day|wareki }} / {{ fy|nendo }}").render(
        Context({"day": dt.date(2025, 4, 1), "fy": 2025})
    )
    assert rendered == "令和7年4月1日 / 令和7年度"


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [(dt.date(2025, 4, 1), 2025), (dt.date(2026, 3, 31), 2025), (dt.date(2025, 3, 31), 2024)],
)
def test_fiscal_year_of(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_day_falls_inside_its_fiscal_year(day):
    start, end = fiscal_year_bounds(fiscal_year_of(day))
    assert start <= day <= end


@pytest.mark.parametrize(
    ("fy", "label"), [(2025, "令和7年度"), (2019, "令和元年度"), (2018, "平成30年度")]
)
def test_fiscal_year_label(fy, label):
    assert fiscal_year_label(fy) == label


@given(
    latest=st.one_of(st.none(), st.integers(1990, 2060)),
    current=st.integers(FIRST_FISCAL_YEAR, 2050),
)
def test_a_page_opens_on_the_newest_approved_year_it_offers_or_else_the_current(latest, current):
    opened = default_fiscal_year(latest, current=current)
    assert FIRST_FISCAL_YEAR <= opened <= current
    if latest is not None and FIRST_FISCAL_YEAR <= latest <= current:
        assert opened == latest
    else:
        assert opened == current


def test_the_first_fiscal_year_is_the_one_the_2016_law_began():
    assert FIRST_FISCAL_YEAR == 2016
    assert fiscal_year_label(FIRST_FISCAL_YEAR) == "平成28年度"
    assert default_fiscal_year(2015, current=2026) == 2026  # before it: not a year offered


@pytest.mark.parametrize(
    ("label", "year"),
    [
        ("令和7年度", 2025),
        ("令和元年度", 2019),
        ("平成30年度", 2018),
        ("平成28年度", 2016),
        ("昭和63年度", 1988),
        # labels fiscal_year_label never writes: no year is guessed from them
        ("令和1年度", None),
        ("平成31年度", None),
        ("令和0年度", None),
        ("2025年度", None),
        ("令和7年", None),
        (" 令和7年度", None),
        ("令和7年度（見込）", None),
    ],
)
def test_fiscal_year_of_label_reads_only_what_fiscal_year_label_writes(label, year):
    assert fiscal_year_of_label(label) == year


@given(st.integers(min_value=0, max_value=9999))
def test_fiscal_year_of_label_undoes_fiscal_year_label(year):
    assert fiscal_year_of_label(fiscal_year_label(year)) == year


@given(
    st.text(alphabet="令和平成昭和大正明治元年度0123456789１ x", max_size=8) | st.text(max_size=8)
)
def test_fiscal_year_of_label_is_none_or_the_year_whose_label_it_is(text):
    year = fiscal_year_of_label(text)
    assert year is None or fiscal_year_label(year) == text
