"""Database triggers that record every write to the tables the dashboard reads in DataChange.

The tables are listed here, not read from the models, because a migration must not change when
the models do; `tests/performance/test_data_change_triggers.py` fails if a table the dashboard
reads has no trigger. On PostgreSQL one row per statement (TRUNCATE included), on SQLite, which
has only row triggers, one row per written row."""

from django.db import migrations, models

TABLES = (
    "hokenfukushi_region",
    "hokenfukushi_municipality",
    "hokenfukushi_populationsnapshot",
    "hokenfukushi_council",
    "hokenfukushi_council_municipalities",
    "hokenfukushi_localresource",
    "caseload_countreport",
    "coordinators_organization",
    "coordinators_coordinator",
    "coordinators_coordinator_municipalities",
    "meetings_meeting",
    "meetings_attendance",
    "meetings_actionitem",
)
FUNCTION = "hokenfukushi_record_data_change"


def _trigger(table: str, operation: str = "") -> str:
    return f"{table}_data_change{operation and '_' + operation.lower()}"


def create_sqlite_triggers(schema_editor, tables) -> None:
    """SQLite's row triggers. Also used by later migrations: to add some columns SQLite rebuilds
    the table, and the rebuilt table has lost its triggers (IF NOT EXISTS: harmless when not)."""
    for table in tables:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            schema_editor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{_trigger(table, operation)}" AFTER {operation} '
                f'ON "{table}" BEGIN INSERT INTO hokenfukushi_datachange (id) VALUES (NULL); END'
            )


def create_triggers(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN INSERT INTO hokenfukushi_datachange DEFAULT VALUES; RETURN NULL; END $$"
        )
        for table in TABLES:
            run(
                f'CREATE TRIGGER "{_trigger(table)}" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
            )
    elif schema_editor.connection.vendor == "sqlite":
        create_sqlite_triggers(schema_editor, TABLES)
    else:
        raise NotImplementedError(
            f"データ変更の記録用トリガーは {schema_editor.connection.vendor} に未対応です"
        )


def drop_triggers(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f'DROP TRIGGER IF EXISTS "{_trigger(table)}" ON "{table}"')
        run(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    else:
        for table in TABLES:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                run(f'DROP TRIGGER IF EXISTS "{_trigger(table, operation)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("hokenfukushi", "0002_council_exportlog_historicalcouncil_and_more"),
        ("caseload", "0003_reopen_reason"),
        ("coordinators", "0003_profession_text_only_for_other"),
        ("meetings", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataChange",
            fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
            options={
                "verbose_name": "データ変更の記録",
                "verbose_name_plural": "データ変更の記録",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
