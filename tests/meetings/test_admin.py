"""The meetings admin: scope per role, inlines with scoped choices, and "plan the next meeting"."""

import pytest

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from meetings.factories import ActionItemFactory, CoordinatorAttendanceFactory, MeetingFactory
from meetings.models import Meeting, MeetingStatus

LIST = "/admin/meetings/meeting/"


@pytest.fixture
def meeting(region):
    meeting = MeetingFactory(region=region, number=1, theme="自圏域の会議")
    CoordinatorAttendanceFactory(meeting=meeting)
    ActionItemFactory(raised_at=meeting, text="施設見学を調整")
    return meeting


@pytest.fixture
def far_meeting(other_region):
    return MeetingFactory(region=other_region, number=1, theme="他圏域の会議")


@pytest.mark.parametrize(
    ("role", "listed"),
    [
        ("region_admin", {"自圏域の会議"}),
        ("municipal_user", {"自圏域の会議"}),
        ("other_region_user", {"他圏域の会議"}),
    ],
)
def test_change_list_shows_meetings_in_read_scope(role, listed, client_for, meeting, far_meeting):
    html = client_for(role).get(LIST).content.decode()
    assert {t for t in ("自圏域の会議", "他圏域の会議") if t in html} == listed


def test_region_admin_edits_with_all_four_inlines(client_for, meeting):
    html = client_for("region_admin").get(f"{LIST}{meeting.pk}/change/").content.decode()
    for prefix in ("agenda_items", "attendances", "actions_raised", "pre_questions"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html
    assert "施設見学を調整" in html


def test_attendance_choices_offer_only_coordinators_of_the_region(
    client_for, meeting, far_meeting, region, other_region
):
    CoordinatorFactory(
        name="地元 一子", organization=OrganizationFactory(region=region, municipality=None)
    )
    CoordinatorFactory(
        name="遠方 二郎", organization=OrganizationFactory(region=other_region, municipality=None)
    )
    html = client_for("region_admin").get(f"{LIST}{meeting.pk}/change/").content.decode()
    assert "地元 一子" in html
    assert "遠方 二郎" not in html


def test_municipal_staff_read_but_cannot_change_a_meeting(client_for, meeting):
    client = client_for("municipal_user")
    page = client.get(f"{LIST}{meeting.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(f"{LIST}{meeting.pk}/change/", {"theme": "書き換え"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.theme == "自圏域の会議"
    assert client.get(f"{LIST}add/").status_code == 403


def test_meeting_of_another_region_is_404_in_admin(client_for, meeting):
    client = client_for("other_region_user")
    assert client.get(f"{LIST}{meeting.pk}/change/").status_code == 404
    assert client.get(f"{LIST}{meeting.pk}/history/").status_code == 404


def test_region_admin_plans_the_next_meeting_from_the_list(client_for, meeting, region):
    response = client_for("region_admin").post(
        LIST, {"action": "plan_next", "_selected_action": [meeting.pk]}, follow=True
    )
    planned = Meeting.objects.get(region=region, number=2)
    assert planned.status == MeetingStatus.PLANNED
    assert "第2回 を予定として作成しました" in response.content.decode()


def test_planning_twice_explains_why_it_refuses(client_for, meeting, region):
    client = client_for("region_admin")
    client.post(LIST, {"action": "plan_next", "_selected_action": [meeting.pk]})
    response = client.post(
        LIST, {"action": "plan_next", "_selected_action": [meeting.pk]}, follow=True
    )
    assert "第2回がすでに予定されています" in response.content.decode()
    assert Meeting.objects.filter(region=region).count() == 2


def test_municipal_staff_cannot_plan_meetings(client_for, meeting, region):
    client = client_for("municipal_user")
    assert "plan_next" not in client.get(LIST).content.decode()
    client.post(LIST, {"action": "plan_next", "_selected_action": [meeting.pk]})
    assert Meeting.objects.filter(region=region).count() == 1
