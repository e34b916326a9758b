from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import ActionStatus


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
