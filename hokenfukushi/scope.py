"""The scope rule, defined once: which municipalities a user may read, and which they may edit.

View scope and edit scope are separate (as DHIS2 separates analysis units from data-capture
units):

| role            | reads                         | edits                              |
|-----------------|-------------------------------|------------------------------------|
| superuser       | everything                    | everything                         |
| prefecture      | every region                  | nothing                            |
| region admin    | its region                    | its region                         |
| municipal staff | its region                    | its own town (town-level rows only) |
| coordinator     | its record's region; rows     | its own rows (own record, own      |
|                 | private to a coordinator only | activity) and rows its organization |
|                 | if its own                    | owns (action items' progress)      |
| anyone else     | nothing                       | nothing                            |

Counts of rows private to a coordinator (the dashboard's 活動記録 and its exports) follow
`count_filter`: the region's totals for a coordinator, the own town's for municipal staff.

Every model that belongs to a region or a town gets `visible_to(user)` / `editable_by(user)` by
using `ScopedQuerySet` and naming the lookup paths to its region and (optionally) its town.
Rows a coordinator may own name `coordinator_path` (the row's coordinator record, "id" for the
record itself) and/or `organization_path` (the organization that owns the row);
`private_to_coordinator` rows (activity entries) are read by a coordinator only if their own.
A coordinator account reaches its record through `User.coordinator_scope` (the related name
`coordinator_record`): this module imports nothing of the coordinators app.
Admin querysets, permission methods, FK choices, history pages, views, exports and imports all
go through these methods.

What a user writes must stay inside their edit scope, pointers included:
- every foreign-key and many-to-many choice of a row they write comes from `choosable_by(user)`:
  the edit scope, plus, for municipal staff, the region their own town belongs to (a town's rows
  are filed under it), never another region-level row;
- a row whose town is left blank is a region-level row (e.g. a base center covering the whole
  region): only those who edit the region may leave it blank (`may_leave_town_blank`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from hokenfukushi.models import User

_NOTHING = Q(pk__in=[])


def _is_active_user(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _equals(path: str, value: int) -> Q:
    """`path` points at a row ("id"), or at a foreign key ("municipality", "org__region")."""
    if path in ("id", "pk"):
        return Q(pk=value)
    return Q(**{f"{path}_id": value})


def _is_coordinator(user) -> bool:
    return user.role == user.Role.COORDINATOR


def _coordinator_rows(
    user, *, coordinator_path: str | None, organization_path: str | None
) -> Q | None:
    """The rows a coordinator account owns: its own (by record) or its organization's."""
    scope = user.coordinator_scope
    if scope is None:
        return None
    owned = [
        _equals(path, value)
        for path, value in (
            (coordinator_path, scope.coordinator_id),
            (organization_path, scope.organization_id),
        )
        if path is not None
    ]
    if not owned:
        return None
    condition = owned[0]
    for other in owned[1:]:
        condition |= other
    return condition


def read_filter(
    user,
    *,
    region_path: str | None,
    municipality_path: str | None,
    coordinator_path: str | None = None,
    private_to_coordinator: bool = False,
) -> Q | None:
    """A Q object restricting rows to the user's read scope; None means unrestricted."""
    if not _is_active_user(user):
        return _NOTHING
    if user.is_superuser or user.role == user.Role.PREFECTURE:
        return None
    region_id = user.scope_region_id
    if region_id is None:
        return _NOTHING
    if private_to_coordinator and _is_coordinator(user):
        own = _coordinator_rows(user, coordinator_path=coordinator_path, organization_path=None)
        return own if own is not None else _NOTHING
    if region_path is not None:
        return _equals(region_path, region_id)
    return _equals(f"{municipality_path}__region", region_id)


def count_filter(user, *, region_path: str | None, town_path: str) -> Q | None:
    """A Q object restricting rows to those a user may see counted (totals per town and
    quarter, never the rows themselves); None means unrestricted.

    For rows private to a coordinator (activity entries): a coordinator sees their region's
    counts, not only their own entries; municipal staff see their own town's (`town_path`, the
    row's town); everyone else what they read."""
    if _is_active_user(user) and user.role == user.Role.MUNICIPAL:
        if user.municipality_id is None:
            return _NOTHING
        return _equals(town_path, user.municipality_id)
    return read_filter(user, region_path=region_path, municipality_path=None)


