"""The activity exports (issue 19): activity.csv (the roll-up per town × quarter for the user's
scope) and activity-open-data.csv (small cells suppressed by exports/suppression.py), as every
role, logged, in both encodings, with their statements pinned."""

import datetime as dt

import pytest
from django.urls import reverse

from coordinators.factories import ActivityFactory, CoordinatorFactory, OrganizationFactory
from exports.models import ExportLog
from exports.suppression import suppress_column
from hokenfukushi.factories import MunicipalityFactory, UserFactory
from tests.exports.test_views import download, rows_of

pytestmark = pytest.mark.django_db

NAMES = ("activity", "activity_open_data")
FY = 2025
Q1, Q3 = dt.date(2025, 5, 20), dt.date(2025, 11, 4)


def _entries(coordinator, town, day, *, individual=0, community=0):
    for kind, n in (("individual", individual), ("community", community)):
        for _ in range(n):
            ActivityFactory(coordinator=coordinator, municipality=town, done_on=day, kind=kind)


@pytest.fixture
def entries(town, other_town, far_town, coordinator_user):
    """Region A: テスト市 Q1 5 個別 + 1 地域 (one of them the coordinator account's own), Q3 4
    個別; となり町 Q1 2 個別 + 3 地域. Region B: とおく村 Q1 1 個別. FY2024: テスト市 9 個別."""
    colleague = CoordinatorFactory(organization=OrganizationFactory(municipality=other_town))
    far = CoordinatorFactory(organization=OrganizationFactory(municipality=far_town))
    _entries(coordinator_user.coordinator_record, town, Q1, individual=1)
    _entries(colleague, town, Q1, individual=4, community=1)
    _entries(colleague, town, Q3, individual=4)
    _entries(colleague, other_town, Q1, individual=2, community=3)
    _entries(far, far_town, Q1, individual=1)
    _entries(colleague, town, dt.date(2024, 6, 1), individual=9)


HEADER = ["年度", "四半期", "圏域", "団体コード", "市町村名", "個別支援", "地域支援", "計"]


def _region_a(town, other_town):
    return [
        ["2025", "1", "テスト圏域A", town.code, "テスト市", "5", "1", "6"],
        ["2025", "1", "テスト圏域A", other_town.code, "となり町", "2", "3", "5"],
        ["2025", "1", "テスト圏域A", "", "テスト圏域A 計", "7", "4", "11"],
    ]


