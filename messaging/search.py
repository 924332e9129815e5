"""Full-text search over the messages a person may see.

The index is one table, ``messaging_search``, keyed by message id and holding the thread's subject and
the message's text: on SQLite an FTS5 table, on PostgreSQL a ``to_tsvector('simple', subject || body)``
column under a GIN index (both made by migration 0003). The messaging actions keep it up to date: a
message is indexed when posted or edited and removed when retracted or hidden.

The index only answers "which message ids contain these words". What a person finds, and how many, is
always what the access rule lets through of those ids, narrowed by the filters, and the count is taken from
that same query, so it cannot reveal what they may not see.

A page of results (``page``: the search page and the API) is one statement: the matches the index gives,
newest first, each asked the access rule as a condition on its own row (``access.message_rule``: its
thread read by key, the audience and forum tables probed for that thread), counted (a window: from the index's
matches every visible one, on the walk the newest ``COUNT_LIMIT`` + 1), the page's twenty joined to their
threads, authors and organisations. It is built
by the ORM through the access rule once per reader and filters (``access.rule_key``) and run again with
other words. The index is first asked whether it holds more than ``FEW_MATCHES`` matches (none: no
statement at all). Up to that, the statement starts from the index's matches (on PostgreSQL through the
GIN index, the matches read first and their messages looked up by key). Past it, it walks the messages
newest first, asking each whether it is a match, and stops at the count's limit: the newest thousand of a
common word are near the top (on SQLite the matches are read once and kept aside; PostgreSQL, given the
words as values, plans that walk itself). Both statements are run on the driver's cursor (Django's when
something watches the statements), and the page's objects are made from the rows without ``Model.__init__``
where that gives the same instances (``builder``).

``search`` is the same search as a QuerySet (through ``access.messages_visible_to``): the reference the
tests and the benchmark compare ``page`` with.

Words typed by people never become query syntax: on SQLite each word is quoted for FTS5, on PostgreSQL
the text goes to ``websearch_to_tsquery``, which accepts anything; both are passed as parameters.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from math import ceil
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import BooleanField, F, IntegerField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Organisation, Person
from environet.compiled import Kept, builder, fetch
from messaging import access, render
from messaging.models import Message, Thread
from topics.models import Topic

# A quoted phrase or a bare word, either one perhaps preceded by "-" (leave out what contains it).
_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
SNIPPET_LENGTH = 220
# The search page counts matches up to this many; past it, it says "more than" (see ``Results``).
COUNT_LIMIT = 1000
# Up to this many matches in the index, a page's statement starts from them; past it, it walks the messages
# newest first (see the top of this file).
FEW_MATCHES = 5000


@dataclass(frozen=True)
class Filters:
    text: str = ""
    topic: Topic | None = None
    kind: str = ""
    organisation: Organisation | None = None  # the author's
    country: str = ""  # of the author's organisation
    author: str = ""  # email address
    date_from: date | None = None
    date_to: date | None = None
    marking: str = ""


def search(*, person, filters: Filters) -> QuerySet[Message]:
    """Messages the person may see, still shown (not retracted or hidden), that match; newest first. The
    reference form of the search (``page`` is what the page and the API run)."""
    words = _words(filters.text)
    if words == "":
        return Message.objects.none()  # only words to leave out: nothing was asked for
    found = access.messages_visible_to(person).filter(*_conditions(filters))
    if words is not None:
        found = found.filter(pk__in=RawSQL(*_index_query(words)))  # noqa: S611 - constant SQL, words as parameters
    return (
        found.select_related("thread", "thread__seizure", "author", "author__organisation")
        .prefetch_related("thread__seizure__lines")  # a seizure's thread is named in the reader's language
        .order_by("-created_at", "-pk")
    )


def page(*, person, filters: Filters, number: Any = 1, size: int = 20, limit: int | None = None) -> Page:
    """Page ``number`` of ``search(person=..., filters=...)``, newest first, each message with its thread (and
    the thread's seizure record, named in the reader's language), its author and the author's organisation.

    ``limit``: count up to this many (the search page: ``COUNT_LIMIT``) and then say "more than", with pages
    of the newest ``limit`` only (``Results``); None counts every match (the API). The same messages, order,
    count and page number (for a number out of range or not a number) as ``Results`` or, with None,
    ``Paginator`` over ``search(...)`` give (a test compares them)."""
    return counted_page(lambda shown, rows: _page_messages(person, filters, shown, rows, limit), number, size, limit)


def counted_page(
    fetch: Callable[[int, int], tuple[list, int]], number: Any, size: int, limit: int | None = None
) -> Page:
    """Page ``number`` (as asked: maybe out of range or not a number) of what ``fetch(page, size)`` reads with
    the count of every match in one statement: the same page, and page number, as ``Paginator.get_page``
    would give, fetching again only when the number asked for is not a page there is."""
    first = _as_number(number)
    rows, count = fetch(first, size)
    if not rows and first > 1:  # past the last page: the count, then the last page
        _none, count = fetch(1, 1)
    results = Results(count, size, limit)
    try:
        shown = results.validate_number(number)
    except PageNotAnInteger:
        shown = 1
    except EmptyPage:
        shown = results.num_pages
    if shown != first:
        rows, count = fetch(shown, size)
        results = Results(count, size, limit)
    return Page(rows, shown, results)


class Results(Paginator):
    """The pages of a search whose count is already known (from the page's own statement).

    With a ``limit`` (the search page), the count stops there: counting every visible match of a very common
    word costs more than the page itself (the access rule for each of them); nobody reads past a thousand
    results, and the page says "more than 1000: add words or filters" instead, with pages of the newest 1000.
    The count is then the limit's plus one when there are more."""

    def __init__(self, count: int, per_page: int, limit: int | None = None) -> None:
        super().__init__([], per_page)
        self.limit = limit
        self.__dict__["count"] = count  # Paginator.count is a cached property

    @property
    def more(self) -> bool:
        """There are more matches than counted."""
        return self.limit is not None and self.count > self.limit

    @property
    def num_pages(self) -> int:  # Paginator's is a cached property
        """Pages of the newest ``limit`` matches at most."""
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        shown = self.count if self.limit is None else min(self.count, self.limit)
        return ceil(max(1, shown - self.orphans) / self.per_page)


def _as_number(number: Any) -> int:
    """The page asked for, as a first guess (``Paginator.validate_number`` has the last word)."""
    try:
        return max(1, int(number))
    except (TypeError, ValueError):
        return 1


def parse(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """The words to find (each a phrase of one or more words) and those to leave out ("-word")."""
    wanted: list[list[str]] = []
    unwanted: list[list[str]] = []
    for match in _PART.finditer(text):
        negative = bool(match.group(1) or match.group(3))
        words = _WORD.findall(match.group(2) if match.group(2) is not None else match.group(4))
        if words:
            (unwanted if negative else wanted).append(words)
    return wanted, unwanted


def fts5_query(text: str) -> str:
    """An FTS5 expression with every phrase quoted, so no operator (NEAR, *, ^, :, -) is ever read from
    people's words. Empty when there is nothing to look for."""
    wanted, unwanted = parse(text)
    if not wanted:
        return ""
    quoted = ['"' + " ".join(words) + '"' for words in wanted]
    return "(" + " AND ".join(quoted) + ")" + "".join(f' NOT "{" ".join(words)}"' for words in unwanted)


def _words(text: str) -> str | None:
    """The index's query for ``text``: None when no words were given, empty when only words to leave out."""
    if not text.strip():
        return None
    if not parse(text)[0]:
        return ""
    return fts5_query(text) if connection.vendor == "sqlite" else text


def _index_query(words: str) -> tuple[str, list[str]]:
    """The SQL (and its parameters) of the message ids whose subject or text hold ``words`` (``_words``)."""
    if connection.vendor == "sqlite":
        return "SELECT rowid FROM messaging_search WHERE messaging_search MATCH %s", [words]
    if connection.vendor == "postgresql":
        return "SELECT message_id FROM messaging_search WHERE document @@ websearch_to_tsquery('simple', %s)", [words]
    raise NotImplementedError(connection.vendor)  # pragma: no cover - ENVIRONET runs on SQLite or PostgreSQL


def matching_ids(text: str, *, limit: int) -> list[int]:
    """Up to ``limit`` ids of messages containing the words, straight from the index (no access rule: never
    show these ids to anyone)."""
    words = _words(text)
    if not words:
        return []
    sql, params = _index_query(words)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def _conditions(filters: Filters) -> list[Q]:
    """The filters (all but the words) as conditions on messages: still shown, and each filter given."""
    conditions = [Q(retracted_at__isnull=True, hidden_at__isnull=True)]
    if filters.topic is not None:
        conditions.append(Q(thread__topics=filters.topic))
    if filters.kind:
        conditions.append(Q(kind=filters.kind))
    if filters.organisation is not None:
        conditions.append(Q(author__organisation=filters.organisation))
    if filters.country:
        conditions.append(Q(author__organisation__country=filters.country))
    if filters.author:
        conditions.append(Q(author__email__iexact=filters.author))
    zone = timezone.get_current_timezone()
    if filters.date_from:
        conditions.append(Q(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone)))
    if filters.date_to:
        conditions.append(Q(created_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=zone)))
    if filters.marking:
        conditions.append(Q(thread__marking=filters.marking))
    return conditions


