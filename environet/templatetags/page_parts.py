"""The parts of every page that are the same for everyone who reads in one language and holds one role: the
style sheet and scripts, the main navigation and the live status's messages, rendered once per process
(environet.fragments). Their links (static files by their manifest) and translated words made most of the base
template's rendering, on every page."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString

from environet import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context) -> SafeString:
    """The main navigation of a signed-in person (``_navigation.html``): its links depend on their role only."""
    user = context["user"]
    shown = {"is_administrator": bool(user.is_administrator), "is_focal_point": bool(user.is_focal_point)}
    key = (get_script_prefix(), *shown.values())
    return fragments.rendered("navigation", key, lambda: render_to_string("_navigation.html", shown))


@register.simple_tag
def live_status() -> SafeString:
    """The live status line and what it says when live updates are interrupted, paused, slow or back."""
    return fragments.rendered("live status", (), lambda: render_to_string("_live_status.html"))


@register.simple_tag
def page_files(signed_in: bool) -> SafeString:
    """The style sheet and scripts every page loads (the live updates' only for a signed-in person)."""
    shown = {"signed_in": bool(signed_in)}
    return fragments.rendered("page files", tuple(shown.values()), lambda: render_to_string("_page_files.html", shown))
