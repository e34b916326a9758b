"""Peak memory and queries of each export as the number of towns grows (not collected by pytest).

    DATABASE_URL=sqlite:////tmp/bench_exports.sqlite3 DEBUG=1 \
        python -m uv run --frozen python tests/exports/bench_export_memory.py 200 2000

Each size gets a fresh database filled by `generate_synthetic` (10 fiscal years of reports),
then every export is downloaded by a prefecture viewer while tracemalloc records the peak of
Python allocations during the streaming of the response body.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hokenfukushi.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks.synthetic import generate_synthetic  # noqa: E402
from hokenfukushi.models import Municipality, User  # noqa: E402

EXPORTS = (
    "/exports/prefecture.csv?fiscal_year=2025",
    "/exports/open-data.csv?fiscal_year=2025",
    "/exports/caseload.csv",
)


def measure(client: Client, url: str) -> tuple[int, int, int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size, len(queries), elapsed


def main(sizes: list[int]) -> None:
    for towns in sizes:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        generate_synthetic(regions=max(1, towns // 40), towns=towns, years=10)
        viewer, _ = User.objects.get_or_create(username="bench_pref", role=User.Role.PREFECTURE)
        client = Client()
        client.force_login(viewer)
        assert Municipality.objects.count() == towns
        client.get("/exports/")  # warm up: imports, templates and URL resolvers load once
        for url in EXPORTS:
            peak, size, queries, elapsed = measure(client, url)
            print(
                f"{towns:5d} towns  {url:45s} peak {peak / 1024:8.0f} KiB  "
                f"body {size / 1024:8.0f} KiB  {queries:2d} queries  {elapsed:6.2f} s"
            )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [200, 2000])
