"""/exports/survey-summary.csv: 協議の場 and coordinator placement as 設置数 / 分母 at three levels
(都道府県 / 圏域 / 市町村), as each role, logged, with a constant number of queries."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordinators.factories import CoordinatorFactory, OrganizationFactory
from exports import tables
from exports.columns import PREFECTURE_COLUMNS, SURVEY_SUMMARY_COLUMNS, SURVEY_SUMMARY_HEADER
from exports.models import ExportLog
from hokenfukushi.factories import MunicipalityFactory, PrefectureViewerFactory, UserFactory
from hokenfukushi.models import Council, CouncilForm, CouncilStatus
from tests.exports.test_views import BOM, download, rows_of

pytestmark = pytest.mark.django_db

NAME = "survey_summary"


@pytest.fixture
def networks(region, other_region, town, other_town, far_town):
    """テスト圏域A: テスト市 has its own established council and a named coordinator, となり町
    neither. テスト圏域B: とおく村 is covered by a whole-region coordinator, council planned."""
    council = Council.objects.create(
        region=region,
        name="テスト市協議会",
        form=CouncilForm.SINGLE,
        status=CouncilStatus.ESTABLISHED,
        status_date=dt.date(2025, 6, 1),
    )
    council.municipalities.set([town])
    CoordinatorFactory(organization=OrganizationFactory(municipality=town), municipalities=[town])
    planned = Council.objects.create(
        region=other_region, name="検討会", form=CouncilForm.JOINT, status=CouncilStatus.PLANNING
    )
    planned.municipalities.set([far_town])
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=None, region=other_region),
        covers_whole_region=True,
    )


def _table(body, encoding="utf-8-sig"):
    header, *rows = rows_of(body, encoding)
    assert header == list(SURVEY_SUMMARY_HEADER)
    return {(row[2], row[3]): row[4:] for row in rows}, rows


def test_the_prefecture_viewer_gets_three_levels_and_each_region(client_for, networks):
    response, body = download(client_for("prefecture_user"), NAME, fiscal_year=2025)
    assert response.status_code == 200 and body.startswith(BOM)
    by_unit, rows = _table(body)
    assert {(row[0], row[1]) for row in rows} == {("令和7年度", "テスト県")}
    assert by_unit == {
        # 協議の場 設置数, 分母, コーディネーター配置 設置数, 分母
        ("", "都道府県"): ["1", "1", "1", "1"],
        ("", "圏域"): ["1", "2", "2", "2"],
        ("", "市町村"): ["1", "3", "2", "3"],
        ("テスト圏域A", "圏域"): ["1", "1", "1", "1"],
        ("テスト圏域A", "市町村"): ["1", "2", "1", "2"],
        ("テスト圏域B", "圏域"): ["0", "1", "1", "1"],
        ("テスト圏域B", "市町村"): ["0", "1", "1", "1"],
    }
    assert [row[3] for row in rows[:3]] == ["都道府県", "圏域", "市町村"]


def test_the_region_sums_equal_the_prefecture_rows(client_for, networks):
    _, body = download(client_for("prefecture_user"), NAME, fiscal_year=2025)
    _by_unit, rows = _table(body)
    for level in ("圏域", "市町村"):
        (total,) = [row[4:] for row in rows if not row[2] and row[3] == level]
        parts = [row[4:] for row in rows if row[2] and row[3] == level]
        assert [str(sum(int(p[i]) for p in parts)) for i in range(4)] == total


@pytest.mark.parametrize(
    ("role", "regions", "towns"),
    [
        ("region_admin", {"テスト圏域A"}, "2"),
        ("municipal_user", {"テスト圏域A"}, "2"),
        ("other_town_user", {"テスト圏域A"}, "2"),
        ("other_region_user", {"テスト圏域B"}, "1"),
        ("prefecture_user", {"テスト圏域A", "テスト圏域B"}, "3"),
        ("coordinator_user", {"テスト圏域A"}, "2"),
    ],
)
def test_each_role_gets_the_regions_of_its_read_scope(client_for, networks, role, regions, towns):
    response, body = download(client_for(role), NAME, fiscal_year=2025)
    assert response.status_code == 200
    _by_unit, rows = _table(body)
    assert {row[2] for row in rows if row[2]} == regions
    # the prefecture's own rows only for whoever reads all of it (its municipalities: 3)
    prefecture_rows = [row for row in rows if not row[2]]
    if role == "prefecture_user":
        (prefecture_towns,) = [row for row in prefecture_rows if row[3] == "市町村"]
        assert prefecture_towns[5] == towns
    else:
        assert prefecture_rows == []
    log = ExportLog.objects.get()
    assert (log.export, log.parameters) == (NAME, {"fiscal_year": 2025, "encoding": "utf-8"})


def test_anonymous_is_sent_to_login_and_a_user_without_a_role_finds_nothing(client_for, networks):
    response = client_for("anonymous").get(reverse(f"exports:{NAME}"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client_for(UserFactory()).get(reverse(f"exports:{NAME}"))
    assert response.status_code == 404
    assert not ExportLog.objects.exists()


def test_a_year_not_offered_is_refused_on_the_page(client_for, networks):
    response = client_for("region_admin").get(reverse(f"exports:{NAME}"), {"fiscal_year": 1999})
    assert response.status_code == 400
    assert not ExportLog.objects.exists()


def test_the_export_page_offers_it(client_for, networks):
    page = client_for("prefecture_user").get(reverse("exports:index")).content.decode()
    assert reverse(f"exports:{NAME}") in page and "survey-summary.csv" in page


def test_cp932_and_a_formula_region_name(client_for, region, town):
    region.name = "=HYPERLINK(1)"
    region.save()
    _, body = download(client_for("region_admin"), NAME, fiscal_year=2025, encoding="cp932")
    assert not body.startswith(BOM)
    _by_unit, rows = _table(body, "cp932")
    assert {row[2] for row in rows if row[2]} == {"'=HYPERLINK(1)"}


def test_the_demo_region(client_for, db):
    call_command("load_demo")
    _, body = download(client_for(PrefectureViewerFactory()), NAME, fiscal_year=2025)
    by_unit, _rows = _table(body)
    # 児玉郡市: no council yet; coordinators in all four towns
    assert by_unit[("児玉郡市", "市町村")] == ["0", "4", "4", "4"]
    assert by_unit[("", "都道府県")] == ["0", "1", "1", "1"]


def test_every_row_of_both_tables_has_a_cell_for_each_defined_column(networks):
    """The rows are written by hand (towns, 圏域計, 県計, the note): a cell dropped or added in
    any of them would shift every column after it."""
    for columns, table in (
        (SURVEY_SUMMARY_COLUMNS, tables.survey_summary_table),
        (PREFECTURE_COLUMNS, tables.prefecture_table),
    ):
        assert all(header and definition for header, definition in columns)
        header, rows = table(PrefectureViewerFactory(), 2025)
        assert tuple(header) == tuple(name for name, _ in columns)
        widths = {len(row) for row in rows()}
        assert widths == {len(columns)}, table.__name__


def _queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        _response, body = download(client, NAME, fiscal_year=2025)
    return len(captured), len(rows_of(body))


def test_query_count_is_the_same_for_3_towns_and_30_towns_in_more_regions(
    client_for, region, django_assert_max_num_queries
):
    from hokenfukushi.factories import RegionFactory

    client = client_for("prefecture_user")
    for _ in range(3):
        MunicipalityFactory(region=region)
    with django_assert_max_num_queries(8):
        small, small_rows = _queries(client)
    for _ in range(9):
        other = RegionFactory()
        for _ in range(3):
            CoordinatorFactory(municipalities=[MunicipalityFactory(region=other)])
    with django_assert_max_num_queries(8):
        large, large_rows = _queries(client)
    assert large_rows > small_rows
    assert small == large


def test_the_readme_documents_every_column():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for header, definition in (*PREFECTURE_COLUMNS, *SURVEY_SUMMARY_COLUMNS):
        assert f"| {header} | {definition.replace('|', '/')} |" in readme, header
