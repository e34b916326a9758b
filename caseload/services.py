"""Writes to count reports: enter, edit, submit, approve, reopen, import.

Every write is a keyword-only function in one transaction. Edits and transitions are guarded by
optimistic locking: the caller passes the `version` it read, and the write starts with
`UPDATE ... SET version = version + 1 WHERE pk = ... AND version = <expected>`; if another save
came first, nothing is written and `StaleReportError` says who changed the report and when, so
the form can show the user's input again beside that message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import batched

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from caseload import rules
from caseload.models import COUNT_AND_SUBSET_FIELDS, CountReport, ReportStatus
from hokenfukushi.fiscal import fiscal_year_of, wareki, wareki_datetime
from hokenfukushi.models import Municipality
from hokenfukushi.scope import can_edit_regions


class WorkflowError(Exception):
    """A write the user may not do now; `str(error)` is a Japanese message for them."""


class StaleReportError(WorkflowError):
    def __init__(self, report: CountReport, *, changed_by: str, changed_at: dt.datetime | None):
        self.report = report
        self.changed_by = changed_by
        self.changed_at = changed_at
        when_text = f"{wareki_datetime(changed_at)}に" if changed_at else ""
        super().__init__(
            f"この報告は、あなたが開いた後に{changed_by}さんが{when_text}変更しました"
            "（上書きはしていません）。あなたの入力はそのまま残っています。"
            "最新の内容を確認してから、もう一度保存してください。"
        )


def is_approver(user) -> bool:
    """The base center of a region (or a superuser) approves and reopens reports: those who
    change region-level rows, asked of the scope rule rather than restated here."""
    return can_edit_regions(user)


def may(user, action: rules.Action, report: CountReport) -> bool:
    may_edit = CountReport.objects.editable_by(user).filter(pk=report.pk).exists()
    return rules.transition_allowed(
        action, status=report.status, may_edit=may_edit, is_approver=is_approver(user)
    )


def _display_name(user) -> str:
    return "別の利用者" if user is None else user.display_name


def last_change(report: CountReport) -> tuple[str, dt.datetime | None]:
    """Who saved the report last and when (from its history)."""
    record = report.history.select_related("history_user").order_by("-history_id").first()
    if record is None:
        return _display_name(None), None
    return _display_name(record.history_user), record.history_date


def _require(user, action: rules.Action, report: CountReport) -> None:
    if not may(user, action, report):
        label = ReportStatus(report.status).label
        raise WorkflowError(
            {
                rules.Action.EDIT: f"{label}の報告は編集できません。",
                rules.Action.DELETE: f"{label}の報告は削除できません。",
                rules.Action.SUBMIT: "この報告を提出する権限がないか、すでに提出されています。",
                rules.Action.APPROVE: "承認できるのは、提出済みの報告を基幹相談支援センターが"
                "承認する場合だけです。",
                rules.Action.REOPEN: "差し戻しができるのは基幹相談支援センターだけです。",
            }[action]
        )


def _claim(report: CountReport, *, expected_version: int) -> None:
    """Take the report for this write, or refuse if someone saved it since it was read."""
    claimed = CountReport.objects.filter(pk=report.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        changed_by, changed_at = last_change(report)
        raise StaleReportError(report, changed_by=changed_by, changed_at=changed_at)
    report.version = expected_version + 1


def _save(report: CountReport, *, user, reason: str) -> CountReport:
    report._history_user = user
    report._change_reason = reason
    report.save()
    return report


def _validate(report: CountReport) -> None:
    errors: dict[str, list[str]] = {}
    if why := rules.check_as_of(report.as_of):
        errors["as_of"] = [why]
    for problem in rules.count_errors(report.counts):
        errors.setdefault(problem.field, []).append(problem.message)
    if errors:
        raise ValidationError(errors)
    report.validate_unique()
    report.validate_constraints()


@transaction.atomic
def create_report(
    *,
    user,
    municipality: Municipality,
    as_of: dt.date,
    counts: Mapping[str, int | None],
    note: str = "",
) -> CountReport:
    if not Municipality.objects.editable_by(user).filter(pk=municipality.pk).exists():
        raise WorkflowError(f"{municipality}の報告を作成する権限がありません。")
    report = CountReport(
        municipality=municipality,
        as_of=as_of,
        fiscal_year=fiscal_year_of(as_of),
        note=note,
        **{name: counts.get(name) for name in COUNT_AND_SUBSET_FIELDS},
    )
    _validate(report)
    return _save(report, user=user, reason="作成")


@transaction.atomic
def update_report(
    *,
    user,
    report: CountReport,
    expected_version: int,
    counts: Mapping[str, int | None],
    as_of: dt.date | None = None,
    note: str | None = None,
) -> CountReport:
    """Change a draft's counts (and date or note)."""
    _require(user, rules.Action.EDIT, report)
    _claim(report, expected_version=expected_version)
    for name in COUNT_AND_SUBSET_FIELDS:
        setattr(report, name, counts.get(name))
    if as_of is not None:
        report.as_of = as_of
    if note is not None:
        report.note = note
    _validate(report)
    return _save(report, user=user, reason="編集")


