"""The dashboard is rendered without number localization (see views.render_text): that
must never change a byte of the page. Every page is rendered both ways in the same request."""

import re

import pytest
from django.template.loader import render_to_string

from benchmarks.synthetic import generate_synthetic
from dashboard import views
from hokenfukushi.factories import (
    MunicipalStaffFactory,
    PrefectureViewerFactory,
    RegionAdminFactory,
)
from hokenfukushi.models import Municipality, Region

# {% csrf_token %} masks the secret afresh on every call; the secret is the same.
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.mark.django_db
def test_the_dashboard_is_byte_identical_to_djangos_localized_render(monkeypatch, client):
    pages = []

    def both(request, template_name, context, **kwargs):
        ours = views_render_text(request, template_name, context, **kwargs)
        localized = render_to_string(template_name, context, request)
        pages.append((ours, localized))
        return ours

    views_render_text = views.render_text
    monkeypatch.setattr(views, "render_text", both)
    generate_synthetic(regions=3, towns=12, years=3)
    region = Region.objects.filter(is_synthetic=True).order_by("pk").first()
    users = [
        RegionAdminFactory(region=region),
        MunicipalStaffFactory(municipality=Municipality.objects.filter(region=region).first()),
        PrefectureViewerFactory(),
    ]
    for user in users:
        client.force_login(user)
        for params in ({}, {"gaps": "any"}, {"region": region.pk}, {"fiscal_year": 2020}):
            assert client.get("/", params).status_code == 200
    assert len(pages) == 12
    for ours, localized in pages:
        assert "data-town=" in ours
        assert CSRF.sub("", ours) == CSRF.sub("", localized)
