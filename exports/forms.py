from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from exports.csv_output import ENCODINGS, UTF8
from hokenfukushi.fiscal import fiscal_year_label


class EncodingForm(forms.Form):
    encoding = forms.ChoiceField(
        label=_("文字コード"),
        choices=list(ENCODINGS.items()),
        initial=UTF8,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_encoding(self) -> str:
        return self.cleaned_data["encoding"] or UTF8


class FiscalYearExportForm(EncodingForm):
    fiscal_year = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        error_messages={
            "invalid_choice": _("%(value)s 年度は選べません。一覧から年度を選んでください。")
        },
    )
    field_order = ["fiscal_year", "encoding"]

    def __init__(self, *args, fiscal_years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [
            (year, f"{fiscal_year_label(year)}（{year}年度）") for year in fiscal_years
        ]
        if fiscal_years:
            self.fields["fiscal_year"].initial = fiscal_years[0]
