"""Meeting pages: the list with participants, trend and connections; one meeting; its print
view; and the iCalendar feed. Scope comes from `visible_to`; outside it answers 404."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordinators.models import Coordinator, Organization, OrganizationKind
from hokenfukushi.models import Region
from hokenfukushi.views import selected_region
from meetings.attendance import AttendanceBreakdown, Participant, attendance_breakdown
from meetings.calendar import calendar_token, meetings_calendar, user_for_calendar_token
from meetings.charts import shade_level, stacked_bars
from meetings.connections import (
    MeetingAttendees,
    coordinator_contacts,
    network_growth,
    organization_matrix,
)
from meetings.forms import CloseActionForm, ReplyForm
from meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceFact,
    Invitation,
    Meeting,
    MeetingStatus,
    PreQuestion,
)
from meetings.rules import replies_open
from meetings.services import FOLLOW_UP_TITLE, close_action_item

KIND_ORDER = {kind: index for index, kind in enumerate(OrganizationKind.values)}


def _participants(facts: list[AttendanceFact]) -> list[Participant]:
    return [
        Participant(is_coordinator=f.coordinator_id is not None, kind=f.kind, field=f.field)
        for f in facts
    ]


def chosen_region(request: HttpRequest) -> tuple[Region | None, list[Region]]:
    """Region staff see their one region; prefecture viewers pick one (?region=)."""
    regions = list(Region.objects.visible_to(request.user))
    region = selected_region(request, regions)
    return region or (regions[0] if regions else None), regions


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    region, regions = chosen_region(request)
    meetings = list(Meeting.objects.visible_to(request.user).filter(region=region).in_date_order())
    facts_by_meeting: dict[int, list[AttendanceFact]] = defaultdict(list)
    for fact in Attendance.objects.filter(meeting__in=[m.pk for m in meetings]).facts():
        facts_by_meeting[fact.meeting_id].append(fact)
    rows = [
        (meeting, attendance_breakdown(_participants(facts_by_meeting[meeting.pk])))
        for meeting in meetings
    ]
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    bars = stacked_bars(
        [
            (str(m), b.coordinator_total, b.other_total)
            for m, b in rows
            if m.status == MeetingStatus.HELD
        ]
    )
    attendees = [
        MeetingAttendees(
            meeting_id=m.pk,
            label=str(m),
            held_on=m.held_on,
            coordinator_ids=frozenset(
                f.coordinator_id for f in facts_by_meeting[m.pk] if f.coordinator_id
            ),
            organization_ids=frozenset(f.organization_id for f in facts_by_meeting[m.pk]),
        )
        for m in held
    ]
    coordinators = list(
        Coordinator.objects.visible_to(request.user)
        .filter(organization__region=region)
        .active()
        .select_related("organization")
    )
    contacts = coordinator_contacts(attendees, [c.pk for c in coordinators])
    coordinator_rows = sorted(
        ((c, contacts[c.pk]) for c in coordinators),
        key=lambda row: (-row[1].meetings_attended, row[0].kana),
    )
    organization_ids = sorted({pk for a in attendees for pk in a.organization_ids})
    organizations = Organization.objects.in_bulk(organization_ids)
    ordered_orgs = sorted(
        (organizations[pk] for pk in organization_ids),
        key=lambda o: (KIND_ORDER.get(o.kind, len(KIND_ORDER)), o.name),
    )
    matrix = organization_matrix(attendees, [o.pk for o in ordered_orgs])
    highest = max((v or 0 for row in matrix for v in row), default=0)
    matrix_rows = [
        (org, [(value, shade_level(value, highest)) for value in row])
        for org, row in zip(ordered_orgs, matrix, strict=True)
    ]
    growth = network_growth(attendees)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "region": region,
            "regions": regions,
            "rows": rows,
            "bars": bars,
            "growth": growth,
            "latest_growth": growth[-1] if growth else None,
            "attended_rows": [row for row in coordinator_rows if row[1].meetings_attended],
            "never_attended": [
                c for c, contact in coordinator_rows if not contact.meetings_attended
            ],
            "ordered_orgs": ordered_orgs,
            "can_prepare": region is not None
            and Region.objects.editable_by(request.user).filter(pk=region.pk).exists(),
            "matrix_rows": matrix_rows,
            "calendar_url": request.build_absolute_uri(
                reverse("meetings:calendar")
                + "?"
                + urlencode({"token": calendar_token(request.user)})
            ),
        },
    )


def _attendances(meeting: Meeting) -> list[Attendance]:
    return list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("coordinator__organization", "organization")
        .order_by("coordinator__kana", "pk")
    )


def _breakdown(attendances: list[Attendance]) -> AttendanceBreakdown:
    return attendance_breakdown(
        Participant(
            is_coordinator=a.coordinator_id is not None,
            kind=(a.coordinator.organization if a.coordinator_id else a.organization).kind,
            field=(a.coordinator.organization if a.coordinator_id else a.organization).field,
        )
        for a in attendances
    )


def meeting_breakdown(meeting: Meeting) -> AttendanceBreakdown:
    """The meeting's attendance counted by affiliation (コーディネーター / それ以外)."""
    return _breakdown(_attendances(meeting))


