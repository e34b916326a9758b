"""Query counts pinned at a small and a large size: the pages must not issue a query per town.

Sizes: one region of 4 towns × 1 fiscal year, and 9 regions of 63 towns × 3 fiscal years (made
with the same generator the benchmarks use)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.synthetic import generate_synthetic
from hokenfukushi.factories import PrefectureViewerFactory, RegionAdminFactory, SuperuserFactory
from hokenfukushi.models import Region

SMALL = {"regions": 1, "towns": 4, "years": 1}
LARGE = {"regions": 9, "towns": 63, "years": 3}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def _client_for(kind: str) -> Client:
    if kind == "region_admin":
        region = Region.objects.filter(is_synthetic=True).order_by("pk").first()
        return _signed_in(RegionAdminFactory(region=region))
    if kind == "prefecture":
        return _signed_in(PrefectureViewerFactory())
    return _signed_in(SuperuserFactory())


def _count_at(size: dict, kind: str, url: str) -> int:
    generate_synthetic(**size)
    return _queries(_client_for(kind), url)


@pytest.mark.django_db
def test_municipality_changelist_queries_do_not_grow():
    url = "/admin/hokenfukushi/municipality/"
    assert _count_at(SMALL, "superuser", url) == _count_at(LARGE, "superuser", url)


# The same pages a user opens most, at both sizes: a computed dashboard (cache off), a cached one,
# both exports and the count-report admin list.
PAGES = [
    ("region_admin", "/"),
    ("prefecture", "/"),
    ("prefecture", "/exports/prefecture.csv"),
    ("prefecture", "/exports/caseload.csv"),
    ("superuser", "/admin/caseload/countreport/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "url"), PAGES)
def test_page_queries_do_not_grow_with_the_number_of_towns(settings, kind, url):
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert _count_at(SMALL, kind, url) == _count_at(LARGE, kind, url)


# A cached dashboard costs the signed-in request (session, user) and the data version only.
CACHED_DASHBOARD_QUERIES = 3


@pytest.mark.django_db
@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["4_towns", "63_towns"])
@pytest.mark.parametrize("kind", ["region_admin", "prefecture"])
def test_a_cached_dashboard_costs_three_queries(size, kind, django_assert_num_queries):
    generate_synthetic(**size)
    client = _client_for(kind)
    _queries(client, "/")
    with django_assert_num_queries(CACHED_DASHBOARD_QUERIES):
        _queries(client, "/")
