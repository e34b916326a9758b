"""Small-cell suppression for open data (秘匿処理), as a pure rule on one column of counts.

A column is the towns' counts of one category in one region, published with the region's total.
The rule, with threshold `t` (setting OPEN_DATA_SUPPRESSION_THRESHOLD, default 3):

1. Primary: a count from 1 to t-1 is published as `x` (Saitama's convention); 0 stays 0.
2. A total from 1 to t-1 is itself a small count: the whole column, zeros included, becomes `x`.
   Keeping the zeros would tell a reader that the few hidden cells sum to at most t-1, which for
   two or more of them pins each to 1.
3. Secondary: with the total published, a reader knows the hidden cells' sum and that each lies
   in 1..t-1. That pins them when there is one hidden cell, or when the sum is the least (all 1)
   or the most (all t-1) that they can add up to. Then every cell holding the column's smallest
   count of at least t is hidden too. All cells of that value go, not just one: a reader who knows
   the rule would otherwise bound the hidden one by its published twin and solve the column. If
   there is no such count, the whole column is hidden as in 2.

The rule never looks at a cell's position, only at values, so the order of towns tells a reader
nothing. tests/exports/test_suppression.py attacks it: for every suppressed cell it searches for
another table that the rule would publish identically but with a different value in that cell.

Only column totals are published (no per-town total across categories), so columns are
independent and the rule can be checked one column at a time. Deciding needs only a running
summary of the column (`ColumnSummary`), so an export can plan in one streaming pass and publish
in a second without holding the rows in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SUPPRESSED = "x"


def validate_threshold(threshold: int) -> int:
    # With a threshold of 2, a primary `x` could only ever mean 1.
    if threshold < 3:
        raise ValueError(f"秘匿の閾値は3以上にしてください（現在 {threshold}）。")
    return threshold


@dataclass(slots=True)
class ColumnSummary:
    """What the rule needs to know about a column, folded one cell at a time."""

    threshold: int
    total: int = 0
    small_count: int = 0
    small_sum: int = 0
    # The smallest count of at least `threshold`, if any.
    smallest_large: int | None = None

    def add(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"負の人数は秘匿処理できません: {value}")
        self.total += value
        if 0 < value < self.threshold:
            self.small_count += 1
            self.small_sum += value
        elif value >= self.threshold and (
            self.smallest_large is None or value < self.smallest_large
        ):
            self.smallest_large = value


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """The decision for one column: apply it to each cell with `publish`."""

    threshold: int
    total: int
    hide_all: bool = False
    secondary_value: int | None = None

    def publish(self, value: int) -> int | None:
        """The published value of a cell, None where it is suppressed."""
        if self.hide_all or 0 < value < self.threshold or value == self.secondary_value:
            return None
        return value

    @property
    def published_total(self) -> int | None:
        return None if self.hide_all else self.total


def plan_column(summary: ColumnSummary) -> ColumnPlan:
    threshold = validate_threshold(summary.threshold)
    total = summary.total
    if 0 < total < threshold:
        return ColumnPlan(threshold, total, hide_all=True)
    k, hidden_sum = summary.small_count, summary.small_sum
    # Hidden counts lie in 1..t-1; with their sum known, each is pinned when there is one, or
    # when the sum is the least (all 1) or the most (all t-1) that k of them can add up to.
    hidden_recoverable = k == 1 or (k > 1 and hidden_sum in (k, k * (threshold - 1)))
    if not hidden_recoverable:
        return ColumnPlan(threshold, total)
    if summary.smallest_large is None:
        return ColumnPlan(threshold, total, hide_all=True)
    return ColumnPlan(threshold, total, secondary_value=summary.smallest_large)


def summarise(values: Iterable[int], *, threshold: int) -> ColumnSummary:
    summary = ColumnSummary(threshold=threshold)
    for value in values:
        summary.add(value)
    return summary


def suppress_column(
    values: Sequence[int], *, threshold: int
) -> tuple[list[int | None], int | None]:
    """Published cells (None = suppressed) and published total (None = suppressed)."""
    plan = plan_column(summarise(values, threshold=threshold))
    return [plan.publish(v) for v in values], plan.published_total
