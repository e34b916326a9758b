"""The login audit trail: every sign-in, failure, lockout, sign-out and second-factor check."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hokenfukushi.scope import ScopedQuerySet


class LoginEventKind(models.TextChoices):
    LOGIN = "login", _("ログイン")
    FAILURE = "failure", _("ログイン失敗")
    LOCKOUT = "lockout", _("ロックアウト")
    LOGOUT = "logout", _("ログアウト")
    TIMEOUT = "timeout", _("時間切れによるログアウト")
    OTP_ENROLLED = "otp_enrolled", _("二要素認証の登録")
    OTP_VERIFIED = "otp_verified", _("二要素認証の成功")
    OTP_FAILURE = "otp_failure", _("二要素認証の失敗")
    SESSIONS_ENDED = "sessions_ended", _("利用停止によるセッション終了")


class LoginEventQuerySet(ScopedQuerySet):
    """Events are filed under the account's home region at the time of the event; failures for
    unknown user names have no region and are visible to superusers only."""

    region_path = "region"
    municipality_path = None

    def failures(self):
        return self.filter(kind__in=[LoginEventKind.FAILURE, LoginEventKind.OTP_FAILURE])


class LoginEvent(models.Model):
    kind = models.CharField(_("種類"), max_length=20, choices=LoginEventKind.choices)
    username = models.CharField(_("入力されたユーザー名"), max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
    )
    region = models.ForeignKey(
        "hokenfukushi.Region",
        verbose_name=_("圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    user_agent = models.CharField(_("ブラウザ"), max_length=255, blank=True)
    detail = models.CharField(_("詳細"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    objects = LoginEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ログインの記録")
        verbose_name_plural = _("ログインの記録")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"
