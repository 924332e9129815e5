"""Full-text search over the library items a person may see (as messaging/search.py does for messages).

The index is one table, ``library_search``, keyed by item id, holding the title, the summary and the text
found in the current edition's files: on SQLite an FTS5 table, on PostgreSQL a ``to_tsvector('simple', ...)``
column under a GIN index (both made by migration 0002). The library actions and the extraction task keep it
up to date.

The index only says which item ids contain the words. What a person finds, and how many, is always
``access.items_visible_to(person)`` narrowed by those ids and the filters, counted from that same query.
People's words never become query syntax (``messaging.search.fts5_query``; ``websearch_to_tsquery``).

A page of results (``page``, what the library page and the API show) is one query: the page's items, each with
the count of every match (a window), built by the ORM through the access rule and compiled once for the same
reader and filters (``access.rule_key``), then run again with other words. The items' organisations follow in
a second query.
"""

import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from operator import attrgetter
from threading import Lock
from typing import Any

from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.expressions import RawSQL

from accounts.models import Organisation
from library import access
from library.models import Item, LibraryFile
from messaging.search import counted_page, fts5_query, parse
from topics.models import Topic

logger = logging.getLogger(__name__)


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
    words = _words(filters.text)
    if words == "":
        return Item.objects.none()  # only words to leave out: nothing was asked for
    return _found(person, filters, words).select_related("organisation")


def page(*, person, filters: Filters, number: Any = 1, size: int = 20) -> Page:
    """Page ``number`` of ``search(person=..., filters=...)``, as ``Paginator(found, size).get_page(number)``
    gives it (the same items, order, count, and page number for a number out of range or not a number), in
    one query of the page and its count instead of two, without building that query again for every search."""
    return counted_page(lambda shown, rows: _page_items(person, filters, shown, rows), number, size)


def _words(text: str) -> str | None:
    """The index's query for ``text``: None when no words were given, empty when only words to leave out."""
    if not text.strip():
        return None
    if not parse(text)[0]:
        return ""
    return fts5_query(text) if connection.vendor == "sqlite" else text


def _found(person, filters: Filters, words: str | None) -> QuerySet[Item]:
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
    if words is not None:
        conditions.append(Q(pk__in=_matching(words)))
    return access.items_visible_to(person).filter(*conditions)


def _matching(words: str) -> RawSQL:
    """The ids of the items whose index row has the words (``_words``: already the index's query)."""
    if connection.vendor == "sqlite":
        return RawSQL("SELECT rowid FROM library_search WHERE library_search MATCH %s", [words])
    if connection.vendor == "postgresql":
        return RawSQL(
            "SELECT item_id FROM library_search WHERE document @@ websearch_to_tsquery('simple', %s)", [words]
        )
    raise NotImplementedError(connection.vendor)  # pragma: no cover - ENVIRONET runs on SQLite or PostgreSQL


# Stands for the words while a page's query is compiled, to be replaced by the words searched for.
_WORDS = "\x00library-search-words\x00"
# The compiled page queries, by reader (access.rule_key) and filters: (SQL, parameters, where the words go).
_COMPILED: "OrderedDict[tuple, tuple[str, list[Any], int | None] | None]" = OrderedDict()
_COMPILED_KEPT = 512
_lock = Lock()


def _page_items(person, filters: Filters, number: int, size: int) -> tuple[list[Item], int]:
    """The items of page ``number`` (newest first), each with its organisation, and the count of every match."""
    words = _words(filters.text)
    if words == "":
        return [], 0
    compiled = _compiled(person, filters, words is not None)
    if compiled is None:
        return [], 0  # nothing to find (not a reader)
    sql, parameters, where = compiled
    given = list(parameters)
    if where is not None:
        given[where] = words
    items = _in_order(list(Item.objects.raw(sql, [*given, size, (number - 1) * size])))
    if items:
        organisations = Organisation.objects.order_by().in_bulk({item.organisation_id for item in items})
        for item in items:
            Item.organisation.field.set_cached_value(item, organisations[item.organisation_id])
    return items, items[0].total if items else 0  # type: ignore[attr-defined]  # the query's count column


