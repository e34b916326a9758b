from django.apps import AppConfig


class HokenfukushiConfig(AppConfig):
    name = "hokenfukushi"
    verbose_name = "地域（圏域・市町村・利用者）"