# --- A page in one statement ------------------------------------------------------------------------------

# Stands for the words while a page's statement is compiled, to be replaced by the words searched for.
_WORDS = "\x00message-search-words\x00"
# The compiled statements, by reader (access.rule_key), filters and road; None: nothing to find.
_COMPILED: Kept["_Statement | None"] = Kept(512)


@dataclass(frozen=True)
class _Statement:
    sql: str
    parameters: list[Any]
    words_at: tuple[int, ...]  # where the words go among the parameters
    converters: dict[int, tuple[list[Any], Any]]  # the columns' converters (as the ORM applies them)
    compiler: Any


# What each row of a page holds, in order: the message, its thread, its author, the author's organisation
# (and then the id of the thread's seizure record, if it is one's, and the count). Of the thread, the author
# and the organisation, what results show (the rest is read if asked, as with ``only``): making every field
# of 20 of each, with their dates and settings decoded, cost more than the statement.
_SHOWN: dict[type[Model], tuple[str, ...]] = {
    Message: (),  # all
    Thread: ("id", "subject", "marking", "audience", "audience_countries", "author_id", "organisation_id"),
    Person: ("id", "email", "full_name", "organisation_id", "state"),
    Organisation: ("id", "name", "short_name", "country"),
}


def _shown_fields(model: type[Model]) -> list[Any]:
    """The fields of ``model`` a page reads, in the model's order (``Model.from_db`` expects it)."""
    wanted = _SHOWN[model]
    return [field for field in model._meta.concrete_fields if not wanted or field.attname in wanted]


