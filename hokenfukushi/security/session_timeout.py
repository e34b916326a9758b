"""Idle timeout and absolute lifetime of a signed-in session, as pure functions of timestamps.

The session stores when it started and when it was last used (seconds since the epoch). The
absolute lifetime bounds a stolen cookie even if it is kept busy; the idle timeout ends a
session left open on a shared office PC.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Literal

STARTED_KEY = "_security_started_at"
LAST_SEEN_KEY = "_security_last_seen_at"
# Saving the session on every request would turn every page view into a write; a minute of
# slack in the idle clock is harmless.
LAST_SEEN_RESOLUTION_SECONDS = 60

ExpiryReason = Literal["idle", "absolute"]


def start_session_clock(session: MutableMapping, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[STARTED_KEY] = now
    session[LAST_SEEN_KEY] = now


def session_expiry_reason(
    *,
    started_at: float | None,
    last_seen_at: float | None,
    now: float,
    idle_seconds: int,
    absolute_seconds: int,
) -> ExpiryReason | None:
    """Why a session must end now, or None while it is still valid.

    A session without timestamps (signed in before this rule existed) is treated as starting now.
    """
    if started_at is not None and now - started_at >= absolute_seconds:
        return "absolute"
    if last_seen_at is not None and now - last_seen_at >= idle_seconds:
        return "idle"
    return None


def needs_touch(*, last_seen_at: float | None, now: float) -> bool:
    return last_seen_at is None or now - last_seen_at >= LAST_SEEN_RESOLUTION_SECONDS
