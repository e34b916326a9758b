"""Writes for the security app: recording login events and ending a user's sessions."""

from __future__ import annotations

import logging
from importlib import import_module

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hokenfukushi.security.models import LoginEvent, LoginEventKind

logger = logging.getLogger("hokenfukushi.security")

_USER_AGENT_MAX = 255


def client_ip(request: HttpRequest | None) -> str | None:
    """The address axes keys its lockouts on, so the audit trail and lockouts agree."""
    if request is None:
        return None
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return address or None


def home_region_id(user) -> int | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return user.scope_region_id


def record_login_event(
    *,
    kind: LoginEventKind,
    request: HttpRequest | None,
    user=None,
    username: str = "",
    detail: str = "",
) -> LoginEvent:
    """Store one event and write it to the log, which is where operators watch for attacks."""
    if user is not None and not username:
        username = user.get_username()
    event = LoginEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or "")[:150],
        region_id=home_region_id(user),
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:_USER_AGENT_MAX],
        detail=detail[:255],
    )
    logger.info(
        "security event=%s username=%s ip=%s %s", kind, event.username, event.ip_address, detail
    )
    return event


def _session_user_id(session: Session) -> str | None:
    try:
        return session.get_decoded().get("_auth_user_id")
    except Exception:  # a corrupt or foreign session row must not stop the sweep
        return None


@transaction.atomic
def end_sessions_of(*, user) -> int:
    """Delete every live session signed in as `user`; returns how many ended.

    With the cached_db engine a session is also kept in the shared cache: that copy goes too,
    now and again once the deletion commits (a request in between could have read the row back
    into the cache), or the session would live on there."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if _session_user_id(session) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    _forget_cached_sessions(ended)
    transaction.on_commit(lambda: _forget_cached_sessions(ended))
    return len(ended)


def _forget_cached_sessions(session_keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix is None or not session_keys:
        return  # the engine keeps no copy outside the database
    caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in session_keys])
