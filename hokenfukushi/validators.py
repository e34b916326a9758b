"""Validators for text the app writes into headers, file names, CSV cells and one-line labels."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Characters that change how text is laid out rather than what it says: line and paragraph
# separators, and the bidirectional overrides that make "txt.exe" read as "exe.txt".
_LAYOUT_CHARACTERS = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_characters(text: str) -> list[str]:
    """The control characters in `text` (C0/C1 controls such as CR, LF, TAB, DEL, and layout
    overrides), each once, in order."""
    found: list[str] = []
    for character in text:
        if (
            unicodedata.category(character) == "Cc" or character in _LAYOUT_CHARACTERS
        ) and character not in found:
            found.append(character)
    return found


@deconstructible
class SingleLineTextValidator:
    """Names and labels are one line of visible text: no CR/LF, tabs or other controls (a name
    with CR/LF broke every export's Content-Disposition, issue 22)."""

    message = "改行・タブなどの制御文字は使えません（%(characters)s）。"
    code = "control_character"

    def __call__(self, value) -> None:
        found = control_characters(str(value))
        if found:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"characters": "、".join(f"U+{ord(c):04X}" for c in found)},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, SingleLineTextValidator)

    def __hash__(self) -> int:
        return hash(type(self))


validate_single_line = SingleLineTextValidator()
