"""The quarterly coordinators' meeting (第N回 医ケアコーディネーター連絡会議) and its follow-up."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coordinators.models import Coordinator, Organization
from hokenfukushi.constraints import ConstraintErrorsOnFields
from hokenfukushi.fiscal import (
    FIRST_SUPPORTED_DATE,
    check_supported_date,
    fiscal_year_bounds,
    wareki,
)
from hokenfukushi.models import Region
from hokenfukushi.scope import ScopedQuerySet
from hokenfukushi.validators import validate_single_line
from meetings.rules import has_started

ENDS_BEFORE_START = _("終了日時は開始の日時より後にしてください。")

FIRST_SUPPORTED_MEETING_START = dt.datetime.combine(
    FIRST_SUPPORTED_DATE, dt.time(0), tzinfo=ZoneInfo("Asia/Tokyo")
)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("予定")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class MeetingQuerySet(ScopedQuerySet):
    region_path = "region"
    municipality_path = None

    def held(self):
        return self.filter(status=MeetingStatus.HELD)

    def planned(self):
        return self.filter(status=MeetingStatus.PLANNED)

    def for_fiscal_year(self, fiscal_year: int):
        start, end = fiscal_year_bounds(fiscal_year)
        return self.filter(starts_at__date__gte=start, starts_at__date__lte=end)

    def in_date_order(self):
        return self.order_by("starts_at", "pk")

    def upcoming(self, now: dt.datetime | None = None):
        """Planned meetings not yet started, soonest first (the dashboard's "next meeting")."""
        return self.planned().filter(starts_at__gte=now or timezone.now()).in_date_order()


class Meeting(ConstraintErrorsOnFields, models.Model):
    region = models.ForeignKey(
        Region, verbose_name=_("圏域"), on_delete=models.PROTECT, related_name="meetings"
    )
    number = models.PositiveSmallIntegerField(_("回"), help_text=_("第N回の N"))
    starts_at = models.DateTimeField(_("日時"), validators=[check_supported_date])
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    venue = models.CharField(
        _("会場"), max_length=200, blank=True, validators=[validate_single_line]
    )
    theme = models.CharField(
        _("テーマ"), max_length=200, blank=True, validators=[validate_single_line]
    )
    status = models.CharField(
        _("状況"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    reflection = models.TextField(_("振り返り"), blank=True)
    notes = models.TextField(_("備考"), blank=True)
    question_deadline = models.DateTimeField(
        _("事前質問の締切"),
        null=True,
        blank=True,
        help_text=_("空欄なら事前質問は受け付けません"),
    )
    calendar_sequence = models.PositiveIntegerField(
        _("予定の版"),
        default=0,
        editable=False,
        help_text=_("日時・会場・中止を変えるたびに 1 増え、招待状の .ics の SEQUENCE になります"),
    )

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {
        "duplicate_meeting_number": "number",
        "meeting_number_not_positive": "number",
        "ends_before_start": "ends_at",
        "unsupported_date": "starts_at",
    }

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["region", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"],
                name="meeting_number_per_region",
                violation_error_code="duplicate_meeting_number",
                violation_error_message=_("この圏域には同じ回の会議がすでにあります。"),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="meeting_number_positive",
                violation_error_code="meeting_number_not_positive",
                violation_error_message=_("回は1以上の整数で入力してください。"),
            ),
            # From the first supported day, 0:00 in Tokyo; the upper bound (end of next fiscal
            # year) moves with today, so the form checks it (check_supported_date), not this.
            models.CheckConstraint(
                condition=Q(starts_at__gte=FIRST_SUPPORTED_MEETING_START),
                name="meeting_starts_on_a_supported_date",
                violation_error_code="unsupported_date",
                violation_error_message=f"会議の日時は{wareki(FIRST_SUPPORTED_DATE)}以降にしてください。",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=ENDS_BEFORE_START,
            ),
        ]
        indexes = [models.Index(fields=["region", "starts_at"])]

    def __str__(self) -> str:
        return f"第{self.number}回"

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Meeting:
        """The meeting of a row read as plain values (field attname -> value): only those fields
        loaded, the others deferred (read if ever asked for), as `.only()` would give it. For
        pages that read many meetings as rows and show a few of them as meetings."""
        names = [f.attname for f in cls._meta.concrete_fields if f.attname in values]
        return cls.from_db(cls.objects.db, names, [values[name] for name in names])

    def clean(self) -> None:
        super().clean()
        # (終了 before 開始 is the check constraint's, reported on ends_at: constraint_error_fields)
        if (
            self.starts_at
            and self.status == MeetingStatus.HELD
            and not has_started(self.starts_at, timezone.now())
        ):
            raise ValidationError(
                {
                    "status": ValidationError(
                        _("開始日時を過ぎていない会議は「開催済み」にできません。"),
                        code="held_too_early",
                    )
                }
            )

    @property
    def local_starts_at(self) -> dt.datetime:
        return timezone.localtime(self.starts_at)

    @property
    def held_on(self) -> dt.date:
        """The meeting's date in the region's time zone (Asia/Tokyo)."""
        return self.local_starts_at.date()


class AgendaKind(models.TextChoices):
    LECTURE = "lecture", _("講義")
    TERMINOLOGY = "terminology", _("用語の勉強")
    CASE_REVIEW = "case_review", _("事例検討")
    DISCUSSION = "discussion", _("協議・意見交換")
    REPORT = "report", _("報告")
    FACILITY_VISIT = "facility_visit", _("施設見学")
    OTHER = "other", _("その他")


class AgendaItemQuerySet(ScopedQuerySet):
    region_path = "meeting__region"
    municipality_path = None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    kind = models.CharField(_("種類"), max_length=20, choices=AgendaKind.choices)
    title = models.CharField(_("議題"), max_length=200, validators=[validate_single_line])
    presenter = models.CharField(
        _("発表者・講師"), max_length=200, blank=True, validators=[validate_single_line]
    )
    presenter_organization = models.ForeignKey(
        Organization,
        verbose_name=_("講師の所属"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text=_("圏域外の講師（地域センターたいよう など）も選べます"),
    )
    is_recurring = models.BooleanField(
        _("毎回行う"), default=False, help_text=_("次回の会議を作るときに引き継ぎます")
    )
    minutes = models.TextField(_("記録"), blank=True)

    objects = AgendaItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("議題")
        verbose_name_plural = _("議題")
        ordering = ["meeting", "order", "pk"]

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True)
class AttendanceFact:
    """One attendance as plain values: who (coordinator or not) from which kind of organization."""

    meeting_id: int
    coordinator_id: int | None
    organization_id: int
    kind: str
    field: str


class AttendanceQuerySet(ScopedQuerySet):
    region_path = "meeting__region"
    municipality_path = None

    def coordinators(self):
        return self.filter(coordinator__isnull=False)

    def others(self):
        return self.filter(coordinator__isnull=True)

    def facts(self) -> list[AttendanceFact]:
        """Every attendance in one query, with the organization that counts for it (the
        coordinator's own organization, or the organization given for another participant)."""
        rows = self.values_list(
            "meeting_id",
            "coordinator_id",
            "coordinator__organization_id",
            "coordinator__organization__kind",
            "coordinator__organization__field",
            "organization_id",
            "organization__kind",
            "organization__field",
        ).order_by()
        return [
            AttendanceFact(
                meeting_id=meeting_id,
                coordinator_id=coordinator_id,
                organization_id=c_org if coordinator_id else o_org,
                kind=c_kind if coordinator_id else o_kind,
                field=c_field if coordinator_id else o_field,
            )
            for meeting_id, coordinator_id, c_org, c_kind, c_field, o_org, o_kind, o_field in rows
        ]


class Attendance(ConstraintErrorsOnFields, models.Model):
    """Who came: a coordinator, or another participant given by organization (optional name)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="attendances"
    )
    coordinator = models.ForeignKey(
        Coordinator,
        verbose_name=_("コーディネーター"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        help_text=_("コーディネーター以外の参加者の所属"),
    )
    name = models.CharField(
        _("氏名（任意）"), max_length=100, blank=True, validators=[validate_single_line]
    )

    objects = AttendanceQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {
        "coordinator_or_organization": "coordinator",
        "coordinator_attends_twice": "coordinator",
    }

    class Meta:
        verbose_name = _("参加者")
        verbose_name_plural = _("参加者")
        constraints = [
            models.CheckConstraint(
                condition=Q(coordinator__isnull=False, organization__isnull=True)
                | Q(coordinator__isnull=True, organization__isnull=False),
                name="attendance_is_coordinator_or_organization",
                violation_error_code="coordinator_or_organization",
                violation_error_message=_(
                    "コーディネーターか、コーディネーター以外の参加者の所属機関のどちらか一方を選んでください。"
                ),
            ),
            models.UniqueConstraint(
                fields=["meeting", "coordinator"],
                condition=Q(coordinator__isnull=False),
                name="coordinator_attends_once",
                violation_error_code="coordinator_attends_twice",
                violation_error_message=_("このコーディネーターはすでに参加者に登録されています。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.coordinator or self.name or self.organization)


class ActionStatus(models.TextChoices):
    OPEN = "open", _("未完了")
    DONE = "done", _("完了")
    DROPPED = "dropped", _("取りやめ")


class ActionProgress(models.TextChoices):
    """The owner's own report between meetings (the center closes the item at a meeting)."""

    NOT_STARTED = "not_started", _("未着手")
    IN_PROGRESS = "in_progress", _("進行中")
    READY = "ready", _("次回の会議で報告できる")


def _past_due(today: dt.date) -> Q:
    """Its 期限 has passed: due before `today`."""
    return Q(due_on__lt=today)


def _raised_before(days: int, today: dt.date) -> Q:
    """Raised at a meeting that started before the day `days` days before `today` (0:00 there)."""
    since = dt.datetime.combine(
        today - dt.timedelta(days=days), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    return Q(raised_at__starts_at__lt=since)


class ActionItemQuerySet(ScopedQuerySet):
    region_path = "raised_at__region"
    municipality_path = None
    # a coordinator account updates the progress of items its organization owns
    organization_path = "owner_organization"

    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def overdue(self, today: dt.date):
        """Open items whose 期限 has passed (due before `today`)."""
        return self.open().filter(_past_due(today))

    def open_longer_than(self, days: int, today: dt.date):
        """Open items raised at a meeting held more than `days` days before `today` (次回に向けて
        left open for months), whatever their 期限."""
        return self.open().filter(_raised_before(days, today))

    def overdue_or_open_longer_than(self, days: int, today: dt.date):
        """`overdue(today) | open_longer_than(days, today)` as one condition: the same rows, and
        one filter to build instead of two querysets and their union."""
        return self.open().filter(_past_due(today) | _raised_before(days, today))

    def carried_into(self, meeting: Meeting):
        """Items raised at an earlier meeting of the region that were still open when `meeting`
        took place: open now, or closed at this meeting or a later one."""
        return self.filter(
            raised_at__region_id=meeting.region_id, raised_at__number__lt=meeting.number
        ).filter(Q(status=ActionStatus.OPEN) | Q(closed_at__number__gte=meeting.number))


OPEN_ACTION_CLOSED = _("未完了のアクションには「完了を確認した会議」を指定できません。")


class ActionItem(ConstraintErrorsOnFields, models.Model):
    """次回に向けて: something decided at one meeting and followed up at a later one."""

    raised_at = models.ForeignKey(
        Meeting,
        verbose_name=_("提起した会議"),
        on_delete=models.CASCADE,
        related_name="actions_raised",
    )
    text = models.CharField(_("内容"), max_length=300, validators=[validate_single_line])
    owner_organization = models.ForeignKey(
        Organization,
        verbose_name=_("担当機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    owner_name = models.CharField(
        _("担当者"), max_length=100, blank=True, validators=[validate_single_line]
    )
    due_on = models.DateField(_("期限"), null=True, blank=True)
    status = models.CharField(
        _("状況"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_at = models.ForeignKey(
        Meeting,
        verbose_name=_("完了を確認した会議"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions_closed",
    )
    closing_note = models.TextField(_("結果・メモ"), blank=True)
    progress = models.CharField(
        _("進み具合"),
        max_length=20,
        choices=ActionProgress.choices,
        default=ActionProgress.NOT_STARTED,
    )
    progress_note = models.CharField(_("進み具合のメモ"), max_length=300, blank=True)

    objects = ActionItemQuerySet.as_manager()
    history = HistoricalRecords()
    constraint_error_fields = {"open_action_closed": "closed_at"}

    class Meta:
        verbose_name = _("次回に向けて（アクション）")
        verbose_name_plural = _("次回に向けて（アクション）")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | ~Q(status="open"),
                name="open_action_not_closed",
                violation_error_code="open_action_closed",
                violation_error_message=OPEN_ACTION_CLOSED,
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self):
        super().clean()
        if self.status == ActionStatus.OPEN and self.closed_at_id:
            raise ValidationError({"closed_at": OPEN_ACTION_CLOSED})
        if self.closed_at_id and self.raised_at_id:
            raised, closed = self.raised_at, self.closed_at
            if closed.region_id != raised.region_id:
                raise ValidationError(
                    {"closed_at": _("提起した会議と同じ圏域の会議を選んでください。")}
                )
            if closed.number < raised.number:
                raise ValidationError(
                    {
                        "closed_at": _("提起した会議（%(raised)s）より前の会議は選べません。")
                        % {"raised": raised}
                    }
                )


class PreQuestionQuerySet(ScopedQuerySet):
    region_path = "meeting__region"
    municipality_path = None


class PreQuestion(models.Model):
    """事前質問: collected before a guest lecture, answered by an agenda item."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="pre_questions"
    )
    text = models.TextField(_("質問"))
    asked_by = models.ForeignKey(
        Coordinator,
        verbose_name=_("質問者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pre_questions",
    )
    answered_by = models.ForeignKey(
        AgendaItem,
        verbose_name=_("回答した議題"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    answer = models.TextField(_("回答の要旨"), blank=True)
    invitation = models.ForeignKey(
        "Invitation",
        verbose_name=_("送った招待者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pre_questions",
        help_text=_("招待状のリンクから送られた質問"),
    )

    objects = PreQuestionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("事前質問")
        verbose_name_plural = _("事前質問")
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def asker_name(self) -> str:
        if self.asked_by_id:
            return self.asked_by.name
        return self.invitation.name if self.invitation_id else ""


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("未送信")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("失敗")


class Reply(models.TextChoices):
    NONE = "", _("未回答")
    ATTENDING = "attending", _("出席")
    ABSENT = "absent", _("欠席")
    UNDECIDED = "undecided", _("未定")


def new_reply_token() -> str:
    return secrets.token_urlsafe(24)


class InvitationQuerySet(ScopedQuerySet):
    region_path = "meeting__region"
    municipality_path = None

    def due(self, now: dt.datetime | None = None):
        """Invitations the meeting's current version has not reached yet: never sent, or sent
        before a change (sequence behind the meeting's), and not waiting for a later retry.
        A permanent failure (address rejected) waits for the center's 再送."""
        now = now or timezone.now()
        waiting = Q(status=InvitationStatus.FAILED) & (
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__gt=now)
        )
        behind = Q(sent_sequence__isnull=True) | Q(
            sent_sequence__lt=models.F("meeting__calendar_sequence")
        )
        return self.filter(behind).exclude(waiting)

    def awaiting_reminder(self):
        """Sent, still coming or not answered, not yet reminded."""
        return self.filter(
            status=InvitationStatus.SENT,
            reminded_at__isnull=True,
            reply__in=[Reply.ATTENDING, Reply.NONE],
        )


class Invitation(ConstraintErrorsOnFields, models.Model):
    """One person invited to one meeting: the e-mail's delivery state and their 出欠."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="invitations"
    )
    coordinator = models.ForeignKey(
        Coordinator,
        verbose_name=_("コーディネーター"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属機関"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_("コーディネーター以外の方の所属（出席の記録に使います）"),
    )
    name = models.CharField(_("氏名"), max_length=100)
    email = models.EmailField(_("メールアドレス"))
    affiliation = models.CharField(_("所属"), max_length=200, blank=True)
    status = models.CharField(
        _("送信状況"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    failure_reason = models.CharField(_("失敗の理由"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("送信を試みた回数"), default=0)
    next_attempt_at = models.DateTimeField(_("次に試す日時"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    sent_sequence = models.PositiveIntegerField(_("送った予定の版"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("リマインダー送信日時"), null=True, blank=True)
    token = models.CharField(
        _("返信用リンクの鍵"), max_length=64, unique=True, default=new_reply_token, editable=False
    )
    reply = models.CharField(
        _("出欠"), max_length=20, choices=Reply.choices, default=Reply.NONE, blank=True
    )
    reply_comment = models.TextField(_("出欠のコメント"), blank=True)
    replied_at = models.DateTimeField(_("回答日時"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token"])
    constraint_error_fields = {
        "email_invited_twice": "email",
        "coordinator_invited_twice": "coordinator",
        "sent_without_time": "sent_at",
    }

    class Meta:
        verbose_name = _("招待")
        verbose_name_plural = _("招待")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"],
                name="invitation_email_once_per_meeting",
                violation_error_code="email_invited_twice",
                violation_error_message=_("このメールアドレスはすでに招待されています。"),
            ),
            models.UniqueConstraint(
                fields=["meeting", "coordinator"],
                condition=Q(coordinator__isnull=False),
                name="coordinator_invited_once",
                violation_error_code="coordinator_invited_twice",
                violation_error_message=_("このコーディネーターはすでに招待されています。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="sent_invitation_has_sent_at",
                violation_error_message=_("送信済みの招待には送信日時が必要です。"),
                violation_error_code="sent_without_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.name}"

    @property
    def affiliation_label(self) -> str:
        if self.coordinator_id:
            return self.coordinator.organization.affiliation
        if self.organization_id:
            return self.organization.affiliation
        return self.affiliation or "その他"

    @property
    def is_coordinator(self) -> bool:
        return self.coordinator_id is not None
