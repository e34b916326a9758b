from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hokenfukushi.admin_a11y import LabelledInlineMixin
from hokenfukushi.admin_scope import ScopedModelAdmin, ScopedTabularInline
from hokenfukushi.fiscal import wareki
from meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    PreQuestion,
)
from meetings.services import plan_next_meeting, update_meeting


class AgendaItemInline(LabelledInlineMixin, ScopedTabularInline):
    model = AgendaItem
    extra = 0
    fields = [
        "order",
        "kind",
        "title",
        "presenter",
        "presenter_organization",
        "is_recurring",
        "minutes",
    ]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class AttendanceInline(LabelledInlineMixin, ScopedTabularInline):
    model = Attendance
    extra = 0
    fields = ["coordinator", "organization", "name"]


class ActionItemInline(LabelledInlineMixin, ScopedTabularInline):
    model = ActionItem
    fk_name = "raised_at"
    extra = 0
    fields = ["text", "owner_organization", "owner_name", "due_on", "status", "closed_at"]
    verbose_name_plural = _("次回に向けて（この会議で決めたこと）")


class PreQuestionInline(LabelledInlineMixin, ScopedTabularInline):
    model = PreQuestion
    extra = 0
    fields = ["text", "asked_by", "answered_by", "answer"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only this meeting's agenda can answer its questions.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        meeting_id = request.resolver_match.kwargs.get("object_id")
        if db_field.name == "answered_by" and field is not None:
            field.queryset = field.queryset.filter(meeting_id=meeting_id)
        return field


class InvitationInline(LabelledInlineMixin, ScopedTabularInline):
    """Invitees and their 出欠; sending and 再送 are on the meeting's 招待と出欠 page."""

    model = Invitation
    extra = 0
    fields = ["name", "email", "coordinator", "organization", "status", "reply", "reply_comment"]
    readonly_fields = ["status"]


@admin.register(Meeting)
class MeetingAdmin(ScopedModelAdmin):
    list_display = ["__str__", "region", "starts_at", "status", "theme"]
    list_filter = ["region", "status"]
    search_fields = ["theme", "venue", "reflection"]
    owner_fields = ("region",)
    inlines = [
        AgendaItemInline,
        AttendanceInline,
        ActionItemInline,
        PreQuestionInline,
        InvitationInline,
    ]
    actions = ["plan_next"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region")

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Through the service, so a new date or place raises the calendar version and the
        # invitees who already have the meeting get an update.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        update_meeting(meeting=obj, changes=changes)

    def has_plan_permission(self, request) -> bool:
        # Planning adds a meeting, so it follows the scope rule for adding region-level rows.
        return self.has_add_permission(request)

    @admin.action(description=_("次回の会議を計画する（第N+1回を作成）"), permissions=["plan"])
    def plan_next(self, request, queryset):
        regions = {m.region for m in queryset.editable_by(request.user).select_related("region")}
        if not regions:
            self.message_user(request, _("編集できる会議を選んでください。"), messages.ERROR)
            return
        for region in sorted(regions, key=lambda r: r.pk):
            try:
                meeting = plan_next_meeting(region=region)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(region)s %(meeting)s を予定として作成しました。日時を確認してください。")
                % {"region": region, "meeting": meeting},
                messages.SUCCESS,
            )
            if meeting.date_proposal.moved:
                self.message_user(
                    request,
                    _(
                        "通常の間隔（前回の3か月後）の%(regular)sはすでに過ぎているため、"
                        "4週間以上先の%(day)sを仮の日付にしました。"
                    )
                    % {
                        "regular": wareki(meeting.date_proposal.regular_day),
                        "day": wareki(meeting.date_proposal.day),
                    },
                    messages.WARNING,
                )


@admin.register(ActionItem)
class ActionItemAdmin(ScopedModelAdmin):
    list_display = ["text", "raised_at", "owner_organization", "due_on", "status", "closed_at"]
    list_filter = ["status", "raised_at__region"]
    search_fields = ["text", "owner_name", "closing_note"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("raised_at__region", "owner_organization", "closed_at")
        )
