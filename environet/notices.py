"""Notices for one person (shown on their open pages), stored as references and worded when shown.

A notice row holds what it is about (``about``, e.g. "seizure.related") and the ids it refers to, never
its text: the text is made when the notice is delivered, live or on catch-up, by the renderer the owning
app registered, in the person's language and through today's access rule. A notice about something the
person may no longer know of is not shown at all, so nothing said once outlives a narrowed audience.

Apps register their renderers when they start (``AppConfig.ready``):

    @notices.renderer("seizure.related")
    def related(person, references) -> Shown | None: ...
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import translation


@dataclass(frozen=True)
class Shown:
    """A notice as one person sees it: a sentence in their language and the path it links to."""

    text: str
    url: str


Renderer = Callable[[Any, dict[str, Any]], Shown | None]
_renderers: dict[str, Renderer] = {}


def renderer(about: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        _renderers[about] = function
        return function

    return register


def is_known(about: str) -> bool:
    return about in _renderers


def render(person, about: str, references: dict[str, Any]) -> Shown | None:
    """The notice as ``person`` may see it now, or None (unknown kind, or no longer theirs to know)."""
    function = _renderers.get(about)
    if function is None or not (person.is_authenticated and person.is_active):
        return None
    with translation.override(person.language or None):
        return function(person, references)
