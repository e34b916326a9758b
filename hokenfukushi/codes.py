"""全国地方公共団体コード (団体コード): five digits plus a mod-11 check digit.

The check digit rule (総務省): multiply the first five digits by 6, 5, 4, 3, 2, take the sum
mod 11, and the check digit is the last digit of 11 minus that remainder (so 10 -> 0, 11 -> 1).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SIX_DIGITS = re.compile(r"[0-9]{6}")
_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    """Return the check digit for the first five digits of a 団体コード."""
    if not re.fullmatch(r"[0-9]{5}", first_five):
        raise ValueError("first_five must be exactly five ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_code(code: str) -> bool:
    return bool(_SIX_DIGITS.fullmatch(code or "")) and check_digit(code[:5]) == int(code[5])


def validate_municipality_code(value: str) -> None:
    if not _SIX_DIGITS.fullmatch(value or ""):
        raise ValidationError(_("団体コードは半角数字6桁で入力してください。"), code="format")
    expected = check_digit(value[:5])
    if int(value[5]) != expected:
        raise ValidationError(
            _("団体コードの検査数字が正しくありません（末尾は %(expected)s になるはずです）。"),
            code="check_digit",
            params={"expected": expected},
        )


def restore_leading_zero(value: str) -> tuple[str, bool]:
    """A code a spreadsheet read as a number and saved without its leading zero (札幌市 011002
    saved as 11002): five ASCII digits whose zero-padded form has a valid check digit come back
    padded, with True. Anything else is returned unchanged, with False (and then fails the
    six-digit rule with its usual message)."""
    if re.fullmatch(r"[0-9]{5}", value or "") and is_valid_code("0" + value):
        return "0" + value, True
    return value, False


def restored_code_message(original: str, code: str) -> str:
    """What the user is told when `restore_leading_zero` gave a code back its zero."""
    return f"団体コード「{original}」は先頭の0が落ちていたため「{code}」として読みました。"


class CodeField(forms.CharField):
    """A 団体コード typed in a form (surrounding spaces dropped; full-width digits are still
    refused by the validator, as before): a code that lost its leading zero (11002 for 札幌市
    011002) is read as the padded code when that one checks (`restore_leading_zero`);
    `restored` is then (typed, code) for the form to say so. Anything else is left to the
    model's validator and its Japanese error."""

    restored: tuple[str, str] | None = None

    def to_python(self, value):
        text = super().to_python(value)
        code, was_restored = restore_leading_zero(text)
        self.restored = (text, code) if was_restored else None
        return code
