"""The admin mixin applies the scope rule: lists, object pages (404 outside), FK choices."""

import pytest

from hokenfukushi.factories import PopulationSnapshotFactory
from hokenfukushi.models import PopulationSnapshot

LIST = "/admin/hokenfukushi/populationsnapshot/"


@pytest.fixture
def rows(town, other_town, far_town):
    return {
        "own": PopulationSnapshotFactory(municipality=town, population=111),
        "other": PopulationSnapshotFactory(municipality=other_town, population=222),
        "far": PopulationSnapshotFactory(municipality=far_town, population=333),
    }


# role -> status of the change page for own/other/far, and whether it can save own/other
EXPECTED = {
    "region_admin": ({"own": 200, "other": 200, "far": 404}, {"own": True, "other": True}),
    "municipal_user": ({"own": 200, "other": 200, "far": 404}, {"own": True, "other": False}),
    "other_region_user": ({"own": 404, "other": 404, "far": 200}, {"own": False, "other": False}),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_change_pages(role, client_for, rows):
    client = client_for(role)
    statuses, can_save = EXPECTED[role]
    for key, status in statuses.items():
        assert client.get(f"{LIST}{rows[key].pk}/change/").status_code == status, key
        assert client.get(f"{LIST}{rows[key].pk}/history/").status_code == status, key
    for key, allowed in can_save.items():
        row = rows[key]
        response = client.post(
            f"{LIST}{row.pk}/change/",
            {
                "municipality": row.municipality_id,
                "as_of": "2025-04-01",
                "population": 999,
                "source": "",
            },
        )
        row.refresh_from_db()
        assert (row.population == 999) == allowed, (key, response.status_code)


def test_municipal_user_list_shows_region_only(client_for, rows):
    page = client_for("municipal_user").get(LIST).content.decode()
    assert "テスト市" in page and "となり町" in page and "とおく村" not in page


def test_fk_choices_offer_only_editable_towns(client_for, rows, town, other_town):
    page = client_for("municipal_user").get(f"{LIST}add/").content.decode()
    assert f'value="{town.pk}"' in page
    assert f'value="{other_town.pk}"' not in page


def test_fk_posted_by_hand_for_another_town_is_rejected(client_for, town, other_town):
    response = client_for("municipal_user").post(
        f"{LIST}add/", {"municipality": other_town.pk, "as_of": "2025-04-01", "population": 5}
    )
    assert response.status_code == 200
    assert "正しく選択してください。" in response.content.decode()
    assert not PopulationSnapshot.objects.filter(municipality=other_town).exists()


@pytest.mark.parametrize("role", ["prefecture_user", "anonymous"])
def test_non_staff_are_sent_to_admin_login(role, client_for, rows):
    response = client_for(role).get(LIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_negative_population_is_refused_in_japanese(client_for, town):
    response = client_for("municipal_user").post(
        f"{LIST}add/", {"municipality": town.pk, "as_of": "2025-04-01", "population": -1}
    )
    assert response.status_code == 200
    assert "この値は 0 以上でなければなりません。" in response.content.decode()
    assert not PopulationSnapshot.objects.filter(municipality=town).exists()


def test_inline_foreign_key_choices_are_limited_to_the_edit_scope(
    rf, municipal_user, town, other_town
):
    from django.contrib import admin as django_admin

    from hokenfukushi.admin_scope import ScopedTabularInline
    from hokenfukushi.models import Municipality, PopulationSnapshot

    class SnapshotInline(ScopedTabularInline):
        model = PopulationSnapshot

    inline = SnapshotInline(Municipality, django_admin.site)
    request = rf.get("/")
    request.user = municipal_user
    field = inline.formfield_for_foreignkey(
        PopulationSnapshot._meta.get_field("municipality"), request
    )
    assert list(field.queryset) == [town]


TOWNS = "/admin/hokenfukushi/municipality/"


def _town_post(town, *, name: str, population: str) -> dict:
    return {
        "code": town.code,
        "name": name,
        "kind": town.kind,
        "region": town.region_id,
        "population_snapshots-TOTAL_FORMS": "1",
        "population_snapshots-INITIAL_FORMS": "0",
        "population_snapshots-0-as_of": "2025-11-01",
        "population_snapshots-0-population": population,
        "population_snapshots-0-source": "住民基本台帳",
    }


# role -> (may add a population row on `town`'s page, may rename `town`)
TOWN_PAGE = {
    "region_admin": (True, True),
    "municipal_user": (True, False),
    "other_town_user": (False, False),
}


@pytest.mark.parametrize("role", TOWN_PAGE)
def test_town_page_population_entry_per_role(role, client_for, town):
    adds_population, renames = TOWN_PAGE[role]
    client_for(role).post(
        f"{TOWNS}{town.pk}/change/", _town_post(town, name="改名市", population="76218")
    )
    assert PopulationSnapshot.objects.filter(municipality=town, population=76218).exists() == (
        adds_population
    )
    town.refresh_from_db()
    assert (town.name == "改名市") == renames


def test_town_staff_cannot_move_their_town_to_another_region(
    client_for, town, other_region, far_town
):
    data = _town_post(town, name=town.name, population="100")
    data["region"] = other_region.pk
    client_for("municipal_user").post(f"{TOWNS}{town.pk}/change/", data)
    town.refresh_from_db()
    assert town.region_id != other_region.pk
