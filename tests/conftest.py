"""Shared fixtures: two regions, three towns, and one user for every role.

Layout (used by every scope test):
- `region`: 児玉-like region with `town` (home of `municipal_user`) and `other_town`
  (home of `other_town_user`);
- `other_region` with `far_town` (home of `other_region_user`);
- `coordinator_user`: a coordinator account of `region` (its record's organization is in
  `town`); `other_region_coordinator`: one of `other_region` (organization in `far_town`).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from django.test import Client

from hokenfukushi.factories import (
    MunicipalityFactory,
    MunicipalStaffFactory,
    PrefectureViewerFactory,
    RegionAdminFactory,
    RegionFactory,
    SuperuserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be allowed
# to run there (the live server handles requests in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROLES = (
    "region_admin",
    "municipal_user",
    "other_town_user",
    "other_region_user",
    "prefecture_user",
    "anonymous",
    "coordinator_user",
    "other_region_coordinator",
)


@pytest.fixture
def region(db):
    return RegionFactory(name="テスト圏域A")


@pytest.fixture
def other_region(db):
    return RegionFactory(name="テスト圏域B")


@pytest.fixture
def town(region):
    return MunicipalityFactory(region=region, name="テスト市")


@pytest.fixture
def other_town(region):
    return MunicipalityFactory(region=region, name="となり町")


@pytest.fixture
def far_town(other_region):
    return MunicipalityFactory(region=other_region, name="とおく村")


# Real codes with a leading zero (北海道): a spreadsheet that reads them as numbers drops the 0.
HOKKAIDO_TOWNS = (("011002", "札幌市", "さっぽろし"), ("012025", "函館市", "はこだてし"))


@pytest.fixture
def hokkaido_region(db):
    """A 北海道 region with 札幌市 (011002) and 函館市 (012025), the codes that start with 0."""
    from hokenfukushi.models import Municipality

    hokkaido = RegionFactory(
        name="北海道テスト圏域", prefecture_name="北海道", prefecture_code="010006"
    )
    for code, name, kana in HOKKAIDO_TOWNS:
        MunicipalityFactory(
            region=hokkaido, code=code, name=name, kana=kana, kind=Municipality.Kind.CITY
        )
    return hokkaido


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory):
    """A LibreOffice profile of this test session's own (see tests/spreadsheets.py)."""
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.fixture
def open_in_calc(libreoffice_profile, tmp_path):
    """`open_in_calc(path)` -> {sheet name: rows of cell texts as LibreOffice Calc shows them}."""
    from tests.spreadsheets import convert_to_csv

    def convert(path):
        return convert_to_csv(path, profile=libreoffice_profile, outdir=tmp_path / "calc")

    return convert


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="root")


@pytest.fixture
def region_admin(region):
    return RegionAdminFactory(username="center_t", region=region)


@pytest.fixture
def municipal_user(town):
    return MunicipalStaffFactory(username="town_t", municipality=town)


@pytest.fixture
def other_town_user(other_town):
    return MunicipalStaffFactory(username="other_town_t", municipality=other_town)


@pytest.fixture
def other_region_user(far_town):
    return MunicipalStaffFactory(username="far_town_t", municipality=far_town)


@pytest.fixture
def prefecture_user(db):
    return PrefectureViewerFactory(username="pref_t")


def _coordinator_account(username: str, town):
    from coordinators.factories import CoordinatorFactory, OrganizationFactory
    from hokenfukushi.factories import CoordinatorAccountFactory

    account = CoordinatorAccountFactory(username=username, last_name=f"{username}（テスト）")
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=town, name=f"{username}の事業所"),
        account=account,
        work_email=f"{username}@example.jp",
    )
    return account


@pytest.fixture
def coordinator_user(town):
    return _coordinator_account("coordinator_t", town)


