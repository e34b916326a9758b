"""The coordinator's own forms. Plain forms with the model's fields (labels and choices from
the models); the rules and the writes are the services' (coordinators/services.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from coordinators.models import Activity, ActivityKind, ConsultationTopic, Coordinator

ACTIVITY_CHOICE_FIELDS = ("kind", "consulted_by", "method", "person_kind", "continuity", "age_band")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown on the fields it names (on the form when it is not one)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ActivityForm(forms.Form):
    """The quick entry: every field a choice (no names, no free text about a person)."""

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Activity,
                fields=["done_on", *ACTIVITY_CHOICE_FIELDS, "municipality"],
                widgets={
                    "done_on": forms.DateInput(attrs={"type": "date"}),
                    **{name: forms.RadioSelect for name in ACTIVITY_CHOICE_FIELDS},
                },
            )
        )
        self.fields["municipality"].queryset = towns
        self.fields["municipality"].empty_label = None
        self.fields["municipality"].error_messages["invalid_choice"] = _(
            "自分の圏域の市町村を選んでください。"
        )
        for name in ACTIVITY_CHOICE_FIELDS:
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0]]
            field.error_messages["required"] = _("「%(label)s」を選んでください。") % {
                "label": field.label
            }
        self.fields["kind"].initial = ActivityKind.INDIVIDUAL


class ProfileForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("相談できること"),
        choices=ConsultationTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contact_consent = forms.BooleanField(
        label=_("仕事用の連絡先を、選んだ公開範囲で表示することに同意します"),
        required=False,
        help_text=_("同意しない間は、連絡先はどこにも表示されません。"),
    )

    def __init__(self, *args, coordinator: Coordinator, towns, **kwargs):
        initial = {
            "training_fiscal_year": coordinator.training_fiscal_year,
            "experience": coordinator.experience,
            "municipalities": [t.pk for t in coordinator.municipalities.all()],
            "topics": [t.topic for t in coordinator.topics.all()],
            "consultation_other": coordinator.consultation_other,
            "work_email": coordinator.work_email,
            "work_phone": coordinator.work_phone,
            "contact_visibility": coordinator.contact_visibility,
            "contact_consent": coordinator.contact_consent_on is not None,
        }
        super().__init__(*args, initial=initial, **kwargs)
        model_fields = fields_for_model(
            Coordinator,
            fields=[
                "training_fiscal_year",
                "experience",
                "municipalities",
                "consultation_other",
                "work_email",
                "work_phone",
                "contact_visibility",
            ],
            widgets={
                "experience": forms.RadioSelect,
                "municipalities": forms.CheckboxSelectMultiple,
                "contact_visibility": forms.RadioSelect,
            },
        )
        order = ["training_fiscal_year", "experience", "municipalities", "topics"]
        self.fields = {
            **{name: model_fields[name] for name in order if name in model_fields},
            "topics": self.fields["topics"],
            "consultation_other": model_fields["consultation_other"],
            "work_email": model_fields["work_email"],
            "work_phone": model_fields["work_phone"],
            "contact_visibility": model_fields["contact_visibility"],
            "contact_consent": self.fields["contact_consent"],
        }
        self.fields["municipalities"].queryset = towns
        self.fields["municipalities"].required = False
        if coordinator.covers_whole_region:
            self.fields["municipalities"].help_text = _(
                "圏域全体を担当しています（基幹相談支援センターの登録）。特に多く関わる市町村が"
                "あれば選んでください。"
            )
        self.fields["municipalities"].error_messages["invalid_choice"] = _(
            "自分の圏域の市町村だけを選んでください。"
        )
        for name in ("experience", "contact_visibility"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
