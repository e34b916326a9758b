"""The dashboard `/`: what each role sees, the gaps it names, and its constant query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseload.factories import CountReportFactory
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import Experience
from dashboard.build import build_dashboard
from hokenfukushi.factories import MunicipalityFactory, PopulationSnapshotFactory
from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    LocalResource,
    ResourceKind,
)
from meetings.factories import meeting_on
from meetings.models import ActionItem, Attendance, Meeting, MeetingStatus

FY = 2025
TODAY = dt.date(2025, 12, 1)


def _approved(town, fiscal_year=FY, **counts):
    return CountReportFactory(
        municipality=town, as_of=dt.date(fiscal_year, 4, 1), approved=True, **counts
    )


def _council(region, towns, status=CouncilStatus.PLANNING):
    council = Council.objects.create(
        region=region,
        name=f"協議の場{Council.objects.count()}",
        form=CouncilForm.JOINT,
        status=status,
        status_date=dt.date(2025, 4, 1) if status == CouncilStatus.ESTABLISHED else None,
    )
    council.municipalities.set(towns)
    return council


@pytest.fixture
def facts(region, other_region, town, other_town, far_town):
    """town: children, one experienced coordinator; other_town: a child, no experience;
    far_town (another region): everything in place."""
    PopulationSnapshotFactory(municipality=town, population=20000)
    PopulationSnapshotFactory(municipality=other_town, population=5000)
    PopulationSnapshotFactory(municipality=far_town, population=8000)
    _approved(town, smid_children=3, medical_care_children=2, smid_adults=10, medical_care_adults=1)
    _approved(
        other_town, smid_children=0, medical_care_children=1, smid_adults=2, medical_care_adults=0
    )
    _approved(far_town)
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=town), experience=Experience.DIRECT
    )
    CoordinatorFactory(organization=OrganizationFactory(municipality=other_town))
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=far_town), experience=Experience.DIRECT
    )
    _council(region, [town, other_town])
    _council(other_region, [far_town], status=CouncilStatus.ESTABLISHED)
    LocalResource.objects.create(
        name="者のレスパイト病院",
        kind=ResourceKind.RESPITE,
        municipality=town,
        serves_adults=True,
        accepts_medical_care=True,
    )
    first = meeting_on(region, 1, dt.date(2025, 5, 20))
    meeting_on(region, 2, dt.date(2025, 10, 15))
    coordinator = CoordinatorFactory(organization=OrganizationFactory(municipality=town))
    Attendance.objects.create(meeting=first, coordinator=coordinator)
    Attendance.objects.create(meeting=first, organization=OrganizationFactory(municipality=town))
    ActionItem.objects.create(raised_at=first, text="施設見学")


def _gaps(dashboard, town):
    row = next(row for row in dashboard.rows if row.town == town)
    return [gap.message for gap in row.gaps]


# --- the read side -----------------------------------------------------------------------------


def test_gaps_per_town_and_region(facts, region_admin, town, other_town):
    dashboard = build_dashboard(region_admin, fiscal_year=FY, today=TODAY)
    assert [row.town for row in dashboard.rows] == [town, other_town]
    assert _gaps(dashboard, town) == ["協議の場が未設置（共同設置を検討中）"]
    assert _gaps(dashboard, other_town) == [
        "医療的ケア児がいるが、実務経験のあるコーディネーターがいない",
        "協議の場が未設置（共同設置を検討中）",
    ]
    (panel,) = dashboard.panels
    resource_messages = [gap.message for gap in panel.resource_gaps]
    assert "児のレスパイト先がない" in resource_messages
    assert "者のレスパイト先がない" not in resource_messages


def test_summary_adds_up_the_towns_of_the_region(facts, region_admin):
    dashboard = build_dashboard(region_admin, fiscal_year=FY, today=TODAY)
    assert dashboard.totals.as_tuple() == (3, 3, 12, 1)
    assert dashboard.population == 25000
    assert dashboard.coordinators == 3  # the far town's coordinator is in another region
    assert dashboard.experienced_coordinators == 1
    assert dashboard.open_actions == 1
    assert (dashboard.meetings_held, dashboard.meetings_target) == (2, 4)
    schedule = dashboard.most_urgent_schedule
    assert schedule.next_due == dt.date(2026, 1, 14) and schedule.days_until_due == 44
    assert [(p.meeting.number, p.coordinators, p.others) for p in dashboard.participants] == [
        (1, 1, 1),
        (2, 0, 0),
    ]
    assert [(row.fiscal_year, row.count) for row in dashboard.training_years] == [(2024, 3)]


def test_a_planned_meeting_sets_the_next_due_date(facts, region_admin, region):
    meeting_on(region, 3, dt.date(2025, 12, 20), status=MeetingStatus.PLANNED)
    schedule = build_dashboard(region_admin, fiscal_year=FY, today=TODAY).most_urgent_schedule
    assert (schedule.next_due, schedule.days_until_due, schedule.is_planned) == (
        dt.date(2025, 12, 20),
        19,
        True,
    )


def test_last_years_figures_are_used_but_flagged(facts, region_admin, town):
    dashboard = build_dashboard(region_admin, fiscal_year=FY + 1, today=TODAY)
    row = next(row for row in dashboard.rows if row.town == town)
    assert row.counts.as_tuple() == (3, 2, 10, 1)
    assert row.counts_fiscal_year == FY
    assert "数は令和7年度のもの（令和8年度分が未報告）" in _gaps(dashboard, town)


def test_a_submitted_report_is_not_counted_until_approved(facts, region_admin, town):
    CountReportFactory(
        municipality=town, as_of=dt.date(FY + 1, 4, 1), submitted=True, smid_children=99
    )
    dashboard = build_dashboard(region_admin, fiscal_year=FY + 1, today=TODAY)
    # neither the submitted 99 nor last year's 3 is added to the 令和8年度 totals
    assert dashboard.totals.smid_children == 0
    assert (dashboard.year_totals.reported, dashboard.year_totals.towns) == (0, 2)
    assert "数は令和7年度のもの（令和8年度分が未承認）" in _gaps(dashboard, town)


def test_a_town_that_never_reported(region_admin, town):
    dashboard = build_dashboard(region_admin, fiscal_year=FY, today=TODAY)
    assert _gaps(dashboard, town)[0] == "在宅の対象者数が未報告"
    assert dashboard.totals.total == 0


def test_prefecture_viewer_reads_every_region_or_one(facts, prefecture_user, other_region):
    everything = build_dashboard(prefecture_user, fiscal_year=FY, today=TODAY)
    assert len(everything.rows) == 3 and len(everything.panels) == 2
    one = build_dashboard(prefecture_user, fiscal_year=FY, today=TODAY, region=other_region)
    assert [row.town.name for row in one.rows] == ["とおく村"]
    assert _gaps(one, one.rows[0].town) == []


# --- the page, per role ------------------------------------------------------------------------


def _page(client, **params):
    response = client.get("/", {"fiscal_year": FY, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_region_admin_sees_its_towns_with_gaps_and_fix_links(facts, client_for):
    page = _page(client_for("region_admin"))
    assert "テスト市" in page and "となり町" in page and "とおく村" not in page
    assert "医療的ケア児がいるが、実務経験のあるコーディネーターがいない" in page
    assert "児のレスパイト先がない" in page
    assert 'href="/admin/hokenfukushi/council/?region__id__exact=' in page  # fix the council
    assert 'href="/admin/hokenfukushi/localresource/"' in page
    assert 'aria-current="true"' not in page  # no own town to highlight


@pytest.mark.parametrize(
    "role,own,other",
    [
        ("municipal_user", "テスト市", "となり町"),
        ("other_town_user", "となり町", "テスト市"),
    ],
)
def test_town_staff_see_the_region_with_their_own_town_highlighted(
    facts, client_for, role, own, other
):
    page = _page(client_for(role))
    assert other in page and "とおく村" not in page
    own_row = page.split('aria-current="true"')[1].split("</tr>")[0]
    assert own in own_row and "自分の市町村" in own_row
    assert page.count('aria-current="true"') == 1


def test_other_region_staff_see_only_their_region(facts, client_for):
    page = _page(client_for("other_region_user"))
    assert "とおく村" in page and "テスト市" not in page and "となり町" not in page
    assert "課題なし" in page


def test_prefecture_viewer_sees_all_towns_and_picks_a_region(facts, client_for, other_region):
    client = client_for("prefecture_user")
    page = _page(client)
    for name in ("テスト市", "となり町", "とおく村"):
        assert name in page
    assert 'name="region"' in page
    assert "/admin/" not in page.split('id="summary-heading"')[1]  # read-only: no fix links
    page = _page(client, region=other_region.pk)
    assert "とおく村" in page and "テスト市" not in page


def test_a_region_outside_ones_scope_is_not_found(facts, client_for, other_region):
    client = client_for("region_admin")
    assert client.get("/", {"region": other_region.pk}).status_code == 404
    assert client.get("/", {"region": "x"}).status_code == 404


def test_filter_narrows_the_table_but_not_the_totals(facts, client_for):
    page = _page(client_for("region_admin"), gaps="high")
    table = page.split('id="town-gaps"')[1].split("</tbody>")[0]
    assert "となり町" in table and "テスト市" not in table
    assert "2市町村のうち 1市町村を表示" in page
    assert 'data-stat="smid_children">3人' in page


def test_summary_numbers_on_the_page(facts, client_for):
    page = _page(client_for("region_admin"))
    assert 'data-stat="population">25,000人' in page
    assert 'data-stat="coordinators">3名' in page
    assert 'data-stat="meetings">2 / 4回' in page
    assert 'data-stat="open-actions">1件' in page


def test_without_a_year_it_opens_on_the_newest_year_with_approved_figures(
    facts, client_for, town, monkeypatch
):
    """Late in FY2026 with nothing approved for it yet, the page opens on FY2025 (as the caseload
    page and the exports do) and says so, instead of zeros and a year of empty meetings."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 11, 24))
    CountReportFactory(municipality=town, as_of=dt.date(2026, 4, 1), submitted=True)
    page = client_for("region_admin").get("/").content.decode()
    assert '<option value="2025" selected>令和7年度</option>' in page
    assert 'data-stat="smid_children">3人' in page
    assert 'data-stat="meetings">2 / 4回' in page
    note = page.split('id="fiscal-year-note">')[1].split("</p>")[0]
    assert "令和7年度の数と会議を表示しています（今年度は令和8年度）" in note
    assert "次回の会議（本日時点）" in page


