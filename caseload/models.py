"""Anonymised counts per town (在宅の重症心身障害児者・医療的ケア児者の数).

Counts only, never a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from caseload.definitions import DEFINITIONS
from hokenfukushi.constraints import ConstraintErrorsOnFields
from hokenfukushi.fiscal import (
    FIRST_SUPPORTED_DATE,
    check_supported_date,
    default_fiscal_year,
    fiscal_year_of,
    wareki,
)
from hokenfukushi.models import Municipality
from hokenfukushi.scope import ScopedQuerySet

# The four headline counts, in the order the source's table and the prefecture CSV use.
COUNT_FIELDS = ("smid_children", "medical_care_children", "smid_adults", "medical_care_adults")
SUBSET_FIELDS = ("smid_children_with_medical_care", "smid_adults_with_medical_care")
COUNT_AND_SUBSET_FIELDS = COUNT_FIELDS + SUBSET_FIELDS


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済み")
    APPROVED = "approved", _("承認済み")


class ReportCompleteness(models.TextChoices):
    """How far a town's figures for a year are: what readers of "the figures" mark beside them."""

    MISSING = "missing", _("未報告")
    UNAPPROVED = "unapproved", _("未承認")
    APPROVED = "approved", _("承認済み")


@dataclass(frozen=True, slots=True)
class TownReportStatus:
    """One town's report status for one fiscal year.

    `report` is the approved report when there is one, else the latest draft or submitted
    report, else None."""

    status: ReportCompleteness
    report: CountReport | None

    @property
    def label(self) -> str:
        return str(self.status.label)


class CountReportQuerySet(ScopedQuerySet):
    region_path = "municipality__region"
    municipality_path = "municipality"

    def approved(self):
        return self.filter(status=ReportStatus.APPROVED)

    def awaiting_approval(self):
        """Submitted, not yet approved: the base center's 承認待ち, oldest submission first."""
        return self.filter(status=ReportStatus.SUBMITTED).order_by("submitted_at", "pk")

    def sent_back(self):
        """Drafts the base center sent back (差し戻し) with a reason, not yet submitted again."""
        return self.filter(status=ReportStatus.DRAFT).exclude(reopen_reason="")

    def submitted_or_approved(self):
        return self.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED])

    def for_fiscal_year(self, fiscal_year: int):
        return self.filter(fiscal_year=fiscal_year)

    def opening_fiscal_year(self, towns: models.QuerySet[Municipality], *, current: int) -> int:
        """The fiscal year a page or export of these towns opens on: the one rule
        `hokenfukushi.fiscal.default_fiscal_year` applied to the newest year they all approved
        in this queryset (one query)."""
        return default_fiscal_year(self.latest_fiscal_year_approved_by_all(towns), current=current)

    def latest_fiscal_year_approved_by_all(
        self, towns: models.QuerySet[Municipality]
    ) -> int | None:
        """The newest fiscal year in which every town of `towns` has an approved report in this
        queryset (one query), or None: the year pages and exports open on
        (`hokenfukushi.fiscal.default_fiscal_year`), so that what they show first is one
        complete year, never one town's new figures beside the others' old ones."""
        return next(iter(self.latest_fiscal_year_approved_by_all_rows(towns)), None)

    def latest_fiscal_year_approved_by_all_rows(self, towns: models.QuerySet[Municipality]):
        """The statement `latest_fiscal_year_approved_by_all` reads: that year, or no row."""
        # COUNT(*) of the towns as a plain function, not an aggregate: no GROUP BY is added.
        town_count = (
            towns.order_by()
            .annotate(n=models.Func(F("pk"), function="COUNT", output_field=models.IntegerField()))
            .values("n")[:1]
        )
        return (
            self.approved()
            .filter(municipality__in=towns.order_by().values("pk"))
            .order_by()
            .values("fiscal_year")
            .annotate(towns=models.Count("municipality", distinct=True))
            .filter(towns=Subquery(town_count, output_field=models.IntegerField()))
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)[:1]
        )

    def in_worklist_of(self, user):
        """Reports a user works with in the admin (list, edit, history): municipal staff only
        their own town's, since another town's drafts are none of their business; everyone
        else their read scope."""
        visible = self.visible_to(user)
        if getattr(user, "role", None) == user.Role.MUNICIPAL and not user.is_superuser:
            return visible.editable_by(user)
        return visible

    def latest_approved_up_to(self, fiscal_year: int):
        """For each town, its latest approved report with fiscal_year <= `fiscal_year` (one
        query; a town whose figures are late still shows last year's, marked by its year)."""
        candidates = CountReport.objects.approved().filter(
            municipality=OuterRef("municipality"), fiscal_year__lte=fiscal_year
        )
        return self.approved().filter(
            fiscal_year__lte=fiscal_year,
            pk=Subquery(candidates.order_by("-as_of", "-pk").values("pk")[:1]),
        )

    def approved_by_town_and_year(self) -> dict[tuple[int, int], CountReport]:
        """The approved figures of each (town id, fiscal year): the latest approved report of
        that year, in one query."""
        figures: dict[tuple[int, int], CountReport] = {}
        for report in self.approved().order_by("municipality_id", "fiscal_year", "as_of", "pk"):
            figures[(report.municipality_id, report.fiscal_year)] = report  # later ones win
        return figures

    def status_by_town(
        self, towns: Iterable[Municipality | int], fiscal_year: int
    ) -> dict[int, TownReportStatus]:
        """Each town's report status for `fiscal_year`, keyed by municipality id, in one query.

        Only reports in this queryset count, so `visible_to(user).status_by_town(...)` never
        reveals a report the user may not read."""
        town_ids = [town if isinstance(town, int) else town.pk for town in towns]
        statuses = {
            town_id: TownReportStatus(ReportCompleteness.MISSING, None) for town_id in town_ids
        }
        reports = (
            self.filter(municipality_id__in=town_ids, fiscal_year=fiscal_year)
            .select_related("municipality")
            .order_by("municipality_id", "-as_of", "-pk")
        )
        for report in reports:
            town_id = report.municipality_id
            completeness = _completeness_after(statuses[town_id].status, report.status)
            if completeness is not None:
                statuses[town_id] = TownReportStatus(completeness, report)
        return statuses

    def completeness_by_town(
        self, towns: Iterable[Municipality | int], fiscal_year: int
    ) -> dict[int, ReportCompleteness]:
        """`status_by_town(...)[town].status` without the reports: one query reading two
        columns, for pages that only mark how far each town's figures are (the dashboard).

        The towns are not listed in the statement (1,741 ids cost more to prepare than the
        statement to run): narrow this queryset to them, e.g. by region, for fewer rows."""
        town_ids = [town if isinstance(town, int) else town.pk for town in towns]
        return completeness_from_rows(town_ids, self.completeness_rows(fiscal_year))

    def completeness_rows(self, fiscal_year: int):
        """The statement `completeness_by_town` reads: (town id, status) of each report of the
        year in this queryset, for `completeness_from_rows`."""
        return (
            self.filter(fiscal_year=fiscal_year).order_by().values_list("municipality_id", "status")
        )


