"""Session timeouts and the second-factor requirement, enforced on every request."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hokenfukushi.security.models import LoginEventKind
from hokenfukushi.security.otp import session_requires_otp
from hokenfukushi.security.session_timeout import (
    LAST_SEEN_KEY,
    STARTED_KEY,
    needs_touch,
    session_expiry_reason,
    start_session_clock,
)

_TIMEOUT_MESSAGES = {
    "idle": _(
        "一定時間操作がなかったため、安全のためログアウトしました。もう一度ログインしてください。"
    ),
    "absolute": _(
        "ログインしてから長時間が経過したため、安全のためログアウトしました。もう一度ログインしてください。"
    ),
}


def _login_redirect(request: HttpRequest, url_name: str = "login") -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
    )


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            if STARTED_KEY not in session:
                start_session_clock(session, now)
            reason = session_expiry_reason(
                started_at=session.get(STARTED_KEY),
                last_seen_at=session.get(LAST_SEEN_KEY),
                now=now,
                idle_seconds=settings.SESSION_IDLE_TIMEOUT,
                absolute_seconds=settings.SESSION_ABSOLUTE_LIFETIME,
            )
            if reason is not None:
                request.security_logout_reason = LoginEventKind.TIMEOUT
                logout(request)
                messages.warning(request, str(_TIMEOUT_MESSAGES[reason]))
                return _login_redirect(request)
            if needs_touch(last_seen_at=session.get(LAST_SEEN_KEY), now=now):
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _exempt_from_otp(path: str) -> bool:
    exempt = (
        reverse("security:otp_setup"),
        reverse("security:otp_verify"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("healthz"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
    )
    return path.startswith(exempt)


class OTPRequiredMiddleware:
    """Signed-in users who must use a second factor reach nothing else until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and session_requires_otp(request.session, user)
            and not _exempt_from_otp(request.path)
        ):
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return _login_redirect(
                request, "security:otp_verify" if has_device else "security:otp_setup"
            )
        return self.get_response(request)
