"""Region admins manage their region's accounts and can grant nothing beyond their own role."""

import pytest

from hokenfukushi.models import User

ADD_URL = "/admin/hokenfukushi/user/add/"


def _new_account(**overrides):
    data = {
        "username": "newstaff",
        "password1": "a-long-enough-pass-2025",
        "password2": "a-long-enough-pass-2025",
        "usable_password": "true",
        "last_name": "新任",
        "first_name": "担当",
        "email": "",
        "role": User.Role.MUNICIPAL,
        "region": "",
        "municipality": "",
    }
    data.update(overrides)
    return data


def test_region_admin_creates_municipal_staff_for_own_town(client_for, region_admin, town):
    response = client_for(region_admin).post(ADD_URL, _new_account(municipality=town.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newstaff")
    assert created.role == User.Role.MUNICIPAL
    assert created.municipality == town
    assert created.is_staff and not created.is_superuser


def test_region_admin_cannot_assign_another_regions_town(client_for, region_admin, far_town):
    response = client_for(region_admin).post(ADD_URL, _new_account(municipality=far_town.pk))
    assert response.status_code == 200
    assert not User.objects.filter(username="newstaff").exists()


@pytest.mark.parametrize("role", [User.Role.PREFECTURE])
def test_region_admin_cannot_grant_beyond_own_role(client_for, region_admin, role):
    response = client_for(region_admin).post(ADD_URL, _new_account(role=role))
    assert response.status_code == 200
    assert not User.objects.filter(username="newstaff").exists()


def test_region_admin_cannot_make_superuser(client_for, region_admin, municipal_user):
    url = f"/admin/hokenfukushi/user/{municipal_user.pk}/change/"
    client = client_for(region_admin)
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page
    client.post(
        url,
        {
            "username": municipal_user.username,
            "role": "municipal",
            "municipality": municipal_user.municipality_id,
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    municipal_user.refresh_from_db()
    assert not municipal_user.is_superuser


def test_region_admin_deactivates_an_account(client_for, region_admin, municipal_user):
    url = f"/admin/hokenfukushi/user/{municipal_user.pk}/change/"
    response = client_for(region_admin).post(
        url,
        {
            "username": municipal_user.username,
            "role": "municipal",
            "municipality": municipal_user.municipality_id,
            "last_name": "",
            "first_name": "",
            "email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    municipal_user.refresh_from_db()
    assert not municipal_user.is_active


def test_other_regions_accounts_are_invisible(
    client_for, region_admin, other_region_user, municipal_user
):
    client = client_for(region_admin)
    listing = client.get("/admin/hokenfukushi/user/").content.decode()
    assert municipal_user.username in listing
    assert other_region_user.username not in listing
    assert client.get(f"/admin/hokenfukushi/user/{other_region_user.pk}/change/").status_code == 404


@pytest.mark.parametrize("role", ["municipal_user", "prefecture_user"])
def test_only_region_admins_and_superusers_manage_accounts(client_for, role):
    assert client_for(role).get("/admin/hokenfukushi/user/").status_code in (302, 403)


def test_only_superuser_makes_superusers(client_for, superuser, town):
    response = client_for(superuser).post(
        ADD_URL, _new_account(role=User.Role.REGION_ADMIN, region=town.region_id)
    )
    assert response.status_code == 302
    created = User.objects.get(username="newstaff")
    assert created.role == User.Role.REGION_ADMIN and created.region_id == town.region_id
    assert created.is_staff and not created.is_superuser
    # The superuser can raise the new account to superuser; a region admin could not (above).
    client_for(superuser).post(
        f"/admin/hokenfukushi/user/{created.pk}/change/",
        {
            "username": created.username,
            "role": User.Role.REGION_ADMIN,
            "region": town.region_id,
            "municipality": "",
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    created.refresh_from_db()
    assert created.is_superuser
