"""README.md is the operator's manual: it starts with the two commands, and its configuration
table names every environment variable settings.py reads, so no setting goes undocumented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS = (ROOT / "hokenfukushi" / "settings.py").read_text(encoding="utf-8")


def _variables_read_by_settings() -> set[str]:
    # env("X"), env.int("X"), env.bool("X"), env.list("X"), env.db("X"), and the two
    # production-required ones read through _required_in_production("X", ...).
    pattern = r'(?:\benv(?:\.\w+)?|_required_in_production)\(\s*"([A-Z][A-Z0-9_]*)"'
    return set(re.findall(pattern, SETTINGS))


def _configuration_table_rows() -> dict[str, str]:
    section = README.split("## 設定 (configuration)", 1)[1].split("\n## ", 1)[0]
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r"^\| `([A-Z][A-Z0-9_]*)` \|.*$", section, re.MULTILINE)
    }


def test_settings_reads_the_variables_we_expect_to_find():
    # guards the regular expression itself: these are certainly read
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"} <= _variables_read_by_settings()


def test_every_environment_variable_is_in_the_configuration_table():
    missing = _variables_read_by_settings() - set(_configuration_table_rows())
    assert not missing, f"README の設定表にない環境変数: {sorted(missing)}"


def test_secret_key_and_allowed_hosts_are_marked_required_in_production():
    rows = _configuration_table_rows()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert "**必須**" in rows[name], name


def test_readme_starts_with_the_two_commands_then_japanese_then_english():
    first_block = README.split("```", 2)[1]
    assert first_block.splitlines()[1].startswith("make run")
    assert first_block.splitlines()[2].startswith("make test")
    about = README.split("## これは何か", 1)[1].split("\n## ", 1)[0]
    assert about.index("Web アプリ") < about.index("*English.*")
    for heading in ("## 役割 (roles)", "## 設定 (configuration)", "gunicorn"):
        assert heading in README
