"""The planned next meeting of the demo region (第4回, a month after the load when none is
planned in the future yet), so that マイページ and the dashboard show what comes next."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hokenfukushi.models import Region
from meetings.demo import DEMO_NOTE, VENUE
from meetings.models import Meeting, MeetingStatus

NEXT_NUMBER = 4
NEXT_THEME = "施設見学の報告と事例検討（デモ）"


@transaction.atomic
def load(region: Region) -> Meeting:
    existing = Meeting.objects.filter(region=region, number=NEXT_NUMBER).first()
    if existing is not None and (
        existing.status != MeetingStatus.PLANNED or existing.starts_at > timezone.now()
    ):
        return existing  # already ahead, or held / cancelled: someone's record, left alone
    day = timezone.localdate() + dt.timedelta(days=30)
    starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))
    meeting, _ = Meeting.objects.update_or_create(
        region=region,
        number=NEXT_NUMBER,
        defaults={
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=2),
            "venue": VENUE,
            "theme": NEXT_THEME,
            "status": MeetingStatus.PLANNED,
            "notes": DEMO_NOTE,
        },
    )
    return meeting