def test_the_chosen_year_is_kept_and_an_unknown_one_falls_back_to_the_default(
    facts, client_for, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 11, 24))
    client = client_for("region_admin")
    page = client.get("/", {"fiscal_year": 2026}).content.decode()
    assert '<option value="2026" selected>' in page and 'id="fiscal-year-note"' not in page
    for bad in ("1900", "abc", "2030"):
        page = client.get("/", {"fiscal_year": bad}).content.decode()
        assert '<option value="2025" selected>' in page, bad


def test_with_nothing_approved_it_opens_on_the_current_year(client_for, town, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 11, 24))
    page = client_for("region_admin").get("/").content.decode()
    assert '<option value="2026" selected>' in page and 'id="fiscal-year-note"' not in page


def test_the_default_year_follows_the_chosen_region(facts, client_for, other_region, far_town):
    _approved(far_town, fiscal_year=2023)
    CountReportFactory._meta.model.objects.filter(municipality=far_town, fiscal_year=FY).delete()
    page = client_for("prefecture_user").get("/", {"region": other_region.pk}).content.decode()
    assert '<option value="2023" selected>' in page


# --- constant query count ----------------------------------------------------------------------


def _populate(region, towns: int):
    """`towns` towns, each with population, an approved report, a coordinator and a resource;
    one council for all; two meetings with attendance and an open action item."""
    made = []
    for _ in range(towns):
        town = MunicipalityFactory(region=region)
        PopulationSnapshotFactory(municipality=town, population=10000)
        _approved(town)
        CountReportFactory(municipality=town, as_of=dt.date(FY + 1, 4, 1), submitted=True)
        CoordinatorFactory(organization=OrganizationFactory(municipality=town))
        LocalResource.objects.create(
            name=f"資源{town.code}",
            kind=ResourceKind.CHILD_DEVELOPMENT,
            municipality=town,
            serves_children=True,
        )
        made.append(town)
    _council(region, made)
    for month in (6, 9):
        number = Meeting.objects.filter(region=region).count() + 1
        meeting = meeting_on(region, number, dt.date(2025, month, 10 + number))
        for coordinator in list(made[0].coordinators.all())[:1]:
            Attendance.objects.create(meeting=meeting, coordinator=coordinator)
        ActionItem.objects.create(raised_at=meeting, text=f"宿題{number}")
    return made


