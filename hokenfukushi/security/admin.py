from django.contrib import admin

from hokenfukushi.admin_scope import ScopedAdminMixin
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

    def _reads_trail(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.role == user.Role.REGION_ADMIN)
        )

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
