"""Stateless app servers: two real gunicorn servers on one PostgreSQL database.

A sign-in on server A is good on server B (sessions live in the database, nothing in a worker's
memory), and when two people edit the same count report through different servers the stale
save is refused with the name of who saved first, and the first save is kept (nothing lost).

The servers run with production settings (DEBUG=False, secure cookies, HSTS, SSL redirect,
compressed static files from `collectstatic`) behind a pretend TLS proxy: every request carries
`X-Forwarded-Proto: https`, as nginx would send, so CSRF checks the Origin header as it would in
production. Runs on PostgreSQL only: SQLite's test database is in memory (or one file locked per
writer), which is not what several app servers share in production.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.db import connection

from caseload.factories import CountReportFactory
from caseload.models import CountReport
from hokenfukushi.factories import MunicipalityFactory, MunicipalStaffFactory, RegionFactory

BASE_DIR = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRESQL,
        reason="needs DATABASE_URL=postgres://…: two gunicorn processes must share one "
        "PostgreSQL test database (CI runs the suite on PostgreSQL too)",
    ),
    pytest.mark.django_db(transaction=True),  # committed rows, visible to the servers
]

# The Django default hashers: the servers do not get the tests' fast MD5 hasher.
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
PASSWORD = "kodama-network-2025!"


# --- two servers ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django created: test_<name>
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{quote(db['NAME'], safe='')}"
    )


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn's master and worker (one process group), by force if they linger."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


@pytest.fixture(params=["database", "redis"], ids=["sessions-in-db", "sessions-via-redis"])
def servers(request, tmp_path, transactional_db):
    """Two gunicorn servers (1 worker each) on the test database; returns their ports. Sessions
    are read from the database, or (CACHE_URL=redis://…, the cached_db engine) from a shared
    Redis in front of it."""
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "DATABASE_URL": _test_database_url(),
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("CACHE_URL", None)
    if request.param == "redis":
        env["CACHE_URL"] = request.getfixturevalue("redis_url")
    # Production serves hashed, compressed static files: the admin pages need the manifest.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    ports = []
    for name in ("A", "B"):
        port = _free_port()
        log = (tmp_path / f"gunicorn-{name}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hokenfukushi.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: the finalizer kills master and worker
        )
        request.addfinalizer(log.close)
        request.addfinalizer(lambda process=process: _stop(process))
        _wait_until_ready(process, port, tmp_path / f"gunicorn-{name}.log")
        ports.append(port)
    return ports


def _wait_until_ready(process: subprocess.Popen, port: int, log: Path) -> None:
    # A start-up deadline, not a timed assertion: a server that never answers fails the test.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn on port {port} did not answer /healthz: {log.read_text()[-3000:]}")


# --- just enough of a browser ---------------------------------------------------------------


@dataclass
class Page:
    status: int
    location: str
    body: str


@dataclass
class Browser:
    """One cookie jar, sent to whichever server it talks to, as behind one TLS proxy."""

    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, port: int, path: str) -> Page:
        return self._request(port, "GET", path)

    def post(self, port: int, path: str, data: dict[str, str]) -> Page:
        return self._request(port, "POST", path, urlencode(data))

    def _request(self, port: int, method: str, path: str, body: str | None = None) -> Page:
        origin = f"https://127.0.0.1:{port}"
        headers = {
            "Host": f"127.0.0.1:{port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "ja",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            }
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return Page(
                response.status,
                response.getheader("Location", ""),
                response.read().decode("utf-8", errors="replace"),
            )
        finally:
            conn.close()

    def sign_in(self, port: int, username: str) -> None:
        form = form_fields(self.get(port, "/accounts/login/").body, "username")
        page = self.post(
            port, "/accounts/login/", form | {"username": username, "password": PASSWORD}
        )
        assert page.status == 302 and not page.location.startswith("/accounts/login/"), page.body


class _Forms(HTMLParser):
    """The fields a browser would submit from each form on a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image") or (
                kind in ("checkbox", "radio") and "checked" not in a
            ):
                return
            self.forms[-1][a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            # the first option unless one is marked selected, as a browser does
            if "selected" in a or self._select not in self.forms[-1]:
                self.forms[-1][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1][self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def form_fields(html: str, having: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    return next(form for form in parser.forms if having in form)


# --- the test -------------------------------------------------------------------------------


def test_two_servers_share_sessions_and_refuse_the_stale_save(servers, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    a, b = servers
    town = MunicipalityFactory(region=RegionFactory(name="児玉圏域"), name="本庄市")
    for username, surname in (("tanaka", "田中"), ("sato", "佐藤")):
        user = MunicipalStaffFactory(username=username, last_name=surname, municipality=town)
        user.set_password(PASSWORD)
        user.save()
    report = CountReportFactory(municipality=town, smid_children=3, medical_care_children=2)
    change = f"/admin/caseload/countreport/{report.pk}/change/"

    # 1. 田中 signs in on A; the same cookie is a signed-in session on B.
    tanaka = Browser()
    tanaka.sign_in(a, "tanaka")
    on_b = tanaka.get(b, "/admin/caseload/countreport/")
    assert on_b.status == 200 and "<strong>tanaka</strong>" in on_b.body and "本庄市" in on_b.body
    assert Browser(cookies={}).get(b, "/admin/caseload/countreport/").status == 302

    # 2. 田中 opens the report on A; 佐藤 (signed in on B) opens it on B: both read version 1.
    sato = Browser()
    sato.sign_in(b, "sato")
    tanaka_form = form_fields(tanaka.get(a, change).body, "expected_version")
    sato_form = form_fields(sato.get(b, change).body, "expected_version")
    assert tanaka_form["expected_version"] == sato_form["expected_version"] == "1"

    # 3. 田中 saves on A.
    saved = tanaka.post(a, change, tanaka_form | {"smid_children": "4", "_save": "保存"})
    assert saved.status == 302, saved.body[-3000:]

    # 4. 佐藤 saves the copy read before that, on B: refused, naming 田中; 佐藤's input stays.
    stale = sato.post(b, change, sato_form | {"medical_care_children": "9", "_save": "保存"})
    assert stale.status == 200
    assert "この報告は、あなたが開いた後に田中さんが" in stale.body
    assert "（上書きはしていません）" in stale.body
    assert form_fields(stale.body, "expected_version")["medical_care_children"] == "9"

    # 5. Nothing lost: the database holds 田中's save, once.
    report = CountReport.objects.get(pk=report.pk)
    assert (report.smid_children, report.medical_care_children, report.version) == (4, 2, 2)
    saves = report.history.filter(history_user__isnull=False).order_by("history_id")
    assert [(h.history_user.username, h.smid_children) for h in saves] == [("tanaka", 4)]

    # 6. 田中 signs out on A: the same cookie is signed out on B too (no copy of the session
    #    survives in B's memory or in the shared cache).
    logout_form = form_fields(tanaka.get(b, "/").body, "csrfmiddlewaretoken")
    form_fields(tanaka.get(a, "/").body, "csrfmiddlewaretoken")  # A has the page cached too
    cookie_before_sign_out = dict(tanaka.cookies)
    signed_out = tanaka.post(a, "/accounts/logout/", logout_form)
    assert signed_out.status == 302 and signed_out.location == "/accounts/login/"
    for server in (b, a):
        page = Browser(cookies=dict(cookie_before_sign_out)).get(server, "/")
        assert page.status == 302 and page.location.startswith("/accounts/login/")
