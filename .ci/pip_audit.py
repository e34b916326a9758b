"""CI: pip-audit on every locked dependency (uv.lock, dev tools included).

Usage: `uv run --frozen python .ci/pip_audit.py REQUIREMENTS.txt` (from `uv export --frozen`).

Exits 1 when a vulnerability is known for a locked version. Tries PyPI's vulnerability data and
then OSV. pip-audit answers "No known vulnerabilities found" and exit 0 even when it could check
nothing (every package "not found"), so this reads its JSON report: when no service audited a
single package, it prints a loud "pip-audit NOT done: <reason>" and exits 0, so that a machine
without access to a vulnerability service does not block CI, but nobody mistakes it for a pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SERVICES = ("pypi", "osv")


def run_pip_audit(requirements: str, service: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report, or None and the reason it gave none."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            requirements,
            "--disable-pip",  # every version is pinned by uv.lock, nothing to resolve
            "--no-deps",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            str(report),
            "--progress-spinner",
            "off",
            "--timeout",
            "20",
        ]
        # Our own fixed command line: the tool from the locked venv, no shell, no user input.
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        try:
            return json.loads(report.read_text()), ""
        except (OSError, ValueError):
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            return None, lines[-1] if lines else f"pip-audit exited {done.returncode}"


def main(requirements: str) -> int:
    reasons = []
    for service in SERVICES:
        report, error = run_pip_audit(requirements, service)
        if report is None:
            reasons.append(f"{service}: {error}")
            continue
        dependencies = report["dependencies"]
        audited = [d for d in dependencies if "skip_reason" not in d]
        skipped = [d for d in dependencies if "skip_reason" in d]
        if not audited:
            example = skipped[0]["skip_reason"] if skipped else "no dependencies in the report"
            reasons.append(f"{service}: all {len(skipped)} packages skipped, e.g. {example}")
            continue
        found = [(d, v) for d in audited for v in d.get("vulns", [])]
        for dependency, vuln in found:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} "
                f"(fixed in {fixed})"
            )
        for dependency in skipped:
            print(f"not audited: {dependency['skip_reason']}")
        print(
            f"pip-audit ({service}): {len(audited)} of {len(dependencies)} locked packages "
            f"audited, {len(found)} known vulnerabilities"
        )
        return 1 if found else 0
    banner = "!" * 78
    print(f"{banner}\n!! pip-audit NOT done: no vulnerability service could be used")
    for reason in reasons:
        print(f"!!   {reason}")
    print(f"!! The dependencies were NOT checked for known vulnerabilities.\n{banner}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
