"""Count import in the admin (CSV or .xlsx): upload -> preview of every row and every error ->
confirm.

The upload is read by `spreadsheet.read_count_file` into the import's columns as CSV text
(an .xlsx, or any count file the app gave out: the template, prefecture / caseload exports);
the preview carries that text in a hidden field, and confirming parses and checks it again
inside the write transaction, so nothing the preview showed can be bypassed."""

from __future__ import annotations

import csv
import io
import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caseload import definitions, rules, services, spreadsheet
from caseload.models import CountReport
from hokenfukushi.fiscal import current_fiscal_year, fiscal_year_bounds, wareki
from hokenfukushi.models import Municipality
from hokenfukushi.scope import can_edit_anything
from hokenfukushi.xlsx import XLSX_CONTENT_TYPE, Column, Kind, write_workbook

logger = logging.getLogger(__name__)

INTERRUPTED = _(
    "取り込みの途中でデータベースのエラーが起きたため、このファイルは1件も取り込んでいません"
    "（途中まで書いた分も元に戻しました）。同じ時に誰かが同じ報告を取り込んだ可能性があります。"
    "内容を確認して、もう一度「取り込む」を押してください。"
)

# A whole country is ~1,741 towns; anything far bigger is not a count-report file.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV または Excel（.xlsx）ファイル"),
        help_text=_(
            "列: 団体コード, 基準日, 重症心身障害児, 医療的ケア児, 重症心身障害者, 医療的ケア者"
            "（任意: 重症心身障害児のうち医療的ケアが必要な方, 重症心身障害者のうち医療的ケアが"
            "必要な方）。CSV の文字コードは UTF-8（BOM付き可）または Shift_JIS。"
            "このシステムからダウンロードした県報告用・報告データのファイルもそのまま選べます"
            "（集計基準日は基準日として読み、計の行とほかの列は使いません）。"
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv," + XLSX_CONTENT_TYPE}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（2MBまで）。"))
        # Read here, so that a file that cannot be read at all (not a workbook, protected by a
        # password, a zip bomb, …) is the form's Japanese error and the page stays as it was.
        self.count_file = spreadsheet.read_count_file(upload.read())
        return upload


class ConfirmForm(forms.Form):
    csv_text = forms.CharField(widget=forms.HiddenInput, strip=False)
    # what the file was, for the history's change reason only (the text is checked again)
    source = forms.ChoiceField(
        choices=[("CSV", "CSV"), ("Excel", "Excel")], widget=forms.HiddenInput, required=False
    )
    submit_all = forms.BooleanField(
        label=_("取り込んだ報告をすべて提出する"),
        required=False,
        help_text=_(
            "チェックすると、取り込みと同時にこのファイルの下書きをすべて提出します"
            "（1件でも提出できなければ、取り込みも含めて何も書き込みません）。"
        ),
    )


TEMPLATE_FILENAME = "count-report-template.csv"
NAME_COLUMN = "市町村名"


def import_template_rows(user) -> list[list[str]]:
    """The import template: the header, then one row per town the user enters counts for, with
    its 団体コード and this fiscal year's 4月1日 filled in and the counts left blank."""
    as_of = wareki(fiscal_year_bounds(current_fiscal_year())[0])
    header = [*rules.REQUIRED_COLUMNS, *rules.OPTIONAL_COLUMNS]
    blanks = [""] * (len(header) - 2)
    towns = Municipality.objects.editable_by(user).order_by("code").values_list("code", flat=True)
    return [header, *([code, as_of, *blanks] for code in towns)]


def import_template_view(request):
    """`import/template.csv`: UTF-8 with BOM, so Excel opens it in Japanese."""
    if not can_edit_anything(request.user):
        raise PermissionDenied
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(import_template_rows(request.user))
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response


TEMPLATE_XLSX_FILENAME = "count-report-template.xlsx"
TEMPLATE_SHEET = "取込用"
PREVIOUS_AS_OF = spreadsheet.PREVIOUS_DATE_COLUMN


def import_template_columns() -> tuple[list[Column], list[tuple[str, str]]]:
    """The .xlsx template's columns and their 「説明」: the import's columns, with the town's
    name and the date of the figures filled in beside them (read back as unused columns)."""
    count_labels = rules.ALL_LABELS.values()
    columns = [
        Column(rules.CODE_COLUMN),
        Column(NAME_COLUMN),
        Column(rules.DATE_COLUMN, Kind.DATE),
        *(Column(label, Kind.COUNT) for label in count_labels),
        Column(PREVIOUS_AS_OF, Kind.DATE),
    ]
    explained = [
        (
            rules.CODE_COLUMN,
            "全国地方公共団体コード（6桁、先頭の0を含む文字列）。変えないでください。",
        ),
        (NAME_COLUMN, "市町村の名前（確認用。取り込みでは使いません）。"),
        (
            rules.DATE_COLUMN,
            "人数を数えた基準日（通常は4月1日）。空欄のままでは取り込めません。"
            "令和8年4月1日、R8.4.1、2026/4/1 のどれでも読み取ります。",
        ),
        *((label, definitions.DEFINITIONS[name]) for name, label in rules.ALL_LABELS.items()),
        (
            PREVIOUS_AS_OF,
            "入っている人数の基準日（最新の承認済み報告）。基準日が空欄の行はこの日の報告として"
            "読みます（そのままなら「変更なし」）。承認済みの報告がない市町村は人数も空欄です。",
        ),
        ("数え方", definitions.SUMMARY),
    ]
    return columns, explained


