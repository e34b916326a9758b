from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import TaskResultStatus
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordinators.activity_rollup import activity_table, quarters_of
from coordinators.forms import ActivityForm, ProfileForm, add_service_errors
from coordinators.invitations import InvitationRefused, invitation_tokens, invite, revoke_invitation
from coordinators.models import (
    AccountStatus,
    Activity,
    Coordinator,
    account_status,
)
from coordinators.services import record_activity, update_profile
from hokenfukushi.fiscal import (
    current_fiscal_year,
    fiscal_quarter_of,
)
from hokenfukushi.models import Municipality, Region
from hokenfukushi.pages import scope_required
from hokenfukushi.scope import can_edit_regions, is_coordinator_account
from hokenfukushi.views import selected_region

FIRST_ACTIVITY_YEAR = 2024


@scope_required
def coordinator_list(request: HttpRequest) -> HttpResponse:
    """Active coordinators the user may read: roster, training years, mix and coverage gaps.

    Every municipal user reads the whole region (coordinator information is shared across the
    network); editing stays in the admin, limited to one's own town. The base center also sees
    each coordinator's account and sends, resends or revokes invitations here. Query count is
    constant.
    """
    regions = list(Region.objects.visible_to(request.user).order_by("name"))
    region = selected_region(request, regions)
    coordinators = Coordinator.objects.visible_to(request.user).active()
    towns_query = Municipality.objects.visible_to(request.user).select_related("region")
    if region is not None:
        coordinators = coordinators.filter(organization__region=region)
        towns_query = towns_query.filter(region=region)
    roster = coordinators.select_related(
        "organization__region", "organization__municipality", "account"
    ).prefetch_related("municipalities")
    towns = list(towns_query)
    coverage = coordinators.coverage_by_municipality(towns)
    town_rows = [(town, coverage[town.pk]) for town in towns]
    training_years = coordinators.training_year_table()
    return render(
        request,
        "coordinators/coordinator_list.html",
        {
            "roster": roster,
            "training_years": training_years,
            "total": training_years[-1].cumulative if training_years else 0,
            "professions": coordinators.by_profession(),
            "experiences": coordinators.by_experience(),
            "town_rows": town_rows,
            "uncovered_towns": [town for town, cover in town_rows if cover.total == 0],
            "show_region": len({town.region_id for town in towns}) > 1,
            "regions": regions,
            "selected_region": region,
            "manages_accounts": can_edit_regions(request.user),
        },
    )


# --- account invitations (the center, from the roster) ----------------------------------------

ACCOUNT_ACTIONS = {
    "invite": (gettext_lazy("アカウントの招待を送る"), (AccountStatus.NONE,)),
    "resend": (gettext_lazy("招待を再送する"), (AccountStatus.INVITED, AccountStatus.DISABLED)),
    "revoke": (gettext_lazy("招待を取り消す"), (AccountStatus.INVITED,)),
}


def _center_coordinator(request: HttpRequest, pk: int) -> Coordinator:
    if not can_edit_regions(request.user):
        raise PermissionDenied
    return get_object_or_404(
        Coordinator.objects.editable_by(request.user).select_related("account", "organization"),
        pk=pk,
    )


