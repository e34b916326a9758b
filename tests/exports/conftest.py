"""The adversary used by the suppression tests: it knows the rule, the threshold and everything
published, and searches for other tables the rule would publish identically."""

from itertools import product

import pytest

from exports.suppression import suppress_column


def candidates(published, total, *, threshold, bound):
    """Every column (values up to `bound`) that the rule would publish exactly like this."""
    hidden = [i for i, v in enumerate(published) if v is None]
    ranges = [range(bound + 1)] * len(hidden)
    for guess in product(*ranges):
        column = list(published)
        for i, v in zip(hidden, guess, strict=True):
            column[i] = v
        if total is not None and sum(column) != total:
            continue
        if suppress_column(column, threshold=threshold) == (published, total):
            yield column


def _possible_values(values, *, threshold):
    published, total = suppress_column(values, threshold=threshold)
    bound = max(sum(values), threshold) + threshold
    # Start from the truth; the question is whether any other value fits what is published.
    seen = {i: {values[i]} for i, v in enumerate(published) if v is None}
    for column in candidates(published, total, threshold=threshold, bound=bound):
        for i in seen:
            seen[i].add(column[i])
        if all(len(s) > 1 for s in seen.values()):
            break
    return published, total, seen


@pytest.fixture(scope="session")
def possible_values():
    """`possible_values(column, threshold=3)` -> (published, total, {hidden index: values})."""
    return _possible_values
