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
    shown = {entry.code: by_label[entry.label] for entry in entries if entry.label in by_label}
    # A higher taxon (a family, an order, a genus listed as "spp.") also says how many items are about its species.
    for code, count in links.below_counts(person, table.name, [entry.code for entry in entries]).items():
        if count:
            label = next(entry.label for entry in entries if entry.code == code)
            shown.setdefault(code, Guides(label=label)).below = count
    return shown


@register.simple_tag(takes_context=True)
def library_guides_for_taxon(context, table, code) -> Guides | None:
    """The items about a higher taxon named in a reference search ("Manidae"): linked to it or to what it belongs
    to, and how many are about its species; None when there are none."""
    if table.name not in links.TAXON_TABLES:
        return None
    person = context["request"].user
    found = links.guides_for(person, [(table.name, code)])
    shown = found[0] if found else Guides(label=links.label(table.name, code))
    shown.below = links.below_counts(person, table.name, [code]).get(code, 0)
    return shown if shown.items or shown.below else None


@register.filter
def guides_of(guides: dict[str, Guides], code: str) -> Guides | None:
    return guides.get(code)
