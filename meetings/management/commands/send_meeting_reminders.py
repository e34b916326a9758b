"""Daily (cron): remind invitees who said 出席 or have not answered, MEETING_REMINDER_DAYS days
before the meeting. Never twice: each invitation records when it was reminded."""

from django.conf import settings
from django.core.management.base import BaseCommand

from meetings import services


class Command(BaseCommand):
    help = (
        "会議の数日前（MEETING_REMINDER_DAYS）に、"
        "出席または未回答の招待者へリマインダーを送ります。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="会議の何日前から送るか（既定: 設定 MEETING_REMINDER_DAYS）",
        )

    def handle(self, *args, days=None, **options):
        days = days if days is not None else settings.MEETING_REMINDER_DAYS
        queued = services.send_reminders(days_before=days)
        self.stdout.write(f"リマインダー {queued}件を送信キューに入れました")
