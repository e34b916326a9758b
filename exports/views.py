"""The export page and its downloads, each as CSV and as .xlsx. Thin: every export is one entry
in `EXPORTS` (its table function, year rule and logged parameters), from which both formats'
views and URLs are made; rows come from `tables` / `activity_tables`, the log from `services`,
scope from the models' `visible_to` / `counted_for`."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from caseload.models import CountReport
from exports import activity_tables, columns, tables
from exports.csv_output import (
    CP932,
    UTF8,
    find_unencodable_cell,
    is_encodable,
    stream_csv,
    stream_lines,
)
from exports.forms import EncodingForm, FiscalYearExportForm
from exports.services import ExportKind, record_export
from hokenfukushi.fiscal import (
    FIRST_FISCAL_YEAR,
    current_fiscal_year,
    era_year,
)
from hokenfukushi.models import Municipality, Region, User
from hokenfukushi.scope import can_read_anything
from hokenfukushi.xlsx import XLSX_CONTENT_TYPE, UnwritableText, write_workbook_to

ERA_INITIALS = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}


def _require_read_scope(user: User) -> None:
    """Exports are for users who can read some region; anyone else is told nothing exists."""
    if not can_read_anything(user):
        raise Http404


def selectable_fiscal_years() -> list[int]:
    return list(range(current_fiscal_year() + 1, FIRST_FISCAL_YEAR - 1, -1))


def _default_year(user: User) -> int:
    return CountReport.objects.visible_to(user).opening_fiscal_year(
        Municipality.objects.visible_to(user), current=current_fiscal_year()
    )


@dataclass(frozen=True, slots=True)
class Export:
    """One download, as CSV (`<name>.csv`, URL name `exports:<key>`) and as .xlsx
    (`<name>.xlsx`, `exports:<key>_xlsx`), both from `table(user, fiscal_year)` (`fiscal_year`
    is None for an export without a year): the same rows, scope and suppression; the .xlsx
    cells typed by `exports.columns`. Adding an export is one entry in `EXPORTS`."""

    kind: ExportKind
    name: str  # the file's name before the year and scope, e.g. "prefecture"
    sheet_title: str
    table: Callable[[User, int | None], tuple]
    by_year: bool = True
    notes: tuple[tuple[str, str], ...] = ()  # further lines of the 「説明」 sheet
    # the file's own (header, definition) pairs for its 「説明」 sheet (exports.columns)
    definitions: tuple[tuple[str, str], ...] = ()
    parameters: Callable[[], dict] = dict  # logged beside the year, encoding or format
    # the year when none is asked for: the reports' default year, or this year for 活動記録
    # (entries are of this year)
    activity_year: bool = False
    # the CSV lines written directly, when the table has a faster writer (tables.caseload_text)
    csv_text: Callable[[User], Callable[[], Iterator[str]]] | None = None

    def default_year(self, user: User) -> int:
        return current_fiscal_year() if self.activity_year else _default_year(user)


def _threshold() -> dict:
    return {"threshold": settings.OPEN_DATA_SUPPRESSION_THRESHOLD}


EXPORTS: dict[str, Export] = {
    "prefecture": Export(
        ExportKind.PREFECTURE,
        "prefecture",
        "県報告用集計表",
        lambda user, year: tables.prefecture_table(user, year),
        definitions=columns.PREFECTURE_COLUMNS,
    ),
    "open_data": Export(
        ExportKind.OPEN_DATA,
        "open-data",
        "オープンデータ",
        lambda user, year: tables.open_data_table(
            user, year, settings.OPEN_DATA_SUPPRESSION_THRESHOLD
        ),
        notes=(columns.SUPPRESSION_NOTE,),
        parameters=_threshold,
    ),
    "survey_summary": Export(
        ExportKind.SURVEY_SUMMARY,
        "survey-summary",
        "設置状況",
        lambda user, year: tables.survey_summary_table(user, year),
        definitions=columns.SURVEY_SUMMARY_COLUMNS,
    ),
    "caseload": Export(
        ExportKind.CASELOAD,
        "caseload",
        "報告データ",
        lambda user, year: tables.caseload_table(user),
        by_year=False,
        csv_text=tables.caseload_text,
    ),
    "activity": Export(
        ExportKind.ACTIVITY,
        "activity",
        "活動記録",
        lambda user, year: activity_tables.activity_table(user, year),
        activity_year=True,
    ),
    "activity_open_data": Export(
        ExportKind.ACTIVITY_OPEN_DATA,
        "activity-open-data",
        "活動記録オープンデータ",
        lambda user, year: activity_tables.activity_open_data_table(
            user, year, settings.OPEN_DATA_SUPPRESSION_THRESHOLD
        ),
        notes=(columns.SUPPRESSION_NOTE,),
        parameters=_threshold,
        activity_year=True,
    ),
}


def _forms(user: User, data=None, *, bound: str | None = None) -> dict:
    """The export page's form of each export (`<key>_form`), `data` bound to the one asked."""
    years = selectable_fiscal_years()
    forms = {}
    for key, export in EXPORTS.items():
        given = data if bound == key else None
        forms[f"{key}_form"] = (
            FiscalYearExportForm(
                given, fiscal_years=years, initial={"fiscal_year": export.default_year(user)}
            )
            if export.by_year
            else EncodingForm(given)
        )
    return forms


def _asked(request: HttpRequest, export: Export) -> FiscalYearExportForm | EncodingForm:
    """The download's form bound to the query, with the export's default year when none."""
    if not export.by_year:
        return EncodingForm(request.GET)
    data = request.GET.copy()
    if not data.get("fiscal_year"):
        data["fiscal_year"] = str(export.default_year(request.user))
    return FiscalYearExportForm(data, fiscal_years=selectable_fiscal_years())


