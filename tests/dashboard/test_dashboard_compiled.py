"""The dashboard's statements compiled once per process (compiled_sql): whatever was asked before,
each build equals a build from nothing; a write shows at the next build; the page is the one the
ORM's own evaluation gives, byte for byte."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import Experience
from dashboard.build import build_dashboard
from hokenfukushi import compiled_sql
from hokenfukushi.factories import (
    MunicipalityFactory,
    PopulationSnapshotFactory,
    RegionAdminFactory,
)
from hokenfukushi.models import Council, CouncilForm, CouncilStatus, LocalResource, ResourceKind
from meetings.factories import meeting_on
from meetings.models import ActionItem, Attendance, Meeting, MeetingStatus

TODAY = dt.date(2025, 12, 1)
YEARS = (2024, 2025)


@pytest.fixture(autouse=True)
def _fresh_memo():
    compiled_sql.clear()
    yield
    compiled_sql.clear()


def _report(town, fiscal_year, *, approved=True, **counts):
    return CountReportFactory(
        municipality=town, as_of=dt.date(fiscal_year, 4, 1), approved=approved, **counts
    )


@pytest.fixture
def facts(region, other_region, town, other_town, far_town):
    """Both regions with towns, populations, reports of two years (approved and not),
    coordinators (one covering its whole region), councils, resources, meetings with
    attendances and action items: every statement of the page has rows in each region."""
    for place, population in ((town, 20000), (other_town, 5000), (far_town, 8000)):
        PopulationSnapshotFactory(municipality=place, population=population)
    _report(town, 2024, smid_children=1)
    _report(town, 2025, smid_children=3)
    _report(other_town, 2025, approved=False)
    _report(far_town, 2024, medical_care_adults=4)
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=town), experience=Experience.DIRECT
    )
    CoordinatorFactory(
        organization=OrganizationFactory(region=other_region, municipality=None),
        covers_whole_region=True,
        training_fiscal_year=2023,
    )
    for place, status in ((region, CouncilStatus.PLANNING), (other_region, CouncilStatus.NONE)):
        council = Council.objects.create(
            region=place, name=f"協議の場{place.pk}", form=CouncilForm.JOINT, status=status
        )
        council.municipalities.set(place.municipalities.all())
    LocalResource.objects.create(
        name="レスパイト", kind=ResourceKind.RESPITE, municipality=far_town, serves_children=True
    )
    for place, offset in ((region, 0), (other_region, 3)):
        held = meeting_on(place, 1, dt.date(2025, 5, 20 + offset))
        meeting_on(place, 2, dt.date(2025, 10, 15 + offset))
        meeting_on(place, 3, dt.date(2026, 1, 10 + offset), status=MeetingStatus.PLANNED)
        coordinator = CoordinatorFactory(
            organization=OrganizationFactory(region=place, municipality=None)
        )
        Attendance.objects.create(meeting=held, coordinator=coordinator)
        ActionItem.objects.create(raised_at=held, text="施設見学")


def _projection(dashboard) -> tuple:
    """Everything the page reads of a Dashboard, as comparable values."""
    return (
        dashboard.fiscal_year,
        [r.pk for r in dashboard.regions],
        [(r.pk, r.name) for r in dashboard.selectable_regions],
        [
            (
                row.town.pk,
                row.town.code,
                row.town.name,
                row.town.population,
                row.town.region.pk,
                row.counts,
                row.counts_fiscal_year,
                row.this_year_report,
                row.coordinators,
                row.council_status,
                row.council_form,
                row.coverage,
                row.is_own_town,
            )
            for row in dashboard.rows
        ],
        [(p.region.pk, p.totals, p.resource_gaps, p.schedule) for p in dashboard.panels],
        dashboard.totals,
        dashboard.total_rates,
        dashboard.population,
        dashboard.coordinators,
        dashboard.experienced_coordinators,
        dashboard.open_actions,
        dashboard.training_years,
        [
            (m.meeting.pk, m.meeting.number, m.meeting.region.pk, m.day, m.coordinators, m.others)
            for m in dashboard.participants
        ],
    )


def _from_nothing(user, **kwargs):
    """A build with an empty memo, leaving the warm one as it was."""
    empty = (compiled_sql._Memo(compiled_sql.MEMO_SIZE), compiled_sql._Memo(compiled_sql.MEMO_SIZE))
    with (
        mock.patch.object(compiled_sql, "_memo", empty[0]),
        mock.patch.object(compiled_sql, "_count_memo", empty[1]),
    ):
        return build_dashboard(user, **kwargs)


USERS = (
    "region_admin",
    "other_region_admin",
    "municipal_user",
    "other_region_user",
    "prefecture_user",
    "superuser",
    "inactive_admin",
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(USERS),
            st.sampled_from([None, "region", "other_region"]),
            st.sampled_from(YEARS),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_a_warm_memo_never_shows_another_scope(calls, facts, region, other_region, user_for_role):
    """Whatever sequence of users, regions and years came before (the memo warm from them),
    each build equals one made from nothing: the key names everything the statements read."""
    users = {name: user_for_role(name) for name in USERS}
    regions = {None: None, "region": region, "other_region": other_region}
    for user_name, region_name, fiscal_year in calls:
        kwargs = {"fiscal_year": fiscal_year, "today": TODAY, "region": regions[region_name]}
        user = users[user_name]
        assert _projection(build_dashboard(user, **kwargs)) == _projection(
            _from_nothing(user, **kwargs)
        )


@pytest.fixture
def other_region_admin(other_region):
    return RegionAdminFactory(region=other_region)


@pytest.fixture
def inactive_admin(region):
    """Reads nothing: every statement matches no row, and none is sent."""
    return RegionAdminFactory(region=region, is_active=False)


@pytest.mark.django_db
def test_the_scopes_see_their_own_towns(
    facts, region_admin, other_region_admin, prefecture_user, inactive_admin
):
    """The same statement for two region admins: each reads its own region's rows."""
    first = build_dashboard(region_admin, fiscal_year=2025, today=TODAY)
    second = build_dashboard(other_region_admin, fiscal_year=2025, today=TODAY)
    everyone = build_dashboard(prefecture_user, fiscal_year=2025, today=TODAY)
    nobody = build_dashboard(inactive_admin, fiscal_year=2025, today=TODAY)
    assert (nobody.rows, nobody.selectable_regions, nobody.open_actions) == ([], [], 0)
    assert [row.town.name for row in first.rows] == ["テスト市", "となり町"]
    assert [row.town.name for row in second.rows] == ["とおく村"]
    assert len(everyone.rows) == 3
    assert (first.open_actions, second.open_actions, everyone.open_actions) == (1, 1, 2)


