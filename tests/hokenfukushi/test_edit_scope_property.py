"""Property: through the admin, nobody writes a row that points outside their edit scope.

Every registered admin model x every role x every scoped foreign key / many-to-many of its form,
posted (change and add) with a blank value, a row of another town of the same region and a row
of another region. Whenever the scope rule (`choosable_by`, `may_leave_town_blank`) says the
value is not the user's to give, or the user may not write the row at all, the post is refused
(no redirect) and nothing is written. The posted forms are the admin's own (read from the page
as a user who may write them), so a refusal is the scope's doing, not a malformed post: the
baseline test below shows every unchanged payload is accepted.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models.deletion import ProtectedError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from hokenfukushi.admin_scope import ScopedAdminMixin
from hokenfukushi.factories import PopulationSnapshotFactory
from hokenfukushi.models import Council, LocalResource, Municipality, Region
from hokenfukushi.scope import ScopedQuerySet, may_leave_town_blank
from meetings.factories import ActionItemFactory, AgendaItemFactory, MeetingFactory

ROLES = (
    "region_admin",
    "municipal_user",
    "other_town_user",
    "other_region_user",
    "prefecture_user",
)
PLACES = ("other_town", "far_town")  # a row of another town of the region; of another region


def _scoped_admins() -> dict[str, admin.ModelAdmin]:
    return {
        model._meta.label: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ScopedAdminMixin)
    }


class World:
    """One row of every admin model in `town` (the baseline), and rows to point at elsewhere."""

    def __init__(self, town, other_town, far_town):
        self.towns = {"town": town, "other_town": other_town, "far_town": far_town}
        self.rows: dict[tuple[str, str], object] = {}
        for place, where in self.towns.items():
            organization = OrganizationFactory(municipality=where, region=where.region)
            meeting = MeetingFactory(region=where.region, number=10 + len(self.rows))
            self.rows.update(
                {
                    ("hokenfukushi.Region", place): where.region,
                    ("hokenfukushi.Municipality", place): where,
                    ("coordinators.Organization", place): organization,
                    ("coordinators.Coordinator", place): CoordinatorFactory(
                        organization=organization, municipalities=[where]
                    ),
                    ("meetings.Meeting", place): meeting,
                    ("meetings.AgendaItem", place): AgendaItemFactory(meeting=meeting),
                }
            )
        region = town.region
        council = Council.objects.create(region=region, name="テスト協議の場", form="single")
        council.municipalities.set([town])
        self.baseline = {
            "hokenfukushi.Region": region,
            "hokenfukushi.Municipality": town,
            "hokenfukushi.PopulationSnapshot": PopulationSnapshotFactory(
                municipality=town, as_of=dt.date(2025, 4, 1)
            ),
            "hokenfukushi.Council": council,
            "hokenfukushi.LocalResource": LocalResource.objects.create(
                name="テスト事業所", kind="other", municipality=town, serves_children=True
            ),
            "coordinators.Organization": OrganizationFactory(municipality=town, region=region),
            "coordinators.Coordinator": CoordinatorFactory(
                organization=self.rows[("coordinators.Organization", "town")],
                municipalities=[town],
            ),
            "meetings.Meeting": MeetingFactory(region=region, number=1),
            "meetings.ActionItem": ActionItemFactory(
                raised_at=self.rows[("meetings.Meeting", "town")]
            ),
            "caseload.CountReport": CountReportFactory(municipality=town),
        }


@pytest.fixture
def world(town, other_town, far_town, superuser, region_admin, municipal_user, other_town_user,
          other_region_user, prefecture_user):  # fmt: skip
    return World(town, other_town, far_town)


def _url(obj, action: str) -> str:
    opts = obj._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    return f"{base}add/" if action == "add" else f"{base}{obj.pk}/change/"


def _field_data(form: forms.BaseForm) -> dict:
    """What the browser would post for a form as rendered."""
    data = {}
    for name, field in form.fields.items():
        key, value = form.add_prefix(name), form[name].value()
        widget = getattr(field.widget, "widget", field.widget)  # RelatedFieldWidgetWrapper
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(widget, forms.MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif value is not None:
            data[key] = str(value)
    return data


def page_payload(response) -> dict:
    """The change form's fields and its inlines' management and row fields."""
    context = response.context
    data = _field_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.forms:
            data.update(_field_data(form))
    return data


def _without_inline_rows(payload: dict) -> dict:
    """An add form starts with no inline rows."""
    data = {key: value for key, value in payload.items() if "-" not in key}
    for key in payload:
        if key.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            data[key] = "0"
        elif key.endswith(("-MIN_NUM_FORMS", "-MAX_NUM_FORMS")):
            data[key] = payload[key]
    return data


def _snapshot(model) -> str:
    return serializers.serialize("json", model._default_manager.order_by("pk"))


def _scoped_relation_fields(model_admin, form) -> list:
    """The form's foreign keys and many-to-manys to scoped models."""
    fields = []
    for name in form.fields:
        try:
            field = model_admin.model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (e.g. expected_version)
            continue
        if field.is_relation and isinstance(
            field.related_model._default_manager.all(), ScopedQuerySet
        ):
            fields.append(field)
    return fields


