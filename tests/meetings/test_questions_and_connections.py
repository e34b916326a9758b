"""Pre-meeting questions with the agenda item that answers them, and the つながり figures on
/meetings/ for the demo: growth per meeting, who last met the network when, who never came."""

import re

import pytest
from django.core.management import call_command

from hokenfukushi.models import User
from meetings.factories import AgendaItemFactory, MeetingFactory, PreQuestionFactory
from meetings.models import AgendaKind


@pytest.fixture
def lecture(region):
    meeting = MeetingFactory(region=region, number=3)
    item = AgendaItemFactory(meeting=meeting, kind=AgendaKind.LECTURE, title="他地域の実情")
    PreQuestionFactory(
        meeting=meeting,
        text="協議の場の構成メンバーはどう決めましたか。",
        answered_by=item,
        answer="行政と相談支援で決めた",
    )
    PreQuestionFactory(meeting=meeting, text="まだ答えのない質問")
    return meeting, item


def _rows(html: str, table_id: str) -> list[list[str]]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_each_question_shows_the_agenda_item_that_answers_it(client_for, lecture):
    meeting, _item = lecture
    html = client_for("municipal_user").get(f"/meetings/{meeting.pk}/").content.decode()
    rows = _rows(html, "pre-questions")[1:]
    assert rows == [
        ["協議の場の構成メンバーはどう決めましたか。", "他地域の実情", "行政と相談支援で決めた"],
        ["まだ答えのない質問", "—", ""],
    ]


def test_admin_offers_only_this_meetings_agenda_to_answer_a_question(client_for, lecture, region):
    meeting, item = lecture
    elsewhere = AgendaItemFactory(meeting=MeetingFactory(region=region, number=2))
    html = (
        client_for("region_admin")
        .get(f"/admin/meetings/meeting/{meeting.pk}/change/")
        .content.decode()
    )
    select = html.split('name="pre_questions-__prefix__-answered_by"')[1].split("</select>")[0]
    offered = set(re.findall(r'<option value="(\d+)"', select))
    assert offered == {str(item.pk)}
    assert str(elsewhere.pk) not in offered


@pytest.fixture
def center(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    return User.objects.get(username="center")


def test_demo_network_grows_meeting_by_meeting(client, center):
    client.force_login(center)
    html = client.get("/meetings/").content.decode()
    # meeting, date, coordinators present, coordinator pairs, new, organization pairs, new
    assert _rows(html, "growth-table")[1:] == [
        ["第1回", "令和6年11月20日", "5", "10", "+10", "15", "+15"],
        ["第2回", "令和7年5月21日", "3", "10", "+0", "18", "+3"],
        ["第3回", "令和7年10月22日", "12", "66", "+56", "60", "+42"],
    ]
    assert 'id="organization-pairs">60<' in html


def test_demo_says_when_each_coordinator_last_met_the_network(client, center):
    client.force_login(center)
    html = client.get("/meetings/").content.decode()
    contacts = {row[0]: row[2:] for row in _rows(html, "contact-table")[1:]}
    assert len(contacts) == 12  # everyone who came at least once
    assert contacts["青木 さくら（デモ）"] == ["3", "令和7年10月22日"]
    assert all(last == "令和7年10月22日" for _count, last in contacts.values())
    never = html.split('id="never-attended"')[1].split("</ul>")[0]
    assert never.count("<li>") == 4 and "鈴木 花子（デモ）" in never
    assert not set(contacts) & {"鈴木 花子（デモ）"}
