"""Who may grant which account: a region admin manages its own region's staff, nothing more."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hokenfukushi.models import Municipality, Region, User

STAFF_ROLES = frozenset({User.Role.REGION_ADMIN, User.Role.MUNICIPAL})


def grantable_roles(actor: User) -> list[str]:
    if actor.is_superuser:
        return list(User.Role.values)
    if actor.role == User.Role.REGION_ADMIN:
        return [
            User.Role.REGION_ADMIN,
            User.Role.MUNICIPAL,
            User.Role.COORDINATOR,
            User.Role.NONE,
        ]
    return []


def account_grant_errors(
    *,
    actor: User,
    role: str,
    region: Region | None,
    municipality: Municipality | None,
    is_superuser: bool = False,
) -> dict[str, str]:
    """Field -> message for every way this grant exceeds what `actor` may give."""
    errors: dict[str, str] = {}
    if is_superuser and not actor.is_superuser:
        errors["is_superuser"] = _("スーパーユーザーを作成できるのはスーパーユーザーだけです。")
    if role not in grantable_roles(actor):
        errors["role"] = _("この役割を付与する権限がありません。")
    if role == User.Role.REGION_ADMIN and region is None:
        errors["region"] = _("圏域管理者には圏域を指定してください。")
    if role == User.Role.MUNICIPAL and municipality is None:
        errors["municipality"] = _("市町村担当者には市町村を指定してください。")
    if role == User.Role.COORDINATOR and (region is not None or municipality is not None):
        errors["region"] = _(
            "コーディネーターの圏域は所属機関から決まります。圏域・市町村は空欄にしてください。"
        )
    if region is not None and municipality is not None and municipality.region_id != region.pk:
        errors["municipality"] = _("市町村が指定された圏域に属していません。")
    if not actor.is_superuser:
        own_region = actor.region_id
        if region is not None and region.pk != own_region:
            errors["region"] = _("自分の圏域以外は指定できません。")
        if municipality is not None and municipality.region_id != own_region:
            errors["municipality"] = _("自分の圏域以外の市町村は指定できません。")
    return errors


@transaction.atomic
def apply_role(
    *, user: User, role: str, region: Region | None, municipality: Municipality | None
) -> User:
    """Set a user's role and home; staff access follows the role so nobody sets it by hand."""
    user.role = role
    user.municipality = municipality if role == User.Role.MUNICIPAL else None
    if role == User.Role.MUNICIPAL and municipality is not None:
        user.region = municipality.region
    elif role == User.Role.REGION_ADMIN:
        user.region = region
    else:
        user.region = None
    user.is_staff = user.is_superuser or role in STAFF_ROLES
    user.save()
    return user
