import pytest
from django.urls import reverse

from exports.services import ExportKind, record_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(region_admin, other_region_user, prefecture_user):
    return {
        "own": record_export(
            user=region_admin, export=ExportKind.PREFECTURE, parameters={"fiscal_year": 2025}
        ),
        "far": record_export(user=other_region_user, export=ExportKind.CASELOAD, parameters={}),
        "pref": record_export(user=prefecture_user, export=ExportKind.OPEN_DATA, parameters={}),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("superuser", {"own", "far", "pref"}),
        ("region_admin", {"own"}),
        ("municipal_user", {"own"}),
        ("other_region_user", {"far"}),
    ],
)
def test_the_download_log_lists_the_users_region_only(client_for, logs, role, visible):
    response = client_for(role).get(reverse("admin:exports_exportlog_changelist"))
    assert response.status_code == 200
    shown = {pk for pk in response.context["cl"].result_list.values_list("pk", flat=True)}
    assert shown == {logs[name].pk for name in visible}
    if "own" in visible:
        assert "県報告用（市町村別の集計表）" in response.content.decode()


def test_a_log_entry_outside_scope_is_404(client_for, logs):
    url = reverse("admin:exports_exportlog_change", args=[logs["far"].pk])
    assert client_for("region_admin").get(url).status_code == 404


@pytest.mark.parametrize("role", ["superuser", "region_admin"])
def test_the_log_cannot_be_added_to_changed_or_deleted(client_for, logs, role):
    client = client_for(role)
    assert client.get(reverse("admin:exports_exportlog_add")).status_code == 403
    own = logs["own"].pk
    response = client.post(
        reverse("admin:exports_exportlog_change", args=[own]), {"export": "caseload"}
    )
    assert response.status_code == 403
    delete = client.post(reverse("admin:exports_exportlog_delete", args=[own]), {"post": "yes"})
    assert delete.status_code == 403
    logs["own"].refresh_from_db()
    assert logs["own"].export == "prefecture"


@pytest.mark.parametrize("role", ["prefecture_user", "anonymous"])
def test_non_staff_are_sent_to_the_admin_login(client_for, logs, role):
    response = client_for(role).get(reverse("admin:exports_exportlog_changelist"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_old_address_of_the_log_leads_to_its_new_one(client_for):
    """The log moved from the region core to the exports app (issue 18): bookmarks of its old
    admin address, list and entries alike, still arrive."""
    client = client_for("region_admin")
    response = client.get("/admin/hokenfukushi/exportlog/?export=caseload")
    assert response.status_code == 302
    changelist = reverse("admin:exports_exportlog_changelist")
    assert response["Location"] == f"{changelist}?export=caseload"
    response = client.get("/admin/hokenfukushi/exportlog/7/change/")
    assert response["Location"] == reverse("admin:exports_exportlog_change", args=[7])
