"""やること on the dashboard: what each role is asked to do, and nothing of another region."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from caseload.deadlines import latest_overdue_fiscal_year, parse_month_day, report_due_on
from caseload.factories import CountReportFactory
from caseload.services import approve_reports
from coordinators.factories import OrganizationFactory
from dashboard.todo import LIST_LIMIT, age_label
from hokenfukushi.factories import MunicipalityFactory
from meetings.factories import meeting_on
from meetings.models import ActionItem, ActionStatus

# FY2026 (令和8年度): its report was due on 30 June 2026 (the default REPORT_DUE_MONTH_DAY).
TODAY = dt.date(2026, 8, 1)


@pytest.fixture
def on_day(monkeypatch):
    """`on_day(day)`: the dashboard believes today is `day`."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)

    set_day(TODAY)
    return set_day


@pytest.fixture
def world(region, other_region, town, other_town, far_town, coordinator_user, settings):
    """Region A: `town` submitted FY2026 (承認待ち) and has a FY2025 draft sent back; `other_town`
    has only FY2025 (late for FY2026). 次回に向けて of a meeting 19 months ago: one owned by the
    coordinator's organization past its 期限, one of another organization with no 期限 (open
    too long); a recent one not yet due and a done one (neither listed).
    Region B: far_town submitted FY2026, はなれ町 reported nothing, an overdue item."""
    settings.REPORT_DUE_MONTH_DAY = "06-30"
    settings.ACTION_ITEM_STALE_DAYS = 180
    facts = {
        "submitted": CountReportFactory(
            municipality=town, as_of=dt.date(2026, 4, 1), submitted=True
        ),
        "sent_back": CountReportFactory(
            municipality=town,
            as_of=dt.date(2025, 10, 1),
            reopen_reason="重症心身障害者の数を確認してください",
        ),
        "far_submitted": CountReportFactory(
            municipality=far_town, as_of=dt.date(2026, 4, 1), submitted=True
        ),
    }
    CountReportFactory(municipality=other_town, as_of=dt.date(2025, 4, 1), approved=True)
    MunicipalityFactory(region=other_region, name="はなれ町")
    own_organization = coordinator_user.coordinator_scope.organization_id
    old = meeting_on(region, 1, dt.date(2025, 1, 1))
    recent = meeting_on(region, 2, dt.date(2026, 6, 1))
    facts["own_overdue"] = ActionItem.objects.create(
        raised_at=old,
        text="レスパイト先の聞き取り",
        owner_organization_id=own_organization,
        due_on=dt.date(2026, 7, 15),
    )
    facts["stale"] = ActionItem.objects.create(
        raised_at=old,
        text="相談窓口の一覧づくり",
        owner_organization=OrganizationFactory(municipality=other_town),
    )
    # another organization's item past its 期限: the center's to-do, never the coordinator's
    ActionItem.objects.create(
        raised_at=old,
        text="他機関の期限切れ",
        owner_organization=OrganizationFactory(municipality=other_town),
        due_on=dt.date(2026, 3, 1),
    )
    ActionItem.objects.create(raised_at=recent, text="まだ先の宿題", due_on=dt.date(2026, 9, 1))
    ActionItem.objects.create(raised_at=old, text="済んだ宿題", status=ActionStatus.DONE)
    far_meeting = meeting_on(other_region, 1, dt.date(2025, 1, 1))
    ActionItem.objects.create(
        raised_at=far_meeting, text="とおくの宿題", due_on=dt.date(2026, 1, 1)
    )
    return facts


def _todo(client, **params) -> str:
    response = client.get("/", params)
    assert response.status_code == 200
    return response.content.decode().split('id="todo"')[1].split("</section>")[0]


def _group(todo: str, name: str) -> str:
    marker = f'id="todo-{name}"'
    return todo.split(marker)[1].split("</div>")[0] if marker in todo else ""


REGION_B = ("とおく村", "はなれ町", "とおくの宿題")
NOT_LISTED = ("まだ先の宿題", "済んだ宿題")


def test_the_center_sees_approvals_late_towns_and_old_actions(world, on_day, client_for):
    todo = _todo(client_for("region_admin"))
    approvals = _group(todo, "approvals")
    assert "承認待ちの報告（1件）" in approvals
    assert f'href="/admin/caseload/countreport/{world["submitted"].pk}/change/"' in approvals
    assert "テスト市 令和8年度（令和8年4月1日基準）" in approvals
    assert "?status__exact=submitted" in approvals  # the list to approve them together

    late = _group(todo, "late-towns")
    assert "令和8年度の報告が期限（令和8年6月30日）を過ぎても未提出の市町村（1）" in late
    assert "となり町" in late and "テスト市" not in late  # submitted: waiting on the center

    actions = _group(todo, "actions")
    assert "（3件）" in actions
    assert "レスパイト先の聞き取り" in actions and "相談窓口の一覧づくり" in actions
    assert "他機関の期限切れ" in actions  # the center follows every organization's items
    assert actions.count("19か月前から") == 3
    assert '期限 令和8年7月15日 <span class="badge danger">期限切れ</span>' in actions
    assert f'href="/meetings/{world["own_overdue"].raised_at_id}/#raised-actions"' in actions
    for text in (*REGION_B, *NOT_LISTED):
        assert text not in todo, text


