"""Reads for the library pages, always through library.access."""

from datetime import date
from typing import Any

from django.db.models import Avg, Count, Max, Prefetch, Q, QuerySet

from library import access, extraction, links
from library.models import (
    Collection,
    CollectionEntry,
    CommentThread,
    Download,
    Edition,
    Extraction,
    Item,
    LibraryFile,
    Rating,
    ReferenceLink,
)
from messaging import access as messaging_access
from seizures.models import Convention


def editions_of(item: Item) -> QuerySet[Edition]:
    """The item's editions, newest first, with their files. A file's text (up to millions of characters each)
    is read by the search index, not by the item page or the API: only whether reading found any
    (``has_text``)."""
    files = LibraryFile.objects.defer("text").annotate(has_text=~Q(text=""))
    return Edition.objects.filter(item=item).prefetch_related(Prefetch("files", queryset=files))


def item_page(*, person, item: Item) -> dict[str, Any]:
    """What the item page shows ``person``, who may read ``item`` (access.item_for)."""
    editions = list(editions_of(item).select_related("added_by"))
    figures = download_figures(person=person, item=item) if access.can_see_figures(person, item) else None
    textless = _without_text(item, editions[0] if editions else None)
    return {
        "item": item,
        "current": editions[0] if editions else None,
        "earlier": editions[1:],
        "references": [(link, links.label(link.table, link.code)) for link in ReferenceLink.objects.filter(item=item)],
        "topics": list(item.topics.all()),
        "conventions": [str(Convention(code).label) for code in item.convention_codes if code in Convention.values],
        "can_add_edition": access.can_add_edition(person, item),
        "figures": figures,
        "failure": str(extraction.FAILURES.get(item.extraction_failure, "")) if item.extraction_failure else "",
        "textless": textless,
        "all_textless": bool(textless) and len(textless) == len(editions[0].files.all()),
        "collections": collections_to_add_to(person=person, item=item),
        **feedback(person=person, item=item),
    }


def _without_text(item: Item, current: Edition | None) -> list[str]:
    """The names of the current edition's documents in which reading found no text (a scanned PDF: pictures of
    pages), once reading is done: their words cannot be searched, which the item page says. Images are not
    listed: they never hold text to read."""
    if current is None or item.extraction != Extraction.DONE:
        return []
    return [
        stored.name
        for stored in current.files.all()
        # has_text: the annotation of editions_of
        if extraction.has_reader(stored.content_type) and not stored.has_text  # type: ignore[attr-defined]
    ]


def replaced_edition_date(item: Item) -> date | None:
    """The date of the item's current edition: the one a new edition replaces, and may not be dated before."""
    return Edition.objects.filter(item=item).order_by("-number").values_list("published_on", flat=True).first()


def download_figures(*, person, item: Item) -> dict[str, Any] | None:
    """How many downloads, of which file, and who: for the publishing organisation only (None for others)."""
    if not access.can_see_figures(person, item):
        return None
    downloads = Download.objects.filter(item=item)
    by_person = (
        downloads.values("person__full_name", "person__organisation__name")
        .annotate(count=Count("pk"), last=Max("at"))
        .order_by("-last")
    )
    by_file = (
        downloads.values("file__name", "file__edition__number")
        .annotate(count=Count("pk"))
        .order_by("-file__edition__number", "file__name")
    )
    return {"total": downloads.count(), "people": list(by_person), "files": list(by_file)}


def year_choices(person) -> list[int]:
    return sorted(
        {day.year for day in access.items_visible_to(person).values_list("published_on", flat=True)}, reverse=True
    )


def collections_page(*, person) -> list[Any]:
    """Every collection, each with how many of its items ``person`` may read (the only count shown)."""
    readable = access.items_visible_to(person).values("pk")
    return list(
        access.collections_visible_to(person)
        .select_related("organisation")
        .annotate(shown=Count("entries", filter=Q(entries__item__in=readable)))
    )


def collection_items(*, person, collection: Collection) -> list[CollectionEntry]:
    """The entries of ``collection`` whose items ``person`` may read, in order; the others are not listed."""
    return list(
        CollectionEntry.objects.filter(collection=collection, item__in=access.items_visible_to(person))
        .select_related("item__organisation")
        .order_by("position", "pk")
    )


def collections_to_add_to(*, person, item: Item) -> list[Collection]:
    """The collections of the person's organisation that ``item`` is not in yet, if the person may change them."""
    if not access.can_make_collection(person):
        return []
    return list(
        access.collections_visible_to(person).filter(organisation_id=person.organisation_id).exclude(entries__item=item)
    )


def feedback(*, person, item: Item) -> dict[str, Any]:
    """The usefulness figures of ``item`` (which ``person`` may read), their own rating, and its conversation if
    they may read that."""
    ratings = Rating.objects.filter(item=item)
    figures = ratings.aggregate(average=Avg("stars"), count=Count("pk"))
    attached = CommentThread.objects.filter(item=item).values_list("thread_id", flat=True).first()
    thread = messaging_access.threads_visible_to(person).filter(pk=attached).first() if attached else None
    return {
        "rating_average": figures["average"],
        "rating_count": figures["count"],
        "my_rating": ratings.filter(person=person).values_list("stars", flat=True).first(),
        "can_rate": access.can_rate(person, item),
        "comments": thread,
        "comment_count": thread.messages.count() if thread else 0,
        "can_comment": access.can_comment(person, item),
    }
