"""/meetings/calendar.ics: a feed a real iCalendar parser accepts, in Asia/Tokyo, scoped, and
reachable by calendar apps through a per-user secret link."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from icalendar import Calendar

from hokenfukushi.models import User
from meetings.calendar import calendar_token, user_for_calendar_token
from meetings.factories import MeetingFactory
from meetings.models import Meeting, MeetingStatus

TOKYO = ZoneInfo("Asia/Tokyo")


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


@pytest.mark.django_db
def test_demo_feed_has_the_four_meetings_on_their_dates_in_tokyo(client, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    client.force_login(User.objects.get(username="center"))
    events = _events(client.get("/meetings/calendar.ics"))
    starts = {
        summary: event.decoded("dtstart")
        for summary, event in events.items()
        if "児玉郡市" in summary
    }
    fourth = Meeting.objects.get(region__name="児玉郡市", number=4)
    assert {s: d.date() for s, d in starts.items()} == {
        "児玉郡市 第1回 医ケアコーディネーター連絡会議": dt.date(2024, 11, 20),
        "児玉郡市 第2回 医ケアコーディネーター連絡会議": dt.date(2025, 5, 21),
        "児玉郡市 第3回 医ケアコーディネーター連絡会議": dt.date(2025, 10, 22),
        "児玉郡市 第4回 医ケアコーディネーター連絡会議": fourth.held_on,
    }
    for start in starts.values():
        assert start.utcoffset() == dt.timedelta(hours=9)
        assert (start.hour, start.minute) == (14, 0)
    third = events["児玉郡市 第3回 医ケアコーディネーター連絡会議"]
    assert third["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert third.decoded("dtend") - third.decoded("dtstart") == dt.timedelta(hours=2)
    assert "地域センターたいよう" in str(third["description"])
    tz = Calendar.from_ical(client.get("/meetings/calendar.ics").content).walk("VTIMEZONE")
    assert [str(t["tzid"]) for t in tz] == ["Asia/Tokyo"]


@pytest.fixture
def meetings(region, other_region):
    return (
        MeetingFactory(region=region, number=1),
        MeetingFactory(region=region, number=2, status=MeetingStatus.CANCELLED),
        MeetingFactory(region=other_region, number=1),
    )


@pytest.mark.parametrize(
    ("role", "regions"),
    [
        ("region_admin", {"テスト圏域A"}),
        ("municipal_user", {"テスト圏域A"}),
        ("other_town_user", {"テスト圏域A"}),
        ("other_region_user", {"テスト圏域B"}),
        ("prefecture_user", {"テスト圏域A", "テスト圏域B"}),
    ],
)
def test_feed_lists_only_meetings_in_scope(role, regions, client_for, meetings):
    events = _events(client_for(role).get("/meetings/calendar.ics"))
    assert {summary.split()[0] for summary in events} == regions


def test_cancelled_meeting_is_marked_cancelled(client_for, meetings):
    events = _events(client_for("region_admin").get("/meetings/calendar.ics"))
    assert str(events["テスト圏域A 第2回 医ケアコーディネーター連絡会議"]["status"]) == "CANCELLED"


def test_anonymous_without_token_is_sent_to_login(client_for, meetings):
    response = client_for("anonymous").get("/meetings/calendar.ics")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_calendar_app_subscribes_with_the_secret_link_and_no_session(
    client, municipal_user, meetings
):
    token = calendar_token(municipal_user)
    events = _events(client.get("/meetings/calendar.ics", {"token": token}))
    assert {summary.split()[0] for summary in events} == {"テスト圏域A"}


def test_link_stops_working_when_the_password_changes_or_is_forged(
    client, municipal_user, region_admin, meetings
):
    token = calendar_token(municipal_user)
    forged = f"{region_admin.pk}-{token.split('-', 1)[1]}"
    assert client.get("/meetings/calendar.ics", {"token": forged}).status_code == 404
    assert client.get("/meetings/calendar.ics", {"token": "garbage"}).status_code == 404
    municipal_user.set_password("a-new-password-456")
    municipal_user.save()
    assert client.get("/meetings/calendar.ics", {"token": token}).status_code == 404
    assert user_for_calendar_token(calendar_token(municipal_user)) == municipal_user


def test_deactivated_user_link_stops_working(client, municipal_user, meetings):
    token = calendar_token(municipal_user)
    municipal_user.is_active = False
    municipal_user.save()
    assert client.get("/meetings/calendar.ics", {"token": token}).status_code == 404


def test_meetings_page_shows_the_users_own_link(client_for, municipal_user, meetings):
    html = client_for("municipal_user").get("/meetings/").content.decode()
    assert calendar_token(municipal_user) in html
