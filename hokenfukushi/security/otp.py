"""Who must sign in with a second factor (TOTP), decided once per session.

Deciding at sign-in and remembering the answer in the session keeps the per-request check free of
database queries.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

OTP_REQUIRED_SESSION_KEY = "_security_otp_required"


def role_requires_otp(user, *, required_for_admins: bool) -> bool:
    """Region admins and superusers must use a second factor when the setting says so."""
    if not required_for_admins:
        return False
    return bool(user.is_superuser or user.role == user.Role.REGION_ADMIN)


def otp_required_for(user) -> bool:
    """Anyone who has enrolled a device must use it; admins must enrol when required."""
    if role_requires_otp(user, required_for_admins=settings.OTP_REQUIRED_FOR_ADMINS):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remember_otp_requirement(session: MutableMapping, user) -> None:
    session[OTP_REQUIRED_SESSION_KEY] = otp_required_for(user)


def session_requires_otp(session: MutableMapping, user) -> bool:
    if OTP_REQUIRED_SESSION_KEY not in session:
        remember_otp_requirement(session, user)
    return bool(session[OTP_REQUIRED_SESSION_KEY])
