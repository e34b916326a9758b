"""Property: whatever the mail server does (refuses a connection to some invitees in some rounds)
and however often the meeting changes, every invitee ends with the meeting's latest version,
and no invitee is ever sent the same version twice."""

import datetime as dt
import itertools
import re
import smtplib
from collections import Counter
from unittest import mock

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings import services
from meetings.delivery import deliver_invitation
from meetings.factories import InvitationFactory, MeetingFactory
from meetings.models import Invitation, InvitationStatus, MeetingStatus

INVITEES = 4
_numbers = itertools.count(1000)

rounds = st.lists(
    st.tuples(
        st.sets(st.integers(min_value=0, max_value=INVITEES - 1)),  # whose delivery fails
        st.booleans(),  # the meeting's place changes before the round
    ),
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=rounds)
def test_every_invitee_gets_the_latest_version_and_none_twice(region, rounds):
    meeting = MeetingFactory(
        region=region,
        number=next(_numbers),
        starts_at=timezone.now() + dt.timedelta(days=30),
        status=MeetingStatus.PLANNED,
    )
    invitations = [
        InvitationFactory(meeting=meeting, email=f"p{n}@example.jp") for n in range(INVITEES)
    ]
    sent: list[tuple[str, int]] = []
    failing: set[str] = set()

    def fake_send(message, fail_silently=False):
        address = message.to[0]
        if address in failing:
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        calendar = message.alternatives[0].content
        sent.append((address, int(re.search(r"SEQUENCE:(\d+)", calendar).group(1))))
        return 1

    clock = timezone.now()
    with mock.patch.object(EmailMultiAlternatives, "send", fake_send):
        for failures, change in [*rounds, (set(), False)]:  # finally the server is fine
            failing = {f"p{n}@example.jp" for n in failures}
            if change:
                meeting.refresh_from_db()
                services.update_meeting(meeting=meeting, changes={"venue": f"会場{clock}"})
            clock += dt.timedelta(hours=3)  # every scheduled retry is due by now
            for invitation in Invitation.objects.filter(meeting=meeting).due(clock):
                deliver_invitation(invitation_id=invitation.pk, now=clock)
    meeting.refresh_from_db()
    assert Counter(sent).most_common(1)[0][1] == 1  # no (person, version) twice
    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT
        assert invitation.sent_sequence == meeting.calendar_sequence
        assert (invitation.email, meeting.calendar_sequence) in sent
