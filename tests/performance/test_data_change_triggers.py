"""The dashboard's data version comes from database triggers (migration hokenfukushi/0003): every
table the dashboard reads must carry one, or a write there would leave a stale page cached."""

import pytest
from django.db import connection

from caseload.factories import CountReportFactory
from caseload.models import CountReport
from hokenfukushi.dashboard_cache import dashboard_tables, data_version
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
