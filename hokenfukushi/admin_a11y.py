"""Accessible names for the admin's tabular inlines.

A tabular inline names its columns once, in the table head, so each row's inputs and selects
have no label of their own (axe: "label", "select-name"; a screen reader hears "edit text"
53 times). The mixin gives every input of every row — the delete box too — an aria-label
made of the column's label and the row number.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def label_row_fields(form, index: int | None) -> None:
    """aria-label="<field label>（N行目）" on every field of one inline form."""
    row = _("追加する行") if index is None else _("%(n)s行目") % {"n": index + 1}
    for name, field in form.fields.items():
        label = _("削除") if name == "DELETE" else field.label or name
        # A foreign key's select sits inside the admin's related-object wrapper, which renders
        # the inner widget with the inner widget's own attrs.
        widget = getattr(field.widget, "widget", field.widget)
        widget.attrs = {**widget.attrs, "aria-label": f"{label}（{row}）"}


class LabelledInlineMixin:
    """Mix into a TabularInline: each row's inputs get their column's label as aria-label."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                label_row_fields(form, index)

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet
