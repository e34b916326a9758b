"""The dashboard's 活動記録 section (issue 19): the roll-up per town × quarter of the year shown,
as each role sees it (dashboard/activity.py, `Activity.objects.counted_for`), the count of placed
coordinators without activity this quarter, and a cached page that moves with a new entry."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from coordinators.activity_rollup import activity_table
from coordinators.factories import ActivityFactory, CoordinatorFactory, OrganizationFactory
from coordinators.models import ActivityRollupRow, Coordinator
from dashboard.activity import activity_section
from dashboard.cache import data_version
from hokenfukushi.fiscal import FiscalQuarter, current_fiscal_year, fiscal_quarter_of


def _today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def entries(town, other_town, far_town, coordinator_user):
    """Region A: 2 個別支援 in `town` (one the coordinator account's own), 1 地域支援 in
    `other_town`; region B: 1 in `far_town`. All today. Plus an idle coordinator in region A."""
    today = _today()
    colleague = CoordinatorFactory(
        name="同僚一郎", organization=OrganizationFactory(municipality=other_town)
    )
    far = CoordinatorFactory(organization=OrganizationFactory(municipality=far_town))
    CoordinatorFactory(name="未記録花子", organization=OrganizationFactory(municipality=town))
    own = coordinator_user.coordinator_record
    ActivityFactory(coordinator=own, municipality=town, done_on=today)
    ActivityFactory(coordinator=colleague, municipality=town, done_on=today)
    ActivityFactory(coordinator=colleague, municipality=other_town, done_on=today, kind="community")
    ActivityFactory(coordinator=far, municipality=far_town, done_on=today)


def _section(client, **params) -> str:
    response = client.get("/", {"fiscal_year": current_fiscal_year(), **params})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="activity-heading"' in page
    return page.split('id="activity"', 1)[1].split("</section>", 1)[0]


def _rows(section: str) -> dict[str, str]:
    """town name (or 計) -> the row's cells, "個別 地域" per quarter, then the total."""
    rows = {}
    for name, cells in re.findall(
        r'<tr data-activity-town="[^"]+"><th scope="row">([^<]+)</th>(.*?)</tr>', section
    ):
        rows[name] = " ".join(re.findall(r'<td class="num">(\d+)</td>', cells))
    return rows


def _quarter_cells(individual: int, community: int) -> str:
    """A row with this quarter's counts and zeros elsewhere, then the total."""
    quarter = fiscal_quarter_of(_today()).quarter
    cells = [f"{individual} {community}" if q == quarter else "0 0" for q in (1, 2, 3, 4)]
    return " ".join([*cells, str(individual + community)])


# role -> rows it sees (town -> 個別, 地域 this quarter)
SEEN = {
    "region_admin": {"テスト市": (2, 0), "となり町": (0, 1), "計": (2, 1)},
    "prefecture_user": {"テスト市": (2, 0), "となり町": (0, 1), "とおく村": (1, 0), "計": (3, 1)},
    "municipal_user": {"テスト市": (2, 0), "計": (2, 0)},  # its own town only
    "other_town_user": {"となり町": (0, 1), "計": (0, 1)},
    "coordinator_user": {"テスト市": (2, 0), "となり町": (0, 1), "計": (2, 1)},  # region
    "other_region_user": {"とおく村": (1, 0), "計": (1, 0)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", SEEN)
def test_each_role_sees_the_rollup_of_what_it_may_count(client_for, entries, role):
    section = _section(client_for(role))
    assert _rows(section) == {
        name: _quarter_cells(*counts) for name, (counts) in SEEN[role].items()
    }
    # counts only: no coordinator is named, not even the idle one
    assert "同僚一郎" not in section and "未記録花子" not in section


@pytest.mark.django_db
def test_the_center_sees_who_has_no_activity_and_a_link_to_them(client_for, entries):
    section = _section(client_for("region_admin"))
    # region A's active coordinators: the account's own and the colleague have entries
    assert '<strong data-stat="without-activity">1名</strong>' in section
    assert 'href="/coordinators/activity/"' in section
    assert client_for("region_admin").get("/coordinators/activity/").status_code == 200
    for role in ("prefecture_user", "municipal_user", "coordinator_user"):
        # the page behind the link is the center's alone
        assert 'href="/coordinators/activity/"' not in _section(client_for(role)), role


@pytest.mark.django_db
def test_another_year_shows_its_own_entries(client_for, entries):
    section = _section(client_for("region_admin"), fiscal_year=current_fiscal_year() - 1)
    assert _rows(section) == {}
    assert 'id="activity-empty"' in section


@pytest.mark.django_db
def test_a_cached_page_shows_a_new_entry(client_for, entries, town, coordinator_user):
    client = client_for("region_admin")
    before = _section(client)
    assert _section(client) == before  # served from the cache
    ActivityFactory(
        coordinator=coordinator_user.coordinator_record, municipality=town, done_on=_today()
    )
    assert _rows(_section(client))["テスト市"] == _quarter_cells(3, 0)


@pytest.mark.django_db(transaction=True)  # counters move at commit on PostgreSQL
def test_an_entry_moves_the_version_of_its_region_only(
    town, far_town, region_admin, other_region_user, coordinator_user
):
    own, other = data_version(region_admin), data_version(other_region_user)
    entry = ActivityFactory(coordinator=coordinator_user.coordinator_record, municipality=town)
    assert data_version(region_admin) != own
    assert data_version(other_region_user) == other
    own = data_version(region_admin)
    entry.delete()
    assert data_version(region_admin) != own
    assert data_version(other_region_user) == other


@pytest.mark.django_db
def test_the_section_costs_two_queries_whatever_the_number_of_towns(
    region, region_admin, django_assert_num_queries
):
    from hokenfukushi.factories import MunicipalityFactory

    organization = OrganizationFactory(municipality=MunicipalityFactory(region=region))
    coordinator = CoordinatorFactory(organization=organization)
    today = _today()
    for count in (1, 12):
        for _ in range(count):
            ActivityFactory(
                coordinator=coordinator,
                municipality=MunicipalityFactory(region=region),
                done_on=today,
            )
        with django_assert_num_queries(2):
            section = activity_section(
                region_admin, fiscal_year=current_fiscal_year(), today=today, region=None
            )
        assert section.totals[fiscal_quarter_of(today).quarter - 1].individual >= count


_ROW = st.builds(
    ActivityRollupRow,
    municipality_id=st.just(0),
    municipality_code=st.sampled_from(["011002", "112119", "113433"]),
    municipality_name=st.just("町"),
    quarter=st.builds(FiscalQuarter, st.sampled_from([2024, 2025]), st.integers(1, 4)),
    individual=st.integers(0, 50),
    community=st.integers(0, 50),
)


@given(st.lists(_ROW, max_size=12, unique_by=lambda r: (r.municipality_code, r.quarter)))
def test_the_table_keeps_every_count_of_the_year_and_nothing_else(rows):
    table, totals = activity_table(rows, 2025)
    of_year = [row for row in rows if row.quarter.fiscal_year == 2025]
    assert sum(row.total for row in table) == sum(row.total for row in of_year)
    assert [row.code for row in table] == sorted({row.municipality_code for row in of_year})
    for i in range(4):
        assert totals[i].individual == sum(
            row.individual for row in of_year if row.quarter.quarter == i + 1
        )


def _without_activity_on_page(section: str) -> int:
    return int(re.search(r'<strong data-stat="without-activity">(\d+)名</strong>', section)[1])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        "region_admin",
        "prefecture_user",
        "municipal_user",
        "other_town_user",
        "coordinator_user",
        "other_region_user",
    ],
)
def test_each_role_sees_the_count_of_its_coordinators_without_activity(
    client_for, entries, role, request
):
    """The page reads this count with its coordinators (CoordinatorQuerySet.summary(idle_in=…));
    it must be the plain definition's, the active coordinators the user may see with no entry
    this quarter, for every role."""
    user = request.getfixturevalue(role)
    plain = (
        Coordinator.objects.visible_to(user)
        .without_activity_in(fiscal_quarter_of(_today()))
        .count()
    )
    assert _without_activity_on_page(_section(client_for(role))) == plain
    # the idle coordinator is in region A; region B's only coordinator has an entry
    expected = {"region_admin": 1, "prefecture_user": 1, "other_region_user": 0}
    if role in expected:
        assert plain == expected[role]


@pytest.mark.django_db
def test_a_picked_region_counts_only_its_coordinators_without_activity(
    client_for, entries, region, other_region
):
    client = client_for("prefecture_user")
    assert _without_activity_on_page(_section(client, region=region.pk)) == 1
    assert _without_activity_on_page(_section(client, region=other_region.pk)) == 0
