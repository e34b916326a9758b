"""Reuse a computed dashboard, and the rendered page, until the data under it changes.

The dashboard reads a dozen tables; computing it costs many times a signed-in request's fixed
cost (session and user). It is the same for every user with the same read scope, so it is cached
per (read scope, own town, fiscal year, day, region, data versions); the rendered page is cached
per viewer as well (their name is in the header). The data versions are read from the database
on every request, so a write in any worker, process or server is seen at once, whatever cache
backend holds the values, and nothing has to remember to invalidate anything.

The versions are counters, one per region (`DataVersion`), that database triggers on the
dashboard's tables bump for every transaction that writes to that region's rows, bulk inserts
and raw SQL included; on PostgreSQL at commit, so a version never moves before the data it
stands for is visible (dashboard/migrations/0002). A page depends on the versions of the regions
it shows, which the one scope rule gives (`DataVersion.objects.visible_to(user)`, narrowed to the
region picked): a write in one region leaves every other region's pages cached, and a
prefecture-wide page moves with each of its regions. Reading them is one indexed statement.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.db.models import Value
from django.http import HttpRequest
from django.middleware.csrf import get_token

from dashboard.build import own_town_id
from dashboard.models import DataChange, DataVersion
from hokenfukushi.scope import read_filter

if TYPE_CHECKING:
    from hokenfukushi.models import Region, User

logger = logging.getLogger(__name__)

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
    "coordinators.Activity",  # the 活動記録 section (counts only)
    "meetings.Meeting",
    "meetings.Attendance",
    "meetings.ActionItem",
)


def dashboard_tables() -> list[str]:
    """The tables of DASHBOARD_MODELS and their m2m tables: each must carry the trigger."""
    tables = []
    for label in DASHBOARD_MODELS:
        model = apps.get_model(label)
        tables.append(model._meta.db_table)
        tables += [
            m2m.remote_field.through._meta.db_table for m2m in model._meta.local_many_to_many
        ]
    return tables


# While a page is rendered, the version its key was made with: the dashboard inside it is keyed
# by the same version, read once.
_version_being_rendered: ContextVar[str | None] = ContextVar("version_being_rendered", default=None)


def data_version(user: User | None = None, *, region: Region | None = None) -> str:
    """A string that changes whenever a row of the dashboard's tables is written in a region the
    page of `user` (with `region` picked) shows, or a row of no single region. Without a user,
    any region. Inside a transaction it is read with the transaction's own writes."""
    known = _version_being_rendered.get()
    if known is not None:
        return known
    rows = DataVersion.objects.shown_on_page(user, region=region).values_list(
        "region_id", "version"
    )
    if connection.in_atomic_block:
        # And the transaction's own writes, not yet committed: DataChange rows exist only inside
        # the writing transaction on PostgreSQL (deleted at commit, so the table is empty to
        # everyone else); on SQLite there are none. In the same statement, marked region -1.
        own = DataChange.objects.shown_on_page(user, region=region).values_list(Value(_OWN), "id")
        rows = rows.union(own, all=True)
    committed, pending = [], 0
    for region_id, value in rows:
        if region_id == _OWN:
            pending = max(pending, value)
        else:
            committed.append((region_id, value))
    return version_text(committed=sorted(committed), pending=pending)


# Marks the transaction's own pending changes among the counters (no region has this id).
_OWN = -1


def version_text(*, committed: Iterable[tuple[int, int]], pending: int | None = None) -> str:
    """The versions as data_version() gives them: region:version of each region with a counter
    row (none yet: nothing written there since the tables were emptied), then the newest
    uncommitted change of one's own."""
    return ",".join(f"{region}:{version}" for region, version in committed) + f"+{pending or 0}"


def scope_key(user: User) -> tuple:
    """Users with the same key read the same rows and get the same dashboard: the scope rule's
    own condition for them (scope.read_filter), and the town the page highlights as theirs."""
    condition = read_filter(user, region_path="region", municipality_path="municipality")
    return (repr(condition), own_town_id(user))


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
    scope = _scope(user, today=today, region=region)
    if fiscal_year is None:
        fiscal_year = _cached(("default year", *scope), default_year, seconds)
    return _cached(
        ("dashboard", fiscal_year, *scope),
        lambda: build(user, fiscal_year=fiscal_year, today=today, region=region),
        seconds,
    )


def _scope(user: User, *, today: dt.date, region: Region | None) -> tuple:
    return (
        code_version(),
        *scope_key(user),
        today.isoformat(),
        region.pk if region is not None else "",
        data_version(user, region=region),
    )


