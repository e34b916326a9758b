from django import template

from dashboard import dashboard_html

register = template.Library()


@register.filter
def lookup(mapping: dict, key):
    """`{{ links|lookup:gap.fix_in }}`: a dict entry by a key held in a variable."""
    return mapping.get(key) if mapping else None


@register.filter
def thousands(value) -> str:
    """129873 -> 129,873 (whatever the locale's grouping; None -> —)."""
    return "—" if value is None else f"{value:,}"


@register.filter(name="abs")
def absolute(value):
    return abs(value)


# The repeated parts of the dashboard, written in Python (see hokenfukushi/dashboard_html.py).
register.simple_tag(dashboard_html.town_table_rows)
register.simple_tag(dashboard_html.town_chart_bars)
register.simple_tag(dashboard_html.town_chart_table_rows)
register.simple_tag(dashboard_html.gap_items)
register.simple_tag(dashboard_html.training_chart_bars)
register.simple_tag(dashboard_html.training_chart_table_rows)
register.simple_tag(dashboard_html.participant_chart_bars)
register.simple_tag(dashboard_html.participant_chart_table_rows)
