"""Rules of the meeting cycle as pure functions (no database): when a meeting counts as held,
when replies and 事前質問 are taken, when a reminder is due, how long to wait before retrying a
delivery. Tested on their own, with hypothesis where the inputs vary."""

from __future__ import annotations

import datetime as dt

# A delivery that failed for a passing reason (SMTP down, 4xx) is tried again after
# RETRY_BASE_DELAY, doubling each time up to RETRY_MAX_DELAY, at most MAX_DELIVERY_ATTEMPTS times.
RETRY_BASE_DELAY = dt.timedelta(minutes=1)
RETRY_MAX_DELAY = dt.timedelta(hours=2)
MAX_DELIVERY_ATTEMPTS = 8


def has_started(starts_at: dt.datetime, now: dt.datetime) -> bool:
    """A meeting may be marked 開催済み only once its start has passed."""
    return starts_at <= now


def replies_open(starts_at: dt.datetime, now: dt.datetime) -> bool:
    """出欠 is taken until the meeting starts; after that the center keeps the attendance."""
    return now < starts_at


def questions_open(deadline: dt.datetime | None, starts_at: dt.datetime, now: dt.datetime) -> bool:
    """事前質問 are taken until the meeting's deadline (none set: not taken), never after the
    meeting starts."""
    return deadline is not None and now < min(deadline, starts_at)


def retry_delay(attempt: int) -> dt.timedelta:
    """How long to wait after the `attempt`-th failed try (1, 2, 3, ...): 1, 2, 4, ... minutes,
    at most two hours."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    return min(RETRY_BASE_DELAY * 2 ** min(attempt - 1, 16), RETRY_MAX_DELAY)


def may_retry(attempt: int) -> bool:
    """Whether another try follows the `attempt`-th failed one."""
    return attempt < MAX_DELIVERY_ATTEMPTS


def reminder_due(starts_at: dt.datetime, now: dt.datetime, days_before: int) -> bool:
    """A reminder goes out from `days_before` days before the start until the start."""
    return starts_at - dt.timedelta(days=days_before) <= now < starts_at


def calendar_changed(before: dict, after: dict) -> bool:
    """Whether a change of the meeting is news for the invitees' calendars: a new date, end or
    place, or a cancellation (or its undoing). Marking it 開催済み is not."""
    if any(before.get(name) != after.get(name) for name in ("starts_at", "ends_at", "venue")):
        return True
    return before.get("status") != after.get("status") and "cancelled" in (
        before.get("status"),
        after.get("status"),
    )
