from django import template

from seizures.models import MatchKey

register = template.Library()


@register.filter
def reasons(bits: int) -> str:
    """The reasons of a link ("same container, same company"), in the active language."""
    return ", ".join(str(kind.label) for kind in MatchKey.Kind if bits & (1 << kind.value))
