from django import forms
from django.utils.translation import gettext_lazy as _

from coordinators.models import Organization
from meetings.models import ActionStatus, AgendaItem, Meeting, PreQuestion, Reply


class CloseActionForm(forms.Form):
    """Follow-up at a meeting: the carried action was done, or is dropped, with a note."""

    status = forms.ChoiceField(
        label=_("結果"),
        choices=[(ActionStatus.DONE, _("完了")), (ActionStatus.DROPPED, _("取りやめ"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("「完了」か「取りやめ」を選んでください。")},
    )
    note = forms.CharField(
        label=_("結果・メモ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker (shown in the user's time zone, Asia/Tokyo)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingDetailsForm(forms.ModelForm):
    """The meeting's details in the workspace; the model's rules give the field errors
    (終了日時 before 開始, 開催済み before the start)."""

    class Meta:
        model = Meeting
        fields = [
            "starts_at",
            "ends_at",
            "venue",
            "theme",
            "status",
            "question_deadline",
            "reflection",
            "notes",
        ]
        widgets = {
            "starts_at": LocalDateTimeInput(),
            "ends_at": LocalDateTimeInput(),
            "question_deadline": LocalDateTimeInput(),
            "reflection": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


AgendaFormSet = forms.inlineformset_factory(
    Meeting,
    AgendaItem,
    fields=["order", "kind", "title", "presenter", "is_recurring", "minutes"],
    extra=1,
    can_delete=True,
    widgets={
        "order": forms.NumberInput(attrs={"min": 1}),
        "minutes": forms.Textarea(attrs={"rows": 2}),
    },
)


class InviteeForm(forms.Form):
    """Someone the center invites by name and e-mail (行政, 保健所, the guest speaker, …)."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    email = forms.EmailField(
        label=_("メールアドレス"),
        error_messages={"invalid": _("メールアドレスの形式が正しくありません。")},
    )
    organization = forms.ModelChoiceField(
        label=_("所属機関"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("一覧にあれば選んでください（出席の記録に使います）"),
    )
    affiliation = forms.CharField(label=_("所属（一覧にない場合）"), max_length=200, required=False)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(region=region)


class ReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label=_("出欠"),
        choices=[(v, label) for v, label in Reply.choices if v],
        widget=forms.RadioSelect,
        error_messages={"required": _("出席・欠席・未定のいずれかを選んでください。")},
    )
    comment = forms.CharField(
        label=_("コメント（任意）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("事前質問"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("質問を入力してください。")},
    )


class PreQuestionEditForm(forms.ModelForm):
    class Meta:
        model = PreQuestion
        fields = ["text", "answered_by", "answer"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 2}),
        }


class BasePreQuestionFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Only this meeting's agenda can answer its questions; its choices are read once for
        # the whole list, not once per question.
        field = form.fields["answered_by"]
        field.queryset = AgendaItem.objects.filter(meeting=self.instance)
        field.choices = self._agenda_choices(field)

    def _agenda_choices(self, field) -> list:
        if not hasattr(self, "_agenda_choice_list"):
            self._agenda_choice_list = list(field.choices)
        return self._agenda_choice_list


PreQuestionFormSet = forms.inlineformset_factory(
    Meeting,
    PreQuestion,
    form=PreQuestionEditForm,
    formset=BasePreQuestionFormSet,
    extra=0,
    can_delete=True,
)


class MergeQuestionsForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=_("残す質問"), queryset=PreQuestion.objects.none(), empty_label=None
    )
    others = forms.ModelMultipleChoiceField(
        label=_("まとめる質問"),
        queryset=PreQuestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("まとめる質問を選んでください。")},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        questions = PreQuestion.objects.filter(meeting=meeting)
        self.fields["keep"].queryset = questions
        self.fields["others"].queryset = questions
        self.fields["keep"].label_from_instance = _short
        self.fields["others"].label_from_instance = _short


def _short(question: PreQuestion) -> str:
    return question.text[:60]


class AttendanceChecklistForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("出席した方"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (i.pk, f"{i.name}（{i.affiliation_label}）") for i in invitations
        ]
