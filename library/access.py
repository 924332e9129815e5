"""Who may see and do what in the library: the only place these rules live.

- An item: its audience under the same rule as threads and seizure records (``messaging.access.audience_rule``
  over the ``Shared`` fields), and its publishing organisation, except under TLP:RED: a RED item is for the
  named people (and its publisher) only, so colleagues of the publisher who are not named do not read it.
  Forums play no part.
- Its files, previews and earlier editions: whoever may read the item, checked again on every download.
- Publishing an item: those who may post (not observers). A new edition: those of the publishing
  organisation who may post.
- Download figures (how many, and who): the publishing organisation only.
- A collection is visible to every active reader of the platform: it holds only references to items, and
  whoever opens it (its page, its count, its export) sees only the entries whose items they may read; an
  entry they may not read is simply not listed. Making one, and adding, removing and moving its entries:
  those of its organisation who may post (not observers), and only with items they may read.
- Rating an item: whoever may read it (observers too). Commenting: whoever may read it and may post; the
  comments are a thread (messaging) for the item's audience, read under the thread's own rule.

Fetching an item or a file answers 404 both when it is missing and when it is forbidden.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from environet.compiled import Kept, Prepared, among
from library.models import Collection, Item, LibraryFile
from messaging.access import audience_rule, can_post, is_reader, marking_refusal, row_by_row
from messaging.models import Marking

__all__ = ["marking_refusal"]  # the one marking rule, re-exported so the library's callers ask here


def can_publish(person) -> bool:
    """Members, focal points and administrators publish; observers read."""
    return can_post(person)


def items_visible_to(person) -> QuerySet[Item]:
    if not is_reader(person):
        return Item.objects.none()
    own = Q(organisation_id=person.organisation_id) & ~Q(marking=Marking.RED)
    return Item.objects.filter(own | row_by_row(audience_rule(person, author="publisher"), Item))


def rule_key(person) -> tuple:
    """Everything of ``person`` that ``items_visible_to`` (and the audience rule it asks) reads: two calls
    for people with the same key build the same query. library.search compiles a page's query once per key
    and reuses it, so whatever the rule comes to read of a person must be added here."""
    if not is_reader(person):
        return ("not a reader",)
    organisation = person.organisation
    return (person.pk, person.organisation_id, organisation.pk, organisation.country)


_READABLE: Kept[Prepared | None] = Kept(1024)


def readable_among(person, ids: Iterable[int]) -> set[int]:
    """Which of the items ``ids`` ``person`` may read (``items_visible_to``), from a statement compiled once per
    reader (``rule_key``): the guides a record page or a reference page shows are asked of it."""
    return among(_READABLE, rule_key(person), lambda: items_visible_to(person), set(ids))


def item_for(person, item_id: int) -> Item:
    try:
        return items_visible_to(person).select_related("organisation", "publisher").get(pk=item_id)
    except Item.DoesNotExist:
        raise Http404 from None


def is_publisher(person, item: Item) -> bool:
    """Of the publishing organisation."""
    return is_reader(person) and person.organisation_id == item.organisation_id


def can_add_edition(person, item: Item) -> bool:
    return can_publish(person) and is_publisher(person, item)


def can_see_figures(person, item: Item) -> bool:
    """Download counts and who downloaded: the publishing organisation only."""
    return is_publisher(person, item)


def files_visible_to(person) -> QuerySet[LibraryFile]:
    return LibraryFile.objects.filter(edition__item__in=items_visible_to(person))


def file_for(person, file_id: int) -> LibraryFile:
    """A file of an item the person may read, of any edition. Checked again on every download."""
    try:
        return files_visible_to(person).select_related("edition__item").get(pk=file_id)
    except LibraryFile.DoesNotExist:
        raise Http404 from None


def collections_visible_to(person) -> QuerySet[Collection]:
    """Every collection, for every active reader: a collection holds only references (see above)."""
    if not is_reader(person):
        return Collection.objects.none()
    return Collection.objects.all()


def collection_for(person, collection_id: int) -> Collection:
    try:
        return collections_visible_to(person).select_related("organisation").get(pk=collection_id)
    except Collection.DoesNotExist:
        raise Http404 from None


def can_make_collection(person) -> bool:
    return can_post(person)


def can_change_collection(person, collection: Collection) -> bool:
    """Its organisation's people who may post."""
    return can_post(person) and person.organisation_id == collection.organisation_id


def can_rate(person, item: Item) -> bool:
    return items_visible_to(person).filter(pk=item.pk).exists()


def can_comment(person, item: Item) -> bool:
    return can_post(person) and can_rate(person, item)