def _compiled(person, filters: Filters, with_words: bool) -> tuple[str, list[Any], int | None] | None:
    key = (
        connection.alias,
        connection.vendor,
        access.rule_key(person),
        filters.kind,
        filters.topic.pk if filters.topic is not None else None,
        filters.convention,
        filters.language,
        filters.organisation.pk if filters.organisation is not None else None,
        filters.year,
        with_words,
    )
    with _lock:
        if key in _COMPILED:
            _COMPILED.move_to_end(key)
            return _COMPILED[key]
    found = _found(person, replace(filters, text=""), _WORDS if with_words else None)
    compiled: tuple[str, list[Any], int | None] | None = None
    if not found.query.is_empty():
        # The page's ids and the count of every match (narrow rows: the database sorts only ids and dates),
        # then the items of those ids, in the same statement (what is shown is what the rule let through).
        query = found.annotate(found_id=F("pk"), total=Window(Count("*"))).values_list("found_id", "total").query
        sql, parameters = query.sql_with_params()
        where = None
        if with_words:
            (where,) = [at for at, value in enumerate(parameters) if value == _WORDS]
        quote = connection.ops.quote_name
        table, id_column = quote(Item._meta.db_table), quote(str(Item._meta.pk.column))
        columns = ", ".join(f"{table}.{quote(str(field.column))}" for field in Item._meta.concrete_fields)
        compiled = (
            f"SELECT {columns}, page.total FROM {table}"  # noqa: S608 - names from the model, values as parameters
            f" INNER JOIN ({sql} LIMIT %s OFFSET %s) page ON {table}.{id_column} = page.found_id",
            list(parameters),
            where,
        )
    with _lock:
        _COMPILED[key] = compiled
        while len(_COMPILED) > _COMPILED_KEPT:
            _COMPILED.popitem(last=False)
    return compiled


def _in_order(items: list[Item]) -> list[Item]:
    """``items`` in ``Item.Meta.ordering`` (the page's query already chose them in that order)."""
    for name in reversed([str(name) for name in Item._meta.ordering or ()]):
        field = name.removeprefix("-")  # the item's own columns (a date, the id), compared as the database does
        items.sort(key=attrgetter(field), reverse=name != field)
    return items


def index(item: Item, *, body: str | None = None, parsed: list[str] | None = None) -> None:
    """Put the item (its title, summary and the current edition's text) in the index; call in the transaction
    that changed it. ``body``: the current edition's text when the caller has it already (read here otherwise).
    ``parsed`` (PostgreSQL): that text's words already parsed, in order (``WordsAhead.parsed``)."""
    if body is None and parsed is None:
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
        elif parsed is not None:
            # The same document as below: tsvectors joined by || number the right one's words after the left one's.
            cursor.execute(
                "INSERT INTO library_search (item_id, document) "
                "VALUES (%s, to_tsvector('simple', %s || ' ' || %s)"
                + " || %s::tsvector" * len(parsed)
                + ") ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                [item.pk, item.title, item.summary, *parsed],
            )
        else:
            cursor.execute(
                "INSERT INTO library_search (item_id, document) "
                "VALUES (%s, to_tsvector('simple', %s || ' ' || %s || ' ' || %s)) "
                "ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                [item.pk, item.title, item.summary, body],
            )


class WordsAhead:
    """On PostgreSQL, the words of a text parsed by the database while the rest of the text is still being read
    (``index(item, parsed=...)``): parsing a 50-page manual's words took about half as long as reading its PDF,
    and this way it happens on the database's processor meanwhile. The text goes in chunks of about ``CHUNK``
    characters, each cut between two pieces (pages, paragraphs), through a pipeline that does not wait for
    answers; each chunk comes back as a tsvector's text. Elsewhere (SQLite's index is built in the same process)
    it does nothing, and ``parsed`` is None.

        ahead = WordsAhead()
        for file in current_files:  # in the order the index joins them (library.search.index)
            with ahead:
                for piece in pieces_of(file):
                    ahead.add(piece)
        ahead.parsed  # None if anything went wrong: the caller then indexes the text itself
    """

    CHUNK = 32_000
    _SQL = "SELECT to_tsvector('simple', %s)::text"

    def __init__(self) -> None:
        self.active = connection.vendor == "postgresql"
        self._chunk: list[str] = []
        self._size = 0
        self._cursors: list[Any] = []
        self._results: list[str] = []
        self._pipeline: Any = None
        self.broken = False

    @property
    def parsed(self) -> list[str] | None:
        return None if not self.active or self.broken else list(self._results)

    def __enter__(self) -> "WordsAhead":
        if self.active and not self.broken:
            connection.ensure_connection()
            self._pipeline = connection.connection.pipeline()
            self._pipeline.__enter__()
        return self

    def add(self, piece: str) -> None:
        if self._pipeline is None:
            return
        self._chunk.append(piece)
        self._size += len(piece) + 1
        if self._size >= self.CHUNK:
            self._send()

    def __exit__(self, kind, error, trace) -> None:
        if self._pipeline is None:
            return
        pipeline, self._pipeline = self._pipeline, None
        try:
            if error is None:
                self._send()
            pipeline.__exit__(kind, error, trace)  # waits for the answers
            self._results += [cursor.fetchone()[0] for cursor in self._cursors]
        except Exception:  # the text is then indexed whole, as without this
            logger.exception("library: parsing the words ahead failed")
            self.broken = True
        finally:
            for cursor in self._cursors:
                cursor.close()
            self._cursors = []
        if error is not None:
            self.broken = True

    def _send(self) -> None:
        if not self._chunk:
            return
        cursor = connection.connection.cursor()
        cursor.execute(self._SQL, ["\n".join(self._chunk)])
        self._cursors.append(cursor)
        self._chunk, self._size = [], 0
