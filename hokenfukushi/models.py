"""Region core: regions, municipalities, population snapshots and users with their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hokenfukushi.codes import validate_municipality_code
from hokenfukushi.scope import ScopedQuerySet


class RegionQuerySet(ScopedQuerySet):
    region_path = "id"


class Region(models.Model):
    """圏域 / 郡市: the area one base consultation center serves (e.g. 児玉郡市)."""

    name = models.CharField(_("圏域名"), max_length=100, unique=True)
    kana = models.CharField(_("よみがな"), max_length=200, blank=True)
    prefecture_name = models.CharField(_("都道府県"), max_length=10)
    prefecture_code = models.CharField(
        _("都道府県コード"), max_length=6, validators=[validate_municipality_code]
    )
    center_name = models.CharField(_("基幹相談支援センター"), max_length=200, blank=True)
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

    def with_latest_population(self):
        latest = PopulationSnapshot.objects.filter(municipality=models.OuterRef("pk")).order_by(
            "-as_of"
        )
        return self.annotate(
            population=models.Subquery(latest.values("population")[:1]),
            population_as_of=models.Subquery(latest.values("as_of")[:1]),
        )


class Municipality(models.Model):
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
    name = models.CharField(_("市町村名"), max_length=50)
    kana = models.CharField(_("よみがな"), max_length=100, blank=True)
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("圏域"), on_delete=models.PROTECT, related_name="municipalities"
    )

    objects = MunicipalityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("市町村")
        verbose_name_plural = _("市町村")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_six_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationSnapshotQuerySet(ScopedQuerySet):
    region_path = "municipality__region"
    municipality_path = "municipality"


class PopulationSnapshot(models.Model):
    """人口 as of a date (基準日)."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市町村"),
        on_delete=models.CASCADE,
        related_name="population_snapshots",
    )
    as_of = models.DateField(_("基準日"))
    population = models.PositiveIntegerField(_("人口"), validators=[MinValueValidator(0)])
    source = models.CharField(_("出典"), max_length=200, blank=True)

    objects = PopulationSnapshotQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人口")
        verbose_name_plural = _("人口")
        ordering = ["municipality__code", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "as_of"], name="one_population_per_municipality_and_date"
            ),
            models.CheckConstraint(condition=Q(population__gte=0), name="population_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.as_of:%Y-%m-%d} {self.population:,}人"


class UserQuerySet(ScopedQuerySet):
    """Accounts are scoped by their home region (a town's staff belong to its region)."""

    def visible_to(self, user):
        return self._account_scope(user)

    def editable_by(self, user):
        return self._account_scope(user)

    def _account_scope(self, user):
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        if user.role == User.Role.REGION_ADMIN and user.region_id:
            return self.filter(
                Q(region_id=user.region_id) | Q(municipality__region_id=user.region_id),
                is_superuser=False,
            ).exclude(role=User.Role.PREFECTURE)
        return self.filter(pk=user.pk)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    class Role(models.TextChoices):
        REGION_ADMIN = "region_admin", _("圏域管理者（基幹相談支援センター）")
        MUNICIPAL = "municipal", _("市町村担当者")
        PREFECTURE = "prefecture", _("県担当者（閲覧のみ）")
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

    class Meta(AbstractUser.Meta):
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="region_admin") | Q(region__isnull=False),
                name="region_admin_has_region",
            ),
            models.CheckConstraint(
                condition=~Q(role="municipal") | Q(municipality__isnull=False),
                name="municipal_staff_has_municipality",
            ),
        ]

    @property
    def scope_region_id(self) -> int | None:
        """The region whose data this user reads (prefecture viewers read all)."""
        if self.role == self.Role.MUNICIPAL and self.municipality_id:
            return self.municipality.region_id
        if self.role == self.Role.REGION_ADMIN:
            return self.region_id
        return None
