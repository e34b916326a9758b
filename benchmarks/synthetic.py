"""Synthetic data at prefecture or national scale, for benchmarks and load tests.

Everything made here is marked: regions have `is_synthetic=True` and every name starts with
【合成】. Municipality codes are valid 団体コード (mod-11 check digit) in the reserved
prefecture range 90–97, which no real prefecture uses (tests' factories use 99, so the two never
collide). Rows go in with `bulk_create` and no history rows: 225k rows take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from caseload.models import CountReport, ReportStatus
from coordinators.models import (
    BaseProfession,
    Coordinator,
    Experience,
    Organization,
    OrganizationKind,
)
from exports.models import ExportLog
from hokenfukushi.codes import check_digit
from hokenfukushi.fiscal import current_fiscal_year
from hokenfukushi.models import (
    Council,
    CouncilForm,
    CouncilStatus,
    LocalResource,
    Municipality,
    PopulationSnapshot,
    Region,
    ResourceKind,
    User,
)
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Attendance,
    Invitation,
    Meeting,
    MeetingStatus,
    PreQuestion,
)

SYNTHETIC_MARK = "【合成】"
FIRST_PREFECTURE = 90
LAST_PREFECTURE = 97
TOWNS_PER_PREFECTURE = 999  # xx001 .. xx999 (xx000 is the prefecture's own code)
MAX_TOWNS = (LAST_PREFECTURE - FIRST_PREFECTURE + 1) * TOWNS_PER_PREFECTURE
MEETINGS_PER_YEAR = 4
_BATCH = 2000


def synthetic_code(index: int) -> str:
    """The 団体コード of the `index`-th synthetic town (0-based): 90001x, 90002x, … 97999x."""
    if not 0 <= index < MAX_TOWNS:
        raise ValueError(f"synthetic town index must be in 0..{MAX_TOWNS - 1}")
    prefecture = FIRST_PREFECTURE + index // TOWNS_PER_PREFECTURE
    first_five = f"{prefecture:02d}{index % TOWNS_PER_PREFECTURE + 1:03d}"
    return first_five + str(check_digit(first_five))


def prefecture_code(prefecture: int) -> str:
    first_five = f"{prefecture:02d}000"
    return first_five + str(check_digit(first_five))


def towns_per_region(*, regions: int, towns: int) -> list[int]:
    """Spread `towns` over `regions` as evenly as possible (1,741 over 335 -> 5 or 6 each)."""
    if regions < 1 or towns < regions:
        raise ValueError("need at least one region and at least one town per region")
    base, extra = divmod(towns, regions)
    return [base + (1 if i < extra else 0) for i in range(regions)]


@dataclass(frozen=True)
class SyntheticSummary:
    regions: int
    towns: int
    fiscal_years: list[int]
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _raw_delete(queryset: models.QuerySet) -> int:
    # Skips per-row delete signals on purpose: simple_history would otherwise load and record
    # every one of ~225k synthetic rows before deleting it.
    return queryset._raw_delete(queryset.db) or 0


def _clear_references(model: type[models.Model], ids: list[int]) -> None:
    """Whatever else points at rows about to go (login records, devices, audit of exports made
    by benchmark accounts…): nullable links are cut, the rest is deleted with them."""
    relations = [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created
        and not f.concrete
        and (f.one_to_many or f.one_to_one)
        # History rows have no constraint and keep their link: the record stays as it was.
        and f.field.db_constraint
    ]
    for relation in relations:
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
        if relation.on_delete is models.SET_NULL:
            related.update(**{relation.field.name: None})
        else:
            _raw_delete(related)
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        _raw_delete(through.objects.filter(**{f"{m2m.m2m_field_name()}__in": ids}))


@transaction.atomic
def clear_synthetic() -> int:
    """Delete every synthetic region and everything in it (the demo and real data stay)."""
    regions = Region.objects.filter(is_synthetic=True)
    in_region = Q(region__is_synthetic=True)
    in_town = Q(municipality__region__is_synthetic=True)
    meetings = Meeting.objects.filter(in_region)
    deleted = 0
    for queryset in (
        PreQuestion.objects.filter(meeting__in=meetings),
        Invitation.objects.filter(meeting__in=meetings),
        ActionItem.objects.filter(raised_at__in=meetings),
        AgendaItem.objects.filter(meeting__in=meetings),
        Attendance.objects.filter(meeting__in=meetings),
        meetings,
        Coordinator.municipalities.through.objects.filter(
            coordinator__organization__region__is_synthetic=True
        ),
        Coordinator.objects.filter(organization__region__is_synthetic=True),
        Organization.objects.filter(in_region),
        CountReport.objects.filter(in_town),
        LocalResource.objects.filter(in_town),
        Council.municipalities.through.objects.filter(council__region__is_synthetic=True),
        Council.objects.filter(in_region),
        PopulationSnapshot.objects.filter(in_town),
        ExportLog.objects.filter(in_region),
    ):
        deleted += _raw_delete(queryset)
    # Accounts of synthetic regions are benchmark accounts: they go too.
    for model, queryset in (
        (User, User.objects.filter(in_region | in_town)),
        (Municipality, Municipality.objects.filter(in_region)),
        (Region, regions),
    ):
        ids = list(queryset.values_list("pk", flat=True))
        _clear_references(model, ids)
        deleted += _raw_delete(model._base_manager.filter(pk__in=ids))
    return deleted


def _bulk(model: type[models.Model], rows: list, counts: dict[str, int]) -> list:
    created = model.objects.bulk_create(rows, batch_size=_BATCH)
    counts[model._meta.db_table] = counts.get(model._meta.db_table, 0) + len(created)
    return created


def _population(rng: random.Random) -> int:
    # Log-uniform between a village (800) and a large city (400,000), like real municipalities.
    return int(10 ** rng.uniform(2.9, 5.6))


def _counts_for(population: int, rng: random.Random) -> dict[str, int]:
    # Roughly the national rates per 10,000 people (SMID ~3, medical-care children ~1.6).
    def draw(rate: float) -> int:
        expected = population * rate / 10_000
        return max(0, round(rng.gauss(expected, max(1.0, expected**0.5))))

    smid_children, smid_adults = draw(0.8), draw(3.0)
    return {
        "smid_children": smid_children,
        "medical_care_children": draw(0.6),
        "smid_adults": smid_adults,
        "medical_care_adults": draw(0.3),
        "smid_children_with_medical_care": rng.randint(0, smid_children),
        "smid_adults_with_medical_care": rng.randint(0, smid_adults),
    }


def _meeting_start(fiscal_year: int, quarter: int) -> dt.datetime:
    month = (6, 9, 12, 2)[quarter]
    year = fiscal_year + 1 if month < 4 else fiscal_year
    return dt.datetime(year, month, 15, 14, 0, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def generate_synthetic(
    *, regions: int, towns: int, years: int, seed: int = 20251124, replace: bool = True
) -> SyntheticSummary:
    """Create `regions` synthetic regions holding `towns` towns, with `years` fiscal years of
    population, approved count reports and quarterly meetings (ending with the current FY)."""
    if towns > MAX_TOWNS:
        raise ValueError(f"at most {MAX_TOWNS} synthetic towns fit in the reserved code range")
    if years < 1:
        raise ValueError("years must be at least 1")
    sizes = towns_per_region(regions=regions, towns=towns)
    if replace:
        clear_synthetic()
    # Reproducible synthetic data from a seed, not secrets.
    rng = random.Random(seed)  # nosec B311
    counts: dict[str, int] = {}
    last_year = current_fiscal_year()
    fiscal_years = list(range(last_year - years + 1, last_year + 1))
    now = timezone.now()

    region_rows = []
    town_index = 0
    for number, size in enumerate(sizes, start=1):
        prefecture = FIRST_PREFECTURE + town_index // TOWNS_PER_PREFECTURE
        region_rows.append(
            Region(
                name=f"{SYNTHETIC_MARK}圏域{number:04d}",
                kana=f"ごうせいけんいき{number}",
                prefecture_name=f"{SYNTHETIC_MARK}県{prefecture}",
                prefecture_code=prefecture_code(prefecture),
                center_name=f"{SYNTHETIC_MARK}圏域{number:04d}基幹相談支援センター",
                is_synthetic=True,
            )
        )
        town_index += size
    region_objs = _bulk(Region, region_rows, counts)

    town_rows = []
    town_index = 0
    kinds = list(Municipality.Kind)
    for region, size in zip(region_objs, sizes, strict=True):
        for _ in range(size):
            town_rows.append(
                Municipality(
                    code=synthetic_code(town_index),
                    name=f"{SYNTHETIC_MARK}市町村{town_index + 1:05d}",
                    kana=f"ごうせいしちょうそん{town_index + 1}",
                    kind=rng.choice(kinds[:3]),
                    region=region,
                )
            )
            town_index += 1
    town_objs = _bulk(Municipality, town_rows, counts)
    towns_of: dict[int, list[Municipality]] = {}
    for town in town_objs:
        towns_of.setdefault(town.region_id, []).append(town)

    populations = {town.pk: _population(rng) for town in town_objs}
    _bulk(
        PopulationSnapshot,
        [
            PopulationSnapshot(
                municipality=town,
                as_of=dt.date(fy, 10, 1),
                population=max(0, round(populations[town.pk] * (1 - 0.005 * (last_year - fy)))),
                source=f"{SYNTHETIC_MARK}合成データ",
            )
            for town in town_objs
            for fy in fiscal_years
        ],
        counts,
    )
    _bulk(
        CountReport,
        [
            CountReport(
                municipality=town,
                as_of=dt.date(fy, 4, 1),
                fiscal_year=fy,
                status=ReportStatus.APPROVED,
                submitted_at=now,
                approved_at=now,
                **_counts_for(populations[town.pk], rng),
            )
            for town in town_objs
            for fy in fiscal_years
        ],
        counts,
    )

    council_objs = _bulk(
        Council,
        [
            Council(
                region=region,
                name=f"{region.name}医療的ケア児等支援協議会",
                form=CouncilForm.REGIONAL,
                status=(status := rng.choice(list(CouncilStatus))),
                status_date=dt.date(last_year, 4, 1)
                if status == CouncilStatus.ESTABLISHED
                else None,
            )
            for region in region_objs
        ],
        counts,
    )
    _bulk(
        Council.municipalities.through,
        [
            Council.municipalities.through(council_id=council.pk, municipality_id=town.pk)
            for council in council_objs
            for town in towns_of[council.region_id]
        ],
        counts,
    )

    resource_kinds = list(ResourceKind)
    _bulk(
        LocalResource,
        [
            LocalResource(
                name=f"{town.name}の{kind.label}",
                kind=kind,
                municipality=town,
                serves_children=(children := rng.random() < 0.6),
                serves_adults=not children or rng.random() < 0.5,
                accepts_medical_care=rng.random() < 0.4,
            )
            for town in town_objs
            for kind in rng.sample(resource_kinds, rng.randint(0, 3))
        ],
        counts,
    )

    base_centers = _bulk(
        Organization,
        [
            Organization(
                name=f"{region.name}基幹相談支援センター",
                kind=OrganizationKind.BASE_CENTER,
                region=region,
            )
            for region in region_objs
        ],
        counts,
    )
    town_offices = _bulk(
        Organization,
        [
            Organization(
                name=f"{town.name}福祉課",
                kind=OrganizationKind.GOVERNMENT,
                department="福祉課",
                region_id=town.region_id,
                municipality=town,
            )
            for town in town_objs
        ],
        counts,
    )
    professions = [p for p in BaseProfession if p != BaseProfession.OTHER]
    experiences = list(Experience)
    coordinator_rows = []
    number = 0

    def coordinator(organization: Organization, *, whole_region: bool) -> Coordinator:
        nonlocal number
        number += 1
        return Coordinator(
            name=f"{SYNTHETIC_MARK}コーディネーター{number:05d}",
            kana=f"ごうせい{number:05d}",
            organization=organization,
            base_profession=rng.choice(professions),
            training_fiscal_year=rng.randint(max(2016, fiscal_years[0]), last_year),
            experience=rng.choice(experiences),
            covers_whole_region=whole_region,
            is_base_center_staff=whole_region,
        )

    for center in base_centers:
        coordinator_rows += [coordinator(center, whole_region=True) for _ in range(2)]
    for office in town_offices:
        coordinator_rows += [coordinator(office, whole_region=False) for _ in range(2)]
    coordinator_objs = _bulk(Coordinator, coordinator_rows, counts)
    organization_town = {office.pk: office.municipality_id for office in town_offices}
    _bulk(
        Coordinator.municipalities.through,
        [
            Coordinator.municipalities.through(
                coordinator_id=c.pk, municipality_id=organization_town[c.organization_id]
            )
            for c in coordinator_objs
            if not c.covers_whole_region
        ],
        counts,
    )
    coordinators_of: dict[int, list[int]] = {}
    region_of_org = {o.pk: o.region_id for o in [*base_centers, *town_offices]}
    for c in coordinator_objs:
        coordinators_of.setdefault(region_of_org[c.organization_id], []).append(c.pk)
    center_of = {center.region_id: center for center in base_centers}

    meeting_objs = _bulk(
        Meeting,
        [
            Meeting(
                region=region,
                number=index * MEETINGS_PER_YEAR + quarter + 1,
                starts_at=(starts := _meeting_start(fy, quarter)),
                ends_at=starts + dt.timedelta(hours=2),
                venue=f"{region.name}会議室",
                theme=f"{SYNTHETIC_MARK}定例会議",
                status=MeetingStatus.HELD if starts < now else MeetingStatus.PLANNED,
            )
            for region in region_objs
            for index, fy in enumerate(fiscal_years)
            for quarter in range(MEETINGS_PER_YEAR)
        ],
        counts,
    )
    attendance_rows, agenda_rows, action_rows = [], [], []
    for meeting in meeting_objs:
        region_coordinators = coordinators_of[meeting.region_id]
        if meeting.status == MeetingStatus.HELD:
            attendees = rng.sample(region_coordinators, min(6, len(region_coordinators)))
            attendance_rows += [Attendance(meeting=meeting, coordinator_id=c) for c in attendees]
            attendance_rows += [
                Attendance(meeting=meeting, organization=center_of[meeting.region_id])
                for _ in range(2)
            ]
        agenda_rows += [
            AgendaItem(meeting=meeting, order=1, kind=AgendaKind.REPORT, title="各市町村の報告"),
            AgendaItem(
                meeting=meeting,
                order=2,
                kind=rng.choice([AgendaKind.CASE_REVIEW, AgendaKind.TERMINOLOGY]),
                title=f"{SYNTHETIC_MARK}事例検討",
                is_recurring=True,
            ),
        ]
        action_rows += [
            ActionItem(
                raised_at=meeting,
                text=f"{SYNTHETIC_MARK}次回に向けて{n}",
                owner_organization=center_of[meeting.region_id],
                status=ActionStatus.OPEN
                if meeting.status == MeetingStatus.PLANNED or rng.random() < 0.2
                else ActionStatus.DONE,
            )
            for n in (1, 2)
        ]
    _bulk(Attendance, attendance_rows, counts)
    _bulk(AgendaItem, agenda_rows, counts)
    _bulk(ActionItem, action_rows, counts)
    return SyntheticSummary(
        regions=len(region_objs), towns=len(town_objs), fiscal_years=fiscal_years, rows=counts
    )
