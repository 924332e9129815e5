"""Writes on collections: make one, add, remove and move its entries. Each checks its own rules (who may, and
only items the person may read) whatever its caller checked, refuses with ``Refused`` carrying a sentence for
the page, and is audited with references only (ids, positions, counts; never a name or a title)."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Person
from audit.actions import record
from library import access
from library.models import Collection, CollectionEntry, Item
from messaging.actions import Refused

__all__ = ["DOWN", "UP", "Refused", "add_item", "make_collection", "move_item", "remove_item"]

UP, DOWN = "up", "down"


def make_collection(*, request, person: Person, name: str, description: str = "") -> Collection:
    """A new, empty collection of the person's organisation; its name is unique in the organisation
    (whatever the case)."""
    name = " ".join(name.split())
    if not access.can_make_collection(person):
        raise Refused
    if not name:
        raise Refused(_("Give the collection a name."))
    if len(name) > 200 or len(description) > 2000:
        raise Refused(_("The name or the description is too long."))
    taken = Collection.objects.filter(organisation_id=person.organisation_id, name__iexact=name).exists()
    if taken:
        raise Refused(_("Your organisation already has a collection of that name."))
    try:
        with transaction.atomic():
            collection = Collection.objects.create(
                name=name, description=description.strip(), organisation=person.organisation, made_by=person
            )
            record("library.collection_made", request=request, actor=person, target=collection)
    except IntegrityError:  # made at the same moment by a colleague
        raise Refused(_("Your organisation already has a collection of that name.")) from None
    return collection


def _readable_item(person: Person, item_id: int | None) -> Item:
    item = access.items_visible_to(person).filter(pk=item_id).first() if item_id else None
    if item is None:
        raise Refused(_("Choose an item of the library that you may read."))
    return item


@transaction.atomic
def add_item(*, request, person: Person, collection: Collection, item_id: int | None) -> CollectionEntry:
    """Put an item the person may read at the end of the collection."""
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if not access.can_change_collection(person, collection):
        raise Refused
    item = _readable_item(person, item_id)
    if CollectionEntry.objects.filter(collection=collection, item=item).exists():
        raise Refused(_("This item is already in the collection."))
    last = CollectionEntry.objects.filter(collection=collection).aggregate(last=Max("position"))["last"]
    entry = CollectionEntry.objects.create(collection=collection, item=item, position=(last or 0) + 1, added_by=person)
    record(
        "library.collection_item_added",
        request=request,
        actor=person,
        target=collection,
        changes={"item": item.pk, "position": entry.position},
    )
    return entry


@transaction.atomic
def remove_item(*, request, person: Person, collection: Collection, item_id: int | None) -> None:
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if not access.can_change_collection(person, collection):
        raise Refused
    item = _readable_item(person, item_id)
    deleted, _kinds = CollectionEntry.objects.filter(collection=collection, item=item).delete()
    if not deleted:
        raise Refused(_("This item is not in the collection."))
    record(
        "library.collection_item_removed", request=request, actor=person, target=collection, changes={"item": item.pk}
    )


@transaction.atomic
def move_item(*, request, person: Person, collection: Collection, item_id: int | None, direction: str) -> None:
    """Swap the item with the one before (UP) or after (DOWN) it among those the person may read: entries the
    person may not read keep their places."""
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if not access.can_change_collection(person, collection):
        raise Refused
    if direction not in (UP, DOWN):
        raise Refused(_("Move the item up or down."))
    item = _readable_item(person, item_id)
    entries = list(
        CollectionEntry.objects.filter(collection=collection, item__in=access.items_visible_to(person)).order_by(
            "position", "pk"
        )
    )
    index = next((at for at, entry in enumerate(entries) if entry.item_id == item.pk), None)
    if index is None:
        raise Refused(_("This item is not in the collection."))
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(entries):
        return  # already first (or last): nothing to change
    moved, neighbour = entries[index], entries[other]
    moved.position, neighbour.position = neighbour.position, moved.position
    CollectionEntry.objects.bulk_update([moved, neighbour], ["position"])
    record(
        "library.collection_reordered",
        request=request,
        actor=person,
        target=collection,
        changes={"item": item.pk, "position": [neighbour.position, moved.position]},
    )
