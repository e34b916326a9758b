from django import template

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