def _bounds() -> list[tuple[int, int]]:
    """Where each model's values are in a page's row."""
    bounds, at = [], 0
    for model in _SHOWN:
        width = len(_shown_fields(model))
        bounds.append((at, at + width))
        at += width
    return bounds


_BOUNDS = _bounds()

# A seizure record's thread is named in the reader's language (Thread.shown_subject): the record, by the
# reverse one-to-one field the seizures app adds to threads.
_RECORD = Thread._meta.get_field("seizure")
_SEIZURE: type[Model] = _RECORD.related_model


def _page_messages(person, filters: Filters, number: int, size: int, limit: int | None) -> tuple[list[Message], int]:
    """The messages of page ``number`` (newest first) and the count of every match, up to ``limit`` + 1."""
    words = _words(filters.text)
    if words == "":
        return [], 0
    road = "walk"
    if words is not None:
        matches = _index_count(words, FEW_MATCHES + 1)
        if matches == 0:
            return [], 0
        road = "index" if matches <= FEW_MATCHES else "walk"
    statement = _statement(person, filters, words is not None, road, limit)
    if statement is None:
        return [], 0  # nothing to find (not a reader)
    bottom = (number - 1) * size
    shown = size if limit is None else max(0, min(size, limit - bottom))
    given = list(statement.parameters)
    for at in statement.words_at:
        given[at] = words
    # Starting from a few matches, a plan made once serves any words (a rare word's page: 5.9 ms -> 3.4 on
    # PostgreSQL); the walk for a common word is planned for its words each time, as the count is.
    rows = fetch(statement.sql, [*given, shown, bottom], all_rows=True, plan_once=road != "walk")
    if not rows:
        return [], 0
    rows = list(statement.compiler.apply_converters(rows, statement.converters))
    total = rows[0][-1]  # on the index's road every visible match is counted (``_compile``): the limit's here
    return _messages(rows), total if limit is None else min(total, limit + 1)


def _index_count(words: str, most: int) -> int:
    """How many messages hold ``words``, counted up to ``most``."""
    sql, params = _index_query(words)
    # Planned for its words each time: with a plan made once for any words, a common word's count took 24 ms
    # instead of 15 on PostgreSQL (bench/search.py).
    counting = f"SELECT count(*) FROM ({sql} LIMIT %s) matches"  # noqa: S608 - constant SQL
    return fetch(counting, [*params, most], plan_once=False)[0]


