from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "ダッシュボード"

    def ready(self) -> None:
        from dashboard.cache import code_version

        # The hash of the code this process runs, taken now: read later, a worker started before
        # an in-place deploy would hash the new files and cache its old pages under them.
        code_version()
