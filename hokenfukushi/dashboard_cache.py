"""Reuse a computed dashboard until the data under it changes.

The dashboard reads a dozen tables; computing it costs many times a signed-in request's fixed
cost (session and user). It is the same for every user with the same read scope, so it is cached
per (read scope, own town, fiscal year, day, region, data version). The data version is read
from the database on every request — one statement of index-only MAX() lookups — so a write in any
worker, process or server is seen at once, whatever cache backend holds the values, and nothing
has to remember to invalidate anything.

The version is made of, for every table the dashboard reads, the highest primary key (catches
inserts, bulk inserts included) and the highest history id (every change saved through the ORM
is recorded by simple_history: updates, deletes, m2m changes).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection

if TYPE_CHECKING:
    from hokenfukushi.models import Region, User

# The models the dashboard reads ("app_label.Model"); their m2m tables come along.
DASHBOARD_MODELS = (
    "hokenfukushi.Region",
    "hokenfukushi.Municipality",
    "hokenfukushi.PopulationSnapshot",
    "hokenfukushi.Council",
    "hokenfukushi.LocalResource",
    "caseload.CountReport",
    "coordinators.Organization",
    "coordinators.Coordinator",
    "meetings.Meeting",
    "meetings.Attendance",
    "meetings.ActionItem",
)


@functools.cache
def _version_columns() -> tuple[tuple[str, str], ...]:
    columns = []
    for label in DASHBOARD_MODELS:
        model = apps.get_model(label)
        tables = [model]
        history = getattr(model, "history", None)
        if history is not None:
            tables.append(history.model)
        tables += [m2m.remote_field.through for m2m in model._meta.local_many_to_many]
        columns += [(t._meta.db_table, t._meta.pk.column) for t in tables]
    return tuple(columns)


@functools.cache
def _version_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    parts = [
        # Table and column names come from the models, never from input.
        f"(SELECT MAX({quote(column)}) FROM {quote(table)})"  # noqa: S608  # nosec B608
        for table, column in _version_columns()
    ]
    return "SELECT " + ", ".join(parts)


def data_version() -> str:
    """A string that changes whenever a row of the dashboard's tables is written."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor))
        return "-".join("" if value is None else str(value) for value in cursor.fetchone())


def read_scope_key(user: User) -> str:
    """Users with the same key read the same rows and get the same page (scope.read_filter plus
    the municipal user's own-town highlight)."""
    if not (user.is_authenticated and user.is_active):
        return "none"
    if user.is_superuser or user.role == user.Role.PREFECTURE:
        key = "all"
    else:
        region_id = user.scope_region_id
        key = "none" if region_id is None else f"region:{region_id}"
    if user.role == user.Role.MUNICIPAL:
        key += f":town:{user.municipality_id}"
    return key


def cached_dashboard(
    user: User,
    *,
    fiscal_year: int | None,
    today: dt.date,
    region: Region | None,
    build: Callable[..., Any],
    default_year: Callable[[], int] | None = None,
) -> Any:
    """`build(user, fiscal_year=…, today=…, region=…)`, reused while the data is unchanged.

    With `fiscal_year=None` the year is `default_year()` (it reads the data too), cached under
    the same data version, so a hit costs the one version statement whichever year is shown."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        if fiscal_year is None:
            fiscal_year = default_year()
        return build(user, fiscal_year=fiscal_year, today=today, region=region)
    scope = (
        read_scope_key(user),
        today.isoformat(),
        region.pk if region is not None else "",
        data_version(),
    )
    if fiscal_year is None:
        fiscal_year = _cached(("default year", *scope), default_year, seconds)
    return _cached(
        ("dashboard", fiscal_year, *scope),
        lambda: build(user, fiscal_year=fiscal_year, today=today, region=region),
        seconds,
    )


def _cached(parts: tuple, compute: Callable[[], Any], seconds: int) -> Any:
    key = "dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    value = _recent.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    _recent.put(key, value, seconds)
    return value


class _RecentDashboards:
    """The last few dashboards this process served, as objects.

    The cache backend pickles: unpickling a national dashboard (1,741 towns) costs ~50 ms, more
    than the rest of a cached request. The key holds the data version, so an entry here is never
    stale; it only has to expire with the cache entry and stay small."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, value: Any, seconds: int) -> None:
        with self._lock:
            self._entries.pop(key, None)
            while len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (time.monotonic() + seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_recent = _RecentDashboards()


def clear() -> None:
    """Forget the dashboards this process holds as objects (the cache backend has its own
    `clear`); tests call both."""
    _recent.clear()
