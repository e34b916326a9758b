"""The export page and the three CSV downloads. Thin: rows come from `tables`, the log from
`services`, scope from the models' `visible_to`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from caseload.models import CountReport
from exports import tables
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
    default_fiscal_year,
    era_year,
)
from hokenfukushi.models import Municipality, Region, User
from hokenfukushi.scope import can_read_anything

ERA_INITIALS = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}


def _require_read_scope(user: User) -> None:
    """Exports are for users who can read some region; anyone else is told nothing exists."""
    if not can_read_anything(user):
        raise Http404


def selectable_fiscal_years() -> list[int]:
    return list(range(current_fiscal_year() + 1, FIRST_FISCAL_YEAR - 1, -1))


def _default_year(user: User) -> int:
    towns = Municipality.objects.visible_to(user)
    latest = CountReport.objects.visible_to(user).latest_fiscal_year_approved_by_all(towns)
    return default_fiscal_year(latest, current=current_fiscal_year())


def _with_default_year(request: HttpRequest):
    data = request.GET.copy()
    if not data.get("fiscal_year"):
        data["fiscal_year"] = str(_default_year(request.user))
    return data


def _scope_name(user: User) -> str:
    region_id = user.scope_region_id
    if region_id is not None:
        return Region.objects.values_list("name", flat=True).get(pk=region_id)
    return "全圏域"


def _forms(user: User, data=None, *, bound: str | None = None) -> dict:
    years = selectable_fiscal_years()
    initial = {"fiscal_year": _default_year(user)}
    return {
        "prefecture_form": FiscalYearExportForm(
            data if bound == "prefecture" else None,
            fiscal_years=years,
            initial=initial,
        ),
        "open_data_form": FiscalYearExportForm(
            data if bound == "open_data" else None, fiscal_years=years, initial=initial
        ),
        "survey_summary_form": FiscalYearExportForm(
            data if bound == "survey_summary" else None, fiscal_years=years, initial=initial
        ),
        "caseload_form": EncodingForm(data if bound == "caseload" else None),
    }


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


def _fiscal_year_csv(request: HttpRequest, *, kind: ExportKind, bound: str, what: str, table):
    """A download of one fiscal year's table (`table(user, year)`), the year checked first."""
    _require_read_scope(request.user)
    form = FiscalYearExportForm(_with_default_year(request), fiscal_years=selectable_fiscal_years())
    if not form.is_valid():
        return _invalid(request, bound)
    year, encoding = form.cleaned_data["fiscal_year"], form.cleaned_data["encoding"]
    return _download(
        request,
        kind=kind,
        table=table(request.user, year),
        encoding=encoding,
        filename=_filename(what, request.user, year),
        parameters={"fiscal_year": year, "encoding": encoding},
    )


@login_required
@require_GET
def prefecture_csv(request: HttpRequest) -> HttpResponse:
    return _fiscal_year_csv(
        request,
        kind=ExportKind.PREFECTURE,
        bound="prefecture",
        what="prefecture",
        table=tables.prefecture_table,
    )


@login_required
@require_GET
def open_data_csv(request: HttpRequest) -> HttpResponse:
    _require_read_scope(request.user)
    form = FiscalYearExportForm(_with_default_year(request), fiscal_years=selectable_fiscal_years())
    if not form.is_valid():
        return _invalid(request, "open_data")
    year, encoding = form.cleaned_data["fiscal_year"], form.cleaned_data["encoding"]
    threshold = settings.OPEN_DATA_SUPPRESSION_THRESHOLD
    return _download(
        request,
        kind=ExportKind.OPEN_DATA,
        table=tables.open_data_table(request.user, year, threshold),
        encoding=encoding,
        filename=_filename("open-data", request.user, year),
        parameters={"fiscal_year": year, "encoding": encoding, "threshold": threshold},
    )


@login_required
@require_GET
def caseload_csv(request: HttpRequest) -> HttpResponse:
    _require_read_scope(request.user)
    form = EncodingForm(request.GET)
    if not form.is_valid():
        return _invalid(request, "caseload")
    encoding = form.cleaned_data["encoding"]
    return _download(
        request,
        kind=ExportKind.CASELOAD,
        table=tables.caseload_table(request.user),
        text=tables.caseload_text(request.user),
        encoding=encoding,
        filename=_filename("caseload", request.user),
        parameters={"encoding": encoding},
    )


@login_required
@require_GET
def survey_summary_csv(request: HttpRequest) -> HttpResponse:
    return _fiscal_year_csv(
        request,
        kind=ExportKind.SURVEY_SUMMARY,
        bound="survey_summary",
        what="survey-summary",
        table=tables.survey_summary_table,
    )
