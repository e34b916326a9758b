"""Writing an export as .xlsx against the same rows as CSV (stream_csv), at 63 and 1,741 towns
× 20 columns: time (median of several runs) and peak Python memory (tracemalloc, a separate
run). No database: the rows are made in memory, so the table compares the writers alone (a real
export adds the same SQL and response time to each; prefecture.csv took ~30 ms at 63 towns and
~250-350 ms at 1,741 in docs/benchmarks.md).

    python -m uv run --frozen python benchmarks/xlsx_vs_csv.py [--runs 7] [--sizes 63,1741]

Rows: the CSV writer; hokenfukushi/xlsx.py (xlsxwriter constant_memory, with the 説明 sheet, widths,
frozen header, autofilter); and, for the choice between the two libraries, openpyxl's write-only
mode writing the same cells with the same formats (one reused cell per column and format, its
fastest way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from exports.csv_output import UTF8, stream_csv  # noqa: E402
from hokenfukushi.fiscal import fiscal_year_label  # noqa: E402
from hokenfukushi.xlsx import (  # noqa: E402
    COUNT_FORMAT,
    TEXT_FORMAT,
    WAREKI_DATE_FORMAT,
    YEAR_FORMAT,
    Column,
    Kind,
    write_workbook_to,
)

COLUMNS = (
    Column("団体コード"),
    Column("市町村名"),
    Column("圏域"),
    Column("年度", Kind.FISCAL_YEAR),
    Column("人口", Kind.COUNT),
    Column("人口基準日", Kind.DATE),
    Column("集計基準日", Kind.DATE),
    Column("重症心身障害児(在宅)", Kind.SUPPRESSIBLE),
    Column("医療的ケア児(在宅)", Kind.SUPPRESSIBLE),
    Column("重症心身障害者(在宅)", Kind.SUPPRESSIBLE),
    Column("医療的ケア者(在宅)", Kind.SUPPRESSIBLE),
    Column("重症心身障害児のうち医療的ケアが必要な方", Kind.COUNT),
    Column("重症心身障害者のうち医療的ケアが必要な方", Kind.COUNT),
    Column("コーディネーター数", Kind.COUNT),
    Column("うち実務経験あり", Kind.COUNT),
    Column("配置の形", Kind.TEXT),
    Column("協議の場", Kind.TEXT),
    Column("設置年月", Kind.TEXT),
    Column("報告状態", Kind.TEXT),
)
DEFINITIONS = [(column.header, f"{column.header}の説明。") for column in COLUMNS]


def rows(towns: int) -> Iterator[tuple]:
    for i in range(towns):
        yield (
            f"{i:05d}{i % 10}",
            f"テスト町{i}",
            f"テスト圏域{i // 20}",
            2025,
            10_000 + i * 37,
            dt.date(2025, 10, 1),
            dt.date(2025, 4, 1),
            i % 7,
            "x" if i % 5 == 1 else i % 5,
            i % 40,
            i % 3,
            i % 4,
            i % 11,
            i % 9,
            i % 4,
            "圏域で配置",
            "圏域で共同設置",
            "令和6年4月",
            "承認済み",
        )


def csv_rows(towns: int) -> Iterator[tuple]:
    # the CSV export writes one 年度 column; the .xlsx has 令和7年度 and 2025
    for row in rows(towns):
        yield (*row[:3], fiscal_year_label(row[3]), row[3], *row[4:])


CSV_HEADER = [h for column in COLUMNS for h in column.sheet_headers()]


def write_csv(towns: int) -> int:
    return sum(len(piece) for piece in stream_csv(CSV_HEADER, csv_rows(towns), UTF8))


def write_exports_xlsx(towns: int) -> int:
    out = io.BytesIO()
    write_workbook_to(
        out, sheet_title="都道府県", columns=COLUMNS, rows=rows(towns), definitions=DEFINITIONS
    )
    return len(out.getvalue())


def write_openpyxl(towns: int) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    out = io.BytesIO()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("都道府県")
    sheet.freeze_panes = "A2"
    for col in range(len(CSV_HEADER)):
        sheet.column_dimensions[chr(ord("A") + col)].width = 12
    cells: dict[tuple[int, str], WriteOnlyCell] = {}

    def cell(col: int, value, number_format: str, text: bool = False) -> WriteOnlyCell:
        made = cells.get((col, number_format))
        if made is None:
            made = cells[col, number_format] = WriteOnlyCell(sheet)
            made.number_format = number_format
        made.value = value
        if text:
            made.data_type = "s"
        return made

    sheet.append([cell(col, h, TEXT_FORMAT, True) for col, h in enumerate(CSV_HEADER)])
    written = 0
    for row in csv_rows(towns):
        written += 1
        values = []
        for col, value in enumerate(row):
            if value is None:
                values.append(None)
            elif isinstance(value, str):
                values.append(cell(col, value, TEXT_FORMAT, True))
            elif isinstance(value, dt.date):
                values.append(cell(col, value, WAREKI_DATE_FORMAT))
            else:
                values.append(cell(col, value, YEAR_FORMAT if col == 4 else COUNT_FORMAT))
        sheet.append(values)
    sheet.auto_filter.ref = f"A1:T{written + 1}"
    notes = book.create_sheet("説明")
    for header, definition in DEFINITIONS:
        notes.append([header, definition])
    book.save(out)
    return len(out.getvalue())


def median_seconds(write: Callable[[int], int], towns: int, runs: int) -> tuple[float, int]:
    size = write(towns)  # warm up (imports, caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        write(towns)
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def peak_kib(write: Callable[[int], int], towns: int) -> float:
    tracemalloc.start()
    try:
        write(towns)
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="63,1741")
    args = parser.parse_args()
    writers: dict[str, Callable[[int], int]] = {
        "CSV (stream_csv)": write_csv,
        "hokenfukushi/xlsx.py (xlsxwriter)": write_exports_xlsx,
        "openpyxl write-only, same cells": write_openpyxl,
    }
    print(f"columns: {len(CSV_HEADER)}, runs: {args.runs} (median)\n")
    print("| towns | writer | median ms | × CSV | peak KiB | bytes |")
    print("|---:|---|---:|---:|---:|---:|")
    for towns in (int(size) for size in args.sizes.split(",")):
        baseline = None
        for name, write in writers.items():
            seconds, size = median_seconds(write, towns, args.runs)
            baseline = baseline or seconds
            peak = peak_kib(write, towns)
            print(
                f"| {towns:,} | {name} | {seconds * 1000:.1f} | {seconds / baseline:.1f} "
                f"| {peak:,.0f} | {size:,} |"
            )


if __name__ == "__main__":
    main()
