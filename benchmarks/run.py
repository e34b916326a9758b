"""One benchmark run on PostgreSQL: the dashboard, the exports, throughput and the admin changelist
at 4, 63 and 1,741 towns × 10 fiscal years, each against its floor.

    python benchmarks/run.py            # or: make bench
    python benchmarks/run.py --sizes 4,63 --duration 5
    python benchmarks/run.py --no-throughput --only exports   # just the export rows

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hokenfukushi_bench;
the database is created if missing and its synthetic data replaced) and `wrk` (apt-get install
wrk) for the throughput rows. Prints a Markdown table and writes it to benchmarks/results/.

What is measured (see docs/benchmarks.md for the budgets):
- dashboard `/` as a region admin (one region) and as the prefecture viewer (all towns): median
  and p95 time through the whole Django stack in-process, query count, and the ratio of p95 to a
  floor view that runs exactly the same SQL through a plain cursor and returns text;
- prefecture.xlsx beside prefecture.csv (same rows): time as a multiple of the CSV's, peak memory;
- prefecture.csv and caseload.csv as the prefecture viewer: median time and peak Python memory
  (tracemalloc, a separate run), and the ratio to PostgreSQL's COPY (…) TO STDOUT WITH CSV of
  the same SELECT statements, both bare (the `ratio` column) and served as the streamed
  response of a signed-in view (benchmarks/floor.py, "ratio vs COPY served" in the notes);
- requests per second of `/` (signed in) under gunicorn with 2 workers, driven by wrk, as a ratio
  to `/healthz` on the same server in the same run (and a signed-in page with no SQL, to tell
  per-request costs from the dashboard's own);
- the admin changelist of count reports as a superuser: time and query count;
- inviting 200 people to a meeting (the center's request only queues them, django-tasks-db)
  beside /healthz, and the worker's delivery rate to a local aiosmtpd (benchmarks/invitations.py,
  at the smallest size only: it does not depend on the number of towns).
- /me/ and /network/ as a coordinator account of the first region: time and query count.
- region isolation: region B's cached `/` across 100 committed writes to region A's count
  reports (hit ratio; region A's own page, which must miss every time, as the control).

The budgets of issue 18 are checked at the end, each with its measured ratio (`budgets`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hokenfukushi_bench"
# Production-like settings: DEBUG off (no query log, compiled static manifest), plain HTTP on
# localhost, and no two-factor prompt for the benchmark's own admin accounts.
BENCH_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "EMAIL_URL": "smtp://127.0.0.1:2525",
    "SECURE_SSL_REDIRECT": "False",
    "OTP_REQUIRED_FOR_ADMINS": "False",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
    # The shared cache README recommends for more than one app server (sessions then cached_db).
    "CACHE_URL": "redis://127.0.0.1:6379/2",
}
# towns -> regions: one 4-town region; a prefecture of 63 towns in 9 regions (Saitama has 63
# municipalities and about 10 regions); the country's 1,741 in 335 secondary medical areas.
SIZES = {4: 1, 63: 9, 1741: 335}


@dataclass
class Row:
    size: int
    measure: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    floor_ms: float | None = None
    ratio: float | None = None
    extra: dict[str, str] = field(default_factory=dict)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def manage(*args: str, debug: bool = False) -> None:
    env = {**os.environ, **({"DEBUG": "True"} if debug else {})}
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, text=True
    )


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def ensure_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        sys.exit(
            f"the benchmark runs with the shared cache README recommends, and {url} does not "
            f"answer ({error}): start Redis (apt-get install redis-server), or set "
            "CACHE_URL=locmemcache:// to measure with sessions read from PostgreSQL"
        )


def get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    else:
        _ = response.content
    return response


def captured_sql(client, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        get(client, url)
    return [q["sql"] for q in context.captured_queries]


def without_request_overhead(view_sql: list[str], overhead_sql: list[str]) -> list[str]:
    """The view's own statements: drop what any signed-in request runs (session, user, …)."""
    remaining = list(view_sql)
    for sql in overhead_sql:
        key = sql.split(" WHERE ")[0]
        for index, candidate in enumerate(remaining):
            if candidate == sql or candidate.split(" WHERE ")[0] == key:
                del remaining[index]
                break
    return remaining