def test_town_staff_see_their_sent_back_report_with_the_reason(world, on_day, client_for):
    todo = _todo(client_for("municipal_user"))
    sent_back = _group(todo, "sent-back")
    assert "重症心身障害者の数を確認してください" in sent_back
    assert f'href="/admin/caseload/countreport/{world["sent_back"].pk}/change/"' in sent_back
    assert "テスト市 令和7年度（令和7年10月1日基準）を直して提出する" in sent_back
    # their FY2026 report is submitted: nothing due; nothing of the center's lists
    assert 'id="todo-due"' not in todo
    for name in ("approvals", "late-towns", "actions"):
        assert _group(todo, name) == ""
    assert "となり町" not in todo


def test_town_staff_of_a_late_town_are_told_it_is_due(world, on_day, client_for, other_town):
    todo = _todo(client_for("other_town_user"))
    due = _group(todo, "due")
    assert "となり町 令和8年度の報告を入力する" in due
    assert f'href="/admin/caseload/countreport/add/?municipality={other_town.pk}"' in due
    assert "期限 令和8年6月30日" in due and "期限切れ" in due
    # not the neighbour's sent-back draft, nor anyone's approvals
    assert "重症心身障害者の数を確認してください" not in todo
    assert "テスト市" not in todo


def test_before_the_due_day_a_town_sees_its_report_coming_not_late(
    world, on_day, client_for, other_town
):
    on_day(dt.date(2026, 6, 30))
    due = _group(_todo(client_for("other_town_user")), "due")
    assert "となり町 令和8年度の報告を入力する" in due
    assert "期限 令和8年6月30日" in due and "期限切れ" not in due


def test_a_draft_is_opened_rather_than_a_second_report_added(world, on_day, client_for, other_town):
    draft = CountReportFactory(municipality=other_town, as_of=dt.date(2026, 4, 1))
    due = _group(_todo(client_for("other_town_user")), "due")
    assert "となり町 令和8年度の下書きを開いて提出する" in due
    assert f'href="/admin/caseload/countreport/{draft.pk}/change/"' in due
    assert "/add/" not in due


def test_a_coordinator_sees_their_organizations_overdue_items(world, on_day, client_for):
    todo = _todo(client_for("coordinator_user"))
    actions = _group(todo, "actions")
    assert "レスパイト先の聞き取り" in actions
    assert f'href="/me/actions/{world["own_overdue"].pk}/"' in actions
    assert "19か月前から" in actions
    assert "相談窓口の一覧づくり" not in todo  # another organization's
    assert "他機関の期限切れ" not in todo  # another organization's, even past its 期限
    assert "/admin/" not in todo
    for text in (*REGION_B, *NOT_LISTED, "承認待ち"):
        assert text not in todo, text


def test_the_prefecture_reads_late_towns_of_every_region_without_admin_links(
    world, on_day, client_for, other_region
):
    todo = _todo(client_for("prefecture_user"))
    late = _group(todo, "late-towns")
    assert "未提出の市町村（2）" in late
    assert "となり町" in late and "はなれ町" in late
    assert "テスト圏域B" in late  # several regions: each town says which
    assert "<a " not in todo  # they change nothing: no admin link
    assert "承認待ち" not in todo and "宿題" not in todo
    # narrowed to the region picked
    picked = _group(_todo(client_for("prefecture_user"), region=other_region.pk), "late-towns")
    assert "はなれ町" in picked and "となり町" not in picked


def test_another_regions_user_sees_nothing_of_region_a(world, on_day, client_for):
    for role in ("other_region_user", "other_region_coordinator"):
        todo = _todo(client_for(role))
        for text in ("テスト市", "となり町", "レスパイト先", "相談窓口", "重症心身障害者の数"):
            assert text not in todo, (role, text)
    # far_town's report is submitted and it has nothing sent back: nothing to do
    assert "いま対応が必要なことはありません。" in _todo(client_for("other_region_user"))


def test_the_other_regions_center_sees_its_own_region_only(world, on_day, client_for, other_region):
    from hokenfukushi.factories import RegionAdminFactory

    todo = _todo(client_for(RegionAdminFactory(region=other_region)))
    assert f"/admin/caseload/countreport/{world['far_submitted'].pk}/change/" in todo
    assert "はなれ町" in _group(todo, "late-towns") and "とおくの宿題" in todo
    for text in ("テスト市", "となり町", "レスパイト先", "相談窓口"):
        assert text not in todo, text