def municipalities_without_report_for(
    fiscal_year: int, *, towns: models.QuerySet[Municipality] | None = None
) -> models.QuerySet[Municipality]:
    """Towns (of `towns`, default all) that have not submitted a report for `fiscal_year`: no
    submitted or approved report of that year (a draft is not a report yet). Pass
    `Municipality.objects.visible_to(user)` for a user's to-do list."""
    towns = Municipality.objects.all() if towns is None else towns
    reported = CountReport.objects.submitted_or_approved().filter(
        municipality=OuterRef("pk"), fiscal_year=fiscal_year
    )
    return towns.filter(~Exists(reported))


def latest_fiscal_year_reported_by_all(
    town_ids: Iterable[int], approved: Iterable[tuple[int, int]]
) -> int | None:
    """`CountReportQuerySet.latest_fiscal_year_approved_by_all` from (town id, fiscal year)
    pairs of approved reports already read: the newest year every town of `town_ids` has."""
    wanted = set(town_ids)
    if not wanted:
        return None
    towns_by_year: dict[int, set[int]] = {}
    for town_id, year in approved:
        if town_id in wanted:
            towns_by_year.setdefault(year, set()).add(town_id)
    complete = [year for year, towns in towns_by_year.items() if towns == wanted]
    return max(complete, default=None)


def completeness_from_rows(
    town_ids: Iterable[int], rows: Iterable[tuple[int, str]]
) -> dict[int, ReportCompleteness]:
    """Each town's completeness from the (town id, status) rows of its reports of one year
    (`CountReportQuerySet.completeness_rows`); towns without rows are missing, rows of other
    towns are ignored."""
    completeness = dict.fromkeys(town_ids, ReportCompleteness.MISSING)
    for town_id, status in rows:
        if town_id not in completeness:
            continue
        after = _completeness_after(completeness[town_id], status)
        if after is not None:
            completeness[town_id] = after
    return completeness


