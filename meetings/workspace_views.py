"""The center's meeting workspace in the browser: prepare the next meeting, edit its details
and agenda, invite, follow replies, take attendance, sort 事前質問; plus the invitee's personal
reply page and the meeting's files (.ics, 次第 and 議事録 as .docx).

Reading follows `Meeting.objects.visible_to` (outside it: 404); changing follows `editable_by`
(readable but not editable: 403). Writes go through meetings.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hokenfukushi.models import Region
from meetings import services
from meetings.attendance import reply_table
from meetings.calendar import meetings_calendar
from meetings.delivery import meeting_date_text
from meetings.documents import DOCX_TYPE, MeetingDocument, agenda_docx, minutes_docx
from meetings.forms import (
    AgendaFormSet,
    AttendanceChecklistForm,
    InviteeForm,
    MeetingDetailsForm,
    MergeQuestionsForm,
    PreQuestionFormSet,
    QuestionForm,
    ReplyForm,
)
from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    PreQuestion,
    Reply,
)
from meetings.rules import has_started, questions_open, replies_open
from meetings.views import chosen_region, meeting_breakdown, own_invitation


def readable_meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("region"), pk=pk
    )


def editable_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting if the user may change it; 404 outside the read scope, 403 inside it."""
    meeting = readable_meeting(request, pk)
    if not Meeting.objects.editable_by(request.user).filter(pk=meeting.pk).exists():
        raise PermissionDenied
    return meeting


def _detail_url(meeting: Meeting, anchor: str = "") -> str:
    return reverse("meetings:detail", args=[meeting.pk]) + anchor


@login_required
@require_POST
def prepare_next(request: HttpRequest) -> HttpResponse:
    """「次回の会議を準備する」 on /meetings/ (the region's center)."""
    region, _regions = chosen_region(request)
    if region is None or not Region.objects.editable_by(request.user).filter(pk=region.pk).exists():
        raise PermissionDenied
    try:
        meeting = services.prepare_next_meeting(region=region)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("meetings:list"))
    messages.success(
        request,
        _("%(meeting)sを予定として作成しました。日時・会場・議題を確認してください。")
        % {"meeting": meeting},
    )
    proposal = getattr(meeting, "date_proposal", None)
    if proposal is not None and proposal.moved:
        messages.warning(
            request,
            _("通常の間隔の日付はすでに過ぎているため、4週間以上先の日付を仮に入れました。"),
        )
    return redirect(reverse("meetings:edit", args=[meeting.pk]))


