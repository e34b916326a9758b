from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

SIX_DIGITS = _("確認コードは半角数字6桁で入力してください。")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("確認コード（6桁）"),
        max_length=6,
        min_length=6,
        strip=True,
        validators=[
            RegexValidator(r"^[0-9]{6}$", _("確認コードは半角数字6桁で入力してください。"))
        ],
        error_messages={
            "required": _("確認コードを入力してください。"),
            "min_length": _("確認コードは半角数字6桁で入力してください。"),
            "max_length": _("確認コードは半角数字6桁で入力してください。"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
