from django import template

register = template.Library()


@register.filter
def change_text(value) -> str:
    """An [old, new] pair as "old → new"; any other recorded fact as itself."""
    if isinstance(value, list) and len(value) == 2:
        old, new = ("—" if item in (None, "") else item for item in value)
        return f"{old} → {new}"
    return str(value)
