"""Writes made by exports: the download log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from exports.models import ExportLog


class ExportKind(models.TextChoices):
    PREFECTURE = "prefecture", _("県報告用（市町村別の集計表）")
    CASELOAD = "caseload", _("報告データ（縦持ち・分析用）")
    OPEN_DATA = "open_data", _("オープンデータ（秘匿処理済み）")
    ACTIVITY = "activity", _("活動記録（市町村別・四半期別）")
    ACTIVITY_OPEN_DATA = "activity_open_data", _("活動記録オープンデータ（秘匿処理済み）")
    SURVEY_SUMMARY = "survey_summary", _("設置状況（都道府県・圏域・市町村）")


def record_export(*, user, export: ExportKind, parameters: dict[str, object]) -> ExportLog:
    """Who downloaded which export with what parameters; the time is set by the model.

    One INSERT, committed on its own in autocommit before the download starts: an `atomic`
    block around it only added a BEGIN and a COMMIT statement to every download without making
    a single statement any more atomic."""
    return ExportLog.objects.create(
        user=user,
        region_id=user.scope_region_id,
        export=export.value,
        parameters=parameters,
    )
