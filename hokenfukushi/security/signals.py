"""Receivers that turn Django's and axes' authentication signals into login events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from hokenfukushi.security.models import LoginEventKind
from hokenfukushi.security.otp import remember_otp_requirement
from hokenfukushi.security.services import end_sessions_of, record_login_event
from hokenfukushi.security.session_timeout import start_session_clock

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="security_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)
        remember_otp_requirement(request.session, user)
    record_login_event(kind=LoginEventKind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        kind = getattr(request, "security_logout_reason", LoginEventKind.LOGOUT)
        record_login_event(kind=kind, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "") if credentials else ""
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # axes reports the lockout itself (below); one event per attempt
    known = User._default_manager.filter(username=username).first() if username else None
    record_login_event(kind=LoginEventKind.FAILURE, request=request, user=known, username=username)


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    known = User._default_manager.filter(username=username).first() if username else None
    record_login_event(
        kind=LoginEventKind.LOCKOUT, request=request, user=known, username=username or ""
    )


@receiver(pre_save, sender=User, dispatch_uid="security_note_deactivation")
def _note_deactivation(sender, instance, **kwargs):
    if instance.pk is None or instance.is_active:
        instance._security_deactivated = False
        return
    was_active = sender._default_manager.filter(pk=instance.pk, is_active=True).exists()
    instance._security_deactivated = was_active


@receiver(post_save, sender=User, dispatch_uid="security_end_sessions_on_deactivation")
def _end_sessions_on_deactivation(sender, instance, created, **kwargs):
    if getattr(instance, "_security_deactivated", False):
        ended = end_sessions_of(user=instance)
        record_login_event(
            kind=LoginEventKind.SESSIONS_ENDED,
            request=None,
            user=instance,
            detail=f"sessions={ended}",
        )
