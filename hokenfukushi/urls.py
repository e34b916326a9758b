from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hokenfukushi import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("coordinators/", include("coordinators.urls")),
    path("meetings/", include("meetings.urls")),
    path("caseload/", include("caseload.urls")),
    path("exports/", include("hokenfukushi.exports.urls")),
]

urlpatterns += [path("security/", include("hokenfukushi.security.urls"))]
handler500 = "hokenfukushi.security.views.server_error"
