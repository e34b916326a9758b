"""The attacks of issue 22, replayed through the normal admin forms and URLs: each one is now
refused with a Japanese message on the field concerned and writes nothing, or answers as it
should."""

import datetime as dt
import re
from email.message import Message

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caseload.factories import CountReportFactory
from caseload.models import CountReport
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import Coordinator, Organization
from hokenfukushi.admin_scope import TOWN_REQUIRED
from hokenfukushi.fiscal import fiscal_year_label, last_supported_date, wareki
from hokenfukushi.models import Municipality, Region

pytestmark = pytest.mark.django_db

ORG_ADD = "/admin/coordinators/organization/add/"
COORDINATOR = "/admin/coordinators/coordinator/"
REPORTS = "/admin/caseload/countreport/"
IMPORT = f"{REPORTS}import/"
# The public URLs (DESIGN.md), which stay whichever app serves them.
EXPORTS = ("/exports/prefecture.csv", "/exports/open-data.csv", "/exports/caseload.csv")
HEADER = "団体コード,基準日,重症心身障害児,医療的ケア児,重症心身障害者,医療的ケア者\n"


def _organization_form(region, town=None, **changes) -> dict:
    return {
        "name": "美里町の新しい事業所",
        "kind": "planned",
        "department": "",
        "field": "",
        "region": region.pk,
        "municipality": "" if town is None else town.pk,
        "notes": "",
        **changes,
    }


# --- 1. a municipal user cannot create region-level rows ------------------------------------


def test_town_staff_cannot_add_an_organization_without_a_town(client_for, region, town):
    response = client_for("municipal_user").post(ORG_ADD, _organization_form(region))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["municipality"] == [TOWN_REQUIRED]
    assert not Organization.objects.exists()


def test_town_staff_add_an_organization_in_their_town_under_its_region(client_for, region, town):
    response = client_for("municipal_user").post(ORG_ADD, _organization_form(region, town))
    assert response.status_code == 302
    assert Organization.objects.get().municipality == town


def test_the_center_may_still_add_a_region_wide_organization(client_for, region, town):
    response = client_for("region_admin").post(ORG_ADD, _organization_form(region))
    assert response.status_code == 302
    assert Organization.objects.get().municipality is None


def test_town_staff_are_offered_only_their_own_region(client_for, region, other_region, town):
    form = client_for("municipal_user").get(ORG_ADD).context["adminform"].form
    assert list(form.fields["region"].queryset) == [region]
    assert list(form.fields["municipality"].queryset) == [town]
    response = client_for("municipal_user").post(ORG_ADD, _organization_form(other_region, town))
    assert "region" in response.context["adminform"].form.errors
    assert not Organization.objects.exists()


# --- 2. a municipal user cannot make another town's coverage gap disappear --------------------


def _coordinator_form(organization, towns, **changes) -> dict:
    return {
        "name": "試験 花子",
        "kana": "しけん はなこ",
        "organization": organization.pk,
        "base_profession": "nurse",
        "base_profession_other": "",
        "training_fiscal_year": 2024,
        "training_course": "coordinator",
        "experience": "none",
        "medical_care_cases": "",
        "municipalities": [t.pk for t in towns],
        "is_active": "on",
        "notes": "",
        "contact_visibility": "region",
        **changes,
    }


def test_town_staff_cannot_add_a_coordinator_covering_other_towns(
    client_for, town, other_town, far_town
):
    organization = OrganizationFactory(municipality=town)
    response = client_for("municipal_user").post(
        f"{COORDINATOR}add/", _coordinator_form(organization, [town, other_town, far_town])
    )
    assert response.status_code == 200
    assert "municipalities" in response.context["adminform"].form.errors
    assert not Coordinator.objects.exists()
    form = client_for("municipal_user").get(f"{COORDINATOR}add/").context["adminform"].form
    assert list(form.fields["municipalities"].queryset) == [town]


def test_town_staff_editing_keep_the_coverage_the_center_gave(client_for, town, other_town):
    """Not offered is not removed: the center's choice of 本庄市 survives 美里町's edit."""
    person = CoordinatorFactory(organization__municipality=town, municipalities=[town, other_town])
    response = client_for("municipal_user").post(
        f"{COORDINATOR}{person.pk}/change/",
        _coordinator_form(person.organization, [town], name="試験 花子（改）"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "試験 花子（改）"
    assert set(person.municipalities.all()) == {town, other_town}


# --- 3. dates outside the supported range never get in; odd stored dates never 500 -----------


@pytest.mark.parametrize("day", ["1800-04-01", "1867-12-31", "2016-03-31", "9999-12-31"])
def test_unsupported_dates_are_refused_by_the_form(client_for, town, day):
    response = client_for("municipal_user").post(
        f"{REPORTS}add/",
        {
            "municipality": town.pk,
            "as_of": day,
            "smid_children": 0,
            "medical_care_children": 0,
            "smid_adults": 0,
            "medical_care_adults": 0,
            "note": "",
        },
    )
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["as_of"]
    assert message.startswith("平成28年4月1日 から ")
    assert not CountReport.objects.exists()


@pytest.mark.parametrize("day", ["1800-04-01", "1867-12-31", "9999-12-31"])
def test_unsupported_dates_are_refused_by_the_import(client_for, town, day):
    client = client_for("municipal_user")
    text = HEADER + f"{town.code},{day},1,1,1,1\n"
    preview = client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", text.encode())})
    assert preview.status_code == 200
    [error] = preview.context["plan"].errors
    assert (error.line, error.column) == (2, "基準日") and "平成28年4月1日 から" in error.message
    confirmed = client.post(IMPORT, {"csv_text": text, "confirm": "1"})
    assert confirmed.status_code == 200
    assert not CountReport.objects.exists()


def test_the_database_refuses_a_date_before_the_first_supported_day(town):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        CountReportFactory(municipality=town, as_of=dt.date(1800, 4, 1))


def test_odd_stored_dates_never_break_the_lists_or_the_exports(client_for, town):
    """A far-future report stored before the bound (or by a script) is still listed, and the
    exports still open on a year they offer."""
    CountReportFactory(municipality=town, as_of=dt.date(9999, 12, 31), approved=True)
    for role in ("region_admin", "municipal_user"):
        response = client_for(role).get(REPORTS)
        assert response.status_code == 200
        assert "令和7981年度" in response.content.decode()
    for url in EXPORTS:
        assert client_for("region_admin").get(url).status_code == 200, url


def test_wareki_and_fiscal_year_labels_never_raise():
    assert wareki(dt.date(1800, 4, 1)) == "1800年4月1日"
    assert wareki(dt.date(1867, 12, 31)) == "1867年12月31日"
    assert fiscal_year_label(1799) == "1799年度"
    assert fiscal_year_label(9999) == "令和7981年度"
    assert fiscal_year_label(10_000) == "10000年度"
    assert last_supported_date(dt.date(2026, 12, 5)) == dt.date(2028, 3, 31)


def test_one_import_takes_a_bounded_number_of_rows(client_for, town, settings):
    settings.CASELOAD_IMPORT_MAX_ROWS = 3
    text = HEADER + "".join(f"{town.code},2025-04-0{day},1,1,1,1\n" for day in range(1, 6))
    preview = client_for("municipal_user").post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", text.encode())}
    )
    messages = [error.message for error in preview.context["plan"].errors]
    assert messages == ["1回に取り込めるのは3行までです。ファイルを分けて取り込んでください。"]
    assert preview.context["confirm_form"] is None


def test_an_over_long_field_is_refused_in_japanese(client_for, town):
    import csv

    text = HEADER + f'{town.code},2025-04-01,"{"1" * (csv.field_size_limit() + 1)}",1,1,1\n'
    preview = client_for("municipal_user").post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", text.encode())}
    )
    assert preview.status_code == 200
    [error] = preview.context["plan"].errors
    assert error.message == f"1つの欄が長すぎます（{csv.field_size_limit():,}文字まで）。"


# --- 4. export headers built by the framework -------------------------------------------------


@pytest.mark.parametrize(
    "name", ['児玉郡市_x"; filename="evil.html', "児玉郡市\r\nX-Injected: 1", 'Kodama\r\n"x']
)
def test_every_export_has_one_well_formed_content_disposition(client_for, region, town, name):
    Region.objects.filter(pk=region.pk).update(name=name)  # as if set directly in the database
    CountReportFactory(municipality=town, approved=True)
    for export in EXPORTS:
        response = client_for("region_admin").get(export, {"fiscal_year": 2025})
        assert response.status_code == 200, export
        header = Message()
        header["Content-Disposition"] = response["Content-Disposition"]
        disposition, *parameters = header.get_params(header="content-disposition")
        assert disposition[0] == "attachment"
        # one filename parameter (email joins RFC 2231 `filename*` into "filename")
        assert [key for key, _value in parameters] == ["filename"], parameters
        assert re.fullmatch(
            rf"[\w-]+(_R7_2025)?_{re.escape(name)}_\d{{8}}\.csv", header.get_filename()
        )
        assert "X-Injected" not in response.headers


