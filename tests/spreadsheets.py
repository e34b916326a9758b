"""Open a file in LibreOffice Calc (headless) and read every sheet back as its user sees it.

`convert_to_csv(path, profile=...)` asks `soffice --convert-to csv` for every sheet, with the
cells *as shown* (number formats applied: a date in a 和暦 format comes back as 令和7年4月1日, a
count as 1,234), UTF-8, comma separated, text quoted. The filter options, in order:
44 (comma), 34 (double quote), 76 (UTF-8), 1 (start row), "" (column formats), 0 (language),
false (quoted field as text), true (detect special numbers), **true (save cell contents as
shown)**, false (export formulas), false (remove spaces), -1 (all sheets: LibreOffice >= 7.2
writes one file per sheet, `<name>-<sheet>.csv`). With "as shown" false, dates come back as
serial numbers.

Each call needs a LibreOffice profile directory of its own while it runs (`profile`): two
soffice processes on one profile block each other, and parallel test runs share the machine.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

SOFFICE = "soffice"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
TIMEOUT_SECONDS = 120


def soffice_program() -> str | None:
    return shutil.which(SOFFICE)


def convert_to_csv(path: Path, *, profile: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """{sheet name: rows of displayed cell texts} for every sheet of the file at `path`."""
    program = soffice_program()
    if program is None:
        raise RuntimeError(
            "soffice is not installed: run scripts/system-packages.sh as root (make test does)"
        )
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            program,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    sheets: dict[str, list[list[str]]] = {}
    prefix = path.stem + "-"
    for produced in sorted(outdir.glob(f"{path.stem}*.csv")):
        sheet = produced.stem.removeprefix(prefix) if produced.stem != path.stem else ""
        with produced.open(encoding="utf-8", newline="") as handle:
            sheets[sheet] = list(csv.reader(handle))
    if not sheets:
        raise RuntimeError(
            f"soffice converted nothing (exit {result.returncode}): {result.stderr.strip()}"
        )
    return sheets
