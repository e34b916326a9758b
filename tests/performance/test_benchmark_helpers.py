"""The benchmark's own arithmetic: what it compares against must be what it claims."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.run import is_select, percentile, view_selects, without_request_overhead

SESSION = "SELECT * FROM django_session WHERE session_key = 'abc'"
USER = 'SELECT * FROM "hokenfukushi_user" WHERE "hokenfukushi_user"."id" = 7'
TOWNS = 'SELECT * FROM "hokenfukushi_municipality" WHERE region_id = 3'


def test_the_floor_keeps_only_the_views_own_statements():
    view = [SESSION, USER, TOWNS, TOWNS]
    assert without_request_overhead(view, [SESSION, USER]) == [TOWNS, TOWNS]


def test_overhead_statements_match_even_when_their_parameters_differ():
    other_session = SESSION.replace("'abc'", "'xyz'")
    assert without_request_overhead([other_session, TOWNS], [SESSION]) == [TOWNS]


def test_only_selects_are_copied():
    assert is_select(" WITH x AS (SELECT 1) SELECT * FROM x")
    assert not is_select('INSERT INTO "hokenfukushi_exportlog" VALUES (1)')


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=200))
def test_p95_lies_between_the_median_and_the_maximum(samples):
    assert percentile(samples, 0.5) <= percentile(samples, 0.95) <= max(samples)
    assert percentile(samples, 0.95) in samples


def test_selects_read_through_a_server_side_cursor_are_copied_too():
    declared = f'DECLARE "_django_curs_1_sync_1" NO SCROLL CURSOR WITH HOLD FOR {TOWNS}'
    insert = 'INSERT INTO "hokenfukushi_exportlog" VALUES (1)'
    assert view_selects([SESSION, USER, insert, declared], [SESSION, USER]) == [TOWNS]


def test_each_budget_is_reported_with_its_ratio_and_whether_it_is_met():
    from benchmarks.run import Row, budgets

    rows = [
        Row(4, "dashboard / (region admin), computed", queries=12, ratio=3.5),
        Row(63, "dashboard / (region admin), computed", queries=12, ratio=4.2),
        Row(63, "region B cached across writes to A", ratio=1.0),
        Row(4, "throughput dashboard / (req/s)", ratio=0.42),
    ]
    text = budgets(rows)
    assert "| cache miss p95 ≤ 4 × floor (4 towns, region admin) | 3.50 | yes |" in text
    assert "| cache miss p95 ≤ 4 × floor (63 towns, region admin) | 4.20 | **no** |" in text
    assert "(63 towns) | hit ratio 1.00 | yes |" in text
    assert "| 0.42 | **no** |" in text
    assert "12 at 4, 12 at 63 | yes |" in text


@pytest.mark.django_db
def test_the_isolation_rows_count_region_bs_hits_and_region_as_misses():
    from benchmarks.run import region_isolation_rows, users
    from benchmarks.synthetic import generate_synthetic

    generate_synthetic(regions=2, towns=4, years=1)
    users()
    b, a = region_isolation_rows(4, writes=3)
    assert (b.ratio, b.extra["hits"]) == (1.0, "3/3")
    assert (a.ratio, a.extra["misses"]) == (0.0, "3/3")
