"""Operations later migrations need to keep what earlier ones built.

Kept apart from the models on purpose: a migration must behave the same whatever the models
become, so what is here is plain SQL about tables, not about models."""

from __future__ import annotations

from django.db import migrations

# The body of the data-version triggers on SQLite (hokenfukushi/migrations/0004_dataversion.py).
_BUMP = (
    "INSERT INTO hokenfukushi_dataversion (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = hokenfukushi_dataversion.version + 1"
)


def restore_sqlite_data_version_triggers(*tables: str) -> migrations.RunPython:
    """SQLite adds a CHECK constraint (or alters a column) by rebuilding the table, and the
    rebuild drops the table's triggers, so the dashboard's data version would stop moving on
    writes there. Put the triggers back after such an operation; PostgreSQL keeps them."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for table in tables:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                name = f"{table}_data_change_{operation.lower()}"
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                schema_editor.execute(
                    f'CREATE TRIGGER "{name}" AFTER {operation} ON "{table}" BEGIN {_BUMP}; END'
                )

    return migrations.RunPython(forwards, forwards)
