"""Library items about reference entries, and the items for what a seizure record contains.

An item links to entries of the reference tables (reference.tables) by table and code. A link is stored with
the table's comparison form of the code (``Table.key``), so "Manis spp", "manis spp." and "Manis" find the
same entry. A seizure line finds the items linked to its own entry and, for a species, to its genus' "spp."
listing (as reference.tables finds the CITES listing that covers a species) and every higher taxon the CITES
table's rank columns give it (``tables.lineage``: genus, family, order, class, phylum, kingdom): a guide linked to
"Manis spp.", "Manidae" or "Pholidota" is shown on a record of Manis javanica scales. A higher taxon is linked as
"Name spp." (the Appendices' way of saying "all species of"), whether or not the table has a row for it, so long
as the rank columns name it. The other way round, a higher taxon's reference page counts the items about the
taxa below it (``below_counts``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.places import language_name
from environet.compiled import Joined
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
    """A higher taxon the table does not list as such, written "Name spp.": a genus whose species it lists ("Manis",
    "manis spp": each pangolin is listed by species), or a genus, family, order, class, phylum or kingdom that the
    CITES table's rank columns name ("Manidae", "pholidota"); None otherwise."""
    words = code.replace(".", " ").split()
    if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() != "spp"):
        return None
    higher = tables.higher_taxon_name(words[0])
    if higher:
        return f"{higher} spp."
    name = words[0].capitalize()
    prefix = tables.table(table).key(name + " x")[:-1]
    if any(key.startswith(prefix) for key, _entry in tables.table(table)._sorted_keys):
        return f"{name} spp."
    return None


def label(table: str, code: str) -> str:
    """How an entry (or a higher taxon listed by its members) is named on pages: "Manidae spp. (family)"."""
    entry = tables.table(table).get(code) if table in tables.TABLES else None
    if entry:
        return entry.label
    rank = tables.rank_of(code) if table in TAXON_TABLES else ""
    return f"{code} ({tables.rank_name(rank)})" if rank else code


def key(table: str, code: str) -> str:
    return tables.table(table).key(code)


def candidates(table: str, code: str) -> list[str]:
    """The keys under which items about this entry are linked: itself and, for a taxon, every higher taxon it
    belongs to (its genus' listing, its family, order, class...: ``tables.lineage``)."""
    keys = [key(table, code)]
    if table in TAXON_TABLES:
        for _rank, name in tables.lineage(code):
            higher = key(table, f"{name} spp.")
            if higher not in keys:
                keys.append(higher)
    return keys


def below_counts(person, table: str, codes: list[str]) -> dict[str, int]:
    """For each higher taxon among ``codes`` (a genus, family, order... of the CITES table's rank columns), how many
    library items ``person`` may read are about the taxa below it (linked to one of its species, or to a lower
    higher taxon), those linked to the taxon itself left out. Codes that are no higher taxon are left out."""
    if table not in TAXON_TABLES:
        return {}
    wanted: dict[str, set[str]] = {}
    for code in codes:
        if not tables.rank_of(code):
            continue
        own = key(table, code)
        below: set[str] = set()
        for entry in {*tables.members(code), *tables.members(code, table)}:
            below.add(key(table, entry.code))
            below.update(key(table, f"{name} spp.") for rank, name in tables.lineage(entry.code))
        below.discard(own)
        wanted[code] = below - {key(table, f"{name} spp.") for _rank, name in tables.lineage(code)}
    every = set().union(*wanted.values()) if wanted else set()
    if not every:
        return {code: 0 for code in wanted}
    visible = access.items_visible_to(person)
    pairs = ReferenceLink.objects.filter(table__in=TAXON_TABLES, key__in=every, item__in=visible).values_list(
        "key", "item_id"
    )
    items_by_key: dict[str, set[int]] = defaultdict(set)
    for found_key, item_id in pairs:
        items_by_key[found_key].add(item_id)
    own_items = {
        code: set(
            ReferenceLink.objects.filter(table=table, key=key(table, code), item__in=visible).values_list(
                "item_id", flat=True
            )
        )
        for code in wanted
    }
    return {
        code: len(set().union(*(items_by_key.get(k, set()) for k in below)) - own_items[code])
        for code, below in wanted.items()
    }


@dataclass
class Guides:
    """The items a person may read about one entry: "Sunda pangolin: 2 items, EN/FR"."""

    label: str
    items: list[Item] = field(default_factory=list)
    below: int = 0  # for a higher taxon: the items about the taxa below it (below_counts)

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
    def below_summary(self) -> str:
        return ngettext(
            "%(count)d library item about its species", "%(count)d library items about its species", self.below
        ) % {"count": self.below}

    @property
    def summary(self) -> str:
        count = len(self.items)
        return _("%(label)s: %(count)s, %(languages)s") % {
            "label": self.label,
            "count": _count(count),
            "languages": self.languages,
        }


def _count(count: int) -> str:
    return ngettext("%(count)d library item", "%(count)d library items", count) % {"count": count}


def guides_for(person, wanted: list[tuple[str, str]]) -> list[Guides]:
    """For each (table, code) wanted (seizure lines, reference rows), the items ``person`` may read about it;
    entries without any are left out. One query for them all."""
    lookups: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
    keys_by_table: dict[str, set[str]] = defaultdict(set)
    for convention, code in wanted:
        pairs = []
        for table in LINE_TABLES.get(convention, ()):
            for candidate in candidates(table, code):
                pairs.append((table, candidate))
                keys_by_table[table].add(candidate)
        lookups.append(((convention, code), pairs))
    if not keys_by_table:
        return []
    # The links of every item, then those the person may read (a statement compiled once per reader): building
    # the rule into this query, different for every record's codes, cost a record page more than running it.
    links = _links_to(keys_by_table)
    readable = access.readable_among(person, {link.item_id for link in links})
    by_pair: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for link in links:
        if link.item_id in readable:
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


def _links_to(keys_by_table: dict[str, set[str]]) -> list[ReferenceLink]:
    """``ReferenceLink.objects.filter(<table>, key__in=<its keys> for each table).select_related("item")``: the
    links to any of the tables' keys, read from a statement compiled once per set of tables with every key given
    as one value, then those to a key of another of the tables left out."""
    tables = tuple(sorted(keys_by_table))
    joined = _LINKS_TO.get(tables)
    if joined is None:
        joined = _LINKS_TO[tables] = Joined(ReferenceLink, {"": None, "item": None}, where={"table__in": tables})
    keys = set().union(*keys_by_table.values())
    found = cast(list[ReferenceLink], joined.under("key", keys))
    return [link for link in found if link.key in keys_by_table[link.table]]


# By the tables a page's codes are in (a record's conventions; a reference page's one table): a few sets.
_LINKS_TO: dict[tuple[str, ...], Joined] = {}


def _order(item: Item) -> tuple:
    return (item.kind != Kind.GUIDE, item.title.casefold())


def _entry_label(convention: str, code: str) -> str:
    for name in LINE_TABLES.get(convention, ()):
        entry = tables.table(name).get(code)
        if entry is not None:
            return entry.label
    return label(LINE_TABLES[convention][0], code) if convention in LINE_TABLES else code


def set_references(item: Item, pairs: list[tuple[str, str]]) -> None:
    """Replace the item's links with ``pairs`` (table, code as the table spells it)."""
    item.references.all().delete()
    ReferenceLink.objects.bulk_create(
        [ReferenceLink(item=item, table=table, code=code, key=key(table, code)) for table, code in pairs]
    )
