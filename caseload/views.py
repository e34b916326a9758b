from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from caseload import rules
from caseload.models import (
    COUNT_FIELDS,
    CountReport,
    ReportCompleteness,
    TownReportStatus,
    latest_fiscal_year_reported_by_all,
)
from hokenfukushi.fiscal import current_fiscal_year, default_fiscal_year
from hokenfukushi.models import Municipality, rate_per_10000


@dataclass(frozen=True, slots=True)
class TownFigures:
    town: Municipality
    report: CountReport | None  # the approved report for the chosen year
    status: TownReportStatus  # this fiscal year's report status

    @property
    def counts(self) -> list[int | None]:
        return [getattr(self.report, name) if self.report else None for name in COUNT_FIELDS]

    @property
    def total(self) -> int | None:
        return sum(self.counts) if self.report else None

    @property
    def rate(self) -> Decimal | None:
        # the dashboard's rate (one decimal, half up), so both pages print the same figure
        return rate_per_10000(self.total, self.town.population)


@login_required
def caseload_overview(request: HttpRequest) -> HttpResponse:
    """Approved figures per town and year, totals, rates per 10,000, and this year's status.

    Reads only approved reports for figures (drafts are marked, never counted); four queries
    whatever the number of towns or years."""
    user = request.user
    towns = list(
        Municipality.objects.visible_to(user).select_related("region").with_latest_population()
    )
    reports = CountReport.objects.visible_to(user)
    figures = reports.approved_by_town_and_year()
    this_year = current_fiscal_year()
    # the year list ends at the current fiscal year (a mistyped future date is no year to show)
    years = sorted({year for _, year in figures if year <= this_year}, reverse=True)
    try:
        chosen = int(request.GET.get("fiscal_year", ""))
    except ValueError:
        complete = latest_fiscal_year_reported_by_all((town.pk for town in towns), figures)
        chosen = default_fiscal_year(complete, current=this_year)
    statuses = reports.status_by_town(towns, this_year)

    rows = [TownFigures(town, figures.get((town.pk, chosen)), statuses[town.pk]) for town in towns]
    reported = [row for row in rows if row.report]
    totals = [sum(row.counts[i] for row in reported) for i in range(len(COUNT_FIELDS))]
    population = sum(row.town.population or 0 for row in reported)
    grand_total = sum(totals)
    history = [(town, [_total(figures.get((town.pk, year))) for year in years]) for town in towns]
    return render(
        request,
        "caseload/overview.html",
        {
            "rows": rows,
            "chosen_year": chosen,
            "years": years,
            "this_year": this_year,
            "count_labels": list(rules.COUNT_LABELS.values()),
            "totals": totals,
            "grand_total": grand_total,
            "reported_population": population,
            "total_rate": rate_per_10000(grand_total, population) if reported else None,
            "missing_towns": [row.town for row in rows if row.report is None],
            "history": history,
            "history_totals": [
                sum(total for total in column if total is not None)
                for column in zip(*(cells for _, cells in history), strict=True)
            ]
            if history
            else [],
            "show_region": len({town.region_id for town in towns}) > 1,
            "Completeness": ReportCompleteness,
        },
    )


def _total(report: CountReport | None) -> int | None:
    return None if report is None else sum(getattr(report, name) for name in COUNT_FIELDS)