def viewer_key(user: User) -> tuple:
    """What a page shows of its viewer (the header's name and role, the admin link, the fix
    links): two users share a cached page only if all of it is the same."""
    return (
        user.pk,
        user.username,
        user.get_full_name(),
        user.role,
        user.is_staff,
        user.is_superuser,
        user.is_active,
    )


def cached_page(
    request: HttpRequest,
    *,
    parts: tuple,
    today: dt.date,
    region: Region | None,
    render: Callable[[str], str],
) -> bytes:
    """A rendered page (UTF-8), reused while the data under it and its viewer are unchanged.

    `render(csrf_token)` renders the page with the given text in place of the CSRF token; it is
    rendered once with a random stand-in, and each request gets the page with its own token
    (the stand-in is random so that no text in the data can be mistaken for it). `parts` are
    what else the page depends on (year, filters). Pages with messages waiting are never cached:
    the messages are shown once and only to that request."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0 or len(get_messages(request)):
        return render(get_token(request)).encode()
    user = request.user
    scope = _scope(user, today=today, region=region)
    key_parts = ("page", *parts, viewer_key(user), *scope)

    def render_with_stand_in() -> tuple[bytes, ...]:
        stand_in = secrets.token_hex(16)
        token = _version_being_rendered.set(scope[-1])
        try:
            # Kept encoded: encoding a page on every hit cost as much as reading the version.
            return tuple(piece.encode() for piece in render(stand_in).split(stand_in))
        finally:
            _version_being_rendered.reset(token)

    pieces = _cached(key_parts, render_with_stand_in, seconds, memo=_recent_pages)
    return get_token(request).encode().join(pieces)


def _cached(
    parts: tuple, compute: Callable[[], Any], seconds: int, memo: _RecentValues | None = None
) -> Any:
    memo = _recent if memo is None else memo
    key = "dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    value = memo.get(key)
    if value is not None:
        return value
    value = _from_cache(key)
    if value is None:
        value = compute()
        _to_cache(key, value, seconds)
    if memo.admits(value):
        memo.put(key, value, seconds)
    return value


def _from_cache(key: str) -> Any:
    """The cached value, or None; a cache that does not answer (Redis down) is a miss: the page
    is computed instead of failing."""
    try:
        return cache.get(key)
    except Exception:  # any backend error: the page does not need the cache
        logger.warning("dashboard cache unavailable; computing the page", exc_info=True)
        return None


def _to_cache(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:  # as in _from_cache
        logger.warning("dashboard cache unavailable; the page is not kept", exc_info=True)


# The files a cached value is made from besides the data: a new release must not serve pages
# (or pickled dashboards, from a shared cache) made by the old one.
_CODE_DIRS = (
    "hokenfukushi",
    "caseload",
    "coordinators",
    "meetings",
    "dashboard",
    "exports",
    "templates",
    "static",
    "locale",
)
_CODE_SUFFIXES = {".py", ".html", ".txt", ".mo", ".css", ".js", ".svg"}
# The locked dependencies (Django's own templates and filters among them).
_CODE_FILES = ("uv.lock",)


@functools.cache
def code_version() -> str:
    """A hash of the code, read once per process (apps.py reads it at start-up, so that a worker
    started before a deploy keeps its own code's hash rather than the new files')."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for name in _CODE_FILES:
        if (base / name).is_file():
            digest.update(name.encode())
            digest.update((base / name).read_bytes())
    for directory in _CODE_DIRS:
        for path in sorted((base / directory).rglob("*")):
            if path.suffix in _CODE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class _RecentValues:
    """The last few dashboards (and pages) this process served, as objects.

    The cache backend pickles: unpickling a national dashboard (1,741 towns) costs ~50 ms, more
    than the rest of a cached request. The key holds the data version, so an entry here is never
    stale; it only has to expire with the cache entry and stay small."""

    def __init__(self, size: int = 16, max_item_bytes: int | None = None) -> None:
        self.size = size
        self.max_item_bytes = max_item_bytes
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def admits(self, value: Any) -> bool:
        """Pages (tuples of bytes) over `max_item_bytes` stay only in the cache backend."""
        if self.max_item_bytes is None:
            return True
        return sum(len(piece) for piece in value) <= self.max_item_bytes

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


_recent = _RecentValues()
# Pages are cached per viewer, so more of them are in use at once. A 4-town page is 24 KB; a
# national one is megabytes and is read from the cache backend instead (bytes unpickle at copy
# speed, unlike a Dashboard), so this holds at most 32 x 256 KB per process.
_recent_pages = _RecentValues(size=32, max_item_bytes=256 * 1024)


def clear() -> None:
    """Forget the dashboards this process holds as objects (the cache backend has its own
    `clear`); tests call both."""
    _recent.clear()
    _recent_pages.clear()