def _authorised_payload(client_for, model_admin, obj) -> tuple[dict, list]:
    response = client_for("superuser").get(_url(obj, "change"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    return page_payload(response), _scoped_relation_fields(model_admin, form)


@pytest.mark.django_db
@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_admin_post_writes_outside_the_edit_scope(data, world, client_for, user_for_role):
    label = data.draw(st.sampled_from(sorted(world.baseline)), label="model")
    model_admin = _scoped_admins()[label]
    obj = world.baseline[label]
    payload, relation_fields = _authorised_payload(client_for, model_admin, obj)
    if not relation_fields:
        return
    role = data.draw(st.sampled_from(ROLES), label="role")
    action = data.draw(st.sampled_from(("change", "add")), label="action")
    field = data.draw(st.sampled_from(relation_fields), label="field")
    target = data.draw(st.sampled_from(("blank", *PLACES)), label="value")
    user = user_for_role(role)
    related = world.rows.get((field.related_model._meta.label, target))
    if target != "blank" and related is None:
        return
    value = "" if target == "blank" else str(related.pk)

    may_write = _may_write(client_for(role), obj, action)
    if target == "blank":
        allowed = not (field == _town_field(model_admin) and not may_leave_town_blank(user))
    else:
        allowed = field.related_model._default_manager.choosable_by(user).filter(pk=related.pk)
        allowed = allowed.exists()
    if may_write and allowed:
        return  # the scope rule lets this through: nothing to refuse

    with transaction.atomic():
        if action == "add":
            try:
                type(obj)._default_manager.filter(pk=obj.pk).delete()  # room for the same row
            except ProtectedError:
                transaction.set_rollback(True)
                return
            posted = _without_inline_rows(payload)
        else:
            posted = dict(payload)
        posted[field.name] = [value] if field.many_to_many else value
        before = _snapshot(model_admin.model)
        response = client_for(role).post(_url(obj, action), posted)
        after = _snapshot(model_admin.model)
        stored = _stored_values(model_admin.model, field, obj, action, before)
        transaction.set_rollback(True)
    where = (label, role, action, field.name, target)
    saved = response.status_code == 302 and not response["Location"].startswith("/admin/login/")
    if saved:
        # Accepted only with the value ignored (a read-only field): it was not stored.
        forbidden = None if target == "blank" else related.pk
        assert forbidden not in stored, where
    else:
        assert after == before, where


def _stored_values(model, field, obj, action: str, before: str) -> list:
    """The values `field` holds in the row the post changed or added."""
    if action == "change":
        rows = model._default_manager.filter(pk=obj.pk)
    else:
        old = {item.object.pk for item in serializers.deserialize("json", before)}
        rows = model._default_manager.exclude(pk__in=old)
    if field.many_to_many:
        return list(rows.values_list(f"{field.name}__pk", flat=True))
    return list(rows.values_list(field.attname, flat=True))


def _town_field(model_admin):
    name = type(model_admin.model._default_manager.all()).town_field()
    return model_admin.model._meta.get_field(name) if name else None


def _may_write(client, obj, action: str) -> bool:
    return client.get(_url(obj, action)).status_code == 200 and (
        action == "add" or b'name="_save"' in client.get(_url(obj, action)).content
    )


@pytest.mark.parametrize("role", ["superuser", "region_admin", "municipal_user"])
def test_the_admins_own_payload_is_accepted(role, world, client_for):
    """Without this the property above could pass on posts refused for being malformed."""
    client = client_for(role)
    accepted = []
    for label, obj in world.baseline.items():
        if not _may_write(client, obj, "change"):
            continue
        response = client.post(_url(obj, "change"), page_payload(client.get(_url(obj, "change"))))
        assert response.status_code == 302, (label, response.context and _errors(response))
        accepted.append(label)
    town_rows = {
        "caseload.CountReport",
        "coordinators.Coordinator",
        "coordinators.Organization",
        "hokenfukushi.LocalResource",
        "hokenfukushi.Municipality",
        "hokenfukushi.PopulationSnapshot",
    }
    region_rows = {"hokenfukushi.Council", "hokenfukushi.Region", "meetings.ActionItem"}
    region_rows.add("meetings.Meeting")
    expected = town_rows if role == "municipal_user" else town_rows | region_rows
    assert set(accepted) == expected


def _errors(response) -> list:
    context = response.context
    errors = [context["adminform"].form.errors]
    errors += [inline.formset.errors for inline in context["inline_admin_formsets"]]
    return errors


def test_region_is_offered_to_town_staff_only_as_their_own(world, municipal_user):
    assert list(Region.objects.choosable_by(municipal_user)) == [world.towns["town"].region]
    assert list(Municipality.objects.choosable_by(municipal_user)) == [world.towns["town"]]
