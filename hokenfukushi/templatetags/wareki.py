from django import template

from hokenfukushi.fiscal import fiscal_year_label, wareki, wareki_datetime

register = template.Library()


@register.filter(name="wareki")
def wareki_filter(value):
    """{{ day|wareki }} -> 令和7年4月1日."""
    return wareki(value)


@register.filter(name="nendo")
def nendo_filter(fiscal_year):
    """{{ 2025|nendo }} -> 令和7年度."""
    if fiscal_year in (None, ""):
        return ""
    return fiscal_year_label(int(fiscal_year))


@register.filter(name="wareki_datetime")
def wareki_datetime_filter(value):
    """{{ moment|wareki_datetime }} -> 令和7年4月1日 14:05 (local time)."""
    return wareki_datetime(value)
