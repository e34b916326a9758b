"""The download log in the admin: read-only, scoped like everything else."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from exports.models import ExportLog
from exports.services import ExportKind
from hokenfukushi.admin_scope import ScopedAdminMixin


@admin.register(ExportLog)
class ExportLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "export_label", "region", "parameters"]
    list_filter = ["export", "region"]
    list_select_related = ["user", "region"]
    date_hierarchy = "created_at"
    search_fields = ["user__username", "user__last_name"]

    @admin.display(description=_("出力の種類"), ordering="export")
    def export_label(self, obj: ExportLog) -> str:
        try:
            return str(ExportKind(obj.export).label)
        except ValueError:
            return obj.export

    # A log that can be edited is not a log.
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