@transaction.atomic
def submit_report(*, user, report: CountReport, expected_version: int) -> CountReport:
    _require(user, rules.Action.SUBMIT, report)
    _claim(report, expected_version=expected_version)
    report.status = ReportStatus.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    return _save(report, user=user, reason="提出")


@transaction.atomic
def approve_report(*, user, report: CountReport, expected_version: int) -> CountReport:
    """Approve and lock a submitted report. Year-over-year flags are shown to the approver
    beforehand (`year_over_year_flags_for`); they warn, they do not block."""
    _require(user, rules.Action.APPROVE, report)
    _claim(report, expected_version=expected_version)
    report.status = ReportStatus.APPROVED
    report.approved_by = user
    report.approved_at = timezone.now()
    return _save(report, user=user, reason="承認")


@transaction.atomic
def reopen_report(*, user, report: CountReport, expected_version: int, reason: str) -> CountReport:
    """Send a submitted or approved report back to draft, with the reason recorded."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "差し戻しの理由を入力してください。"})
    _require(user, rules.Action.REOPEN, report)
    _claim(report, expected_version=expected_version)
    report.status = ReportStatus.DRAFT
    report.approved_by = None
    report.approved_at = None
    report.reopen_reason = reason
    return _save(report, user=user, reason=f"差し戻し: {reason}")


def split_by_permission(
    *, user, reports: Iterable[CountReport], action: rules.Action
) -> tuple[list[CountReport], list[CountReport]]:
    """(reports the user may move by `action` now, the others), in two queries at most: what a
    bulk action's confirmation page lists, and what `_transition_many` checks again."""
    reports = list(reports)
    editable = set(
        CountReport.objects.editable_by(user)
        .filter(pk__in=[report.pk for report in reports])
        .values_list("pk", flat=True)
    )
    approver = is_approver(user)
    allowed, refused = [], []
    for report in reports:
        may_do = rules.transition_allowed(
            action, status=report.status, may_edit=report.pk in editable, is_approver=approver
        )
        (allowed if may_do else refused).append(report)
    return allowed, refused


def _transition_many(
    *, user, reports: Iterable[CountReport], action: rules.Action, changes: dict
) -> list[CountReport]:
    """Move many reports in one step, or none: every report is locked and checked again (its
    status may have changed since the user chose it); one refused report refuses them all."""
    ids = [report.pk for report in reports]
    locked = list(
        CountReport.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("municipality")
        .order_by("municipality__code", "as_of")
    )
    _allowed, refused = split_by_permission(user=user, reports=locked, action=action)
    missing = set(ids) - {report.pk for report in locked}
    if refused or missing:
        names = "、".join(str(report) for report in refused[:5])
        raise WorkflowError(
            f"{len(refused) + len(missing)}件の報告は今の状態ではこの操作ができないため、"
            f"どれも変更していません（{names or '削除された報告'}）。"
        )
    if not locked:
        return []
    CountReport.objects.filter(pk__in=ids).update(**changes, version=F("version") + 1)
    updated = list(CountReport.objects.filter(pk__in=ids).order_by("municipality__code", "as_of"))
    CountReport.history.bulk_history_create(
        updated,
        batch_size=500,
        update=True,
        default_user=user,
        default_change_reason=str(_BULK_REASON[action]),
    )
    return updated


_BULK_REASON = {rules.Action.SUBMIT: "提出（一括）", rules.Action.APPROVE: "承認（一括）"}


@transaction.atomic
def submit_reports(*, user, reports: Iterable[CountReport]) -> list[CountReport]:
    """Submit many drafts at once (bulk 提出 in the admin, or every row of an import)."""
    return _transition_many(
        user=user,
        reports=reports,
        action=rules.Action.SUBMIT,
        changes={
            "status": ReportStatus.SUBMITTED,
            "submitted_by": user,
            "submitted_at": timezone.now(),
        },
    )


@transaction.atomic
def approve_reports(*, user, reports: Iterable[CountReport]) -> list[CountReport]:
    """Approve many submitted reports at once (bulk 承認 by the base center)."""
    return _transition_many(
        user=user,
        reports=reports,
        action=rules.Action.APPROVE,
        changes={
            "status": ReportStatus.APPROVED,
            "approved_by": user,
            "approved_at": timezone.now(),
        },
    )


