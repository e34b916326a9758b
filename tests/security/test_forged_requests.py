"""Requests a browser would never send: foreign-key choices and ids posted by hand, admin actions
over rows outside the user's scope, and autocomplete lookups. Nothing outside scope may change
or be revealed."""

import datetime as dt

import pytest

from hokenfukushi.factories import PopulationSnapshotFactory
from hokenfukushi.models import (
    Council,
    CouncilForm,
    LocalResource,
    PopulationSnapshot,
    ResourceKind,
)

ADD_POPULATION = "/admin/hokenfukushi/populationsnapshot/add/"


def _population_form(municipality, population=1234):
    return {
        "municipality": municipality.pk,
        "as_of_0": "2025-10-01",
        "as_of": "2025-10-01",
        "population": population,
        "source": "住民基本台帳",
    }


@pytest.mark.parametrize("target", ["other_town", "far_town"])
def test_staff_cannot_file_a_row_under_another_town(client_for, request, target):
    town = request.getfixturevalue(target)
    response = client_for("municipal_user").post(ADD_POPULATION, _population_form(town))
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    assert not PopulationSnapshot.objects.filter(municipality=town).exists()


def test_staff_can_file_a_row_under_their_own_town(client_for, town):
    response = client_for("municipal_user").post(ADD_POPULATION, _population_form(town))
    assert response.status_code == 302
    assert PopulationSnapshot.objects.get(municipality=town).population == 1234


def test_staff_cannot_move_their_row_to_another_town(client_for, town, other_town):
    resource = LocalResource.objects.create(
        name="事業所", kind=ResourceKind.AFTER_SCHOOL, municipality=town, serves_children=True
    )
    response = client_for("municipal_user").post(
        f"/admin/hokenfukushi/localresource/{resource.pk}/change/",
        {
            "name": "事業所",
            "kind": ResourceKind.AFTER_SCHOOL,
            "municipality": other_town.pk,
            "serves_children": "on",
            "notes": "",
        },
    )
    assert response.status_code == 200
    resource.refresh_from_db()
    assert resource.municipality == town


@pytest.mark.parametrize("owner", ["other_town", "far_town"])
def test_posting_a_change_to_a_row_outside_edit_scope_changes_nothing(client_for, request, owner):
    snapshot = PopulationSnapshotFactory(municipality=request.getfixturevalue(owner))
    response = client_for("municipal_user").post(
        f"/admin/hokenfukushi/populationsnapshot/{snapshot.pk}/change/",
        _population_form(snapshot.municipality, population=1),
    )
    assert response.status_code == {"other_town": 403, "far_town": 404}[owner]
    snapshot.refresh_from_db()
    assert snapshot.population != 1


def test_delete_action_over_foreign_rows_deletes_nothing(client_for, town, other_town, far_town):
    own, neighbour, far = (
        PopulationSnapshotFactory(municipality=t, as_of=dt.date(2025, 4, 1))
        for t in (town, other_town, far_town)
    )
    response = client_for("municipal_user").post(
        "/admin/hokenfukushi/populationsnapshot/",
        {
            "action": "delete_selected",
            "_selected_action": [own.pk, neighbour.pk, far.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 403
    assert PopulationSnapshot.objects.count() == 3


def test_delete_action_ignores_ids_outside_read_scope(client_for, town, far_town):
    own = PopulationSnapshotFactory(municipality=town)
    far = PopulationSnapshotFactory(municipality=far_town)
    response = client_for("municipal_user").post(
        "/admin/hokenfukushi/populationsnapshot/",
        {"action": "delete_selected", "_selected_action": [own.pk, far.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(PopulationSnapshot.objects.all()) == [far]


def test_council_cannot_include_another_regions_town(client_for, region, far_town, town):
    response = client_for("region_admin").post(
        "/admin/hokenfukushi/council/add/",
        {
            "region": region.pk,
            "name": "共同設置の協議の場",
            "form": CouncilForm.JOINT,
            "municipalities": [town.pk, far_town.pk],
            "status": "planning",
            "status_date": "",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert not Council.objects.exists()


def test_autocomplete_lists_only_towns_in_scope(client_for, town, other_town, far_town):
    response = client_for("municipal_user").get(
        "/admin/autocomplete/",
        {
            "app_label": "hokenfukushi",
            "model_name": "localresource",
            "field_name": "municipality",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert far_town.pk not in ids
    assert town.pk in ids


@pytest.mark.parametrize(
    ("role", "readable"),
    [
        ("region_admin", {"town", "other_town"}),
        ("municipal_user", {"town", "other_town"}),
        ("other_region_user", {"far_town"}),
        ("prefecture_user", {"town", "other_town", "far_town"}),
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "/exports/prefecture.csv?fiscal_year=2025",
        "/exports/open-data.csv?fiscal_year=2025",
        "/exports/caseload.csv",
    ],
)
def test_exports_contain_exactly_the_towns_in_read_scope(client_for, request, role, readable, url):
    from caseload.factories import CountReportFactory

    towns = {name: request.getfixturevalue(name) for name in ("town", "other_town", "far_town")}
    for town in towns.values():
        CountReportFactory(municipality=town, approved=True)
    response = client_for(role).get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    present = {name for name, town in towns.items() if town.code in body}
    assert present == readable
