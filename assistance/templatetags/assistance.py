from django import template

from assistance import selectors

register = template.Library()


@register.simple_tag
def requests_waiting(person) -> int:
    """How many requests for assistance wait for this person (selectors.waiting_count): for the home page."""
    if not getattr(person, "is_authenticated", False):
        return 0
    return selectors.waiting_count(person=person)


@register.filter
def names(codes, mapping) -> str:
    """Codes shown by their names from ``mapping`` (a dict of code to name), in order, joined by "; "."""
    return "; ".join(str(mapping.get(code, code)) for code in codes or [])
