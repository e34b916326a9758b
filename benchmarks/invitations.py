"""Inviting 200 people to a meeting: the center's request (which only queues, through
django-tasks-db) beside `/healthz`, and the worker's delivery rate to a local SMTP server.

Budget (issue 21): the request returns in under 200 ms; the delivery rate is reported.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time

INVITEES = 200


class CountingMailbox:
    """aiosmtpd handler that only counts accepted messages."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _planned_meeting(region):
    from django.db.models import Max
    from django.utils import timezone

    from meetings.models import Invitation, Meeting, MeetingStatus

    number = (Meeting.objects.filter(region=region).aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = Meeting.objects.create(
        region=region,
        number=number,
        starts_at=timezone.now() + dt.timedelta(days=30),
        venue="ベンチマーク会議室",
        status=MeetingStatus.PLANNED,
        notes="benchmark",
    )
    Invitation.objects.bulk_create(
        Invitation(meeting=meeting, name=f"招待 {n}", email=f"bench{n:03d}@example.jp")
        for n in range(INVITEES)
    )
    return meeting


def _clear_queue() -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def invitation_rows(size: int, client, region, repeat: int, row_class, percentile, cwd) -> list:
    """Rows: the 200-invitee request (median, p95, ratio to /healthz) and the delivery rate."""
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from meetings.models import Invitation, InvitationStatus, Meeting

    if "DatabaseBackend" not in settings.TASKS["default"]["BACKEND"]:
        return [row_class(size, "invite 200 (needs the database task backend)")]
    Meeting.objects.filter(region=region, notes="benchmark").delete()
    meeting = _planned_meeting(region)
    url = f"/meetings/{meeting.pk}/invitations/send/"
    samples, health = [], []
    for index in range(repeat + 2):
        _clear_queue()
        started = time.perf_counter()
        response = client.post(url)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.status_code
        queued = DBTaskResult.objects.count()
        started = time.perf_counter()
        client.get("/healthz")
        health_ms = (time.perf_counter() - started) * 1000
        if index >= 2:  # warm-up
            samples.append(elapsed)
            health.append(health_ms)
    median = statistics.median(samples)
    rows = [
        row_class(
            size,
            f"invite {INVITEES} (queue only)",
            median_ms=median,
            p95_ms=percentile(samples, 0.95),
            floor_ms=statistics.median(health),
            ratio=median / statistics.median(health),
            extra={
                "task rows written": f"{queued} (fans out to {INVITEES} in the worker)",
                "budget": "200 ms",
            },
        )
    ]

    # The worker, as a separate process, delivering the queued 200 to a local SMTP server.
    mailbox = CountingMailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "-v0",
            ],
            env=env,
            cwd=cwd,
            check=True,
        )
        seconds = time.perf_counter() - started
    finally:
        controller.stop()
    sent = Invitation.objects.filter(meeting=meeting, status=InvitationStatus.SENT).count()
    rows.append(
        row_class(
            size,
            f"worker delivers {INVITEES} to local SMTP",
            median_ms=seconds * 1000,
            extra={
                "messages/s": f"{mailbox.count / seconds:.1f}",
                "sent": f"{sent}/{INVITEES}",
                "accepted by SMTP": str(mailbox.count),
            },
        )
    )
    _clear_queue()
    meeting.delete()
    return rows
