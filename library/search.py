"""Full-text search over the library items a person may see (as messaging/search.py does for messages).

The index is one table, ``library_search``, keyed by item id, holding the title, the summary and the text
found in the current edition's files: on SQLite an FTS5 table, on PostgreSQL a ``to_tsvector('simple', ...)``
column under a GIN index (both made by migration 0002). The library actions and the extraction task keep it
up to date.

The index only says which item ids contain the words. What a person finds, and how many, is always
``access.items_visible_to(person)`` narrowed by those ids and the filters, counted from that same query.
People's words never become query syntax (``messaging.search.fts5_query``; ``websearch_to_tsquery``).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import Organisation
from library import access
from library.models import Item, LibraryFile
from messaging.search import fts5_query, parse
from topics.models import Topic


@dataclass(frozen=True)
class Filters:
    text: str = ""
    kind: str = ""
    topic: Topic | None = None
    convention: str = ""
    language: str = ""
    organisation: Organisation | None = None  # the publishing one
    year: int | None = None


def search(*, person, filters: Filters) -> QuerySet[Item]:
    """Items the person may see that match every filter; newest first (``Item.Meta.ordering``).

    One query (and its count): the words narrow the items through the index (the database starts from the
    matches), and the access rule is asked of those items inside the same SQL (``access.items_visible_to``).
    """
    conditions = []
    if filters.kind:
        conditions.append(Q(kind=filters.kind))
    if filters.topic is not None:
        conditions.append(Q(topics=filters.topic))
    if filters.convention:
        conditions.append(Q(conventions__contains=f",{filters.convention},"))
    if filters.language:
        conditions.append(Q(languages__contains=f",{filters.language},"))
    if filters.organisation is not None:
        conditions.append(Q(organisation=filters.organisation))
    if filters.year:
        conditions.append(Q(published_on__year=filters.year))
    if filters.text.strip():
        if not parse(filters.text)[0]:
            return Item.objects.none()  # only words to leave out: nothing was asked for
        conditions.append(Q(pk__in=_matching(filters.text)))
    return access.items_visible_to(person).filter(*conditions).select_related("organisation")


def _matching(text: str) -> RawSQL:
    """The ids of the items whose index row has the words."""
    if connection.vendor == "sqlite":
        return RawSQL("SELECT rowid FROM library_search WHERE library_search MATCH %s", [fts5_query(text)])
    if connection.vendor == "postgresql":
        return RawSQL("SELECT item_id FROM library_search WHERE document @@ websearch_to_tsquery('simple', %s)", [text])
    raise NotImplementedError(connection.vendor)  # pragma: no cover - ENVIRONET runs on SQLite or PostgreSQL


def index(item: Item) -> None:
    """Put the item (its title, summary and the current edition's text) in the index; call in the transaction
    that changed it."""
    current = item.editions.order_by("-number").first()
    texts = LibraryFile.objects.filter(edition=current).values_list("text", flat=True) if current else []
    body = "\n".join(text for text in texts if text)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM library_search WHERE rowid = %s", [item.pk])
            cursor.execute(
                "INSERT INTO library_search (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                [item.pk, item.title, item.summary, body],
            )
        else:
            cursor.execute(
                "INSERT INTO library_search (item_id, document) "
                "VALUES (%s, to_tsvector('simple', %s || ' ' || %s || ' ' || %s)) "
                "ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                [item.pk, item.title, item.summary, body],
            )