# Django reads `.iterator()` through a server-side cursor on PostgreSQL; the SELECT is inside.
_DECLARE = re.compile(
    r'^\s*DECLARE\s+"[^"]+"\s+NO SCROLL CURSOR\s+(?:WITH(?:OUT)? HOLD\s+)?FOR\s+', re.I
)


def unwrap_cursor(sql: str) -> str:
    """The SELECT of a `DECLARE … CURSOR … FOR SELECT …` statement (others unchanged)."""
    return _DECLARE.sub("", sql, count=1)


def is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def view_selects(view_sql: list[str], overhead_sql: list[str]) -> list[str]:
    """The SELECT statements a view ran itself, server-side cursors unwrapped."""
    statements = [unwrap_cursor(s) for s in without_request_overhead(view_sql, overhead_sql)]
    return [s for s in statements if is_select(s)]


def dashboard_rows(size: int, role: str, client, url: str, repeat: int) -> list[Row]:
    """Two rows: the dashboard computed on every request (cache off) against the floor of its
    SQL, and the dashboard as served (cache on, warm: data version + template)."""
    from django.test.utils import override_settings

    from benchmarks import floor

    overhead = captured_sql(client, "/_bench/signed-in")
    with override_settings(DASHBOARD_CACHE_SECONDS=0):
        view_sql = captured_sql(client, url)
        floor.FLOOR_SQL[:] = view_selects(view_sql, overhead)
        samples = timed(lambda: get(client, url), repeat)
    floor_samples = timed(lambda: get(client, "/_bench/floor"), repeat)
    get(client, url)  # fill the cache
    cached_sql = captured_sql(client, url)
    cached = timed(lambda: get(client, url), repeat)
    p95, floor_p95 = percentile(samples, 0.95), percentile(floor_samples, 0.95)
    return [
        Row(
            size,
            f"dashboard / ({role}), computed",
            median_ms=statistics.median(samples),
            p95_ms=p95,
            queries=len(view_sql),
            floor_ms=floor_p95,
            ratio=p95 / floor_p95,
            extra={"floor statements": str(len(floor.FLOOR_SQL))},
        ),
        Row(
            size,
            f"dashboard / ({role}), cached",
            median_ms=statistics.median(cached),
            p95_ms=percentile(cached, 0.95),
            queries=len(cached_sql),
            floor_ms=floor_p95,
            ratio=percentile(cached, 0.95) / floor_p95,
        ),
    ]


def copy_ms(statements: list[str], repeat: int) -> tuple[float, int]:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    size = 0

    def run():
        nonlocal size
        size = 0
        with raw.cursor() as cursor:
            for sql in statements:
                with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                    for data in copy:
                        size += len(data)

    return statistics.median(timed(run, repeat)), size


def peak_memory_kib(client, url: str) -> float:
    tracemalloc.start()
    try:
        get(client, url)
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def caseload_long_rows(statements: list[str]) -> list[str]:
    """The same rows as caseload.csv for COPY: the export reads one row per report and writes one
    line per reported figure (long format, ~10x the bytes), so the floor unpivots in SQL."""
    from caseload.models import COUNT_AND_SUBSET_FIELDS, CountReport

    [select] = statements
    field = CountReport._meta.get_field
    columns = ["code", "town", "as_of", "fiscal_year", "status", *COUNT_AND_SUBSET_FIELDS]
    figures = ", ".join(
        f"({_literal(str(field(name).verbose_name))}, t.{name})" for name in COUNT_AND_SUBSET_FIELDS
    )
    statuses = " ".join(
        f"WHEN {_literal(value)} THEN {_literal(str(label))}"
        for value, label in field("status").flatchoices
    )
    return [
        f"SELECT t.code, t.town, t.as_of, t.fiscal_year, v.label, v.value, "
        f"CASE t.status {statuses} END FROM ({select}) AS t({', '.join(columns)}) "
        f"CROSS JOIN LATERAL (VALUES {figures}) AS v(label, value) WHERE v.value IS NOT NULL"
    ]


