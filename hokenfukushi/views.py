"""The region core's views: the health check, and the region picker the app pages share."""

import logging

from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hokenfukushi.models import Region

logger = logging.getLogger(__name__)


def selected_region(request: HttpRequest, regions: list[Region]) -> Region | None:
    """`?region=<id>` narrows a multi-region reader (prefecture) to one of `regions`, the
    regions the user may read; a region outside them answers 404, like any object outside
    the user's scope. None when no region is asked for."""
    wanted = request.GET.get("region", "")
    if not wanted:
        return None
    for region in regions:
        if str(region.pk) == wanted:
            return region
    raise Http404


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unavailable", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
