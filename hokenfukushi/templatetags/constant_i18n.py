"""`{% translate "a literal" %}` translated once per language instead of on every render.

Load it after i18n (`{% load i18n constant_i18n %}`): the later library's `translate` wins, and
makemessages still finds the strings (it reads the tag's name, not the library). Every other
form of the tag (a variable, filters, `noop`, `as`, `context`) stays Django's own node.

Why: Django's node builds a lazy string on every render and turns it back into text through the
active translation, escaping and the lazy-argument checks; the dashboard and its base page have
~70 such tags, which was about a quarter of rendering a 4-town region's dashboard. The output
depends only on the literal, the active language and autoescaping, so the first render for a
language is kept (by Django's own node, so the bytes are its bytes) and reused.
"""

from __future__ import annotations

from pathlib import Path

from django import template
from django.core.signals import setting_changed
from django.template.base import Node, Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.autoreload import file_changed
from django.utils.translation import get_language

register = template.Library()

# (literal, language, autoescape) -> the rendered text. Cleared whenever Django drops its own
# translation caches: translation settings changed (tests) or a .mo file changed (runserver).
_rendered: dict[tuple[str, str | None, bool], str] = {}


class ConstantTranslateNode(Node):
    child_nodelists = ()

    def __init__(self, node: TranslateNode, literal: str) -> None:
        self.node = node
        self.literal = literal

    def render(self, context: template.Context) -> str:
        key = (self.literal, get_language(), context.autoescape)
        try:
            return _rendered[key]
        except KeyError:
            text = _rendered[key] = self.node.render(context)
            return text


@register.tag("translate")
def translate(parser: template.base.Parser, token: template.base.Token) -> Node:
    node = do_translate(parser, token)
    expression = node.filter_expression
    if (
        isinstance(node, TranslateNode)
        and not (node.noop or node.asvar or node.message_context or expression.filters)
        and isinstance(expression.var, Variable)
        and expression.var.lookups is None
        and isinstance(expression.var.literal, str)
    ):
        return ConstantTranslateNode(node, expression.var.literal)
    return node


def _forget_on_setting(*, setting: str, **kwargs: object) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"}:
        _rendered.clear()


def _forget_on_file(*, file_path: Path, **kwargs: object) -> None:
    if Path(file_path).suffix == ".mo":
        _rendered.clear()


setting_changed.connect(_forget_on_setting, dispatch_uid="constant_i18n_setting")
file_changed.connect(_forget_on_file, dispatch_uid="constant_i18n_file")
