"""The demo meetings reproduce the source: 8, 5 and 17 participants, 第3回's table, 第2回's
next steps closed or carried at 第3回."""

import pytest
from django.core.management import call_command

from hokenfukushi.models import User
from meetings.models import ActionItem, ActionStatus, Meeting
from meetings.services import FOLLOW_UP_TITLE


@pytest.fixture
def center(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    return User.objects.get(username="center")


def test_center_sees_8_5_and_17_participants(client, center):
    client.force_login(center)
    html = client.get("/meetings/").content.decode()
    totals = {}
    for number in (1, 2, 3):
        row = html.split(f'data-meeting="{number}"')[1].split("</tr>")[0]
        totals[number] = [
            int(row.split(f'data-count="{key}">')[1].split("<")[0])
            for key in ("coordinators", "others", "total")
        ]
    assert totals == {1: [5, 3, 8], 2: [3, 2, 5], 3: [12, 5, 17]}


def test_third_meeting_table_matches_the_source(client, center):
    client.force_login(center)
    third = Meeting.objects.get(region__name="児玉郡市", number=3)
    html = client.get(f"/meetings/{third.pk}/").content.decode()
    table = html.split('id="attendance-table"')[1].split("</table>")[0]
    for label, count in (
        ("委託相談(知的)", 2),
        ("委託相談(精神)", 2),
        ("計画相談", 2),
        ("基幹", 2),
        ("保健所", 1),
    ):
        assert f'<td>{label}</td><td class="num">{count}名</td>' in table
    # 行政 appears on both sides, four each
    assert table.count('<td>行政</td><td class="num">4名</td>') == 2
    assert 'data-total="coordinators">12名' in table
    assert 'data-total="others">5名' in table
    assert 'data-total="all">17名' in table
    assert "地域センターたいよう" in html


def test_second_meetings_actions_show_where_they_were_closed(client, center):
    client.force_login(center)
    second = Meeting.objects.get(region__name="児玉郡市", number=2)
    actions = {a.text: a for a in second.actions_raised.select_related("closed_at")}
    council = actions["次回は「協議の場」の具体策を学ぶ（地域センターの方に来てもらう）"]
    assert council.status == ActionStatus.DONE and council.closed_at.number == 3
    assert {a.text for a in actions.values() if a.status == ActionStatus.OPEN} == {
        "施設見学など視察の機会をつくる",
        "用語の勉強や事例検討を今後も続ける",
        "難病関係は保健所に依頼する",
    }
    html = client.get(f"/meetings/{second.pk}/").content.decode()
    raised = html.split('id="raised-actions"')[1].split("</table>")[0]
    assert "第3回で確認" in raised


def test_demo_connections(client, center):
    client.force_login(center)
    html = client.get("/meetings/").content.decode()
    # 12 coordinators met at 第3回: 66 pairs; four (of 16) never came
    assert 'id="coordinator-pairs">66<' in html
    assert 'id="never-attended-count">4<' in html


def test_the_demo_plans_4th_meeting_about_four_weeks_after_the_day_it_is_loaded(center):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    fourth = Meeting.objects.get(region__name="児玉郡市", number=4)
    assert fourth.status == "planned"
    assert today + dt.timedelta(weeks=4) <= fourth.held_on < today + dt.timedelta(weeks=5)
    assert fourth.held_on.weekday() < 5 and 12 <= fourth.local_starts_at.hour < 18
    titles = list(fourth.agenda_items.order_by("order").values_list("title", flat=True))
    # the every-time items of 第2回 and the follow-up of the open 次回に向けて
    assert titles[:2] == ["医療用語の勉強", "事例検討"]
    follow_up = fourth.agenda_items.last()
    assert follow_up.title == FOLLOW_UP_TITLE and follow_up.minutes == ""  # carried live
    assert "施設見学など視察の機会をつくる" in {
        a.text for a in ActionItem.objects.carried_into(fourth).open()
    }
    # the seed's three meetings are untouched
    assert (
        list(
            Meeting.objects.filter(region__name="児玉郡市", number__lte=3).values_list(
                "status", flat=True
            )
        )
        == ["held"] * 3
    )


def test_loading_again_on_a_later_day_keeps_one_4th_meeting_in_the_future(center):
    import datetime as dt

    from django.utils import timezone

    from hokenfukushi.models import Region
    from meetings import demo

    region = Region.objects.get(name="児玉郡市")
    first_id = Meeting.objects.get(region=region, number=4).pk
    later = timezone.localdate() + dt.timedelta(days=60)  # past the planned date
    demo.load(region, today=later)
    demo.load(region, today=later)
    fourth = Meeting.objects.get(region=region, number=4)
    assert fourth.pk == first_id
    assert fourth.held_on > later
    assert Meeting.objects.filter(region=region).count() == 4


def test_a_fresh_demo_dashboard_names_the_next_meeting_without_an_overdue_warning(client, center):
    from hokenfukushi.fiscal import wareki

    client.force_login(center)
    html = client.get("/").content.decode()
    fourth = Meeting.objects.get(region__name="児玉郡市", number=4)
    assert "超過" not in html
    assert wareki(fourth.held_on) in html
    summary = html.split('data-stat="next-meeting"')[1].split("</div>")[0]
    assert "第4回" in summary and "予定" in summary and wareki(fourth.held_on) in summary
    listing = client.get("/meetings/").content.decode()
    assert 'data-meeting="4"' in listing


def test_the_planned_fourth_meeting_has_invitees_replies_and_questions(center):
    fourth = Meeting.objects.get(region__name="児玉郡市", number=4)
    invitations = fourth.invitations.all()
    coordinators = invitations.exclude(coordinator=None)
    assert coordinators.count() == 16 and invitations.count() == 18
    assert all(i.email.endswith("example.jp") for i in invitations)
    assert {i.email for i in coordinators} == {
        i.coordinator.work_email for i in coordinators.select_related("coordinator")
    }
    assert {i.status for i in invitations} == {"pending"}
    assert sorted(r for r in invitations.values_list("reply", flat=True) if r) == [
        "absent",
        "attending",
        "attending",
        "undecided",
    ]
    assert fourth.pre_questions.count() == 2
    assert fourth.question_deadline < fourth.starts_at
    call_command("load_demo")  # loaded again: nothing doubled
    assert fourth.invitations.count() == 18 and fourth.pre_questions.count() == 2


def test_inviting_the_demo_fourth_meeting_end_to_end(center, smtp_server, client):
    """The issue's check: one message per invitee naming the date and place with a calendar
    request; its reply link answers 出席; the center's page counts it; a re-run sends nothing."""
    from icalendar import Calendar

    from meetings.delivery import meeting_date_text

    fourth = Meeting.objects.get(region__name="児玉郡市", number=4)
    call_command("send_meeting_invitations", str(fourth.pk))
    assert len(smtp_server.messages) == 18
    silent = fourth.invitations.filter(reply="", coordinator__isnull=False).first()
    message = smtp_server.to(silent.email)[0]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert meeting_date_text(fourth) in body and fourth.venue in body
    calendar_part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert Calendar.from_ical(calendar_part.get_content())["method"] == "REQUEST"
    link = next(line for line in body.splitlines() if "/meetings/reply/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/{path}", {"reply": "attending"}).status_code == 302
    silent.refresh_from_db()
    assert silent.reply == "attending"
    client.force_login(center)
    html = client.get(f"/meetings/{fourth.pk}/invitations/").content.decode()
    counts = html.split('id="reply-counts"')[1].split("</table>")[0]
    assert 'data-total="1">3<' in counts  # two demo replies + this one
    call_command("send_meeting_invitations", str(fourth.pk))
    assert len(smtp_server.messages) == 18
