"""One data version per region (issue 18): a write to one region's rows bumps that region's
counter only, so the other regions' cached pages stay valid.

Every table the dashboard reads carries triggers that find the region of each written row (old
and new, so a row moved between regions bumps both) and bump `DataVersion(region_id=…)`. Rows
of no single region bump region 0, which every page depends on: the regions table itself
(every page lists region names), TRUNCATE, and a row whose region is already gone.

PostgreSQL: statement triggers with transition tables record one DataChange row per region a
statement wrote to; a deferred trigger bumps the counter at commit and deletes the DataChange
row (as in hokenfukushi 0004), so a version never moves before the data it stands for is
visible. SQLite: row triggers bump the counter directly (one writer at a time).

The tables and the paths to their region are written here, not read from the models, because a
migration must not change when the models do; tests/performance/test_data_change_triggers.py
fails if a table the dashboard reads has no trigger."""

import re

from django.db import migrations, models


def _town(column: str) -> str:
    return f"(SELECT region_id FROM hokenfukushi_municipality WHERE id = t.{column})"


def _meeting(column: str) -> str:
    return f"(SELECT region_id FROM meetings_meeting WHERE id = t.{column})"


# table -> the region of a written row `t` (one expression per region it belongs to)
REGION_OF = {
    "hokenfukushi_region": ("0",),
    "hokenfukushi_municipality": ("t.region_id",),
    "hokenfukushi_populationsnapshot": (_town("municipality_id"),),
    "hokenfukushi_council": ("t.region_id",),
    "hokenfukushi_council_municipalities": (
        "(SELECT region_id FROM hokenfukushi_council WHERE id = t.council_id)",
        _town("municipality_id"),
    ),
    "hokenfukushi_localresource": (_town("municipality_id"),),
    "caseload_countreport": (_town("municipality_id"),),
    "coordinators_organization": ("t.region_id",),
    "coordinators_coordinator": (
        "(SELECT region_id FROM coordinators_organization WHERE id = t.organization_id)",
    ),
    "coordinators_coordinator_municipalities": (
        "(SELECT o.region_id FROM coordinators_coordinator c JOIN coordinators_organization o "
        "ON o.id = c.organization_id WHERE c.id = t.coordinator_id)",
        _town("municipality_id"),
    ),
    "meetings_meeting": ("t.region_id",),
    "meetings_attendance": (_meeting("meeting_id"),),
    "meetings_actionitem": (_meeting("raised_at_id"),),
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
BUMP = (
    "INSERT INTO hokenfukushi_dataversion (region_id, version) VALUES ({region}, 1) "
    "ON CONFLICT (region_id) DO UPDATE SET version = hokenfukushi_dataversion.version + 1"
)
OLD_BUMP = (
    "INSERT INTO hokenfukushi_dataversion (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = hokenfukushi_dataversion.version + 1"
)


def _function(table: str) -> str:
    return f"dashboard_data_change_{table}"


def _sqlite_trigger(table: str, operation: str) -> str:
    return f"{table}_data_change_{operation.lower()}"


def _pg_trigger(table: str, operation: str) -> str:
    return f"{table}_data_change_{operation.lower()}"


def _sqlite_body(table: str, operation: str, region_of=REGION_OF) -> str:
    rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[operation]
    return " ".join(
        BUMP.format(region=f"COALESCE({re.sub(r'\bt\.', f'{row}.', expression)}, 0)") + ";"
        for row in rows
        for expression in region_of[table]
    )


def _pg_function(table: str, region_of=REGION_OF) -> str:
    def record(rows: str) -> str:
        return " ".join(
            f"INSERT INTO hokenfukushi_datachange (region_id) "
            f"SELECT DISTINCT COALESCE({expression}, 0) FROM {rows} t;"
            for expression in region_of[table]
        )

    return (
        f"CREATE OR REPLACE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'TRUNCATE' THEN "
        "INSERT INTO hokenfukushi_datachange (region_id) VALUES (0); RETURN NULL; END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {record('new_rows')} END IF; "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {record('old_rows')} END IF; "
        "RETURN NULL; END $$"
    )


def drop_old_triggers(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for table in REGION_OF:
        if vendor == "postgresql":
            run(f'DROP TRIGGER IF EXISTS "{table}_data_change" ON "{table}"')
        else:
            for operation in OPERATIONS:
                run(f'DROP TRIGGER IF EXISTS "{_sqlite_trigger(table, operation)}"')
    if vendor == "postgresql":
        run("DROP FUNCTION IF EXISTS hokenfukushi_record_data_change()")


def create_old_triggers(apps, schema_editor):
    """What hokenfukushi 0003 and 0004 left: one counter for every region at once."""
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            "CREATE FUNCTION hokenfukushi_record_data_change() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN INSERT INTO hokenfukushi_datachange DEFAULT VALUES; RETURN NULL; END $$"
        )
        for table in REGION_OF:
            run(
                f'CREATE TRIGGER "{table}_data_change" AFTER INSERT OR UPDATE OR DELETE OR '
                f'TRUNCATE ON "{table}" FOR EACH STATEMENT '
                "EXECUTE FUNCTION hokenfukushi_record_data_change()"
            )
    else:
        for table in REGION_OF:
            for operation in OPERATIONS:
                run(
                    f'CREATE TRIGGER "{_sqlite_trigger(table, operation)}" AFTER {operation} '
                    f'ON "{table}" BEGIN {OLD_BUMP}; END'
                )


def create_triggers(apps, schema_editor, region_of=REGION_OF, *, bump_function=True):
    """The triggers of the tables in `region_of` (a later migration passes its own tables, and
    leaves the deferred bump function, laid here, alone)."""
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        transitions = {
            "INSERT": "REFERENCING NEW TABLE AS new_rows",
            "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "REFERENCING OLD TABLE AS old_rows",
            "TRUNCATE": "",
        }
        for table in region_of:
            run(_pg_function(table, region_of))
            for operation, referencing in transitions.items():
                run(
                    f'CREATE TRIGGER "{_pg_trigger(table, operation)}" AFTER {operation} '
                    f'ON "{table}" {referencing} FOR EACH STATEMENT '
                    f"EXECUTE FUNCTION {_function(table)}()"
                )
        if bump_function:
            _bump_function(run, BUMP.format(region="NEW.region_id"))
    elif vendor == "sqlite":
        for table in region_of:
            for operation in OPERATIONS:
                run(
                    f'CREATE TRIGGER "{_sqlite_trigger(table, operation)}" AFTER {operation} '
                    f'ON "{table}" BEGIN {_sqlite_body(table, operation, region_of)} END'
                )
    else:
        raise NotImplementedError(f"データ版のトリガーは {vendor} に未対応です")


def drop_triggers(apps, schema_editor, region_of=REGION_OF, *, bump_function=True):
    run = schema_editor.execute
    for table in region_of:
        if schema_editor.connection.vendor == "postgresql":
            for operation in (*OPERATIONS, "TRUNCATE"):
                run(f'DROP TRIGGER IF EXISTS "{_pg_trigger(table, operation)}" ON "{table}"')
            run(f"DROP FUNCTION IF EXISTS {_function(table)}()")
        else:
            for operation in OPERATIONS:
                run(f'DROP TRIGGER IF EXISTS "{_sqlite_trigger(table, operation)}"')
    if schema_editor.connection.vendor == "postgresql" and bump_function:
        _bump_function(run, OLD_BUMP)


def _bump_function(run, bump: str) -> None:
    """The deferred trigger on DataChange (hokenfukushi 0004): at commit, bump and forget."""
    run(
        "CREATE OR REPLACE FUNCTION hokenfukushi_bump_data_version() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {bump}; "
        "DELETE FROM hokenfukushi_datachange WHERE id = NEW.id; RETURN NULL; END $$"
    )


class Migration(migrations.Migration):
    # After every migration that rebuilds one of these tables on SQLite (a rebuild drops the
    # table's triggers, and the older migrations put back the one-counter kind): this one
    # replaces whatever triggers they left.
    dependencies = [
        ("dashboard", "0001_initial"),
        ("hokenfukushi", "0008_merge_house"),
        ("caseload", "0005_merge_scope"),
        ("coordinators", "0006_merge_scope"),
        ("meetings", "0005_merge_cycle"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, create_old_triggers),
        # The old counter row (id 1, every region at once) means nothing per region.
        migrations.RunSQL(
            "DELETE FROM hokenfukushi_dataversion", "DELETE FROM hokenfukushi_dataversion"
        ),
        migrations.RunSQL(
            "DELETE FROM hokenfukushi_datachange", "DELETE FROM hokenfukushi_datachange"
        ),
        migrations.AddField(
            model_name="datachange",
            name="region_id",
            field=models.BigIntegerField(default=0, verbose_name="圏域"),
        ),
        migrations.AddField(
            model_name="dataversion",
            name="region_id",
            field=models.BigIntegerField(default=0, unique=True, verbose_name="圏域"),
            preserve_default=False,
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
