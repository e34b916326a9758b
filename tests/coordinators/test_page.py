"""/coordinators/: who sees which coordinators, what the tables say, constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import Experience
from hokenfukushi.factories import UserFactory

URL = "/coordinators/"


@pytest.fixture
def people(region, town, other_town, far_town):
    base = OrganizationFactory(name="基幹センターT", municipality=None, region=region)
    return {
        "own": CoordinatorFactory(
            name="本町 一郎", kana="ほんまち いちろう", organization__municipality=town
        ),
        "other": CoordinatorFactory(
            name="隣町 二郎",
            kana="となりまち じろう",
            organization__municipality=other_town,
            experience=Experience.DIRECT,
        ),
        "base": CoordinatorFactory(
            name="基幹 三子",
            kana="きかん みつこ",
            organization=base,
            covers_whole_region=True,
            municipalities=[],
        ),
        "far": CoordinatorFactory(
            name="遠方 四郎", kana="えんぽう しろう", organization__municipality=far_town
        ),
        "retired": CoordinatorFactory(
            name="引退 五郎",
            kana="いんたい ごろう",
            organization__municipality=town,
            is_active=False,
        ),
    }


# role -> names listed on the page. Municipal staff read the whole region (shared in the
# network) but never another region; the prefecture reads every region.
EXPECTED = {
    "region_admin": {"own", "other", "base"},
    "municipal_user": {"own", "other", "base"},
    "other_town_user": {"own", "other", "base"},
    "other_region_user": {"far"},
    "prefecture_user": {"own", "other", "base", "far"},
}


@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_sees_its_scope_and_never_inactive_people(role, client_for, people):
    response = client_for(role).get(URL)
    assert response.status_code == 200
    listed = {key for key, person in people.items() if person.name in response.content.decode()}
    assert listed == EXPECTED[role]


def test_anonymous_is_sent_to_login(client_for, people):
    response = client_for("anonymous").get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_without_a_role_sees_nobody(client_for, people):
    response = client_for(UserFactory()).get(URL)
    assert response.status_code == 403
    assert "閲覧できる範囲がまだありません" in response.content.decode()
    assert not any(p.name in response.content.decode() for p in people.values())


def test_roster_is_in_kana_order_and_shows_the_covered_towns(client_for, people):
    page = client_for("region_admin").get(URL).content.decode()
    roster = page[page.index('id="roster"') :]
    positions = [roster.index(people[key].name) for key in ("base", "other", "own")]
    assert positions == sorted(positions)  # きかん < となりまち < ほんまち
    assert "圏域全体（テスト圏域A）" in roster


def test_uncovered_towns_are_named(client_for, region, town, other_town, people):
    people["base"].is_active = False
    people["base"].save()
    people["other"].municipalities.clear()
    page = client_for("region_admin").get(URL).content.decode()
    callout = page[page.index('id="uncovered-towns"') :]
    callout = callout[: callout.index("</p>")]
    assert "となり町" in callout and "テスト市" not in callout


def test_tables_in_context(client_for, people):
    context = client_for("region_admin").get(URL).context
    assert context["total"] == 3
    assert [(r.label, r.count) for r in context["experiences"]] == [
        ("直接関わった経験あり", 1),
        ("計画相談として関与", 0),
        ("関わった経験なし", 2),
    ]
    assert context["uncovered_towns"] == []


def _make(count: int, region, towns) -> None:
    organizations = [OrganizationFactory(municipality=t) for t in towns]
    for i in range(count):
        CoordinatorFactory(
            organization=organizations[i % len(towns)],
            municipalities=towns[: 1 + i % len(towns)],
            training_fiscal_year=2019 + i % 7,
            experience=Experience.values[i % 3],
        )


def _queries(client, count: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    assert response.context["total"] == count
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["region_admin", "municipal_user", "prefecture_user"])
def test_query_count_does_not_grow_with_the_roster(
    role, client_for, region, town, other_town, django_assert_max_num_queries
):
    client = client_for(role)
    _make(5, region, [town, other_town])
    with django_assert_max_num_queries(12):
        small = _queries(client, 5)
    _make(195, region, [town, other_town])
    with django_assert_max_num_queries(12):
        large = _queries(client, 200)
    assert small == large, (small, large)


def test_prefecture_narrows_to_one_region(client_for, people, region, other_region):
    client = client_for("prefecture_user")
    everything = client.get(URL)
    assert (
        "圏域" in everything.content.decode()
        and 'id="region-filter"' in everything.content.decode()
    )
    assert everything.context["total"] == 4
    far_only = client.get(URL, {"region": other_region.pk})
    assert far_only.context["total"] == 1
    assert [t.name for t in far_only.context["uncovered_towns"]] == []
    assert "遠方 四郎" in far_only.content.decode()
    assert "本町 一郎" not in far_only.content.decode()


@pytest.mark.parametrize("value", ["other_region", "999999", "abc"])
def test_region_outside_scope_or_unknown_is_404(value, client_for, people, other_region):
    wanted = other_region.pk if value == "other_region" else value
    assert client_for("municipal_user").get(URL, {"region": wanted}).status_code == 404


def test_single_region_readers_get_no_region_picker(client_for, people):
    assert 'id="region-filter"' not in client_for("region_admin").get(URL).content.decode()