def _completeness_after(
    current: ReportCompleteness, report_status: str
) -> ReportCompleteness | None:
    """A town's completeness once one more of its reports for the year is seen (newest first),
    or None when it stays: any approved report makes it approved, any other report unapproved."""
    if current == ReportCompleteness.APPROVED:
        return None
    if report_status == ReportStatus.APPROVED:
        return ReportCompleteness.APPROVED
    if current == ReportCompleteness.MISSING:
        return ReportCompleteness.UNAPPROVED
    return None


class CountReport(ConstraintErrorsOnFields, models.Model):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市町村"),
        on_delete=models.PROTECT,
        related_name="count_reports",
    )
    as_of = models.DateField(
        _("集計基準日"), help_text=_("通常は4月1日"), validators=[check_supported_date]
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    smid_children = models.PositiveIntegerField(
        _("重症心身障害児（在宅）"), help_text=DEFINITIONS["smid_children"]
    )
    medical_care_children = models.PositiveIntegerField(
        _("医療的ケア児（在宅）"), help_text=DEFINITIONS["medical_care_children"]
    )
    smid_adults = models.PositiveIntegerField(
        _("重症心身障害者（在宅）"), help_text=DEFINITIONS["smid_adults"]
    )
    medical_care_adults = models.PositiveIntegerField(
        _("医療的ケア者（在宅）"), help_text=DEFINITIONS["medical_care_adults"]
    )
    smid_children_with_medical_care = models.PositiveIntegerField(
        _("重症心身障害児のうち医療的ケアが必要な方"),
        null=True,
        blank=True,
        help_text=DEFINITIONS["smid_children_with_medical_care"],
    )
    smid_adults_with_medical_care = models.PositiveIntegerField(
        _("重症心身障害者のうち医療的ケアが必要な方"),
        null=True,
        blank=True,
        help_text=DEFINITIONS["smid_adults_with_medical_care"],
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
    reopen_reason = models.TextField(_("差し戻しの理由"), blank=True, editable=False)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    objects = CountReportQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {
        "duplicate_report": "as_of",
        "unsupported_date": "as_of",
        "smid_children_subset_exceeds_total": "smid_children_with_medical_care",
        "smid_adults_subset_exceeds_total": "smid_adults_with_medical_care",
    }

    class Meta:
        verbose_name = _("在宅の対象者数の報告")
        verbose_name_plural = _("在宅の対象者数の報告")
        ordering = ["municipality__code", "-as_of"]
        constraints = [
            # The upper bound (end of next fiscal year) moves with today: checked by the form
            # and the CSV parser (hokenfukushi.fiscal.check_supported_date), not here.
            models.CheckConstraint(
                condition=Q(as_of__gte=FIRST_SUPPORTED_DATE),
                name="count_report_as_of_supported",
                violation_error_code="unsupported_date",
                violation_error_message=f"集計基準日は{wareki(FIRST_SUPPORTED_DATE)}以降の日付にしてください。",
            ),
            models.UniqueConstraint(
                fields=["municipality", "as_of"],
                name="one_report_per_municipality_and_date",
                violation_error_code="duplicate_report",
                violation_error_message=_(
                    "この市町村・集計基準日の報告はすでにあります。一覧から開いて編集してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(smid_children_with_medical_care__isnull=True)
                | Q(smid_children_with_medical_care__lte=F("smid_children")),
                name="smid_children_subset_within_total",
                violation_error_code="smid_children_subset_exceeds_total",
                violation_error_message=_(
                    "「重症心身障害児のうち医療的ケアが必要な方」は重症心身障害児の数を超えられません。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(smid_adults_with_medical_care__isnull=True)
                | Q(smid_adults_with_medical_care__lte=F("smid_adults")),
                name="smid_adults_subset_within_total",
                violation_error_code="smid_adults_subset_exceeds_total",
                violation_error_message=_(
                    "「重症心身障害者のうち医療的ケアが必要な方」は重症心身障害者の数を超えられません。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "fiscal_year"]),
            models.Index(
                fields=["municipality", "fiscal_year", "status"],
                name="caseload_town_year_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {wareki(self.as_of)}"

    def save(self, *args, **kwargs):
        # The fiscal year is a fact of the as-of date; kept as a column so it can be indexed.
        if self.as_of is not None:
            self.fiscal_year = fiscal_year_of(self.as_of)
        super().save(*args, **kwargs)

    @property
    def counts(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in COUNT_AND_SUBSET_FIELDS}

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.APPROVED
