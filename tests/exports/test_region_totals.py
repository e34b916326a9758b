"""The prefecture export's region total rows (summed while the town rows stream):
the same figures and the same bytes as summing the town rows in Python, and the council each
region shows chosen by one rule, `council_preference`, in SQL and in Python alike."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from caseload.models import COUNT_FIELDS
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import Coordinator, Experience
from exports import tables
from exports.columns import COUNTED_ONCE_NOTE
from exports.csv_output import stream_csv
from hokenfukushi.factories import (
    MunicipalityFactory,
    PopulationSnapshotFactory,
    RegionFactory,
    SuperuserFactory,
)
from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    Municipality,
    best_council_label,
    council_label,
    council_preference,
    council_preference_order,
)
from hokenfukushi.scope import reads_whole_prefectures

AS_OF = dt.date(2025, 4, 1)  # fiscal year 2025

pytestmark = pytest.mark.django_db

COMBINATIONS = [
    (status, form) for status in CouncilStatus.values for form in [*CouncilForm.values, ""]
]


def _council(region, status, form, name):
    return Council.objects.create(
        region=region,
        name=name,
        form=form,
        status=status,
        status_date=dt.date(2025, 6, 1) if status == CouncilStatus.ESTABLISHED else None,
    )


# --- the council rule ------------------------------------------------------------------------


@given(st.lists(st.sampled_from(COMBINATIONS), max_size=6))
def test_a_region_shows_its_furthest_along_council(councils):
    label = best_council_label(councils)
    if not councils:
        assert label == "未設置"
        return
    best_rank = min(council_preference(*council)[0] for council in councils)
    candidates = [council_label(*c) for c in councils if council_preference(*c)[0] == best_rank]
    assert label == min(candidates)
    assert best_council_label(reversed(councils)) == label  # order does not matter


def test_established_beats_planning_beats_none():
    single = (CouncilStatus.ESTABLISHED, CouncilForm.SINGLE)
    planning = (CouncilStatus.PLANNING, CouncilForm.JOINT)
    none = (CouncilStatus.NONE, CouncilForm.REGIONAL)
    assert best_council_label([none, planning, single]) == "単独設置"
    assert best_council_label([none, planning]) == "検討中"
    assert best_council_label([none]) == "未設置"


def test_the_sql_order_of_councils_is_council_preference_for_every_status_and_form(region):
    for index, (status, form) in enumerate(COMBINATIONS):
        _council(region, status, form, f"協議会{index}")
    ordered = Council.objects.annotate(order=council_preference_order()).values_list(
        "status", "form", "order"
    )
    assert len(ordered) == len(COMBINATIONS)
    for (status_a, form_a, order_a), (status_b, form_b, order_b) in itertools.product(
        ordered, repeat=2
    ):
        python_a = council_preference(status_a, form_a)
        python_b = council_preference(status_b, form_b)
        assert (order_a < order_b) == (python_a < python_b)
        assert (order_a == order_b) == (python_a == python_b)


def test_each_region_total_shows_the_council_python_would_pick(prefecture_user):
    pairs = list(itertools.combinations_with_replacement(COMBINATIONS, 2))
    expected = {}
    for number, councils in enumerate(pairs):
        region = RegionFactory(name=f"圏域{number:03d}")
        MunicipalityFactory(region=region)
        for index, (status, form) in enumerate(councils):
            _council(region, status, form, f"協議会{index}")
        expected[region.name] = best_council_label(councils)
    shown = {
        region.name: council_label(region.council_status, region.council_form)
        for region in tables.regions_in_scope(prefecture_user, 2025)
    }
    assert shown == expected


# --- the totals: the bytes of summing in Python ------------------------------------------------


@pytest.fixture
def three_regions(region, other_region, town, other_town, far_town):
    """Codes interleave across regions (a region's rows come in the order of its first town),
    towns lack a population or an approved report, and coordinators cover towns by name, the
    whole region, or both."""
    third = RegionFactory(name="テスト圏域C")
    late = MunicipalityFactory(region=region, code="119997", name="おそい町")
    early = MunicipalityFactory(region=third, code="100005", name="はやい市")
    middle = MunicipalityFactory(region=other_region, code="100006", name="なか村")
    for municipality, population in ((town, 50000), (other_town, 8000), (late, 1200), (early, 77)):
        PopulationSnapshotFactory(municipality=municipality, population=population)
    CountReportFactory(municipality=town, approved=True, smid_children=5, medical_care_adults=3)
    CountReportFactory(municipality=late, approved=True, smid_children=2, smid_adults=9)
    CountReportFactory(municipality=other_town, approved=False, submitted=True)
    CountReportFactory(municipality=early, approved=True)
    CountReportFactory(municipality=far_town, approved=True, as_of=dt.date(2024, 4, 1))
    center = OrganizationFactory(municipality=None, region=region, name="基幹センター")
    CoordinatorFactory(
        organization=OrganizationFactory(municipality=town),
        municipalities=[town, late],
        experience=Experience.DIRECT,
    )
    CoordinatorFactory(organization=center, covers_whole_region=True, municipalities=[town])
    CoordinatorFactory(organization=center, covers_whole_region=True, is_active=False)
    CoordinatorFactory(organization=OrganizationFactory(municipality=middle), municipalities=[])
    _council(region, CouncilStatus.PLANNING, CouncilForm.JOINT, "検討会")
    _council(region, CouncilStatus.ESTABLISHED, CouncilForm.REGIONAL, "協議会")
    _council(third, CouncilStatus.NONE, CouncilForm.SINGLE, "未設置会")
    return third


def _python_rows(user, town_rows):
    """The export's rows as summing the town rows in Python gives them: each region's towns,
    then its 圏域計 (coordinators covering any of its towns counted once, training completers
    of its organizations, its best council), then the prefecture's 県計, then the note."""
    h = tables.PREFECTURE_HEADER.index
    towns = Municipality.objects.visible_to(user).select_related("region")
    region_of = {town.code: town.region for town in towns}
    order: dict = {}
    for row in town_rows:
        order.setdefault(region_of[row[h("団体コード")]], []).append(row)
    figures = [h(name) for name in tables.PREFECTURE_HEADER[8:14]]
    out, prefecture = [], None
    for region, rows in order.items():
        approved = [row for row in rows if row[h("集計基準日")] is not None]
        covering = set()
        for coordinator in Coordinator.objects.active().select_related("organization"):
            towns_named = {m.region_id for m in coordinator.municipalities.all()}
            whole = coordinator.covers_whole_region and coordinator.organization.region_id
            if region.pk in towns_named or whole == region.pk:
                covering.add(coordinator)
        trained = Coordinator.objects.filter(
            organization__region=region, training_fiscal_year__lte=2025
        ).count()
        councils = list(Council.objects.filter(region=region).values_list("status", "form"))
        best = min(councils, key=lambda pair: council_preference(*pair), default=(None, None))
        date = (
            Council.objects.filter(region=region, status=best[0], form=best[1])
            .values_list("status_date", flat=True)
            .first()
        )
        # the four counts sum to 0 when nothing is approved; an overlap nobody entered is empty
        sums = [
            sum(row[i] for row in approved if row[i] is not None)
            if n < len(COUNT_FIELDS) or any(row[i] is not None for row in approved)
            else None
            for n, i in enumerate(figures)
        ]
        population = sum(row[h("人口")] or 0 for row in rows)
        out += rows
        out.append(
            (
                "令和7年度",
                region.prefecture_name,
                region.name,
                None,
                f"{region.name} 圏域計",
                population,
                None,
                None,
                *sums,
                len(covering),
                trained,
                None,
                tables.survey_council_label(*best),
                tables.wareki_month(date),
                f"承認済み {len(approved)}/{len(rows)}",
            )
        )
        prefecture = prefecture or [region.prefecture_name, 0, 0, 0, [None] * 6, 0, 0]
        prefecture[1] += len(rows)
        prefecture[2] += len(approved)
        prefecture[3] += population
        prefecture[4] = [
            a if b is None else (a or 0) + b for a, b in zip(prefecture[4], sums, strict=True)
        ]
        prefecture[5] += len(covering)
        prefecture[6] += trained
    name, count, approved_count, population, sums, coordinators, trained = prefecture
    if reads_whole_prefectures(user):  # the prefecture viewer and a superuser only
        out.append(
            (
                "令和7年度",
                name,
                None,
                None,
                f"{name} 県計",
                population,
                None,
                None,
                *sums,
                coordinators,
                trained,
                None,
                None,
                None,
                f"承認済み {approved_count}/{count}",
            )
        )
    note = [None] * len(tables.PREFECTURE_HEADER)
    note[0], note[h("市町村名")] = "令和7年度", COUNTED_ONCE_NOTE
    out.append(note)
    return out


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
@pytest.mark.parametrize("role", ["prefecture_user", "region_admin", "municipal_user", "superuser"])
def test_the_download_is_the_bytes_of_summing_the_town_rows_in_python(
    request, client_for, three_regions, role, encoding
):
    user = SuperuserFactory() if role == "superuser" else request.getfixturevalue(role)
    response = client_for(user).get(
        reverse("exports:prefecture"), {"fiscal_year": 2025, "encoding": encoding}
    )
    body = b"".join(response.streaming_content)
    header, rows = tables.prefecture_table(user, 2025)
    code = header.index("団体コード")
    town_rows = [row for row in rows() if row[code] is not None]
    expected = _python_rows(user, town_rows)
    assert body == b"".join(stream_csv(header, expected, encoding))
    totals = [row[4] for row in expected if row[code] is None and "計" in row[4][-3:]]
    if role in ("prefecture_user", "superuser"):
        # the third region's first town has the lowest code: its towns and total come first
        assert totals[0] == "テスト圏域C 圏域計"
        assert len(totals) == 4  # three regions and one prefecture
    else:
        assert totals == ["テスト圏域A 圏域計"]  # one region read: no 県計


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a writer on a second connection")
@pytest.mark.django_db(transaction=True)
def test_a_write_committed_mid_download_does_not_split_the_towns_from_their_total(
    prefecture_user, town, other_town, other_connection
):
    # The region's 計 row comes from a statement run after the towns are streamed; another
    # request commits a change to a town already written. The total must still add up.
    CountReportFactory(municipality=town, as_of=AS_OF, approved=True, smid_children=5)
    CountReportFactory(municipality=other_town, as_of=AS_OF, approved=True, smid_children=7)
    _header, rows = tables.prefecture_table(prefecture_user, AS_OF.year)
    town_rows, total = [], None
    for row in rows():
        if row[3] is None:  # 団体コード: the 圏域計
            total = row
            break
        town_rows.append(row)
        if len(town_rows) == 1:
            with other_connection(autocommit=True) as other:
                other.execute(
                    "UPDATE caseload_countreport SET smid_children = 100 "
                    "WHERE municipality_id = %s",
                    [other_town.pk],
                )
    smid_children = tables.PREFECTURE_HEADER.index("重症心身障害児(在宅)")
    assert [r[smid_children] for r in town_rows] == [5, 7]
    assert total[smid_children] == 12


@pytest.mark.django_db
def test_the_export_reads_without_server_side_cursors_when_they_are_off(
    prefecture_user, town, monkeypatch
):
    # Behind a transaction-pooling pgbouncer server-side cursors must not be used; the ORM's
    # .iterator() honours the setting, and the exports read through it.
    CountReportFactory(municipality=town, as_of=AS_OF, approved=True)
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    chunked = []
    real = connection.chunked_cursor
    monkeypatch.setattr(connection, "chunked_cursor", lambda: chunked.append(1) or real())
    _header, rows = tables.prefecture_table(prefecture_user, AS_OF.year)
    assert any(row[4] == "テスト市" for row in rows())
    assert chunked == []
