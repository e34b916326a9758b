"""Idle timeout and absolute lifetime: the rule as a pure function, then as users meet it."""

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hokenfukushi.security.models import LoginEvent, LoginEventKind
from hokenfukushi.security.session_timeout import (
    LAST_SEEN_KEY,
    STARTED_KEY,
    session_expiry_reason,
)

IDLE, ABSOLUTE = 30 * 60, 8 * 60 * 60


def test_settings_chosen(settings):
    assert settings.SESSION_IDLE_TIMEOUT == IDLE
    assert settings.SESSION_ABSOLUTE_LIFETIME == ABSOLUTE


@given(
    age=st.floats(min_value=0, max_value=3 * ABSOLUTE),
    idle=st.floats(min_value=0, max_value=3 * ABSOLUTE),
)
def test_expiry_rule(age, idle):
    idle = min(idle, age)  # the last request cannot precede sign-in
    now = 1_800_000_000.0
    reason = session_expiry_reason(
        started_at=now - age,
        last_seen_at=now - idle,
        now=now,
        idle_seconds=IDLE,
        absolute_seconds=ABSOLUTE,
    )
    if age >= ABSOLUTE:
        assert reason == "absolute"
    elif idle >= IDLE:
        assert reason == "idle"
    else:
        assert reason is None


def test_session_without_timestamps_is_valid():
    assert (
        session_expiry_reason(
            started_at=None, last_seen_at=None, now=1.0, idle_seconds=1, absolute_seconds=1
        )
        is None
    )


def _age_session(client, *, started_ago: float, seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[STARTED_KEY] = now - started_ago
    session[LAST_SEEN_KEY] = now - seen_ago
    session.save()


@pytest.mark.parametrize(
    ("started_ago", "seen_ago", "message"),
    [
        (IDLE + 5, IDLE + 5, "一定時間操作がなかったため"),
        (ABSOLUTE + 5, 10, "ログインしてから長時間が経過したため"),
    ],
    ids=["idle", "absolute"],
)
def test_expired_session_signs_out_with_japanese_notice(
    client_for, municipal_user, started_ago, seen_ago, message
):
    client = client_for(municipal_user)
    _age_session(client, started_ago=started_ago, seen_ago=seen_ago)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2F"
    page = client.get(response.url).content.decode()
    assert message in page
    assert client.get("/").status_code == 302  # still signed out
    assert LoginEvent.objects.filter(kind=LoginEventKind.TIMEOUT, user=municipal_user).exists()


def test_activity_keeps_a_session_alive(client_for, municipal_user):
    client = client_for(municipal_user)
    _age_session(client, started_ago=IDLE - 60, seen_ago=IDLE - 60)
    assert client.get("/").status_code == 200
    # the request refreshed the idle clock, so the session survives what would have expired it
    session = client.session
    assert time.time() - session[LAST_SEEN_KEY] < 60
    assert client.get("/").status_code == 200


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_an_ended_session_stays_ended_when_the_account_is_reactivated(
    engine, settings, redis_url, client_for, region_admin, town
):
    # With cached_db the session is also in the shared cache: ending it must remove that copy,
    # or reactivating the account would bring the old (even 2FA-verified) session back.
    settings.CACHES = {
        "default": {"BACKEND": "hokenfukushi.cache.RedisCache", "LOCATION": redis_url}
    }
    settings.SESSION_ENGINE = engine
    client = client_for(region_admin)
    assert client.get("/").status_code == 200
    region_admin.is_active = False
    region_admin.save()
    assert client.get("/").status_code == 302
    region_admin.is_active = True
    region_admin.save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