@pytest.mark.django_db
def test_a_write_shows_at_the_next_build(facts, region, region_admin):
    """Only SQL is memoized: a new town and a new report are in the next build."""
    before = build_dashboard(region_admin, fiscal_year=2025, today=TODAY)
    new_town = MunicipalityFactory(region=region, name="新しい町", code="119997")
    PopulationSnapshotFactory(municipality=new_town, population=1234)
    _report(new_town, 2025, smid_children=7)
    ActionItem.objects.create(raised_at=Meeting.objects.get(region=region, number=2), text="新")
    after = build_dashboard(region_admin, fiscal_year=2025, today=TODAY)
    assert "新しい町" not in [row.town.name for row in before.rows]
    (row,) = [row for row in after.rows if row.town.name == "新しい町"]
    assert (row.town.population, row.counts.smid_children) == (1234, 7)
    assert after.totals.smid_children == before.totals.smid_children + 7
    assert after.open_actions == before.open_actions + 1


class _OrmStatement:
    """What `compiled()` stands for, evaluated by the ORM itself: no compiling, no memo."""

    def __init__(self, queryset: QuerySet, count: bool) -> None:
        self.queryset, self.count = queryset, count

    def rows(self) -> list:
        return [(self.queryset.count(),)] if self.count else list(self.queryset)


PAGE_USERS = ("region_admin", "municipal_user", "other_town_user", "prefecture_user")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/?fiscal_year=2024", "/?gaps=any"])
def test_the_page_is_the_one_the_orm_gives(facts, client_for, settings, url):
    """The compiled statements (memo cold, then warm) render the same bytes as the ORM's own
    evaluation of the same querysets."""
    settings.DASHBOARD_CACHE_SECONDS = 0

    def page(client: Client) -> bytes:
        response = client.get(url)
        assert response.status_code == 200
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)

    for role in PAGE_USERS:
        client = client_for(role)
        with (
            mock.patch.object(
                compiled_sql, "compiled", lambda key, build: _OrmStatement(build(), False)
            ),
            mock.patch.object(
                compiled_sql, "compiled_count", lambda key, build: _OrmStatement(build(), True)
            ),
        ):
            expected = page(client)
        assert page(client) == expected, role  # cold
        assert page(client) == expected, role  # warm


@pytest.mark.django_db
def test_the_page_compiles_nothing_the_second_time(facts, region_admin, unverified):
    """A second build for the same scope compiles none of the memoized statements."""
    build_dashboard(region_admin, fiscal_year=2025, today=TODAY)
    refuse = mock.Mock(side_effect=AssertionError("compiled again"))
    with (
        mock.patch.object(compiled_sql, "compile_select", refuse),
        mock.patch.object(compiled_sql, "compile_count", refuse),
    ):
        build_dashboard(region_admin, fiscal_year=2025, today=TODAY)


@pytest.mark.django_db
def test_superuser_and_prefecture_viewer_share_statements(facts, superuser, prefecture_user):
    first = build_dashboard(superuser, fiscal_year=2025, today=TODAY)
    size = len(compiled_sql._memo)
    second = build_dashboard(prefecture_user, fiscal_year=2025, today=TODAY)
    assert len(compiled_sql._memo) == size
    assert _projection(first) == _projection(second)