@transaction.atomic
def delete_draft(*, user, report: CountReport) -> None:
    _require(user, rules.Action.DELETE, report)
    report._history_user = user
    report._change_reason = "削除"
    report.delete()


def previous_approved(report: CountReport) -> CountReport | None:
    """Last year's (or the latest earlier year's) approved report of the same town."""
    return (
        CountReport.objects.approved()
        .filter(municipality_id=report.municipality_id, fiscal_year__lt=report.fiscal_year)
        .order_by("-as_of")
        .first()
    )


def year_over_year_flags_for(
    report: CountReport,
) -> tuple[CountReport | None, list[rules.YearOverYearFlag]]:
    previous = previous_approved(report)
    return previous, rules.year_over_year_flags(
        report.counts, previous.counts if previous else None
    )


# --- CSV import -------------------------------------------------------------------------------


class ImportOutcome(models.TextChoices):
    NEW = "new", "新規（下書き）"
    UPDATE = "update", "更新（下書きを上書き）"
    UNCHANGED = "unchanged", "変更なし"


@dataclass(frozen=True, slots=True)
class PlannedRow:
    line: int
    municipality: Municipality
    as_of: dt.date
    counts: dict[str, int | None]
    outcome: ImportOutcome
    existing: CountReport | None

    @property
    def changes(self) -> list[str]:
        """What the row changes in its existing report: 「医療的ケア児 4→5」 per count."""
        if self.existing is None:
            return []
        return rules.count_changes(self.existing.counts, self.counts)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import would do, row by row, and every reason it cannot."""

    rows: tuple[PlannedRow, ...]
    errors: tuple[rules.RowError, ...]
    parsed: rules.ParsedCsv
    # (line, why): rows of a file the app gave out that are not the user's to import but change
    # nothing, e.g. the other towns of a region-wide export downloaded by a town's staff
    skipped: tuple[tuple[int, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, outcome: ImportOutcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


class ImportRefused(Exception):
    def __init__(self, plan: ImportPlan):
        self.plan = plan
        super().__init__(f"{len(plan.errors)}件のエラーがあるため取り込みませんでした。")


def plan_import(*, user, parsed: rules.ParsedCsv, lock: bool = False) -> ImportPlan:
    """Check parsed rows against the database and the user's edit scope, in three queries
    (four when the file names towns the user may not edit).

    Re-importing the same file is safe: identical rows are 変更なし, a changed row updates its
    draft in place, and a changed row for a submitted or approved report is an error (it must
    be sent back first). A row for a town the user may read but not edit is skipped when it
    changes nothing (an export of the whole region goes back in as it came), else refused."""
    errors = list(parsed.errors)
    codes = {row.code for row in parsed.rows}
    towns = {town.code: town for town in Municipality.objects.filter(code__in=codes)}
    editable = set(
        Municipality.objects.editable_by(user).filter(code__in=codes).values_list("pk", flat=True)
    )
    existing_reports = CountReport.objects.filter(
        municipality__code__in=codes, as_of__in={row.as_of for row in parsed.rows}
    )
    if lock:
        existing_reports = existing_reports.select_for_update()
    existing = {(report.municipality_id, report.as_of): report for report in existing_reports}

    readable = _readable_but_not_editable(user, towns.values(), editable)
    planned: list[PlannedRow] = []
    skipped: list[tuple[int, str]] = []
    for row in parsed.rows:
        town = towns.get(row.code)
        if town is not None and town.pk in readable:
            report = existing.get((town.pk, row.as_of))
            if report is not None and report.counts == row.counts:
                skipped.append((row.line, town.name))
                continue
        if town is None or town.pk not in editable:
            # One answer for an unknown code and a town outside the user's scope: the import
            # does not tell which codes are registered elsewhere.
            errors.append(
                rules.RowError(
                    row.line,
                    rules.CODE_COLUMN,
                    f"団体コード {row.code} の市町村の報告は取り込めません"
                    "（登録されていないか、あなたの担当ではありません）。",
                )
            )
            continue
        report = existing.get((town.pk, row.as_of))
        if report is None:
            outcome = ImportOutcome.NEW
        elif report.counts == row.counts:
            outcome = ImportOutcome.UNCHANGED
        elif report.status == ReportStatus.DRAFT:
            outcome = ImportOutcome.UPDATE
        else:
            errors.append(
                rules.RowError(
                    row.line,
                    None,
                    f"{town.name}の{wareki(row.as_of)}時点の報告は"
                    f"{ReportStatus(report.status).label}のため変更できません"
                    f"（変わった値: {'、'.join(rules.count_changes(report.counts, row.counts))}）。"
                    "基幹相談支援センターに差し戻しを依頼してから取り込んでください。",
                )
            )
            continue
        planned.append(PlannedRow(row.line, town, row.as_of, row.counts, outcome, report))
    errors.sort(key=lambda error: error.line or 0)
    return ImportPlan(
        rows=tuple(planned), errors=tuple(errors), parsed=parsed, skipped=tuple(skipped)
    )


def _readable_but_not_editable(user, towns: Iterable[Municipality], editable: set[int]) -> set[int]:
    """Towns of the file the user may read but not edit (one query, only when there are any
    towns the user may not edit): telling them apart from unknown codes reveals nothing."""
    others = [town.pk for town in towns if town.pk not in editable]
    if not others:
        return set()
    return set(
        Municipality.objects.visible_to(user).filter(pk__in=others).values_list("pk", flat=True)
    )


@transaction.atomic
def import_count_reports(
    *, user, parsed: rules.ParsedCsv, submit_all: bool = False, source: str = "CSV"
) -> ImportPlan:
    """Write every row of a checked file, or nothing: any error refuses the whole file.

    The plan is made again here (rows locked) since the database may have changed since the
    preview. New rows become drafts; changed drafts are updated in place (version + 1, so a
    form open on the old version is refused on save). With `submit_all`, every draft the file
    names is then submitted in the same transaction (reports already submitted or approved
    stay as they are)."""
    plan = plan_import(user=user, parsed=parsed, lock=True)
    if not plan.ok:
        raise ImportRefused(plan)
    reason = f"{source}取り込み"  # the history's change reason: CSV取り込み, Excel取り込み
    new_reports = [
        CountReport(
            municipality=row.municipality,
            as_of=row.as_of,
            fiscal_year=fiscal_year_of(row.as_of),
            **row.counts,
        )
        for row in plan.rows
        if row.outcome == ImportOutcome.NEW
    ]
    updated_reports = []
    for row in plan.rows:
        if row.outcome == ImportOutcome.UPDATE:
            report = row.existing
            for name, value in row.counts.items():
                setattr(report, name, value)
            report.version += 1
            updated_reports.append(report)
    if new_reports:
        bulk_create_with_history(
            new_reports,
            CountReport,
            batch_size=500,
            default_user=user,
            default_change_reason=reason,
        )
    if updated_reports:
        _update_counts_in_place(updated_reports)
        CountReport.history.bulk_history_create(
            updated_reports,
            batch_size=500,
            update=True,
            default_user=user,
            default_change_reason=reason,
        )
    if submit_all:
        submit_reports(user=user, reports=_drafts_named_in(plan))
    return plan


def _drafts_named_in(plan: ImportPlan) -> list[CountReport]:
    keys = {(row.municipality.pk, row.as_of) for row in plan.rows}
    candidates = CountReport.objects.filter(
        status=ReportStatus.DRAFT,
        municipality_id__in={town for town, _ in keys},
        as_of__in={as_of for _, as_of in keys},
    )
    return [report for report in candidates if (report.municipality_id, report.as_of) in keys]


def _update_counts_in_place(reports: list[CountReport], *, batch_size: int = 500) -> None:
    """One UPDATE ... FROM (VALUES ...) per batch for the counts and version of many reports.

    Django's bulk_update builds a CASE expression per field and row in Python: 2-3.6 s for
    1,741 rows (SQLite / PostgreSQL); this statement does the same in a fraction of that. Every
    value is a parameter cast to integer, so NULL subsets keep their type on PostgreSQL."""
    fields = [*COUNT_AND_SUBSET_FIELDS, "version"]
    quote = connection.ops.quote_name
    table = quote(CountReport._meta.db_table)
    columns = [quote(CountReport._meta.get_field(name).column) for name in fields]
    pk_column = quote(CountReport._meta.pk.column)
    cast = "CAST(%s AS integer)"
    row_sql = "(" + ", ".join([cast] * (len(fields) + 1)) + ")"
    assignments = ", ".join(f"{column} = v.{column}" for column in columns)
    with connection.cursor() as cursor:
        for batch in batched(reports, batch_size, strict=False):
            params = [
                value
                for report in batch
                for value in (report.pk, *(getattr(report, name) for name in fields))
            ]
            # Table and column names come from the model, every value is a parameter.
            cursor.execute(
                f"WITH v(pk, {', '.join(columns)}) AS (VALUES {', '.join([row_sql] * len(batch))}) "  # noqa: S608  # nosec B608
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk_column} = v.pk",
                params,
            )
