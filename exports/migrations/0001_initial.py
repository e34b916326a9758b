"""ExportLog, taken over from the region core (hokenfukushi 0002, 0005) without touching its
table; its content type (and so every permission on it) is renamed to this app."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor, old="hokenfukushi", new="exports"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label=old, model="exportlog"
    ).update(app_label=new)


def restore_content_type(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="exports", new="hokenfukushi")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("hokenfukushi", "0005_readers_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportLog",
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
                        ("export", models.CharField(max_length=50, verbose_name="出力の種類")),
                        (
                            "parameters",
                            models.JSONField(blank=True, default=dict, verbose_name="条件"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                auto_now_add=True, db_index=True, verbose_name="日時"
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="hokenfukushi.region",
                                verbose_name="圏域",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="export_logs",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="利用者",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "出力の記録",
                        "verbose_name_plural": "出力の記録",
                        "db_table": "hokenfukushi_exportlog",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
