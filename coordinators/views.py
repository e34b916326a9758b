from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coordinators.models import Coordinator
from hokenfukushi.models import Municipality, Region
from hokenfukushi.views import selected_region


@login_required
def coordinator_list(request: HttpRequest) -> HttpResponse:
    """Active coordinators the user may read: roster, training years, mix and coverage gaps.

    Every municipal user reads the whole region (coordinator information is shared across the
    network); editing stays in the admin, limited to one's own town. Query count is constant.
    """
    regions = list(Region.objects.visible_to(request.user).order_by("name"))
    region = selected_region(request, regions)
    coordinators = Coordinator.objects.visible_to(request.user).active()
    towns_query = Municipality.objects.visible_to(request.user).select_related("region")
    if region is not None:
        coordinators = coordinators.filter(organization__region=region)
        towns_query = towns_query.filter(region=region)
    roster = coordinators.select_related(
        "organization__region", "organization__municipality"
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
        },
    )
