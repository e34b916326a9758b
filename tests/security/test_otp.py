"""Two-factor login (TOTP) with django-otp: enforced for region admins and superusers when
OTP_REQUIRED_FOR_ADMINS is on, and for anyone who has enrolled."""

import base64
import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hokenfukushi.security.models import LoginEvent, LoginEventKind


def _code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_region_admin_must_enrol_before_anything_else(otp_required, region_admin):
    client = _signed_in(region_admin)
    for path in ("/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/security/otp/setup/?next=")


def test_municipal_staff_need_no_second_factor_by_default(otp_required, municipal_user):
    assert _signed_in(municipal_user).get("/").status_code == 200


def test_without_the_setting_admins_pass(region_admin, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    assert _signed_in(region_admin).get("/").status_code == 200


def test_enrolment_with_a_valid_code_opens_the_app(otp_required, region_admin):
    client = _signed_in(region_admin)
    page = client.get("/security/otp/setup/?next=/admin/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "二要素認証の登録" in body
    secret = re.search(r'class="otp-secret">([A-Z2-7]+)<', body).group(1)
    device = TOTPDevice.objects.get(user=region_admin, confirmed=False)
    assert base64.b32decode(secret) == device.bin_key

    wrong = client.post("/security/otp/setup/", {"token": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "確認コードが正しくありません" in wrong.content.decode()
    assert 'value="000000"' in wrong.content.decode()  # nothing lost on bad input

    device.refresh_from_db()
    device.throttle_reset()  # stands in for waiting out the back-off after the wrong code
    response = client.post("/security/otp/setup/", {"token": _code(device), "next": "/admin/"})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    kinds = set(LoginEvent.objects.filter(user=region_admin).values_list("kind", flat=True))
    assert {LoginEventKind.OTP_ENROLLED, LoginEventKind.OTP_FAILURE} <= kinds


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)


def test_enrolled_user_is_asked_for_a_code_at_every_sign_in(municipal_user):
    device = _enrolled(municipal_user)  # enrolled voluntarily; the setting is off
    client = _signed_in(municipal_user)
    response = client.get("/")
    assert response.url.startswith("/security/otp/verify/")
    assert client.get("/security/otp/setup/").url.startswith("/security/otp/verify/")
    response = client.post("/security/otp/verify/", {"token": _code(device), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_wrong_codes_are_throttled(municipal_user):
    device = _enrolled(municipal_user)
    client = _signed_in(municipal_user)
    response = client.post("/security/otp/verify/", {"token": "000000"})
    assert "確認コードが正しくありません" in response.content.decode()
    # straight after a failure even the right code must wait (django-otp's exponential back-off)
    response = client.post("/security/otp/verify/", {"token": _code(device)})
    assert response.status_code == 200
    assert "しばらく待ってから" in response.content.decode()
    assert LoginEvent.objects.filter(kind=LoginEventKind.OTP_FAILURE).count() == 2
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttle_reset()  # stands in for waiting out the back-off
    response = client.post("/security/otp/verify/", {"token": _code(device)})
    assert response.status_code == 302


def test_code_must_be_six_digits(municipal_user):
    _enrolled(municipal_user)
    response = _signed_in(municipal_user).post("/security/otp/verify/", {"token": "12ab"})
    assert "半角数字6桁" in response.content.decode()


def test_next_cannot_send_the_user_to_another_site(municipal_user):
    device = _enrolled(municipal_user)
    client = _signed_in(municipal_user)
    response = client.post(
        "/security/otp/verify/", {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_logout_stays_reachable_before_the_second_factor(otp_required, region_admin):
    client = _signed_in(region_admin)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").url.startswith("/accounts/login/")
