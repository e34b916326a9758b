"""The iCalendar feed of meetings, and the per-user secret link calendar apps subscribe to.

Outlook and Google Calendar fetch a subscribed feed from their own servers, without the user's
session cookie, so the feed also accepts a secret token in the URL. The token is an HMAC of the
user's id and password hash: changing the password revokes every link handed out before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.models import Meeting, MeetingStatus

_SIGNING_NAMESPACE = "meetings.calendar-feed"
DEFAULT_DURATION = dt.timedelta(hours=2)
_ICS_STATUS = {
    MeetingStatus.PLANNED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def _signature(user) -> str:
    digest = salted_hmac(_SIGNING_NAMESPACE, f"{user.pk}:{user.password}", algorithm="sha256")
    return digest.hexdigest()[:40]


def calendar_token(user) -> str:
    return f"{user.pk}-{_signature(user)}"


def user_for_calendar_token(token: str):
    """The active user a token was made for, or None (wrong, stale or malformed token)."""
    user_id, _, signature = token.partition("-")
    if not user_id.isdigit() or not signature:
        return None
    user = get_user_model().objects.filter(pk=int(user_id), is_active=True).first()
    if user is None or not constant_time_compare(signature, _signature(user)):
        return None
    return user


def _new_calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//hokenfukushi//meetings//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def meeting_event(meeting: Meeting, *, base_url: str, stamp: dt.datetime) -> Event:
    """The meeting as one VEVENT. The UID is the same in the feed, the single .ics and every
    invitation, so a calendar keeps one entry however the meeting reached it; SEQUENCE is the
    meeting's version, raised on each change of date, place or status."""
    starts_at = timezone.localtime(meeting.starts_at)
    ends_at = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@hokenfukushi")
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.calendar_sequence)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at or starts_at + DEFAULT_DURATION)
    event.add("summary", f"{meeting.region} {meeting} 医ケアコーディネーター連絡会議")
    if meeting.venue:
        event.add("location", meeting.venue)
    description = [meeting.theme] if meeting.theme else []
    description.append(f"{base_url}/meetings/{meeting.pk}/")
    event.add("description", "\n".join(description))
    event.add("url", f"{base_url}/meetings/{meeting.pk}/")
    event.add("status", _ICS_STATUS[meeting.status])
    return event


def meetings_calendar(meetings: Iterable[Meeting], *, name: str, base_url: str) -> bytes:
    """VCALENDAR with one VEVENT per meeting, times in Asia/Tokyo with its VTIMEZONE."""
    calendar = _new_calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url=base_url, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation_calendar(
    meeting: Meeting, *, base_url: str, organizer: str, attendee: str, attendee_name: str
) -> tuple[str, bytes]:
    """(METHOD, body) of the calendar part of one invitation: REQUEST (a new or changed
    meeting; the SEQUENCE tells a calendar which version is newer) or CANCEL (cancelled)."""
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    calendar = _new_calendar(method)
    event = meeting_event(meeting, base_url=base_url, stamp=timezone.now())
    event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    person = vCalAddress(f"mailto:{attendee}")
    person.params["cn"] = vText(attendee_name)
    person.params["role"] = vText("REQ-PARTICIPANT")
    person.params["partstat"] = vText("NEEDS-ACTION")
    event.add("attendee", person, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return method, calendar.to_ical()
