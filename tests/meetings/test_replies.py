"""The invitee's personal link: 出欠 and 事前質問 without an account; bad links never a 500."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from meetings.factories import InvitationFactory, MeetingFactory
from meetings.models import Invitation, MeetingStatus, PreQuestion, Reply


@pytest.fixture
def guest(planned):
    return InvitationFactory(meeting=planned, name="来賓 花子", email="guest@example.jp")


def test_the_link_answers_attending_and_the_center_counts_it(guest, client_for):
    client = Client()
    page = client.get(f"/meetings/reply/{guest.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "来賓 花子 様" in html and "テスト会議室A" in html and "医療用語の勉強" in html
    response = client.post(
        f"/meetings/reply/{guest.token}/", {"reply": Reply.ATTENDING, "comment": "少し遅れます"}
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    assert (guest.reply, guest.reply_comment) == (Reply.ATTENDING, "少し遅れます")
    center = client_for("region_admin").get(f"/meetings/{guest.meeting_id}/invitations/")
    counts = center.content.decode().split('id="reply-counts"')[1].split("</table>")[0]
    assert 'data-total="1">1<' in counts


def test_a_reply_can_be_changed_until_the_meeting(guest):
    client = Client()
    client.post(f"/meetings/reply/{guest.token}/", {"reply": Reply.ATTENDING})
    client.post(f"/meetings/reply/{guest.token}/", {"reply": Reply.ABSENT})
    guest.refresh_from_db()
    assert guest.reply == Reply.ABSENT


def test_no_choice_is_a_japanese_error(guest):
    response = Client().post(f"/meetings/reply/{guest.token}/", {"comment": "?"})
    assert response.status_code == 400
    assert "出席・欠席・未定のいずれかを選んでください。" in response.content.decode()


@pytest.mark.parametrize("token", ["forged-token-1234567890", "x", "%E3%81%82", "A" * 300])
def test_a_forged_link_is_a_japanese_page_not_a_500(db, token):
    response = Client().get(f"/meetings/reply/{token}/")
    assert response.status_code == 404
    assert "このリンクは使えません" in response.content.decode()
    response = Client().post(f"/meetings/reply/{token}/", {"reply": Reply.ATTENDING})
    assert response.status_code == 404


def test_a_withdrawn_invitations_link_no_longer_works(guest):
    token = guest.token
    guest.delete()
    response = Client().get(f"/meetings/reply/{token}/")
    assert response.status_code == 404 and "このリンクは使えません" in response.content.decode()


def test_one_persons_link_answers_only_for_them(guest, invitees):
    Client().post(f"/meetings/reply/{guest.token}/", {"reply": Reply.ABSENT})
    assert set(Invitation.objects.exclude(pk=guest.pk).values_list("reply", flat=True)) == {
        Reply.NONE
    }


def test_replies_after_the_meeting_started_are_refused_with_a_message(region):
    started = MeetingFactory(
        region=region,
        number=8,
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        status=MeetingStatus.PLANNED,
    )
    late = InvitationFactory(meeting=started)
    client = Client()
    page = client.get(f"/meetings/reply/{late.token}/").content.decode()
    assert "出欠の回答は受け付けていません" in page and 'name="reply"' not in page
    response = client.post(f"/meetings/reply/{late.token}/", {"reply": Reply.ATTENDING})
    assert response.status_code == 400
    assert "すでに始まっているため" in response.content.decode()
    late.refresh_from_db()
    assert late.reply == Reply.NONE


def test_questions_until_the_deadline(guest, planned):
    client = Client()
    page = client.get(f"/meetings/reply/{guest.token}/").content.decode()
    assert 'name="text"' not in page  # no deadline set: not taken
    planned.question_deadline = timezone.now() + dt.timedelta(days=3)
    planned.save()
    response = client.post(
        f"/meetings/reply/{guest.token}/", {"text": "協議の場の構成員はどう決めますか"}
    )
    assert response.status_code == 302
    question = PreQuestion.objects.get(meeting=planned)
    assert question.invitation == guest and question.asker_name == "来賓 花子"
    planned.question_deadline = timezone.now() - dt.timedelta(minutes=1)
    planned.save()
    response = client.post(f"/meetings/reply/{guest.token}/", {"text": "遅れた質問"})
    assert response.status_code == 400
    assert "締め切りました" in response.content.decode()
    assert PreQuestion.objects.filter(meeting=planned).count() == 1


def test_a_signed_in_user_without_a_coordinator_record_cannot_answer_on_the_page(
    client_for, planned, guest
):
    response = client_for("region_admin").post(
        f"/meetings/{planned.pk}/reply/", {"reply": Reply.ATTENDING}
    )
    assert response.status_code == 403
    guest.refresh_from_db()
    assert guest.reply == Reply.NONE


def test_a_signed_in_coordinator_answers_on_the_meeting_page(client_for, planned, coordinator_user):
    mine = InvitationFactory(
        meeting=planned, coordinator=coordinator_user.coordinator_record, name="自分"
    )
    theirs = InvitationFactory(meeting=planned, of_coordinator=True)
    client = client_for("coordinator_user")
    page = client.get(f"/meetings/{planned.pk}/").content.decode()
    assert 'id="my-reply"' in page
    response = client.post(
        f"/meetings/{planned.pk}/reply/", {"reply": Reply.ATTENDING, "comment": "参加します"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.reply, mine.reply_comment) == (Reply.ATTENDING, "参加します")
    assert theirs.reply == Reply.NONE


def test_a_coordinator_not_invited_cannot_answer_and_sees_no_form(
    client_for, planned, coordinator_user
):
    client = client_for("coordinator_user")
    assert 'id="my-reply"' not in client.get(f"/meetings/{planned.pk}/").content.decode()
    response = client.post(f"/meetings/{planned.pk}/reply/", {"reply": Reply.ATTENDING})
    assert response.status_code == 403


def test_a_coordinator_of_another_region_finds_nothing(
    client_for, planned, other_region_coordinator
):
    response = client_for("other_region_coordinator").post(
        f"/meetings/{planned.pk}/reply/", {"reply": Reply.ATTENDING}
    )
    assert response.status_code == 404