def import_template_workbook(user) -> bytes:
    """One row per town the user enters counts for (code order): its code and name, 基準日 left
    blank, and its latest approved figures with their date. Two queries."""
    towns = Municipality.objects.editable_by(user).order_by("code")
    latest = {
        report.municipality_id: report
        for report in CountReport.objects.filter(municipality__in=towns).latest_approved_up_to(
            current_fiscal_year()
        )
    }
    names = list(rules.ALL_LABELS)

    def rows():
        for town in towns.only("pk", "code", "name"):
            report = latest.get(town.pk)
            figures = [getattr(report, name) if report else None for name in names]
            yield (town.code, town.name, None, *figures, report.as_of if report else None)

    columns, explained = import_template_columns()
    return write_workbook(
        sheet_title=TEMPLATE_SHEET, columns=columns, rows=rows(), definitions=explained
    )


def import_template_xlsx_view(request):
    """`import/template.xlsx`: the template prefilled with the latest approved figures."""
    if not can_edit_anything(request.user):
        raise PermissionDenied
    response = HttpResponse(import_template_workbook(request.user), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_XLSX_FILENAME}"'
    response["Cache-Control"] = "no-store"
    return response


def import_view(model_admin, request):
    if not can_edit_anything(request.user):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("在宅の対象者数をCSV・Excelから取り込む"),
        "required_columns": rules.REQUIRED_COLUMNS,
        "optional_columns": rules.OPTIONAL_COLUMNS,
        "definitions": definitions.SUMMARY,
    }
    list_url = reverse("admin:caseload_countreport_changelist")
    upload_form = UploadForm()
    plan = None
    if request.method == "POST" and "confirm" in request.POST:
        confirm_form = ConfirmForm(request.POST)
        if confirm_form.is_valid():
            parsed = rules.parse_count_text(confirm_form.cleaned_data["csv_text"])
            try:
                plan = services.import_count_reports(
                    user=request.user,
                    parsed=parsed,
                    submit_all=confirm_form.cleaned_data["submit_all"],
                    source=confirm_form.cleaned_data["source"] or "CSV",
                )
            except services.ImportRefused as refused:
                plan = refused.plan
                messages.error(request, str(refused))
            except services.WorkflowError as refused:
                # submitting failed after the rows were checked: the transaction rolled back
                messages.error(request, str(refused))
                plan = services.plan_import(user=request.user, parsed=parsed)
            except DatabaseError:
                # The write transaction rolled back as a whole, so nothing of the file is saved;
                # e.g. a concurrent import inserted the same report first (unique constraint).
                # Say so and show the preview again, made against the database as it is now.
                logger.exception("count report import rolled back")
                messages.error(request, INTERRUPTED)
                plan = services.plan_import(user=request.user, parsed=parsed)
            else:
                messages.success(
                    request,
                    _("取り込みました: 新規 %(new)d件、更新 %(update)d件、変更なし %(same)d件。")
                    % {
                        "new": plan.count(services.ImportOutcome.NEW),
                        "update": plan.count(services.ImportOutcome.UPDATE),
                        "same": plan.count(services.ImportOutcome.UNCHANGED),
                    }
                    + (
                        str(_("下書きはすべて提出しました。"))
                        if confirm_form.cleaned_data["submit_all"]
                        else ""
                    ),
                )
                return HttpResponseRedirect(list_url)
    elif request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            count_file = upload_form.count_file
            plan = services.plan_import(user=request.user, parsed=count_file.parse())
            context["count_file"] = count_file
    if plan is not None:
        context.update(
            plan=plan,
            outcomes={outcome: plan.count(outcome) for outcome in services.ImportOutcome},
            errors_by_line=_errors_by_line(plan),
            confirm_form=ConfirmForm(
                initial={
                    "csv_text": plan.parsed.text,
                    "source": "Excel"
                    if plan.parsed.encoding == spreadsheet.XLSX_ENCODING
                    else "CSV",
                }
            )
            if plan.ok
            else None,
            count_labels=list(rules.ALL_LABELS.items()),
            nothing_to_do=plan.ok
            and all(row.outcome == services.ImportOutcome.UNCHANGED for row in plan.rows),
        )
    context["upload_form"] = upload_form
    return TemplateResponse(request, "admin/caseload/countreport/import.html", context)


def _errors_by_line(plan: services.ImportPlan) -> dict[int | None, list[rules.RowError]]:
    grouped: dict[int | None, list[rules.RowError]] = {}
    for error in plan.errors:
        grouped.setdefault(error.line, []).append(error)
    return grouped