@pytest.fixture
def other_region_coordinator(far_town):
    return _coordinator_account("far_coordinator_t", far_town)


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def user_for_role(request):
    """`user_for_role("municipal_user")` -> that fixture's user (AnonymousUser for anonymous)."""

    def get(role: str):
        return request.getfixturevalue(role)

    return get


@pytest.fixture
def client_for(user_for_role):
    """A test client signed in as the given role (not signed in for "anonymous")."""

    def make(role_or_user) -> Client:
        user = user_for_role(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client = Client()
        if user.is_authenticated:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.3 s per login; tests log in thousands of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Tests roll back their rows, so ids (and the dashboard's data version) can repeat across
    # tests on SQLite: start every test with nothing cached.
    from django.core.cache import cache

    from hokenfukushi import dashboard_cache

    cache.clear()
    dashboard_cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    yield
    # On PostgreSQL a connection opened by another thread (the live server's request threads, which
    # keep connections for CONN_MAX_AGE) can outlive its thread, and then the test database cannot
    # be dropped ("being accessed by other users") and is left behind. End those before teardown.
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(scope="session")
def redis_server_url():
    """The Redis server the suite uses: TEST_REDIS_URL when given, else a private redis-server
    started for this session on a free port (and stopped after it). Without the redis-server
    program the tests that need it fail and say why: `make test` installs it
    (scripts/system-packages.sh), so a missing one is a broken machine, not a reason to skip."""
    configured = os.environ.get("TEST_REDIS_URL")
    if configured:
        yield configured
        return
    program = shutil.which("redis-server")
    if program is None:
        pytest.fail(
            "redis-server is not installed: run scripts/system-packages.sh as root "
            "(make test does), or set TEST_REDIS_URL to a Redis database the tests may empty"
        )
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hokenfukushi-redis-") as workdir:
        process = subprocess.Popen(
            [
                program,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, what="redis-server")
            yield f"redis://127.0.0.1:{port}/15"
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server_url):
    """A Redis database of its own for the tests that need a shared cache (emptied before and
    after)."""
    import redis

    client = redis.Redis.from_url(redis_server_url, socket_connect_timeout=2)
    client.flushdb()
    yield redis_server_url
    client.flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"{what} did not start listening on 127.0.0.1:{port} within {seconds} s")


class SMTPMailbox:
    """A real SMTP server (aiosmtpd) on a local port, keeping every message it accepts.

    `messages` are parsed `email.message.EmailMessage`s; `rejected` holds addresses the server
    answers 550 for at RCPT (as a municipal mail server does for an unknown user); `stop()` and
    `start()` take the server down and up again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list = []
        self.rejected: set[str] = set()
        self._controller = None

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in {a.lower() for a in self.rejected}:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_recipients]


@pytest.fixture
def smtp_server(settings):
    """Django's mail goes to a real SMTP server for this test (read `smtp_server.messages`)."""
    mailbox = SMTPMailbox()
    mailbox.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": mailbox.port, "timeout": 5},
        }
    }
    yield mailbox
    mailbox.stop()


@pytest.fixture(autouse=True, scope="session")
def _verify_compiled_statements():
    # Every reuse of a compiled statement (hokenfukushi.compiled_sql) is checked against a fresh
    # build: a key that misses an input of its statement fails the test that reuses it.
    from hokenfukushi import compiled_sql

    compiled_sql.set_verify(True)
    yield
    compiled_sql.set_verify(False)


@pytest.fixture
def unverified():
    """Reuses of compiled statements as in production: not checked against a rebuild."""
    from hokenfukushi import compiled_sql

    was = compiled_sql._memo.verify
    compiled_sql.set_verify(False)
    yield
    compiled_sql.set_verify(was)


@pytest.fixture
def other_connection():
    """Opens connections of its own to the test database (PostgreSQL), as another app server's
    worker would hold: `other_connection(autocommit=True)`."""

    def connect(**options):
        import psycopg
        from django.db import connection

        db = connection.settings_dict
        return psycopg.connect(
            dbname=db["NAME"],
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            **options,
        )

    return connect
