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
reader and filters (``access.rule_key``), then run again with other words; the items' organisations are joined
in the same statement.
"""

import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from django.core.paginator import Page
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.expressions import RawSQL

from accounts.models import Organisation
from environet.compiled import Kept, builder, fetch
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


@dataclass(frozen=True)
class _Statement:
    """A page's compiled statement: its SQL and parameters, where the words go among them, and how to turn its
    rows into values (Django's converters for the item's and its organisation's columns)."""

    sql: str
    parameters: list[Any]
    words_at: int | None
    converters: dict[int, Any]
    compiler: Any


# The compiled page statements, by reader (access.rule_key) and filters.
_COMPILED: Kept[_Statement | None] = Kept(512)
_ITEM_FIELDS = list(Item._meta.concrete_fields)
_ORGANISATION_FIELDS = list(Organisation._meta.concrete_fields)


def _page_items(person, filters: Filters, number: int, size: int) -> tuple[list[Item], int]:
    """The items of page ``number`` (newest first), each with its organisation, and the count of every match.

    Read on the driver's cursor and made without ``Model.__init__`` (``environet.compiled.fetch`` and
    ``builder``): for a rare word, the ORM's making of twenty items cost more than the statement."""
    words = _words(filters.text)
    if words == "":
        return [], 0
    statement = _compiled(person, filters, words is not None)
    if statement is None:
        return [], 0  # nothing to find (not a reader)
    given = list(statement.parameters)
    if statement.words_at is not None:
        given[statement.words_at] = words
    rows = fetch(statement.sql, [*given, size, (number - 1) * size], all_rows=True)
    if not rows:
        return [], 0
    rows = statement.compiler.apply_converters(rows, statement.converters)
    alias, width = connection.alias, len(_ITEM_FIELDS)
    make_item = builder(Item, alias, _ITEM_FIELDS)
    make_organisation = builder(Organisation, alias, _ORGANISATION_FIELDS)
    on_organisation = Item.organisation.field.set_cached_value
    organisations: dict[Any, Organisation] = {}
    items, total = [], 0
    for row in rows:
        item = make_item(row[:width])
        values = row[width:-1]
        organisation = organisations.get(values[0])
        if organisation is None:
            organisation = organisations[values[0]] = make_organisation(values)
        on_organisation(item, organisation)
        items.append(item)
        total = row[-1]
    return items, total


def _compiled(person, filters: Filters, with_words: bool) -> _Statement | None:
    key = (
        access.rule_key(person),
        filters.kind,
        filters.topic.pk if filters.topic is not None else None,
        filters.convention,
        filters.language,
        filters.organisation.pk if filters.organisation is not None else None,
        filters.year,
        with_words,
    )

    def compile() -> _Statement | None:
        found = _found(person, replace(filters, text=""), _WORDS if with_words else None)
        return None if found.query.is_empty() else _compile(found, with_words)

    return _COMPILED.statement(key, compile)


def _compile(found: QuerySet[Item], with_words: bool) -> _Statement:
    # The page's ids and the count of every match (narrow rows: the database sorts only ids and dates), then
    # the items of those ids and their organisations, in the same statement (what is shown is what the rule let
    # through), in the items' order.
    query = found.annotate(found_id=F("pk"), total=Window(Count("*"))).values_list("found_id", "total").query
    sql, parameters = query.sql_with_params()
    where = None
    if with_words:
        (where,) = [at for at, value in enumerate(parameters) if value == _WORDS]
    quote = connection.ops.quote_name
    item, organisation = quote(Item._meta.db_table), quote(Organisation._meta.db_table)
    columns = ", ".join(
        [f"{item}.{quote(str(field.column))}" for field in _ITEM_FIELDS]
        + [f"{organisation}.{quote(str(field.column))}" for field in _ORGANISATION_FIELDS]
    )
    order = ", ".join(
        f"{item}.{quote(_column(name.removeprefix('-')))}" + (" DESC" if name.startswith("-") else "")
        for name in (str(name) for name in Item._meta.ordering or ())
    )
    statement = (
        f"SELECT {columns}, page.total FROM {item}"  # noqa: S608 - names from the models, values as parameters
        f" INNER JOIN ({sql} LIMIT %s OFFSET %s) page ON {item}.{quote(str(Item._meta.pk.column))} = page.found_id"
        f" INNER JOIN {organisation} ON {organisation}.{quote(str(Organisation._meta.pk.column))}"
        f" = {item}.{quote(str(Item._meta.get_field('organisation').column))}"
        f" ORDER BY {order}"
    )
    compiler = Item.objects.none().query.get_compiler(connection.alias)
    columns_read = [field.get_col(Item._meta.db_table) for field in _ITEM_FIELDS] + [
        field.get_col(Organisation._meta.db_table) for field in _ORGANISATION_FIELDS
    ]
    return _Statement(statement, list(parameters), where, compiler.get_converters(columns_read), compiler)


def _column(name: str) -> str:
    """The column of one of the items' ordering fields (a field of the item's own, or its key)."""
    field = Item._meta.pk if name == "pk" else next(field for field in _ITEM_FIELDS if field.name == name)
    return str(field.column)


def index(item: Item, *, body: str | None = None, ahead: "WordsAhead | None" = None) -> None:
    """Put the item (its title, summary and the current edition's text) in the index; call in the transaction
    that changed it. ``body``: the current edition's text when the caller has it already (read here otherwise).
    ``ahead`` (PostgreSQL): that text's words, already parsed in this transaction (``WordsAhead``), used when
    complete (``WordsAhead.parts``)."""
    parts = ahead.parts if ahead is not None else None
    if body is None and parts is None:
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
        elif ahead is not None and parts is not None:
            # The same document as below: tsvectors joined by || number the right one's words after the left one's.
            # The parts are joined where they are, and deleted by the same statement.
            cursor.execute(
                "WITH parts AS (DELETE FROM library_search_part WHERE reading = %s RETURNING number, document) "  # noqa: S608 - values as parameters
                "INSERT INTO library_search (item_id, document) "
                "VALUES (%s, to_tsvector('simple', %s || ' ' || %s)"
                + " || (SELECT document FROM parts WHERE number = %s)" * parts
                + ") ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                [ahead.reading, item.pk, item.title, item.summary, *range(parts)],
            )
            ahead.taken = True
        else:
            cursor.execute(
                "INSERT INTO library_search (item_id, document) "
                "VALUES (%s, to_tsvector('simple', %s || ' ' || %s || ' ' || %s)) "
                "ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document",
                [item.pk, item.title, item.summary, body],
            )


def reading_transaction() -> Any:
    """Where an item's files are read for the index: on PostgreSQL, in the transaction that then saves what was
    read and indexes it (the words parsed ahead wait in it, ``WordsAhead``); elsewhere outside any (SQLite's writers
    wait for each other: the transaction starts once the files are read)."""
    return transaction.atomic() if connection.vendor == "postgresql" else nullcontext()


class WordsAhead:
    """On PostgreSQL, the words of a text parsed by the database while the rest of the text is still being read
    (``index(item, ahead=...)``): parsing a 50-page manual's words took about half as long as reading its PDF,
    and this way it happens on the database's processor meanwhile. The text goes in chunks of about ``CHUNK``
    characters, each cut between two pieces (pages, paragraphs), through a pipeline that does not wait for
    answers; each chunk's words are kept by the database (``library_search_part``, in the reading's transaction,
    ``reading_transaction``) until the index row is made of them, where they are. Elsewhere (SQLite's index is
    built in the same process) it does nothing, and ``parts`` is None.

        with reading_transaction():
            ahead = WordsAhead()
            for file in current_files:  # in the order the index joins them (library.search.index)
                with ahead:
                    for piece in pieces_of(file):
                        ahead.add(piece)
            index(item, ahead=ahead)  # or ahead.forget(), when its words are not the current text
    """

    CHUNK = 32_000
    _SQL = "INSERT INTO library_search_part (reading, number, document) VALUES (%s, %s, to_tsvector('simple', %s))"
    # Around each file's chunks, queued with them: a file whose chunks fail takes none of its words along.
    _SAVEPOINT = "library_words_ahead"

    def __init__(self) -> None:
        self.active = connection.vendor == "postgresql"
        self.reading = uuid.uuid4()
        self._chunk: list[str] = []
        self._size = 0
        self._sent = 0
        self._pipeline: Any = None
        self.broken = False
        self.taken = False  # by index(), which deleted the parts

    @property
    def parts(self) -> int | None:
        """How many parts hold the words (in order), None if they are not all there."""
        return None if not self.active or self.broken else self._sent

    def forget(self) -> None:
        """Delete the parts that index() did not take (in the reading's transaction, before it commits)."""
        if self.active and self._sent and not self.taken:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM library_search_part WHERE reading = %s", [self.reading])
            self.taken = True

    def __enter__(self) -> "WordsAhead":
        if self.active and not self.broken:
            if not connection.in_atomic_block:
                raise RuntimeError("the words parsed ahead wait in a transaction: reading_transaction()")
            connection.ensure_connection()
            self._pipeline = connection.connection.pipeline()
            self._pipeline.__enter__()
            connection.connection.execute(f"SAVEPOINT {self._SAVEPOINT}")
        return self

    def add(self, piece: str) -> None:
        if self._pipeline is None or self.broken:
            return
        self._chunk.append(piece)
        self._size += len(piece) + 1
        if self._size >= self.CHUNK:
            self._send()

    def __exit__(self, kind, error, trace) -> None:
        if self._pipeline is None:
            return
        pipeline, self._pipeline = self._pipeline, None
        self.broken = self.broken or error is not None
        try:
            if not self.broken:
                self._send()
            if not self.broken:
                connection.connection.execute(f"RELEASE SAVEPOINT {self._SAVEPOINT}")
            pipeline.__exit__(None, None, None)  # waits for the answers
        except Exception:
            logger.exception("library: parsing the words ahead failed")
            self.broken = True
        if self.broken:  # the text is then indexed whole, as without this
            connection.connection.execute(f"ROLLBACK TO SAVEPOINT {self._SAVEPOINT}")
            connection.connection.execute(f"RELEASE SAVEPOINT {self._SAVEPOINT}")

    def _send(self) -> None:
        if not self._chunk:
            return
        chunk, self._chunk, self._size = "\n".join(self._chunk), [], 0
        try:
            connection.connection.execute(self._SQL, [self.reading, self._sent, chunk])
        except Exception:  # an earlier part's failure, reported while this one is queued
            logger.exception("library: parsing the words ahead failed")
            self.broken = True
            return
        self._sent += 1
