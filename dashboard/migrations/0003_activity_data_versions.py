"""The activity log (活動記録, issue 19) joins the dashboard's tables: a coordinator's entry
bumps the data version of its region, so a cached dashboard shows the new count at once.

The triggers are those of 0002, laid by its own functions on this one table: an entry belongs to
the region of its coordinator (through the organization) and to that of its town (the same
region; both, as for the coverage table, so an entry moved between towns bumps both).
tests/performance/test_data_change_triggers.py fails if a table the dashboard reads has no
trigger."""

from importlib import import_module

from django.db import migrations

_0002 = import_module("dashboard.migrations.0002_data_versions_per_region")

REGION_OF = {
    "coordinators_activity": (
        "(SELECT o.region_id FROM coordinators_coordinator c JOIN coordinators_organization o "
        "ON o.id = c.organization_id WHERE c.id = t.coordinator_id)",
        _0002._town("municipality_id"),
    ),
}


def create_triggers(apps, schema_editor):
    _0002.create_triggers(apps, schema_editor, REGION_OF, bump_function=False)


def drop_triggers(apps, schema_editor):
    _0002.drop_triggers(apps, schema_editor, REGION_OF, bump_function=False)


class Migration(migrations.Migration):
    # After every migration that rebuilds the activity table on SQLite (a rebuild drops its
    # triggers): the coordinators app's latest.
    dependencies = [
        ("dashboard", "0002_data_versions_per_region"),
        ("coordinators", "0006_merge_scope"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
