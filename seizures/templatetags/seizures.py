from django import template

from seizures.models import MatchKey

register = template.Library()


@register.filter
def reasons(bits: int) -> str:
    """The reasons of a link ("same container, same company"), in the active language."""
    return ", ".join(str(kind.label) for kind in MatchKey.Kind if bits & (1 << kind.value))


@register.filter
def country(code: str) -> str:
    """A country's name in the active language (including "not known" and "high seas")."""
    from seizures.forms import country_label

    return country_label(code) if code else ""
