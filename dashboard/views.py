"""The dashboard page: coverage gaps per town for the regions the user may read."""

import logging
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import RequestContext, loader
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caseload.models import CountReport
from dashboard.build import build_dashboard
from dashboard.cache import cached_dashboard, cached_page
from dashboard.coverage import FixIn
from dashboard.todo import build_todo, todo_settings
from hokenfukushi.fiscal import FIRST_FISCAL_YEAR, current_fiscal_year
from hokenfukushi.models import Municipality, Region
from hokenfukushi.scope import can_edit_regions

logger = logging.getLogger(__name__)


# Where each kind of gap is fixed, in the admin (only shown to staff, and only if registered).
_FIX_ADMIN_URLS = {
    # url name, link text, change-list filter for the town, for the region
    FixIn.COUNTS: (
        "admin:caseload_countreport_changelist",
        _("在宅の対象者数を入力・承認"),
        "municipality__id__exact",
        "",
    ),
    FixIn.COORDINATORS: (
        "admin:coordinators_coordinator_changelist",
        _("担当コーディネーターを見直す"),
        "",
        "",
    ),
    FixIn.COUNCILS: (
        "admin:hokenfukushi_council_changelist",
        _("協議の場を登録・更新"),
        "",
        "region__id__exact",
    ),
    FixIn.RESOURCES: (
        "admin:hokenfukushi_localresource_changelist",
        _("地域資源を登録・更新"),
        "",
        "",
    ),
}

GAP_FILTERS = {
    "": _("すべての市町村"),
    "any": _("課題のある市町村"),
    "high": _("重要度「高」の課題がある市町村"),
}


class FixLink(NamedTuple):
    """A gap's link into the admin: the change list, its text, and the change-list filter that
    narrows it to the gap's town or region ("" for none). Named, so the page reads `link.url`
    in one attribute lookup where `link.0` first failed one."""

    url: str
    label: str
    town_filter: str
    region_filter: str


def _fix_links(user) -> dict[str, FixLink]:
    if not (user.is_active and user.is_staff):
        return {}
    links = {}
    for fix_in, (name, label, town_filter, region_filter) in _FIX_ADMIN_URLS.items():
        try:
            links[fix_in] = FixLink(reverse(name), label, town_filter, region_filter)
        except NoReverseMatch:
            continue
    return links


def _fiscal_year_param(value: str | None, current: int) -> int | None:
    if value and value.isdigit() and FIRST_FISCAL_YEAR <= int(value) <= current:
        return int(value)
    return None


def _default_year(user, *, region: Region | None, current: int) -> int:
    towns = Municipality.objects.visible_to(user)
    if region is not None:
        towns = towns.filter(region=region)
    return CountReport.objects.visible_to(user).opening_fiscal_year(towns, current=current)


def render_text(
    request: HttpRequest, template_name: str, context: dict, *, csrf_token: str | None = None
) -> str:
    """The page as text, with numbers written without asking the locale how; `csrf_token`
    replaces the request's token in `{% csrf_token %}` (a context processor's value overrides
    the context, so it is given as one).

    In Japanese a localized number is the plain number (no grouping unless `|thousands` asks
    for it, "." as the decimal point), yet localizing looks the format up three times for every
    number: at 1,741 towns that was a third of the page's rendering. Dates are always written
    through `|wareki`. A test renders the page both ways and requires the same bytes."""
    template = loader.get_template(template_name)
    processors = () if csrf_token is None else (lambda _request: {"csrf_token": csrf_token},)
    return template.template.render(
        RequestContext(request, context, processors=processors, use_l10n=False)
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Coverage gaps per town for the regions the user may read (a prefecture viewer may pick
    one region). Filters only narrow the town table; totals always cover the whole selection.
    Without a chosen year it opens on the newest year with approved figures."""
    user = request.user
    today = timezone.localdate()
    current = current_fiscal_year(today)
    region = None
    region_param = request.GET.get("region", "")
    if region_param:
        if not region_param.isdigit():
            raise Http404
        region = get_object_or_404(Region.objects.visible_to(user), pk=int(region_param))
    fiscal_year = _fiscal_year_param(request.GET.get("fiscal_year"), current)
    gap_filter = request.GET.get("gaps", "")
    if gap_filter not in GAP_FILTERS:
        gap_filter = ""

    def render_page(csrf_token: str) -> str:
        data = cached_dashboard(
            user,
            fiscal_year=fiscal_year,
            today=today,
            region=region,
            build=build_dashboard,
            default_year=lambda: _default_year(user, region=region, current=current),
        )
        return render_text(
            request,
            "dashboard/dashboard.html",
            {
                "data": data,
                "todo": build_todo(user, today=today, region=region),
                # Each shown row's cells (TownRow.cells): the table loops over the dicts
                # themselves, with no `{% with %}` and no attribute lookup per row.
                "rows": [row.cells for row in data.rows_with(gap_filter)],
                "fix_links": _fix_links(user),
                "gap_filter": gap_filter,
                "gap_filters": GAP_FILTERS.items(),
                "selected_region": region,
                "fiscal_years": range(current, FIRST_FISCAL_YEAR - 1, -1),
                "show_region": len(data.regions) > 1,
                "current_fiscal_year": current,
                # the center's own page of the roll-up and of who has no activity yet
                "activity_report_url": (
                    reverse("coordinators:activity") if can_edit_regions(user) else None
                ),
            },
            csrf_token=csrf_token,
        )

    return HttpResponse(
        cached_page(
            request,
            parts=(fiscal_year, gap_filter, *todo_settings()),
            today=today,
            region=region,
            render=render_page,
        )
    )
