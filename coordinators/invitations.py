"""Account invitations: the center invites a coordinator's work e-mail to set a password.

The link is Django's (uidb64 + a PasswordResetTokenGenerator token with a salt of its own), so it
is single use (setting the password changes the hash it signs) and expires with
PASSWORD_RESET_TIMEOUT (ACCOUNT_INVITATION_DAYS days). The token also signs the time the
invitation was sent and whether the account is active: resending makes older links useless, and
revoking (the account is deactivated) makes every link useless.
"""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coordinators.models import AccountStatus, Coordinator, account_status
from hokenfukushi.models import User


class AccountInvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "coordinators.invitations.AccountInvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        record = getattr(user, "coordinator_record", None)
        invited_at = "" if record is None or record.invited_at is None else record.invited_at
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}{invited_at}"


invitation_tokens = AccountInvitationTokenGenerator()


def invitation_path(account: User) -> str:
    return reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
            "token": invitation_tokens.make_token(account),
        },
    )


def needing_invitation(coordinators: models.QuerySet[Coordinator]) -> models.QuerySet:
    """Active coordinators with a work e-mail and no account yet, or whose account was made but
    whose invitation never went out (a failed send): what `send_account_invitations` sends."""
    return (
        coordinators.active()
        .exclude(work_email="")
        .filter(
            Q(account__isnull=True)
            | Q(
                invited_at__isnull=True,
                account__is_active=True,
                account__last_login__isnull=True,
                account__password__startswith=UNUSABLE_PASSWORD_PREFIX,
            )
        )
    )


class InvitationRefused(Exception):
    """The coordinator cannot be (re)invited: the message says why, in Japanese."""


def _username_for(coordinator: Coordinator) -> str:
    wanted = coordinator.work_email.lower()
    if not User.objects.filter(username=wanted).exists():
        return wanted
    return f"coordinator{coordinator.pk}"


@transaction.atomic
def prepare_invitation(*, coordinator: Coordinator) -> User:
    """Makes (or re-opens) the coordinator's account, without a usable password, addressed to
    their work e-mail. Refused for an inactive coordinator, one without an e-mail, or one whose
    account is already in use (they reset their password instead)."""
    coordinator = (
        Coordinator.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=coordinator.pk)
    )
    if not coordinator.is_active:
        raise InvitationRefused("活動中でないコーディネーターには招待を送れません。")
    if not coordinator.work_email:
        raise InvitationRefused("仕事用メールアドレスが登録されていません。")
    account = coordinator.account
    if account is not None and account.has_usable_password() and not account.is_active:
        raise InvitationRefused(
            "このアカウントは使われたあとで停止されています。再開するかどうかは"
            "管理画面の利用者から判断してください（招待では再開しません）。"
        )
    if account_status(account) == AccountStatus.ACTIVE:
        raise InvitationRefused(
            "このコーディネーターはすでにアカウントを使っています。"
            "パスワードを忘れた場合は、ログイン画面の「パスワードを忘れた方」から再設定できます。"
        )
    if account is None:
        account = User(username=_username_for(coordinator), role=User.Role.COORDINATOR)
        account.set_unusable_password()
    account.email = coordinator.work_email
    account.last_name = coordinator.name
    account.role = User.Role.COORDINATOR
    account.region = account.municipality = None
    account.is_staff = False
    account.is_active = True
    account.full_clean(exclude=["password"])
    account.save()
    coordinator.account = account
    coordinator.invited_at = None  # set when the message actually leaves (tasks.py)
    coordinator.save(update_fields=["account", "invited_at"])
    return account


def invite(*, coordinator: Coordinator, site_url: str):
    """Prepares the account and sends the invitation as a task once the transaction commits.
    Returns the task's result (immediate in development and tests)."""
    from coordinators.tasks import send_account_invitation

    prepare_invitation(coordinator=coordinator)
    return send_account_invitation.enqueue(coordinator_id=coordinator.pk, site_url=site_url)


@transaction.atomic
def revoke_invitation(*, coordinator: Coordinator) -> None:
    """Withdraws an invitation not yet used: the account is deactivated (every link sent stops
    working); a later resend re-opens it."""
    coordinator = (
        Coordinator.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=coordinator.pk)
    )
    if account_status(coordinator.account) != AccountStatus.INVITED:
        raise InvitationRefused("取り消せるのは、まだ使われていない招待だけです。")
    coordinator.account.is_active = False
    coordinator.account.save(update_fields=["is_active"])
    coordinator.invited_at = None
    coordinator.save(update_fields=["invited_at"])


def invitation_sent_now(*, coordinator_id: int):
    """Records the send time (signed by the link's token) and returns the account."""
    now = timezone.now()
    Coordinator.objects.filter(pk=coordinator_id).update(invited_at=now)
    return Coordinator.objects.select_related("account").get(pk=coordinator_id)
