"""The CI step around pip-audit: fails on a known vulnerability, and says loudly when it could
not check anything instead of passing quietly (pip-audit itself reports "No known
vulnerabilities found" when every package was skipped)."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "ci_pip_audit", Path(__file__).resolve().parents[2] / ".ci" / "pip_audit.py"
)
ci_pip_audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ci_pip_audit)

CLEAN = {"name": "django", "version": "6.1", "vulns": []}
SKIPPED = {"name": "django", "skip_reason": "Dependency not found on PyPI: django (6.1)"}
VULNERABLE = {
    "name": "django",
    "version": "6.1",
    "vulns": [{"id": "PYSEC-0000-1", "fix_versions": ["6.1.1"]}],
}


@pytest.fixture
def answers(monkeypatch):
    """Set what each vulnerability service answers: a report dict or an error string."""
    replies = {}

    def fake(requirements, service):
        reply = replies[service]
        return (None, reply) if isinstance(reply, str) else (reply, "")

    monkeypatch.setattr(ci_pip_audit, "run_pip_audit", fake)
    return replies


def test_a_known_vulnerability_fails_ci(answers, capsys):
    answers["pypi"] = {"dependencies": [VULNERABLE, CLEAN]}
    assert ci_pip_audit.main("req.txt") == 1
    assert "VULNERABLE django 6.1: PYSEC-0000-1 (fixed in 6.1.1)" in capsys.readouterr().out


def test_a_clean_audit_passes_and_says_how_much_it_checked(answers, capsys):
    answers["pypi"] = {"dependencies": [CLEAN, SKIPPED]}
    assert ci_pip_audit.main("req.txt") == 0
    out = capsys.readouterr().out
    assert "1 of 2 locked packages audited, 0 known vulnerabilities" in out
    assert "not audited: Dependency not found" in out


def test_falls_back_to_osv_when_pypi_checked_nothing(answers, capsys):
    answers["pypi"] = {"dependencies": [SKIPPED]}
    answers["osv"] = {"dependencies": [VULNERABLE]}
    assert ci_pip_audit.main("req.txt") == 1


def test_no_reachable_service_is_reported_loudly_and_does_not_fail(answers, capsys):
    answers["pypi"] = {"dependencies": [SKIPPED]}
    answers["osv"] = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"
    assert ci_pip_audit.main("req.txt") == 0
    out = capsys.readouterr().out
    assert "pip-audit NOT done" in out
    assert "pypi: all 1 packages skipped, e.g. Dependency not found on PyPI" in out
    assert "osv: requests.exceptions.ConnectionError" in out
