"""`{% translate %}` from hokenfukushi/templatetags/constant_i18n.py must write what Django's
own tag writes, for every form of the tag, and follow the active language."""

from pathlib import Path

import pytest
from django.template import engines
from django.test import override_settings
from django.utils import translation
from django.utils.autoreload import file_changed

from hokenfukushi.templatetags import constant_i18n
from hokenfukushi.templatetags.constant_i18n import ConstantTranslateNode

FORMS = (
    '{% translate "ダッシュボード" %}',
    "{% translate 'Yes' %}",  # in Django's own Japanese catalog: はい
    '{% translate "100%% <b>&" %}',  # percent signs restored, a literal is never escaped
    "{% translate variable %}",
    '{% translate "Yes" noop %}',
    '{% translate "Yes" as yes %}[{{ yes }}]',
    '{% translate "May" context "month name" %}',
    '{% translate "Yes"|upper %}',
    '{% autoescape off %}{% translate "<i>Yes</i>" %}{% endautoescape %}',
)


def _render(libraries: str, text: str, context: dict) -> str:
    return engines["django"].from_string(f"{{% load {libraries} %}}{text}").render(context)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_same_output_as_djangos_tag(form, language):
    context = {"variable": "No <b>"}
    with translation.override(language):
        expected = _render("i18n", form, context)
        for _ in range(2):  # the first render fills the cache, the second reads it
            assert _render("i18n constant_i18n", form, context) == expected


def test_only_a_plain_literal_is_kept():
    source = "{% load i18n constant_i18n %}" + "".join(FORMS)
    nodes = engines["django"].from_string(source).template.nodelist
    kept = [node for node in nodes if isinstance(node, ConstantTranslateNode)]
    assert len(kept) == 3


def test_follows_the_active_language():
    template = engines["django"].from_string("{% load i18n constant_i18n %}{% translate 'Yes' %}")
    for _ in range(2):
        with translation.override("ja"):
            assert template.render({}) == "はい"
        with translation.override("en"):
            assert template.render({}) == "Yes"


def test_forgotten_when_django_drops_its_translations():
    """Tests that change translation settings, and runserver when a .mo file changes, make
    Django reload its catalogs; what was kept from the old ones must go too."""
    template = engines["django"].from_string("{% load i18n constant_i18n %}{% translate 'Yes' %}")
    with translation.override("ja"):
        template.render({})
        assert constant_i18n._rendered
        with override_settings(LOCALE_PATHS=[]):
            assert not constant_i18n._rendered
        template.render({})
        file_changed.send(sender=None, file_path=Path("locale/ja/LC_MESSAGES/django.py"))
        assert constant_i18n._rendered
        file_changed.send(sender=None, file_path=Path("locale/ja/LC_MESSAGES/django.mo"))
        assert not constant_i18n._rendered
