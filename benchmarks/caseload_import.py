"""Time the count-report CSV import at national scale: 1,741 rows (one per town in Japan).

    python -m uv run --frozen python benchmarks/caseload_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hokenfukushi_bench \
        python -m uv run --frozen python benchmarks/caseload_import.py

Runs in a throwaway test database (test_<name>). Measures, as a superuser: reading the file,
the preview (plan), confirming a first import (all new), re-importing the same file (all
変更なし), and importing it with every count changed (drafts updated in place); time and
query count of each. Prints a Markdown table.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hokenfukushi.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

TOWNS = 1741
HEADER = "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\n"


def build_file(codes: list[str], shift: int) -> bytes:
    lines = [
        f"{code},2025-04-01,{i % 7 + shift},{i % 5 + shift},{i % 40 + shift},{i % 3 + shift}\n"
        for i, code in enumerate(codes)
    ]
    return ("\ufeff" + HEADER + "".join(lines)).encode()


def measure(label: str, fn, rows: list[list[str]], repeat: int = 1):
    samples, result, queries = [], None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            samples.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    rows.append([label, f"{statistics.median(samples):.0f}", str(queries)])
    return result


def main() -> None:
    from caseload import rules, services
    from caseload.models import CountReport
    from hokenfukushi.codes import check_digit
    from hokenfukushi.models import Municipality, Region, User

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        region = Region.objects.create(
            name="ベンチ圏域", prefecture_name="テスト県", prefecture_code="990001"
        )
        codes = []
        for n in range(TOWNS):
            first_five = f"{90 + n // 1000:02d}{n % 1000:03d}"
            codes.append(first_five + str(check_digit(first_five)))
        Municipality.objects.bulk_create(
            Municipality(code=code, name=f"町{n}", kind="town", region=region)
            for n, code in enumerate(codes)
        )
        user = User.objects.create(username="bench", is_superuser=True, is_staff=True)
        first, changed = build_file(codes, 0), build_file(codes, 1)
        rows: list[list[str]] = []

        parsed = measure(
            f"read {TOWNS:,} rows (decode + parse)", lambda: rules.parse_count_csv(first), rows, 5
        )
        measure(
            "preview (plan) — all new",
            lambda: services.plan_import(user=user, parsed=parsed),
            rows,
            3,
        )
        plan = measure(
            "confirm — create all",
            lambda: services.import_count_reports(user=user, parsed=parsed),
            rows,
        )
        assert plan.count(services.ImportOutcome.NEW) == TOWNS
        plan = measure(
            "re-import same file — 変更なし",
            lambda: services.import_count_reports(user=user, parsed=parsed),
            rows,
        )
        assert plan.count(services.ImportOutcome.UNCHANGED) == TOWNS
        parsed_changed = rules.parse_count_csv(changed)
        plan = measure(
            "import with every count changed — update drafts",
            lambda: services.import_count_reports(user=user, parsed=parsed_changed),
            rows,
        )
        assert plan.count(services.ImportOutcome.UPDATE) == TOWNS
        assert CountReport.objects.count() == TOWNS
        assert CountReport.history.count() == 2 * TOWNS

        print(
            f"\nCount-report CSV import, {TOWNS:,} rows ({len(first):,} bytes), "
            f"{connection.vendor}\n"
        )
        print("| step | median ms | queries |\n|---|---:|---:|")
        for label, ms, queries in rows:
            print(f"| {label} | {ms} | {queries} |")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
