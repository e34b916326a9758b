"""Exports stream a chunk of rows at a time: twice the towns, not twice the memory, and the same
number of queries. The towns come from the generator the benchmarks use (1 and 2 thousand).

tests/exports/bench_export_memory.py measures the same with ten years of reports."""

import tracemalloc

import pytest
from django.test import Client

from benchmarks.synthetic import generate_synthetic
from hokenfukushi.factories import PrefectureViewerFactory
from hokenfukushi.fiscal import current_fiscal_year
from hokenfukushi.models import Municipality

pytestmark = pytest.mark.django_db

URLS = {
    "prefecture": "/exports/prefecture.csv?fiscal_year={year}",
    "open_data": "/exports/open-data.csv?fiscal_year={year}",
    "caseload": "/exports/caseload.csv",
}
# A chunk of rows is CHUNK_SIZE (500) towns' worth; however many towns, the peak stays within
# a few of them. 8 MiB is far below what 2,000 towns' rows would take as model instances.
CEILING = 8 * 1024 * 1024


def _streamed(client: Client, url: str, django_assert_max_num_queries, budget: int):
    """Peak Python memory while the body is produced, its size, and its number of lines."""
    tracemalloc.start()
    with django_assert_max_num_queries(budget):
        response = client.get(url)
        assert response.status_code == 200 and response.streaming
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size, lines


@pytest.mark.parametrize("name", URLS)
def test_2000_towns_stream_in_the_memory_of_1000(name, django_assert_max_num_queries):
    url = URLS[name].format(year=current_fiscal_year())
    # prefecture: its two statements read one snapshot (a savepoint and its release here)
    budget = {"prefecture": 7, "open_data": 5, "caseload": 4}[name]
    client = Client()
    client.force_login(PrefectureViewerFactory())
    client.get("/exports/")  # templates, URL resolvers and imports load once, outside the peak

    generate_synthetic(regions=10, towns=1000, years=1)
    peak_1000, size_1000, lines_1000 = _streamed(client, url, django_assert_max_num_queries, budget)
    generate_synthetic(regions=10, towns=2000, years=1)
    assert Municipality.objects.filter(region__is_synthetic=True).count() == 2000
    peak_2000, size_2000, lines_2000 = _streamed(client, url, django_assert_max_num_queries, budget)

    assert lines_2000 > 2000 and lines_2000 > 1.9 * lines_1000  # twice the rows ...
    assert size_2000 > 1.9 * size_1000
    assert peak_2000 < 1.3 * peak_1000  # ... not twice the memory
    assert peak_2000 < CEILING


def test_prefecture_export_takes_the_same_memory_for_300_regions_as_for_30(
    django_assert_max_num_queries,
):
    """Flat: 30 regions of 10 towns and 300 regions of 10 towns peak within 5%. A fetch of
    towns (50) and a piece of output (4 K characters) are already full at 300 towns, the region
    totals come from the database ten regions at a time, and nothing is kept per region or town.
    With the totals summed in Python (one running total per region until the end) 1,741 towns
    in 335 regions took 1.29x the memory of 63 towns in 9."""
    url = URLS["prefecture"].format(year=current_fiscal_year())
    client = Client()
    client.force_login(PrefectureViewerFactory())
    client.get("/exports/")
    peaks = []
    for regions, towns in ((30, 300), (300, 3000)):
        generate_synthetic(regions=regions, towns=towns, years=1)
        _streamed(client, url, django_assert_max_num_queries, 7)  # the first download warms up
        peak, _size, lines = _streamed(client, url, django_assert_max_num_queries, 7)
        assert lines > towns + regions
        peaks.append(peak)
    assert peaks[1] < 1.05 * peaks[0]
