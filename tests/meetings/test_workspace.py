"""The center's meeting workspace in the browser (Django test client), as every role: prepare the
next meeting, edit details and agenda, invite, replies and counts, attendance checklist,
事前質問, and the meeting's files (.ics, 次第 and 議事録 in Word)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from docx import Document
from icalendar import Calendar

from coordinators.factories import OrganizationFactory
from meetings import services
from meetings.factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CoordinatorAttendanceFactory,
    InvitationFactory,
    MeetingFactory,
    OtherAttendanceFactory,
    PreQuestionFactory,
)
from meetings.models import (
    ActionStatus,
    Attendance,
    Invitation,
    Meeting,
    MeetingStatus,
    PreQuestion,
    Reply,
)
from meetings.services import FOLLOW_UP_TITLE

TOKYO = ZoneInfo("Asia/Tokyo")
# region_admin edits; the region's towns and the prefecture read; another region sees nothing.
EXPECTED_EDIT = {
    "region_admin": 200,
    "municipal_user": 403,
    "other_town_user": 403,
    "prefecture_user": 403,
    "other_region_user": 404,
}
EXPECTED_READ = {
    "region_admin": 200,
    "municipal_user": 200,
    "other_town_user": 200,
    "prefecture_user": 200,
    "other_region_user": 404,
}


@pytest.fixture
def held(region):
    meeting = MeetingFactory(
        region=region,
        number=3,
        starts_at=dt.datetime(2025, 10, 22, 14, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 10, 22, 16, tzinfo=TOKYO),
        venue="基幹センター会議室",
        reflection="顔を合わせる機会となった。",
    )
    AgendaItemFactory(
        meeting=meeting, order=1, title="協議の場の構成", minutes="他地域の例を聞いた"
    )
    AgendaItemFactory(
        meeting=meeting, order=2, title="医療用語の勉強", is_recurring=True, minutes="用語集"
    )
    CoordinatorAttendanceFactory.create_batch(2, meeting=meeting)
    OtherAttendanceFactory(meeting=meeting)
    ActionItemFactory(raised_at=meeting, text="施設見学を調整する")
    ActionItemFactory(raised_at=meeting, text="保健所に難病の講義を依頼する")
    return meeting


def _pages(meeting):
    return {
        "edit": f"/meetings/{meeting.pk}/edit/",
        "invitations": f"/meetings/{meeting.pk}/invitations/",
        "attendance": f"/meetings/{meeting.pk}/attendance/",
        "questions": f"/meetings/{meeting.pk}/questions/",
    }


@pytest.mark.parametrize("role", EXPECTED_EDIT)
def test_workspace_pages_are_the_centers(role, client_for, planned):
    client = client_for(role)
    for name, url in _pages(planned).items():
        assert client.get(url).status_code == EXPECTED_EDIT[role], (role, name)
    for url in (
        f"/meetings/{planned.pk}/invitations/send/",
        f"/meetings/{planned.pk}/invitations/coordinators/",
    ):
        assert client.post(url).status_code in (EXPECTED_EDIT[role], 302), (role, url)


@pytest.mark.parametrize("role", EXPECTED_READ)
def test_meeting_files_follow_the_read_scope(role, client_for, held):
    client = client_for(role)
    for suffix in ("meeting.ics", "agenda.docx", "minutes.docx", "questions/print/", "print/"):
        response = client.get(f"/meetings/{held.pk}/{suffix}")
        assert response.status_code == EXPECTED_READ[role], (role, suffix)


def test_anonymous_is_sent_to_login_everywhere(client_for, planned):
    client = client_for("anonymous")
    for url in [*_pages(planned).values(), f"/meetings/{planned.pk}/agenda.docx"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/meetings/prepare/").status_code == 302
    assert not Meeting.objects.filter(number=5).exists()


def test_center_prepares_the_next_meeting_from_the_list(client_for, region, held):
    held_action = ActionItemFactory(raised_at=held, text="済んだ件")
    held_action.status = ActionStatus.DONE
    held_action.save()
    client = client_for("region_admin")
    assert "次回の会議を準備する" in client.get("/meetings/").content.decode()
    response = client.post("/meetings/prepare/")
    meeting = Meeting.objects.get(region=region, number=4)
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/edit/"
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.held_on > timezone.localdate()
    assert meeting.venue == "基幹センター会議室"
    titles = list(meeting.agenda_items.order_by("order").values_list("title", flat=True))
    assert titles == ["医療用語の勉強", FOLLOW_UP_TITLE]
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "施設見学を調整する" in html and "済んだ件" not in html
    # pressed again: refused with a message, nothing created
    response = client.post("/meetings/prepare/", follow=True)
    assert "第4回がすでに予定されています" in response.content.decode()
    assert Meeting.objects.filter(region=region).count() == 2


@pytest.mark.parametrize(
    "role", ["municipal_user", "other_town_user", "prefecture_user", "other_region_user"]
)
def test_only_the_center_prepares(role, client_for, region, held):
    client = client_for(role)
    assert "次回の会議を準備する" not in client.get("/meetings/").content.decode()
    assert client.post("/meetings/prepare/").status_code == 403
    assert Meeting.objects.filter(region=region).count() == 1


def test_carried_items_are_live_closing_one_removes_it_from_the_next_agenda(
    client_for, region, held
):
    client = client_for("region_admin")
    client.post("/meetings/prepare/")
    meeting = Meeting.objects.get(region=region, number=4)
    action = held.actions_raised.get(text="施設見学を調整する")
    services.close_action_item(action=action, at_meeting=meeting, status=ActionStatus.DONE)
    html = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    live = html.split('class="carried-live"')[1].split("</div>")[0]
    assert "保健所に難病の講義を依頼する" in live and "施設見学を調整する" not in live


def _details(meeting, **changes):
    local = timezone.localtime
    data = {
        "starts_at": local(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(meeting.ends_at).strftime("%Y-%m-%dT%H:%M") if meeting.ends_at else "",
        "venue": meeting.venue,
        "theme": meeting.theme,
        "status": meeting.status,
        "question_deadline": "",
        "reflection": meeting.reflection,
        "notes": meeting.notes,
        "agenda-TOTAL_FORMS": "0",
        "agenda-INITIAL_FORMS": "0",
    }
    return data | changes


def test_end_before_start_is_a_japanese_field_error_and_nothing_is_saved(client_for, planned):
    client = client_for("region_admin")
    start = timezone.localtime(planned.starts_at)
    data = _details(
        planned,
        ends_at=(start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        venue="変更後の会場",
    )
    response = client.post(f"/meetings/{planned.pk}/edit/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "終了日時は開始の日時より後にしてください。" in html
    assert 'id="id_ends_at-error"' in html  # on the field, not at the top
    assert "meeting_ends_after_start" not in html
    planned.refresh_from_db()
    assert planned.venue == "テスト会議室A"


def test_a_future_meeting_cannot_be_marked_held(client_for, planned):
    client = client_for("region_admin")
    response = client.post(
        f"/meetings/{planned.pk}/edit/", _details(planned, status=MeetingStatus.HELD)
    )
    assert response.status_code == 400
    assert "開始日時を過ぎていない会議は「開催済み」にできません。" in response.content.decode()
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED


def test_center_edits_details_and_agenda_with_records(client_for, planned):
    client = client_for("region_admin")
    first, second = planned.agenda_items.order_by("order")
    data = _details(
        planned,
        venue="美里町 福祉センター",
        **{
            "agenda-TOTAL_FORMS": "3",
            "agenda-INITIAL_FORMS": "2",
            "agenda-0-id": first.pk,
            "agenda-0-order": "1",
            "agenda-0-kind": first.kind,
            "agenda-0-title": "医療用語の勉強（胃ろう）",
            "agenda-0-minutes": "胃ろうの管理を学んだ",
            "agenda-1-id": second.pk,
            "agenda-1-order": "2",
            "agenda-1-kind": second.kind,
            "agenda-1-title": second.title,
            "agenda-1-DELETE": "on",
            "agenda-2-order": "3",
            "agenda-2-kind": "report",
            "agenda-2-title": "保健所からの報告",
        },
    )
    response = client.post(f"/meetings/{planned.pk}/edit/", data)
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.venue == "美里町 福祉センター" and planned.calendar_sequence == 1
    items = list(planned.agenda_items.order_by("order").values_list("title", "minutes"))
    assert items == [("医療用語の勉強（胃ろう）", "胃ろうの管理を学んだ"), ("保健所からの報告", "")]


def test_municipal_staff_cannot_post_edits(client_for, planned):
    response = client_for("municipal_user").post(
        f"/meetings/{planned.pk}/edit/", _details(planned, venue="勝手な会場")
    )
    assert response.status_code == 403
    planned.refresh_from_db()
    assert planned.venue == "テスト会議室A"


def test_center_adds_a_guest_and_sees_replies_counted_by_affiliation(client_for, region, planned):
    client = client_for("region_admin")
    health = OrganizationFactory(
        region=region, municipality=None, name="本庄保健所", kind="health_center"
    )
    response = client.post(
        f"/meetings/{planned.pk}/invitations/",
        {"name": "保健 太郎", "email": "hoken@example.jp", "organization": health.pk},
    )
    assert response.status_code == 302
    guest = Invitation.objects.get(email="hoken@example.jp")
    assert guest.affiliation_label == "保健所"
    coordinator = InvitationFactory(meeting=planned, of_coordinator=True, email="c@example.jp")
    services.record_reply(invitation=guest, reply=Reply.ATTENDING)
    services.record_reply(invitation=coordinator, reply=Reply.ABSENT, comment="研修のため")
    html = client.get(f"/meetings/{planned.pk}/invitations/").content.decode()
    counts = html.split('id="reply-counts"')[1].split("</table>")[0]
    assert "コーディネーター・計画相談" in counts and "保健所" in counts
    assert 'data-total="1">1<' in counts and 'data-total="2">1<' in counts
    assert "研修のため" in html
    # the same address twice: a Japanese error on the field, no second row
    response = client.post(
        f"/meetings/{planned.pk}/invitations/", {"name": "二重", "email": "HOKEN@example.jp"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split('id="id_email-error"')[1].split("</p>")[0]
    assert "このメールアドレスはすでに招待されています。" in error
    assert Invitation.objects.filter(email="hoken@example.jp").count() == 1


def test_invitation_list_queries_do_not_grow_with_invitees(
    client_for, planned, django_assert_max_num_queries
):
    client = client_for("region_admin")
    InvitationFactory.create_batch(2, meeting=planned, of_coordinator=True)
    InvitationFactory.create_batch(2, meeting=planned)
    with django_assert_max_num_queries(12) as small:
        client.get(f"/meetings/{planned.pk}/invitations/")
    InvitationFactory.create_batch(10, meeting=planned, of_coordinator=True)
    InvitationFactory.create_batch(10, meeting=planned)
    with django_assert_max_num_queries(12) as large:
        client.get(f"/meetings/{planned.pk}/invitations/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_attendance_checklist_is_prefilled_from_attending_replies(client_for, region):
    start = timezone.now() - dt.timedelta(hours=3)
    meeting = MeetingFactory(region=region, number=9, starts_at=start, status=MeetingStatus.PLANNED)
    came = InvitationFactory(meeting=meeting, of_coordinator=True, reply=Reply.ATTENDING)
    stayed = InvitationFactory(meeting=meeting, of_coordinator=True, reply=Reply.ABSENT)
    org = OrganizationFactory(region=region, municipality=None)
    guest = InvitationFactory(meeting=meeting, organization=org, reply=Reply.ATTENDING)
    client = client_for("region_admin")
    html = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    checked = [
        int(chunk.split('value="')[1].split('"')[0])
        for chunk in html.split("<input")[1:]
        if 'name="attended"' in chunk and "checked" in chunk.split(">")[0]
    ]
    assert sorted(checked) == sorted([came.pk, guest.pk])
    response = client.post(
        f"/meetings/{meeting.pk}/attendance/", {"attended": [came.pk, stayed.pk, guest.pk]}
    )
    assert response.status_code == 302
    assert set(
        Attendance.objects.filter(meeting=meeting).values_list("coordinator", flat=True)
    ) == {
        came.coordinator_id,
        stayed.coordinator_id,
        None,
    }
    assert Attendance.objects.get(meeting=meeting, coordinator=None).organization == org
    client.post(f"/meetings/{meeting.pk}/attendance/", {"attended": [came.pk]})
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_attendance_waits_for_the_meeting(client_for, planned):
    InvitationFactory(meeting=planned, of_coordinator=True, reply=Reply.ATTENDING)
    client = client_for("region_admin")
    assert (
        "会議の開始後にできます"
        in client.get(f"/meetings/{planned.pk}/attendance/").content.decode()
    )
    invitation = planned.invitations.get()
    response = client.post(f"/meetings/{planned.pk}/attendance/", {"attended": [invitation.pk]})
    assert response.status_code == 400
    assert not Attendance.objects.filter(meeting=planned).exists()


def test_center_links_and_merges_questions_and_prints_with_or_without_names(client_for, planned):
    asker = InvitationFactory(meeting=planned, name="質問 一郎")
    item = planned.agenda_items.get(order=2)
    first = PreQuestionFactory(meeting=planned, text="構成員はどう決めましたか", invitation=asker)
    second = PreQuestionFactory(meeting=planned, text="構成員の決め方は？")
    client = client_for("region_admin")
    data = {
        "q-TOTAL_FORMS": "2",
        "q-INITIAL_FORMS": "2",
        "q-0-id": first.pk,
        "q-0-text": first.text,
        "q-0-answered_by": item.pk,
        "q-0-answer": "",
        "q-1-id": second.pk,
        "q-1-text": second.text,
        "q-1-answered_by": "",
        "q-1-answer": "",
    }
    assert client.post(f"/meetings/{planned.pk}/questions/", data).status_code == 302
    first.refresh_from_db()
    assert first.answered_by == item
    # another meeting's agenda item cannot be chosen
    other_item = AgendaItemFactory()
    data["q-0-answered_by"] = other_item.pk
    assert client.post(f"/meetings/{planned.pk}/questions/", data).status_code == 400
    response = client.post(
        f"/meetings/{planned.pk}/questions/", {"merge-keep": first.pk, "merge-others": [second.pk]}
    )
    assert response.status_code == 302
    assert list(PreQuestion.objects.filter(meeting=planned).values_list("text", flat=True)) == [
        "構成員はどう決めましたか\n構成員の決め方は？"
    ]
    anonymous_list = client.get(f"/meetings/{planned.pk}/questions/print/").content.decode()
    named_list = client.get(f"/meetings/{planned.pk}/questions/print/?names=1").content.decode()
    assert "構成員はどう決めましたか" in anonymous_list and "質問 一郎" not in anonymous_list
    assert "質問 一郎" in named_list and "事例検討" in named_list


def test_meeting_ics_parses_with_the_meetings_uid(client_for, held):
    response = client_for("municipal_user").get(f"/meetings/{held.pk}/meeting.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["uid"]) == f"meeting-{held.pk}@hokenfukushi"
    assert event["location"] == "基幹センター会議室"


def _docx_text(response) -> tuple[str, str]:
    document = Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n" + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    footer = document.sections[0].footer._element.xml
    return body, footer


def test_agenda_and_minutes_open_in_python_docx(client_for, held):
    client = client_for("prefecture_user")
    agenda, footer = _docx_text(client.get(f"/meetings/{held.pk}/agenda.docx"))
    assert "第3回" in agenda and "次第" in agenda and "令和7年10月22日" in agenda
    assert "協議の場の構成" in agenda and "他地域の例を聞いた" not in agenda
    assert "PAGE" in footer
    minutes, footer = _docx_text(client.get(f"/meetings/{held.pk}/minutes.docx"))
    assert "議事録" in minutes and "基幹センター会議室" in minutes
    assert "他地域の例を聞いた" in minutes and "顔を合わせる機会となった。" in minutes
    assert "医ケアコーディネーター以外" in minutes and "計3名" in minutes
    assert "・計画相談 2名" in minutes
    assert "施設見学を調整する" in minutes  # 次回に向けて
    assert "PAGE" in footer


def test_print_has_agenda_and_record_variants(client_for, held, planned):
    client = client_for("region_admin")
    assert "次第" in client.get(f"/meetings/{planned.pk}/print/").content.decode()
    record = client.get(f"/meetings/{held.pk}/print/").content.decode()
    assert "記録" in record and "他地域の例を聞いた" in record and "印刷日" in record
    agenda = client.get(f"/meetings/{held.pk}/print/?variant=agenda").content.decode()
    assert "他地域の例を聞いた" not in agenda and "参加者 計" not in agenda


def test_questions_and_attendance_pages_do_not_grow_with_rows(
    client_for, region, planned, django_assert_max_num_queries
):
    client = client_for("region_admin")
    started = MeetingFactory(
        region=region, number=7, starts_at=timezone.now() - dt.timedelta(hours=1)
    )

    def grow(n):
        PreQuestionFactory.create_batch(n, meeting=planned)
        InvitationFactory.create_batch(n, meeting=started, of_coordinator=True)

    counts = []
    for n in (2, 12):
        grow(n)
        with django_assert_max_num_queries(20) as questions:
            assert client.get(f"/meetings/{planned.pk}/questions/").status_code == 200
        with django_assert_max_num_queries(20) as attendance:
            assert client.get(f"/meetings/{started.pk}/attendance/").status_code == 200
        counts.append((len(questions.captured_queries), len(attendance.captured_queries)))
    assert counts[0] == counts[1]


def test_an_invitee_cannot_be_filed_under_another_regions_organization(
    client_for, planned, other_region
):
    far = OrganizationFactory(region=other_region, municipality=None)
    response = client_for("region_admin").post(
        f"/meetings/{planned.pk}/invitations/",
        {"name": "遠方", "email": "far@example.jp", "organization": far.pk},
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="far@example.jp").exists()
