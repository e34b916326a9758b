"""Open a file in LibreOffice Calc (headless) and read every sheet back as its user sees it.

`convert_to_csv(path, profile=...)` asks `soffice --convert-to csv` for every sheet, with the
cells *as shown* (number formats applied: a date in a 和暦 format comes back as 令和7年4月1日, a
count as 1,234), UTF-8, tab separated (Calc quotes any cell holding the separator, and a
count shown as 1,234 holds a comma). The filter options, in order:
9 (tab), 34 (double quote), 76 (UTF-8), 1 (start row), "" (column formats), 0 (language),
true (on export: quote every text cell, so a text cell can be told from a number), true
(detect special numbers; import only), **true (save cell contents as shown)**, false (export
formulas), false (remove spaces), -1 (all sheets: LibreOffice >= 7.2 writes one file per sheet,
`<name>-<sheet>.csv`; checked with 7.4). With "as shown" false, dates come back as serial
numbers (45748), so that option must be true to see what a user sees.

Each call needs a LibreOffice profile directory of its own while it runs (`profile`): two
soffice processes on one profile block each other, and parallel test runs share the machine.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SOFFICE = "soffice"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):9,34,76,1,,0,true,true,true,false,false,-1"
TIMEOUT_SECONDS = 120


def soffice_program() -> str | None:
    return shutil.which(SOFFICE)


@dataclass(frozen=True)
class Shown:
    """A cell as Calc shows it; `text_cell` is False for numbers and dates."""

    text: str
    text_cell: bool


_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^\t]*)')


def _cells(text: str) -> list[list[Shown]]:
    """Rows of a CSV in which exactly the text cells are quoted (cells without line breaks)."""
    rows = []
    for line in text.splitlines():
        cells, position = [], 0
        while True:
            match = _FIELD.match(line, position)
            quoted = match.group(1) is not None
            value = match.group(1).replace('""', '"') if quoted else match.group(2)
            cells.append(Shown(value, quoted))
            position = match.end()
            if position >= len(line):
                break
            position += 1  # the tab
        rows.append(cells)
    return rows


def convert_to_csv(path: Path, *, profile: Path, outdir: Path) -> dict[str, list[list[Shown]]]:
    """{sheet name: rows of cells as shown} for every sheet of the file at `path`."""
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
        sheets[sheet] = _cells(produced.read_text(encoding="utf-8"))
    if not sheets:
        raise RuntimeError(
            f"soffice converted nothing (exit {result.returncode}): {result.stderr.strip()}"
        )
    return sheets