def edit_filter(
    user,
    *,
    region_path: str | None,
    municipality_path: str | None,
    coordinator_path: str | None = None,
    organization_path: str | None = None,
) -> Q | None:
    """A Q object restricting rows to the user's edit scope; None means unrestricted.

    One branch per role that edits anything; every other role edits nothing."""
    if not _is_active_user(user):
        return _NOTHING
    if user.is_superuser:
        return None
    if user.role == user.Role.REGION_ADMIN and user.region_id is not None:
        return read_filter(user, region_path=region_path, municipality_path=municipality_path)
    if user.role == user.Role.MUNICIPAL and user.municipality_id is not None:
        if municipality_path is None:
            return _NOTHING  # region-level rows are the base center's to change
        return _equals(municipality_path, user.municipality_id)
    if _is_coordinator(user):
        own = _coordinator_rows(
            user, coordinator_path=coordinator_path, organization_path=organization_path
        )
        return own if own is not None else _NOTHING
    return _NOTHING


def choice_filter(user, *, region_path: str | None, municipality_path: str | None) -> Q | None:
    """A Q object restricting the rows a user may point a row they write at (FK and M2M
    choices); None means unrestricted.

    The edit scope, and for municipal staff also their own town's region (the region itself,
    `region_path` "id": an organization in their town is filed under it). Other region-level
    rows (meetings, councils) stay out of their reach."""
    condition = edit_filter(user, region_path=region_path, municipality_path=municipality_path)
    if (
        condition is _NOTHING
        and _is_active_user(user)
        and user.role == user.Role.MUNICIPAL
        and user.municipality_id is not None
        and municipality_path is None
        and region_path in ("id", "pk")
    ):
        return _equals(region_path, user.scope_region_id)
    return condition


class ScopedQuerySet(models.QuerySet):
    """Subclass and set the lookup paths; `None` for municipality_path means region-level rows."""

    region_path: str | None = "region"
    municipality_path: str | None = None
    coordinator_path: str | None = None
    organization_path: str | None = None
    private_to_coordinator: bool = False

    def _apply(self, condition: Q | None) -> Self:
        return self if condition is None else self.filter(condition)

    @classmethod
    def read_condition(cls, user) -> Q | None:
        """`read_filter` with this model's paths: what `visible_to` filters on (None: nothing),
        for a caller that combines it with other conditions in one `filter`."""
        return read_filter(
            user,
            region_path=cls.region_path,
            municipality_path=cls.municipality_path,
            coordinator_path=cls.coordinator_path,
            private_to_coordinator=cls.private_to_coordinator,
        )

    def visible_to(self, user) -> Self:
        return self._apply(self.read_condition(user))

    def editable_by(self, user) -> Self:
        return self._apply(
            edit_filter(
                user,
                region_path=self.region_path,
                municipality_path=self.municipality_path,
                coordinator_path=self.coordinator_path,
                organization_path=self.organization_path,
            )
        )

    def choosable_by(self, user) -> Self:
        """Rows a user may pick in a foreign key or many-to-many of a row they write."""
        return self._apply(
            choice_filter(
                user, region_path=self.region_path, municipality_path=self.municipality_path
            )
        )

    @classmethod
    def town_field(cls) -> str | None:
        """The field that names the row's town (first step of `municipality_path`), or None
        for region-level models and for towns themselves."""
        if cls.municipality_path in (None, "id", "pk"):
            return None
        return cls.municipality_path.split("__")[0]


def can_read_anything(user) -> bool:
    """Whether the user has any read scope at all (pages that would list nothing answer 404).

    Asked of `read_filter` itself, so it cannot drift from what `visible_to` returns."""
    return read_filter(user, region_path="region", municipality_path=None) is not _NOTHING


def reads_whole_prefectures(user) -> bool:
    """Whether the user reads every region of the prefectures they read (the prefecture viewer,
    a superuser): only then does a prefecture-wide total (県計, the 都道府県 level of the survey
    summary) mean what it says. A region's or a town's user reads one region."""
    return can_read_anything(user) and user.scope_region_id is None


def can_edit_regions(user) -> bool:
    """Whether the user may change region-level rows (regions, towns' identity, councils).

    Asked of `edit_filter` itself, so it cannot drift from what `editable_by` returns."""
    return edit_filter(user, region_path="region", municipality_path=None) is not _NOTHING


def is_coordinator_account(user) -> bool:
    """A signed-in coordinator whose record is active (the role's pages: /me/, activity)."""
    return _is_active_user(user) and _is_coordinator(user) and user.coordinator_scope is not None


def may_leave_town_blank(user) -> bool:
    """A blank town makes a region-level row, which only those who edit the region may own."""
    return can_edit_regions(user)


def can_edit_anything(user) -> bool:
    """Whether the user has any edit scope at all (used for 'add' permissions in the admin;
    a coordinator's few writes happen on their own pages, never in the admin)."""
    if not _is_active_user(user):
        return False
    if user.is_superuser:
        return True
    return (user.role == user.Role.REGION_ADMIN and user.region_id is not None) or (
        user.role == user.Role.MUNICIPAL and user.municipality_id is not None
    )