def export_row(size: int, label: str, client, url: str, repeat: int, same_rows=None) -> Row:
    """`same_rows` turns the export's SELECTs into ones that return the rows the CSV has.

    Two floors: `ratio` is against a bare COPY of those SELECTs on the benchmark's own
    connection (no request at all); "ratio vs COPY served" is against the same COPY streamed as
    the response of a signed-in view (session, user, middleware: benchmarks/floor.py)."""
    from benchmarks import floor

    overhead = captured_sql(client, "/_bench/signed-in")
    statements = view_selects(captured_sql(client, url), overhead)
    if same_rows is not None:
        statements = same_rows(statements)
    fixed = statistics.median(timed(lambda: get(client, "/_bench/signed-in"), repeat))
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    samples = timed(lambda: get(client, url), repeat)
    copy_median, copy_bytes = copy_ms(statements, repeat)
    floor.COPY_SQL[:] = statements
    served_bytes = sum(len(c) for c in client.get("/_bench/copy-served").streaming_content)
    if served_bytes != copy_bytes:
        raise RuntimeError(f"COPY served {served_bytes} bytes, bare COPY {copy_bytes}")
    served_median = statistics.median(timed(lambda: get(client, "/_bench/copy-served"), repeat))
    median = statistics.median(samples)
    return Row(
        size,
        label,
        median_ms=median,
        p95_ms=percentile(samples, 0.95),
        queries=len(captured_sql(client, url)),
        floor_ms=copy_median,
        ratio=median / copy_median,
        extra={
            # What the export costs beyond any signed-in request (session, user, middleware).
            "net ratio": f"{(median - fixed) / copy_median:.2f}",
            # The same COPY sent as the response of a signed-in view (benchmarks/floor.py):
            # what a download costs when PostgreSQL writes the CSV and Django only serves it.
            "ratio vs COPY served": f"{median / served_median:.2f}",
            "COPY served ms": f"{served_median:,.1f}",
            "peak KiB": f"{peak_memory_kib(client, url):,.0f}",
            "CSV bytes": f"{len(body):,}",
            "COPY bytes": f"{copy_bytes:,}",
            "streaming": "yes" if response.streaming else "no",
        },
    )


def xlsx_export_row(size: int, label: str, client, url: str, repeat: int, twin: Row) -> Row:
    """An .xlsx download against its CSV twin of the same rows (`twin`, measured just before):
    floor and ratio are the CSV's median and this one's multiple of it (issue 24: ≤ 3×)."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    samples = timed(lambda: get(client, url), repeat)
    median = statistics.median(samples)
    return Row(
        size,
        label,
        median_ms=median,
        p95_ms=percentile(samples, 0.95),
        queries=len(captured_sql(client, url)),
        floor_ms=twin.median_ms,
        ratio=median / twin.median_ms,
        extra={
            "floor": twin.measure,
            "ratio vs COPY": f"{median / twin.floor_ms:.2f}",
            "peak KiB": f"{peak_memory_kib(client, url):,.0f}",
            "xlsx bytes": f"{len(body):,}",
        },
    )


def region_isolation_rows(size: int, writes: int = 100) -> list[Row]:
    """Region B's page (the benchmark admin's region) across `writes` committed writes to region
    A's count reports, each followed by a request for B's page and one for A's: the share of B's
    requests served from the cache (renders counted in-process), and A's as the control."""
    from caseload.models import CountReport
    from dashboard import views
    from hokenfukushi.models import Region, User

    synthetic = list(Region.objects.filter(is_synthetic=True).order_by("pk")[:2])
    if len(synthetic) < 2:
        return [Row(size, "region B cached across writes to A", extra={"skipped": "one region"})]
    _region_b, region_a = synthetic  # B: the benchmark admin's region (the first)
    admin_a, _ = User.objects.update_or_create(
        username="bench_center_a", defaults={"role": User.Role.REGION_ADMIN, "region": region_a}
    )
    admin_b = User.objects.get(username="bench_center")
    client_a, client_b = signed_in_client(admin_a), signed_in_client(admin_b)
    report = CountReport.objects.filter(municipality__region=region_a).order_by("pk").first()
    renders: list[str] = []
    render_text = views.render_text

    def counting(request, *args, **kwargs):
        renders.append(request.user.username)
        return render_text(request, *args, **kwargs)

    get(client_a, "/"), get(client_b, "/")  # both cached before the first write
    views.render_text = counting
    try:
        for n in range(writes):
            # One committed transaction per write (autocommit), as an admin save would be.
            CountReport.objects.filter(pk=report.pk).update(note=f"bench write {n}")
            get(client_b, "/")
            get(client_a, "/")
    finally:
        views.render_text = render_text
    b_misses = renders.count(admin_b.username)
    a_misses = renders.count(admin_a.username)
    return [
        Row(
            size,
            "region B cached across writes to A",
            ratio=(writes - b_misses) / writes,
            extra={"hits": f"{writes - b_misses}/{writes}", "ratio is": "B's hit ratio"},
        ),
        Row(
            size,
            "region A re-rendered after its writes (control)",
            ratio=(writes - a_misses) / writes,
            extra={"misses": f"{a_misses}/{writes}", "ratio is": "A's hit ratio"},
        ),
    ]


