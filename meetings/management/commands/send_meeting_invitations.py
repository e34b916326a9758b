"""Queue the invitations of a meeting that have not reached their invitee yet (for operators and
cron). Idempotent: a second run queues nothing that was sent, and each delivery checks again
under its row lock before sending."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from meetings import services
from meetings.models import Meeting


class Command(BaseCommand):
    help = (
        "会議の招待メール（変更・中止のお知らせを含む）を、まだ届けていない招待者に送ります。"
        "--due で、予定中のすべての会議の未送信分と再試行の時刻が来た失敗分を送ります（cron 用）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", nargs="?", type=int, help="会議の ID")
        parser.add_argument(
            "--due",
            action="store_true",
            help="予定中・中止のすべての会議について、送るべき招待を送る",
        )

    def handle(self, *args, meeting_id=None, due=False, **options):
        if meeting_id is None and not due:
            raise CommandError("会議の ID か --due を指定してください。")
        if meeting_id is not None:
            meeting = Meeting.objects.filter(pk=meeting_id).first()
            if meeting is None:
                raise CommandError(f"ID {meeting_id} の会議はありません。")
            meetings = [meeting]
        else:
            meetings = list(
                Meeting.objects.exclude(status="held").filter(starts_at__gt=timezone.now())
            )
        total = 0
        for meeting in meetings:
            queued = services.queue_due_invitations(meeting=meeting)
            total += queued
            self.stdout.write(f"{meeting.region} {meeting}: {queued}件を送信キューに入れました")
        self.stdout.write(f"合計 {total}件")
