"""DataChange and DataVersion, taken over from the region core (hokenfukushi 0003, 0004, 0005)
without touching their tables or triggers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("hokenfukushi", "0005_readers_move_out")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataChange",
                    fields=[("id", models.BigAutoField(primary_key=True, serialize=False))],
                    options={
                        "verbose_name": "データ変更の記録",
                        "verbose_name_plural": "データ変更の記録",
                        "db_table": "hokenfukushi_datachange",
                        "default_permissions": (),
                    },
                ),
                migrations.CreateModel(
                    name="DataVersion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("version", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "データ版",
                        "verbose_name_plural": "データ版",
                        "db_table": "hokenfukushi_dataversion",
                        "default_permissions": (),
                    },
                ),
            ],
            database_operations=[],
        )
    ]
