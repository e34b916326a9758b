"""Japanese error pages, a 503 (not a traceback) when the database goes away, recovery when it
returns, the enforced Content-Security-Policy, and a clean `check --deploy` for production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_page_is_a_japanese_404(client_for):
    response = client_for("municipal_user").get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_database_outage_answers_503_and_recovers(municipal_user, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    client = Client(raise_request_exception=False)
    client.force_login(municipal_user)
    assert client.get("/").status_code == 200

    real_cursor = BaseDatabaseWrapper.cursor

    def unreachable(self, *args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", unreachable)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "ただいま一時的に利用できません" in body
    assert "Traceback" not in body and "OperationalError" not in body

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", real_cursor)
    assert client.get("/").status_code == 200


def test_other_errors_are_a_japanese_500(municipal_user, monkeypatch):
    from hokenfukushi import views

    def broken(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(views, "render_text", broken)
    client = Client(raise_request_exception=False)
    client.force_login(municipal_user)
    response = client.get("/")
    assert response.status_code == 500
    assert "システムエラーが発生しました" in response.content.decode()


def test_csp_header_is_enforced(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "default-src 'self'",
    ):
        assert directive in policy
    # the nonce is added only to pages that use it; inline code is never allowed wholesale
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_settings_pass_check_deploy_without_warnings():
    hidden = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")  # the last: conftest
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(
        DEBUG="False",
        SECRET_KEY="ci-" + "k7Qz9xW2pL4mN8vR3tY6uB1cE5gH0jK" * 2,
        ALLOWED_HOSTS="hokenfukushi.example.jp",
        EMAIL_URL="smtp+tls://mailer:secret@mail.example.jp:587",
        DJANGO_SETTINGS_MODULE="hokenfukushi.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_production_requires_two_factor_for_admins_by_default():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.OTP_REQUIRED_FOR_ADMINS, settings.SESSION_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "example.jp",
            "EMAIL_URL": "smtp://mail.example.jp:25",
            "DJANGO_SETTINGS_MODULE": "hokenfukushi.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["True", "True"], result.stderr
