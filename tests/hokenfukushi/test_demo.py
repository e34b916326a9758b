import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db.models import Sum

from hokenfukushi.models import Municipality, PopulationSnapshot, User


def _snapshot() -> str:
    """Every domain row (history, DataChange and DataVersion excluded: they record *that* a save
    happened)."""
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"hokenfukushi", "coordinators", "meetings", "caseload"}
        and not m.__name__.startswith("Historical")
        and m.__name__ not in {"DataChange", "DataVersion"}
    ]
    rows = []
    for model in models:
        rows.append(
            serializers.serialize(
                "json",
                model.objects.order_by("pk"),
                fields=[
                    f.name
                    for f in model._meta.concrete_fields
                    if f.name not in ("last_login", "password")
                ],
            )
        )
    return "\n".join(rows)


@pytest.mark.django_db
def test_demo_region_matches_the_source():
    call_command("load_demo")
    towns = {m.code: m.name for m in Municipality.objects.filter(region__name="児玉郡市")}
    assert towns == {"112119": "本庄市", "113816": "美里町", "113832": "神川町", "113859": "上里町"}
    assert PopulationSnapshot.objects.aggregate(total=Sum("population"))["total"] == 129873


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    first = _snapshot()
    call_command("load_demo", "--with-users")
    assert _snapshot() == first


@pytest.mark.django_db
def test_demo_users_have_their_roles(settings):
    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    roles = {
        u.username: (u.role, u.municipality and u.municipality.name) for u in User.objects.all()
    }
    assert roles["center"] == (User.Role.REGION_ADMIN, None)
    assert roles["honjo"] == (User.Role.MUNICIPAL, "本庄市")
    assert roles["misato"] == (User.Role.MUNICIPAL, "美里町")
    assert roles["pref"] == (User.Role.PREFECTURE, None)
    assert User.objects.get(username="center").is_staff
    assert not User.objects.get(username="pref").is_superuser


@pytest.mark.django_db
def test_demo_coordinator_account_signs_in_to_its_page(settings):
    from django.test import Client
    from django.utils import timezone

    from coordinators.models import Activity, Coordinator

    settings.DEBUG = True
    call_command("load_demo", "--with-users")
    call_command("load_demo", "--with-users")  # idempotent
    account = User.objects.get(username="coordinator")
    record = account.coordinator_record
    assert account.role == User.Role.COORDINATOR and not account.is_staff
    assert record.organization.kind == "base_center" and "（デモ）" in record.name
    demo = Coordinator.objects.filter(organization__region=record.organization.region)
    assert all(c.work_email.endswith("@kodama-demo.example.jp") for c in demo)
    assert 0 < demo.exclude(contact_consent_on=None).count() < demo.count()
    assert Activity.objects.count() == 5

    client = Client()
    signed_in = client.post(
        "/accounts/login/", {"username": "coordinator", "password": "demo-pass-2025"}
    )
    assert signed_in.status_code == 302
    me = client.get("/me/").text
    assert "第4回" in me and "予定されている会議はまだありません" not in me
    network = client.get("/network/").text
    assert network.count('class="card person') == demo.filter(is_active=True).count() == 16
    assert client.get("/admin/").status_code == 302
    next_meeting = record.organization.region.meetings.planned().get()
    assert next_meeting.starts_at > timezone.now()


@pytest.mark.django_db
def test_demo_users_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", "--with-users")
    assert not User.objects.exists()
