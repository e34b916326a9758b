"""マイページ, つながり, the coordinator's forms, the center's roll-up page: what each role sees,
what they may change, and query counts that do not grow with coordinators or meetings."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from coordinators.factories import ActivityFactory, CoordinatorFactory, OrganizationFactory
from coordinators.models import Activity, ContactVisibility, CoordinatorTopic
from hokenfukushi.factories import CoordinatorAccountFactory, UserFactory
from meetings.factories import ActionItemFactory, meeting_on
from meetings.models import ActionItem, ActionProgress, Attendance, MeetingStatus


@pytest.fixture
def me(coordinator_user):
    return coordinator_user.coordinator_record


def _colleague(town, **extra):
    return CoordinatorFactory(organization__municipality=town, **extra)


# --- マイページ ------------------------------------------------------------------------------


def test_me_shows_next_meeting_own_items_activity_and_profile(client_for, me, town, other_town):
    today = timezone.localdate()
    meeting_on(town.region, 1, today - dt.timedelta(days=60))
    meeting_on(town.region, 2, today + dt.timedelta(days=20), status=MeetingStatus.PLANNED)
    held = meeting_on(town.region, 3, today - dt.timedelta(days=10))
    ActionItemFactory(raised_at=held, text="施設見学の調整", owner_organization=me.organization)
    ActionItemFactory(
        raised_at=held, text="ほかの機関の宿題", owner_organization=OrganizationFactory()
    )
    ActivityFactory(coordinator=me, done_on=today, kind="community")
    ActivityFactory(coordinator=_colleague(other_town), done_on=today)
    page = client_for("coordinator_user").get("/me/")
    assert page.status_code == 200
    text = page.text
    assert "第2回" in text and "予定されている会議はまだありません" not in text
    assert "施設見学の調整" in text and "ほかの機関の宿題" not in text
    assert 'id="activity-total">1<' in text
    assert me.organization.name in text


def test_me_shows_my_own_reply_to_each_upcoming_meeting(client_for, me, town):
    from meetings.factories import InvitationFactory

    today = timezone.localdate()
    answered = meeting_on(town.region, 5, today + dt.timedelta(days=20), status="planned")
    invited = meeting_on(town.region, 6, today + dt.timedelta(days=50), status="planned")
    meeting_on(town.region, 7, today + dt.timedelta(days=80), status="planned")
    InvitationFactory(
        meeting=answered, coordinator=me, email=me.work_email or "me@example.jp", reply="attending"
    )
    InvitationFactory(meeting=invited, coordinator=me, email="me2@example.jp")
    # a colleague's answer is not mine
    InvitationFactory(meeting=invited, coordinator=_colleague(town), reply="absent")
    text = client_for("coordinator_user").get("/me/").text
    articles = text.split('class="upcoming-meeting"')[1:]
    assert "出席" in articles[0] and "出欠を変更する" in articles[0]
    assert "未回答" in articles[1] and "出欠を回答する" in articles[1] and "欠席" not in articles[1]
    assert "案内はまだ届いていません" in articles[2]


def test_me_empty_states(client_for, me):
    text = client_for("coordinator_user").get("/me/").text
    assert "予定されている会議はまだありません" in text
    assert "今期の活動はまだ記録されていません" in text
    assert "未完了の項目はありません" in text


def test_experience_history_shows_growth(client_for, me):
    me.experience = "planned"
    me.save()
    me.experience = "direct"
    me.medical_care_cases = 1
    me.save()
    text = client_for("coordinator_user").get("/me/").text
    assert 'id="experience-history"' in text
    assert text.index("関わった経験なし") < text.index(
        "直接関わった経験あり", text.index("experience-history")
    )


# --- profile ---------------------------------------------------------------------------------


def _profile(town, **changes):
    data = {
        "training_fiscal_year": "2024",
        "experience": "planned",
        "municipalities": [str(town.pk)],
        "topics": ["respite", "other"],
        "consultation_other": "きょうだい支援",
        "work_email": "me@example.jp",
        "work_phone": "0495-00-1234",
        "contact_visibility": "region",
        "contact_consent": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_profile_saves_towns_topics_and_consent(client_for, me, town):
    response = client_for("coordinator_user").post("/me/profile/", _profile(town))
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.experience == "planned" and me.contact_consent_on == timezone.localdate()
    assert set(me.topics.values_list("topic", flat=True)) == {"respite", "other"}
    assert list(me.municipalities.all()) == [town]
    client_for("coordinator_user").post("/me/profile/", _profile(town, contact_consent=None))
    me.refresh_from_db()
    assert me.contact_consent_on is None


def test_profile_refuses_another_regions_town_and_other_without_text(
    client_for, me, far_town, town
):
    client = client_for("coordinator_user")
    response = client.post("/me/profile/", _profile(town, municipalities=[str(far_town.pk)]))
    assert response.status_code == 400 and "自分の圏域の市町村だけを選んでください" in response.text
    response = client.post("/me/profile/", _profile(town, consultation_other=""))
    assert response.status_code == 400 and "その内容を入力してください" in response.text
    me.refresh_from_db()
    assert not me.topics.exists() and me.work_email == "coordinator_t@example.jp"


# --- activity entry ----------------------------------------------------------------------------


def _activity(town, **changes):
    data = {
        "done_on": timezone.localdate().isoformat(),
        "kind": "individual",
        "consulted_by": "family",
        "method": "phone",
        "municipality": str(town.pk),
        "person_kind": "child",
        "continuity": "new",
        "age_band": "preschool",
    }
    data.update(changes)
    return data


def test_activity_entry_records_one_entry(client_for, me, town):
    form = client_for("coordinator_user").get("/me/activity/new/")
    assert "氏名や、個人がわかることは書きません" in form.text
    assert "<textarea" not in form.text  # no free text about anyone
    response = client_for("coordinator_user").post("/me/activity/new/", _activity(town))
    assert response.status_code == 302
    assert Activity.objects.get().coordinator == me


def test_activity_entry_refuses_future_day_and_far_town_on_the_field(
    client_for, me, far_town, town
):
    client = client_for("coordinator_user")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post("/me/activity/new/", _activity(town, done_on=tomorrow))
    assert response.status_code == 400 and "未来の日付は記録できません" in response.text
    response = client.post("/me/activity/new/", _activity(town, municipality=str(far_town.pk)))
    assert response.status_code == 400 and "自分の圏域の市町村を選んでください" in response.text
    response = client.post("/me/activity/new/", _activity(town, age_band="adult"))
    assert response.status_code == 400 and "18歳以上" in response.text
    assert not Activity.objects.exists()


# --- action item progress ------------------------------------------------------------------------


def test_progress_on_own_organizations_item(client_for, me, town, far_town):
    meeting = meeting_on(town.region, 1, dt.date(2025, 5, 15))
    ours = ActionItemFactory(raised_at=meeting, owner_organization=me.organization)
    theirs = ActionItemFactory(
        raised_at=meeting, owner_organization=OrganizationFactory(municipality=town)
    )
    client = client_for("coordinator_user")
    response = client.post(
        f"/me/actions/{ours.pk}/",
        {"progress": "in_progress", "progress_note": "候補を2か所に絞った"},
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.progress == ActionProgress.IN_PROGRESS and ours.status == "open"
    assert client.post(f"/me/actions/{theirs.pk}/", {"progress": "ready"}).status_code == 404
    assert ActionItem.objects.get(pk=theirs.pk).progress == ActionProgress.NOT_STARTED


# --- つながり ----------------------------------------------------------------------------------


def test_network_shows_meetings_together_and_the_last(client_for, me, town, other_town):
    friend = _colleague(other_town, name="友 達子（テスト）")
    stranger = _colleague(town, name="未 会人（テスト）")
    first = meeting_on(town.region, 1, dt.date(2024, 11, 20))
    second = meeting_on(town.region, 2, dt.date(2025, 5, 20))
    for meeting in (first, second):
        Attendance.objects.create(meeting=meeting, coordinator=me)
        Attendance.objects.create(meeting=meeting, coordinator=friend)
    Attendance.objects.create(meeting=first, coordinator=stranger)
    Attendance.objects.create(meeting=second, coordinator=stranger)
    Attendance.objects.filter(meeting=first, coordinator=stranger).delete()
    text = client_for("coordinator_user").get("/network/").text
    assert "2 回（最後は第2回・令和7年5月20日）" in text
    assert "1 回（最後は第2回・令和7年5月20日）" in text


def test_contact_only_with_consent_and_by_visibility(client_for, me, town, other_town):
    _colleague(
        town,
        name="公開 さん",
        work_email="open@example.jp",
        contact_consent_on=dt.date(2025, 4, 1),
        contact_visibility=ContactVisibility.REGION,
    )
    _colleague(
        town,
        name="センター限定 さん",
        work_email="center@example.jp",
        contact_consent_on=dt.date(2025, 4, 1),
        contact_visibility=ContactVisibility.CENTER,
    )
    _colleague(
        town,
        name="未同意 さん",
        work_email="noconsent@example.jp",
        contact_visibility=ContactVisibility.REGION,
    )
    seen = {
        role: client_for(role).get("/network/").text
        for role in ("coordinator_user", "region_admin", "municipal_user", "prefecture_user")
    }
    assert (
        "open@example.jp" in seen["coordinator_user"]
        and "open@example.jp" in seen["municipal_user"]
    )
    assert "center@example.jp" in seen["region_admin"]
    assert (
        "center@example.jp" not in seen["coordinator_user"]
        and "center@example.jp" not in seen["municipal_user"]
    )
    assert all("noconsent@example.jp" not in text for text in seen.values())
    assert "open@example.jp" not in seen["prefecture_user"]  # only inside the region


def test_network_filters_by_town_and_topic(client_for, me, town, other_town, far_town):
    here = _colleague(other_town, name="隣町 さん", municipalities=[other_town])
    CoordinatorTopic.objects.create(coordinator=here, topic="ventilator")
    client = client_for("coordinator_user")
    by_town = client.get(f"/network/?town={other_town.pk}").text
    assert "隣町 さん" in by_town and me.name not in by_town
    by_topic = client.get("/network/?topic=ventilator").text
    assert "隣町 さん" in by_topic and me.name not in by_topic
    assert "条件に合うコーディネーターはいません" in client.get("/network/?topic=disaster").text
    assert client.get(f"/network/?town={far_town.pk}").status_code == 404
    assert (
        client_for("other_region_coordinator").get(f"/network/?town={town.pk}").status_code == 404
    )


def test_the_center_sees_accounts_and_who_never_attended(client_for, me, town):
    _colleague(town, name="新人 さん")
    text = client_for("region_admin").get("/network/").text
    assert "まだ出席していません" in text and "アカウント" in text and "利用中" in text
    assert "まだ出席していません" not in client_for("coordinator_user").get("/network/").text


def test_other_region_coordinator_sees_only_its_region(
    client_for, me, other_region_coordinator, region
):
    client = client_for("other_region_coordinator")
    text = client.get("/network/").text
    assert me.name not in text and other_region_coordinator.coordinator_record.name in text
    assert client.get(f"/network/?region={region.pk}").status_code == 404


# --- query counts --------------------------------------------------------------------------------


def _world(region, town, me, size: int, *, start: int = 0) -> None:
    for n in range(start, start + size):
        colleague = _colleague(town)
        CoordinatorTopic.objects.create(coordinator=colleague, topic="respite")
        meeting = meeting_on(region, 100 + n, dt.date(2024, 4, 1) + dt.timedelta(days=30 * n))
        Attendance.objects.create(meeting=meeting, coordinator=me)
        Attendance.objects.create(meeting=meeting, coordinator=colleague)
        ActionItemFactory(raised_at=meeting, owner_organization=me.organization)
        ActivityFactory(coordinator=me, done_on=timezone.localdate())


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/me/", "/network/"])
def test_query_count_does_not_grow(client_for, me, town, url, django_assert_num_queries):
    client = client_for("coordinator_user")
    _world(town.region, town, me, 2)
    small = _count_queries(client, url)
    _world(town.region, town, me, 8, start=2)  # 10 coordinators and meetings, not 2
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


# session, user, the account's scope, then /me/: record, its towns, its topics, this quarter's
# entries, the record's history, upcoming meetings, open items;
ME_QUERIES = 10  # one more when upcoming meetings are listed (the coordinator's own invitations)
# /network/: regions, coordinators, towns, topics, attendance of held meetings, the town filter.
NETWORK_QUERIES = 9


def test_pinned_query_counts(client_for, me, town, django_assert_num_queries):
    _world(town.region, town, me, 3)
    client = client_for("coordinator_user")
    with django_assert_num_queries(ME_QUERIES):
        client.get("/me/")
    with django_assert_num_queries(NETWORK_QUERIES):
        client.get("/network/")


# --- the center's roll-up ------------------------------------------------------------------------


def test_center_rollup_page_and_csv(client_for, me, town, other_town):
    ActivityFactory(coordinator=me, done_on=dt.date(2025, 10, 1), municipality=other_town)
    ActivityFactory(
        coordinator=me, done_on=dt.date(2025, 10, 2), kind="community", municipality=other_town
    )
    idle = _colleague(town, name="未記録 さん")
    page = client_for("region_admin").get("/coordinators/activity/?fiscal_year=2025")
    assert page.status_code == 200 and "1 / 1" in page.text and idle.name in page.text
    # the report's download is the export page's activity.csv of the same year (logged)
    old_address = client_for("region_admin").get("/coordinators/activity.csv?fiscal_year=2025")
    assert old_address.status_code == 302
    assert old_address.url == "/exports/activity.csv?fiscal_year=2025"
    assert 'href="/exports/activity.csv?fiscal_year=2025"' in page.text
    assert 'href="/exports/activity.xlsx?fiscal_year=2025"' in page.text
    # the table: every town of the region, 0 / 0 where nothing was recorded, and the totals
    assert f'<th scope="row">{town.name}</th>' in page.text
    assert page.text.count('<span class="muted">0 / 0</span>') == 2 * 4 - 1
    assert '<td class="num">1 / 1</td>' in page.text


def test_only_the_center_has_the_report_or_its_download(client_for, me):
    for role in ("municipal_user", "coordinator_user", "prefecture_user"):
        assert client_for(role).get("/coordinators/activity.csv").status_code == 403, role


def test_rollup_empty_state(client_for, region):
    text = client_for("region_admin").get("/coordinators/activity/").text
    assert "この年度の活動記録はまだありません" in text
    assert "活動中のコーディネーターはまだ登録されていません" in text


# --- accounts without scope ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/meetings/", "/coordinators/", "/network/", "/me/"])
def test_no_scope_gets_a_clear_page(db, url):
    client = Client()
    client.force_login(UserFactory(username="nobody"))
    response = client.get(url)
    assert response.status_code == 403
    assert "閲覧できる範囲がまだありません" in response.text
    assert "全員が一度は出席しています" not in response.text


def test_unlinked_coordinator_account_gets_the_clear_page(db):
    client = Client()
    client.force_login(CoordinatorAccountFactory(username="lonely"))
    assert "閲覧できる範囲がまだありません" in client.get("/me/").text


def test_meetings_page_claims_nothing_on_no_attendance(client_for, region, town):
    meeting_on(region, 1, dt.date(2025, 5, 1), status=MeetingStatus.PLANNED)
    text = client_for("region_admin").get("/meetings/").text
    assert "全員が一度は出席しています" not in text
    assert "出席の記録がまだありません" in text


def test_the_center_sees_the_reported_progress_on_the_meeting_page(client_for, me, town):
    raised = meeting_on(town.region, 1, dt.date(2025, 5, 15))
    meeting_on(town.region, 2, dt.date(2025, 10, 15))
    item = ActionItemFactory(raised_at=raised, owner_organization=me.organization)
    client_for("coordinator_user").post(
        f"/me/actions/{item.pk}/", {"progress": "ready", "progress_note": "見学先が決まった"}
    )
    text = client_for("region_admin").get(f"/meetings/{raised.pk}/").text
    assert "担当の報告: 次回の会議で報告できる（見学先が決まった）" in text
