"""Second-factor enrolment and verification pages, and the error pages' handler."""

from __future__ import annotations

import base64
import logging
import sys
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hokenfukushi.security.forms import TokenForm
from hokenfukushi.security.models import LoginEventKind
from hokenfukushi.security.otp import OTP_REQUIRED_SESSION_KEY
from hokenfukushi.security.services import record_login_event

logger = logging.getLogger("hokenfukushi.security")

DEVICE_NAME = "認証アプリ"
WRONG_TOKEN = _(
    "確認コードが正しくありません。アプリに表示されている最新のコードを入力してください。"
)
THROTTLED = _("確認コードの誤りが続いたため、しばらく待ってからもう一度入力してください。")


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("dashboard")


def _with_next(url_name: str, request: HttpRequest) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _next_url(request)})}"


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _check_token(device: TOTPDevice, token: str):
    """None when the code is right, else the message to show. django-otp throttles repeated
    failures with an exponential back-off, so a six-digit code cannot be guessed."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return THROTTLED
    return None if device.verify_token(token) else WRONG_TOKEN


def _complete(request: HttpRequest, device: TOTPDevice, kind: LoginEventKind) -> HttpResponse:
    otp_login(request, device)
    request.session[OTP_REQUIRED_SESSION_KEY] = True
    record_login_event(kind=kind, request=request, user=request.user)
    return HttpResponseRedirect(_next_url(request))


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, then prove it works with one code."""
    if _confirmed_device(request.user) is not None:
        # Replacing a device needs the old one first, so a stolen password alone cannot.
        if request.user.is_verified():
            return render(request, "security/otp_done.html", {"next": _next_url(request)})
        return redirect(_with_next("security:otp_verify", request))
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": DEVICE_NAME}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check_token(device, form.cleaned_data["token"])
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _complete(request, device, LoginEventKind.OTP_ENROLLED)
        record_login_event(kind=LoginEventKind.OTP_FAILURE, request=request, user=request.user)
        form.add_error("token", error)
    context = {
        "form": form,
        "next": _next_url(request),
        # The SVG is generated here from our own otpauth URI, never from user input.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308  # nosec B308 B703
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "security/otp_setup.html", context)


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the enrolled authenticator app."""
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("security:otp_setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check_token(device, form.cleaned_data["token"])
        if error is None:
            return _complete(request, device, LoginEventKind.OTP_VERIFIED)
        record_login_event(kind=LoginEventKind.OTP_FAILURE, request=request, user=request.user)
        form.add_error("token", error)
    return render(request, "security/otp_verify.html", {"form": form, "next": _next_url(request)})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database answers 503 "try again shortly", anything else 500.

    Renders without the request so that no context processor touches the database or session.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, (OperationalError, InterfaceError)):
        logger.error("database unavailable while serving %s", request.path, exc_info=exception)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
