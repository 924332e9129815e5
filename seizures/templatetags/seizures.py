from django import template

register = template.Library()


@register.filter
def reasons(bits: int) -> str:
    """The reasons of a link ("same container, same company"), in the active language."""
    from seizures.notify import reasons_text

    return reasons_text(bits)


@register.filter
def country(code: str) -> str:
    """A country's name in the active language (including "not known" and "high seas")."""
    from seizures.forms import country_label

    return country_label(code) if code else ""
