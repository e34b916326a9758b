"""A coordinator's マイページ (/me/) and the network directory つながり (/network/).

Both read the coordinators and the meetings of one region, so they live here (meetings builds on
coordinators, never the other way). Query counts do not grow with the number of coordinators or
meetings (tests/meetings/test_member_pages.py pins them)."""

from __future__ import annotations

from collections import Counter, defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordinators.models import (
    Activity,
    ActivityKind,
    ConsultationTopic,
    Coordinator,
    Viewer,
    account_status,
    contact_is_shown,
)
from coordinators.rules import experience_steps
from hokenfukushi.fiscal import fiscal_quarter_of
from hokenfukushi.models import Municipality
from hokenfukushi.pages import scope_required
from hokenfukushi.scope import can_edit_regions, is_coordinator_account
from meetings.connections import MeetingAttendees, coordinator_contacts, shared_with
from meetings.member_forms import ActionProgressForm
from meetings.models import ActionItem, Attendance, Invitation, Meeting, MeetingStatus
from meetings.views import chosen_region


def _coordinator_only(request: HttpRequest) -> None:
    if not is_coordinator_account(request.user):
        raise PermissionDenied


@scope_required
def me(request: HttpRequest) -> HttpResponse:
    _coordinator_only(request)
    user = request.user
    today = timezone.localdate()
    coordinator = (
        Coordinator.objects.select_related("organization__region")
        .prefetch_related("municipalities")
        .with_topics()
        .get(pk=user.coordinator_scope.coordinator_id)
    )
    quarter = fiscal_quarter_of(today)
    entries = list(
        Activity.objects.visible_to(user)
        .in_quarter(quarter)
        .select_related("municipality")
        .order_by("-done_on", "-pk")
    )
    by_kind = Counter(entry.kind for entry in entries)
    history = coordinator.history.order_by("history_date").values_list("history_date", "experience")
    return render(
        request,
        "meetings/me.html",
        {
            "coordinator": coordinator,
            "upcoming_meetings": list(
                Meeting.objects.visible_to(user)
                .upcoming()
                .select_related("region")
                .prefetch_related(
                    # the coordinator's own invitation, to show their 出欠 beside each meeting
                    Prefetch(
                        "invitations",
                        queryset=Invitation.objects.filter(coordinator=coordinator),
                        to_attr="my_invitations",
                    )
                )[:3]
            ),
            "actions": list(
                ActionItem.objects.editable_by(user)
                .open()
                .select_related("raised_at", "owner_organization")
                .order_by("raised_at__number", "pk")
            ),
            "quarter": quarter,
            "entries": entries[:10],
            "entry_count": len(entries),
            "individual_count": by_kind[ActivityKind.INDIVIDUAL],
            "community_count": by_kind[ActivityKind.COMMUNITY],
            "experience_steps": experience_steps(list(history)),
            "contact_shown": coordinator.contact_consent_on is not None,
        },
    )


@login_required
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress on an open item the coordinator's organization owns (anything else: 404)."""
    _coordinator_only(request)
    action = get_object_or_404(
        ActionItem.objects.editable_by(request.user)
        .open()
        .select_related("raised_at", "owner_organization"),
        pk=pk,
    )
    form = ActionProgressForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("「%(text)s」の進み具合を保存しました。") % {"text": action})
        return redirect(reverse("me") + "#my-actions")
    return render(
        request,
        "meetings/action_progress.html",
        {"action": action, "form": form},
        status=400 if form.errors else 200,
    )


class NetworkFilterForm(forms.Form):
    town = forms.ModelChoiceField(
        label=gettext_lazy("市町村"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=gettext_lazy("すべての市町村"),
    )
    topic = forms.ChoiceField(
        label=gettext_lazy("相談できること"),
        choices=[("", gettext_lazy("すべて")), *ConsultationTopic.choices],
        required=False,
    )

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns


def _held_meetings(region_id: int) -> list[MeetingAttendees]:
    """The region's held meetings with the coordinators present, from one query."""
    rows = (
        Attendance.objects.filter(
            meeting__region_id=region_id,
            meeting__status=MeetingStatus.HELD,
            coordinator__isnull=False,
        )
        .order_by()
        .values_list("meeting_id", "meeting__number", "meeting__starts_at", "coordinator_id")
    )
    present: dict[tuple, set[int]] = defaultdict(set)
    for meeting_id, number, starts_at, coordinator_id in rows:
        present[(meeting_id, number, timezone.localtime(starts_at).date())].add(coordinator_id)
    return [
        MeetingAttendees(
            meeting_id=meeting_id,
            label=_("第%(number)s回") % {"number": number},
            held_on=held_on,
            coordinator_ids=frozenset(ids),
            organization_ids=frozenset(),
        )
        for (meeting_id, number, held_on), ids in present.items()
    ]


@scope_required
def network(request: HttpRequest) -> HttpResponse:
    """つながり: the region's active coordinators, what they can be consulted about and how to
    reach them (with consent), and for a coordinator the meetings attended together. The center
    also sees who has an account and who has never attended."""
    user = request.user
    region, regions = chosen_region(request)
    if region is None:
        raise Http404
    towns = Municipality.objects.filter(region=region).order_by("code")
    town_param = request.GET.get("town", "")
    if town_param and not (
        town_param.isdigit() and Municipality.objects.filter(pk=town_param, region=region).exists()
    ):
        raise Http404  # another region's town is not found, like any row outside the scope
    form = NetworkFilterForm(request.GET or None, towns=towns)
    coordinators = Coordinator.objects.visible_to(user).filter(organization__region=region).active()
    if form.is_valid():
        if form.cleaned_data["town"] is not None:
            coordinators = coordinators.covering(form.cleaned_data["town"])
        if form.cleaned_data["topic"]:
            coordinators = coordinators.about_topic(form.cleaned_data["topic"])
    people = list(
        coordinators.select_related("organization", "account")
        .prefetch_related("municipalities")
        .with_topics()
        .order_by("kana", "pk")
    )
    is_center = can_edit_regions(user)
    scope = user.coordinator_scope
    viewer = Viewer(
        region_id=region.pk if user.is_superuser else user.scope_region_id,
        is_center=is_center,
        coordinator_id=scope.coordinator_id if scope else None,
    )
    meetings = _held_meetings(region.pk)
    shared = shared_with(meetings, viewer.coordinator_id) if viewer.coordinator_id else {}
    attended = coordinator_contacts(meetings, [p.pk for p in people])
    rows = [
        {
            "person": person,
            "is_me": person.pk == viewer.coordinator_id,
            "contact": contact_is_shown(
                viewer=viewer,
                record_id=person.pk,
                record_region_id=person.organization.region_id,
                visibility=person.contact_visibility,
                consent_on=person.contact_consent_on,
            ),
            "shared": shared.get(person.pk),
            "attended": attended[person.pk].meetings_attended,
            "account": account_status(person.account),
        }
        for person in people
    ]
    return render(
        request,
        "meetings/network.html",
        {
            "region": region,
            "regions": regions,
            "form": form,
            "rows": rows,
            "is_center": is_center,
            "is_coordinator": viewer.coordinator_id is not None,
            "held_meetings": len(meetings),
            "filtered": bool(request.GET.get("town") or request.GET.get("topic")),
        },
    )
