"""Anonymised counts per town (在宅の重症心身障害児者・医療的ケア児者の数).

Counts only, never a person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hokenfukushi.models import Municipality
from hokenfukushi.scope import ScopedQuerySet

# The four headline counts, in the order the source's table and the prefecture CSV use.
COUNT_FIELDS = ("smid_children", "medical_care_children", "smid_adults", "medical_care_adults")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済み")
    APPROVED = "approved", _("承認済み")


class CountReportQuerySet(ScopedQuerySet):
    region_path = "municipality__region"
    municipality_path = "municipality"

    def approved(self):
        return self.filter(status=ReportStatus.APPROVED)

    def for_fiscal_year(self, fiscal_year: int):
        return self.filter(fiscal_year=fiscal_year)

    def latest_approved_per_town(self, fiscal_year: int | None = None):
        """The latest approved report of each town (within `fiscal_year` when given)."""
        candidates = CountReport.objects.approved().filter(municipality=OuterRef("municipality"))
        if fiscal_year is not None:
            candidates = candidates.for_fiscal_year(fiscal_year)
        return self.approved().filter(
            pk=Subquery(candidates.order_by("-as_of", "-pk").values("pk")[:1])
        )


class CountReport(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市町村"),
        on_delete=models.PROTECT,
        related_name="count_reports",
    )
    as_of = models.DateField(_("集計基準日"), help_text=_("通常は4月1日"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    smid_children = models.PositiveIntegerField(_("重症心身障害児（在宅）"))
    medical_care_children = models.PositiveIntegerField(_("医療的ケア児（在宅）"))
    smid_adults = models.PositiveIntegerField(_("重症心身障害者（在宅）"))
    medical_care_adults = models.PositiveIntegerField(_("医療的ケア者（在宅）"))
    smid_children_with_medical_care = models.PositiveIntegerField(
        _("重症心身障害児のうち医療的ケアが必要な方"), null=True, blank=True
    )
    smid_adults_with_medical_care = models.PositiveIntegerField(
        _("重症心身障害者のうち医療的ケアが必要な方"), null=True, blank=True
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    note = models.TextField(
        _("メモ"),
        blank=True,
        help_text=_("氏名など個人が特定できる情報は書かないでください。メモは出力されません。"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = CountReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("在宅の対象者数の報告")
        verbose_name_plural = _("在宅の対象者数の報告")
        ordering = ["municipality__code", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "as_of"], name="one_report_per_municipality_and_date"
            ),
            models.CheckConstraint(
                condition=Q(smid_children_with_medical_care__isnull=True)
                | Q(smid_children_with_medical_care__lte=F("smid_children")),
                name="smid_children_subset_within_total",
                violation_error_message=_(
                    "「重症心身障害児のうち医療的ケアが必要な方」は重症心身障害児の数を超えられません。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(smid_adults_with_medical_care__isnull=True)
                | Q(smid_adults_with_medical_care__lte=F("smid_adults")),
                name="smid_adults_subset_within_total",
                violation_error_message=_(
                    "「重症心身障害者のうち医療的ケアが必要な方」は重症心身障害者の数を超えられません。"
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.municipality} {self.as_of:%Y-%m-%d}"
