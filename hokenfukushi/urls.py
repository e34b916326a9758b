from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from hokenfukushi import views

urlpatterns = [
    path("", include("dashboard.urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The download log's admin pages moved with it to the exports app (issue 18): old
    # bookmarks keep working.
    re_path(
        r"^admin/hokenfukushi/exportlog/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/exports/exportlog/%(rest)s", query_string=True),
        name="exportlog_admin_moved",
    ),
    path("admin/", admin.site.urls),
    path("coordinators/", include("coordinators.urls")),
    path("meetings/", include("meetings.urls")),
    path("caseload/", include("caseload.urls")),
    path("exports/", include("exports.urls")),
]

urlpatterns += [path("security/", include("hokenfukushi.security.urls"))]
handler500 = "hokenfukushi.security.views.server_error"