def admin_row(size: int, client, repeat: int) -> Row:
    url = "/admin/caseload/countreport/"
    if client.get(url).status_code == 404:
        return Row(size, "admin changelist (not registered)")
    samples = timed(lambda: get(client, url), repeat)
    return Row(
        size,
        "admin count-report changelist",
        median_ms=statistics.median(samples),
        p95_ms=percentile(samples, 0.95),
        queries=len(captured_sql(client, url)),
    )


def coordinator_account(region):
    """A coordinator account tied to the region's first active coordinator (the synthetic rows
    are replaced at each size, so the tie is made again)."""
    from coordinators.models import Coordinator
    from hokenfukushi.models import User

    account, _ = User.objects.update_or_create(
        username="bench_coordinator", defaults={"role": User.Role.COORDINATOR}
    )
    Coordinator.objects.filter(account=account).update(account=None)
    record = (
        Coordinator.objects.filter(organization__region=region, is_active=True)
        .order_by("pk")
        .first()
    )
    record.account = account
    record.save(update_fields=["account"])
    return User.objects.get(pk=account.pk)  # without the cached coordinator_scope


def member_rows(size: int, client, repeat: int) -> list[Row]:
    """/me/ and /network/ as a coordinator of the first region (issue 19): p95 and statements,
    which must not grow with the number of towns, coordinators or meetings."""
    rows = []
    for label, url in (("/me/", "/me/"), ("/network/", "/network/")):
        samples = timed(lambda url=url: get(client, url), repeat)
        rows.append(
            Row(
                size,
                f"{label} (coordinator)",
                median_ms=statistics.median(samples),
                p95_ms=percentile(samples, 0.95),
                queries=len(captured_sql(client, url)),
            )
        )
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hokenfukushi.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk_rps(url: str, duration: int, cookie: str | None = None) -> tuple[float, int]:
    command = ["wrk", "-t1", "-c4", f"-d{duration}s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rps, int(non_2xx.group(1)) if non_2xx else 0


def throughput_rows(size: int, cookie: str, duration: int, rounds: int = 5) -> list[Row]:
    """`/healthz`, the no-SQL signed-in page and `/`, in turns: `rounds` rounds of
    `duration / rounds` seconds each, so that load from elsewhere on the machine falls on all
    three alike. Each ratio is the median over the rounds of (page req/s) / (healthz req/s) in
    the same round."""
    paths = {"/healthz": None, "signed-in, no SQL": "/_bench/signed-in", "dashboard /": "/"}
    seconds = max(1, round(duration / rounds))
    rps: dict[str, list[float]] = {label: [] for label in paths}
    errors: dict[str, int] = dict.fromkeys(paths, 0)
    with gunicorn_server() as base:
        request = urllib.request.Request(base + "/", headers={"Cookie": cookie})
        with urllib.request.urlopen(request) as response:  # signed in, not sent to login
            if "/accounts/login/" in response.url:
                raise RuntimeError("the session cookie did not sign in under gunicorn")
            # Send back the CSRF cookie the page set, as a browser does on its next request.
            jar = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            csrf = jar.get("csrftoken")
        if csrf is not None:
            cookie = f"{cookie}; csrftoken={csrf.value}"
        for _ in range(rounds):
            for label, path in paths.items():
                url = base + (path or label)
                value, failed = wrk_rps(url, seconds, None if path is None else cookie)
                rps[label].append(value)
                errors[label] += failed
    healthz = rps.pop("/healthz")
    rows = []
    for label, samples in rps.items():
        ratios = [page / health for page, health in zip(samples, healthz, strict=True)]
        rows.append(
            Row(
                size,
                f"throughput {label} (req/s)",
                floor_ms=statistics.median(healthz),
                ratio=statistics.median(ratios),
                extra={
                    "req/s": f"{statistics.median(samples):,.0f}",
                    "/healthz req/s": f"{statistics.median(healthz):,.0f}",
                    "rounds": f"{rounds} x {seconds} s",
                    "ratio range": f"{min(ratios):.2f}-{max(ratios):.2f}",
                }
                | ({"non-2xx": str(errors[label])} if errors[label] else {}),
            )
        )
    return rows


def users():
    from hokenfukushi.models import Region, User

    region = Region.objects.filter(is_synthetic=True).order_by("pk").first()
    admin, _ = User.objects.update_or_create(
        username="bench_center",
        defaults={"role": User.Role.REGION_ADMIN, "region": region, "is_staff": True},
    )
    viewer, _ = User.objects.update_or_create(
        username="bench_pref", defaults={"role": User.Role.PREFECTURE}
    )
    root, _ = User.objects.update_or_create(
        username="bench_root", defaults={"is_superuser": True, "is_staff": True}
    )
    return admin, viewer, root


def signed_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def fmt(value: float | None, pattern: str = "{:,.1f}") -> str:
    return "" if value is None else pattern.format(value)


def table(rows: list[Row]) -> str:
    lines = [
        "| towns | measure | median ms | p95 ms | queries | floor | ratio | notes |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        notes = "; ".join(f"{k} {v}" for k, v in r.extra.items())
        floor_unit = " req/s" if r.measure.startswith("throughput") else " ms"
        lines.append(
            f"| {r.size:,} | {r.measure} | {fmt(r.median_ms)} | {fmt(r.p95_ms)} | "
            f"{fmt(r.queries, '{}')} | {fmt(r.floor_ms)}{floor_unit if r.floor_ms else ''} | "
            f"{fmt(r.ratio, '{:.2f}')} | {notes} |"
        )
    return "\n".join(lines)


def _find(rows: list[Row], size: int, measure: str) -> Row | None:
    return next((r for r in rows if r.size == size and r.measure == measure), None)


def budgets(rows: list[Row]) -> str:
    """The budgets of issue 18, each with what this run measured: | budget | measured | met |."""
    sizes = sorted({r.size for r in rows})
    lines = ["| budget | measured | met |", "|---|---|---|"]

    def line(budget: str, measured: str, met: bool | None) -> None:
        verdict = "n/a" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {budget} | {measured} | {verdict} |")

    throughput = _find(rows, 4, "throughput dashboard / (req/s)")
    if throughput is not None:
        line(
            "`/` as served ≥ 0.5 × `/healthz` req/s (4 towns, same gunicorn)",
            f"{throughput.ratio:.2f}",
            throughput.ratio >= 0.5,
        )
    for size in (4, 63):
        for role in ("region admin", "prefecture"):
            row = _find(rows, size, f"dashboard / ({role}), computed")
            if row is not None:
                line(
                    f"cache miss p95 ≤ 4 × floor ({size} towns, {role})",
                    f"{row.ratio:.2f}",
                    row.ratio <= 4,
                )
    for size in sizes:
        row = _find(rows, size, "region B cached across writes to A")
        if row is not None and row.ratio is not None:
            line(
                f"region B stays cached across 100 writes to region A ({size:,} towns)",
                f"hit ratio {row.ratio:.2f}",
                row.ratio == 1,
            )
    for size in sizes:
        for label in ("prefecture.csv", "caseload.csv"):
            row = _find(rows, size, label)
            if row is not None:
                served = float(row.extra["ratio vs COPY served"])
                line(f"{label} ≤ 2 × COPY served ({size:,} towns)", f"{served:.2f}", served <= 2)
    if 63 in sizes and 1741 in sizes:
        for label in ("prefecture.csv", "caseload.csv", "prefecture.xlsx"):
            small, large = _find(rows, 63, label), _find(rows, 1741, label)
            if small is not None and large is not None:
                kib = [float(r.extra["peak KiB"].replace(",", "")) for r in (small, large)]
                line(
                    f"{label} memory flat from 63 to 1,741 towns (peak ≤ 1.5 ×)",
                    f"{kib[0]:,.0f} → {kib[1]:,.0f} KiB ({kib[1] / kib[0]:.2f})",
                    kib[1] <= 1.5 * kib[0],
                )
    for size in sizes:
        row = _find(rows, size, "prefecture.xlsx")
        if row is not None:
            line(
                f"prefecture.xlsx ≤ 3 × prefecture.csv ({size:,} towns)",
                f"{row.ratio:.2f}",
                row.ratio <= 3,
            )
    for role in ("region admin", "prefecture"):
        counts = {
            size: row.queries
            for size in sizes
            if (row := _find(rows, size, f"dashboard / ({role}), computed")) is not None
        }
        if len(counts) > 1:
            line(
                f"dashboard queries constant in the number of towns ({role})",
                ", ".join(f"{n} at {size:,}" for size, n in counts.items()),
                len(set(counts.values())) == 1,
            )
    return "\n".join(lines)


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = match.group(1) if match else cpu
    from django.conf import settings

    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {pg}, {platform.platform()}; cache {settings.CACHES['default']['BACKEND']}, "
        f"sessions {settings.SESSION_ENGINE}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4,63,1741", help="towns, comma-separated")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per measure")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument(
        "--only",
        choices=("dashboard", "exports", "admin", "invitations", "members", "throughput"),
        help="measure only these rows (generate_synthetic always runs)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…")
    if not args.no_throughput and not shutil_which("wrk"):
        sys.exit("wrk is needed for the throughput rows: apt-get install wrk (or --no-throughput)")
    if os.environ["CACHE_URL"].startswith("redis"):
        ensure_redis(os.environ["CACHE_URL"])
    ensure_database(os.environ["DATABASE_URL"])
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")

    import django

    django.setup()
    from django.db import connection

    from hokenfukushi.fiscal import current_fiscal_year

    fiscal_year = current_fiscal_year()
    rows: list[Row] = []
    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        regions = SIZES.get(size, max(1, size // 5))
        load_started = time.perf_counter()
        manage(
            "generate_synthetic",
            f"--regions={regions}",
            f"--towns={size}",
            f"--years={args.years}",
            debug=True,
        )
        load_s = time.perf_counter() - load_started
        connection.close()
        with connection.cursor() as cursor:
            # Replacing the synthetic rows leaves dead tuples and bloated indexes behind: one
            # statement ran 8.5 ms instead of 0.2 ms on a database regenerated a few times.
            cursor.execute("VACUUM ANALYZE")
        admin, viewer, root = users()
        repeat = args.repeat
        admin_client, viewer_client = signed_in_client(admin), signed_in_client(viewer)
        rows.append(Row(size, "generate_synthetic", extra={"seconds": f"{load_s:.1f}"}))
        if args.only in (None, "dashboard"):
            rows.extend(dashboard_rows(size, "region admin", admin_client, "/", repeat))
            rows.extend(dashboard_rows(size, "prefecture", viewer_client, "/", repeat))
            rows.extend(region_isolation_rows(size))
        if args.only in (None, "exports"):
            for label, url, same_rows in (
                ("prefecture.csv", f"/exports/prefecture.csv?fiscal_year={fiscal_year}", None),
                ("caseload.csv", "/exports/caseload.csv", caseload_long_rows),
            ):
                rows.append(
                    export_row(size, label, viewer_client, url, max(5, repeat // 3), same_rows)
                )
            rows.append(
                xlsx_export_row(
                    size,
                    "prefecture.xlsx",
                    viewer_client,
                    f"/exports/prefecture.xlsx?fiscal_year={fiscal_year}",
                    max(5, repeat // 3),
                    _find(rows, size, "prefecture.csv"),
                )
            )
        if args.only in (None, "members"):
            member_client = signed_in_client(coordinator_account(admin.region))
            rows.extend(member_rows(size, member_client, repeat))
        if args.only in (None, "admin"):
            rows.append(admin_row(size, signed_in_client(root), max(5, repeat // 3)))
        if args.only in (None, "invitations") and size == min(sizes):
            from benchmarks.invitations import invitation_rows

            rows.extend(
                invitation_rows(size, admin_client, admin.region, repeat, Row, percentile, BASE_DIR)
            )
        if not args.no_throughput and args.only in (None, "throughput"):
            cookie = f"sessionid={admin_client.cookies['sessionid'].value}"
            rows.extend(throughput_rows(size, cookie, args.duration))
        print(table([r for r in rows if r.size == size]), flush=True)

    elapsed = time.perf_counter() - started
    report = (
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s\n\n"
        f"Machine: {machine()}\n\nCommand: {' '.join(['python', *sys.argv])}\n\n"
        f"{table(rows)}\n\n{budgets(rows)}\n"
    )
    out_dir = BASE_DIR / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"bench-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.md"
    out.write_text(report)
    print("\n" + report + f"\nwritten to {out.relative_to(BASE_DIR)}")


def shutil_which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


if __name__ == "__main__":
    main()
