"""The change history of every domain model in one list, scoped like the data it describes.

Each model keeps its own history table (simple_history) and its own per-object history page in
the admin; this reads them together, so a region admin can see who changed what in the region,
deletions included (a deleted object has no page of its own any more).

A history row is scoped by the foreign keys it recorded (its town or region at the time of the
change), followed through today's related rows, with the same rule as the live rows.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from hokenfukushi.scope import ScopedQuerySet, read_filter

HISTORY_TYPE_LABELS = {"+": "追加", "~": "変更", "-": "削除"}


def reads_audit_trail(user) -> bool:
    """The audit trail is for the base center of a region (its own region) and superusers."""
    return bool(
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.role == user.Role.REGION_ADMIN)
    )


def audited_models() -> list[type[models.Model]]:
    """Domain models with a history table and a scope rule, in a stable order."""
    found = []
    for model in apps.get_models():
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            continue
        if isinstance(model._default_manager.all(), ScopedQuerySet):
            found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def _history_scope(user, model: type[models.Model]) -> Q | None:
    """`read_filter` for the model's history table; None means unrestricted."""
    queryset = model._default_manager.all()
    condition = read_filter(
        user, region_path=queryset.region_path, municipality_path=queryset.municipality_path
    )
    if condition is None:
        return None
    # On a history table the primary key is history_id; the object's own id is `id`.
    ((lookup, value),) = condition.children
    return Q(id=value) if lookup == "pk" else condition


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    history_id: int
    who: str
    kind: str
    model_name: str
    label_lower: str
    object_id: int
    reason: str
    exists: bool = True

    def history_url(self) -> str | None:
        if not self.exists:
            return None
        app_label, model_name = self.label_lower.split(".")
        try:
            return reverse(f"admin:{app_label}_{model_name}_history", args=[self.object_id])
        except NoReverseMatch:  # a model without an admin page
            return None


def recent_changes(user, *, label_lower: str | None = None, limit: int = 200) -> list[Change]:
    """The `limit` latest changes the user may read, newest first: one query per model for the
    history rows, and one per model listed to tell which objects still exist."""
    per_model: list[list[Change]] = []
    for model in audited_models():
        if label_lower and model._meta.label_lower != label_lower:
            continue
        condition = _history_scope(user, model)
        history = model.history.all() if condition is None else model.history.filter(condition)
        rows = history.select_related("history_user").order_by("-history_date", "-history_id")
        per_model.append(
            [
                Change(
                    when=record.history_date,
                    history_id=record.history_id,
                    who=_who(record.history_user),
                    kind=HISTORY_TYPE_LABELS.get(record.history_type, record.history_type),
                    model_name=str(model._meta.verbose_name),
                    label_lower=model._meta.label_lower,
                    object_id=record.id,
                    reason=record.history_change_reason or "",
                )
                for record in rows[:limit]
            ]
        )
    latest = list(
        heapq.merge(*per_model, key=lambda change: (change.when, change.history_id), reverse=True)
    )[:limit]
    return _mark_deleted(latest)


def _mark_deleted(changes: list[Change]) -> list[Change]:
    ids_by_label: dict[str, set[int]] = {}
    for change in changes:
        ids_by_label.setdefault(change.label_lower, set()).add(change.object_id)
    existing = {
        label: set(
            apps.get_model(label)._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        )
        for label, ids in ids_by_label.items()
    }
    return [
        change
        if change.object_id in existing[change.label_lower]
        else Change(**{**change.__dict__, "exists": False})
        for change in changes
    ]


def _who(user) -> str:
    if user is None:
        return "（記録なし: 初期データなど）"
    name = user.get_full_name()
    return f"{name}（{user.get_username()}）" if name else user.get_username()
