"""Behind the documented reverse proxies the lockout is keyed on the real client (issue 22).

The proxy (REMOTE_ADDR 10.0.0.1) appends the address it was reached from to X-Forwarded-For,
as nginx's $proxy_add_x_forwarded_for does: the client is the right-most entry, whatever the
client wrote to the left of it."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from hokenfukushi.security.models import LoginEvent, LoginEventKind
from hokenfukushi.security.proxies import client_address_settings

PASSWORD = "test-password-123"  # set by hokenfukushi.factories.UserFactory
PROXY = "10.0.0.1"
ATTACKER, REAL_USER = "198.51.100.66", "192.0.2.10"


@pytest.fixture
def one_proxy(settings):
    """AXES_IPWARE_PROXY_COUNT=1 in the environment, as the README documents it."""
    for name, value in client_address_settings(1).items():
        setattr(settings, name, value)


def _through_proxy(username: str, password: str, client_ip: str, *, forged: str = ""):
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_eight_failures_lock_the_failing_client_only(one_proxy, municipal_user):
    for _ in range(8):
        _through_proxy(municipal_user.username, "wrong-password", ATTACKER)
    assert _through_proxy(municipal_user.username, PASSWORD, ATTACKER).status_code == 429
    response = _through_proxy(municipal_user.username, PASSWORD, REAL_USER)
    assert response.status_code == 302
    login = LoginEvent.objects.get(kind=LoginEventKind.LOGIN)
    assert login.ip_address == REAL_USER
    lockout = LoginEvent.objects.filter(kind=LoginEventKind.LOCKOUT).first()
    assert lockout.ip_address == ATTACKER
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_a_forged_forwarded_address_locks_only_the_forger(one_proxy, municipal_user):
    for _ in range(8):
        _through_proxy(municipal_user.username, "wrong-password", ATTACKER, forged=REAL_USER)
    assert _through_proxy(municipal_user.username, PASSWORD, REAL_USER).status_code == 302
    failures = LoginEvent.objects.filter(kind=LoginEventKind.FAILURE)
    assert set(failures.values_list("ip_address", flat=True)) == {ATTACKER}


def test_without_the_setting_everyone_behind_the_proxy_shares_its_address(municipal_user):
    """What issue 22 found: keyed on the proxy, one attacker locks the real user out."""
    for _ in range(5):
        _through_proxy(municipal_user.username, "wrong-password", ATTACKER)
    assert _through_proxy(municipal_user.username, PASSWORD, REAL_USER).status_code == 429


def test_tries_during_a_lock_do_not_extend_it(one_proxy, municipal_user):
    for _ in range(5):
        _through_proxy(municipal_user.username, "wrong-password", ATTACKER)
    # 14 of the 15 minutes have passed; the attacker keeps trying.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=14))
    for _ in range(3):
        assert _through_proxy(municipal_user.username, "wrong", ATTACKER).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=2))
    assert _through_proxy(municipal_user.username, PASSWORD, ATTACKER).status_code == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),  # no proxy: the header is the client's own, ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
    ],
)
def test_client_address_per_proxy_count(settings, rf, count, forwarded, expected):
    from axes.helpers import get_client_ip_address

    for name, value in client_address_settings(count).items():
        setattr(settings, name, value)
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert get_client_ip_address(request) == expected
