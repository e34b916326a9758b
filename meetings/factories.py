"""factory-boy factories for meetings (tests, benchmarks)."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from hokenfukushi.factories import RegionFactory
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaKind,
    Attendance,
    Invitation,
    Meeting,
    MeetingStatus,
    PreQuestion,
)

TOKYO = ZoneInfo("Asia/Tokyo")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    region = factory.SubFactory(RegionFactory)
    number = factory.Sequence(lambda n: n + 1)
    # quarterly from 2024-04, 14:00 in Tokyo
    starts_at = factory.LazyAttribute(
        lambda m: dt.datetime(
            2024 + (m.number - 1) * 3 // 12, (m.number - 1) * 3 % 12 + 1, 15, 14, 0, tzinfo=TOKYO
        )
    )
    venue = "テスト会議室"
    theme = factory.Sequence(lambda n: f"テストテーマ{n}")
    status = MeetingStatus.HELD


def meeting_on(region, number: int, day: dt.date, status: str = MeetingStatus.HELD) -> Meeting:
    """The region's meeting `number`, at 14:00 in Tokyo on `day`."""
    return MeetingFactory(
        region=region,
        number=number,
        starts_at=dt.datetime.combine(day, dt.time(14), tzinfo=TOKYO),
        status=status,
    )


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = AgendaKind.DISCUSSION
    title = factory.Sequence(lambda n: f"テスト議題{n}")


class CoordinatorAttendanceFactory(factory.django.DjangoModelFactory):
    """A coordinator at a meeting (the coordinator's organization is in the meeting's region)."""

    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    coordinator = factory.SubFactory(
        CoordinatorFactory,
        organization=factory.SubFactory(
            OrganizationFactory,
            region=factory.SelfAttribute("...meeting.region"),
            municipality=None,
        ),
    )


class OtherAttendanceFactory(factory.django.DjangoModelFactory):
    """A participant who is not a coordinator, given by organization."""

    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    organization = factory.SubFactory(
        OrganizationFactory, region=factory.SelfAttribute("..meeting.region"), municipality=None
    )


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    raised_at = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"テストのアクション{n}")


class PreQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreQuestion

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"テストの質問{n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    """Someone invited by name and e-mail (not a coordinator)."""

    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory, status=MeetingStatus.PLANNED)
    name = factory.Sequence(lambda n: f"招待 花子{n}")
    email = factory.Sequence(lambda n: f"invitee{n}@example.jp")
    affiliation = "テスト町役場"

    class Params:
        # A coordinator of the meeting's region, with a work address.
        of_coordinator = factory.Trait(
            coordinator=factory.SubFactory(
                CoordinatorFactory,
                organization=factory.SubFactory(
                    OrganizationFactory,
                    region=factory.SelfAttribute("...meeting.region"),
                    municipality=None,
                ),
            ),
            name=factory.SelfAttribute("coordinator.name"),
        )
