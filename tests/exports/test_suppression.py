"""The suppression rule, attacked: for every suppressed cell, an adversary who knows the rule,
the threshold and everything published must still find at least two possible values."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exports.suppression import (
    ColumnSummary,
    plan_column,
    summarise,
    suppress_column,
)

columns = st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=4)
thresholds = st.integers(min_value=3, max_value=5)


@settings(max_examples=300, deadline=None)
@given(columns, thresholds)
def test_no_suppressed_cell_can_be_recovered(possible_values, values, threshold):
    published, total, seen = possible_values(values, threshold=threshold)
    for i, possible in seen.items():
        assert len(possible) > 1, f"cell {i} of {values} is recoverable as {possible}"
    if total is None:
        assert all(v is None for v in published)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=60), thresholds)
def test_no_small_count_is_published(values, threshold):
    published, total = suppress_column(values, threshold=threshold)
    assert not any(v is not None and 0 < v < threshold for v in published)
    assert total is None or not 0 < total < threshold
    # A published cell is the true value; a published total is the true sum.
    assert all(p is None or p == v for p, v in zip(published, values, strict=True))
    assert total is None or total == sum(values)


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=60), thresholds)
def test_large_counts_are_kept_when_nothing_is_small(values, threshold):
    values = [v if v == 0 or v >= threshold else threshold for v in values]
    assert suppress_column(values, threshold=threshold) == (values, sum(values))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # the demo region's four columns with the default threshold
        ([6, 0, 1, 0], ([None, 0, None, 0], 7)),  # a lone 1 would be total minus 6
        ([4, 1, 0, 0], ([None, None, 0, 0], 5)),
        ([36, 0, 2, 4], ([36, 0, None, None], 42)),
        ([2, 0, 0, 0], ([None, None, None, None], None)),  # total 2 is small: all hidden
        ([1, 1, 5, 9], ([None, None, None, 9], 16)),  # two hidden 1s alone would be recovered
        ([1, 2, 5, 9], ([None, None, 5, 9], 17)),  # two hidden, sum 3: 1+2 or 2+1
        ([2, 2, 5, 9], ([None, None, None, 9], 18)),  # two hidden 2s (t-1) would be recovered
        ([1, 4, 4, 9], ([None, None, None, 9], 18)),  # both 4s go: one would bound the other
        ([1, 1, 1], ([None, None, None], None)),  # all 1s and nothing else to hide
        ([0, 0, 0], ([0, 0, 0], 0)),
    ],
)
def test_examples(values, expected):
    assert suppress_column(values, threshold=3) == expected


@settings(max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30), thresholds)
def test_the_order_of_towns_does_not_matter(values, threshold):
    published, total = suppress_column(values, threshold=threshold)
    reversed_published, reversed_total = suppress_column(values[::-1], threshold=threshold)
    assert reversed_published == published[::-1]
    assert reversed_total == total


def test_plan_from_a_streamed_summary():
    summary = ColumnSummary(threshold=3)
    for value in [6, 0, 1, 0]:
        summary.add(value)
    plan = plan_column(summary)
    assert [plan.publish(v) for v in (6, 0, 1, 0)] == [None, 0, None, 0]
    assert plan.published_total == 7


@pytest.mark.parametrize("threshold", [0, 1, 2])
def test_threshold_below_three_is_refused(threshold):
    with pytest.raises(ValueError, match="3以上"):
        plan_column(summarise([], threshold=threshold))


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="負の人数"):
        summarise([-1], threshold=3)
