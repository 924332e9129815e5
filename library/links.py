"""Library items about reference entries, and the items for what a seizure record contains.

An item links to entries of the reference tables (reference.tables) by table and code. A link is stored with
the table's comparison form of the code (``Table.key``), so "Manis spp", "manis spp." and "Manis" find the
same entry. A seizure line finds the items linked to its own entry and, for a species, to its genus' "spp."
listing (as reference.tables finds the CITES listing that covers a species): a guide linked to "Manis spp."
is shown on a record of Manis javanica scales. Family and order listings are matched only by their own code:
the tables do not say which family a genus belongs to (no hierarchy column yet).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.places import language_name
from library import access
from library.models import Item, Kind, ReferenceLink
from reference import tables

# The tables an item may link to, in the order the form lists them.
LINKABLE = ("cites", "basel", "montreal", "stockholm", "rotterdam", "timber", "fish")
# Which tables a seizure line of each convention is looked up in: timber and fish species may be CITES-listed.
LINE_TABLES = {
    "cites": ("cites", "timber", "fish"),  # a CITES-listed timber or fish species may be linked in its own table
    "basel": ("basel",),
    "montreal": ("montreal",),
    "stockholm": ("stockholm",),
    "rotterdam": ("rotterdam",),
    "timber": ("timber", "cites"),
    "fish": ("fish", "cites"),
}
TAXON_TABLES = {"cites", "timber", "fish"}


def parse_references(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Lines such as "cites: Manis spp." or "basel: A1180": the (table, code) pairs found in the tables, and
    the lines that are not (unknown table or code), as typed."""
    found: list[tuple[str, str]] = []
    unknown: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, colon, code = line.partition(":")
        name = name.strip().lower()
        code = code.strip()
        entry = tables.table(name).get(code) if colon and name in LINKABLE else None
        canonical = entry.code if entry else (genus(name, code) if colon and name in TAXON_TABLES else None)
        if canonical is None:
            unknown.append(line)
        elif (name, canonical) not in found:
            found.append((name, canonical))
    return found, unknown


def genus(table: str, code: str) -> str | None:
    """The genus "Manis spp." when ``code`` names one ("Manis", "manis spp") that the table does not list as such but
    whose species it does list (each pangolin is listed by species); None otherwise."""
    words = code.replace(".", " ").split()
    if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() != "spp"):
        return None
    name = words[0].capitalize()
    prefix = tables.table(table).key(name + " x")[:-1]
    if any(key.startswith(prefix) for key, _entry in tables.table(table)._sorted_keys):
        return f"{name} spp."
    return None


def label(table: str, code: str) -> str:
    """How an entry (or a genus listed by its species) is named on pages."""
    entry = tables.table(table).get(code) if table in tables.TABLES else None
    return entry.label if entry else code


def key(table: str, code: str) -> str:
    return tables.table(table).key(code)


def candidates(table: str, code: str) -> list[str]:
    """The keys under which items about this entry are linked: itself and, for a taxon, its genus' listing."""
    keys = [key(table, code)]
    if table in TAXON_TABLES:
        words = code.split()
        if len(words) >= 2 and words[1] != "spp.":
            keys.append(key(table, f"{words[0]} spp."))
    return keys


@dataclass
class Guides:
    """The items a person may read about one entry: "Sunda pangolin: 2 items, EN/FR"."""

    label: str
    items: list[Item] = field(default_factory=list)

    @property
    def languages(self) -> str:
        codes = sorted({code for item in self.items for code in item.language_codes})
        return "/".join(code.upper() for code in codes)

    @property
    def language_names(self) -> str:
        codes = sorted({code for item in self.items for code in item.language_codes})
        return ", ".join(language_name(code) for code in codes)

    @property
    def guide_count(self) -> int:
        return sum(1 for item in self.items if item.kind == Kind.GUIDE)

    @property
    def summary(self) -> str:
        count = len(self.items)
        return _("%(label)s: %(count)s, %(languages)s") % {
            "label": self.label,
            "count": _count(count),
            "languages": self.languages,
        }


def _count(count: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(count)d library item", "%(count)d library items", count) % {"count": count}


def guides_for(person, wanted: list[tuple[str, str]]) -> list[Guides]:
    """For each (table, code) wanted (seizure lines, reference rows), the items ``person`` may read about it;
    entries without any are left out. One query for them all."""
    lookups: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
    condition = Q()
    for convention, code in wanted:
        pairs = []
        for table in LINE_TABLES.get(convention, ()):
            for candidate in candidates(table, code):
                pairs.append((table, candidate))
                condition |= Q(table=table, key=candidate)
        lookups.append(((convention, code), pairs))
    if not condition:
        return []
    visible = access.items_visible_to(person)
    links = ReferenceLink.objects.filter(condition, item__in=visible).select_related("item")
    by_pair: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for link in links:
        by_pair[(link.table, link.key)].append(link.item)
    shown: list[Guides] = []
    seen: set[tuple[str, str]] = set()
    for (convention, code), pairs in lookups:
        if (convention, code) in seen:
            continue
        seen.add((convention, code))
        items: dict[int, Item] = {}
        for pair in pairs:
            for item in by_pair.get(pair, []):
                items[item.pk] = item
        if items:
            shown.append(Guides(label=_entry_label(convention, code), items=sorted(items.values(), key=_order)))
    return shown


def _order(item: Item) -> tuple:
    return (item.kind != Kind.GUIDE, item.title.casefold())


def _entry_label(convention: str, code: str) -> str:
    for name in LINE_TABLES.get(convention, ()):
        entry = tables.table(name).get(code)
        if entry is not None:
            return entry.label
    return code


def set_references(item: Item, pairs: list[tuple[str, str]]) -> None:
    """Replace the item's links with ``pairs`` (table, code as the table spells it)."""
    item.references.all().delete()
    ReferenceLink.objects.bulk_create(
        [ReferenceLink(item=item, table=table, code=code, key=key(table, code)) for table, code in pairs]
    )