def test_an_approved_report_leaves_the_cached_page_at_the_next_load(
    world, on_day, client_for, region_admin, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = client_for("region_admin")
    report = world["submitted"]
    link = f"/admin/caseload/countreport/{report.pk}/change/"
    assert link in _todo(client)
    assert link in _todo(client)  # served from the cache
    approve_reports(user=region_admin, reports=[report])
    todo = _todo(client)
    assert link not in todo and 'id="todo-approvals"' not in todo


def test_the_cached_page_moves_with_the_day_the_report_falls_due(
    world, on_day, client_for, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = client_for("region_admin")
    on_day(dt.date(2026, 6, 30))  # FY2026 not due yet: the late year is FY2025
    late = _group(_todo(client), "late-towns")
    assert "令和7年度の報告が期限（令和7年6月30日）" in late
    assert "テスト市" in late and "となり町" not in late  # only a sent-back draft for FY2025
    on_day(dt.date(2026, 7, 1))
    late = _group(_todo(client), "late-towns")
    assert "令和8年度の報告が期限（令和8年6月30日）" in late
    assert "となり町" in late and "テスト市" not in late


def test_the_due_day_and_the_age_are_settings(world, on_day, client_for, settings):
    settings.REPORT_DUE_MONTH_DAY = "09-30"  # FY2026 not due yet on 1 August
    settings.ACTION_ITEM_STALE_DAYS = 800  # the item without a 期限 is not old enough
    todo = _todo(client_for("region_admin"))
    assert "令和7年度の報告が期限（令和7年9月30日）" in _group(todo, "late-towns")
    actions = _group(todo, "actions")
    assert "レスパイト先の聞き取り" in actions and "相談窓口の一覧づくり" not in actions


def test_long_lists_show_the_first_and_count_the_rest(region, on_day, client_for, settings):
    settings.REPORT_DUE_MONTH_DAY = "06-30"
    for _ in range(LIST_LIMIT + 5):
        MunicipalityFactory(region=region)
    late = _group(_todo(client_for("region_admin")), "late-towns")
    assert f"未提出の市町村（{LIST_LIMIT + 5}）" in late
    assert late.count("<li ") == LIST_LIMIT
    assert "ほか5市町村。" in late


def test_nothing_to_do_says_so(region, town, on_day, client_for):
    CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1), approved=True)
    for role in ("region_admin", "municipal_user", "coordinator_user", "prefecture_user"):
        assert "いま対応が必要なことはありません。" in _todo(client_for(role)), role


# --- the rules, as pure functions ----------------------------------------------------------------


def test_age_labels():
    today = dt.date(2026, 8, 1)
    assert age_label(dt.date(2025, 1, 1), today) == "19か月前から"
    assert age_label(dt.date(2025, 1, 2), today) == "18か月前から"
    assert age_label(dt.date(2026, 7, 1), today) == "1か月前から"
    assert age_label(dt.date(2026, 7, 2), today) == "30日前から"
    assert age_label(today, today) == "今日から"


@given(st.dates(dt.date(2016, 4, 1), dt.date(2030, 3, 31)), st.integers(0, 3000))
def test_an_age_never_shrinks_as_days_pass(since, days):
    def months(label: str) -> float:
        if label.endswith("か月前から"):
            return int(label.removesuffix("か月前から"))
        if label.endswith("日前から"):
            return int(label.removesuffix("日前から")) / 31
        return 0

    today = since + dt.timedelta(days=days)
    now, later = age_label(since, today), age_label(since, today + dt.timedelta(days=1))
    assert months(later) >= months(now)
    assert months(now) <= days / 28


def test_due_days():
    assert parse_month_day("06-30") == (6, 30)
    assert report_due_on(2026, (6, 30)) == dt.date(2026, 6, 30)
    assert report_due_on(2026, (1, 31)) == dt.date(2027, 1, 31)  # still FY2026
    for wrong in ("02-29", "13-01", "6/30", ""):
        with pytest.raises(ImproperlyConfigured):
            parse_month_day(wrong)


@given(st.dates(dt.date(2017, 4, 1), dt.date(2040, 3, 31)), st.sampled_from([(6, 30), (1, 31)]))
def test_the_late_year_is_the_newest_whose_due_day_has_passed(today, month_day):
    year = latest_overdue_fiscal_year(today, month_day)
    assert report_due_on(year, month_day) < today
    assert report_due_on(year + 1, month_day) >= today


def test_a_changed_due_day_is_not_served_from_the_cached_page(world, on_day, client_for, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = client_for("region_admin")
    assert "令和8年6月30日" in _group(_todo(client), "late-towns")
    settings.REPORT_DUE_MONTH_DAY = "09-30"
    assert "令和7年9月30日" in _group(_todo(client), "late-towns")


def test_a_sent_back_report_of_the_due_year_is_listed_once(world, on_day, client_for, other_town):
    draft = CountReportFactory(
        municipality=other_town,
        as_of=dt.date(2026, 5, 1),
        reopen_reason="医療的ケア児の数を確認してください",
    )
    todo = _todo(client_for("other_town_user"))
    assert "医療的ケア児の数を確認してください" in _group(todo, "sent-back")
    assert todo.count(f"/admin/caseload/countreport/{draft.pk}/change/") == 1
