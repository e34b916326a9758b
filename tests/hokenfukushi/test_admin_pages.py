"""Every admin page loads for a superuser on the demo data (changelist, add, change, history)."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    "model_admin", [ma for _m, ma in _registered()], ids=[m._meta.label for m, _ in _registered()]
)
def test_every_admin_page_loads_for_superuser(model_admin, demo, client_for, superuser):
    client = client_for(superuser)
    model = model_admin.model
    info = (model._meta.app_label, model._meta.model_name)
    response = client.get(reverse("admin:%s_%s_changelist" % info))
    assert response.status_code == 200, "changelist"
    if model_admin.has_add_permission(type("R", (), {"user": superuser})()):
        assert client.get(reverse("admin:%s_%s_add" % info)).status_code == 200, "add"
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        for view in ("change", "history"):
            url = reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])
            assert client.get(url).status_code == 200, view
    # the search box and every list filter work together without errors
    if model_admin.search_fields:
        assert (
            client.get(reverse("admin:%s_%s_changelist" % info), {"q": "本庄"}).status_code == 200
        )


def test_admin_index_in_japanese(demo, client_for, superuser):
    response = client_for(superuser).get("/admin/")
    assert "市町村" in response.content.decode()
    assert 'lang="ja"' in response.content.decode()


def test_municipality_list_shows_codes_populations_and_total(demo, client_for):
    from hokenfukushi.models import User

    page = (
        client_for(User.objects.get(username="center"))
        .get("/admin/hokenfukushi/municipality/")
        .content.decode()
    )
    for code, population in [
        ("112119", "76,218"),
        ("113816", "10,592"),
        ("113832", "12,626"),
        ("113859", "30,437"),
    ]:
        assert code in page and population in page
    assert "人口合計（表示中の市町村）: 129,873人" in page
