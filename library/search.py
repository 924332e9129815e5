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
from django.db.models import QuerySet
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
    """Items the person may see that match every filter; newest first."""
    found = access.items_visible_to(person)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.topic is not None:
        found = found.filter(topics=filters.topic)
    if filters.convention:
        found = found.filter(conventions__contains=f",{filters.convention},")
    if filters.language:
        found = found.filter(languages__contains=f",{filters.language},")
    if filters.organisation is not None:
        found = found.filter(organisation=filters.organisation)
    if filters.year:
        found = found.filter(published_on__year=filters.year)
    if filters.text.strip():
        found = _matching(found, filters.text)
    return found.select_related("organisation").order_by("-published_on", "-pk")


def _matching(found: QuerySet[Item], text: str) -> QuerySet[Item]:
    if not parse(text)[0]:
        return found.none()  # only words to leave out: nothing was asked for
    if connection.vendor == "sqlite":
        ids = RawSQL("SELECT rowid FROM library_search WHERE library_search MATCH %s", [fts5_query(text)])
    elif connection.vendor == "postgresql":
        ids = RawSQL("SELECT item_id FROM library_search WHERE document @@ websearch_to_tsquery('simple', %s)", [text])
    else:  # pragma: no cover - ENVIRONET runs on SQLite or PostgreSQL
        raise NotImplementedError(connection.vendor)
    return found.filter(pk__in=ids)


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
