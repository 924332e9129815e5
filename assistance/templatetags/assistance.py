from django import template

from assistance import access

register = template.Library()


@register.filter
def names(codes, mapping) -> str:
    """Codes shown by their names from ``mapping`` (a dict of code to name), in order, joined by "; "."""
    return "; ".join(str(mapping.get(code, code)) for code in codes or [])


@register.filter
def may_ask(person) -> bool:
    """Whether this person may ask experts for help (access.can_ask): for the link on a seizure record."""
    return access.can_ask(person)


@register.simple_tag
def request_of_thread(person, thread) -> int | None:
    """The id of the request for assistance a thread is the conversation of, if this person may read it."""
    return access.request_of_thread(person, thread)