@login_required
def edit_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Details and agenda (with each item's 記録) of one meeting."""
    meeting = editable_meeting(request, pk)
    if request.method == "POST":
        form = MeetingDetailsForm(request.POST, instance=Meeting.objects.get(pk=meeting.pk))
        formset = AgendaFormSet(request.POST, instance=meeting, prefix="agenda")
        if form.is_valid() and formset.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                meeting = services.update_meeting(meeting=meeting, changes=changes)
                services.save_agenda(meeting=meeting, formset=formset)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(meeting)sを保存しました。") % {"meeting": meeting})
                if any(name in changes for name in services.CALENDAR_FIELDS):
                    sent = meeting.invitations.filter(sent_at__isnull=False).count()
                    if sent:
                        messages.info(
                            request,
                            _("招待済みの%(n)s名に変更のお知らせを送ります。") % {"n": sent},
                        )
                return redirect(_detail_url(meeting))
        status = 400
    else:
        form = MeetingDetailsForm(instance=meeting)
        formset = AgendaFormSet(instance=meeting, prefix="agenda")
        status = 200
    return render(
        request,
        "meetings/meeting_edit.html",
        {
            "meeting": meeting,
            "form": form,
            "formset": formset,
            "carried": _carried(meeting),
            "follow_up_title": services.FOLLOW_UP_TITLE,
        },
        status=status,
    )


def _carried(meeting: Meeting) -> list[ActionItem]:
    return list(
        ActionItem.objects.carried_into(meeting)
        .select_related("raised_at", "owner_organization", "closed_at")
        .order_by("raised_at__number", "pk")
    )


def _invitation_rows(meeting: Meeting) -> list[Invitation]:
    return list(
        Invitation.objects.filter(meeting=meeting)
        .select_related("coordinator__organization", "organization")
        .order_by("-coordinator", "name", "pk")
    )


@login_required
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """Invitees with their 送信状況 and 出欠, counts by affiliation, and a form to add someone."""
    meeting = editable_meeting(request, pk)
    form = InviteeForm(request.POST or None, region=meeting.region)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = services.invite(meeting=meeting, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("%(name)sさんを招待者に加えました（まだ送信していません）。")
                    % {"name": invitation.name},
                )
                return redirect(reverse("meetings:invitations", args=[meeting.pk]))
        status = 400
    rows = _invitation_rows(meeting)
    replies = [Reply.ATTENDING, Reply.ABSENT, Reply.UNDECIDED, Reply.NONE]
    table, totals = reply_table(
        ((i.is_coordinator, i.affiliation_label, i.reply) for i in rows), replies
    )
    return render(
        request,
        "meetings/invitations.html",
        {
            "meeting": meeting,
            "invitations": rows,
            "form": form,
            "reply_labels": [Reply(r).label for r in replies],
            "reply_rows": table,
            "reply_totals": totals,
            "due_count": Invitation.objects.filter(meeting=meeting).due().count(),
            "started": has_started(meeting.starts_at, timezone.now()),
        },
        status=status,
    )


@login_required
@require_POST
def add_coordinators(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = editable_meeting(request, pk)
    added = services.add_default_invitees(meeting=meeting)
    messages.success(
        request, _("メールアドレスのあるコーディネーター%(n)s名を加えました。") % {"n": added}
    )
    return redirect(reverse("meetings:invitations", args=[meeting.pk]))


@login_required
@require_POST
def send_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = editable_meeting(request, pk)
    queued = services.send_invitations(meeting=meeting)
    if queued:
        messages.success(
            request,
            _("%(n)s名への送信を受け付けました。送信状況はこのページで確認できます。")
            % {"n": queued},
        )
    else:
        messages.info(request, _("新たに送る招待はありません。"))
    return redirect(reverse("meetings:invitations", args=[meeting.pk]))


@login_required
@require_POST
def resend_invitation(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    meeting = editable_meeting(request, pk)
    invitation = get_object_or_404(Invitation, meeting=meeting, pk=invitation_pk)
    services.resend_invitation(invitation=invitation)
    messages.success(request, _("%(name)sさんに再送します。") % {"name": invitation.name})
    return redirect(reverse("meetings:invitations", args=[meeting.pk]) + "#invitees")


@login_required
def attendance_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """After the meeting: who came, prefilled from the 出席 replies."""
    meeting = editable_meeting(request, pk)
    rows = _invitation_rows(meeting)
    attended_coordinators = set(
        Attendance.objects.filter(meeting=meeting).values_list("coordinator_id", flat=True)
    )
    recorded = Attendance.objects.filter(meeting=meeting).exists()
    initial = [
        i.pk
        for i in rows
        if (i.coordinator_id in attended_coordinators if recorded else i.reply == Reply.ATTENDING)
    ]
    form = AttendanceChecklistForm(
        request.POST or None, invitations=rows, initial={"attended": initial}
    )
    started = has_started(meeting.starts_at, timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            count = services.record_attendance(
                meeting=meeting, invitation_ids=form.cleaned_data["attended"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("出席者%(n)s名を記録しました。") % {"n": count})
            return redirect(_detail_url(meeting, "#attendance-table"))
    return render(
        request,
        "meetings/attendance_checklist.html",
        {
            "meeting": meeting,
            "form": form,
            "started": started,
            "unrecordable": [i for i in rows if not i.coordinator_id and not i.organization_id],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """事前質問: edit, link to the agenda item that answers it, merge, print."""
    meeting = editable_meeting(request, pk)
    queryset = PreQuestion.objects.filter(meeting=meeting).select_related(
        "asked_by", "invitation", "answered_by"
    )
    formset = PreQuestionFormSet(None, instance=meeting, queryset=queryset, prefix="q")
    merge = MergeQuestionsForm(None, meeting=meeting, prefix="merge")
    status = 200
    if request.method == "POST" and "merge-keep" in request.POST:
        merge = MergeQuestionsForm(request.POST, meeting=meeting, prefix="merge")
        if merge.is_valid():
            services.merge_questions(
                keep=merge.cleaned_data["keep"], others=merge.cleaned_data["others"]
            )
            messages.success(request, _("事前質問をまとめました。"))
            return redirect(reverse("meetings:questions", args=[meeting.pk]))
        status = 400
    elif request.method == "POST":
        formset = PreQuestionFormSet(request.POST, instance=meeting, queryset=queryset, prefix="q")
        if formset.is_valid():
            services.save_questions(formset=formset)
            messages.success(request, _("事前質問を保存しました。"))
            return redirect(reverse("meetings:questions", args=[meeting.pk]))
        status = 400
    return render(
        request,
        "meetings/questions.html",
        {
            "meeting": meeting,
            "formset": formset,
            "merge": merge,
            "open": questions_open(meeting.question_deadline, meeting.starts_at, timezone.now()),
        },
        status=status,
    )


@login_required
def questions_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The list of 事前質問 for the speaker, with names (?names=1) or without."""
    meeting = readable_meeting(request, pk)
    return render(
        request,
        "meetings/questions_print.html",
        {
            "meeting": meeting,
            "questions": list(
                PreQuestion.objects.filter(meeting=meeting).select_related(
                    "asked_by", "invitation", "answered_by"
                )
            ),
            "with_names": request.GET.get("names") == "1",
            "date_text": meeting_date_text(meeting),
        },
    )


# --- the invitee's personal link -----------------------------------------------------------


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/reply_invalid.html", status=404)


def reply(request: HttpRequest, token: str) -> HttpResponse:
    """出欠 and 事前質問 through the personal link of the e-mail (no account needed)."""
    invitation = (
        Invitation.objects.select_related("meeting__region").filter(token=token).first()
        if token
        else None
    )
    if invitation is None:
        return _invalid_link(request)
    meeting = invitation.meeting
    now = timezone.now()
    is_open = replies_open(meeting.starts_at, now)
    asking = questions_open(meeting.question_deadline, meeting.starts_at, now)
    reply_form = ReplyForm(
        initial={"reply": invitation.reply or None, "comment": invitation.reply_comment}
    )
    question_form = QuestionForm()
    status = 200
    if request.method == "POST":
        if "text" in request.POST:
            question_form = QuestionForm(request.POST)
            if question_form.is_valid():
                try:
                    services.submit_question(
                        invitation=invitation, text=question_form.cleaned_data["text"], now=now
                    )
                except ValidationError as error:
                    question_form.add_error(None, error)
                else:
                    messages.success(request, _("事前質問を受け付けました。ありがとうございます。"))
                    return redirect(reverse("meetings:reply", args=[token]))
        else:
            reply_form = ReplyForm(request.POST)
            if _save_reply(reply_form, invitation, now=now):
                messages.success(request, _("ご回答を受け付けました。ありがとうございます。"))
                return redirect(reverse("meetings:reply", args=[token]))
        status = 400
    return render(
        request,
        "meetings/reply.html",
        {
            "invitation": invitation,
            "meeting": meeting,
            "date_text": meeting_date_text(meeting),
            "agenda": list(AgendaItem.objects.filter(meeting=meeting)),
            "reply_form": reply_form,
            "question_form": question_form,
            "replies_open": is_open,
            "questions_open": asking,
            "my_questions": list(invitation.pre_questions.all()),
        },
        status=status,
    )


def _save_reply(form: ReplyForm, invitation: Invitation, now=None) -> bool:
    """Record a valid reply through the service; False (errors on the form) otherwise."""
    if not form.is_valid():
        return False
    try:
        services.record_reply(
            invitation=invitation,
            reply=form.cleaned_data["reply"],
            comment=form.cleaned_data["comment"],
            now=now,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
@require_POST
def my_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in coordinator answers on the meeting page (their own invitation only)."""
    meeting = readable_meeting(request, pk)
    invitation = own_invitation(request.user, meeting)
    if invitation is None:
        raise PermissionDenied
    form = ReplyForm(request.POST)
    if _save_reply(form, invitation):
        messages.success(request, _("ご回答を受け付けました。"))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_detail_url(meeting, "#my-reply"))


# --- files ---------------------------------------------------------------------------------


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = readable_meeting(request, pk)
    body = meetings_calendar(
        [meeting],
        name=f"{meeting.region} {meeting} 医ケアコーディネーター連絡会議",
        base_url=request.build_absolute_uri("/")[:-1],
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def _document_facts(meeting: Meeting) -> MeetingDocument:
    return MeetingDocument(
        meeting=meeting,
        date_text=meeting_date_text(meeting),
        agenda=list(AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk")),
        carried=_carried(meeting),
        raised=list(
            ActionItem.objects.filter(raised_at=meeting).select_related("owner_organization")
        ),
        breakdown=meeting_breakdown(meeting),
        follow_up_title=services.FOLLOW_UP_TITLE,
    )


def _docx_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def agenda_document(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = readable_meeting(request, pk)
    return _docx_response(agenda_docx(_document_facts(meeting)), f"agenda-{meeting.pk}.docx")


@login_required
def minutes_document(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = readable_meeting(request, pk)
    return _docx_response(minutes_docx(_document_facts(meeting)), f"minutes-{meeting.pk}.docx")