def _meeting_context(
    request: HttpRequest, pk: int, *, bound_form: tuple[int, CloseActionForm] | None = None
) -> dict:
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("region"), pk=pk
    )
    can_follow_up = Meeting.objects.editable_by(request.user).filter(pk=meeting.pk).exists()
    carried = list(
        ActionItem.objects.carried_into(meeting)
        .select_related("owner_organization", "closed_at", "raised_at")
        .order_by("raised_at__number", "pk")
    )
    if can_follow_up:
        for action in carried:
            if action.status == ActionStatus.OPEN:
                action.close_form = (
                    bound_form[1]
                    if bound_form and bound_form[0] == action.pk
                    else CloseActionForm(prefix=f"action-{action.pk}")
                )
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting).select_related("presenter_organization")
    )
    attendances = _attendances(meeting)
    breakdown = _breakdown(attendances)
    action_related = ("owner_organization", "closed_at", "raised_at")
    return {
        "meeting": meeting,
        "agenda": agenda,
        "breakdown": breakdown,
        "coordinator_attendances": [a for a in attendances if a.coordinator_id],
        "other_attendances": [a for a in attendances if not a.coordinator_id],
        "actions_raised": list(
            ActionItem.objects.filter(raised_at=meeting).select_related(*action_related)
        ),
        "actions_carried": carried,
        "can_follow_up": can_follow_up,
        "questions": list(
            PreQuestion.objects.filter(meeting=meeting).select_related(
                "asked_by", "invitation", "answered_by"
            )
        ),
        "follow_up_title": FOLLOW_UP_TITLE,
        "open_carried": [a for a in carried if a.status == ActionStatus.OPEN],
        **_my_invitation(request, meeting),
    }


def own_invitation(user, meeting: Meeting) -> Invitation | None:
    """A coordinator account's own invitation to the meeting (None for any other account)."""
    scope = getattr(user, "coordinator_scope", None)  # no query for other roles
    if scope is None:
        return None
    return Invitation.objects.filter(meeting=meeting, coordinator_id=scope.coordinator_id).first()


def _my_invitation(request: HttpRequest, meeting: Meeting) -> dict:
    """A signed-in coordinator's own invitation to this meeting, with a reply form."""
    invitation = own_invitation(request.user, meeting)
    if invitation is None:
        return {}
    return {
        "my_invitation": invitation,
        "my_reply_form": ReplyForm(
            initial={"reply": invitation.reply or None, "comment": invitation.reply_comment}
        ),
        "my_replies_open": replies_open(meeting.starts_at, timezone.now()),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "meetings/meeting_detail.html", _meeting_context(request, pk))


@login_required
@require_POST
def close_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Record at this meeting that a carried action was done or dropped."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    if not Meeting.objects.editable_by(request.user).filter(pk=meeting.pk).exists():
        raise PermissionDenied
    action = get_object_or_404(ActionItem.objects.carried_into(meeting).open(), pk=action_pk)
    form = CloseActionForm(request.POST, prefix=f"action-{action.pk}")
    if form.is_valid():
        try:
            close_action_item(
                action=action,
                at_meeting=meeting,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("「%(text)s」を%(meeting)sで確認しました。")
                % {"text": action, "meeting": meeting},
            )
            return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#carried-actions")
    context = _meeting_context(request, pk, bound_form=(action.pk, form))
    return render(request, "meetings/meeting_detail.html", context, status=400)


PRINT_VARIANTS = {"agenda": "次第", "minutes": "記録"}


@login_required
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A4 print: 次第 (before; the default for a planned meeting) or 記録 (after)."""
    context = _meeting_context(request, pk)
    variant = request.GET.get("variant")
    if variant not in PRINT_VARIANTS:
        planned = context["meeting"].status == MeetingStatus.PLANNED
        variant = "agenda" if planned else "minutes"
    context |= {
        "variant": variant,
        "variant_label": PRINT_VARIANTS[variant],
        "printed_on": timezone.localdate(),
    }
    return render(request, "meetings/meeting_print.html", context)


def calendar_feed(request: HttpRequest) -> HttpResponse:
    """The region's meetings as iCalendar. Signed-in users get it with their session; calendar
    apps (which send no cookies) use the secret link shown on the meetings page."""
    user = request.user
    token = request.GET.get("token")
    if token:
        user = user_for_calendar_token(token)
        if user is None:
            raise Http404
    elif not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    meetings = Meeting.objects.visible_to(user).select_related("region").in_date_order()
    body = meetings_calendar(
        meetings,
        name="医ケアコーディネーター連絡会議",
        base_url=request.build_absolute_uri("/")[:-1],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
