"""A planned meeting two weeks ahead with an agenda and invitees, for the invitation tests."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.factories import AgendaItemFactory, InvitationFactory, MeetingFactory
from meetings.models import MeetingStatus


@pytest.fixture
def planned(region):
    starts_at = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    starts_at += dt.timedelta(days=14)
    meeting = MeetingFactory(
        region=region,
        number=4,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        venue="テスト会議室A",
        status=MeetingStatus.PLANNED,
    )
    AgendaItemFactory(meeting=meeting, order=1, title="医療用語の勉強")
    AgendaItemFactory(meeting=meeting, order=2, title="事例検討", presenter="講師（テスト）")
    return meeting


@pytest.fixture
def invitees(planned):
    return [
        InvitationFactory(meeting=planned, name=f"招待 {n}", email=f"person{n}@example.jp")
        for n in range(3)
    ]
