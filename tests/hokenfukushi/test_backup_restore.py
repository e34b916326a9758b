"""Backup and restore with manage.py (README「バックアップと復元」): dump every table, empty the
database, load the dump, and every page and file a user gets is byte-for-byte the same."""

import io
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from dashboard import cache as dashboard_cache
from hokenfukushi.models import User

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, as on a real server

# The same arguments as in the README: contenttypes and permissions are recreated by `migrate`
# (and by `flush`), so rows pointing at them are dumped with natural keys; sessions and axes'
# login-attempt counters are short-lived state, not data; DataChange and DataVersion are written
# by triggers (the load writes its own).
DUMP_ARGS = [
    "--natural-foreign",
    "--exclude=contenttypes",
    "--exclude=auth.permission",
    "--exclude=sessions",
    "--exclude=axes",
    "--exclude=dashboard.datachange",
    "--exclude=dashboard.dataversion",
    # XML keeps timestamps to the microsecond; JSON rounds them to milliseconds.
    "--format=xml",
]

DOWNLOADS = (
    "/exports/prefecture.csv?fiscal_year=2025&encoding=utf-8",
    "/exports/prefecture.csv?fiscal_year=2025&encoding=cp932",
    "/exports/caseload.csv?encoding=utf-8",
    "/exports/open-data.csv?fiscal_year=2025&encoding=utf-8",
)
# Per-request values that differ on every page load, restore or not.
_PER_REQUEST = re.compile(rb'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"')


def _body(response) -> bytes:
    content = (
        b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    )
    return _PER_REQUEST.sub(rb'\1=""', content)


def _what_users_get() -> dict[tuple[str, str], bytes]:
    """The dashboard of every demo account and the exports of those who may download them."""
    # As the README says: after a restore, empty the cache and restart the app servers (the data
    # version, DataVersion's counter, starts again from the load).
    cache.clear()
    dashboard_cache.clear()
    seen = {}
    for user in User.objects.order_by("username"):
        client = Client()
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200
        seen[(user.username, "/")] = _body(response)
        for url in DOWNLOADS:
            response = client.get(url)
            if response.status_code == 200:
                seen[(user.username, url)] = _body(response)
    return seen


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", *DUMP_ARGS, stdout=out)
    return out.getvalue()


def test_dump_flush_load_gives_the_same_dashboard_exports_and_history(settings, tmp_path):
    settings.DEBUG = True  # load_demo refuses demo accounts otherwise
    call_command("load_demo", "--with-users", verbosity=0)
    settings.DEBUG = False
    before = _what_users_get()
    assert ("pref", "/exports/prefecture.csv?fiscal_year=2025&encoding=utf-8") in before
    assert ("honjo", "/exports/caseload.csv?encoding=utf-8") in before
    assert b"129873" in before[("pref", DOWNLOADS[0])]

    backup = tmp_path / "backup.xml"
    backup.write_text(_dump(), encoding="utf-8")
    history_rows = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.label.split(".")[1].startswith("Historical")
    }
    assert history_rows["caseload.HistoricalCountReport"] > 0

    call_command("flush", "--noinput", verbosity=0)
    assert not User.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    # every row came back, history and the audit trails included
    assert _dump() == backup.read_text(encoding="utf-8")
    assert {label: apps.get_model(label).objects.count() for label in history_rows} == history_rows

    after = _what_users_get()
    assert after.keys() == before.keys()
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []
