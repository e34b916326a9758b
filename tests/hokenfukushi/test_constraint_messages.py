"""Every database constraint speaks Japanese on the field it concerns (issue 20 item 6).

The walk covers every model of every project app, so a new constraint without a Japanese
message, a code or a field fails here; the second test breaks each constraint through the
form the admin shows for its model and looks at what the user would read."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import UniqueConstraint
from django.forms.models import model_to_dict, modelform_factory
from django.test import RequestFactory

from caseload.factories import CountReportFactory
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import BaseProfession, Experience, OrganizationKind
from hokenfukushi.constraints import errors_on_fields
from hokenfukushi.factories import PopulationSnapshotFactory, UserFactory
from hokenfukushi.models import Council, CouncilForm, CouncilStatus, LocalResource, ResourceKind
from meetings.factories import (
    ActionItemFactory,
    CoordinatorAttendanceFactory,
    InvitationFactory,
    MeetingFactory,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
TOKYO = ZoneInfo("Asia/Tokyo")


def project_models():
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and ".venv" not in path.parts:
            yield from config.get_models()


def all_constraints():
    return [
        (model, constraint) for model in project_models() for constraint in model._meta.constraints
    ]


def test_the_walk_sees_every_project_app():
    labels = {model._meta.app_label for model in project_models()}
    assert {"hokenfukushi", "caseload", "coordinators", "meetings"} <= labels


@pytest.mark.parametrize(
    ("model", "constraint"),
    all_constraints(),
    ids=lambda value: getattr(value, "name", getattr(value, "__name__", str(value))),
)
def test_every_constraint_has_a_japanese_message_a_code_and_a_field(model, constraint):
    message = str(constraint.get_violation_error_message())
    assert JAPANESE.search(message), message
    assert constraint.name not in message
    assert constraint.violation_error_code, "violation_error_code missing"
    single_field_unique = isinstance(constraint, UniqueConstraint) and len(constraint.fields) == 1
    if not single_field_unique:
        fields = getattr(model, "constraint_error_fields", {})
        assert constraint.violation_error_code in fields, "no field for the message"
        model._meta.get_field(fields[constraint.violation_error_code])
    codes = [c.violation_error_code for c in model._meta.constraints]
    assert codes.count(constraint.violation_error_code) == 1, "codes must differ within a model"


def test_errors_on_fields_moves_only_known_codes_and_keeps_excluded_fields_whole():
    from django.core.exceptions import ValidationError

    error = ValidationError(
        [ValidationError("終了日時は…", code="ends_before_start"), ValidationError("他", code="x")]
    )
    moved = errors_on_fields(error, {"ends_before_start": "ends_at"}).error_dict
    assert [e.message for e in moved["ends_at"]] == ["終了日時は…"]
    assert [e.message for e in moved[NON_FIELD_ERRORS]] == ["他"]
    kept = errors_on_fields(error, {"ends_before_start": "ends_at"}, exclude={"ends_at"})
    assert set(kept.error_dict) == {NON_FIELD_ERRORS}


# --- each constraint broken through its admin form --------------------------------------------
# name -> (build(fixtures) -> (model, instance the form edits or None for a new row, values))


def _copy(instance, **changes):
    return type(instance), None, {**model_to_dict(instance), **changes}


def _edit(instance, **changes):
    return type(instance), instance, {**model_to_dict(instance), **changes}


def _meeting_times(meeting, *, ends_at):
    return _edit(meeting, ends_at=ends_at)


def _topic(f):
    from coordinators.factories import CoordinatorFactory
    from coordinators.models import CoordinatorTopic

    return CoordinatorTopic.objects.create(coordinator=CoordinatorFactory(), topic="respite")


def _activity(f):
    from coordinators.factories import ActivityFactory

    return ActivityFactory()


CASES = {
    "count_report_as_of_supported": lambda f: _edit(
        CountReportFactory(municipality=f["town"]), as_of=dt.date(2015, 4, 1)
    ),
    "meeting_starts_on_a_supported_date": lambda f: _edit(
        MeetingFactory(region=f["region"]),
        starts_at=dt.datetime(2015, 4, 1, 14, 0, tzinfo=TOKYO),
        ends_at=None,
    ),
    "topic_once_per_coordinator": lambda f: _copy(_topic(f)),
    "activity_age_matches_child_or_adult": lambda f: _edit(
        _activity(f), person_kind="adult", age_band="infant"
    ),
    "one_report_per_municipality_and_date": lambda f: _copy(
        CountReportFactory(municipality=f["town"])
    ),
    "smid_children_subset_within_total": lambda f: _edit(
        CountReportFactory(municipality=f["town"]), smid_children_with_medical_care=99
    ),
    "smid_adults_subset_within_total": lambda f: _edit(
        CountReportFactory(municipality=f["town"]), smid_adults_with_medical_care=99
    ),
    "one_population_per_municipality_and_date": lambda f: _copy(
        PopulationSnapshotFactory(municipality=f["town"])
    ),
    "population_not_negative": lambda f: _edit(
        PopulationSnapshotFactory(municipality=f["town"]), population=-1
    ),
    "municipality_code_six_digits": lambda f: _edit(f["town"], code="12345"),
    "region_admin_has_region": lambda f: _edit(UserFactory(), role="region_admin", region=None),
    "municipal_staff_has_municipality": lambda f: _edit(
        UserFactory(), role="municipal", municipality=None
    ),
    "coordinator_account_has_no_home": lambda f: _edit(
        UserFactory(), role="coordinator", region=f["region"]
    ),
    "council_name_per_region": lambda f: _copy(_council(f)),
    "established_council_has_date": lambda f: _edit(
        _council(f), status=CouncilStatus.ESTABLISHED, status_date=None
    ),
    "resource_serves_someone": lambda f: _edit(
        LocalResource.objects.create(
            name="テスト事業所",
            kind=ResourceKind.RESPITE,
            municipality=f["town"],
            serves_children=True,
        ),
        serves_children=False,
        serves_adults=False,
    ),
    "organization_name_per_region": lambda f: _copy(OrganizationFactory(municipality=f["town"])),
    "only_commissioned_centers_have_a_field": lambda f: _edit(
        OrganizationFactory(municipality=f["town"], kind=OrganizationKind.GOVERNMENT),
        field="mental",
    ),
    "other_profession_is_described": lambda f: _edit(
        _coordinator(f), base_profession=BaseProfession.OTHER, base_profession_other=""
    ),
    "profession_text_only_for_other": lambda f: _edit(
        _coordinator(f), base_profession_other="何か"
    ),
    "no_cases_without_experience": lambda f: _edit(
        _coordinator(f), experience=Experience.NONE, medical_care_cases=3
    ),
    "training_year_in_range": lambda f: _edit(_coordinator(f), training_fiscal_year=2015),
    "meeting_number_per_region": lambda f: _copy(_meeting(f)),
    "meeting_number_positive": lambda f: _edit(_meeting(f), number=0),
    "meeting_ends_after_start": lambda f: _meeting_times(
        _meeting(f), ends_at=dt.datetime(2026, 4, 1, 13, 0, tzinfo=TOKYO)
    ),
    "attendance_is_coordinator_or_organization": lambda f: _edit(
        CoordinatorAttendanceFactory(meeting=_meeting(f), coordinator=_coordinator(f)),
        coordinator=None,
        organization=None,
    ),
    "coordinator_attends_once": lambda f: _copy(
        CoordinatorAttendanceFactory(meeting=_meeting(f), coordinator=_coordinator(f))
    ),
    "invitation_email_once_per_meeting": lambda f: _copy(
        InvitationFactory(meeting=_meeting(f, number=5))
    ),
    "coordinator_invited_once": lambda f: _copy(
        InvitationFactory(meeting=_meeting(f, number=5), coordinator=_coordinator(f)),
        email="another@example.jp",
    ),
    "sent_invitation_has_sent_at": lambda f: _edit(
        InvitationFactory(meeting=_meeting(f, number=5)), status="sent", sent_at=None
    ),
    "open_action_not_closed": lambda f: _edit(
        ActionItemFactory(raised_at=_meeting(f)), closed_at=_meeting(f, number=2).pk
    ),
}


def _council(f):
    council = Council.objects.create(
        region=f["region"], name="テスト協議の場", form=CouncilForm.JOINT
    )
    council.municipalities.set([f["town"]])
    return council


def _coordinator(f):
    return CoordinatorFactory(organization=OrganizationFactory(municipality=f["town"]))


def _meeting(f, number=1):
    return MeetingFactory(
        region=f["region"],
        number=number,
        starts_at=dt.datetime(2026, 4, 1, 14, 0, tzinfo=TOKYO),
    )


def test_every_constraint_has_a_case():
    assert {constraint.name for _model, constraint in all_constraints()} == set(CASES)


def _form_data(form, values) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = values.get(name)
        if value is None:
            continue
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def _admin_form(model, instance, superuser):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:  # an inline's model: its form validates the same way
        return modelform_factory(model, fields="__all__")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    return model_admin.get_form(request, obj=instance, change=instance is not None)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_constraint_through_its_admin_form_says_what_to_fix_on_the_field(
    name, region, town, superuser
):
    model, instance, values = CASES[name]({"region": region, "town": town})
    form_class = _admin_form(model, instance, superuser)
    blank = form_class(instance=instance)
    data = _form_data(blank, values)
    if "expected_version" in blank.fields and instance is not None:
        data["expected_version"] = str(instance.version)
    form = form_class(data, instance=instance)
    assert not form.is_valid()
    shown = " ".join(str(message) for errors in form.errors.values() for message in errors)
    assert name not in shown and "制約" not in shown and "Constraint" not in shown, shown
    assert JAPANESE.search(shown), shown
    constraint = next(c for _m, c in all_constraints() if c.name == name)
    own_fields = getattr(constraint, "fields", ())
    field = getattr(model, "constraint_error_fields", {}).get(
        constraint.violation_error_code, own_fields[0] if own_fields else None
    )
    assert field in form.errors, (field, form.errors)
    assert str(constraint.get_violation_error_message()) not in str(
        form.errors.get(NON_FIELD_ERRORS, "")
    )
