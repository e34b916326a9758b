"""What the rendered dashboard must keep however its rendering is sped up (the per-town markup
written in Python, the constant `{% translate %}` tags): names from the data escaped wherever
they appear, numbers written as before, the Japanese labels."""

import datetime as dt

import pytest
from django.utils import timezone

from caseload.factories import CountReportFactory
from hokenfukushi.factories import (
    MunicipalityFactory,
    PopulationSnapshotFactory,
    PrefectureViewerFactory,
    RegionAdminFactory,
    RegionFactory,
)
from meetings.models import Meeting, MeetingStatus

FY = 2025
HOSTILE = "<script>&\"'"
ESCAPED = "&lt;script&gt;&amp;&quot;&#x27;"


def _approved_report(town, *, smid_adults: int):
    return CountReportFactory(
        municipality=town,
        as_of=dt.date(FY, 4, 1),
        approved=True,
        smid_children=3,
        medical_care_children=2,
        smid_adults=smid_adults,
        medical_care_adults=1,
    )


@pytest.fixture
def hostile_region(db):
    """A region and a town whose names need escaping, with figures, a gap and a held meeting,
    next to an ordinary region (so a prefecture viewer sees the region column and picker)."""
    region = RegionFactory(name=f"圏域{HOSTILE}")
    town = MunicipalityFactory(region=region, name=f"町{HOSTILE}", kana="")
    RegionFactory(name="ふつうの圏域")
    PopulationSnapshotFactory(municipality=town, population=129873)
    _approved_report(town, smid_adults=1234)
    Meeting.objects.create(
        region=region,
        number=1,
        starts_at=timezone.make_aware(dt.datetime(FY, 5, 20, 14)),
        status=MeetingStatus.HELD,
    )
    return region


def _page(client, **params) -> str:
    response = client.get("/", {"fiscal_year": FY, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["region_admin", "prefecture_viewer"])
def test_names_from_the_data_are_escaped_everywhere(hostile_region, client_for, role):
    if role == "region_admin":
        user = RegionAdminFactory(region=hostile_region, last_name=HOSTILE)
    else:
        user = PrefectureViewerFactory(last_name=HOSTILE)
    page = _page(client_for(user))
    assert HOSTILE not in page
    assert "&amp;lt;" not in page  # escaped once, not twice
    # The town: its row (name and sort key), its chart bar and the chart's table (and in the
    # to-do when its report for the year now due is missing, which depends on the day).
    todo = page.split('id="todo"')[1].split("</section>")[0]
    assert page.count(f"町{ESCAPED}") - todo.count(f"町{ESCAPED}") == 4
    # The region: the lead, its gap panel, and for the prefecture viewer also the region
    # picker, the town row's region column and the meeting chart and table (region-qualified).
    assert page.count(f"圏域{ESCAPED}") - todo.count(f"圏域{ESCAPED}") == (
        2 if role == "region_admin" else 6
    )
    assert ESCAPED in page.split('class="site-user"')[1].split("</span>")[0]  # the user's name


def test_numbers_are_written_as_before(hostile_region, client_for):
    page = _page(client_for(RegionAdminFactory(region=hostile_region)))
    assert 'data-stat="population">129,873人' in page  # grouped: |thousands
    assert 'data-value="129873">129,873</td>' in page  # the town row: raw sort key, grouped text
    assert 'data-stat="smid_adults">1234人' in page  # counts are never grouped
    assert '<td class="num" data-label="人口">129,873</td>' in page  # the table's total row


def test_labels_are_japanese(hostile_region, client_for):
    page = _page(client_for(RegionAdminFactory(region=hostile_region)))
    for label in (
        "<title>ダッシュボード | hokenfukushi</title>",
        '<h2 id="summary-heading">概要</h2>',
        '<th scope="col" data-sort="text">市町村</th>',
        '<span class="badge ok">承認済み</span>',
        '<span class="badge severity-high">重要度高</span>',
        '<option value="any">課題のある市町村</option>',
        '<figcaption id="chart-towns-caption">市町村ごとの在宅の対象者数</figcaption>',
        "ログアウト",
    ):
        assert label in page


def test_a_rate_that_cannot_be_computed_is_a_dash_not_none(region, client_for):
    # A town that reported but has no population registered: its figures are shown, and each
    # rate per 10,000 is "—", in the town's row and in the total row (total population 0).
    town = MunicipalityFactory(region=region, name="人口未登録町", kana="")
    _approved_report(town, smid_adults=5)
    page = _page(client_for(RegionAdminFactory(region=region)))
    row = page.split("人口未登録町</th>")[1].split("</tr>")[0]
    assert row.count('<span class="rate">（—）</span>') == 4
    assert '3<span class="rate">（—）</span>' in row
    assert "None" not in page


@pytest.mark.django_db
def test_the_dashboard_and_the_exports_offer_the_same_first_fiscal_year(client_for, town):
    # One FIRST_FISCAL_YEAR (hokenfukushi.fiscal): FY2016 can be shown and downloaded, FY2015
    # neither.
    client = client_for("region_admin")
    page = _page(client)
    assert '<option value="2016">平成28年度</option>' in page
    assert '<option value="2015">' not in page
    assert "平成28年度" in _page(client, fiscal_year=2016).split('class="lead"')[1][:300]
    assert client.get("/exports/prefecture.csv", {"fiscal_year": 2016}).status_code == 200
    assert client.get("/exports/prefecture.csv", {"fiscal_year": 2015}).status_code == 400
    exports_page = client.get("/exports/").content.decode()
    assert '<option value="2016"' in exports_page and '<option value="2015"' not in exports_page
