"""The download log: who downloaded which export, with what parameters, when.

The table keeps its name from when the log lived in the region core (hokenfukushi_exportlog);
exports/migrations/0001 took the model over without touching the table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hokenfukushi.models import Region
from hokenfukushi.scope import ScopedQuerySet


class ExportLogQuerySet(ScopedQuerySet):
    """An export is logged against the user's home region (None for prefecture-wide users)."""

    region_path = "region"
    municipality_path = None


class ExportLog(models.Model):
    """Every CSV download: who, which, with what parameters, when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("利用者"),
        on_delete=models.PROTECT,
        related_name="export_logs",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    export = models.CharField(_("出力の種類"), max_length=50)
    parameters = models.JSONField(_("条件"), default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)

    objects = ExportLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("出力の記録")
        verbose_name_plural = _("出力の記録")
        db_table = "hokenfukushi_exportlog"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.export}"
