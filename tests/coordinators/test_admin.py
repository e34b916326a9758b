"""The coordinators admin: scope per role (404 outside the edit scope for municipal staff),
Japanese filters and search, FK choices, validation messages."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import BaseProfession, Coordinator, Experience, Organization
from hokenfukushi.models import User

LIST = "/admin/coordinators/coordinator/"
ORG_LIST = "/admin/coordinators/organization/"


@pytest.fixture
def people(region, town, other_town, far_town):
    base = OrganizationFactory(name="基幹センターT", municipality=None, region=region)
    return {
        "own": CoordinatorFactory(
            name="本町 一郎", kana="ほんまち いちろう", organization__municipality=town
        ),
        "other": CoordinatorFactory(
            name="隣町 二郎", kana="となりまち じろう", organization__municipality=other_town
        ),
        "base": CoordinatorFactory(
            name="基幹 三子", kana="きかん みつこ", organization=base, covers_whole_region=True
        ),
        "far": CoordinatorFactory(
            name="遠方 四郎", kana="えんぽう しろう", organization__municipality=far_town
        ),
    }


# role -> rows whose change page opens (all others answer 404) = rows listed = rows it can save
EDITABLE = {
    "region_admin": {"own", "other", "base"},
    "municipal_user": {"own"},
    "other_town_user": {"other"},
    "other_region_user": {"far"},
}


def _form(person: Coordinator, **changes) -> dict:
    data = {
        "name": person.name,
        "kana": person.kana,
        "organization": person.organization_id,
        "is_active": "on",
        "base_profession": person.base_profession,
        "base_profession_other": "",
        "training_fiscal_year": person.training_fiscal_year,
        "training_course": person.training_course,
        "experience": person.experience,
        "medical_care_cases": "",
        "municipalities": [t.pk for t in person.municipalities.all()],
        "contact_visibility": person.contact_visibility,
        "notes": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", EDITABLE)
def test_list_change_history_and_save_follow_the_edit_scope(role, client_for, people):
    client = client_for(role)
    listing = client.get(LIST).content.decode()
    for key, person in people.items():
        allowed = key in EDITABLE[role]
        assert (person.name in listing) == allowed, key
        expected = 200 if allowed else 404
        assert client.get(f"{LIST}{person.pk}/change/").status_code == expected, key
        assert client.get(f"{LIST}{person.pk}/history/").status_code == expected, key
        client.post(f"{LIST}{person.pk}/change/", _form(person, notes="更新しました"))
        person.refresh_from_db()
        assert (person.notes == "更新しました") == allowed, key


@pytest.mark.parametrize("role", ["prefecture_user", "anonymous"])
def test_non_staff_are_sent_to_admin_login(role, client_for, people):
    response = client_for(role).get(LIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_municipal_staff_can_only_file_people_under_their_own_towns_organizations(
    client_for, people, town
):
    client = client_for("municipal_user")
    page = client.get(f"{LIST}add/").content.decode()
    choices = page[page.index('<select name="organization"') :]
    choices = choices[: choices.index("</select>")]
    assert people["own"].organization.name in choices
    assert people["other"].organization.name not in choices
    assert people["base"].organization.name not in choices

    # moving one's own coordinator to another town's organization by a hand-made POST fails
    own = people["own"]
    response = client.post(
        f"{LIST}{own.pk}/change/", _form(own, organization=people["other"].organization_id)
    )
    assert response.status_code == 200
    assert "正しく選択" in response.content.decode()
    own.refresh_from_db()
    assert own.organization_id != people["other"].organization_id


def test_search_by_kana_and_by_name(client_for, people):
    client = client_for("region_admin")
    by_kana = client.get(LIST, {"q": "となりまち"}).content.decode()
    assert "隣町 二郎" in by_kana and "本町 一郎" not in by_kana
    by_name = client.get(LIST, {"q": "基幹 三子"}).content.decode()
    assert "基幹 三子" in by_name and "隣町 二郎" not in by_name


def test_filters_are_in_japanese_and_filter(client_for, people):
    people["other"].experience = Experience.DIRECT
    people["other"].medical_care_cases = 2
    people["other"].training_fiscal_year = 2019
    people["other"].save()
    client = client_for("region_admin")
    page = client.get(LIST).content.decode()
    for title in ("所在市町村", "所属機関の種別", "基礎職", "経験値", "養成研修修了年度", "活動中"):
        assert title in page, title
    assert "令和元年度（2019）" in page
    direct = client.get(LIST, {"experience__exact": "direct"}).content.decode()
    assert "隣町 二郎" in direct and "本町 一郎" not in direct
    fy2019 = client.get(LIST, {"training_fiscal_year": "2019"}).content.decode()
    assert "隣町 二郎" in fy2019 and "本町 一郎" not in fy2019


def test_list_is_in_kana_order(client_for, people):
    page = client_for("region_admin").get(LIST).content.decode()
    names = ["基幹 三子", "隣町 二郎", "本町 一郎"]  # きかん < となりまち < ほんまち
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)


def test_other_profession_without_text_is_refused_and_input_kept(client_for, people):
    own = people["own"]
    response = client_for("municipal_user").post(
        f"{LIST}{own.pk}/change/",
        _form(own, base_profession=BaseProfession.OTHER, notes="消えないメモ"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "基礎職（その他の内容）を入力してください" in page
    assert "消えないメモ" in page
    own.refresh_from_db()
    assert own.base_profession != BaseProfession.OTHER


def test_case_count_without_experience_is_refused(client_for, people):
    own = people["own"]
    response = client_for("municipal_user").post(
        f"{LIST}{own.pk}/change/", _form(own, experience=Experience.NONE, medical_care_cases=3)
    )
    assert "支援した医療的ケア児者の数を入力できません" in response.content.decode()
    own.refresh_from_db()
    assert own.medical_care_cases is None


def test_municipal_staff_add_an_organization_in_their_town(client_for, region, town, other_town):
    client = client_for("municipal_user")
    data = {"name": "新しい事業所", "kind": "planned", "region": region.pk, "municipality": town.pk}
    client.post(f"{ORG_LIST}add/", data)
    assert Organization.objects.filter(name="新しい事業所", municipality=town).exists()
    client.post(f"{ORG_LIST}add/", {**data, "name": "よその事業所", "municipality": other_town.pk})
    assert not Organization.objects.filter(name="よその事業所").exists()


def test_organization_town_must_be_in_its_region(client_for, region, far_town):
    response = client_for("superuser").post(
        f"{ORG_LIST}add/",
        {
            "name": "ずれた事業所",
            "kind": "planned",
            "region": region.pk,
            "municipality": far_town.pk,
        },
    )
    assert "所在市町村は、選んだ圏域の市町村にしてください" in response.content.decode()
    assert not Organization.objects.filter(name="ずれた事業所").exists()


def test_demo_misato_edits_only_misato(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    client = Client()
    client.force_login(User.objects.get(username="misato"))
    listed = client.get(LIST).context["cl"].result_list
    assert {c.organization.municipality.name for c in listed} == {"美里町"}
    assert len(listed) == 2
    honjo = Coordinator.objects.filter(organization__municipality__name="本庄市").first()
    assert client.get(f"{LIST}{honjo.pk}/change/").status_code == 404
    # ... while the shared page still shows the whole region to them
    assert client.get("/coordinators/").context["total"] == 16


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["region_admin", "municipal_user"])
def test_changelist_query_count_does_not_grow(
    role, client_for, town, django_assert_max_num_queries
):
    client = client_for(role)
    organization = OrganizationFactory(municipality=town)
    CoordinatorFactory.create_batch(5, organization=organization)
    small = _changelist_queries(client)
    CoordinatorFactory.create_batch(95, organization=organization)
    with django_assert_max_num_queries(small):
        _changelist_queries(client)


def test_only_the_region_admin_decides_region_wide_coverage(client_for, people):
    own = people["own"]
    client_for("municipal_user").post(
        f"{LIST}{own.pk}/change/", _form(own, covers_whole_region="on", notes="変更")
    )
    own.refresh_from_db()
    assert own.notes == "変更" and not own.covers_whole_region
    client_for("region_admin").post(f"{LIST}{own.pk}/change/", _form(own, covers_whole_region="on"))
    own.refresh_from_db()
    assert own.covers_whole_region


def test_profession_text_with_a_listed_profession_is_refused(client_for, people):
    own = people["own"]
    response = client_for("municipal_user").post(
        f"{LIST}{own.pk}/change/",
        _form(own, base_profession=BaseProfession.NURSE, base_profession_other="理学療法士"),
    )
    assert "「その他」を選んだときだけ入力してください" in response.content.decode()
    own.refresh_from_db()
    assert own.base_profession_other == ""


def test_the_account_is_never_chosen_in_the_admin(client_for, people, coordinator_user):
    """The account is tied by the invitation only: posting one in the admin changes nothing."""
    person = people["own"]
    client_for("region_admin").post(
        f"{LIST}{person.pk}/change/", _form(person, account=coordinator_user.pk, notes="x")
    )
    person.refresh_from_db()
    assert person.notes == "x" and person.account is None
