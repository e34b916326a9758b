"""Region admins read their region's audit trail in the admin: the change history of every
domain model (deletions included), each object's history page and the login log; another
region's entries are invisible to them."""

import pytest

from caseload import services
from caseload.factories import CountReportFactory
from hokenfukushi.security.models import LoginEvent, LoginEventKind
from meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

CHANGES = "/admin/security/loginevent/changes/"


@pytest.fixture
def changes(town, far_town, region, other_region, municipal_user, other_region_user):
    """In our region: a report edited by 本庄 staff, another deleted, a meeting; in the other
    region: a report edited by its own staff, and a meeting."""
    municipal_user.last_name = "本庄担当"
    municipal_user.save()
    ours = CountReportFactory(municipality=town)
    services.update_report(
        user=municipal_user,
        report=ours,
        expected_version=1,
        counts={**ours.counts, "smid_children": 5},
        as_of=ours.as_of,
        note="",
    )
    gone = CountReportFactory(municipality=town, as_of=ours.as_of.replace(year=2024))
    gone_pk = gone.pk
    services.delete_draft(user=municipal_user, report=gone)
    theirs = CountReportFactory(municipality=far_town)
    services.update_report(
        user=other_region_user,
        report=theirs,
        expected_version=1,
        counts={**theirs.counts, "smid_children": 6},
        as_of=theirs.as_of,
        note="",
    )
    MeetingFactory(region=region)
    MeetingFactory(region=other_region)
    return ours, gone_pk, theirs


def _rows(response) -> list[tuple]:
    return [
        (c.who, c.kind, c.label_lower, c.object_id, c.exists) for c in response.context["changes"]
    ]


def test_region_admin_reads_the_regions_changes_deletions_included(
    changes, client_for, django_assert_max_num_queries
):
    ours, gone_pk, theirs = changes
    client = client_for("region_admin")
    with django_assert_max_num_queries(40):  # one or two per model, not one per row
        response = client.get(CHANGES)
    assert response.status_code == 200
    rows = _rows(response)
    reports = [row for row in rows if row[2] == "caseload.countreport"]
    assert reports == [
        ("本庄担当（town_t）", "削除", "caseload.countreport", gone_pk, False),
        ("（記録なし: 初期データなど）", "追加", "caseload.countreport", gone_pk, False),
        ("本庄担当（town_t）", "変更", "caseload.countreport", ours.pk, True),
        ("（記録なし: 初期データなど）", "追加", "caseload.countreport", ours.pk, True),
    ]
    assert theirs.pk not in {row[3] for row in reports}
    assert [row[2] for row in rows].count("meetings.meeting") == 1
    page = response.content.decode()
    assert "削除済み" in page and f"/admin/caseload/countreport/{ours.pk}/history/" in page

    # the history page of our report names who changed it (by name); the other region's is
    # not found
    history = client.get(f"/admin/caseload/countreport/{ours.pk}/history/")
    assert history.status_code == 200 and "本庄担当" in history.content.decode()
    assert client.get(f"/admin/caseload/countreport/{theirs.pk}/history/").status_code == 404


def test_filter_by_kind_of_data(changes, client_for):
    response = client_for("region_admin").get(CHANGES, {"model": "meetings.meeting"})
    assert {row[2] for row in _rows(response)} == {"meetings.meeting"}
    # an unknown kind shows everything rather than an error
    everything = client_for("region_admin").get(CHANGES, {"model": "auth.user"})
    assert len(_rows(everything)) > 1


def test_superuser_reads_every_region(changes, superuser, client_for):
    ours, gone_pk, theirs = changes
    rows = _rows(client_for(superuser).get(CHANGES))
    assert {ours.pk, gone_pk, theirs.pk} <= {
        row[3] for row in rows if row[2].startswith("caseload")
    }
    assert [row[2] for row in rows].count("meetings.meeting") == 2


@pytest.mark.parametrize("role", ["municipal_user", "other_region_user"])
def test_staff_who_are_not_region_admins_are_refused(changes, role, client_for):
    assert client_for(role).get(CHANGES).status_code == 403


def test_login_log_lists_only_the_regions_events(
    region, other_region, municipal_user, other_region_user, client_for
):
    for user, user_region in ((municipal_user, region), (other_region_user, other_region)):
        LoginEvent.objects.create(
            kind=LoginEventKind.LOGIN, user=user, username=user.username, region=user_region
        )
    LoginEvent.objects.create(kind=LoginEventKind.FAILURE, username="nobody-known")
    response = client_for("region_admin").get("/admin/security/loginevent/")
    assert response.status_code == 200
    listed = {event.username for event in response.context["cl"].result_list}
    # the region admin's own sign-in (client_for) is in the region too
    assert listed == {municipal_user.username, "center_t"}
    assert "データの変更履歴（削除を含む）" in response.content.decode()
