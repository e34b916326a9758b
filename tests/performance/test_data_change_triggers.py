"""The dashboard's data versions come from database triggers, one counter per region
(dashboard/migrations/0002): every table the dashboard reads must carry them, or a write there
would leave a stale page cached; and a write in one region must move that region's counter
only, or every write would cool every cached page in the country."""

import datetime as dt

import pytest
from django.db import connection

from caseload.factories import CountReportFactory
from caseload.models import CountReport
from dashboard.cache import dashboard_tables, data_version
from hokenfukushi.models import Municipality


def _tables_with_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s",
                ["%_data_change_%"],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE %s",
                ["%_data_change_%"],
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_table_the_dashboard_reads_has_the_trigger():
    tables = set(dashboard_tables())
    assert len(tables) == 14
    missing = tables - _tables_with_triggers()
    assert not missing, f"トリガーのないテーブル: {sorted(missing)}"


@pytest.mark.django_db
def test_raw_sql_and_queryset_updates_change_the_version(town):
    report = CountReportFactory(municipality=town)
    before = data_version()
    CountReport.objects.filter(pk=report.pk).update(smid_children=99)  # no signal, no history
    after_update = data_version()
    assert after_update != before
    with connection.cursor() as cursor:
        table = Municipality._meta.db_table
        cursor.execute(f"UPDATE {table} SET name = %s WHERE id = %s", ["改名町", town.pk])  # noqa: S608
    assert data_version() != after_update


@pytest.mark.django_db
def test_a_write_elsewhere_does_not_change_the_version(town, region_admin):
    before = data_version()
    region_admin.first_name = "変更"
    region_admin.save()
    assert data_version() == before


ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs concurrent writers (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_a_write_that_commits_last_still_changes_the_version(
    client_for, town, region, other_connection
):
    # A slow write (an import, an admin save) starts first; a quick one starts later and commits
    # first. A page read in between must not stay cached once the slow write commits.
    client = client_for("region_admin")
    client.get("/")
    slow = other_connection()
    quick = other_connection()
    try:
        slow.execute(
            "UPDATE hokenfukushi_municipality SET name = %s WHERE id = %s", ["遅町", town.pk]
        )
        quick.execute("UPDATE hokenfukushi_region SET name = name WHERE id = %s", [region.pk])
        quick.commit()
        between = client.get("/").content.decode()
        slow.commit()
        after = client.get("/").content.decode()
    finally:
        slow.close()
        quick.close()
    assert "遅町" not in between
    assert "遅町" in after


@pytest.mark.django_db(transaction=True)
def test_the_version_still_moves_after_the_counter_row_is_gone(town):
    # `flush` (and a restore through it) empties DataVersion; the next write recreates the row.
    from dashboard.models import DataVersion

    DataVersion.objects.all().delete()
    before = data_version()
    CountReportFactory(municipality=town)
    assert data_version() != before
    assert DataVersion.objects.get(region_id=town.region_id).version >= 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the counter is bumped at commit on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_other_connections_see_the_new_version_only_when_the_write_commits(town, other_connection):
    from django.db import transaction

    def seen_elsewhere() -> tuple:
        other = other_connection()
        try:
            return other.execute(
                "SELECT version FROM hokenfukushi_dataversion WHERE region_id = %s",
                [town.region_id],
            ).fetchone()
        finally:
            other.close()

    before = seen_elsewhere()
    with transaction.atomic():
        CountReportFactory(municipality=town)
        assert seen_elsewhere() == before  # not yet committed
    assert seen_elsewhere() != before


def _versions() -> dict[int, int]:
    from dashboard.models import DataVersion

    return dict(DataVersion.objects.values_list("region_id", "version"))


@pytest.mark.django_db(transaction=True)  # counters move at commit on PostgreSQL
def test_a_write_moves_the_counter_of_its_region_only(town, far_town, region, other_region):
    from coordinators.factories import CoordinatorFactory, OrganizationFactory
    from meetings.factories import meeting_on

    def moved(write) -> set[int]:
        before = _versions()
        write()
        after = _versions()
        return {key for key in after if after[key] != before.get(key)}

    report = CountReportFactory(municipality=town)
    assert moved(lambda: CountReport.objects.filter(pk=report.pk).update(smid_children=7)) == {
        region.pk
    }
    assert moved(lambda: CountReportFactory(municipality=far_town)) == {other_region.pk}
    assert moved(lambda: meeting_on(other_region, 1, dt.date(2025, 6, 1))) == {other_region.pk}
    organization = OrganizationFactory(municipality=town)
    coordinator = CoordinatorFactory(organization=organization)
    # A coordinator of one region named for a town of another: both regions' pages show it.
    assert moved(lambda: coordinator.municipalities.add(far_town)) == {
        region.pk,
        other_region.pk,
    }
    # A town moved to another region leaves one region's page and joins the other's.
    assert moved(lambda: Municipality.objects.filter(pk=town.pk).update(region=other_region)) == {
        region.pk,
        other_region.pk,
    }


@pytest.mark.django_db(transaction=True)  # counters move at commit on PostgreSQL
def test_a_write_to_the_regions_themselves_moves_every_page(region, other_region):
    from dashboard.models import EVERY_REGION

    before = _versions()
    region.name = "改名圏域"
    region.save()
    after = _versions()
    assert after[EVERY_REGION] != before.get(EVERY_REGION)


@pytest.mark.django_db
def test_the_version_of_a_page_follows_the_regions_it_shows(
    town, far_town, region, other_region, region_admin, other_region_user, prefecture_user
):
    own, other, everything = (
        data_version(region_admin),
        data_version(other_region_user),
        data_version(prefecture_user),
    )
    picked = data_version(prefecture_user, region=region)
    CountReportFactory(municipality=far_town)
    assert data_version(region_admin) == own
    assert data_version(prefecture_user, region=region) == picked
    assert data_version(other_region_user) != other
    assert data_version(prefecture_user) != everything
