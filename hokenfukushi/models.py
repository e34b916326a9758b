"""Region core: regions, municipalities, population snapshots and users with their roles."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hokenfukushi.codes import validate_municipality_code
from hokenfukushi.constraints import ConstraintErrorsOnFields
from hokenfukushi.fiscal import wareki
from hokenfukushi.scope import ScopedQuerySet
from hokenfukushi.validators import validate_single_line


class RegionQuerySet(ScopedQuerySet):
    region_path = "id"


class Region(models.Model):
    """圏域 / 郡市: the area one base consultation center serves (e.g. 児玉郡市)."""

    name = models.CharField(
        _("圏域名"), max_length=100, unique=True, validators=[validate_single_line]
    )
    kana = models.CharField(
        _("よみがな"), max_length=200, blank=True, validators=[validate_single_line]
    )
    prefecture_name = models.CharField(
        _("都道府県"), max_length=10, validators=[validate_single_line]
    )
    prefecture_code = models.CharField(
        _("都道府県コード"), max_length=6, validators=[validate_municipality_code]
    )
    center_name = models.CharField(
        _("基幹相談支援センター"), max_length=200, blank=True, validators=[validate_single_line]
    )
    is_synthetic = models.BooleanField(_("合成データ"), default=False, editable=False)

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("圏域")
        verbose_name_plural = _("圏域")
        ordering = ["prefecture_code", "name"]

    def __str__(self) -> str:
        return self.name


class MunicipalityQuerySet(ScopedQuerySet):
    region_path = "region"
    municipality_path = "id"

    def with_latest_population(self, *, with_as_of: bool = True):
        """`population` (and `population_as_of`) of each town's latest snapshot; pages that do
        not print the date leave it out, a correlated subquery less to build and to run."""
        latest = PopulationSnapshot.objects.filter(municipality=models.OuterRef("pk")).order_by(
            "-as_of"
        )
        population = models.Subquery(latest.values("population")[:1])
        if not with_as_of:
            return self.annotate(population=population)
        return self.annotate(
            population=population, population_as_of=models.Subquery(latest.values("as_of")[:1])
        )


class Municipality(ConstraintErrorsOnFields, models.Model):
    """市町村 with its 6-digit 団体コード."""

    class Kind(models.TextChoices):
        CITY = "city", _("市")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")
        WARD = "ward", _("特別区")

    code = models.CharField(
        _("団体コード"),
        max_length=6,
        unique=True,
        validators=[validate_municipality_code],
        help_text=_("半角数字6桁（末尾は検査数字）。例: 本庄市 112119"),
    )
    name = models.CharField(_("市町村名"), max_length=50, validators=[validate_single_line])
    kana = models.CharField(
        _("よみがな"), max_length=100, blank=True, validators=[validate_single_line]
    )
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("圏域"), on_delete=models.PROTECT, related_name="municipalities"
    )

    objects = MunicipalityQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {"code_not_six_digits": "code"}

    class Meta:
        verbose_name = _("市町村")
        verbose_name_plural = _("市町村")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"),
                name="municipality_code_six_digits",
                violation_error_code="code_not_six_digits",
                violation_error_message=_("団体コードは半角数字6桁で入力してください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationSnapshotQuerySet(ScopedQuerySet):
    region_path = "municipality__region"
    municipality_path = "municipality"


class PopulationSnapshot(ConstraintErrorsOnFields, models.Model):
    """人口 as of a date (基準日)."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市町村"),
        on_delete=models.CASCADE,
        related_name="population_snapshots",
    )
    as_of = models.DateField(_("基準日"))
    population = models.PositiveIntegerField(_("人口"), validators=[MinValueValidator(0)])
    source = models.CharField(
        _("出典"), max_length=200, blank=True, validators=[validate_single_line]
    )

    objects = PopulationSnapshotQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {"duplicate_population": "as_of", "population_negative": "population"}

    class Meta:
        verbose_name = _("人口")
        verbose_name_plural = _("人口")
        ordering = ["municipality__code", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "as_of"],
                name="one_population_per_municipality_and_date",
                violation_error_code="duplicate_population",
                violation_error_message=_(
                    "この市町村・基準日の人口はすでに登録されています。一覧から開いて直してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(population__gte=0),
                name="population_not_negative",
                violation_error_code="population_negative",
                violation_error_message=_("人口は0以上の整数で入力してください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {wareki(self.as_of)} {self.population:,}人"


def rate_per_10000(count: int | None, population: int | None) -> Decimal | None:
    """Count per 10,000 inhabitants, one decimal, half up; None when it cannot be computed."""
    if count is None or not population:
        return None
    rate = Decimal(count) * 10000 / Decimal(population)
    return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class UserQuerySet(ScopedQuerySet):
    """Accounts are scoped by their home region (a town's staff belong to its region)."""

    def visible_to(self, user):
        return self._account_scope(user)

    def editable_by(self, user):
        return self._account_scope(user)

    def choosable_by(self, user):
        return self._account_scope(user)

    def _account_scope(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        if user.role == User.Role.REGION_ADMIN and user.region_id:
            return self.filter(
                Q(region_id=user.region_id)
                | Q(municipality__region_id=user.region_id)
                | Q(coordinator_record__organization__region_id=user.region_id),
                is_superuser=False,
            ).exclude(role=User.Role.PREFECTURE)
        return self.filter(pk=user.pk)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(ConstraintErrorsOnFields, AbstractUser):
    class Role(models.TextChoices):
        REGION_ADMIN = "region_admin", _("圏域管理者（基幹相談支援センター）")
        MUNICIPAL = "municipal", _("市町村担当者")
        PREFECTURE = "prefecture", _("県担当者（閲覧のみ）")
        COORDINATOR = "coordinator", _("コーディネーター")
        NONE = "none", _("権限なし")

    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.NONE)
    region = models.ForeignKey(
        Region,
        verbose_name=_("圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects = UserManager()
    constraint_error_fields = {
        "region_admin_without_region": "region",
        "municipal_staff_without_municipality": "municipality",
        "coordinator_home": "region",
    }

    class Meta(AbstractUser.Meta):
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="region_admin") | Q(region__isnull=False),
                name="region_admin_has_region",
                violation_error_code="region_admin_without_region",
                violation_error_message=_("圏域管理者には圏域を選んでください。"),
            ),
            models.CheckConstraint(
                condition=~Q(role="municipal") | Q(municipality__isnull=False),
                name="municipal_staff_has_municipality",
                violation_error_code="municipal_staff_without_municipality",
                violation_error_message=_("市町村担当者には市町村を選んでください。"),
            ),
            # A coordinator's region is their coordinator record's (coordinators.Coordinator
            # .account): a home region or town of their own could only contradict it.
            models.CheckConstraint(
                condition=~Q(role="coordinator")
                | Q(region__isnull=True, municipality__isnull=True),
                name="coordinator_account_has_no_home",
                violation_error_code="coordinator_home",
                violation_error_message=_(
                    "コーディネーターの圏域は、コーディネーターの登録（所属機関）から決まります。"
                    "圏域・市町村は空欄にしてください。"
                ),
            ),
        ]

    @property
    def display_name(self) -> str:
        """The name people read on pages (提出者, 承認者): the full name, else the login name."""
        return self.get_full_name() or self.get_username()

    @property
    def scope_region_id(self) -> int | None:
        """The region whose data this user reads (prefecture viewers read all)."""
        if self.role == self.Role.MUNICIPAL and self.municipality_id:
            return self.municipality.region_id
        if self.role == self.Role.REGION_ADMIN:
            return self.region_id
        if self.role == self.Role.COORDINATOR and self.coordinator_scope is not None:
            return self.coordinator_scope.region_id
        return None

    @cached_property
    def coordinator_scope(self) -> CoordinatorScope | None:
        """For a coordinator account: its active coordinator record, that record's organization
        and region, in one query (read through the `coordinator_record` relation, so the core
        imports nothing of the coordinators app). None for other roles, for an account not tied
        to a record, and once the record is no longer active."""
        if self.role != self.Role.COORDINATOR or self.pk is None:
            return None
        row = (
            User.objects.filter(pk=self.pk, coordinator_record__is_active=True)
            .values_list(
                "coordinator_record__pk",
                "coordinator_record__organization_id",
                "coordinator_record__organization__region_id",
            )
            .first()
        )
        return CoordinatorScope(*row) if row else None


class CoordinatorScope(NamedTuple):
    """Where a coordinator account reaches: its own record, its organization, its region."""

    coordinator_id: int
    organization_id: int
    region_id: int


class CouncilForm(models.TextChoices):
    SINGLE = "single", _("単独設置")
    JOINT = "joint", _("共同設置")
    REGIONAL = "regional", _("圏域設置")


class CouncilStatus(models.TextChoices):
    NONE = "none", _("未設置")
    PLANNING = "planning", _("検討中")
    ESTABLISHED = "established", _("設置済み")


# --- a town's or region's council status: one rule for the dashboard and the exports ------------


def council_label(status: str | None, form: str | None) -> str:
    """設置済み councils are named by their form (単独設置, 共同設置, 圏域設置); the others by
    their status; no council at all is 未設置."""
    if status == CouncilStatus.ESTABLISHED and form:
        return str(CouncilForm(form).label)
    if status:
        return str(CouncilStatus(status).label)
    return str(CouncilStatus.NONE.label)


_COUNCIL_RANK = {CouncilStatus.ESTABLISHED: 0, CouncilStatus.PLANNING: 1, CouncilStatus.NONE: 2}


def council_preference(status: str | None, form: str | None) -> tuple[int, str]:
    """How councils are ranked when a town or region belongs to several: the furthest along
    first (設置済み < 検討中 < 未設置), then by label."""
    return (_COUNCIL_RANK.get(status, len(_COUNCIL_RANK)), council_label(status, form))


def best_council(
    councils: Iterable[tuple[str | None, str | None]],
) -> tuple[str | None, str | None]:
    """The (status, form) of the most advanced of `councils` by `council_preference`;
    (None, None) when there is none."""
    councils = tuple(councils)
    if len(councils) == 1:  # most towns: nothing to rank (and ranking looks up each label)
        return councils[0]
    return min(councils, key=lambda pair: council_preference(*pair), default=(None, None))


def best_council_label(councils: Iterable[tuple[str | None, str | None]]) -> str:
    """The label of the best of `councils` (a region's total row in the exports)."""
    return council_label(*best_council(councils))


def _council_combinations() -> list[tuple[str, str]]:
    """Every (status, form) a council can have; "" for a form left empty."""
    return [(status, form) for status in CouncilStatus.values for form in [*CouncilForm.values, ""]]


@functools.cache
def council_preference_order() -> models.Case:
    """`council_preference` as an integer the database can order councils by: its place among
    every (status, form) pair's preference (labels compared in Python, never by a collation).
    Built once per process: the expression is copied by each query that resolves it."""
    ranked = sorted({council_preference(*pair) for pair in _council_combinations()})
    place = {preference: index for index, preference in enumerate(ranked)}
    forms = [*CouncilForm.values, ""]
    whens = []
    for status in CouncilStatus.values:
        by_form = {form: place[council_preference(status, form)] for form in forms}
        if len(set(by_form.values())) == 1:
            whens.append(models.When(status=status, then=models.Value(by_form[""])))
        else:
            whens += [
                models.When(status=status, form=form, then=models.Value(value))
                for form, value in by_form.items()
            ]
    return models.Case(
        *whens, default=models.Value(len(ranked)), output_field=models.IntegerField()
    )


class CouncilQuerySet(ScopedQuerySet):
    region_path = "region"
    municipality_path = None

    def established(self):
        return self.filter(status=CouncilStatus.ESTABLISHED)

    def preferred_first(self):
        """The councils by `council_preference` (the furthest along first), then by pk: the
        one place the database is told which of a town's or region's councils it shows."""
        return self.alias(preference=council_preference_order()).order_by("preference", "pk")


class Council(ConstraintErrorsOnFields, models.Model):
    """協議の場: where medical, health, welfare, childcare and education agencies meet."""

    region = models.ForeignKey(
        Region, verbose_name=_("圏域"), on_delete=models.PROTECT, related_name="councils"
    )
    name = models.CharField(_("名称"), max_length=200, validators=[validate_single_line])
    form = models.CharField(_("設置形態"), max_length=20, choices=CouncilForm.choices)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("構成市町村"), related_name="councils"
    )
    status = models.CharField(
        _("状況"), max_length=20, choices=CouncilStatus.choices, default=CouncilStatus.PLANNING
    )
    status_date = models.DateField(_("設置日・状況の日付"), null=True, blank=True)
    notes = models.TextField(_("備考"), blank=True)

    objects = CouncilQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[municipalities])
    constraint_error_fields = {
        "duplicate_council_name": "name",
        "established_without_date": "status_date",
    }

    class Meta:
        verbose_name = _("協議の場")
        verbose_name_plural = _("協議の場")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="council_name_per_region",
                violation_error_code="duplicate_council_name",
                violation_error_message=_("この圏域には同じ名称の協議の場がすでにあります。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="established") | Q(status_date__isnull=False),
                name="established_council_has_date",
                violation_error_code="established_without_date",
                violation_error_message=_(
                    "状況が「設置済み」のときは「設置日・状況の日付」を入力してください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResourceKind(models.TextChoices):
    CHILD_DEVELOPMENT = "child_development", _("児童発達支援")
    AFTER_SCHOOL = "after_school", _("放課後等デイサービス")
    DAILY_LIFE_CARE = "daily_life_care", _("生活介護")
    RESPITE = "respite", _("短期入所・レスパイト")
    NURSE_STAFFED_FACILITY = "nurse_staffed_facility", _("看護師常駐の障害者支援施設")
    HOME_NURSING = "home_nursing", _("訪問看護")
    HOSPITAL_ACCEPTING = "hospital_accepting", _("医療機関（受入可）")
    OTHER = "other", _("その他")


class LocalResourceQuerySet(ScopedQuerySet):
    region_path = "municipality__region"
    municipality_path = "municipality"

    def accepting_medical_care(self):
        return self.filter(accepts_medical_care=True)


class LocalResource(ConstraintErrorsOnFields, models.Model):
    """地域資源: a service office, facility or hospital the network can refer families to."""

    name = models.CharField(_("名称"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("種別"), max_length=40, choices=ResourceKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("所在市町村"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    serves_children = models.BooleanField(_("児を対象"), default=False)
    serves_adults = models.BooleanField(_("者を対象"), default=False)
    accepts_medical_care = models.BooleanField(_("医療的ケアに対応"), default=False)
    is_multifunction = models.BooleanField(
        _("多機能型"), default=False, help_text=_("一つの事業所で複数のサービスを行う")
    )
    notes = models.TextField(_("備考"), blank=True)

    objects = LocalResourceQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {"serves_no_one": "serves_children"}

    class Meta:
        verbose_name = _("地域資源")
        verbose_name_plural = _("地域資源")
        ordering = ["municipality__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(serves_children=True) | Q(serves_adults=True),
                name="resource_serves_someone",
                violation_error_code="serves_no_one",
                violation_error_message=_(
                    "「児を対象」「者を対象」の少なくとも一方を選んでください。"
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name