def test_the_center_gets_its_regions_towns_by_quarter_with_totals(
    client_for, entries, town, other_town, region
):
    response, body = download(client_for("region_admin"), "activity", fiscal_year=FY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows_of(body) == [
        HEADER,
        *_region_a(town, other_town),
        ["2025", "3", "テスト圏域A", town.code, "テスト市", "4", "0", "4"],
        ["2025", "3", "テスト圏域A", "", "テスト圏域A 計", "4", "0", "4"],
    ]


def _towns_in(body) -> set[str]:
    return {row[4] for row in rows_of(body)[1:] if row[3]}


# role -> the towns whose counts it gets
SEEN = {
    "region_admin": {"テスト市", "となり町"},
    "prefecture_user": {"テスト市", "となり町", "とおく村"},
    "municipal_user": {"テスト市"},  # its own town only
    "other_town_user": {"となり町"},
    "coordinator_user": {"テスト市", "となり町"},  # the region's counts, not only its own
    "other_region_user": {"とおく村"},  # nothing of region A
    "other_region_coordinator": {"とおく村"},
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("role", SEEN)
def test_each_role_gets_the_counts_it_may_see(client_for, entries, role, name):
    response, body = download(client_for(role), name, fiscal_year=FY)
    assert response.status_code == 200
    assert _towns_in(body) == SEEN[role]
    if not SEEN[role] & {"テスト市", "となり町"}:
        assert "テスト圏域A" not in body.decode("utf-8-sig")  # not even region A's total


def test_the_coordinator_gets_the_regions_counts_without_names(
    client_for, entries, town, other_town
):
    _response, body = download(client_for("coordinator_user"), "activity", fiscal_year=FY)
    assert rows_of(body)[1:4] == _region_a(town, other_town)
    assert "coordinator_t" not in body.decode("utf-8-sig")


@pytest.mark.parametrize("name", [*NAMES, "index"])
def test_anonymous_users_are_sent_to_login(client_for, name):
    response = client_for("anonymous").get(reverse(f"exports:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", NAMES)
def test_a_user_without_a_role_finds_nothing(client_for, entries, name):
    response = client_for(UserFactory()).get(reverse(f"exports:{name}"))
    assert response.status_code == 404
    assert not ExportLog.objects.exists()


def test_open_data_suppresses_small_cells_by_the_open_data_rule(
    client_for, entries, town, other_town
):
    _response, body = download(client_for("region_admin"), "activity_open_data", fiscal_year=FY)
    rows = rows_of(body)
    assert rows[0] == HEADER[:-1]  # no per-town total across kinds
    q1 = rows[1:4]
    # the rule itself, column by column (individual 5, 2 / community 1, 3 in region A, Q1)
    individual, individual_total = suppress_column([5, 2], threshold=3)
    community, community_total = suppress_column([1, 3], threshold=3)

    def cell(value):
        return "x" if value is None else str(value)

    assert [row[5] for row in q1] == [cell(v) for v in (*individual, individual_total)]
    assert [row[6] for row in q1] == [cell(v) for v in (*community, community_total)]
    # one small cell per column: the other cell goes too (secondary), the totals stay
    assert [row[5:] for row in q1] == [["x", "x"], ["x", "x"], ["7", "4"]]


def test_the_year_is_kept_apart_and_both_encodings_work(client_for, entries):
    _response, body = download(client_for("region_admin"), "activity", fiscal_year=2024)
    assert [row[5] for row in rows_of(body)[1:]] == ["9", "9"]
    response, body = download(
        client_for("region_admin"), "activity_open_data", fiscal_year=FY, encoding="cp932"
    )
    assert response["Content-Type"] == "text/csv; charset=windows-31j"
    assert rows_of(body, "cp932")[0][0] == "年度"


def test_downloads_are_logged_with_their_kind(client_for, entries, region_admin, region):
    download(client_for("region_admin"), "activity", fiscal_year=FY)
    download(client_for("region_admin"), "activity_open_data", fiscal_year=FY, encoding="cp932")
    logs = list(ExportLog.objects.order_by("pk"))
    assert [(log.user, log.export, log.region) for log in logs] == [
        (region_admin, "activity", region),
        (region_admin, "activity_open_data", region),
    ]
    assert logs[1].parameters == {"fiscal_year": FY, "encoding": "cp932", "threshold": 3}


def test_a_bad_year_re_renders_the_page_in_japanese(client_for, entries):
    response = client_for("region_admin").get(reverse("exports:activity"), {"fiscal_year": "1999"})
    assert response.status_code == 400
    assert "年度は選べません" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_the_export_page_offers_both(client_for):
    page = client_for("municipal_user").get(reverse("exports:index")).content.decode()
    assert 'action="/exports/activity.csv"' in page
    assert 'action="/exports/activity-open-data.csv"' in page
    assert "活動記録オープンデータ（秘匿処理済み）" in page


@pytest.mark.parametrize("name", NAMES)
def test_statements_do_not_grow_with_the_number_of_towns(
    client_for, region, coordinator_user, django_assert_num_queries, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("region_admin")
    record = coordinator_user.coordinator_record

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            _response, body = download(client, name, fiscal_year=FY)
        return len(captured), len(rows_of(body))

    for _ in range(2):
        _entries(record, MunicipalityFactory(region=region), Q1, individual=3)
    small, small_rows = count()
    for _ in range(20):
        _entries(record, MunicipalityFactory(region=region), Q3, community=1)
    large, large_rows = count()
    # session, user, scope name, log insert, then the roll-up and the towns' regions
    assert small == large == 6
    assert large_rows > small_rows + 20


# --- the .xlsx twins (issue 24): the same rows as the CSV, typed cells, the same scope ----------


def _sheet_rows(body, title):
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body))[title]
    return list(sheet.iter_rows(values_only=True)), sheet


@pytest.mark.parametrize(
    ("name", "title"),
    [("activity", "活動記録"), ("activity_open_data", "活動記録オープンデータ")],
)
@pytest.mark.parametrize("role", SEEN)
def test_the_xlsx_twin_has_the_csv_rows_as_each_role(client_for, entries, role, name, title):
    client = client_for(role)
    response = client.get(reverse(f"exports:{name}_xlsx"), {"fiscal_year": FY})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(".xlsx")
    body = b"".join(response.streaming_content)
    rows, _sheet = _sheet_rows(body, title)
    _csv_response, csv_body = download(client, name, fiscal_year=FY)
    csv_rows = rows_of(csv_body)
    # 年度 comes as 令和7年度 plus the 西暦 beside it; the rest cell by cell as in the CSV
    assert rows[0][:2] == ("年度", "年度（西暦）")
    assert len(rows) == len(csv_rows)
    for sheet_row, csv_row in zip(rows[1:], csv_rows[1:], strict=True):
        assert sheet_row[0] == "令和7年度"
        assert sheet_row[1] == FY
        rest = ["" if v is None else str(v) for v in sheet_row[2:]]
        assert rest == csv_row[1:]
    towns = {row[5] for row in rows[1:] if row[4]}
    assert towns == SEEN[role]


def test_the_xlsx_counts_are_numbers_and_codes_text(client_for, entries, town):
    response = client_for("region_admin").get(reverse("exports:activity_xlsx"), {"fiscal_year": FY})
    _rows, sheet = _sheet_rows(b"".join(response.streaming_content), "活動記録")
    code, individual = sheet.cell(row=2, column=5), sheet.cell(row=2, column=7)
    assert code.value == town.code and code.data_type == "s"
    assert individual.value == 5 and individual.data_type == "n"
    assert sheet.freeze_panes == "A2"
    log = ExportLog.objects.get()
    assert log.parameters["format"] == "xlsx" and log.parameters["fiscal_year"] == FY


def test_the_export_page_offers_the_xlsx_twins(client_for):
    page = client_for("region_admin").get(reverse("exports:index")).content.decode()
    assert reverse("exports:activity_xlsx") in page
    assert reverse("exports:activity_open_data_xlsx") in page
