from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = "在宅の対象者数"

    def ready(self) -> None:
        from django.conf import settings

        from caseload.deadlines import parse_month_day

        # A mistyped due day stops the start-up rather than a page later.
        parse_month_day(settings.REPORT_DUE_MONTH_DAY)
