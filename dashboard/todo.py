"""やること: what each role has to act on, shown at the top of the dashboard.

Every list starts from the scope rule (`visible_to` / `editable_by`) and asks the domain apps'
own query methods what is waiting; this module only chooses which lists a user gets:

- the base center (and a superuser), who approve: reports 承認待ち, towns whose report is late
  (`caseload.deadlines`), and 次回に向けて items of its meetings past their 期限 or open longer
  than `ACTION_ITEM_STALE_DAYS`;
- town staff: their own town's reports sent back (差し戻し, with the reason) and the reports
  still to submit, with the due day;
- a coordinator: the open items their organization owns that are past their 期限;
- a prefecture viewer: the late towns, to read (no admin link: they change nothing).

A fixed number of statements whatever the number of towns (each list is one statement carrying
its own full count), and it depends on the day (the due day passing): the page that holds it is
cached per day and per data version (dashboard/cache.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Window

from caseload.deadlines import latest_overdue_fiscal_year, report_due_on
from caseload.models import CountReport, ReportStatus, municipalities_without_report_for
from caseload.services import is_approver
from hokenfukushi.fiscal import fiscal_year_of
from hokenfukushi.models import Municipality
from hokenfukushi.scope import can_edit_anything, is_coordinator_account
from meetings.models import ActionItem, ActionItemQuerySet, Meeting

if TYPE_CHECKING:
    from hokenfukushi.models import Region, User

# Items listed per kind; the rest are counted ("ほか12件") and found through the link.
LIST_LIMIT = 20


def age_label(since: dt.date, today: dt.date) -> str:
    """How long something has been open, as a person says it: 今日から, 12日前から, 19か月前から
    (whole months once a month has passed)."""
    months = (today.year - since.year) * 12 + today.month - since.month
    if today.day < since.day:
        months -= 1
    if months >= 1:
        return f"{months}か月前から"
    days = (today - since).days
    return "今日から" if days <= 0 else f"{days}日前から"


@dataclass(frozen=True)
class Listed:
    """The first LIST_LIMIT rows of a list and how many there are in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)

    def __bool__(self) -> bool:
        return self.total > 0


def _listed(queryset: QuerySet, *fields: str) -> Listed:
    """One statement: the first rows, each carrying the count of the whole list (a window
    computed before the LIMIT); with `fields`, rows of those values by name, not instances."""
    queryset = queryset.annotate(listed_total=Window(Count("pk")))
    if fields:
        queryset = queryset.values_list(*fields, "listed_total", named=True)
    rows = list(queryset[:LIST_LIMIT])
    return Listed(rows, rows[0].listed_total if rows else 0)


# What the page shows of an action item: read as named values, not as an item, its meeting,
# region and organization of every column.
_ACTION_FIELDS = (
    "pk",
    "text",
    "owner_name",
    "due_on",
    "owner_organization_id",
    "owner_organization__name",
    "raised_at_id",
    "raised_at__number",
    "raised_at__starts_at",
    "raised_at__region__name",
)


@dataclass(frozen=True)
class ActionToDo:
    action: Any  # a row of _ACTION_FIELDS, by name
    raised_at: Meeting  # with its number and start only (Meeting.from_values)
    raised_on: dt.date
    age: str
    overdue: bool  # past its 期限 (else listed for its age)


# What the page shows of a report awaiting approval (its town's name, who submitted it): not
# every column of the report, its town and the submitting account.
_APPROVAL_FIELDS = (
    "fiscal_year",
    "as_of",
    "submitted_at",
    "municipality__name",
    "submitted_by__username",
    "submitted_by__first_name",
    "submitted_by__last_name",
)


@dataclass(frozen=True)
class ReportDue:
    """One of the viewer's towns without a submitted report for a fiscal year."""

    town: Municipality
    fiscal_year: int
    due_on: dt.date
    overdue: bool
    draft_id: int | None  # its newest draft of that year, to open and submit


@dataclass(frozen=True)
class ToDo:
    today: dt.date
    may_change: bool  # links to the admin (the base center, town staff)
    # where an action item is worked on: "meeting" (the center closes it at its meeting),
    # "progress" (a coordinator reports progress on /me/actions/<id>/), "" nowhere
    action_link: str = ""
    awaiting_approval: Listed | None = None
    late_fiscal_year: int | None = None
    late_due_on: dt.date | None = None
    late_towns: Listed | None = None
    actions: Listed | None = None  # of ActionToDo
    sent_back: list[CountReport] = field(default_factory=list)
    due: list[ReportDue] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.awaiting_approval, self.late_towns, self.actions, self.sent_back, self.due)
        )


