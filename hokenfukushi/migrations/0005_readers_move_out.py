"""ExportLog moves to the exports app and DataChange/DataVersion to the dashboard app (issue 18):
the models leave this app's state only; their tables stay as they are, and
exports/migrations/0001 and dashboard/migrations/0001 take them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hokenfukushi", "0004_dataversion")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ExportLog"),
                migrations.DeleteModel(name="DataChange"),
                migrations.DeleteModel(name="DataVersion"),
            ],
            database_operations=[],
        )
    ]
