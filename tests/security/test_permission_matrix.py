"""The permission matrix: every URL pattern of the project, visited as every role, against objects
of every town, with the answer each one must give written down here by hand.

Roles (tests/conftest.py): region_admin of region A; municipal_user of `town` (region A);
other_town_user of `other_town` (region A); other_region_user of `far_town` (region B);
prefecture_user (read-only viewer, not admin staff); anonymous; coordinator_user, a coordinator
account of region A (its organization in `town`); other_region_coordinator, one of region B.
Coordinators are not admin staff: every admin page sends them to the admin login.

Object owners: every object-level URL is visited for an object of `town`, of `other_town` and of
`far_town` (region-level objects: region A, region A, region B).

Answers:
  "200"          the page;
  "login"        302 to /accounts/login/ (the site's login);
  "admin-login"  302 to /admin/login/ (Django's admin sends non-staff there);
  "302"          a redirect elsewhere (e.g. a signed-in user opening the login page);
  "403"          forbidden regardless of which object (reveals nothing);
  "404"          not found: outside the user's scope looks exactly like a missing object;
  "405"          method not allowed (logout needs POST).

A URL pattern with no row here is listed by `test_every_url_pattern_has_a_row`, so a new page
cannot slip in without someone declaring who may open it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = (
    "region_admin",
    "municipal_user",
    "other_town_user",
    "other_region_user",
    "prefecture_user",
    "anonymous",
    "coordinator_user",
    "other_region_coordinator",
)
COORDINATORS = ("coordinator_user", "other_region_coordinator")
OWNERS = ("town", "other_town", "far_town")
STAFF = ROLES[:4]

# A URL pattern without a row fails the suite: whoever adds a page declares who may open it.
STRICT_COVERAGE = True

Answer = str | tuple[str, str, str]


# --- the world every row is visited in -----------------------------------------------------------


class World:
    """The conftest fixtures plus objects made on demand, one per (kind, owner)."""

    def __init__(self, request):
        self._request = request
        self._made: dict[tuple[str, str], object] = {}

    def fixture(self, name: str):
        return self._request.getfixturevalue(name)

    def town(self, owner: str):
        return self.fixture(owner)

    def obj(self, kind: str, owner: str):
        key = (kind, owner)
        if key not in self._made:
            self._made[key] = OBJECT_MAKERS[kind](self, owner)
        return self._made[key]


def _staff_account(world: World, owner: str):
    from hokenfukushi.factories import MunicipalStaffFactory

    return MunicipalStaffFactory(username=f"staff_of_{owner}", municipality=world.town(owner))


def _region(world: World, owner: str):
    return world.town(owner).region


def _population(world: World, owner: str):
    from hokenfukushi.factories import PopulationSnapshotFactory

    return PopulationSnapshotFactory(municipality=world.town(owner))


def _council(world: World, owner: str):
    from hokenfukushi.models import Council, CouncilForm

    council = Council.objects.create(
        region=world.town(owner).region, name=f"協議の場 {owner}", form=CouncilForm.SINGLE
    )
    council.municipalities.add(world.town(owner))
    return council


def _local_resource(world: World, owner: str):
    from hokenfukushi.models import LocalResource, ResourceKind

    return LocalResource.objects.create(
        name=f"事業所 {owner}",
        kind=ResourceKind.CHILD_DEVELOPMENT,
        municipality=world.town(owner),
        serves_children=True,
    )


def _login_event(world: World, owner: str):
    from hokenfukushi.security.models import LoginEvent, LoginEventKind

    account = world.obj("account", owner)
    return LoginEvent.objects.create(
        kind=LoginEventKind.LOGIN,
        user=account,
        username=account.username,
        region=world.town(owner).region,
    )


def _access_attempt(world: World, owner: str):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        username=f"staff_of_{owner}", ip_address="192.0.2.1", failures_since_start=1
    )


def _access_log(world: World, owner: str):
    from axes.models import AccessLog

    return AccessLog.objects.create(username=f"staff_of_{owner}", ip_address="192.0.2.1")


def _access_failure_log(world: World, owner: str):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(username=f"staff_of_{owner}", ip_address="192.0.2.1")


def _group(world: World, owner: str):
    from django.contrib.auth.models import Group

    return Group.objects.create(name=f"group {owner}")


def _totp_device(world: World, owner: str):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=world.obj("account", owner), name="認証アプリ")


def _task_result(world: World, owner: str):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="meetings.tasks.example",
        backend_name="default",
        run_after=timezone.now(),
    )


def _count_report(world: World, owner: str):
    from caseload.factories import CountReportFactory

    return CountReportFactory(municipality=world.town(owner))


def _organization(world: World, owner: str):
    from coordinators.factories import OrganizationFactory

    return OrganizationFactory(municipality=world.town(owner))


def _coordinator(world: World, owner: str):
    from coordinators.factories import CoordinatorFactory

    return CoordinatorFactory(organization=world.obj("coordinators.organization", owner))


def _meeting(world: World, owner: str):
    from meetings.factories import MeetingFactory

    return MeetingFactory(region=world.town(owner).region)


def _action_item(world: World, owner: str):
    from meetings.factories import ActionItemFactory

    return ActionItemFactory(raised_at=world.obj("meetings.meeting", owner))


def _export_log(world: World, owner: str):
    from exports.models import ExportLog

    return ExportLog.objects.create(
        user=world.obj("account", owner), region=world.town(owner).region, export="prefecture"
    )


def _invited_coordinator(world: World, owner: str):
    from coordinators.factories import CoordinatorFactory

    return CoordinatorFactory(
        organization=world.obj("coordinators.organization", owner),
        work_email=f"invitee_{owner}@example.jp",
    )


def _action_of_coordinator_org(world: World, owner: str):
    """An open item owned by the organization of the coordinator account of the owner's region
    (region A: coordinator_user's; region B: other_region_coordinator's)."""
    from meetings.factories import ActionItemFactory

    account = world.fixture(
        "other_region_coordinator" if owner == "far_town" else "coordinator_user"
    )
    return ActionItemFactory(
        raised_at=world.obj("meetings.meeting", owner),
        owner_organization=account.coordinator_record.organization,
    )


OBJECT_MAKERS: dict[str, Callable[[World, str], object]] = {
    "account": _staff_account,
    "hokenfukushi.region": _region,
    "hokenfukushi.municipality": lambda world, owner: world.town(owner),
    "hokenfukushi.populationsnapshot": _population,
    "hokenfukushi.user": _staff_account,
    "hokenfukushi.council": _council,
    "hokenfukushi.localresource": _local_resource,
    "security.loginevent": _login_event,
    "axes.accessattempt": _access_attempt,
    "axes.accesslog": _access_log,
    "axes.accessfailurelog": _access_failure_log,
    "auth.group": _group,
    "otp_totp.totpdevice": _totp_device,
    "django_tasks_database.dbtaskresult": _task_result,
    "caseload.countreport": _count_report,
    "coordinators.organization": _organization,
    "coordinators.coordinator": _coordinator,
    "meetings.meeting": _meeting,
    "meetings.actionitem": _action_item,
    "exports.exportlog": _export_log,
    "invitee": _invited_coordinator,
    "coordinator_action": _action_of_coordinator_org,
}


# --- expected answers ----------------------------------------------------------------------------


def answers(
    *,
    staff: Answer | None = None,
    non_staff: Answer = "admin-login",
    coordinator: Answer | None = None,
    **by_role: Answer,
) -> dict[str, Answer]:
    """Answers per role: `staff` for the four staff roles unless named, `non_staff` for the
    prefecture viewer, anonymous and the coordinators unless named (`coordinator` for both
    coordinator roles). Three-part answers are "town other far"."""
    table: dict[str, Answer] = {}
    for role in ROLES:
        default = staff if role in STAFF else non_staff
        if role in COORDINATORS and coordinator is not None:
            default = coordinator
        value = by_role.get(role, default)
        if value is None:
            raise ValueError(f"no answer for {role}")
        table[role] = tuple(value.split()) if isinstance(value, str) and " " in value else value
    return table


# Admin answers, one table per kind of model. Views: changelist, add, change, delete, history,
# version (simple_history's "<id>/history/<version>/", disabled), redirect ("<id>/").
#
# Town data (rows belong to one town): staff read their whole region and edit their own town;
# the region admin edits the whole region.
TOWN_DATA = {
    "changelist": answers(staff="200"),
    "add": answers(staff="200"),
    "change": answers(
        staff="200 200 404",
        other_region_user="404 404 200",
    ),
    "delete": answers(
        region_admin="200 200 404",
        municipal_user="200 403 404",
        other_town_user="403 200 404",
        other_region_user="404 404 200",
    ),
    "history": answers(staff="200 200 404", other_region_user="404 404 200"),
    "version": answers(staff="404"),
    "redirect": answers(staff="302"),
}
# Region-level data (no town; councils): only the region admin adds, changes or deletes.
REGION_DATA = {
    **TOWN_DATA,
    "add": answers(region_admin="200", staff="403"),
    "delete": answers(
        region_admin="200 200 404",
        municipal_user="403 403 404",
        other_town_user="403 403 404",
        other_region_user="404 404 403",
    ),
}
# Regions themselves: read by all staff of the region, edited by its admin, created and deleted
# by superusers only (so deleting answers 403 for every id, in scope or not).
REGIONS = {
    **REGION_DATA,
    "add": answers(staff="403"),
    "delete": answers(staff="403"),
}
# Municipalities: the region admin adds; a town's staff edit their own town's row; superusers
# delete.
MUNICIPALITIES = {
    **TOWN_DATA,
    "add": answers(region_admin="200", staff="403"),
    "delete": answers(staff="403"),
}
# Coordinators and their organizations: in the admin municipal staff work only on their own
# town's rows (they read the whole region on /coordinators/), so other towns' rows are 404.
_OWN_TOWN_ONLY = dict(
    region_admin="200 200 404",
    municipal_user="200 404 404",
    other_town_user="404 200 404",
    other_region_user="404 404 200",
)
OWN_TOWN_ROWS = {
    **TOWN_DATA,
    "change": answers(**_OWN_TOWN_ONLY),
    "delete": answers(**_OWN_TOWN_ONLY),
    "history": answers(**_OWN_TOWN_ONLY),
}
# Count reports (a draft per town): own town only for municipal staff, as above; deleting answers
# 403 for any report outside the worklist; submit/approve/reopen pages follow the workflow
# (a draft can be submitted; approving or reopening a draft is refused with a message: 302).
COUNT_REPORTS = {
    **OWN_TOWN_ROWS,
    "delete": answers(
        region_admin="200 200 403",
        municipal_user="200 403 403",
        other_town_user="403 200 403",
        other_region_user="403 403 200",
    ),
    "submit": answers(**_OWN_TOWN_ONLY),
    "approve": answers(
        region_admin="302 302 404",
        municipal_user="302 404 404",
        other_town_user="404 302 404",
        other_region_user="404 404 302",
    ),
    "reopen": answers(
        region_admin="302 302 404",
        municipal_user="302 404 404",
        other_town_user="404 302 404",
        other_region_user="404 404 302",
    ),
    "import": answers(staff="200"),
    "import_template": answers(staff="200"),  # each staff member's own towns' codes
    "import_template_xlsx": answers(staff="200"),  # … and their latest approved figures
}

# Accounts: the region admin manages its region's accounts; staff do not manage accounts;
# accounts are deactivated, never deleted (superusers only).
ACCOUNTS = {
    "changelist": answers(region_admin="200", staff="403"),
    "add": answers(region_admin="200", staff="403"),
    "change": answers(region_admin="200 200 404", staff="403"),
    "delete": answers(staff="403"),
    # staff who do not manage accounts see only their own: every other id is not found
    "history": answers(region_admin="200 200 404", staff="404"),
    "password": answers(region_admin="200 200 404", staff="403"),
    "redirect": answers(staff="302"),
}
# Login audit trail: read-only, region admins read their region's events, nobody changes it.
AUDIT_TRAIL = {
    "changelist": answers(region_admin="200", staff="403"),
    "add": answers(staff="403"),
    "change": answers(region_admin="200 200 404", staff="403"),
    "delete": answers(staff="403"),
    "history": answers(region_admin="200 200 404", staff="404"),
    "redirect": answers(staff="302"),
}
# Download log: read-only; the region's staff read their region's downloads.
EXPORT_LOG = {
    "changelist": answers(staff="200"),
    "add": answers(staff="403"),
    "change": answers(staff="200 200 404", other_region_user="404 404 200"),
    "delete": answers(staff="403"),
    "history": answers(staff="200 200 404", other_region_user="404 404 200"),
    "redirect": answers(staff="302"),
}
# Third-party models kept to superusers (axes lockouts, auth groups, TOTP devices): staff
# without Django model permissions get 403 for every object.
SUPERUSER_ONLY = {
    "changelist": answers(staff="403"),
    "add": answers(staff="403"),
    "change": answers(staff="403"),
    "delete": answers(staff="403"),
    "history": answers(staff="403"),
    "redirect": answers(staff="302"),
}

ADMIN_MODELS: dict[str, Mapping[str, dict[str, Answer]]] = {
    "hokenfukushi.region": REGIONS,
    "hokenfukushi.municipality": MUNICIPALITIES,
    "hokenfukushi.populationsnapshot": TOWN_DATA,
    "hokenfukushi.user": ACCOUNTS,
    "hokenfukushi.council": REGION_DATA,
    "hokenfukushi.localresource": TOWN_DATA,
    "security.loginevent": AUDIT_TRAIL,
    "axes.accessattempt": SUPERUSER_ONLY,
    "axes.accesslog": SUPERUSER_ONLY,
    "axes.accessfailurelog": SUPERUSER_ONLY,
    "auth.group": SUPERUSER_ONLY,
    # the mail queue (django-tasks-db): for operators only
    "django_tasks_database.dbtaskresult": SUPERUSER_ONLY,
    "coordinators.organization": OWN_TOWN_ROWS,
    "coordinators.coordinator": OWN_TOWN_ROWS,
    "meetings.meeting": REGION_DATA,
    "meetings.actionitem": REGION_DATA,
    "caseload.countreport": COUNT_REPORTS,
    "exports.exportlog": EXPORT_LOG,
    "otp_totp.totpdevice": {
        **SUPERUSER_ONLY,
        # secrets are never shown in the admin (OTP_ADMIN_HIDE_SENSITIVE_DATA)
        "config": answers(staff="403"),
        "qrcode": answers(staff="403"),
    },
}


# --- rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str  # "namespace:name" of the URL pattern, or its route when it has no name
    expect: Mapping[str, Answer]
    url: Callable[[World, str | None], str] = field(compare=False)
    per_object: bool = False  # visited once per owner; a one-part answer holds for all three


def _fixed(path: str) -> Callable[[World, str | None], str]:
    return lambda world, owner: path


def _admin_object_url(label: str, view: str) -> Callable[[World, str | None], str]:
    app_label, model_name = label.split(".")

    def url(world: World, owner: str | None) -> str:
        obj = world.obj(label, owner)
        if view == "redirect":
            return f"/admin/{app_label}/{model_name}/{obj.pk}/"
        if view == "version":
            version = obj.history.order_by("-history_id").first()
            return f"/admin/{app_label}/{model_name}/{obj.pk}/history/{version.history_id}/"
        if view == "password":
            return reverse("admin:auth_user_password_change", args=[obj.pk])
        if view in CUSTOM_ADMIN_VIEWS:
            return reverse(f"admin:{CUSTOM_ADMIN_VIEWS[view]}", args=[obj.pk])
        return reverse(f"admin:{app_label}_{model_name}_{view}", args=[obj.pk])

    return url


# Extra object views some ModelAdmins add, by their URL names.
CUSTOM_ADMIN_VIEWS = {
    "config": "otp_totp_totpdevice_config",
    "qrcode": "otp_totp_totpdevice_qrcode",
    "submit": "caseload_countreport_submit",
    "approve": "caseload_countreport_approve",
    "reopen": "caseload_countreport_reopen",
}
# Extra views without an object.
MODEL_WIDE_VIEWS = ("changelist", "add", "import", "import_template", "import_template_xlsx")


def _admin_key(label: str, view: str) -> str:
    app_label, model_name = label.split(".")
    base = f"admin/{app_label}/{model_name}/"
    return {
        "redirect": f"{base}<path:object_id>/",
        "version": f"admin:{app_label}_{model_name}_simple_history",
        "password": "admin:auth_user_password_change",
    }.get(view, f"admin:{app_label}_{model_name}_{view}")


def admin_rows() -> Iterator[Row]:
    for label, table in ADMIN_MODELS.items():
        app_label, model_name = label.split(".")
        for view, expect in table.items():
            if view in MODEL_WIDE_VIEWS:
                url = _fixed(reverse(f"admin:{app_label}_{model_name}_{view}"))
            else:
                url = _admin_object_url(label, view)
            per_object = view not in MODEL_WIDE_VIEWS
            yield Row(_admin_key(label, view), expect, url, per_object)


def _autocomplete(world: World, owner: str | None) -> str:
    return (
        "/admin/autocomplete/?app_label=hokenfukushi&model_name=localresource"
        "&field_name=municipality&term="
    )


def _view_on_site(world: World, owner: str | None) -> str:
    from django.contrib.contenttypes.models import ContentType

    town = world.town(owner)
    content_type = ContentType.objects.get_for_model(town)
    return reverse("admin:view_on_site", args=[content_type.pk, town.pk])


# A page every signed-in role with a read scope may open (its content is scoped).
_SIGNED_IN = answers(staff="200", prefecture_user="200", anonymous="login", coordinator="200")
# A page about one region's object: its region's staff and coordinators, and the prefecture,
# read it.
_REGION_PAGE = answers(
    staff="200 200 404",
    other_region_user="404 404 200",
    prefecture_user="200",
    anonymous="login",
    coordinator_user="200 200 404",
    other_region_coordinator="404 404 200",
)
# A coordinator's own page: coordinator accounts only (others: 403, nothing looked up).
_COORDINATOR_ONLY = answers(
    staff="403", prefecture_user="403", anonymous="login", coordinator="200"
)
# The base center's page: region admins only.
_CENTER_ONLY = answers(
    region_admin="200", staff="403", prefecture_user="403", anonymous="login", coordinator="403"
)
# Pages anyone may open, signed in or not (password reset): a signed-in user gets them too.
_PUBLIC = answers(staff="200", non_staff="200")


def _uid(world: World, owner: str | None) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(world.obj("account", owner).pk))


# The center's meeting workspace: the region admin edits its region's meetings; others who may
# read the meeting are refused (403), everyone else finds nothing (404).
_CENTER_PAGE = answers(
    region_admin="200 200 404",
    staff="403 403 404",
    other_region_user="404 404 403",
    prefecture_user="403",
    anonymous="login",
    coordinator_user="403 403 404",
    other_region_coordinator="404 404 403",
)
# POST-only workspace actions: a GET is refused before anything is looked up.
_POST_ONLY = answers(staff="405", prefecture_user="405", anonymous="login", coordinator="405")


def _meeting_url(suffix: str) -> Callable[[World, str | None], str]:
    return lambda world, owner: f"/meetings/{world.obj('meetings.meeting', owner).pk}/{suffix}"


MEETING_WORKSPACE_ROWS = [
    Row("meetings:prepare", _POST_ONLY, _fixed("/meetings/prepare/")),
    # the personal link is the credential: a forged one is not found, whoever asks
    Row(
        "meetings:reply",
        answers(staff="404", prefecture_user="404", anonymous="404", coordinator="404"),
        _fixed("/meetings/reply/forged-token/"),
    ),
    *(
        Row(f"meetings:{name}", _CENTER_PAGE, _meeting_url(suffix), per_object=True)
        for name, suffix in (
            ("edit", "edit/"),
            ("invitations", "invitations/"),
            ("attendance", "attendance/"),
            ("questions", "questions/"),
        )
    ),
    *(
        Row(f"meetings:{name}", _REGION_PAGE, _meeting_url(suffix), per_object=True)
        for name, suffix in (
            ("questions_print", "questions/print/"),
            ("meeting_ics", "meeting.ics"),
            ("agenda_docx", "agenda.docx"),
            ("minutes_docx", "minutes.docx"),
        )
    ),
    *(
        Row(f"meetings:{name}", _POST_ONLY, _meeting_url(suffix), per_object=True)
        for name, suffix in (
            ("add_coordinators", "invitations/coordinators/"),
            ("send_invitations", "invitations/send/"),
            ("resend_invitation", "invitations/1/resend/"),
            ("my_reply", "reply/"),
        )
    ),
]

SITE_ROWS = [
    Row("dashboard", _SIGNED_IN, _fixed("/")),
    Row("healthz", answers(staff="200", non_staff="200"), _fixed("/healthz")),
    # The download log's admin moved to the exports app: its old address sends everyone on
    # (the admin then decides who may see it).
    Row(
        "exportlog_admin_moved",
        answers(staff="302", non_staff="302"),
        _fixed("/admin/hokenfukushi/exportlog/"),
    ),
    Row(
        "login",
        answers(staff="302", prefecture_user="302", anonymous="200", coordinator="302"),
        _fixed("/accounts/login/"),
    ),
    Row("logout", answers(staff="405", non_staff="405"), _fixed("/accounts/logout/")),
    Row(
        "security:otp_setup",
        answers(staff="200", prefecture_user="200", anonymous="login", coordinator="200"),
        _fixed("/security/otp/setup/"),
    ),
    Row(
        "security:otp_verify",
        # no device enrolled yet: sent on to enrolment
        answers(staff="302", prefecture_user="302", anonymous="login", coordinator="302"),
        _fixed("/security/otp/verify/"),
    ),
    Row("coordinators:list", _SIGNED_IN, _fixed("/coordinators/")),
    Row("meetings:list", _SIGNED_IN, _fixed("/meetings/")),
    Row("meetings:calendar", _SIGNED_IN, _fixed("/meetings/calendar.ics")),
    Row(
        "meetings:detail",
        _REGION_PAGE,
        lambda world, owner: f"/meetings/{world.obj('meetings.meeting', owner).pk}/",
        per_object=True,
    ),
    Row(
        "meetings:print",
        _REGION_PAGE,
        lambda world, owner: f"/meetings/{world.obj('meetings.meeting', owner).pk}/print/",
        per_object=True,
    ),
    Row(
        "meetings:close_action",
        # POST only (its answers per role are in tests/meetings/test_follow_up.py); a GET
        # is refused before anything is looked up, so it reveals nothing about the object.
        answers(staff="405", prefecture_user="405", anonymous="login", coordinator="405"),
        lambda world, owner: (
            f"/meetings/{world.obj('meetings.meeting', owner).pk}"
            f"/actions/{world.obj('meetings.actionitem', owner).pk}/close/"
        ),
        per_object=True,
    ),
    # --- the coordinators' door (issue 19) ---
    Row("me", _COORDINATOR_ONLY, _fixed("/me/")),
    Row("profile_edit", _COORDINATOR_ONLY, _fixed("/me/profile/")),
    Row("activity_new", _COORDINATOR_ONLY, _fixed("/me/activity/new/")),
    Row(
        "action_progress",
        # only items of the coordinator's own organization, in its own region
        answers(
            staff="403",
            prefecture_user="403",
            anonymous="login",
            coordinator_user="200 200 404",
            other_region_coordinator="404 404 200",
        ),
        lambda world, owner: f"/me/actions/{world.obj('coordinator_action', owner).pk}/",
        per_object=True,
    ),
    Row("network", _SIGNED_IN, _fixed("/network/")),
    Row("coordinators:activity", _CENTER_ONLY, _fixed("/coordinators/activity/")),
    Row(  # the report's old download address: the center is sent on to exports:activity
        "coordinators:activity_csv",
        {**_CENTER_ONLY, "region_admin": "302"},
        _fixed("/coordinators/activity.csv"),
    ),
    Row(
        "coordinators:account_action",
        answers(
            region_admin="200 200 404",
            staff="403",
            prefecture_user="403",
            anonymous="login",
            coordinator="403",
        ),
        lambda world, owner: f"/coordinators/{world.obj('invitee', owner).pk}/account/invite/",
        per_object=True,
    ),
    Row("password_reset", _PUBLIC, _fixed("/accounts/password_reset/")),
    Row("password_reset_done", _PUBLIC, _fixed("/accounts/password_reset/done/")),
    Row(
        "password_reset_confirm",
        # a forged token: the page says the link cannot be used, to anyone
        _PUBLIC,
        lambda world, owner: f"/accounts/reset/{_uid(world, owner)}/forged-token/",
        per_object=True,
    ),
    Row("password_reset_complete", _PUBLIC, _fixed("/accounts/reset/done/")),
    Row(
        "invitation_accept",
        _PUBLIC,
        lambda world, owner: f"/accounts/invitation/{_uid(world, owner)}/forged-token/",
        per_object=True,
    ),
    Row("caseload:overview", _SIGNED_IN, _fixed("/caseload/")),
    Row("exports:index", _SIGNED_IN, _fixed("/exports/")),
    Row("exports:prefecture", _SIGNED_IN, _fixed("/exports/prefecture.csv?fiscal_year=2025")),
    Row("exports:open_data", _SIGNED_IN, _fixed("/exports/open-data.csv?fiscal_year=2025")),
    Row(
        "exports:survey_summary", _SIGNED_IN, _fixed("/exports/survey-summary.csv?fiscal_year=2025")
    ),
    Row("exports:caseload", _SIGNED_IN, _fixed("/exports/caseload.csv")),
    Row("exports:activity", _SIGNED_IN, _fixed("/exports/activity.csv?fiscal_year=2025")),
    Row(
        "exports:activity_open_data",
        _SIGNED_IN,
        _fixed("/exports/activity-open-data.csv?fiscal_year=2025"),
    ),
    Row("exports:prefecture_xlsx", _SIGNED_IN, _fixed("/exports/prefecture.xlsx?fiscal_year=2025")),
    Row("exports:open_data_xlsx", _SIGNED_IN, _fixed("/exports/open-data.xlsx?fiscal_year=2025")),
    Row("exports:caseload_xlsx", _SIGNED_IN, _fixed("/exports/caseload.xlsx")),
    Row(
        "exports:survey_summary_xlsx",
        _SIGNED_IN,
        _fixed("/exports/survey-summary.xlsx?fiscal_year=2025"),
    ),
    Row("exports:activity_xlsx", _SIGNED_IN, _fixed("/exports/activity.xlsx?fiscal_year=2025")),
    Row(
        "exports:activity_open_data_xlsx",
        _SIGNED_IN,
        _fixed("/exports/activity-open-data.xlsx?fiscal_year=2025"),
    ),
    # --- the admin site itself ---
    Row("admin:index", answers(staff="200"), _fixed("/admin/")),
    Row(
        "admin:security_change_history",
        answers(region_admin="200", staff="403"),
        _fixed("/admin/security/loginevent/changes/"),
    ),
    Row(
        "admin:login",
        answers(staff="302", prefecture_user="200", anonymous="200", coordinator="200"),
        _fixed("/admin/login/"),
    ),
    Row("admin:logout", answers(staff="405", non_staff="302"), _fixed("/admin/logout/")),
    Row("admin:password_change", answers(staff="200"), _fixed("/admin/password_change/")),
    Row("admin:password_change_done", answers(staff="200"), _fixed("/admin/password_change/done/")),
    Row("admin:autocomplete", answers(staff="200"), _autocomplete),
    Row("admin:jsi18n", answers(staff="200"), _fixed("/admin/jsi18n/")),
    Row("admin:view_on_site", answers(staff="404"), _view_on_site, per_object=True),
    Row(
        "admin:app_list",
        answers(staff="200"),
        _fixed("/admin/hokenfukushi/"),
    ),
    Row("admin/(?P<url>.*)$", answers(staff="404"), _fixed("/admin/no-such-page/")),
]


def all_rows() -> list[Row]:
    return [*SITE_ROWS, *MEETING_WORKSPACE_ROWS, *admin_rows()]


# --- the URL patterns of the project -------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def url_pattern_keys() -> set[str]:
    return {key for key, _route in _walk(get_resolver().url_patterns)}


# --- the tests -----------------------------------------------------------------------------------


def _observed(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("login")):
            return "login"
        if location.startswith(reverse("admin:login")):
            return "admin-login"
        return "302"
    return str(response.status_code)


def _rows_by_key() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for row in all_rows():
        assert row.key not in rows, f"two rows for {row.key}"
        rows[row.key] = row
    return rows


@pytest.mark.parametrize("key", sorted(_rows_by_key()))
def test_matrix(key, db, request, client_for):
    row = _rows_by_key()[key]
    world = World(request)
    mismatches = []
    for role in ROLES:
        client = client_for(role)
        expected = row.expect[role]
        if isinstance(expected, tuple):
            owners, wanted = OWNERS, expected
        elif row.per_object:
            owners, wanted = OWNERS, (expected,) * len(OWNERS)
        else:
            owners, wanted = (None,), (expected,)
        for owner, answer in zip(owners, wanted, strict=True):
            url = row.url(world, owner)
            got = _observed(client.get(url))
            if got != answer:
                mismatches.append(f"{role} {url} ({owner or '-'}): expected {answer}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_every_url_pattern_has_a_row():
    missing = sorted(url_pattern_keys() - set(_rows_by_key()))
    if missing and not STRICT_COVERAGE:
        warnings.warn(
            "URL patterns without a permission-matrix row: " + ", ".join(missing), stacklevel=1
        )
        return
    assert not missing, "declare who may open these URLs in test_permission_matrix.py:\n" + (
        "\n".join(missing)
    )


def test_no_row_for_a_url_that_no_longer_exists():
    stale = sorted(set(_rows_by_key()) - url_pattern_keys())
    if stale and not STRICT_COVERAGE:
        warnings.warn(
            "matrix rows for URLs that no longer exist: " + ", ".join(stale), stacklevel=1
        )
        return
    assert not stale, stale


def test_every_admin_model_has_a_table():
    registered = {model._meta.label_lower for model in admin.site._registry}
    missing = sorted(registered - set(ADMIN_MODELS))
    if missing and not STRICT_COVERAGE:
        warnings.warn("admin models without a matrix table: " + ", ".join(missing), stacklevel=1)
        return
    assert not missing, missing


def matrix_size() -> int:
    """(role, URL, object) cases the matrix visits."""
    return sum(
        len(OWNERS) if isinstance(answer, tuple) or row.per_object else 1
        for row in all_rows()
        for answer in row.expect.values()
    )