def _statement(person, filters: Filters, with_words: bool, road: str, limit: int | None) -> "_Statement | None":
    zone = timezone.get_current_timezone()
    key = (
        access.rule_key(person),
        filters.topic.pk if filters.topic is not None else None,
        filters.kind,
        filters.organisation.pk if filters.organisation is not None else None,
        filters.country,
        filters.author,
        datetime.combine(filters.date_from, time.min, tzinfo=zone) if filters.date_from else None,
        datetime.combine(filters.date_to, time.max, tzinfo=zone) if filters.date_to else None,
        filters.marking,
        with_words,
        road,
        limit,
    )
    return _COMPILED.statement(key, lambda: _compile(person, filters, with_words, road, limit))


def _compile(person, filters: Filters, with_words: bool, road: str, limit: int | None) -> "_Statement | None":
    rule = access.message_rule(person)
    if rule is None:
        return None
    found = Message.objects.filter(rule, *_conditions(filters))
    if with_words:
        index_sql, index_parameters = _index_query(_WORDS)
        quote = connection.ops.quote_name
        key = f"{quote(Message._meta.db_table)}.{quote(str(Message._meta.pk.column))}"
        if road == "index" and connection.vendor == "postgresql":
            # The matches read first (the GIN index), then their messages by key: given "id IN (matches)",
            # PostgreSQL guessed the rule's share of all messages cheaper to hash than a few matches to look up,
            # and read every message (68 ms against 1 ms, 100,000 messages, a word in 83).
            matches = RawSQL(f"{key} = ANY(ARRAY({index_sql}))", index_parameters, output_field=BooleanField())  # noqa: S611
            found = found.filter(matches)
        elif road == "walk" and connection.vendor == "sqlite":
            # "+id" is not the key to SQLite: it walks the messages newest first (the index on created_at) and
            # asks each whether it is among the matches (read once), instead of starting from the matches.
            walked = RawSQL(f"+{key}", (), output_field=IntegerField())  # noqa: S611 - names from the model
            found = found.alias(walked=walked).filter(walked__in=RawSQL(index_sql, index_parameters))  # noqa: S611
        else:
            found = found.filter(pk__in=RawSQL(index_sql, index_parameters))  # noqa: S611 - constant SQL, words as parameters
    # In no order (the page's statement sorts what it keeps), but for the walk's cut below.
    narrow = found.annotate(found_id=F("pk"), found_at=F("created_at")).values_list("found_id", "found_at").order_by()
    if limit is not None and road == "walk":
        # The walk stops at the limit's match. Starting from the index's few matches, every visible one is
        # counted instead (``_page_messages`` says "more than" past the limit): sorting them to cut them
        # cost more than counting the rest (SQLite, a rare word: a sort of its 100 matches before the page's).
        narrow = narrow.order_by("-created_at", "-pk")[: limit + 1]
    inner, parameters = narrow.query.sql_with_params()
    words_at = tuple(at for at, value in enumerate(parameters) if value == _WORDS)
    quote = connection.ops.quote_name
    fields = [field for model in _SHOWN for field in _shown_fields(model)]
    tables = {model: f"shown{number}" for number, model in enumerate(_SHOWN)}
    columns = ", ".join(f"{tables[field.model]}.{quote(str(field.column))}" for field in fields)

    def joined(model: type[Model], on: str, *, kind: str = "INNER", key: str = "") -> str:
        name, column = tables.get(model, "seizure"), quote(key or str(model._meta.pk.column))
        return f" {kind} JOIN {quote(model._meta.db_table)} {name} ON {name}.{column} = {on}"

    message, thread, author = tables[Message], tables[Thread], tables[Person]
    sql = (
        f"SELECT {columns}, seizure.{quote(str(_SEIZURE._meta.pk.column))}, page.total"  # noqa: S608 - names from the models
        f" FROM (SELECT found.found_id, found.found_at, COUNT(*) OVER () AS total FROM ({inner}) found"
        " ORDER BY found.found_at DESC, found.found_id DESC LIMIT %s OFFSET %s) page"
        + joined(Message, "page.found_id")
        + joined(Thread, f"{message}.{quote('thread_id')}")
        + joined(Person, f"{message}.{quote('author_id')}")
        + joined(Organisation, f"{author}.{quote('organisation_id')}")
        + joined(_SEIZURE, f"{thread}.{quote('id')}", kind="LEFT OUTER", key="thread_id")
        + " ORDER BY page.found_at DESC, page.found_id DESC"
    )
    compiler = Message.objects.none().query.get_compiler(connection.alias)
    converters = compiler.get_converters([field.get_col(tables[field.model]) for field in fields])
    return _Statement(sql, list(parameters), words_at, converters, compiler)


