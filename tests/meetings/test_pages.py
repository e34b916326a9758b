"""Meeting pages as every role: who sees what, 404 outside scope, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import OrganizationKind
from meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CoordinatorAttendanceFactory,
    MeetingFactory,
    OtherAttendanceFactory,
    PreQuestionFactory,
)
from meetings.models import ActionStatus, MeetingStatus

READERS = ("region_admin", "municipal_user", "other_town_user", "prefecture_user")


@pytest.fixture
def meeting(region):
    meeting = MeetingFactory(region=region, number=1, theme="顔合わせの会")
    CoordinatorAttendanceFactory.create_batch(2, meeting=meeting)
    OtherAttendanceFactory(meeting=meeting)
    return meeting


@pytest.fixture
def far_meeting(other_region):
    return MeetingFactory(region=other_region, number=1, theme="よその圏域の会議")


@pytest.mark.parametrize("role", READERS)
def test_readers_see_their_regions_meetings_with_participant_counts(
    role, client_for, meeting, far_meeting
):
    response = client_for(role).get("/meetings/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "顔合わせの会" in html
    assert "よその圏域の会議" not in html
    row = html.split('data-meeting="1"')[1].split("</tr>")[0]
    assert 'data-count="coordinators">2<' in row
    assert 'data-count="others">1<' in row
    assert 'data-count="total">3<' in row


def test_other_regions_staff_do_not_see_this_regions_meetings(client_for, meeting, far_meeting):
    html = client_for("other_region_user").get("/meetings/").content.decode()
    assert "よその圏域の会議" in html
    assert "顔合わせの会" not in html


def test_prefecture_viewer_can_switch_region_and_unknown_region_is_404(
    client_for, meeting, far_meeting
):
    client = client_for("prefecture_user")
    html = client.get(f"/meetings/?region={far_meeting.region_id}").content.decode()
    assert "よその圏域の会議" in html and "顔合わせの会" not in html
    assert client.get("/meetings/?region=999999").status_code == 404


def test_region_outside_scope_is_404_not_an_empty_page(client_for, meeting, far_meeting):
    response = client_for("municipal_user").get(f"/meetings/?region={far_meeting.region_id}")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/meetings/", "/meetings/{pk}/", "/meetings/{pk}/print/"])
def test_anonymous_is_sent_to_login(path, client_for, meeting):
    response = client_for("anonymous").get(path.format(pk=meeting.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("view", ["detail", "print"])
def test_readers_open_a_meeting(role, view, client_for, meeting):
    path = f"/meetings/{meeting.pk}/" + ("print/" if view == "print" else "")
    response = client_for(role).get(path)
    assert response.status_code == 200
    assert "顔合わせの会" in response.content.decode()


@pytest.mark.parametrize("view", ["", "print/"])
def test_meeting_of_another_region_is_404(view, client_for, meeting):
    response = client_for("other_region_user").get(f"/meetings/{meeting.pk}/{view}")
    assert response.status_code == 404


def test_user_without_a_role_sees_no_meetings(client, meeting, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-password-123")
    client.force_login(user)
    assert "顔合わせの会" not in client.get("/meetings/").content.decode()
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404


def test_print_view_is_a4_without_navigation_and_keeps_the_tables(client_for, meeting):
    html = client_for("region_admin").get(f"/meetings/{meeting.pk}/print/").content.decode()
    assert 'id="attendance-table"' in html
    assert "site-nav" not in html and "ログアウト" not in html
    assert "print.css" in html and 'media="print"' not in html  # print rules apply on screen too
    detail = client_for("region_admin").get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'href="/static/css/print.css" media="print"' in detail


def test_meeting_page_shows_open_actions_of_earlier_meetings_and_where_they_were_closed(
    client_for, region
):
    first = MeetingFactory(region=region, number=1)
    second = MeetingFactory(region=region, number=2)
    third = MeetingFactory(region=region, number=3)
    ActionItemFactory(raised_at=first, text="施設見学を調整する")
    ActionItemFactory(
        raised_at=first,
        text="講師を招く",
        status=ActionStatus.DONE,
        closed_at=second,
        closing_note="第2回で講義を受けた",
    )
    ActionItemFactory(raised_at=first, text="前からやめた件", status=ActionStatus.DROPPED)
    client = client_for("municipal_user")

    second_page = client.get(f"/meetings/{second.pk}/").content.decode()
    carried = second_page.split('id="carried-actions"')[1].split("</table>")[0]
    assert "施設見学を調整する" in carried
    assert "講師を招く" in carried and "第2回で確認" in carried and "第2回で講義を受けた" in carried
    assert "前からやめた件" not in carried

    third_page = client.get(f"/meetings/{third.pk}/").content.decode()
    carried = third_page.split('id="carried-actions"')[1].split("</table>")[0]
    assert "施設見学を調整する" in carried
    assert "講師を招く" not in carried  # closed before 第3回

    first_page = client.get(f"/meetings/{first.pk}/").content.decode()
    raised = first_page.split('id="raised-actions"')[1].split("</table>")[0]
    assert "講師を招く" in raised and "第2回で確認" in raised


def test_connections_list_who_never_came(client_for, meeting, region):
    CoordinatorFactory(
        name="未参加 花子",
        organization=OrganizationFactory(region=region, municipality=None),
    )
    html = client_for("region_admin").get("/meetings/").content.decode()
    never = html.split('id="never-attended"')[1].split("</ul>")[0]
    assert "未参加 花子" in never
    assert 'id="coordinator-pairs">1<' in html  # the two who came together


def _grow(region, meetings: int, people: int):
    orgs = [
        OrganizationFactory(region=region, municipality=None, kind=kind)
        for kind in (OrganizationKind.GOVERNMENT, OrganizationKind.BASE_CENTER)
    ]
    coordinators = [
        CoordinatorFactory(organization=orgs[i % 2], municipalities=[]) for i in range(people)
    ]
    start = 1 + max([0, *region.meetings.values_list("number", flat=True)])
    for number in range(start, start + meetings):
        meeting = MeetingFactory(region=region, number=number)
        for coordinator in coordinators:
            CoordinatorAttendanceFactory(meeting=meeting, coordinator=coordinator)
        OtherAttendanceFactory(meeting=meeting, organization=orgs[0])
        AgendaItemFactory.create_batch(2, meeting=meeting)
        ActionItemFactory(raised_at=meeting)
        PreQuestionFactory(meeting=meeting)
    MeetingFactory(region=region, number=start + meetings, status=MeetingStatus.PLANNED)


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


LIST_QUERIES = 8  # session, user, regions, meetings, attendance, coordinators, organizations,
# and whether the user may prepare the next meeting (the region in their edit scope)
DETAIL_QUERIES = (
    9  # session, user, meeting, may-edit, agenda, attendance, raised, carried, questions
)


def test_list_page_queries_stay_constant_as_meetings_and_people_grow(
    client_for, region, django_assert_max_num_queries
):
    client = client_for("region_admin")
    _grow(region, meetings=2, people=3)
    with django_assert_max_num_queries(LIST_QUERIES):
        small = _queries(client, "/meetings/")
    _grow(region, meetings=10, people=15)
    with django_assert_max_num_queries(LIST_QUERIES):
        large = _queries(client, "/meetings/")
    assert small == large


def test_detail_page_queries_stay_constant_as_the_meeting_grows(
    client_for, region, django_assert_max_num_queries
):
    client = client_for("region_admin")
    _grow(region, meetings=2, people=3)
    latest = region.meetings.order_by("-number")[1]
    with django_assert_max_num_queries(DETAIL_QUERIES):
        small = _queries(client, f"/meetings/{latest.pk}/")
    _grow(region, meetings=10, people=20)
    latest = region.meetings.order_by("-number")[1]
    with django_assert_max_num_queries(DETAIL_QUERIES):
        large = _queries(client, f"/meetings/{latest.pk}/")
    assert small == large


def _never_attended(html: str) -> str:
    return html.split('id="never-attended"')[1].split("</ul>")[0]


def test_prefecture_viewer_sees_only_the_chosen_regions_coordinators(
    client_for, meeting, far_meeting, region, other_region
):
    CoordinatorFactory(
        name="地元 未参加", organization=OrganizationFactory(region=region, municipality=None)
    )
    CoordinatorFactory(
        name="遠方 未参加",
        organization=OrganizationFactory(region=other_region, municipality=None),
    )
    client = client_for("prefecture_user")
    here = _never_attended(client.get(f"/meetings/?region={region.pk}").content.decode())
    assert "地元 未参加" in here and "遠方 未参加" not in here
    there = _never_attended(client.get(f"/meetings/?region={other_region.pk}").content.decode())
    assert "遠方 未参加" in there and "地元 未参加" not in there


def test_attendance_chart_has_a_bar_for_held_meetings_only(client_for, meeting, region):
    MeetingFactory(region=region, number=2, status=MeetingStatus.PLANNED)
    html = client_for("region_admin").get("/meetings/").content.decode()
    assert html.count('class="bar-coordinators"') == 1
    assert "3名" in html  # the held meeting's two coordinators and one other participant
