"""Mail sent as Django tasks (immediate in development and tests; django-tasks-db in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string

from coordinators.invitations import invitation_path, invitation_sent_now
from coordinators.models import Coordinator


@task
def send_account_invitation(*, coordinator_id: int, site_url: str) -> str:
    """Sends the account invitation to the coordinator's work e-mail (Japanese, UTF-8). The
    send time is stored first, since the link's token signs it; if the message cannot be
    handed to the mail server the time is cleared again, so `send_account_invitations` tries
    again on its next run. Returns the address written to."""
    coordinator = invitation_sent_now(coordinator_id=coordinator_id)
    account = coordinator.account
    context = {
        "coordinator": coordinator,
        "account": account,
        "link": site_url.rstrip("/") + invitation_path(account),
        "days": settings.ACCOUNT_INVITATION_DAYS,
        "region": coordinator.organization.region,
    }
    subject = render_to_string("coordinators/email/invitation_subject.txt", context).strip()
    body = render_to_string("coordinators/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [account.email])
    except Exception:
        Coordinator.objects.filter(pk=coordinator_id).update(invited_at=None)
        raise
    return account.email
