"""Following up a carried action on the meeting page: the region admin records done or dropped
with a note; everyone else can read but not write; bad input keeps what was typed."""

import pytest

from meetings.factories import ActionItemFactory, MeetingFactory
from meetings.models import ActionStatus


@pytest.fixture
def meetings(region):
    second = MeetingFactory(region=region, number=2)
    third = MeetingFactory(region=region, number=3)
    action = ActionItemFactory(raised_at=second, text="施設見学を調整する")
    return second, third, action


def _close_url(meeting, action):
    return f"/meetings/{meeting.pk}/actions/{action.pk}/close/"


def _data(action, status="done", note=""):
    return {f"action-{action.pk}-status": status, f"action-{action.pk}-note": note}


def test_region_admin_records_the_result_at_the_meeting(client_for, meetings):
    _second, third, action = meetings
    client = client_for("region_admin")
    page = client.get(f"/meetings/{third.pk}/").content.decode()
    assert _close_url(third, action) in page
    response = client.post(
        _close_url(third, action), _data(action, note="すくすくを見学した"), follow=True
    )
    assert response.redirect_chain[-1][0].endswith(f"/meetings/{third.pk}/#carried-actions")
    html = response.content.decode()
    assert "「施設見学を調整する」を第3回で確認しました。" in html
    carried = html.split('id="carried-actions"')[1].split("</table>")[0]
    assert "第3回で確認" in carried and "すくすくを見学した" in carried
    action.refresh_from_db()
    assert (action.status, action.closed_at, action.closing_note) == (
        ActionStatus.DONE,
        third,
        "すくすくを見学した",
    )
    # now closed: no form for it any more, and posting again finds nothing open
    assert _close_url(third, action) not in html
    assert client.post(_close_url(third, action), _data(action)).status_code == 404


def test_missing_result_is_explained_and_the_note_is_kept(client_for, meetings):
    _second, third, action = meetings
    response = client_for("region_admin").post(
        _close_url(third, action), _data(action, status="", note="書きかけのメモ")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "「完了」か「取りやめ」を選んでください。" in html
    assert "書きかけのメモ" in html
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("municipal_user", 403),
        ("other_town_user", 403),
        ("prefecture_user", 403),
        ("other_region_user", 404),
    ],
)
def test_only_the_region_admin_can_record_follow_up(role, status, client_for, meetings):
    _second, third, action = meetings
    client = client_for(role)
    if status == 403:
        assert (
            _close_url(third, action) not in client.get(f"/meetings/{third.pk}/").content.decode()
        )
    assert client.post(_close_url(third, action), _data(action)).status_code == status
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_anonymous_is_sent_to_login(client_for, meetings):
    _second, third, action = meetings
    response = client_for("anonymous").post(_close_url(third, action), _data(action))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_action_cannot_be_closed_at_the_meeting_that_raised_it(client_for, meetings):
    second, _third, action = meetings
    response = client_for("region_admin").post(_close_url(second, action), _data(action))
    assert response.status_code == 404


def test_get_is_not_allowed(client_for, meetings):
    _second, third, action = meetings
    assert client_for("region_admin").get(_close_url(third, action)).status_code == 405