def _queries_for(client, towns: int, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/", params)
        assert response.status_code == 200
    rows = response.content.decode().split('id="town-gaps"')[1].split("</tbody>")[0]
    assert rows.count("data-town=") == towns  # every town in the one sortable table
    return len(captured)


# A first view (nothing cached) makes a fixed number of statements whatever the number of towns;
# each includes the one data-version statement of the dashboard cache, the to-do
# (dashboard/todo.py: the center's three lists, the prefecture's late towns, a town's sent-back
# and due reports, a coordinator's items; one statement each) and the 活動記録 section (issue 19:
# the roll-up per town × quarter; the coordinators without activity come with the coordinators'
# statement, CoordinatorQuerySet.summary(idle_in=…)). Town staff and coordinators read their
# town / record for the scope. Without a chosen year, one more finds the newest year with
# approved figures. Measured: region admin 17, prefecture 15, town staff 17, coordinator 16 (the
# active coordinators and the towns they cover are one statement).
MAX_QUERIES = 17


@pytest.mark.parametrize("params", [{"fiscal_year": FY}, {}], ids=["chosen_year", "default_year"])
@pytest.mark.parametrize(
    "role", ["region_admin", "prefecture_user", "municipal_user", "coordinator_user"]
)
def test_query_count_is_the_same_at_4_and_at_60_towns(
    region, town, client_for, role, params, django_assert_max_num_queries
):
    client = client_for(role)
    budget = MAX_QUERIES + (0 if params else 1)
    _populate(region, 3)  # with the fixture's town: 4
    with django_assert_max_num_queries(budget):
        at_4 = _queries_for(client, 4, **params)
    _populate(region, 56)
    with django_assert_max_num_queries(budget):
        at_60 = _queries_for(client, 60, **params)
    assert at_4 == at_60


def test_fix_links_open_the_admin_filtered_to_the_town_or_region(client_for, region, town):
    client = client_for("region_admin")
    page = _page(client)
    counts_link = f"/admin/caseload/countreport/?municipality__id__exact={town.pk}"
    council_link = f"/admin/hokenfukushi/council/?region__id__exact={region.pk}"
    assert f'href="{counts_link}"' in page  # the town never reported
    assert f'href="{council_link}"' in page  # and belongs to no council
    for link in (counts_link, council_link):
        response = client.get(link)
        assert response.status_code == 200, link  # a filter the admin accepts (no ?e=1)


@pytest.mark.django_db
def test_demo_names_the_sources_gaps(settings):
    from django.core.management import call_command

    from hokenfukushi.models import User

    settings.DEBUG = True
    call_command("load_demo", "--with-users", verbosity=0)
    dashboard = build_dashboard(
        User.objects.get(username="center"), fiscal_year=FY, today=dt.date(2025, 11, 1)
    )
    assert dashboard.totals.as_tuple() == (7, 5, 42, 2)
    assert dashboard.population == 129873
    assert dashboard.coordinators == 16
    (panel,) = dashboard.panels
    assert "児のレスパイト先がない" in [gap.message for gap in panel.resource_gaps]
    assert "者のレスパイト先がない" not in [gap.message for gap in panel.resource_gaps]
    gaps = {row.town.name: _gaps(dashboard, row.town) for row in dashboard.rows}
    assert all(any(g.startswith("協議の場が未設置") for g in town) for town in gaps.values())
    no_experience = "医療的ケア児がいるが、実務経験のあるコーディネーターがいない"
    experienced = {row.town.name: row.coordinators.experienced for row in dashboard.rows}
    for row in dashboard.rows:
        if row.counts.children:
            assert (no_experience in gaps[row.town.name]) is (experienced[row.town.name] == 0)
    assert [name for name, town in gaps.items() if no_experience in town] == ["美里町", "神川町"]
    assert (dashboard.meetings_held, dashboard.meetings_target) == (2, 4)
    assert [p.total for p in dashboard.participants] == [8, 5, 17]


def test_the_gap_filter_narrows_the_town_table_but_not_the_totals(
    facts, region_admin, town, other_town, client_for
):
    dashboard = build_dashboard(region_admin, fiscal_year=FY, today=TODAY)
    towns = lambda gap_filter: [row.town for row in dashboard.rows_with(gap_filter)]  # noqa: E731
    assert towns("") == towns("any") == [town, other_town]  # both have a gap
    assert towns("high") == [other_town]  # an experienced coordinator is missing there
    page = _page(client_for("region_admin"), gaps="high")
    table = page.split('id="town-gaps"')[1].split("</tbody>")[0]
    assert table.count("data-town=") == 1 and other_town.name in table