def build_todo(user: User, *, today: dt.date, region: Region | None = None) -> ToDo:
    """The to-do of `user` on `today`, narrowed to `region` when one is picked."""
    if is_approver(user):
        late_year = latest_overdue_fiscal_year(today)
        return ToDo(
            today=today,
            may_change=True,
            action_link="meeting",
            awaiting_approval=_listed(
                _in(CountReport.objects.editable_by(user), "municipality__region", region)
                .awaiting_approval()
                .select_related("municipality", "submitted_by")
                .only(*_APPROVAL_FIELDS)
            ),
            late_fiscal_year=late_year,
            late_due_on=report_due_on(late_year) if late_year else None,
            late_towns=_late_towns(Municipality.objects.editable_by(user), late_year, region),
            actions=_actions(
                ActionItem.objects.editable_by(user),
                region,
                today=today,
                stale_days=settings.ACTION_ITEM_STALE_DAYS,
            ),
        )
    if is_coordinator_account(user):
        return ToDo(
            today=today,
            may_change=False,
            action_link="progress",
            actions=_actions(ActionItem.objects.editable_by(user), region, today=today),
        )
    if can_edit_anything(user):  # town staff: their own town's reports
        sent_back = list(
            CountReport.objects.editable_by(user)
            .sent_back()
            .select_related("municipality")
            .only("fiscal_year", "as_of", "reopen_reason", "municipality__name")
            .order_by("-fiscal_year", "municipality__code")
        )
        # a sent-back draft is listed once, with its reason
        sent_back_ids = {report.pk for report in sent_back}
        return ToDo(
            today=today,
            may_change=True,
            sent_back=sent_back,
            due=[
                due for due in _reports_due(user, today=today) if due.draft_id not in sent_back_ids
            ],
        )
    if user.role == user.Role.PREFECTURE:
        late_year = latest_overdue_fiscal_year(today)
        return ToDo(
            today=today,
            may_change=False,
            late_fiscal_year=late_year,
            late_due_on=report_due_on(late_year) if late_year else None,
            late_towns=_late_towns(Municipality.objects.visible_to(user), late_year, region),
        )
    return ToDo(today=today, may_change=False)


def _in(queryset: QuerySet, region_path: str, region: Region | None) -> QuerySet:
    return queryset if region is None else queryset.filter(**{region_path: region})


def _late_towns(towns: QuerySet, fiscal_year: int | None, region: Region | None) -> Listed | None:
    if fiscal_year is None:
        return None
    return _listed(
        municipalities_without_report_for(fiscal_year, towns=_in(towns, "region", region))
        .select_related("region")
        .only("code", "name", "region__name")
        .order_by("region__name", "region_id", "code")
    )


def _actions(
    items: ActionItemQuerySet,
    region: Region | None,
    *,
    today: dt.date,
    stale_days: int | None = None,
) -> Listed:
    """Open items past their 期限, and (with `stale_days`) those open longer than that, the
    oldest first, each with its age."""
    if stale_days is None:
        items = items.overdue(today)
    else:
        items = items.overdue_or_open_longer_than(stale_days, today)
    listed = _listed(
        _in(items, "raised_at__region", region).order_by("raised_at__starts_at", "pk"),
        *_ACTION_FIELDS,
    )
    todos = []
    for action in listed.items:
        raised_at = Meeting.from_values(
            {
                "id": action.raised_at_id,
                "number": action.raised_at__number,
                "starts_at": action.raised_at__starts_at,
            }
        )
        raised_on = raised_at.held_on
        todos.append(
            ActionToDo(
                action=action,
                raised_at=raised_at,
                raised_on=raised_on,
                age=age_label(raised_on, today),
                overdue=action.due_on is not None and action.due_on < today,
            )
        )
    return Listed(todos, listed.total)


def _reports_due(user: User, *, today: dt.date) -> list[ReportDue]:
    """The user's towns without a submitted report for the year that is late (if any) and for
    the current year, with the newest draft to finish when there is one (one statement)."""
    current = fiscal_year_of(today)
    years = sorted({current, latest_overdue_fiscal_year(today) or current})
    towns = Municipality.objects.editable_by(user).only("code", "name")
    for index, year in enumerate(years):
        drafts = CountReport.objects.filter(
            municipality=OuterRef("pk"), fiscal_year=year, status=ReportStatus.DRAFT
        ).order_by("-as_of", "-pk")
        this_town = Municipality.objects.filter(pk=OuterRef("pk"))
        missing = municipalities_without_report_for(year, towns=this_town)
        towns = towns.annotate(
            **{
                f"missing_{index}": Exists(missing),
                f"draft_{index}": Subquery(drafts.values("pk")[:1]),
            }
        )
    due = []
    for town in towns.order_by("code"):
        for index, year in enumerate(years):
            if getattr(town, f"missing_{index}"):
                due_on = report_due_on(year)
                due.append(
                    ReportDue(town, year, due_on, today > due_on, getattr(town, f"draft_{index}"))
                )
    return due


def todo_settings() -> tuple:
    """The settings the to-do depends on besides the data and the day: part of the cached
    page's key, so that changing them (and restarting) never serves an old list."""
    return (settings.REPORT_DUE_MONTH_DAY, settings.ACTION_ITEM_STALE_DAYS)
