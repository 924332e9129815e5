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

from typing import Any, cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404

from library.models import Collection, Item, LibraryFile
from messaging.access import audience_rule, can_post, is_reader, marking_refusal
from messaging.models import Marking

__all__ = ["marking_refusal"]  # the one marking rule, re-exported so the library's callers ask here


def can_publish(person) -> bool:
    """Members, focal points and administrators publish; observers read."""
    return can_post(person)


def items_visible_to(person) -> QuerySet[Item]:
    if not is_reader(person):
        return Item.objects.none()
    own = Q(organisation_id=person.organisation_id) & ~Q(marking=Marking.RED)
    return Item.objects.filter(own | _row_by_row(audience_rule(person, author="publisher")))


def rule_key(person) -> tuple:
    """Everything of ``person`` that ``items_visible_to`` (and the audience rule it asks) reads: two calls
    for people with the same key build the same query. library.search compiles a page's query once per key
    and reuses it, so whatever the rule comes to read of a person must be added here."""
    if not is_reader(person):
        return ("not a reader",)
    organisation = person.organisation
    return (person.pk, person.organisation_id, organisation.pk, organisation.country)


def _row_by_row(rule: Q) -> Q:
    """``rule`` as a condition on each item's own row, with the same meaning.

    Filtering on a many-to-many field (chosen organisations, named people) joins its table, which would give
    an item once per joined row; and selecting the matching ids first (``pk__in``) makes the database
    apply the rule to every item before narrowing. Instead, each alternative of the rule that goes through
    a many-to-many field is asked as ``EXISTS`` of that item alone, and the others (the whole network, the
    publisher, the countries) are read from the row as they are: the database then asks the rule only of the
    items the rest of the query is about (the matches of some words, one item), cheapest alternative first.
    """
    alternatives = rule.children if rule.connector == Q.OR and not rule.negated else [rule]
    direct, related = Q(), Q()
    for alternative in alternatives:
        condition = alternative if isinstance(alternative, Q) else Q(alternative)
        if _goes_through_many(condition):
            related |= _exists(condition)
        else:
            direct |= condition
    return direct | related


def _exists(condition: Q) -> Q:
    """``condition`` (which goes through a many-to-many field) of the outer item, as EXISTS.

    The plain form, ``audience=...`` and one ``many_to_many_field=value``, asks the joining table directly
    (its row for this item and that value) and reads the rest from the item's row; any other form asks
    EXISTS of the item itself, which means the same whatever the condition."""
    plain = (
        condition.connector == Q.AND
        and not condition.negated
        and all(isinstance(child, tuple) and isinstance(child[0], str) for child in condition.children)
    )
    if plain:
        on_row: list[tuple[str, Any, Any]] = []
        through: list[tuple[str, Any, Any]] = []
        for child in condition.children:
            name, value = cast(tuple[str, Any], child)
            field = Item._meta.get_field(name.split(LOOKUP_SEP)[0])
            (through if field.many_to_many else on_row).append((name, value, field))
        if len(through) == 1 and all(not field.is_relation or field.many_to_one for _n, _v, field in on_row):
            name, value, field = through[0]
            rest = name[len(field.name) :]
            table = field.remote_field.through.objects.filter(
                **{field.m2m_field_name(): OuterRef("pk"), field.m2m_reverse_field_name() + rest: value}
            )
            return Q(*[(name, value) for name, value, _field in on_row]) & Q(Exists(table))
    return Q(Exists(Item.objects.filter(condition, pk=OuterRef("pk"))))


def _goes_through_many(condition: Q) -> bool:
    """Whether a condition joins a table that holds several rows per item (or might: anything not a plain
    ``field__lookup=value`` counts as joining, and is asked by EXISTS, which means the same in any case)."""
    for child in condition.children:
        if isinstance(child, Q):
            if _goes_through_many(child):
                return True
            continue
        if not (isinstance(child, tuple) and isinstance(child[0], str)):
            return True
        field = Item._meta.get_field(child[0].split(LOOKUP_SEP)[0])
        if field.many_to_many or field.one_to_many:
            return True
    return False


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
