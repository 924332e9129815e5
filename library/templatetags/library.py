"""Template helpers: language names, and the library items for seizure lines and reference rows.

``{% library_guides_for_seizure seizure as guides %}`` and ``{% library_guides_for_entries table entries as
guides %}`` read through library.access with the signed-in person, so a seizure or reference page shows only
the items its reader may read; the pages' views need not change."""

from django import template

from accounts.places import language_name
from library import links
from library.links import Guides

register = template.Library()


@register.filter
def language_names(codes: list[str]) -> str:
    return ", ".join(language_name(code) for code in codes)


@register.simple_tag(takes_context=True)
def library_guides_for_seizure(context, seizure) -> list[Guides]:
    person = context["request"].user
    wanted = [(line.convention, line.code) for line in seizure.lines.all()]
    return links.guides_for(person, wanted)


@register.simple_tag(takes_context=True)
def library_guides_for_entries(context, table, entries) -> dict[str, Guides] | None:
    """The items about each entry of a reference table's page, by the entry's code; None for a table items do
    not link to (units, places)."""
    if table.name not in links.LINKABLE:
        return None
    person = context["request"].user
    entries = list(entries)
    found = links.guides_for(person, [(table.name, entry.code) for entry in entries])
    by_label = {guides.label: guides for guides in found}
    return {entry.code: by_label[entry.label] for entry in entries if entry.label in by_label}


@register.filter
def guides_of(guides: dict[str, Guides], code: str) -> Guides | None:
    return guides.get(code)
