"""Councils and local resources in the admin: who sees and changes what, and bad input."""

import pytest
from django.core.management import call_command

from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    LocalResource,
    ResourceKind,
)


@pytest.fixture
def council(region, town, other_town):
    council = Council.objects.create(
        region=region, name="テスト協議の場", form=CouncilForm.JOINT, status=CouncilStatus.PLANNING
    )
    council.municipalities.set([town, other_town])
    return council


@pytest.fixture
def resource(town):
    return LocalResource.objects.create(
        name="テスト事業所", kind=ResourceKind.RESPITE, municipality=town, serves_children=True
    )


def test_region_admin_adds_a_council_of_its_own_towns(client_for, region, town, other_town):
    response = client_for("region_admin").post(
        "/admin/hokenfukushi/council/add/",
        {
            "region": region.pk,
            "name": "新しい協議の場",
            "form": CouncilForm.SINGLE,
            "municipalities": [town.pk],
            "status": CouncilStatus.ESTABLISHED,
            "status_date": "2026-04-01",
            "notes": "",
        },
    )
    assert response.status_code == 302
    council = Council.objects.get(name="新しい協議の場")
    assert list(council.municipalities.all()) == [town]


def test_a_council_cannot_take_a_town_of_another_region(
    client_for, region, town, far_town, superuser
):
    response = client_for(superuser).post(
        "/admin/hokenfukushi/council/add/",
        {
            "region": region.pk,
            "name": "混ざった協議の場",
            "form": CouncilForm.JOINT,
            "municipalities": [town.pk, far_town.pk],
            "status": CouncilStatus.PLANNING,
            "status_date": "",
            "notes": "入力した備考",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "構成市町村はテスト圏域Aの市町村から選んでください（対象外: とおく村）" in page
    assert "入力した備考" in page  # nothing the user typed is lost
    assert not Council.objects.filter(name="混ざった協議の場").exists()


def test_an_established_council_needs_its_date(client_for, region, town):
    response = client_for("region_admin").post(
        "/admin/hokenfukushi/council/add/",
        {
            "region": region.pk,
            "name": "日付のない協議の場",
            "form": CouncilForm.SINGLE,
            "municipalities": [town.pk],
            "status": CouncilStatus.ESTABLISHED,
            "status_date": "",
        },
    )
    assert response.status_code == 200
    assert not Council.objects.filter(name="日付のない協議の場").exists()


@pytest.mark.parametrize(
    "role,listed,can_change",
    [
        ("region_admin", True, True),
        ("municipal_user", True, False),  # a region-level row is the base center's to change
        ("other_town_user", True, False),
        ("other_region_user", False, False),
    ],
)
def test_council_scope_per_role(client_for, council, role, listed, can_change):
    client = client_for(role)
    listing = client.get("/admin/hokenfukushi/council/").content.decode()
    assert ("テスト協議の場" in listing) is listed
    change = client.get(f"/admin/hokenfukushi/council/{council.pk}/change/")
    if not listed:
        assert change.status_code == 404
    else:
        assert change.status_code == 200
        assert ('name="name"' in change.content.decode()) is can_change


@pytest.mark.parametrize(
    "role,status",
    [
        ("region_admin", 200),
        ("municipal_user", 200),
        ("other_town_user", 200),
        ("other_region_user", 404),
    ],
)
def test_resource_change_page_per_role(client_for, resource, role, status):
    response = client_for(role).get(f"/admin/hokenfukushi/localresource/{resource.pk}/change/")
    assert response.status_code == status


def test_anonymous_is_sent_to_the_admin_login(client_for, resource):
    response = client_for("anonymous").get("/admin/hokenfukushi/localresource/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_town_staff_file_resources_only_under_their_own_town(
    client_for, town, other_town, municipal_user
):
    client = client_for("municipal_user")
    form = {
        "name": "となり町の事業所",
        "kind": ResourceKind.AFTER_SCHOOL,
        "municipality": other_town.pk,
        "serves_children": "on",
        "notes": "",
    }
    response = client.post("/admin/hokenfukushi/localresource/add/", form)
    assert response.status_code == 200  # other_town is not a valid choice
    assert not LocalResource.objects.filter(name="となり町の事業所").exists()
    response = client.post(
        "/admin/hokenfukushi/localresource/add/", form | {"municipality": town.pk}
    )
    assert response.status_code == 302
    assert LocalResource.objects.get(name="となり町の事業所").municipality == town


def test_a_resource_must_serve_someone(client_for, town):
    response = client_for("municipal_user").post(
        "/admin/hokenfukushi/localresource/add/",
        {"name": "誰も対象にしない", "kind": ResourceKind.OTHER, "municipality": town.pk},
    )
    assert response.status_code == 200
    assert "「児を対象」「者を対象」の少なくとも一方を選んでください。" in response.content.decode()


@pytest.mark.django_db
def test_demo_has_a_joint_council_under_study_and_the_sources_resources():
    call_command("load_demo")
    council = Council.objects.get()
    assert (council.form, council.status) == (CouncilForm.JOINT, CouncilStatus.PLANNING)
    assert council.municipalities.count() == 4
    assert not Council.objects.established().exists()
    kinds = sorted(LocalResource.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            ResourceKind.CHILD_DEVELOPMENT,
            ResourceKind.AFTER_SCHOOL,
            ResourceKind.DAILY_LIFE_CARE,
            ResourceKind.NURSE_STAFFED_FACILITY,
            ResourceKind.RESPITE,
        ]
    )
    respite = LocalResource.objects.get(kind=ResourceKind.RESPITE)
    assert (respite.serves_children, respite.serves_adults) == (False, True)
    assert all("（デモ）" in r.name for r in LocalResource.objects.all())
