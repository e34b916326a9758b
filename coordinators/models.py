"""Coordinators (医療的ケア児等コーディネーター) and the organizations they work for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hokenfukushi.constraints import ConstraintErrorsOnFields
from hokenfukushi.fiscal import FiscalQuarter, fiscal_quarter_of, fiscal_year_bounds
from hokenfukushi.models import Municipality, Region
from hokenfukushi.scope import ScopedQuerySet, count_filter
from hokenfukushi.validators import validate_single_line


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("行政")
    COMMISSIONED = "commissioned", _("委託相談支援事業所・生活支援センター")
    PLANNED_CONSULTATION = "planned", _("計画相談支援事業所")
    BASE_CENTER = "base_center", _("基幹相談支援センター")
    HEALTH_CENTER = "health_center", _("保健所")
    REGIONAL_CENTER = "regional_center", _("地域センター（圏域外）")
    MEDICAL = "medical", _("医療機関")
    OTHER = "other", _("その他")


class DisabilityField(models.TextChoices):
    """The field a commissioned consultation center (委託相談) serves."""

    PHYSICAL = "physical", _("身体")
    INTELLECTUAL = "intellectual", _("知的")
    MENTAL = "mental", _("精神")


# Short labels as the source's attendance tables write them.
_SHORT_KIND_LABELS = {
    OrganizationKind.GOVERNMENT: "行政",
    OrganizationKind.COMMISSIONED: "委託相談",
    OrganizationKind.PLANNED_CONSULTATION: "計画相談",
    OrganizationKind.BASE_CENTER: "基幹",
    OrganizationKind.HEALTH_CENTER: "保健所",
    OrganizationKind.REGIONAL_CENTER: "地域センター",
    OrganizationKind.MEDICAL: "医療機関",
    OrganizationKind.OTHER: "その他",
}


def affiliation_label(kind: str, field: str = "") -> str:
    """委託相談 + 精神 -> 委託相談(精神); 行政 -> 行政 (the source's attendance-table labels)."""
    label = _SHORT_KIND_LABELS.get(kind, str(kind))
    if kind == OrganizationKind.COMMISSIONED and field:
        label = f"{label}({DisabilityField(field).label})"
    return label


class OrganizationQuerySet(ScopedQuerySet):
    region_path = "region"
    municipality_path = "municipality"


class Organization(ConstraintErrorsOnFields, models.Model):
    name = models.CharField(_("名称"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("種別"), max_length=30, choices=OrganizationKind.choices)
    department = models.CharField(
        _("部署"),
        max_length=100,
        blank=True,
        help_text=_("行政の場合: こども課、障害福祉課 など"),
        validators=[validate_single_line],
    )
    field = models.CharField(
        _("分野"),
        max_length=20,
        choices=DisabilityField.choices,
        blank=True,
        help_text=_("委託相談支援事業所・生活支援センターの場合: 身体・知的・精神"),
    )
    region = models.ForeignKey(
        Region, verbose_name=_("圏域"), on_delete=models.PROTECT, related_name="organizations"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("所在市町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_("圏域全体を担う機関（基幹相談支援センターなど）や圏域外の機関は空欄"),
    )
    notes = models.TextField(_("備考"), blank=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {
        "duplicate_organization_name": "name",
        "field_only_for_commissioned": "field",
    }

    class Meta:
        verbose_name = _("所属機関")
        verbose_name_plural = _("所属機関")
        ordering = ["region", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="organization_name_per_region",
                violation_error_code="duplicate_organization_name",
                violation_error_message=_("この圏域には同じ名称の所属機関がすでにあります。"),
            ),
            models.CheckConstraint(
                condition=Q(field="") | Q(kind="commissioned"),
                name="only_commissioned_centers_have_a_field",
                violation_error_code="field_only_for_commissioned",
                violation_error_message=_(
                    "「分野」は、種別が委託相談支援事業所・生活支援センターのときだけ選んでください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.municipality_id
            and self.region_id
            and self.municipality.region_id != self.region_id
        ):
            raise ValidationError(
                {"municipality": _("所在市町村は、選んだ圏域の市町村にしてください。")}
            )

    @property
    def affiliation(self) -> str:
        return affiliation_label(self.kind, self.field)


class BaseProfession(models.TextChoices):
    PUBLIC_HEALTH_NURSE = "public_health_nurse", _("保健師")
    NURSE = "nurse", _("看護師")
    SOCIAL_WORKER = "social_worker", _("社会福祉士")
    PSYCHIATRIC_SOCIAL_WORKER = "psychiatric_social_worker", _("精神保健福祉士")
    CONSULTATION_SPECIALIST = "consultation_specialist", _("相談支援専門員")
    CHILDCARE_WORKER = "childcare_worker", _("保育士")
    CARE_WORKER = "care_worker", _("介護福祉士")
    ADMINISTRATIVE = "administrative", _("行政職")
    OTHER = "other", _("その他")


class TrainingCourse(models.TextChoices):
    COORDINATOR = "coordinator", _("養成研修")
    SUPPORTER = "supporter", _("支援者研修")


class Experience(models.TextChoices):
    DIRECT = "direct", _("直接関わった経験あり")
    PLANNED_CONSULTATION = "planned", _("計画相談として関与")
    NONE = "none", _("関わった経験なし")


class ContactVisibility(models.TextChoices):
    """Who may see a coordinator's work contact (only ever with their consent)."""

    REGION = "region", _("圏域のメンバーに公開")
    CENTER = "center", _("基幹相談支援センターのみ")


class ConsultationTopic(models.TextChoices):
    """相談できること: what a coordinator may be consulted about (the directory's filter)."""

    SMID = "smid", _("重症心身障害")
    VENTILATOR = "ventilator", _("人工呼吸器")
    TUBE_FEEDING = "tube_feeding", _("経管栄養・吸引")
    SCHOOLING = "schooling", _("就園・就学")
    RESPITE = "respite", _("レスパイト")
    DISASTER = "disaster", _("災害時の備え")
    PROCEDURES = "procedures", _("制度・手続き")
    OTHER = "other", _("その他")


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a coordinator's contact, as plain values (see `contact_is_shown`)."""

    region_id: int | None
    is_center: bool = False  # the base center (region admin) of that region, or a superuser
    coordinator_id: int | None = None


def contact_is_shown(
    *,
    viewer: Viewer,
    record_id: int,
    record_region_id: int,
    visibility: str,
    consent_on: dt.date | None,
) -> bool:
    """A coordinator's work contact is shown only with their consent, and only inside their
    region: to everyone of the region when they chose so, else to the base center alone.
    They always see their own."""
    if viewer.coordinator_id == record_id:
        return True
    if consent_on is None or viewer.region_id != record_region_id:
        return False
    return viewer.is_center or visibility == ContactVisibility.REGION


@dataclass(frozen=True)
class TownCoordinatorCoverage:
    """How many active coordinators cover a town, and how many of them have direct experience."""

    total: int = 0
    experienced: int = 0


@dataclass(frozen=True)
class TrainingYearRow:
    """One line of the source's 「医ケアコーディネーター数」 table: R6 6名, running total 10."""

    fiscal_year: int
    count: int
    cumulative: int


@dataclass(frozen=True)
class MixRow:
    """One slice of a mix (by base profession or experience level)."""

    value: str
    label: str
    count: int
    share: float  # percent of the whole mix, 0-100


def _mix(counts: dict[str, int], choices: type[models.TextChoices]) -> list[MixRow]:
    total = sum(counts.values())
    return [
        MixRow(
            value=choice.value,
            label=str(choice.label),
            count=counts.get(choice.value, 0),
            share=100 * counts.get(choice.value, 0) / total if total else 0.0,
        )
        for choice in choices
    ]


@dataclass(frozen=True)
class CoordinatorSummary:
    """What the dashboard shows of the active coordinators of a queryset: each town's coverage,
    the totals and the training-year table, all from the same rows."""

    coverage: dict[int, TownCoordinatorCoverage]
    total: int
    experienced: int
    training_years: list[TrainingYearRow]
    # active coordinators with no activity entry in the quarter asked for (`idle_in`), or None
    without_activity: int | None = None


def _training_rows(counts: dict[int, int]) -> list[TrainingYearRow]:
    rows, cumulative = [], 0
    for fiscal_year in sorted(counts):
        cumulative += counts[fiscal_year]
        rows.append(TrainingYearRow(fiscal_year, counts[fiscal_year], cumulative))
    return rows


def _has_activity_in(quarter: FiscalQuarter) -> Exists:
    """Whether the coordinator of the outer row has an activity entry in the quarter: the one
    condition of `without_activity_in` and of `summary(idle_in=…)`."""
    return Exists(
        Activity.objects.filter(
            coordinator=OuterRef("pk"), done_on__range=(quarter.first_day, quarter.last_day)
        )
    )


class CoordinatorQuerySet(ScopedQuerySet):
    region_path = "organization__region"
    municipality_path = "organization__municipality"
    coordinator_path = "id"  # a coordinator account changes its own record (its profile)

    def without_activity_in(self, quarter: FiscalQuarter):
        """Active coordinators with no activity entry in the quarter: placed, not yet active
        (the source's "trained but unsure what to do"). One query."""
        return self.active().filter(~_has_activity_in(quarter))

    def with_topics(self):
        return self.prefetch_related(
            models.Prefetch("topics", queryset=CoordinatorTopic.objects.order_by("topic"))
        )

    def about_topic(self, topic: str):
        return self.filter(topics__topic=topic)

    def covering(self, town: Municipality):
        """Coordinators covering the town: by name, or the whole region it belongs to."""
        return self.filter(
            Q(municipalities=town)
            | Q(covers_whole_region=True, organization__region_id=town.region_id)
        ).distinct()

    def coverage_by_municipality(
        self, municipalities: Iterable[Municipality]
    ) -> dict[int, TownCoordinatorCoverage]:
        """Coverage of each given town by the coordinators in this queryset, in one query
        whatever the number of towns. A coordinator covering the whole region counts for every
        town of that region, and is never counted twice for one town."""
        return self.summary(municipalities).coverage

    def summary(
        self, municipalities: Iterable[Municipality], *, idle_in: FiscalQuarter | None = None
    ) -> CoordinatorSummary:
        """`coverage_by_municipality`, and the number of active coordinators, of experienced
        ones and `training_year_table()`, in one statement: a row per active coordinator and
        town it names (with no town for one that names none), which already holds what the
        totals count (the dashboard asked for them in more statements, as costly to build as
        to run).

        Every town these coordinators name is read, and only the given towns kept: a list of
        the towns in the statement cost more to prepare than the few rows it saves (1,741 ids).
        The towns are read through the same join a filter on `municipalities` would make, so
        this is for querysets not filtered on it (none is: `covering` is never summarized).

        With `idle_in`, the same rows also tell whether each coordinator has an activity entry
        in that quarter, and `without_activity` is `without_activity_in(idle_in).count()`: the
        dashboard's 活動記録 section then needs no statement of its own for it."""
        towns = {m.pk: m.region_id for m in municipalities}
        covered: dict[int, set[int]] = {town: set() for town in towns}
        # pk -> (experience, covers the whole region, region id, training year)
        coordinators: dict[int, tuple[str, bool, int, int]] = {}
        columns = [
            "pk",
            "experience",
            "covers_whole_region",
            "organization__region_id",
            "training_fiscal_year",
            "municipalities",
        ]
        rows = self.active().order_by()
        if idle_in is not None:
            rows = rows.annotate(has_activity=_has_activity_in(idle_in))
            columns.append("has_activity")
        active_in_quarter: set[int] = set()
        for pk, *facts, town_id, has_activity in (
            (*row, None) if idle_in is None else row for row in rows.values_list(*columns)
        ):
            coordinators[pk] = tuple(facts)
            if town_id in covered:
                covered[town_id].add(pk)
            if has_activity:
                active_in_quarter.add(pk)
        towns_by_region: dict[int, list[int]] = {}
        for town_id, town_region in towns.items():
            towns_by_region.setdefault(town_region, []).append(town_id)
        training: dict[int, int] = {}
        experienced = 0
        for pk, (experience, whole_region, region_id, training_year) in coordinators.items():
            if whole_region:
                for town_id in towns_by_region.get(region_id, ()):
                    covered[town_id].add(pk)
            experienced += experience == Experience.DIRECT
            training[training_year] = training.get(training_year, 0) + 1
        return CoordinatorSummary(
            coverage={
                town_id: TownCoordinatorCoverage(
                    total=len(ids),
                    experienced=sum(1 for pk in ids if coordinators[pk][0] == Experience.DIRECT),
                )
                for town_id, ids in covered.items()
            },
            total=len(coordinators),
            experienced=experienced,
            training_years=_training_rows(training),
            without_activity=(
                None if idle_in is None else len(coordinators.keys() - active_in_quarter)
            ),
        )

    def active(self):
        return self.filter(is_active=True)

    def _counts_by(self, field: str) -> dict:
        rows = (
            self.order_by()
            .values_list(field)
            .annotate(n=Count("pk", distinct=True))
            .values_list(field, "n")
        )
        return dict(rows)

    def training_year_table(self) -> list[TrainingYearRow]:
        """Coordinators per training fiscal year, oldest first, with running totals, in one
        query. Years nobody trained in are left out, as in the source's table (R2 is absent)."""
        return _training_rows(self._counts_by("training_fiscal_year"))

    def by_profession(self) -> list[MixRow]:
        """Base professions present, most common first (ties in the order of the choices);
        every その他 counts as one profession. One query."""
        present = [
            row for row in _mix(self._counts_by("base_profession"), BaseProfession) if row.count
        ]
        return sorted(present, key=lambda row: -row.count)

    def by_experience(self) -> list[MixRow]:
        """Every experience level, zeros included (a zero for 直接 is the point), one query."""
        return _mix(self._counts_by("experience"), Experience)

    def towns_without_coverage(self, municipalities: Iterable[Municipality]) -> list[Municipality]:
        """The given towns that no active coordinator in this queryset covers, in the given
        order (one query, whatever the number of towns)."""
        towns = list(municipalities)
        coverage = self.coverage_by_municipality(towns)
        return [town for town in towns if coverage[town.pk].total == 0]


class Coordinator(ConstraintErrorsOnFields, models.Model):
    name = models.CharField(_("氏名"), max_length=100, validators=[validate_single_line])
    kana = models.CharField(_("ふりがな"), max_length=200, validators=[validate_single_line])
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        related_name="coordinators",
    )
    base_profession = models.CharField(_("基礎職"), max_length=40, choices=BaseProfession.choices)
    base_profession_other = models.CharField(
        _("基礎職（その他の内容）"), max_length=100, blank=True, validators=[validate_single_line]
    )
    training_fiscal_year = models.PositiveSmallIntegerField(
        _("養成研修修了年度"),
        validators=[MinValueValidator(2016), MaxValueValidator(2100)],
        help_text=_("西暦の年度（令和7年度なら 2025）"),
    )
    training_course = models.CharField(
        _("研修の種類"),
        max_length=20,
        choices=TrainingCourse.choices,
        default=TrainingCourse.COORDINATOR,
    )
    experience = models.CharField(
        _("経験値"), max_length=20, choices=Experience.choices, default=Experience.NONE
    )
    medical_care_cases = models.PositiveSmallIntegerField(
        _("支援した医療的ケア児者の数"), null=True, blank=True
    )
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("担当市町村"), blank=True, related_name="coordinators"
    )
    covers_whole_region = models.BooleanField(
        _("圏域全体を担当"), default=False, help_text=_("基幹相談支援センターなど")
    )
    is_base_center_staff = models.BooleanField(_("基幹相談支援センター職員を兼ねる"), default=False)
    is_active = models.BooleanField(_("活動中"), default=True)
    notes = models.TextField(_("備考"), blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アカウント"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinator_record",
    )
    invited_at = models.DateTimeField(_("アカウントの招待を送った日時"), null=True, blank=True)
    work_email = models.EmailField(_("仕事用メールアドレス"), blank=True)
    work_phone = models.CharField(
        _("仕事用電話番号"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^[0-9][0-9-]{8,18}[0-9]$",
                _("電話番号は半角数字とハイフンで入力してください（例: 0495-00-0000）。"),
            )
        ],
    )
    contact_visibility = models.CharField(
        _("連絡先の公開範囲"),
        max_length=10,
        choices=ContactVisibility.choices,
        default=ContactVisibility.CENTER,
    )
    contact_consent_on = models.DateField(
        _("連絡先の公開に同意した日"),
        null=True,
        blank=True,
        help_text=_("空欄の間は、連絡先をどこにも表示しません"),
    )
    consultation_other = models.CharField(
        _("相談できること（その他の内容）"), max_length=100, blank=True
    )

    objects = CoordinatorQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[municipalities])
    constraint_error_fields = {
        "other_profession_missing": "base_profession_other",
        "profession_text_without_other": "base_profession_other",
        "cases_without_experience": "medical_care_cases",
        "training_year_out_of_range": "training_fiscal_year",
    }

    class Meta:
        verbose_name = _("コーディネーター")
        verbose_name_plural = _("コーディネーター")
        ordering = ["kana", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(base_profession="other") | ~Q(base_profession_other=""),
                name="other_profession_is_described",
                violation_error_code="other_profession_missing",
                violation_error_message=_(
                    "基礎職が「その他」のときは、基礎職（その他の内容）を入力してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(base_profession="other") | Q(base_profession_other=""),
                name="profession_text_only_for_other",
                violation_error_code="profession_text_without_other",
                violation_error_message=_(
                    "基礎職（その他の内容）は、基礎職で「その他」を選んだときだけ入力してください。"
                ),
            ),
            models.CheckConstraint(
                condition=~Q(experience="none")
                | Q(medical_care_cases__isnull=True)
                | Q(medical_care_cases=0),
                name="no_cases_without_experience",
                violation_error_code="cases_without_experience",
                violation_error_message=_(
                    "経験値が「関わった経験なし」の人には、支援した医療的ケア児者の数を"
                    "入力できません。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(training_fiscal_year__gte=2016) & Q(training_fiscal_year__lte=2100),
                name="training_year_in_range",
                violation_error_code="training_year_out_of_range",
                violation_error_message=_(
                    "養成研修修了年度は、2016年度から2100年度までの西暦の年度で入力してください。"
                ),
            ),
        ]
        indexes = [models.Index(fields=["training_fiscal_year"])]

    def __str__(self) -> str:
        return self.name

    @property
    def account_status(self) -> str:
        """アカウント: なし / 招待中 / 利用中 / 停止中 (for the center's roster)."""
        return str(account_status(self.account).label)

    @property
    def base_profession_label(self) -> str:
        if self.base_profession == BaseProfession.OTHER and self.base_profession_other:
            return f"その他（{self.base_profession_other}）"
        return self.get_base_profession_display()


class AccountStatus(models.TextChoices):
    NONE = "none", _("なし")
    INVITED = "invited", _("招待中")
    ACTIVE = "active", _("利用中")
    DISABLED = "disabled", _("停止中")


def account_status(account) -> AccountStatus:
    """An invited account has no password yet; a disabled one cannot sign in."""
    if account is None:
        return AccountStatus.NONE
    if not account.is_active:
        return AccountStatus.DISABLED
    if not account.has_usable_password():
        return AccountStatus.INVITED
    return AccountStatus.ACTIVE


class CoordinatorTopic(ConstraintErrorsOnFields, models.Model):
    """One 相談できること of a coordinator (a row per topic, so the directory filters on it)."""

    coordinator = models.ForeignKey(
        Coordinator,
        verbose_name=_("コーディネーター"),
        on_delete=models.CASCADE,
        related_name="topics",
    )
    topic = models.CharField(_("相談できること"), max_length=20, choices=ConsultationTopic.choices)

    constraint_error_fields = {"duplicate_topic": "topic"}

    class Meta:
        verbose_name = _("相談できること")
        verbose_name_plural = _("相談できること")
        constraints = [
            models.UniqueConstraint(
                fields=["coordinator", "topic"],
                name="topic_once_per_coordinator",
                violation_error_code="duplicate_topic",
                violation_error_message=_("同じ「相談できること」は一度だけ選べます。"),
            ),
        ]

    def __str__(self) -> str:
        return self.get_topic_display()


# --- 活動記録: a coordinator's support activity, counted, never described -------------------


class ActivityKind(models.TextChoices):
    INDIVIDUAL = "individual", _("個別支援")
    COMMUNITY = "community", _("地域支援")


class Consulter(models.TextChoices):
    FAMILY = "family", _("家族")
    CONSULTATION_SPECIALIST = "consultation_specialist", _("相談支援専門員")
    MEDICAL = "medical", _("医療機関")
    GOVERNMENT = "government", _("行政")
    CHILDCARE_EDUCATION = "childcare_education", _("保育・教育")
    OTHER = "other", _("その他")


class ActivityMethod(models.TextChoices):
    PHONE = "phone", _("電話")
    VISIT = "visit", _("訪問")
    OFFICE = "office", _("来所")
    MEETING = "meeting", _("会議")
    ONLINE = "online", _("オンライン")


class PersonKind(models.TextChoices):
    CHILD = "child", _("児")
    ADULT = "adult", _("者")


class Continuity(models.TextChoices):
    NEW = "new", _("新規")
    CONTINUING = "continuing", _("継続")


class AgeBand(models.TextChoices):
    INFANT = "infant", _("乳児")
    PRESCHOOL = "preschool", _("幼児")
    ELEMENTARY = "elementary", _("小学生")
    JUNIOR_HIGH = "junior_high", _("中学生")
    HIGH_SCHOOL = "high_school", _("高校生")
    ADULT = "adult", _("18歳以上")


@dataclass(frozen=True)
class ActivityRollupRow:
    """Activity entries of one town in one quarter, counted by kind."""

    municipality_id: int
    municipality_code: str
    municipality_name: str
    quarter: FiscalQuarter
    individual: int
    community: int

    @property
    def total(self) -> int:
        return self.individual + self.community


class ActivityQuerySet(ScopedQuerySet):
    region_path = "coordinator__organization__region"
    municipality_path = None  # the center's (and the coordinator's own) rows, not a town's
    coordinator_path = "coordinator"
    private_to_coordinator = True  # a coordinator reads only their own entries

    def counted_for(self, user):
        """The entries whose counts `user` may see (the dashboard's 活動記録, the activity
        exports): a coordinator's whole region, municipal staff's own town (scope.count_filter).
        Only ever read as counts, never listed."""
        return self._apply(
            count_filter(user, region_path=self.region_path, town_path="municipality")
        )

    def in_fiscal_year(self, fiscal_year: int):
        return self.filter(done_on__range=fiscal_year_bounds(fiscal_year))

    def in_quarter(self, quarter: FiscalQuarter):
        return self.filter(done_on__range=(quarter.first_day, quarter.last_day))

    def rollup_by_town_and_quarter(self) -> list[ActivityRollupRow]:
        """Entries per town × fiscal quarter (個別支援 / 地域支援), oldest quarter first, towns
        by 団体コード. One query: grouped by town and day; days fold into quarters here (a
        portable quarter of a fiscal year in SQL is a CASE per month for no gain)."""
        rows = (
            self.order_by()
            .values_list("municipality_id", "municipality__name", "municipality__code", "done_on")
            .annotate(
                individual=Count("pk", filter=Q(kind=ActivityKind.INDIVIDUAL)),
                community=Count("pk", filter=Q(kind=ActivityKind.COMMUNITY)),
            )
        )
        cells: dict[tuple[FiscalQuarter, str, int], list] = {}
        for town_id, name, code, day, individual, community in rows:
            key = (fiscal_quarter_of(day), code, town_id)
            cell = cells.setdefault(key, [name, 0, 0])
            cell[1] += individual
            cell[2] += community
        return [
            ActivityRollupRow(town_id, code, name, quarter, individual, community)
            for (quarter, code, town_id), (name, individual, community) in sorted(cells.items())
        ]


class Activity(ConstraintErrorsOnFields, models.Model):
    """活動記録: one support activity, as counts only. No names and no free text about anyone:
    every field is a choice, so nothing identifying can be written here."""

    coordinator = models.ForeignKey(
        Coordinator,
        verbose_name=_("コーディネーター"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    done_on = models.DateField(_("日付"))
    kind = models.CharField(_("支援の種類"), max_length=20, choices=ActivityKind.choices)
    consulted_by = models.CharField(_("相談者"), max_length=30, choices=Consulter.choices)
    method = models.CharField(_("方法"), max_length=20, choices=ActivityMethod.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市町村"),
        on_delete=models.PROTECT,
        related_name="coordinator_activities",
    )
    person_kind = models.CharField(_("児・者"), max_length=10, choices=PersonKind.choices)
    continuity = models.CharField(_("新規・継続"), max_length=20, choices=Continuity.choices)
    age_band = models.CharField(_("年齢"), max_length=20, choices=AgeBand.choices)
    created_at = models.DateTimeField(_("記録した日時"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    constraint_error_fields = {"age_band": "age_band"}

    class Meta:
        verbose_name = _("活動記録")
        verbose_name_plural = _("活動記録")
        ordering = ["-done_on", "-pk"]
        indexes = [models.Index(fields=["coordinator", "done_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(person_kind="adult", age_band="adult")
                | (Q(person_kind="child") & ~Q(age_band="adult")),
                name="activity_age_matches_child_or_adult",
                violation_error_code="age_band",
                violation_error_message=_(
                    "「者」は18歳以上、「児」は18歳未満の年齢を選んでください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.done_on:%Y-%m-%d} {self.get_kind_display()}"
