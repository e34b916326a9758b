"""The dashboard's data version comes from database triggers (migration hokenfukushi/0003): every
table the dashboard reads must carry one, or a write there would leave a stale page cached."""

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
                ["%_data_change"],
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
    assert len(tables) == 13
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
    assert DataVersion.objects.get(pk=1).version >= 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the counter is bumped at commit on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_other_connections_see_the_new_version_only_when_the_write_commits(town, other_connection):
    from django.db import transaction

    def seen_elsewhere() -> tuple:
        other = other_connection()
        try:
            return other.execute("SELECT version FROM hokenfukushi_dataversion").fetchone()
        finally:
            other.close()

    before = seen_elsewhere()
    with transaction.atomic():
        CountReportFactory(municipality=town)
        assert seen_elsewhere() == before  # not yet committed
    assert seen_elsewhere() != before
