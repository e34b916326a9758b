"""The prefecture export's figures against a plain-Python reading of the same records: for any
towns, regions and prefectures, population snapshots, reports, coordinators and councils,
each town's row (population, latest approved report, coverage, placement, training completers,
council, status) and each 圏域計 and 県計 (summed while the rows stream)."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseload.factories import CountReportFactory
from caseload.models import COUNT_FIELDS, SUBSET_FIELDS
from coordinators.factories import CoordinatorFactory, OrganizationFactory
from coordinators.models import TrainingCourse
from exports import columns, tables
from hokenfukushi.factories import (
    MunicipalityFactory,
    PopulationSnapshotFactory,
    RegionFactory,
    SuperuserFactory,
)
from hokenfukushi.models import Council, CouncilForm, CouncilStatus, council_preference

pytestmark = pytest.mark.django_db

YEAR = 2025  # fiscal year 2025: 2025-04-01 .. 2026-03-31
PREFECTURES = (("990001", "テスト県"), ("980005", "べつ県"))
SNAPSHOT_DATES = (dt.date(2024, 10, 1), dt.date(2025, 10, 1), dt.date(2026, 3, 31))
LATE_SNAPSHOT = dt.date(2026, 4, 1)  # after the year: never read
REPORT_DATES = (dt.date(2024, 4, 1), dt.date(2025, 4, 1), dt.date(2025, 10, 1), dt.date(2026, 3, 1))
STATUSES = ("draft", "submitted", "approved")

figure = st.integers(0, 40)
report = st.fixed_dictionaries(
    {
        "as_of": st.sampled_from(REPORT_DATES),
        "status": st.sampled_from(STATUSES),
        "counts": st.tuples(*[figure] * len(COUNT_FIELDS)),
        "subsets": st.tuples(*[st.none() | st.integers(0, 3)] * len(SUBSET_FIELDS)),
    }
)
town = st.fixed_dictionaries(
    {
        "region": st.integers(0, 2),
        "snapshots": st.dictionaries(
            st.sampled_from((*SNAPSHOT_DATES, LATE_SNAPSHOT)), st.integers(0, 90000), max_size=3
        ),
        "reports": st.lists(report, max_size=3, unique_by=lambda r: r["as_of"]),
    }
)
coordinator = st.fixed_dictionaries(
    {
        "home": st.integers(0, 5),  # the town of the organization (by index, modulo)
        "regional_center": st.booleans(),  # an organization of the region, not of a town
        "named": st.sets(st.integers(0, 5), max_size=3),
        "whole_region": st.booleans(),
        "active": st.booleans(),
        "trained": st.sampled_from((2020, YEAR, YEAR + 1)),
        "course": st.sampled_from(TrainingCourse.values),
    }
)
council = st.fixed_dictionaries(
    {
        "region": st.integers(0, 2),
        "members": st.sets(st.integers(0, 5), max_size=3),
        "status": st.sampled_from(CouncilStatus.values),
        "form": st.sampled_from(CouncilForm.values),
        "date": st.sampled_from((dt.date(2019, 4, 1), dt.date(2020, 5, 1))),
    }
)
world = st.fixed_dictionaries(
    {
        "towns": st.lists(town, min_size=1, max_size=6),
        "prefecture_of": st.tuples(*[st.integers(0, 1)] * 3),
        "coordinators": st.lists(coordinator, max_size=4),
        "councils": st.lists(council, max_size=4),
    }
)


def _build(spec):
    """The records of `spec`, and what each is in plain Python for the oracle."""
    # towns made region by region and prefectures in region order: each prefecture's regions
    # come together (its 県計 once), in the order of their first town
    spec = {
        **spec,
        "towns": sorted(spec["towns"], key=lambda t: t["region"]),
        "prefecture_of": sorted(spec["prefecture_of"]),
    }
    regions = [
        RegionFactory(
            name=f"圏域{index}",
            prefecture_code=PREFECTURES[spec["prefecture_of"][index]][0],
            prefecture_name=PREFECTURES[spec["prefecture_of"][index]][1],
        )
        for index in range(3)
    ]
    towns = []
    for town_spec in spec["towns"]:
        municipality = MunicipalityFactory(region=regions[town_spec["region"]])
        for as_of, population in town_spec["snapshots"].items():
            PopulationSnapshotFactory(municipality=municipality, as_of=as_of, population=population)
        reports = []
        for report_spec in town_spec["reports"]:
            subsets = [
                None if value is None else min(value, total)
                for value, total in zip(
                    report_spec["subsets"], report_spec["counts"][::2], strict=True
                )
            ]
            made = CountReportFactory(
                municipality=municipality,
                as_of=report_spec["as_of"],
                **dict(zip(COUNT_FIELDS, report_spec["counts"], strict=True)),
                **dict(zip(SUBSET_FIELDS, subsets, strict=True)),
                **({report_spec["status"]: True} if report_spec["status"] != "draft" else {}),
            )
            reports.append(made)
        towns.append((municipality, town_spec["snapshots"], reports))
    coordinators = []
    for spec_c in spec["coordinators"]:
        home = towns[spec_c["home"] % len(towns)][0]
        organization = (
            OrganizationFactory(municipality=None, region=home.region)
            if spec_c["regional_center"]
            else OrganizationFactory(municipality=home)
        )
        coordinators.append(
            CoordinatorFactory(
                organization=organization,
                municipalities=[towns[i % len(towns)][0] for i in spec_c["named"]],
                covers_whole_region=spec_c["whole_region"],
                is_active=spec_c["active"],
                training_fiscal_year=spec_c["trained"],
                training_course=spec_c["course"],
            )
        )
    councils = []
    for number, spec_k in enumerate(spec["councils"]):
        made = Council.objects.create(
            region=regions[spec_k["region"]],
            name=f"協議会{number}",
            form=spec_k["form"],
            status=spec_k["status"],
            status_date=spec_k["date"],
        )
        made.municipalities.set([towns[i % len(towns)][0] for i in spec_k["members"]])
        councils.append(made)
    return regions, towns, coordinators, councils


def _preferred(councils):
    best = min(councils, key=lambda c: (council_preference(c.status, c.form), c.pk), default=None)
    if best is None:
        return tables.survey_council_label(None, None), None
    return tables.survey_council_label(best.status, best.form), tables.wareki_month(
        best.status_date
    )


def _expected_town(municipality, snapshots, reports, coordinators, councils):
    year_end = dt.date(YEAR + 1, 3, 31)
    dated = sorted(day for day in snapshots if day <= year_end)
    population = snapshots[dated[-1]] if dated else None
    in_year = [r for r in reports if r.fiscal_year == YEAR]
    approved = max(
        (r for r in in_year if r.status == "approved"), key=lambda r: (r.as_of, r.pk), default=None
    )
    names = (*COUNT_FIELDS, *SUBSET_FIELDS)
    figures = [getattr(approved, name) if approved else None for name in names]
    active = [c for c in coordinators if c.is_active]
    named_ids = {c.pk for c in active if municipality in c.municipalities.all()}
    covering = {
        c.pk
        for c in active
        if c.pk in named_ids
        or (c.covers_whole_region and c.organization.region_id == municipality.region_id)
    }
    named_only = {c.pk for c in active if c.pk in named_ids and not c.covers_whole_region}
    trained = sum(
        1
        for c in coordinators
        if c.organization.municipality_id == municipality.pk
        and c.training_course == TrainingCourse.COORDINATOR
        and c.training_fiscal_year <= YEAR
    )
    label, month = _preferred([k for k in councils if municipality in k.municipalities.all()])
    status = "承認済み" if approved else ("未承認" if in_year else "未報告")
    return {
        "population": population,
        "population_as_of": dated[-1] if dated else None,
        "report_as_of": approved.as_of if approved else None,
        "figures": figures,
        "covering": covering,
        "named": len(named_only),
        "trained": trained,
        "council": (label, month),
        "status": status,
    }


def _sum(values, *, empty):
    present = [v for v in values if v is not None]
    return sum(present) if present else empty


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world)
def test_town_rows_and_totals_are_the_records_read_in_python(spec):
    with transaction.atomic():
        _check(spec)
        transaction.set_rollback(True)


def _check(spec):
    _regions, towns, coordinators, councils = _build(spec)
    header, rows = tables.prefecture_table(SuperuserFactory(), YEAR)
    h = header.index
    rows = list(rows())
    assert rows[-1][h("市町村名")] == columns.COUNTED_ONCE_NOTE
    expected = {
        m.code: _expected_town(m, snapshots, reports, coordinators, councils)
        for m, snapshots, reports in towns
    }
    town_rows = {row[h("団体コード")]: row for row in rows if row[h("団体コード")] is not None}
    assert town_rows.keys() == expected.keys()
    figures_at = slice(h("人口基準日") + 2, h("人口基準日") + 2 + 6)
    for code, row in town_rows.items():
        want = expected[code]
        assert row[h("人口")] == want["population"]
        assert row[h("人口基準日")] == want["population_as_of"]
        assert row[h("集計基準日")] == want["report_as_of"]
        assert list(row[figures_at]) == want["figures"]
        assert row[h("コーディネーター配置数")] == len(want["covering"])
        assert row[h("養成研修修了者数")] == want["trained"]
        assert row[h("配置形態")] == tables.placement_form(want["named"], len(want["covering"]))
        assert (row[h("協議の場")], row[h("協議の場の設置年月")]) == want["council"]
        assert row[h("報告状態")] == want["status"]

    region_of = {m.code: m.region for m, _s, _r in towns}
    by_region: dict = {}
    for code in sorted(expected):
        by_region.setdefault(region_of[code], []).append(code)
    totals = {row[h("市町村名")]: row for row in rows if row[h("団体コード")] is None}
    by_prefecture: dict = {}
    for region, codes in by_region.items():
        want = [expected[code] for code in codes]
        row = totals.pop(f"{region.name} 圏域計")
        population = sum(w["population"] or 0 for w in want)
        sums = [
            _sum([w["figures"][i] for w in want], empty=0 if i < len(COUNT_FIELDS) else None)
            for i in range(6)
        ]
        covering = set().union(*(w["covering"] for w in want))
        trained = sum(
            1
            for c in coordinators
            if c.organization.region_id == region.pk
            and c.training_course == TrainingCourse.COORDINATOR
            and c.training_fiscal_year <= YEAR
        )
        approved = sum(1 for w in want if w["report_as_of"] is not None)
        assert row[h("人口")] == population
        assert list(row[figures_at]) == sums
        assert row[h("コーディネーター配置数")] == len(covering)
        assert row[h("養成研修修了者数")] == trained
        assert (row[h("協議の場")], row[h("協議の場の設置年月")]) == _preferred(
            [k for k in councils if k.region_id == region.pk]
        )
        assert row[h("報告状態")] == f"承認済み {approved}/{len(codes)}"
        # the rows of a region: its towns in code order, then its 圏域計
        at = rows.index(row)
        assert [r[h("団体コード")] for r in rows[at - len(codes) : at]] == codes
        total = by_prefecture.setdefault(region.prefecture_name, [0, [], 0, 0, 0, 0])
        total[0] += population
        total[1].append(sums)
        total[2] += len(covering)
        total[3] += trained
        total[4] += approved
        total[5] += len(codes)
    for name, (population, sums, covering, trained, approved, count) in by_prefecture.items():
        row = totals.pop(f"{name} 県計")
        assert row[h("人口")] == population
        assert list(row[figures_at]) == [_sum([s[i] for s in sums], empty=None) for i in range(6)]
        assert row[h("コーディネーター配置数")] == covering
        assert row[h("養成研修修了者数")] == trained
        assert row[h("報告状態")] == f"承認済み {approved}/{count}"
    assert set(totals) == {columns.COUNTED_ONCE_NOTE}