def _messages(rows: list[Any]) -> list[Message]:
    """The page's messages from its rows, each with its thread, author and organisation (shared between
    rows), and the threads of seizure records with their record and its lines (to name them)."""
    alias = connection.alias
    builders = [builder(model, alias, _shown_fields(model)) for model in _SHOWN]
    make_message, make_thread, make_author, make_organisation = builders
    (m0, m1), (t0, t1), (a0, a1), (o0, o1) = _BOUNDS
    record_at = o1
    kept: dict[tuple[int, Any], Model] = {}
    on_thread, on_author = Message.thread.field.set_cached_value, Message.author.field.set_cached_value
    on_organisation, on_record = Person.organisation.field.set_cached_value, _RECORD.set_cached_value

    def shared(kind: int, make: Callable[[Any], Any], values: Any) -> Any:
        found = kept.get((kind, values[0]))
        if found is None:
            found = kept[kind, values[0]] = make(values)
        return found

    messages, seizures = [], {}
    for row in rows:
        message = make_message(row[m0:m1])
        thread = shared(1, make_thread, row[t0:t1])
        author = shared(2, make_author, row[a0:a1])
        on_organisation(author, shared(3, make_organisation, row[o0:o1]))
        on_thread(message, thread)
        on_author(message, author)
        if row[record_at] is None:
            on_record(thread, None)
        else:
            seizures[row[record_at]] = thread
        messages.append(message)
    if seizures:
        named = _SEIZURE._default_manager.prefetch_related("lines").in_bulk(list(seizures))
        for pk, thread in seizures.items():
            on_record(thread, named[pk])
    return messages


# --- Keeping the index -------------------------------------------------------------------------------


def index(message: Message) -> None:
    """Add the message (or its new text) to the index; call inside the transaction that wrote it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM messaging_search WHERE rowid = %s", [message.pk])
            cursor.execute(
                "INSERT INTO messaging_search (rowid, subject, body) VALUES (%s, %s, %s)",
                [message.pk, message.thread.subject, message.body],
            )
        else:
            cursor.execute(
                "INSERT INTO messaging_search (message_id, document) "
                "VALUES (%s, to_tsvector('simple', %s || ' ' || %s)) "
                "ON CONFLICT (message_id) DO UPDATE SET document = EXCLUDED.document",
                [message.pk, message.thread.subject, message.body],
            )


def remove(message: Message) -> None:
    """Take the message out of the index (retracted or hidden: it must not be found any more)."""
    column = "rowid" if connection.vendor == "sqlite" else "message_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM messaging_search WHERE {column} = %s", [message.pk])  # noqa: S608


# --- Showing results ---------------------------------------------------------------------------------


def _snippet_parts(body: str, text: str) -> list[tuple[str, bool]]:
    """A piece of the message around the first word found, as (text, is a word found) parts: the text a reader
    sees (Markdown syntax taken out by the renderer's own parser), never the raw Markdown."""
    flat = render.to_text(body)
    words = sorted({word for phrase in parse(text)[0] for word in phrase}, key=len, reverse=True)
    if not words:
        return [(flat[:SNIPPET_LENGTH] + ("…" if len(flat) > SNIPPET_LENGTH else ""), False)]
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])", re.IGNORECASE)
    first = pattern.search(flat)
    start = max(0, first.start() - SNIPPET_LENGTH // 3) if first else 0
    piece = flat[start : start + SNIPPET_LENGTH]
    parts = [("…", False)] if start else []
    position = 0
    for match in pattern.finditer(piece):
        parts += [(piece[position : match.start()], False), (match.group(), True)]
        position = match.end()
    parts.append((piece[position:], False))
    if start + SNIPPET_LENGTH < len(flat):
        parts.append(("…", False))
    return parts


def snippet(body: str, text: str) -> SafeString:
    """The piece of the message to show in results: escaped, the words found in <mark>."""
    html = "".join(
        f"<mark>{escape(part)}</mark>" if found else escape(part) for part, found in _snippet_parts(body, text)
    )
    return mark_safe(html)  # noqa: S308 - every piece of the message is escaped above


def snippet_text(body: str, text: str) -> str:
    """The same piece as plain text (for the API)."""
    return "".join(part for part, _ in _snippet_parts(body, text))