def _scope_name(user: User) -> str:
    region_id = user.scope_region_id
    if region_id is not None:
        return Region.objects.values_list("name", flat=True).get(pk=region_id)
    return "全圏域"


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require_read_scope(request.user)
    return render(
        request,
        "exports/index.html",
        {
            **_forms(request.user),
            "scope_name": _scope_name(request.user),
            "largest_hidden": settings.OPEN_DATA_SUPPRESSION_THRESHOLD - 1,
        },
    )


def _invalid(request: HttpRequest, kind: str) -> HttpResponse:
    return render(
        request,
        "exports/index.html",
        {
            **_forms(request.user, request.GET, bound=kind),
            "scope_name": _scope_name(request.user),
            "largest_hidden": settings.OPEN_DATA_SUPPRESSION_THRESHOLD - 1,
        },
        status=400,
    )


def _download(
    request: HttpRequest,
    *,
    kind: ExportKind,
    table: tuple,
    encoding: str,
    filename: str,
    parameters: dict,
    text: Callable[[], Iterator[str]] | None = None,
) -> HttpResponse:
    """`text`, when given, writes the table's rows as CSV lines itself (see
    `tables.caseload_text`); the rows are then read only to name an unencodable cell."""
    header, rows = table
    if encoding == CP932:
        problem = (
            None
            if text is not None and is_encodable(text(), CP932)
            else find_unencodable_cell(header, rows(), CP932)
        )
        if problem is not None:
            utf8_url = f"{request.path}?{urlencode({**request.GET.dict(), 'encoding': UTF8})}"
            return render(
                request,
                "exports/unencodable.html",
                {"problem": problem, "utf8_url": utf8_url, "index_url": reverse("exports:index")},
                status=422,
            )
    record_export(user=request.user, export=kind, parameters=parameters)
    response = StreamingHttpResponse(
        stream_csv(header, rows(), encoding)
        if text is None
        else stream_lines(header, text(), encoding),
        content_type=f"text/csv; charset={'utf-8' if encoding == UTF8 else 'windows-31j'}",
    )
    # Built by Django alone: quoting and RFC 5987 encoding of any name (quotes, CR/LF, 日本語).
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _filename(what: str, user: User, fiscal_year: int | None = None) -> str:
    parts = [what]
    if fiscal_year is not None:
        era, number = era_year(dt.date(fiscal_year, 12, 31))  # FY2025 -> R7
        parts += [f"{ERA_INITIALS[era]}{number}", str(fiscal_year)]
    parts += [_scope_name(user), timezone.localdate().strftime("%Y%m%d")]
    return "_".join(parts) + ".csv"


def csv_view(key: str) -> Callable[[HttpRequest], HttpResponse]:
    export = EXPORTS[key]

    @login_required
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        _require_read_scope(request.user)
        form = _asked(request, export)
        if not form.is_valid():
            return _invalid(request, key)
        year, encoding = form.cleaned_data.get("fiscal_year"), form.cleaned_data["encoding"]
        return _download(
            request,
            kind=export.kind,
            table=export.table(request.user, year),
            text=export.csv_text(request.user) if export.csv_text else None,
            encoding=encoding,
            filename=_filename(export.name, request.user, year),
            parameters={
                **({"fiscal_year": year} if year is not None else {}),
                "encoding": encoding,
                **export.parameters(),
            },
        )

    view.__name__ = view.__qualname__ = f"{key}_csv"
    return view


def sheet_view(key: str) -> Callable[[HttpRequest], HttpResponse]:
    export = EXPORTS[key]

    @login_required
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        _require_read_scope(request.user)
        form = _asked(request, export)
        if not form.is_valid():
            return _invalid(request, key)
        return _xlsx_download(request, export, form.cleaned_data.get("fiscal_year"))

    view.__name__ = view.__qualname__ = f"{key}_xlsx"
    return view


def export_url_patterns() -> list:
    """`<name>.csv` (`exports:<key>`) and `<name>.xlsx` (`exports:<key>_xlsx`) of each export."""
    return [
        pattern
        for key, export in EXPORTS.items()
        for pattern in (
            path(f"{export.name}.csv", csv_view(key), name=key),
            path(f"{export.name}.xlsx", sheet_view(key), name=f"{key}_xlsx"),
        )
    ]


def _xlsx_download(request: HttpRequest, export: Export, year: int | None) -> HttpResponse:
    """Written to a temporary file of its own (flat memory: see hokenfukushi.xlsx), then sent
    from it; the file is gone when the response is closed. Nothing is logged or sent unless the
    whole workbook could be written."""
    headers, rows = export.table(request.user, year)
    sheet_columns, definitions = columns.sheet_columns(headers, own=export.definitions)
    # closed by the response once sent, or here on an error
    target = tempfile.TemporaryFile(prefix="hokenfukushi-export-", suffix=".xlsx")  # noqa: SIM115
    try:
        write_workbook_to(
            target,
            sheet_title=export.sheet_title,
            columns=sheet_columns,
            rows=rows(),
            definitions=[*definitions, *export.notes],
        )
    except UnwritableText as problem:
        target.close()
        return render(
            request,
            "exports/unwritable.html",
            {"message": str(problem), "index_url": reverse("exports:index")},
            status=422,
        )
    except BaseException:
        target.close()
        raise
    target.seek(0)
    parameters = {**({"fiscal_year": year} if year is not None else {}), **export.parameters()}
    record_export(
        user=request.user, export=export.kind, parameters={**parameters, "format": "xlsx"}
    )
    filename = _filename(export.name, request.user, year).removesuffix(".csv") + ".xlsx"
    response = FileResponse(
        target, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
