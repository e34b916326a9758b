from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "hokenfukushi.security"
    label = "security"
    verbose_name = "セキュリティ（ログイン記録・二要素認証）"

    def ready(self) -> None:
        from hokenfukushi.security import signals  # noqa: F401  (connects the receivers)
