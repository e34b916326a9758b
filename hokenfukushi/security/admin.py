from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from hokenfukushi.admin_scope import ScopedAdminMixin
from hokenfukushi.security import audit
from hokenfukushi.security.models import LoginEvent


@admin.register(LoginEvent)
class LoginEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only trail; region admins read their region's, superusers everyone's."""

    list_display = ["created_at", "kind", "username", "user", "region", "ip_address"]
    list_filter = ["kind", "region"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "region"]
    readonly_fields = [f.name for f in LoginEvent._meta.fields]
    change_list_template = "admin/security/loginevent/change_list.html"

    def _reads_trail(self, request) -> bool:
        return audit.reads_audit_trail(request.user)

    def get_urls(self):
        return [
            path(
                "changes/",
                self.admin_site.admin_view(self.change_history_view),
                name="security_change_history",
            ),
            *super().get_urls(),
        ]

    def change_history_view(self, request):
        """Every domain model's change history in one list (the region's, for a region admin)."""
        if not self._reads_trail(request):
            raise PermissionDenied
        models = audit.audited_models()
        chosen = request.GET.get("model") or None
        if chosen not in {m._meta.label_lower for m in models}:
            chosen = None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("データの変更履歴"),
            "changes": audit.recent_changes(request.user, label_lower=chosen),
            "model_choices": [(m._meta.label_lower, m._meta.verbose_name) for m in models],
            "chosen": chosen,
        }
        return TemplateResponse(request, "admin/security/change_history.html", context)

    def get_queryset(self, request):
        # Empty for everyone else, so no id answers differently from another (all 404/403).
        queryset = super().get_queryset(request)
        return queryset if self._reads_trail(request) else queryset.none()

    def has_module_permission(self, request):
        return self._reads_trail(request)

    def has_view_permission(self, request, obj=None):
        return self._reads_trail(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
