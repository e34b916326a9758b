import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


@pytest.mark.django_db
def test_healthz_down_answers_503(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def _start_django(
    env_overrides: dict[str, str],
    then: str = "print('started')",
    unset: tuple[str, ...] = ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"),
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "hokenfukushi.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {then}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"DEBUG": "False"}, "SECRET_KEY"),
        ({"DEBUG": "False", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
        ({"DEBUG": "False", "ALLOWED_HOSTS": "example.jp"}, "SECRET_KEY"),
        ({"DEBUG": "False", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.jp"}, "EMAIL_URL"),
    ],
)
def test_production_refuses_to_start_without_secrets(given, missing):
    result = _start_django(given)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert missing in result.stderr


def test_production_starts_with_secrets():
    result = _start_django(
        {
            "DEBUG": "False",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "example.jp",
            "EMAIL_URL": "smtp://mail.example.jp:25",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_admin_speaks_japanese_even_to_an_english_browser(client_for):
    response = client_for("region_admin").get(
        "/admin/hokenfukushi/municipality/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "変更する" in body or "を選択" in body
    assert "to change" not in body


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        (None, "django.contrib.sessions.backends.db"),
        ("locmemcache://", "django.contrib.sessions.backends.db"),
        ("dummycache://", "django.contrib.sessions.backends.db"),
        ("filecache:///var/tmp/hokenfukushi", "django.contrib.sessions.backends.db"),
        ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db"),
        ("rediss://cache.example.jp:6380/0", "django.contrib.sessions.backends.cached_db"),
        ("pymemcache://127.0.0.1:11211", "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_are_read_from_the_cache_only_when_it_is_shared(cache_url, engine):
    # A per-process cache in front of the sessions would let a session ended in one worker
    # stay valid, from its cached copy, in another.
    result = _start_django(
        {} if cache_url is None else {"CACHE_URL": cache_url},
        then="from django.conf import settings; print(settings.SESSION_ENGINE)",
        unset=("CACHE_URL",),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


def test_a_redis_cache_url_gets_the_client_reusing_backend(redis_url, settings):
    from hokenfukushi.cache import RedisCache

    cache = RedisCache(redis_url, {})
    cache.set("greeting", "こんにちは", 30)
    assert cache.get("greeting") == "こんにちは"
    assert cache._cache.get_client() is cache._cache.get_client()  # built once, not per call
    cache.delete("greeting")
    assert cache.get("greeting") is None


@pytest.mark.parametrize(
    ("database_url", "jit_setting", "options"),
    [
        ("postgres://app@db.example.jp:5432/hokenfukushi", None, "-c jit=off"),
        ("postgres://app@db.example.jp:5432/hokenfukushi", "True", None),
        ("sqlite:////tmp/hokenfukushi.sqlite3", None, None),
    ],
)
def test_postgresql_connections_run_without_jit_unless_asked(database_url, jit_setting, options):
    result = _start_django(
        {"DATABASE_URL": database_url} | ({"DATABASE_JIT": jit_setting} if jit_setting else {}),
        then="from django.conf import settings; "
        "print(settings.DATABASES['default'].get('OPTIONS', {}).get('options'))",
        unset=("DATABASE_URL", "DATABASE_JIT"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(options)


@pytest.mark.django_db
def test_the_apps_postgresql_connection_has_jit_off():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
