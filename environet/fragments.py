"""Rendered fragments of pages that are the same for everyone reading in one language (a filter form with its
lists of countries and organisations), kept in the process's memory instead of being rendered again on every
request: rendering a form's 250-option lists through the template engine cost more than the rest of the page.

Only what is not personal belongs here: the key is the language and what the caller says the content depends
on (for a list read from the database, its rows), never the person."""

from collections.abc import Callable, Hashable

from django.forms import Form
from django.template import Context
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# A handful of forms times three languages, times the few versions of their lists a process lives through.
MAX_KEPT = 64
_kept: dict[tuple[Hashable, ...], SafeString] = {}


def rendered(name: str, depends_on: Hashable, render: Callable[[], str]) -> SafeString:
    """The fragment ``name`` in the active language, rendered by ``render`` the first time and whenever
    ``depends_on`` (what the content is made of, such as the rows of a list) has changed."""
    key = (name, get_language(), depends_on)
    found = _kept.get(key)
    if found is None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()  # old versions of lists that changed: rendering again is cheap enough
        found = _kept[key] = mark_safe(render())  # noqa: S308 (the caller's template escaped it)
    return found


def blank_form(name: str, depends_on: Hashable, make: Callable[[], Form]) -> SafeString:
    """A form's fields (``form_fields.html``) as a page first shows them, empty, kept as ``rendered`` keeps a
    fragment: ``make()`` is made and rendered only when the fragment is not kept. A bound form (sent back with
    its problems, or with filters chosen) is its request's own, rendered with it."""
    return rendered(name, depends_on, lambda: render_to_string("form_fields.html", {"form": make()}))


def once_per_page[Made](context: Context, name: str, make: Callable[[], Made]) -> Made:
    """What ``make()`` gives, asked once for the page ``context`` renders: what every kept row of a page is shown
    in (the language, the time zone, the tables' edition), which each of fifty rows asked again."""
    found = context.render_context.get(name)
    if found is None:
        found = context.render_context[name] = make()
    return found


def language_and_zone() -> tuple[str, str]:
    return translation.get_language(), timezone.get_current_timezone_name()
