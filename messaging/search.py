"""Full-text search over the messages a person may see.

The index is one table, ``messaging_search``, keyed by message id and holding the thread's subject and
the message's text: on SQLite an FTS5 table, on PostgreSQL a ``to_tsvector('simple', subject || body)``
column under a GIN index (both made by migration 0003). The messaging actions keep it up to date: a
message is indexed when posted or edited and removed when retracted or hidden.

The index only answers "which message ids contain these words". What a person finds, and how many, is
always ``access.messages_visible_to(person)`` narrowed by those ids and the filters: the count is taken
from that same query, so it cannot reveal what they may not see. The index is asked first, alone; when
the ids are few they are given to that query by value, so the database starts from them, and the access rule
is asked of their threads only (``_containing``).

Words typed by people never become query syntax: on SQLite each word is quoted for FTS5, on PostgreSQL
the text goes to ``websearch_to_tsquery``, which accepts anything; both are passed as parameters.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from math import ceil

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Organisation
from messaging import access, render
from messaging.models import Message
from topics.models import Topic

# A quoted phrase or a bare word, either one perhaps preceded by "-" (leave out what contains it).
_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
SNIPPET_LENGTH = 220
# The search page counts matches up to this many; past it, it says "more than" (see ``Results``).
COUNT_LIMIT = 1000
# Up to this many matches, the matching ids are given to the search by value (see ``_containing``); a list
# well within SQLite's limit of bound parameters (32,766).
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
    """Messages the person may see, still shown (not retracted or hidden), that match; newest first."""
    found = _containing(person, filters.text).filter(retracted_at__isnull=True, hidden_at__isnull=True)
    if filters.topic is not None:
        found = found.filter(thread__topics=filters.topic)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.organisation is not None:
        found = found.filter(author__organisation=filters.organisation)
    if filters.country:
        found = found.filter(author__organisation__country=filters.country)
    if filters.author:
        found = found.filter(author__email__iexact=filters.author)
    zone = timezone.get_current_timezone()
    if filters.date_from:
        found = found.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=zone))
    if filters.date_to:
        found = found.filter(created_at__lte=datetime.combine(filters.date_to, time.max, tzinfo=zone))
    if filters.marking:
        found = found.filter(thread__marking=filters.marking)
    return (
        found.select_related("thread", "thread__seizure", "author", "author__organisation")
        .prefetch_related("thread__seizure__lines")  # a seizure's thread is named in the reader's language
        .order_by("-created_at", "-pk")
    )


class Results(Paginator):
    """The search page's pages.

    The count stops at COUNT_LIMIT: counting every visible match of a very common word costs more than the
    page itself (the access rule for each of them); nobody reads past a thousand results, and the page says
    "more than 1000: add words or filters" instead, with pages of the newest 1000.

    A page takes its ids first, sorted on a narrow row, then reads those messages whole: sorting thousands of
    whole rows (bodies, threads, authors) to keep twenty cost more than all the rest of a search."""

    limit = COUNT_LIMIT
    object_list: QuerySet[Message]

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.limit + 1].count()

    @property
    def more(self) -> bool:
        """There are more matches than counted (the count is the limit's, plus one)."""
        return self.count > self.limit

    @cached_property
    def num_pages(self) -> int:
        """Pages of the newest ``limit`` matches at most."""
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return ceil(max(1, min(self.count, self.limit) - self.orphans) / self.per_page)

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : min(top, self.limit)])
        whole = {message.pk: message for message in self.object_list.filter(pk__in=ids)}
        return Page([whole[pk] for pk in ids if pk in whole], number, self)


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


def _index_query(text: str) -> tuple[str, list[str]]:
    """The SQL (and its parameters) of the message ids whose subject or text contain the words."""
    if connection.vendor == "sqlite":
        return "SELECT rowid FROM messaging_search WHERE messaging_search MATCH %s", [fts5_query(text)]
    if connection.vendor == "postgresql":
        return "SELECT message_id FROM messaging_search WHERE document @@ websearch_to_tsquery('simple', %s)", [text]
    raise NotImplementedError(connection.vendor)  # pragma: no cover - ENVIRONET runs on SQLite or PostgreSQL


def matching_ids(text: str, *, limit: int) -> list[int]:
    """Up to ``limit`` ids of messages containing the words, straight from the index (no access rule: never
    show these ids to anyone; ``search`` narrows the visible messages by them)."""
    sql, params = _index_query(text)
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def _containing(person, text: str) -> QuerySet[Message]:
    """The messages the person may see that contain the words (all they may see when no words are given)."""
    # The index is asked first, on its own, for the matching ids. When they are few (a rare word, a phrase)
    # the search is the access rule and the filters applied to those ids, given by value: the database
    # starts from them (the primary key), whatever it guesses of the words. Asked inside one query, both
    # databases guessed wrong for phrases and rare words and walked every message newest first, probing
    # the index and the access rule row by row (110x the raw query on PostgreSQL). The access rule is then
    # asked of those messages' threads only, not of every thread the person may read. For common words the
    # matches are most messages, and walking them newest first is the right plan: the ids stay a subquery.
    if not text.strip():
        return access.messages_visible_to(person)
    if not parse(text)[0]:
        return Message.objects.none()  # only words to leave out: nothing was asked for
    ids = matching_ids(text, limit=FEW_MATCHES + 1)
    if len(ids) <= FEW_MATCHES:
        threads = set(Message.objects.filter(pk__in=ids).values_list("thread_id", flat=True))
        return access.messages_visible_to(person, among_threads=threads).filter(pk__in=ids)
    sql, params = _index_query(text)
    matches = RawSQL(sql, params)  # noqa: S611 - constant SQL; the words are parameters
    return access.messages_visible_to(person).filter(pk__in=matches)


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
