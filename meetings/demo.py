"""Demo meetings of 児玉郡市: 第1回 (R6.11), 第2回 (R7.5), 第3回 (R7.10), as the source tells.

Attendance reproduces the source's tables exactly (8, 5 and 17 participants). The source gives
only year and month; the days, times and venue are demo assumptions, said so in each meeting's
notes. Coordinators are the fictional people of coordinators.demo (referred to by name).
Idempotent: natural keys with update_or_create, and other participants topped up to the count.

A planned 第4回 is added relative to the day the demo is loaded (the same rule the center's
「次回の会議を計画する」 uses: the regular date if it is still ahead, else a Wednesday about four
weeks on), with the agenda carried from 第3回, so a fresh demo shows a living network rather than
an overdue one. Loaded again later, the same 第4回 is kept, and moved forward if its date passed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from coordinators import demo as coordinator_demo
from coordinators.models import Coordinator, Organization
from hokenfukushi.models import Region
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Attendance,
    Invitation,
    Meeting,
    MeetingStatus,
    PreQuestion,
    Reply,
)
from meetings.scheduling import propose_next_meeting_date
from meetings.services import add_default_invitees, plan_next_meeting

TOKYO = ZoneInfo("Asia/Tokyo")
VENUE = "児玉郡市障害者基幹相談支援センター 会議室（デモ）"
DEMO_NOTE = "デモデータ: 開催年月は発表資料のとおり。日・時刻・会場はデモ用の仮の値です。"
THEME = "医ケアコーディネーター連絡会議"

MEETINGS = {
    1: {
        "starts_at": dt.datetime(2024, 11, 20, 14, 0, tzinfo=TOKYO),
        "theme": "コーディネーターの役割と協議の場",
        "reflection": (
            "あんまり意味がなかったかな・・。\n顔を合わせる機会を作る事が大切！（ザイオンス効果）"
        ),
        # organization key -> number of coordinators / of other participants
        "coordinators": (
            "上野 真理（デモ）",
            "木村 恵（デモ）",
            "佐々木 陽子（デモ）",
            "青木 さくら（デモ）",
            "石田 健（デモ）",
        ),
        "others": {"honjo_fukushi": 1, "physical": 2},
        "agenda": (
            (AgendaKind.DISCUSSION, "コーディネーターの役割", False),
            (AgendaKind.DISCUSSION, "協議の場について", False),
            (AgendaKind.DISCUSSION, "1市3町で共同設置か単独設置か", False),
        ),
    },
    2: {
        "starts_at": dt.datetime(2025, 5, 21, 14, 0, tzinfo=TOKYO),
        "theme": "医療用語の勉強と事例検討",
        "reflection": (
            "研修に出ただけでは、身体状況のイメージが湧かないんだな。\n"
            "コーディネーターの基礎職が何かによっても、経験値に差がある。\n"
            "コーディネーター同士の関係つくり。"
        ),
        "coordinators": ("木村 恵（デモ）", "青木 さくら（デモ）", "石田 健（デモ）"),
        "others": {"honjo_fukushi": 1, "misato_fukushi": 1},
        "agenda": (
            (AgendaKind.TERMINOLOGY, "医療用語の勉強", True),
            (AgendaKind.CASE_REVIEW, "事例検討", True),
        ),
    },
    3: {
        "starts_at": dt.datetime(2025, 10, 22, 14, 0, tzinfo=TOKYO),
        "theme": "協議の場の具体策を学ぶ（講師: 地域センターたいよう）",
        "reflection": (
            "他地域の構成の仕方や構成メンバー等聞けて、少しイメージがついた。\n"
            "同地域にいるコーディネーター同士、顔を合わせる機会となり、連携がしやすくなった。"
        ),
        "coordinators": (
            "小林 愛（デモ）",
            "斎藤 大輔（デモ）",
            "上野 真理（デモ）",
            "遠藤 拓也（デモ）",
            "小川 由美（デモ）",
            "加藤 翔（デモ）",
            "木村 恵（デモ）",
            "工藤 亮（デモ）",
            "佐々木 陽子（デモ）",
            "清水 誠（デモ）",
            "青木 さくら（デモ）",
            "石田 健（デモ）",
        ),
        "others": {
            "health_center": 1,
            "honjo_fukushi": 1,
            "misato_fukushi": 1,
            "kamikawa_fukushi": 1,
            "kamisato_fukushi": 1,
        },
        "agenda": (
            (
                AgendaKind.LECTURE,
                "他地域の実情と協議の場の構成方法",
                False,
            ),
            (AgendaKind.DISCUSSION, "質疑応答・意見交換（事前質問への回答）", False),
        ),
    },
}

# Written at 第2回 (次回に向けて); the council lecture was done at 第3回, the rest carried on.
ACTIONS_OF_SECOND_MEETING = (
    # text, owner organization key, status, closing note
    ("施設見学など視察の機会をつくる", "base", ActionStatus.OPEN, ""),
    ("用語の勉強や事例検討を今後も続ける", "base", ActionStatus.OPEN, ""),
    (
        "次回は「協議の場」の具体策を学ぶ（地域センターの方に来てもらう）",
        "base",
        ActionStatus.DONE,
        "第3回で地域センターたいようの医ケア等コーディネーターを講師に招き、"
        "他地域の実情や協議の場の構成方法を聞いた。",
    ),
    ("難病関係は保健所に依頼する", "health_center", ActionStatus.OPEN, ""),
)

PRE_QUESTIONS_OF_THIRD_MEETING = (
    "協議の場の構成メンバーはどのように決めましたか。（デモ）",
    "単独設置と共同設置では、それぞれどのような利点がありますか。（デモ）",
    "行政とコーディネーターの役割分担はどうしていますか。（デモ）",
)


def _sync_other_participants(meeting: Meeting, organization: Organization, wanted: int) -> None:
    have = Attendance.objects.filter(
        meeting=meeting, coordinator__isnull=True, organization=organization
    ).count()
    for _ in range(wanted - have):
        Attendance.objects.create(meeting=meeting, organization=organization)


@transaction.atomic
def load(region: Region, *, today: dt.date | None = None) -> dict[int, Meeting]:
    today = today or timezone.localdate()
    organizations = {
        key: Organization.objects.get(region=region, name=name)
        for key, name, *_rest in coordinator_demo.ORGANIZATIONS
    }
    coordinators = {c.name: c for c in Coordinator.objects.filter(organization__region=region)}
    meetings: dict[int, Meeting] = {}
    for number, facts in MEETINGS.items():
        starts_at = facts["starts_at"]
        meeting, _ = Meeting.objects.update_or_create(
            region=region,
            number=number,
            defaults={
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(hours=2),
                "venue": VENUE,
                "theme": facts["theme"],
                "status": MeetingStatus.HELD,
                "reflection": facts["reflection"],
                "notes": DEMO_NOTE,
            },
        )
        meetings[number] = meeting
        for name in facts["coordinators"]:
            Attendance.objects.get_or_create(meeting=meeting, coordinator=coordinators[name])
        for key, count in facts["others"].items():
            _sync_other_participants(meeting, organizations[key], count)
        for order, (kind, title, recurring) in enumerate(facts["agenda"], start=1):
            AgendaItem.objects.update_or_create(
                meeting=meeting,
                order=order,
                defaults={"kind": kind, "title": title, "is_recurring": recurring},
            )

    lecture = AgendaItem.objects.get(meeting=meetings[3], order=1)
    lecture.presenter = "医ケア等コーディネーター（デモ）"
    lecture.presenter_organization = organizations["taiyo"]
    lecture.minutes = "他地域の構成の仕方や構成メンバー等を聞いた。（デモ）"
    lecture.save()

    for text, owner_key, status, note in ACTIONS_OF_SECOND_MEETING:
        ActionItem.objects.update_or_create(
            raised_at=meetings[2],
            text=text,
            defaults={
                "owner_organization": organizations[owner_key],
                "status": status,
                "closed_at": meetings[3] if status != ActionStatus.OPEN else None,
                "closing_note": note,
            },
        )
    for text in PRE_QUESTIONS_OF_THIRD_MEETING:
        PreQuestion.objects.update_or_create(
            meeting=meetings[3], text=text, defaults={"answered_by": lecture}
        )
    meetings[NEXT_NUMBER] = _planned_next_meeting(region, meetings[3], today=today)
    _invitations_of_next_meeting(meetings[NEXT_NUMBER], organizations)
    return meetings


NEXT_NUMBER = 4
NEXT_NOTE = (
    "デモデータ: 第4回は、デモを読み込んだ日から見て次の予定日（約4週間後の水曜日の午後）に"
    "作成しています。"
)


def _planned_next_meeting(region: Region, last_held: Meeting, *, today: dt.date) -> Meeting:
    """第4回, planned after `today`: created once; on a later load moved forward if its day passed
    (a 第4回 someone has marked held is left as it is)."""
    existing = Meeting.objects.filter(region=region, number=NEXT_NUMBER).first()
    if existing is None:
        meeting = plan_next_meeting(region=region, today=today)
        meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
        meeting.notes = NEXT_NOTE
        meeting.theme = "医療用語の勉強・事例検討と、次回に向けての確認"
        meeting.save()
        return meeting
    if existing.status == MeetingStatus.PLANNED and existing.held_on <= today:
        proposal = propose_next_meeting_date(last_held.held_on, today)
        starts_at = timezone.localtime(existing.starts_at)
        existing.starts_at = starts_at.replace(
            year=proposal.day.year, month=proposal.day.month, day=proposal.day.day
        )
        existing.ends_at = existing.starts_at + dt.timedelta(hours=2)
        existing.save()
    return existing


# 第4回's invitations (not sent: the demo sends no mail; `send_meeting_invitations` does):
# every active coordinator with a work address (coordinators.demo gives them example.jp ones),
# two staff who are not coordinators, a few replies (as if answered by phone) and 事前質問.
OTHER_INVITEES = (
    # name, address, organization key
    ("本庄 太郎（デモ）", "honjo-fukushi@example.jp", "honjo_fukushi"),
    ("保健 花子（デモ）", "hokenjo@example.jp", "health_center"),
)
DEMO_REPLIES = (
    # coordinator name, reply, comment
    ("木村 恵（デモ）", Reply.ATTENDING, ""),
    ("青木 さくら（デモ）", Reply.ATTENDING, "事例を1件持っていきます。（デモ）"),
    ("石田 健（デモ）", Reply.ABSENT, "研修と重なるため欠席します。（デモ）"),
    ("上野 真理（デモ）", Reply.UNDECIDED, ""),
)
PRE_QUESTIONS_OF_NEXT_MEETING = (
    ("青木 さくら（デモ）", "胃ろうの管理で、家族から多い相談は何ですか。（デモ）"),
    ("木村 恵（デモ）", "短期入所の受け入れ先は圏域外も含めて探していますか。（デモ）"),
)


def _invitations_of_next_meeting(meeting: Meeting, organizations: dict) -> None:
    if meeting.status != MeetingStatus.PLANNED:
        return
    if meeting.question_deadline is None:
        meeting.question_deadline = meeting.starts_at - dt.timedelta(days=7)
        meeting.save(update_fields=["question_deadline"])
    add_default_invitees(meeting=meeting)  # the coordinators' work addresses (example.jp)
    invitations = {
        i.coordinator.name: i
        for i in Invitation.objects.filter(
            meeting=meeting, coordinator__isnull=False
        ).select_related("coordinator")
    }
    for name, email, key in OTHER_INVITEES:
        Invitation.objects.get_or_create(
            meeting=meeting,
            email=email,
            defaults={
                "name": name,
                "organization": organizations[key],
                "affiliation": str(organizations[key]),
            },
        )
    for name, reply, comment in DEMO_REPLIES:
        invitation = invitations[name]
        if not invitation.reply:
            invitation.reply, invitation.reply_comment = reply, comment
            invitation.replied_at = timezone.now()
            invitation.save(update_fields=["reply", "reply_comment", "replied_at"])
    for name, text in PRE_QUESTIONS_OF_NEXT_MEETING:
        invitation = invitations[name]
        PreQuestion.objects.get_or_create(
            meeting=meeting,
            text=text,
            defaults={"invitation": invitation, "asked_by": invitation.coordinator},
        )
