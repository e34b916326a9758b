from django.apps import AppConfig


class HokenfukushiConfig(AppConfig):
    name = "hokenfukushi"
    verbose_name = "地域（圏域・市町村・利用者）"

    def ready(self) -> None:
        from hokenfukushi.dashboard_cache import code_version

        # The hash of the code this process runs, taken now: read later, a worker started before
        # an in-place deploy would hash the new files and cache its old pages under them.
        code_version()
