"""The three CSV downloads and the export page, as every role, on fixtures and on the demo."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.factories import CountReportFactory
from exports.columns import COUNTED_ONCE_NOTE
from exports.models import ExportLog
from hokenfukushi.factories import MunicipalityFactory, PopulationSnapshotFactory, UserFactory
from hokenfukushi.models import Municipality

pytestmark = pytest.mark.django_db

EXPORTS = ("prefecture", "open_data", "caseload")
BOM = b"\xef\xbb\xbf"


SURVEY_FIGURES = (
    "人口",
    "人口基準日",
    "集計基準日",
    "重症心身障害児(在宅)",
    "医療的ケア児(在宅)",
    "重症心身障害者(在宅)",
    "医療的ケア者(在宅)",
)


def download(client, name, **params):
    response = client.get(reverse(f"exports:{name}"), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def rows_of(body, encoding="utf-8-sig"):
    return list(csv.reader(io.StringIO(body.decode(encoding))))


def records(body, encoding="utf-8-sig"):
    """The rows as {header: cell}; the town rows are those with a 団体コード."""
    header, *rows = rows_of(body, encoding)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def reports(town, other_town, far_town):
    for municipality, population in ((town, 50000), (other_town, 8000), (far_town, 3000)):
        PopulationSnapshotFactory(municipality=municipality, population=population)
    return [
        CountReportFactory(
            municipality=town,
            approved=True,
            smid_children=5,
            medical_care_children=4,
            smid_adults=12,
            medical_care_adults=3,
        ),
        CountReportFactory(
            municipality=other_town,
            approved=True,
            smid_children=1,
            medical_care_children=0,
            smid_adults=7,
            medical_care_adults=3,
        ),
        CountReportFactory(municipality=far_town, approved=True),
    ]


# --- scope: who gets which towns ---------------------------------------------------------------

VISIBLE = {
    "region_admin": {"town", "other_town"},
    "municipal_user": {"town", "other_town"},  # municipal staff read their whole region
    "other_town_user": {"town", "other_town"},
    "other_region_user": {"far_town"},
    "prefecture_user": {"town", "other_town", "far_town"},
    "coordinator_user": {"town", "other_town"},  # a coordinator reads their region
}


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("role", VISIBLE)
def test_each_role_gets_the_towns_of_its_read_scope(request, client_for, reports, role, name):
    response, body = download(client_for(role), name, fiscal_year=2025)
    assert response.status_code == 200
    codes = {row["団体コード"] for row in records(body) if row["団体コード"]}
    expected = {request.getfixturevalue(fixture).code for fixture in VISIBLE[role]}
    assert codes == expected


@pytest.mark.parametrize("name", [*EXPORTS, "index"])
def test_anonymous_users_are_sent_to_login(client_for, name):
    response = client_for("anonymous").get(reverse(f"exports:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", [*EXPORTS, "index"])
def test_a_user_without_a_role_finds_nothing(client_for, reports, name):
    response = client_for(UserFactory()).get(reverse(f"exports:{name}"))
    assert response.status_code == 404
    assert not ExportLog.objects.exists()


def test_region_totals_follow_the_read_scope(client_for, reports, region, other_region):
    _, body = download(client_for("prefecture_user"), "prefecture", fiscal_year=2025)
    totals = {row["市町村名"]: row for row in records(body) if row["市町村名"].endswith("圏域計")}
    assert set(totals) == {f"{region.name} 圏域計", f"{other_region.name} 圏域計"}
    assert [totals[f"{region.name} 圏域計"][h] for h in SURVEY_FIGURES] == [
        "58000",
        "",
        "",
        "6",
        "4",
        "19",
        "6",
    ]
    # a region's user reads one region: its 圏域計, and no 県計 that would pass one region's sum
    # off as the prefecture's
    for role in ("region_admin", "municipal_user", "coordinator_user"):
        _, body = download(client_for(role), "prefecture", fiscal_year=2025)
        assert [row["市町村名"] for row in records(body) if not row["団体コード"]] == [
            f"{region.name} 圏域計",
            COUNTED_ONCE_NOTE,
        ], role


# --- the prefecture table ----------------------------------------------------------------------


def test_towns_without_an_approved_report_get_empty_counts_never_zero(
    client_for, town, other_town, region
):
    CountReportFactory(municipality=town, approved=False, submitted=True)
    _, body = download(client_for("region_admin"), "prefecture", fiscal_year=2025)
    header, *rows = rows_of(body)
    by_code = {row[3] or row[4]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_code[town.code]["報告状態"] == "未承認"
    assert by_code[other_town.code]["報告状態"] == "未報告"
    for code in (town.code, other_town.code):
        assert by_code[code]["重症心身障害児(在宅)"] == ""
        assert by_code[code]["集計基準日"] == ""
    total = by_code[f"{region.name} 圏域計"]
    assert total["重症心身障害児(在宅)"] == "0"  # nothing approved sums to 0
    assert total["報告状態"] == "承認済み 0/2"


def test_the_latest_approved_report_of_the_year_is_used(client_for, town):
    CountReportFactory(municipality=town, approved=True, as_of=dt.date(2025, 4, 1))
    CountReportFactory(
        municipality=town, approved=True, as_of=dt.date(2025, 10, 1), smid_children=9
    )
    CountReportFactory(municipality=town, as_of=dt.date(2026, 1, 1), smid_children=50)  # draft
    CountReportFactory(
        municipality=town, approved=True, as_of=dt.date(2026, 4, 1), smid_children=70
    )  # FY2026
    _, body = download(client_for("region_admin"), "prefecture", fiscal_year=2025)
    row = records(body)[0]
    assert (row["集計基準日"], row["重症心身障害児(在宅)"]) == ("2025-10-01", "9")


def test_headers_are_exactly_the_prefectures(client_for, reports):
    _, body = download(client_for("region_admin"), "prefecture", fiscal_year=2025)
    assert rows_of(body)[0] == [
        "年度",
        "都道府県",
        "圏域",
        "団体コード",
        "市町村名",
        "人口",
        "人口基準日",
        "集計基準日",
        "重症心身障害児(在宅)",
        "医療的ケア児(在宅)",
        "重症心身障害者(在宅)",
        "医療的ケア者(在宅)",
        "重症心身障害児のうち医療的ケアが必要な方",
        "重症心身障害者のうち医療的ケアが必要な方",
        "コーディネーター配置数",
        "養成研修修了者数",
        "配置形態",
        "協議の場",
        "協議の場の設置年月",
        "報告状態",
    ]


# --- the demo: the acceptance figures ---------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("load_demo")
    from hokenfukushi.factories import PrefectureViewerFactory

    return PrefectureViewerFactory(username="pref_demo")


def test_demo_prefecture_csv_has_the_source_figures(client_for, demo):
    _response, body = download(client_for(demo), "prefecture", fiscal_year=2025)
    assert body.startswith(BOM)
    rows = records(body)
    counts = {
        row["団体コード"]: (row["市町村名"], *(row[h] for h in SURVEY_FIGURES[3:]))
        for row in rows[:-1]
    }
    assert counts == {
        "112119": ("本庄市", "6", "4", "36", "2"),
        "113816": ("美里町", "0", "1", "0", "0"),
        "113832": ("神川町", "1", "0", "2", "0"),
        "113859": ("上里町", "0", "0", "4", "0"),
        "": ("埼玉県 県計", "7", "5", "42", "2"),  # the 圏域計 row has the same figures
    }
    assert [row["市町村名"] for row in rows] == [
        "本庄市",
        "美里町",
        "神川町",
        "上里町",
        "児玉郡市 圏域計",
        "埼玉県 県計",
        COUNTED_ONCE_NOTE,
    ]
    assert {(row["年度"], row["都道府県"]) for row in rows[:6]} == {("令和7年度", "埼玉県")}
    assert {row["圏域"] for row in rows[:5]} == {"児玉郡市"}
    population = [int(row["人口"]) for row in rows[:6]]
    assert sum(population[:4]) == 129873 == population[4] == population[5]
    # the towns' coordinators add up to 24 (9+5+5+5); the region's 16 are each counted once
    assert [row["コーディネーター配置数"] for row in rows[:6]] == ["9", "5", "5", "5", "16", "16"]
    header, *raw = rows_of(body)
    _, cp932 = download(client_for(demo), "prefecture", fiscal_year=2025, encoding="cp932")
    assert not cp932.startswith(BOM)
    assert rows_of(cp932, "cp932") == [header, *raw]


def test_demo_open_data_shows_no_small_count_and_hides_nothing_recoverable(
    client_for, demo, possible_values
):
    _, body = download(client_for(demo), "open_data", fiscal_year=2025)
    _header, *rows = rows_of(body)
    count_columns = range(5, 9)
    for row in rows:
        for i in count_columns:
            assert row[i] == "x" or not 1 <= int(row[i]) <= 2, row
    assert rows[-1][1] == "児玉郡市 計"
    # Every column, attacked with what is published: no hidden cell has a single possible value.
    _, truth = download(client_for(demo), "prefecture", fiscal_year=2025)
    true_rows = records(truth)[:4]
    for i, name in zip(count_columns, SURVEY_FIGURES[3:], strict=True):
        published, _total, seen = possible_values(
            [int(row[name]) for row in true_rows], threshold=3
        )
        assert [("x" if v is None else str(v)) for v in published] == [r[i] for r in rows[:4]]
        assert all(len(values) > 1 for values in seen.values())
    assert any(row[i] == "x" for row in rows for i in count_columns)


# --- formulas, encodings, filenames, the log ------------------------------------------------------


FORMULA_NAMES = {
    "town": '=HYPERLINK("http://evil","x")',
    "region": "@SUM(1+1)",
    "organization": "=cmd|' /C calc'!A0",
    "coordinator": "+81-3-0000",
    "meeting": "=1+1 第1回",
    "council": "-2+3 検討会",
    "resource": "\t=1+2",
}


@pytest.fixture
def formula_names(reports, town, region):
    """Every name a user can type, in the town and region the exports read, starts a formula."""
    from coordinators.factories import CoordinatorFactory, OrganizationFactory
    from hokenfukushi.models import Council, CouncilForm, LocalResource
    from meetings.models import Meeting

    Municipality.objects.filter(pk=town.pk).update(name=FORMULA_NAMES["town"])
    region.name = FORMULA_NAMES["region"]
    region.save()
    organization = OrganizationFactory(municipality=town, name=FORMULA_NAMES["organization"])
    CoordinatorFactory(organization=organization, name=FORMULA_NAMES["coordinator"])
    Meeting.objects.create(
        region=region,
        number=1,
        theme=FORMULA_NAMES["meeting"],
        venue=FORMULA_NAMES["meeting"],
        starts_at=dt.datetime(2025, 6, 1, 14, tzinfo=dt.UTC),
    )
    council = Council.objects.create(
        region=region, name=FORMULA_NAMES["council"], form=CouncilForm.JOINT
    )
    council.municipalities.set([town])
    LocalResource.objects.create(
        name=FORMULA_NAMES["resource"], municipality=town, serves_children=True
    )


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
@pytest.mark.parametrize("name", EXPORTS)
def test_every_name_starting_with_a_formula_comes_out_inert(
    client_for, formula_names, name, encoding
):
    response, body = download(client_for("region_admin"), name, fiscal_year=2025, encoding=encoding)
    assert response.status_code == 200
    cells = [
        cell
        for row in rows_of(body, "utf-8-sig" if encoding == "utf-8" else encoding)
        for cell in row
    ]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    if name == "prefecture":
        assert "'@SUM(1+1) 圏域計" in cells
    elif name != "caseload":  # the long form has no region total row
        assert "'@SUM(1+1) 計" in cells
    # No cell starts a formula; a leading minus is only ever a negative number.
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert not any(cell.startswith("-") and not cell.lstrip("-").isdigit() for cell in cells)


@pytest.mark.parametrize("name", EXPORTS)
def test_cp932_refuses_a_character_it_cannot_hold_and_offers_utf8(client_for, reports, town, name):
    Municipality.objects.filter(pk=town.pk).update(name="𠮷野町")
    response = client_for("region_admin").get(
        reverse(f"exports:{name}"), {"fiscal_year": 2025, "encoding": "cp932"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "「市町村名」" in page and "𠮷野町" in page and "「𠮷」" in page
    assert "encoding=utf-8" in page
    assert not ExportLog.objects.exists()
    _utf8, body = download(client_for("region_admin"), name, fiscal_year=2025, encoding="utf-8")
    assert "𠮷野町" in body.decode("utf-8-sig")


def test_filename_says_what_when_and_whose(client_for, reports, region):
    from urllib.parse import unquote

    response, _ = download(client_for("region_admin"), "prefecture", fiscal_year=2025)
    disposition = response["Content-Disposition"]
    # Django's content_disposition_header: the Japanese name as RFC 5987 `filename*` (every
    # current browser reads it), and one filename parameter only (issue 22)
    prefix = "attachment; filename*=utf-8''"
    assert disposition.startswith(prefix) and disposition.count("filename") == 1
    name = unquote(disposition.removeprefix(prefix))
    assert re.fullmatch(rf"prefecture_R7_2025_{region.name}_\d{{8}}\.csv", name)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    response, _ = download(client_for("prefecture_user"), "caseload")
    assert re.fullmatch(
        r"attachment; filename\*=utf-8''caseload_%E5.*_\d{8}\.csv", response["Content-Disposition"]
    )


def test_every_download_is_logged(client_for, reports, region_admin, prefecture_user, region):
    download(client_for("region_admin"), "prefecture", fiscal_year=2025, encoding="cp932")
    download(client_for("prefecture_user"), "open_data", fiscal_year=2024)
    download(client_for("region_admin"), "caseload")
    logs = list(ExportLog.objects.order_by("pk"))
    assert [(log.user, log.export, log.region) for log in logs] == [
        (region_admin, "prefecture", region),
        (prefecture_user, "open_data", None),
        (region_admin, "caseload", region),
    ]
    assert logs[0].parameters == {"fiscal_year": 2025, "encoding": "cp932"}
    assert logs[1].parameters == {"fiscal_year": 2024, "encoding": "utf-8", "threshold": 3}


@pytest.mark.parametrize("bad", ["abc", "1999", "2200"])
def test_a_bad_fiscal_year_re_renders_the_page_with_a_japanese_error(client_for, reports, bad):
    response = client_for("region_admin").get(
        reverse("exports:prefecture"), {"fiscal_year": bad, "encoding": "cp932"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "年度は選べません" in page
    assert 'value="cp932" checked' in page  # the user's other choice is kept
    assert not ExportLog.objects.exists()


def test_the_export_page_lists_the_three_exports(client_for, reports):
    response = client_for("municipal_user").get(reverse("exports:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for url in ("prefecture.csv", "open-data.csv", "caseload.csv"):
        assert f"/exports/{url}" in page
    assert "1〜2人のセルは「x」" in page


# --- the long-form caseload export ---------------------------------------------------------------


def test_caseload_has_one_row_per_count_with_its_state(client_for, town):
    CountReportFactory(municipality=town, smid_children_with_medical_care=2)
    _, body = download(client_for("region_admin"), "caseload")
    header, *rows = rows_of(body)
    assert header == ["団体コード", "市町村名", "集計基準日", "年度", "区分", "人数", "状態"]
    assert [(row[4], row[5]) for row in rows] == [
        ("重症心身障害児（在宅）", "3"),
        ("医療的ケア児（在宅）", "2"),
        ("重症心身障害者（在宅）", "10"),
        ("医療的ケア者（在宅）", "1"),
        ("重症心身障害児のうち医療的ケアが必要な方", "2"),
    ]
    assert {row[6] for row in rows} == {"下書き"}
    assert {row[3] for row in rows} == {"2025"}


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_caseload_writes_the_bytes_csv_writer_would_for_hostile_names(
    client_for, region_admin, region, town, other_town, encoding
):
    """caseload.csv writes its lines itself (tables.caseload_text); they must be the lines the
    generic writer makes of the same rows, for names that need quoting or a formula guard."""
    from exports import tables
    from exports.csv_output import stream_csv

    names = ['引用"符"町', "a,b村", "改\r\n行町", "=1+1", "+81", "-A1", "@SUM(A1)", "\tx", "\rx"]
    for index, name in enumerate(names):
        municipality = town if index == 0 else other_town if index == 1 else None
        if municipality is None:
            municipality = MunicipalityFactory(region=region)
        Municipality.objects.filter(pk=municipality.pk).update(name=name)
        CountReportFactory(
            municipality=municipality,
            as_of=dt.date(2024 + index % 2, 4, 1),
            approved=index % 3 == 0,
            smid_children_with_medical_care=None if index % 2 else 1,
        )
    response, body = download(client_for("region_admin"), "caseload", encoding=encoding)
    assert response.status_code == 200
    header, rows = tables.caseload_table(region_admin)
    assert body == b"".join(stream_csv(header, rows(), encoding))
    parsed = rows_of(body, "utf-8-sig" if encoding == "utf-8" else encoding)
    assert {row[1] for row in parsed[1:]} >= {'引用"符"町', "a,b村", "改\r\n行町", "'=1+1", "'\rx"}


# --- queries do not grow with towns ---------------------------------------------------------------


def _add_towns(region, count, years=(2025,)):
    for _ in range(count):
        municipality = MunicipalityFactory(region=region)
        PopulationSnapshotFactory(municipality=municipality)
        for year in years:
            CountReportFactory(municipality=municipality, approved=True, as_of=dt.date(year, 4, 1))


def _queries(client, name) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        _response, body = download(client, name, fiscal_year=2025)
    return len(captured), len(rows_of(body))


@pytest.mark.parametrize("name", EXPORTS)
def test_query_count_is_the_same_for_3_towns_and_30_towns_over_3_years(
    client_for, region, region_admin, django_assert_max_num_queries, name
):
    client = client_for("region_admin")
    # session, user, scope name, log insert, then the rows (prefecture: towns, region totals,
    # read in one snapshot: in a test that is a savepoint and its release)
    budget = {"prefecture": 8, "open_data": 6, "caseload": 5}[name]
    _add_towns(region, 3)
    with django_assert_max_num_queries(budget):
        small, small_rows = _queries(client, name)
    _add_towns(region, 27, years=(2023, 2024, 2025))
    with django_assert_max_num_queries(budget):
        large, large_rows = _queries(client, name)
    assert large_rows > 30 and large_rows > small_rows
    assert small == large


# --- coordinators and councils per town ----------------------------------------------------------


def test_coordinator_counts_agree_with_the_coordinators_coverage_rule(
    client_for, region, town, other_town, far_town
):
    from coordinators.factories import CoordinatorFactory, OrganizationFactory
    from coordinators.models import Coordinator, Experience

    center = OrganizationFactory(municipality=None, region=region, name="基幹センター")
    CoordinatorFactory(municipalities=[town], experience=Experience.DIRECT)
    CoordinatorFactory(organization=center, covers_whole_region=True, municipalities=[town])
    CoordinatorFactory(municipalities=[town], is_active=False)
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=far_town), covers_whole_region=True
    )
    _, body = download(client_for("region_admin"), "prefecture", fiscal_year=2025)
    header, *rows = rows_of(body)
    by_code = {row[3] or row[4]: dict(zip(header, row, strict=True)) for row in rows}
    coverage = Coordinator.objects.coverage_by_municipality([town, other_town])
    for municipality, expected in ((town, (2, "単独配置")), (other_town, (1, "圏域で配置"))):
        row = by_code[municipality.code]
        exported = (int(row["コーディネーター配置数"]), row["配置形態"])
        assert exported == expected
        assert exported[0] == coverage[municipality.pk].total
    # the whole-region coordinator covers both towns: counted once in the 圏域計 (2, not 3)
    assert by_code[f"{region.name} 圏域計"]["コーディネーター配置数"] == "2"


def test_council_column_names_the_form_once_established(client_for, region, town, other_town):
    from hokenfukushi.models import Council, CouncilForm, CouncilStatus

    planned = Council.objects.create(
        region=region, name="検討会", form=CouncilForm.JOINT, status=CouncilStatus.PLANNING
    )
    planned.municipalities.set([town, other_town])
    established = Council.objects.create(
        region=region,
        name="協議会",
        form=CouncilForm.SINGLE,
        status=CouncilStatus.ESTABLISHED,
        status_date=dt.date(2025, 6, 1),
    )
    established.municipalities.set([town])
    _, body = download(client_for("region_admin"), "prefecture", fiscal_year=2025)
    header, *rows = rows_of(body)
    column, month = header.index("協議の場"), header.index("協議の場の設置年月")
    assert [row[column] for row in rows[:3]] == ["単独設置", "設置予定", "単独設置"]
    assert [row[month] for row in rows[:3]] == ["令和7年6月", "", "令和7年6月"]


def test_the_suppression_threshold_is_a_setting(client_for, reports, settings):
    settings.OPEN_DATA_SUPPRESSION_THRESHOLD = 5
    client = client_for("region_admin")
    assert "1〜4人のセルは「x」" in client.get(reverse("exports:index")).content.decode()
    _, body = download(client, "open_data", fiscal_year=2025)
    _header, *rows = rows_of(body)
    cells = [row[i] for row in rows for i in range(5, 9)]
    assert "x" in cells
    assert not any(cell != "x" and 1 <= int(cell) <= 4 for cell in cells)
    assert ExportLog.objects.get().parameters["threshold"] == 5


@pytest.mark.parametrize(
    ("role", "year"),
    [
        ("region_admin", 2025),
        ("municipal_user", 2025),
        ("other_town_user", 2025),
        ("other_region_user", 2026),
        ("prefecture_user", 2025),
    ],
)
def test_without_a_year_the_latest_approved_year_in_the_read_scope_is_exported(
    client_for, reports, far_town, role, year
):
    # Only the far region has approved FY2026 figures: readers of the other region still get
    # FY2025, their own latest, rather than an empty FY2026 that hints at another region; the
    # prefecture viewer too, since FY2026 is approved by only one town of three (the default is
    # the latest year EVERY town in scope has approved).
    CountReportFactory(municipality=far_town, as_of=dt.date(2026, 4, 1), approved=True)
    response, _ = download(client_for(role), "prefecture")
    assert response.status_code == 200
    assert ExportLog.objects.get().parameters["fiscal_year"] == year
    page = client_for(role).get(reverse("exports:index")).content.decode()
    assert f'<option value="{year}" selected>' in page
