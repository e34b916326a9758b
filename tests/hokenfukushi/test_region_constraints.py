"""団体コード and population snapshots: refused with a Japanese message in the admin, and by the
database itself whatever path the data comes in by (run on SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, transaction

from hokenfukushi.factories import PopulationSnapshotFactory
from hokenfukushi.models import Municipality, PopulationSnapshot

pytestmark = pytest.mark.django_db

ADD_TOWN = "/admin/hokenfukushi/municipality/add/"
ADD_POPULATION = "/admin/hokenfukushi/populationsnapshot/add/"
NO_INLINE_ROWS = {
    "population_snapshots-TOTAL_FORMS": "0",
    "population_snapshots-INITIAL_FORMS": "0",
}


def _add_town(client, region, code: str):
    data = {"code": code, "name": "新しい町", "kana": "あたらしいまち", "kind": "town"}
    return client.post(ADD_TOWN, {**data, "region": region.pk, **NO_INLINE_ROWS})


def test_region_admin_adds_a_town_with_a_valid_code(client_for, region):
    response = _add_town(client_for("region_admin"), region, "113816")  # 美里町
    assert response.status_code == 302
    assert Municipality.objects.get(code="113816").region == region


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("113815", "検査数字が正しくありません（末尾は 6 になるはずです）"),
        ("11381", "半角数字6桁"),
        ("１１３８１６", "半角数字6桁"),
    ],
)
def test_a_wrong_code_is_refused_in_japanese_next_to_the_field(client_for, region, code, message):
    response = _add_town(client_for("region_admin"), region, code)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["code"])
    assert not Municipality.objects.filter(name="新しい町").exists()


def test_a_code_already_registered_is_refused(client_for, region, town):
    response = _add_town(client_for("region_admin"), region, town.code)
    assert response.status_code == 200
    assert "既に存在します" in str(response.context["adminform"].form.errors["code"])
    assert Municipality.objects.filter(code=town.code).count() == 1


def test_a_second_population_for_the_same_town_and_date_is_refused(client_for, town):
    PopulationSnapshotFactory(municipality=town, as_of=dt.date(2025, 4, 1), population=100)
    response = client_for("municipal_user").post(
        ADD_POPULATION, {"municipality": town.pk, "as_of": "2025-04-01", "population": 120}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "この市町村・基準日の人口はすでに登録されています" in str(errors["as_of"])
    assert PopulationSnapshot.objects.get(municipality=town).population == 100


@pytest.mark.parametrize("code", ["11211", "1121190", "11211a"])
def test_database_refuses_a_code_that_is_not_six_digits(region, code):
    # PostgreSQL refuses a seventh digit by the column's length (DataError), SQLite by the check
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Municipality.objects.create(code=code, name="x", kind="town", region=region)


def test_database_refuses_a_duplicate_code(region, town):
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(code=town.code, name="x", kind="town", region=region)


def test_database_refuses_two_populations_for_one_town_and_date(town):
    PopulationSnapshot.objects.create(municipality=town, as_of=dt.date(2025, 4, 1), population=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationSnapshot.objects.create(
            municipality=town, as_of=dt.date(2025, 4, 1), population=2
        )
    # another date is fine
    PopulationSnapshot.objects.create(municipality=town, as_of=dt.date(2025, 10, 1), population=2)


def test_database_refuses_a_negative_population(town):
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationSnapshot.objects.create(
            municipality=town, as_of=dt.date(2025, 4, 1), population=-1
        )


def test_a_code_that_lost_its_leading_zero_is_read_padded_and_the_page_says_so(client_for, region):
    client = client_for("region_admin")
    response = _add_town(client, region, "11002")  # 札幌市 011002, typed as a spreadsheet shows it
    assert response.status_code == 302
    assert Municipality.objects.get(name="新しい町").code == "011002"
    page = client.get(response.url).content.decode()
    assert "団体コード「11002」は先頭の0が落ちていたため「011002」として読みました。" in page


@pytest.mark.parametrize(
    ("code", "message"), [("011003", "検査数字が正しくありません"), ("11003", "半角数字6桁")]
)
def test_a_code_whose_padded_form_does_not_check_is_still_refused(
    client_for, region, code, message
):
    response = _add_town(client_for("region_admin"), region, code)
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["code"])
    assert not Municipality.objects.filter(name="新しい町").exists()


def test_the_prefecture_code_of_a_region_is_read_padded_too(client_for, superuser, region):
    from django.forms.models import model_to_dict

    data = {
        key: ("" if value is None else value)
        for key, value in model_to_dict(region).items()
        if key != "id"
    }
    response = client_for(superuser).post(
        f"/admin/hokenfukushi/region/{region.pk}/change/", {**data, "prefecture_code": "10006"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    region.refresh_from_db()
    assert region.prefecture_code == "010006"  # 北海道
