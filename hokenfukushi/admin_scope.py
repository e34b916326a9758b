"""The admin side of the scope rule: one mixin for ModelAdmins and one for inlines.

Both read the rule from the model's `visible_to` / `editable_by` QuerySet methods, so the admin
never decides scope on its own. Objects outside the user's read scope answer 404 everywhere
(change, delete, history), never a redirect that reveals they exist.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from hokenfukushi.fiscal import wareki, wareki_datetime
from hokenfukushi.scope import ScopedQuerySet, can_edit_anything, can_edit_regions
from hokenfukushi.wareki_dates import WarekiDateField


def _is_admin_user(user) -> bool:
    return bool(user.is_active and user.is_staff)


def scoped_choices(user, model: type[models.Model], *, for_edit: bool) -> models.QuerySet | None:
    """Queryset of `model` rows a user may pick in a form, or None if the model is unscoped."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        return None
    return queryset.editable_by(user) if for_edit else queryset.visible_to(user)


def _scoped_list_filter(model: type[models.Model], entry):
    """A relation filter lists only related rows present in the (scoped) change list; the plain
    one would list every town in the country."""
    if not isinstance(entry, str):
        return entry
    try:
        field = get_fields_from_path(model, entry)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return entry
    if field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


def wareki_display(value) -> str:
    """A date or a date and time as people read it: 令和7年4月1日 (14:00)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return wareki_datetime(value)
    return wareki(value)


def wareki_column(model: type[models.Model], name: str):
    """The change-list column for the date field `name`, in 和暦 and sorted by the field."""
    field = model._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        return wareki_display(getattr(obj, name))

    column.__name__ = f"{name}_wareki"
    return column


def _is_date_field(model: type[models.Model], entry) -> bool:
    if not isinstance(entry, str):
        return False
    try:
        return isinstance(model._meta.get_field(entry), models.DateField)
    except FieldDoesNotExist:
        return False


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited by the scope rule.

    `owner_fields` names the foreign keys that say whose row it is (e.g. "municipality"): their
    choices are limited to the edit scope, so nobody can file a row under another town. Every
    other scoped foreign key or many-to-many offers the read scope.
    """

    owner_fields: tuple[str, ...] = ("municipality", "region")

    # Dates are typed as the office writes them: 令和8年4月1日, R8.4.1, 2026/4/1, 2026-04-01.
    formfield_overrides = {
        models.DateField: {"form_class": WarekiDateField, "widget": AdminDateWidget},
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(
            request.user, db_field.related_model, for_edit=db_field.name in self.owner_fields
        )
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field.related_model, for_edit=False)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def only_owner_choices(self, request) -> dict[str, int]:
        """Owner fields with exactly one row the user may choose (a one-town user's town): the
        add form starts with it selected."""
        chosen: dict[str, int] = {}
        for name in self.owner_fields:
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.many_to_one:
                continue
            choices = scoped_choices(request.user, field.related_model, for_edit=True)
            if choices is None:
                continue
            first_two = list(choices.order_by().values_list("pk", flat=True)[:2])
            if len(first_two) == 1:
                chosen[name] = first_two[0]
        return chosen


class ScopedAdminMixin(ScopedChoicesMixin):
    """Apply the scope rule to change lists, object permissions, FK choices and history."""

    # --- querysets -------------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    # --- forms and lists that fit the office -------------------------------------------------
    def get_changeform_initial_data(self, request):
        return {**self.only_owner_choices(request), **super().get_changeform_initial_data(request)}

    def get_list_display(self, request):
        """Date columns in 和暦, like every other page (令和7年4月1日)."""
        return [
            wareki_column(self.model, entry) if _is_date_field(self.model, entry) else entry
            for entry in super().get_list_display(request)
        ]

    def _editable(self, request):
        return self.model._default_manager.editable_by(request.user)

    # --- permissions -----------------------------------------------------------------------
    def has_module_permission(self, request):
        return _is_admin_user(request.user)

    def has_view_permission(self, request, obj=None):
        if not _is_admin_user(request.user):
            return False
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, *args):
        return _is_admin_user(request.user) and self._can_add(request)

    def _can_add(self, request) -> bool:
        """Region-level models (no town path) can be added only by those who edit a region."""
        queryset = self.model._default_manager.all()
        if getattr(queryset, "municipality_path", None) is None:
            return can_edit_regions(request.user)
        return can_edit_anything(request.user)

    def has_change_permission(self, request, obj=None):
        if not _is_admin_user(request.user):
            return False
        if obj is None:
            return can_edit_anything(request.user)
        return self._editable(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # --- 404 rather than "doesn't exist" redirects -------------------------------------------
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404
        return super().history_view(request, object_id, extra_context)

    # --- list filters: only choices from rows the user may see ----------------------------
    def get_list_filter(self, request):
        return [
            _scoped_list_filter(self.model, entry) for entry in super().get_list_filter(request)
        ]


class ChoiceLabelHistoryHelper(HistoricalRecordContextHelper):
    """History shows a choice's label (承認済み), not its stored value (approved)."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ScopedModelAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """A ModelAdmin with the scope rule and a scoped history page."""

    # The history lists versions without linking to them: the version page is turned off below.
    object_history_list_template = "admin/scoped_history_list.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to an old version would bypass the workflow and its checks.
        raise Http404

    def revert_disabled(self, request, obj=None):
        # Also keeps the history page from inviting the user to "choose a date to revert".
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return ChoiceLabelHistoryHelper(self.model, historical_record)


class ScopedInlineMixin(ScopedChoicesMixin):
    """Inline rows follow their parent: editable when the parent is, listed when it is visible."""

    def _parent_editable(self, request, obj) -> bool:
        if obj is None:
            return can_edit_anything(request.user)
        return type(obj)._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return _is_admin_user(request.user)

    def has_add_permission(self, request, obj=None):
        return _is_admin_user(request.user) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_admin_user(request.user) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_admin_user(request.user) and self._parent_editable(request, obj)


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    pass
