"""The data versions the dashboard's page cache is keyed on, kept by database triggers.

The tables keep their names from when they lived in the region core (hokenfukushi_datachange,
hokenfukushi_dataversion); dashboard/migrations/0001 took the models over without touching them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataChange(models.Model):
    """A row per statement that wrote to a table the dashboard reads, inserted by database
    triggers (migration 0003), never by the app. On PostgreSQL each row lives only until its
    transaction commits, when a deferred trigger bumps DataVersion and deletes it (migration
    0004); only the writing transaction itself ever sees one."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("データ変更の記録")
        verbose_name_plural = _("データ変更の記録")
        db_table = "hokenfukushi_datachange"
        default_permissions = ()

    def __str__(self) -> str:
        return f"データ変更 #{self.pk}"


class DataVersion(models.Model):
    """One row (id 1): how many committed transactions have written to the dashboard's tables.

    Bumped by database triggers (migration 0004), on PostgreSQL when the writing transaction
    commits, so that the version never moves before the data it stands for is visible; see
    hokenfukushi/dashboard_cache.py: data_version."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("データ版")
        verbose_name_plural = _("データ版")
        db_table = "hokenfukushi_dataversion"
        default_permissions = ()

    def __str__(self) -> str:
        return f"データ版 {self.version}"
