"""Lockout keyed on (user name, IP) with a cool-off, every login event logged, and a deactivated
account's sessions ended at once."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hokenfukushi.security.models import LoginEvent, LoginEventKind

PASSWORD = "test-password-123"  # set by hokenfukushi.factories.UserFactory


def _attempt(username: str, password: str, ip: str) -> "Client.response":
    return Client(REMOTE_ADDR=ip).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def _fail(username: str, ip: str, times: int) -> None:
    for _ in range(times):
        _attempt(username, "wrong-password", ip)


def test_successful_login_is_logged_with_ip_and_region(municipal_user):
    response = _attempt(municipal_user.username, PASSWORD, "192.0.2.10")
    assert response.status_code == 302
    event = LoginEvent.objects.get(kind=LoginEventKind.LOGIN)
    assert (event.user, event.ip_address) == (municipal_user, "192.0.2.10")
    assert event.region_id == municipal_user.municipality.region_id


def test_failure_is_logged_for_known_and_unknown_names(municipal_user):
    _attempt(municipal_user.username, "wrong-password", "192.0.2.10")
    _attempt("no-such-user", "wrong-password", "192.0.2.10")
    failures = LoginEvent.objects.filter(kind=LoginEventKind.FAILURE).order_by("pk")
    assert [(f.username, f.user) for f in failures] == [
        (municipal_user.username, municipal_user),
        ("no-such-user", None),
    ]


def test_fifth_failure_locks_out_even_the_right_password_from_that_ip(municipal_user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    _fail(municipal_user.username, "192.0.2.10", 5)
    response = _attempt(municipal_user.username, PASSWORD, "192.0.2.10")
    assert response.status_code == 429
    assert "ログインを一時的に停止しました" in response.content.decode()
    assert LoginEvent.objects.filter(
        kind=LoginEventKind.LOCKOUT, user=municipal_user, ip_address="192.0.2.10"
    ).exists()
    assert not LoginEvent.objects.filter(kind=LoginEventKind.LOGIN).exists()


def test_four_failures_do_not_lock_out(municipal_user):
    _fail(municipal_user.username, "192.0.2.10", 4)
    assert _attempt(municipal_user.username, PASSWORD, "192.0.2.10").status_code == 302


def test_attacker_elsewhere_cannot_lock_the_real_user_out(municipal_user):
    _fail(municipal_user.username, "203.0.113.66", 10)
    response = _attempt(municipal_user.username, PASSWORD, "192.0.2.10")
    assert response.status_code == 302
    assert response.url == "/"


def test_lockout_ends_after_the_cool_off(municipal_user):
    from axes.models import AccessAttempt

    _fail(municipal_user.username, "192.0.2.10", 5)
    assert _attempt(municipal_user.username, PASSWORD, "192.0.2.10").status_code == 429
    # Age the recorded failures past the 15-minute cool-off instead of sleeping.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _attempt(municipal_user.username, PASSWORD, "192.0.2.10").status_code == 302


def test_logout_is_logged(client_for, municipal_user):
    client = client_for(municipal_user)
    client.post("/accounts/logout/")
    assert LoginEvent.objects.filter(kind=LoginEventKind.LOGOUT, user=municipal_user).exists()


def test_deactivating_an_account_ends_its_sessions(client_for, municipal_user, region_admin):
    first, second = client_for(municipal_user), client_for(municipal_user)
    bystander = client_for(region_admin)
    assert first.get("/").status_code == 200

    municipal_user.is_active = False
    municipal_user.save()

    for client in (first, second):
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert bystander.get("/").status_code == 200
    event = LoginEvent.objects.get(kind=LoginEventKind.SESSIONS_ENDED)
    assert event.user == municipal_user and event.detail == "sessions=2"


def test_deactivating_through_the_admin_ends_sessions(client_for, municipal_user, region_admin):
    from django.contrib.sessions.models import Session

    client_for(municipal_user)
    admin_client = client_for(region_admin)
    before = Session.objects.count()
    response = admin_client.post(
        f"/admin/hokenfukushi/user/{municipal_user.pk}/change/",
        {
            "username": municipal_user.username,
            "last_name": "",
            "first_name": "",
            "email": "",
            "role": "municipal",
            "region": municipal_user.region_id,
            "municipality": municipal_user.municipality_id,
            # is_active omitted: the checkbox unticked
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    municipal_user.refresh_from_db()
    assert municipal_user.is_active is False
    assert Session.objects.count() == before - 1


def test_a_deactivated_account_is_signed_out_even_when_its_session_row_survives(
    municipal_user,
):
    """The second line of defence: a bulk UPDATE (or a raw SQL fix) skips the signal that deletes
    sessions, but each request re-reads the user through the backend that signed them in, and
    ModelBackend refuses inactive users. Axes' backend stands in front only to check lockouts;
    the session must name ModelBackend, not a backend that would let inactive users through."""
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.models import Session

    from hokenfukushi.models import User

    client = Client()
    response = client.post(
        "/accounts/login/", {"username": municipal_user.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/"
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/admin/").status_code == 200

    User.objects.filter(pk=municipal_user.pk).update(is_active=False)  # no signals

    assert Session.objects.filter(session_key=client.session.session_key).exists()
    for url, login_url in (("/", "/accounts/login/"), ("/admin/", "/admin/login/")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login_url), url
    # and the password no longer signs in: Django's usual answer, no hint the account exists
    again = Client().post(
        "/accounts/login/", {"username": municipal_user.username, "password": PASSWORD}
    )
    wrong = Client().post(
        "/accounts/login/", {"username": municipal_user.username, "password": "wrong-password"}
    )
    assert again.status_code == 200 and "_auth_user_id" not in again.wsgi_request.session
    assert again.context["form"].errors == wrong.context["form"].errors


@pytest.mark.django_db
def test_password_validators_reject_short_and_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("koDama-gunshi-2025-network")
