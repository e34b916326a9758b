import logging

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hokenfukushi.models import Municipality, Region

logger = logging.getLogger(__name__)


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


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.visible_to(request.user)
    towns = (
        Municipality.objects.visible_to(request.user)
        .select_related("region")
        .with_latest_population()
    )
    return render(request, "hokenfukushi/dashboard.html", {"regions": regions, "towns": towns})