@pytest.mark.parametrize(
    "value", ["児玉\r\n郡市", "児玉\t郡市", "児玉\x1b[31m郡市", "児玉\u202e郡市"]
)
def test_names_refuse_control_characters(client_for, region, value):
    response = client_for("region_admin").post(
        f"/admin/hokenfukushi/region/{region.pk}/change/",
        {
            "name": value,
            "kana": "",
            "prefecture_name": "埼玉県",
            "prefecture_code": region.prefecture_code,
            "center_name": "",
        },
    )
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["name"]
    assert message.startswith("改行・タブなどの制御文字は使えません")
    region.refresh_from_db()
    assert region.name == "テスト圏域A"


# --- 5. scoped list filters, the account admin included ---------------------------------------


def test_the_account_admin_shows_no_other_region_or_town(
    client_for, region_admin, municipal_user, other_region_user, far_town, other_region
):
    page = client_for("region_admin").get("/admin/hokenfukushi/user/").content.decode()
    assert "テスト市" in page  # the filter lists the region's own town
    assert other_region.name not in page and far_town.name not in page


# --- 7. a town's reading is read-only for its staff, like its name -------------------------


def test_town_staff_cannot_change_their_towns_reading(client_for, town):
    Municipality.objects.filter(pk=town.pk).update(kana="てすとし")
    url = f"/admin/hokenfukushi/municipality/{town.pk}/change/"
    form = client_for("municipal_user").get(url).context["adminform"].form
    assert "kana" not in form.fields and "name" not in form.fields


def test_no_admin_list_shows_another_regions_names(client_for, region_admin, town, far_town):
    """Every change list a region admin opens, filters included, names only their region."""
    from django.contrib import admin

    from hokenfukushi.factories import PopulationSnapshotFactory
    from hokenfukushi.models import Council, LocalResource, User
    from meetings.factories import ActionItemFactory, MeetingFactory

    Region.objects.filter(pk=far_town.region_id).update(name="とおく圏域")
    Municipality.objects.filter(pk=far_town.pk).update(name="とおく村")
    far_organization = OrganizationFactory(municipality=far_town, name="とおく事業所")
    CoordinatorFactory(organization=far_organization, municipalities=[far_town])
    CountReportFactory(municipality=far_town, approved=True)
    PopulationSnapshotFactory(municipality=far_town)
    LocalResource.objects.create(
        name="とおく資源", kind="other", municipality=far_town, serves_adults=True
    )
    Council.objects.create(region=far_town.region, name="とおく協議", form="single")
    ActionItemFactory(raised_at=MeetingFactory(region=far_town.region))
    User.objects.create_user("far_staff", role="municipal", municipality=far_town)
    client_for("other_region_user").get("/exports/caseload.csv")  # an export log row there
    client = client_for("region_admin")
    opened = 0
    for model in admin.site._registry:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        page = response.content.decode()
        for name in ("とおく圏域", "とおく村", "とおく事業所", "とおく資源", "とおく協議"):
            assert name not in page, (url, name)
    assert opened >= 12


def test_the_services_refuse_unsupported_dates_too(municipal_user, town):
    from django.core.exceptions import ValidationError

    from caseload import services

    counts = dict.fromkeys(("smid_children", "medical_care_children", "smid_adults"), 0)
    with pytest.raises(ValidationError) as refused:
        services.create_report(
            user=municipal_user,
            municipality=town,
            as_of=last_supported_date() + dt.timedelta(days=1),
            counts={**counts, "medical_care_adults": 0},
        )
    assert list(refused.value.message_dict) == ["as_of"]
    assert not CountReport.objects.exists()


@pytest.mark.parametrize("day", ["1800-04-01", "2016-03-31", "LAST+1"])
def test_meeting_dates_are_bounded_in_the_admin(client_for, region, day):
    from meetings.models import Meeting

    if day == "LAST+1":
        day = (last_supported_date() + dt.timedelta(days=1)).isoformat()
    response = client_for("region_admin").post(
        "/admin/meetings/meeting/add/",
        {
            "region": region.pk,
            "number": 1,
            "starts_at_0": day,
            "starts_at_1": "14:00",
            "status": "planned",
            **{
                f"{prefix}-{key}": value
                for prefix in ("agenda_items", "attendances", "actions_raised", "pre_questions")
                for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        },
    )
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["starts_at"]
    assert "平成28年4月1日 から" in message
    assert not Meeting.objects.exists()


def test_the_database_refuses_a_meeting_before_the_first_supported_day(region):
    from django.db import IntegrityError

    from meetings.factories import meeting_on

    with pytest.raises(IntegrityError):
        meeting_on(region, 1, dt.date(2016, 3, 31))