@login_required
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET: what will happen, and a button to confirm; POST: do it."""
    if action not in ACCOUNT_ACTIONS:
        raise Http404
    coordinator = _center_coordinator(request, pk)
    title, allowed = ACCOUNT_ACTIONS[action]
    status = account_status(coordinator.account)
    back = reverse("coordinators:list") + "#roster"
    if request.method == "POST":
        try:
            if status not in allowed:
                raise InvitationRefused(
                    _("この操作はできません（アカウントの状態: %(status)s）。")
                    % {"status": status.label}
                )
            if action == "revoke":
                revoke_invitation(coordinator=coordinator)
                messages.success(
                    request, _("%(name)s さんへの招待を取り消しました。") % {"name": coordinator}
                )
            else:
                result = invite(coordinator=coordinator, site_url=request.build_absolute_uri("/"))
                if result.status == TaskResultStatus.FAILED:
                    messages.error(
                        request,
                        _(
                            "%(email)s への招待メールを送れませんでした。メールアドレスと"
                            "メールサーバーの設定を確認して、もう一度送ってください。"
                        )
                        % {"email": coordinator.work_email},
                    )
                else:
                    messages.success(
                        request,
                        _("%(name)s さん（%(email)s）に招待を送りました。")
                        % {"name": coordinator, "email": coordinator.work_email},
                    )
        except InvitationRefused as refusal:
            messages.error(request, str(refusal))
        return redirect(back)
    return render(
        request,
        "coordinators/account_action_confirm.html",
        {
            "coordinator": coordinator,
            "action": action,
            "title": title,
            "status": status,
            "allowed": status in allowed,
            "days": settings.ACCOUNT_INVITATION_DAYS,
            "back": back,
        },
    )


class InvitationAcceptView(PasswordResetConfirmView):
    """The invitation link: Django's set-password page (new_password1 / new_password2) with the
    invitation's own tokens; signs the coordinator in and opens マイページ. An expired, used,
    revoked or forged link gets a page that says so (200, never an error)."""

    token_generator = invitation_tokens
    template_name = "registration/invitation_accept.html"
    post_reset_login = True
    success_url = reverse_lazy("me")

    @property
    def post_reset_login_backend(self) -> str:
        # the sign-in backend after axes' (which only counts failures)
        return settings.AUTHENTICATION_BACKENDS[-1]

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("パスワードを設定しました。ようこそ。"))
        return response


# --- the coordinator's own pages --------------------------------------------------------------


def _own_record(request: HttpRequest) -> Coordinator:
    if not is_coordinator_account(request.user):
        raise PermissionDenied
    return (
        Coordinator.objects.editable_by(request.user)
        .select_related("organization__region")
        .get(pk=request.user.coordinator_scope.coordinator_id)
    )


def _region_towns(coordinator: Coordinator):
    return Municipality.objects.filter(region_id=coordinator.organization.region_id).order_by(
        "code"
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    coordinator = _own_record(request)
    towns = _region_towns(coordinator)
    form = ProfileForm(request.POST or None, coordinator=coordinator, towns=towns)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_profile(
                coordinator=coordinator,
                training_fiscal_year=data["training_fiscal_year"],
                experience=data["experience"],
                municipalities=data["municipalities"],
                topics=data["topics"],
                consultation_other=data["consultation_other"],
                work_email=data["work_email"],
                work_phone=data["work_phone"],
                contact_visibility=data["contact_visibility"],
                contact_consent=data["contact_consent"],
                today=timezone.localdate(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("プロフィールを保存しました。"))
            return redirect("me")
    return render(
        request,
        "coordinators/profile_form.html",
        {"form": form, "coordinator": coordinator},
        status=400 if form.errors else 200,
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """The quick entry of one activity (under a minute: every field a tap)."""
    coordinator = _own_record(request)
    towns = _region_towns(coordinator)
    today = timezone.localdate()
    initial = {"done_on": today}
    own_towns = [t.pk for t in coordinator.municipalities.all()]
    if len(own_towns) == 1:
        initial["municipality"] = own_towns[0]
    form = ActivityForm(request.POST or None, towns=towns, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_activity(coordinator=coordinator, today=today, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("活動を記録しました。"))
            return redirect(reverse("me") + "#my-activity")
    return render(
        request,
        "coordinators/activity_form.html",
        {"form": form, "today": today},
        status=400 if form.errors else 200,
    )


# --- the center's activity roll-up ------------------------------------------------------------


def _center_region(request: HttpRequest) -> Region:
    if not can_edit_regions(request.user):
        raise PermissionDenied
    regions = list(Region.objects.editable_by(request.user).order_by("name"))
    region = selected_region(request, regions) or (regions[0] if regions else None)
    if region is None:
        raise Http404
    return region


def _fiscal_year(request: HttpRequest, today) -> int:
    current = current_fiscal_year(today)
    value = request.GET.get("fiscal_year", "")
    if value.isdigit() and FIRST_ACTIVITY_YEAR <= int(value) <= current:
        return int(value)
    return current


def _rollup(request: HttpRequest, region: Region, fiscal_year: int):
    entries = Activity.objects.visible_to(request.user).in_fiscal_year(fiscal_year)
    return entries.filter(coordinator__organization__region=region).rollup_by_town_and_quarter()


@login_required
def activity_report(request: HttpRequest) -> HttpResponse:
    """活動記録 per town × quarter of the fiscal year, and who is placed but has not logged any
    activity this quarter (center only)."""
    region = _center_region(request)
    today = timezone.localdate()
    fiscal_year = _fiscal_year(request, today)
    rows = _rollup(request, region, fiscal_year)
    towns = Municipality.objects.filter(region=region).values_list("code", "name")
    table, totals = activity_table(rows, fiscal_year, towns=towns)
    this_quarter = fiscal_quarter_of(today)
    placed = Coordinator.objects.visible_to(request.user).filter(organization__region=region)
    inactive = list(
        placed.without_activity_in(this_quarter).select_related("organization", "account")
    )
    return render(
        request,
        "coordinators/activity_report.html",
        {
            "region": region,
            "fiscal_year": fiscal_year,
            "fiscal_years": range(current_fiscal_year(today), FIRST_ACTIVITY_YEAR - 1, -1),
            "quarters": quarters_of(fiscal_year),
            "table": table,
            "totals": totals,
            "has_entries": bool(rows),
            "this_quarter": this_quarter,
            "inactive": inactive,
            "placed": placed.active().exists(),
        },
    )


@login_required
def activity_csv(request: HttpRequest) -> HttpResponse:
    """The report's old download address: the export page's activity.csv (logged, both
    encodings, with the region column) of the same fiscal year."""
    _center_region(request)
    fiscal_year = _fiscal_year(request, timezone.localdate())
    return redirect(f"{reverse('exports:activity')}?fiscal_year={fiscal_year}")
