from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hokenfukushi import views
from hokenfukushi.pages import scope_required

urlpatterns = [
    path("", scope_required(views.dashboard), name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset for every account (Django's views, templates/registration/ in Japanese)
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            subject_template_name="registration/password_reset_subject.txt"
        ),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("coordinators/", include("coordinators.urls")),
    # /me/profile/, /me/activity/new/, the account invitation link (coordinators)
    path("", include("coordinators.member_urls")),
    # /me/, /network/, /me/actions/<id>/ (they read meetings and coordinators)
    path("", include("meetings.member_urls")),
    path("meetings/", include("meetings.urls")),
    path("caseload/", include("caseload.urls")),
    path("exports/", include("hokenfukushi.exports.urls")),
]

urlpatterns += [path("security/", include("hokenfukushi.security.urls"))]
handler500 = "hokenfukushi.security.views.server_error"
