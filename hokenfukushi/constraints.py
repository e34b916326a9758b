"""Database constraints speak Japanese on the field they concern.

Every CheckConstraint / UniqueConstraint of the project carries a Japanese
`violation_error_message` and a `violation_error_code` unique within its model. Django reports a
constraint that spans fields (or has a condition) as an error of the whole form, at the top; a
model that lists `constraint_error_fields` (violation code -> field name) gets each such error
on its field instead, beside the input to fix: 「終了日時は開始日時より後にしてください。」 under
終了日時, never 「制約 "meeting_ends_after_start" に違反しています。」 at the top.

The database still enforces every rule; this only decides where a form shows its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def errors_on_fields(
    error: ValidationError, fields: Mapping[str, str], *, exclude=()
) -> ValidationError:
    """`error` with each whole-form message whose code is in `fields` moved to that field
    (unless the field is in `exclude`, i.e. not on the form)."""
    if not hasattr(error, "error_dict"):
        error = ValidationError({NON_FIELD_ERRORS: error.error_list})
    moved: dict[str, list[ValidationError]] = {}
    for name, errors in error.error_dict.items():
        for item in errors:
            target = fields.get(item.code, name) if name == NON_FIELD_ERRORS else name
            if target in exclude:
                target = name
            moved.setdefault(target, []).append(item)
    return ValidationError(moved)


class ConstraintErrorsOnFields:
    """Model mixin: constraint messages land on the field named in `constraint_error_fields`."""

    # violation_error_code -> the field the message belongs to
    constraint_error_fields: ClassVar[Mapping[str, str]] = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise errors_on_fields(
                error, self.constraint_error_fields, exclude=exclude or ()
            ) from None
