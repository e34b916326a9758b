"""The data version as a counter bumped when a writing transaction commits.

0003 made the version MAX(DataChange.id). Ids are handed out when a statement runs, not when its
transaction commits: a transaction that wrote first but committed last added nothing above the
maximum another had already set, and a page read in between stayed cached without its change.
Now the counter row is bumped by a trigger deferred to commit (PostgreSQL), so the version moves
exactly when the data it stands for becomes visible; writers take turns only for that one-row
update at commit, after every other lock they take. SQLite has one writer at a time, so its row
triggers bump the counter directly. The counter row is recreated if it is ever missing (after
`flush`)."""

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
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
BUMP = (
    "INSERT INTO hokenfukushi_dataversion (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = hokenfukushi_dataversion.version + 1"
)


def _sqlite_trigger(table: str, operation: str) -> str:
    return f"{table}_data_change_{operation.lower()}"


def _sqlite_triggers(run, body: str) -> None:
    for table in TABLES:
        for operation in OPERATIONS:
            name = _sqlite_trigger(table, operation)
            run(f'DROP TRIGGER IF EXISTS "{name}"')
            run(f'CREATE TRIGGER "{name}" AFTER {operation} ON "{table}" BEGIN {body}; END')


def forwards(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    run("DELETE FROM hokenfukushi_datachange")
    if vendor == "postgresql":
        run(
            "CREATE FUNCTION hokenfukushi_bump_data_version() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {BUMP}; DELETE FROM hokenfukushi_datachange WHERE id = NEW.id; "
            "RETURN NULL; END $$"
        )
        run(
            "CREATE CONSTRAINT TRIGGER hokenfukushi_bump_data_version "
            "AFTER INSERT ON hokenfukushi_datachange DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION hokenfukushi_bump_data_version()"
        )
    elif vendor == "sqlite":
        _sqlite_triggers(run, BUMP)
    else:
        raise NotImplementedError(f"データ版のトリガーは {vendor} に未対応です")


def backwards(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run("DROP TRIGGER IF EXISTS hokenfukushi_bump_data_version ON hokenfukushi_datachange")
        run("DROP FUNCTION IF EXISTS hokenfukushi_bump_data_version()")
    else:
        _sqlite_triggers(run, "INSERT INTO hokenfukushi_datachange (id) VALUES (NULL)")


class Migration(migrations.Migration):
    dependencies = [("hokenfukushi", "0003_datachange")]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "データ版",
                "verbose_name_plural": "データ版",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
