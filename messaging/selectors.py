"""Reads about conversations, always through access."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from environet.compiled import ByIds, Joined, Kept, Prepared, attach, prepare
from messaging import access
from messaging.models import Attachment, Follow, Message, Reading, Thread
from topics.access import topics_visible_to
from topics.models import Topic
from topics.selectors import visible_topics

UNREAD_WINDOW = timedelta(days=30)


def unread_messages(person, *, since: datetime | None = None) -> QuerySet[Message]:
    """Messages of the last 30 days (since ``since``), in threads the person may see, that they have not
    opened."""
    read = Reading.objects.filter(person=person, message=OuterRef("pk"))
    return (
        _visible_messages(person)
        .filter(
            created_at__gte=timezone.now() - UNREAD_WINDOW if since is None else since,
            retracted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .exclude(author=person)
        .exclude(Exists(read))
    )


@dataclass(frozen=True)
class Unread:
    """What home says of a person's unread messages (``unread_messages``)."""

    alerts: int
    alert_threads: list[int]  # the threads of those alerts, by id
    mentions: int  # messages that mention the person
    in_topics: int  # messages filed under any of the topics asked about


def home_unread(
    *, person, topics: list[Topic], visible: list[Topic] | None = None
) -> tuple[Unread, list[tuple[Topic, int]]]:
    """What home says of the person's unread messages (``unread_messages``), ``topics`` being the topics they
    follow, and how many are unread in each topic they may see (as ``topics_overview`` says), in one statement:
    the access rule asked of each of the month's messages was most of home's time in the database, once per
    count. The unread messages are worked out once (a materialised common table), then counted by topic, in the
    followed topics, as alerts by thread and as mentions of the person. ``visible``: the topics the person may
    see (``topics_visible_to``), when the caller has read them already."""
    topic_ids = tuple(sorted(topic.pk for topic in topics))

    def counted(unread: Prepared) -> Prepared:
        filed_under = Thread.topics.through._meta.db_table
        mentioned = Message.mentions.through._meta.db_table
        followed = ", ".join(["%s"] * len(topic_ids)) or "NULL"
        sql = (
            # MATERIALIZED: worked out once for the four uses (SQLite 3.35+, PostgreSQL 12+; Django asks for more).
            f"WITH unread (id, thread_id, kind) AS MATERIALIZED ({unread.sql}), "  # noqa: S608 - compiled by the ORM
            f"filed AS (SELECT t.topic_id, u.id FROM unread u JOIN {filed_under} t ON t.thread_id = u.thread_id) "
            "SELECT 'topic', topic_id, COUNT(DISTINCT id) FROM filed GROUP BY topic_id "
            f"UNION ALL SELECT 'followed', NULL, COUNT(DISTINCT id) FROM filed WHERE topic_id IN ({followed}) "
            "UNION ALL SELECT 'alerts', thread_id, COUNT(*) FROM unread WHERE kind = %s GROUP BY thread_id "
            "UNION ALL SELECT 'mentions', NULL, COUNT(*) FROM unread "
            f"WHERE id IN (SELECT message_id FROM {mentioned} WHERE person_id = %s)"
        )
        return Prepared(sql, (*unread.parameters, *topic_ids, Message.Kind.ALERT, person.pk), unread.at)

    rows = _prepared(
        person,
        ("home unread", topic_ids),
        lambda since: unread_messages(person, since=since).order_by().values("pk", "thread_id", "kind"),
        around=counted,
    )
    alerts = {key: count for what, key, count in rows if what == "alerts"}
    by_topic = {key: count for what, key, count in rows if what == "topic"}
    unread = Unread(
        alerts=sum(alerts.values()),
        alert_threads=sorted(alerts),
        mentions=sum(count for what, _key, count in rows if what == "mentions"),
        in_topics=sum(count for what, _key, count in rows if what == "followed") if topic_ids else 0,
    )
    shown = topics_visible_to(person) if visible is None else visible
    return unread, [(topic, by_topic.get(topic.pk, 0)) for topic in shown]


# --- Statements compiled once per reader -------------------------------------------------------------------
#
# Building and compiling the ORM query of the unread messages (the access rule asked of each row, the person's
# readings) cost 20-30 ms a query, more than running it, on every home and overview page. The statement depends
# only on what ``access.rule_key`` says the rule reads of the person (and on what the caller adds to the key);
# what they have read, which threads exist, which forums they are in, the database reads when it runs. So each
# is compiled once per key and run again with the one value that changes per request: the start of the window.

# Stands for the start of the unread window while a statement is compiled (no message is this old).
_SINCE = datetime(1900, 1, 1, 0, 0, 0, 424_242, tzinfo=UTC)
_PREPARED: Kept[Prepared | None] = Kept(1024)


def _prepared(
    person,
    name: Hashable,
    build: Callable[[datetime], Any],
    *,
    windowed: bool = True,
    counted: bool = False,
    around: Callable[[Prepared], Prepared] | None = None,
) -> list[tuple]:
    """The rows of ``build(since)`` (values of integers only: no converters are applied), or with ``counted``
    how many there are, or those of ``around`` the statement, ``since`` being the start of the unread window
    now, from the statement compiled for this reader and ``name``. Not ``windowed``: a statement that does not
    look at the window (``since`` unused)."""
    field = Message._meta.get_field("created_at")

    def compile() -> Prepared | None:
        statement = prepare(build(_SINCE), field.get_db_prep_value(_SINCE, connection, prepared=False), counted=counted)
        if statement is not None and windowed != bool(statement.at):
            raise AssertionError("the window's start is a parameter of the statement if and only if it is windowed")
        return statement if statement is None or around is None else around(statement)

    statement = _PREPARED.statement((access.rule_key(person), name, counted), compile)
    if statement is None:
        return []  # nothing to find (not a reader)
    return statement.rows(field.get_db_prep_value(timezone.now() - UNREAD_WINDOW, connection, prepared=False))


def _prepared_count(person, name: Hashable, build: Callable[[datetime], QuerySet]) -> int:
    rows = _prepared(person, name, build, counted=True)
    return rows[0][0] if rows else 0


def _visible_messages(person) -> QuerySet[Message]:
    """``messages_visible_to``, asked of each message's own row (``access.message_rule``): the unread counts
    and the latest alerts look at the last weeks' messages, and need not have the database work out every
    thread the person may read first, as ``messages_visible_to`` does, on every page."""
    rule = access.message_rule(person)
    return Message.objects.none() if rule is None else Message.objects.filter(rule)


def topics_overview(*, person) -> list[tuple[Topic, int]]:
    counts = dict(
        _prepared(
            person,
            "by topic",
            lambda since: (
                unread_messages(person, since=since)
                .values("thread__topics")
                .annotate(n=Count("pk", distinct=True))
                .values_list("thread__topics", "n")
            ),
        )
    )
    return [(topic, counts.get(topic.pk, 0)) for topic in visible_topics(person)]


def topic_for(person, code: str) -> Topic:
    from django.http import Http404

    topic = topics_visible_to(person).filter(code=code).first()
    if topic is None:
        raise Http404
    return topic


def threads_in(*, person, topic: Topic | None = None) -> QuerySet[Thread]:
    # The rule asked of each thread's own row: the overview takes the latest 20 along the index of
    # last_message_at instead of having every thread the person may read worked out first.
    unread = unread_messages(person).filter(thread=OuterRef("pk"))
    return _as_listed(_ruled_threads(person, topic)).annotate(has_unread=Exists(unread)).order_by(*_LATEST_FIRST)


# A list of threads: newest first, with what it shows of each (a seizure's thread is named in the reader's
# language from its record and lines).
_LATEST_FIRST = ("-last_message_at", "-pk")


# What a row shows of a thread (``_thread_row.html``), its author and organisation, and its record's subject
# (``seizures/thread_subject.txt``): the authors' preferences and secrets, the records' forty columns and the
# lines' every field were most of an overview's reading. A field shown and not read here would cost a query a
# row, which test_overview_queries counts.
LISTED_THREAD = (
    *("id", "subject", "marking", "last_message_at", "author_id", "organisation_id"),
    *("author__id", "author__full_name", "organisation__id", "organisation__name", "organisation__short_name"),
    *("seizure__id", "seizure__thread_id", "seizure__reference", "seizure__country"),
)


def _as_listed(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    from seizures.models import CommodityLine

    return (
        threads.select_related("author", "organisation", "seizure")
        .only(*LISTED_THREAD)
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("id", "code")),
            Prefetch("seizure__lines", queryset=CommodityLine.objects.only("id", "seizure_id", "code")),
        )
    )


# ``_as_listed`` of threads by their ids, from statements compiled once (environet.compiled.Joined, attach).
_LISTED_THREADS = Joined.only(Thread, LISTED_THREAD)
_LISTED_RELATED: Kept[ByIds] = Kept(8)


def _listed_threads(ids: list[int]) -> dict[int, Thread]:
    """``_as_listed(Thread.objects.all()).in_bulk(ids)``, the same objects read at a fraction of the cost (a test
    compares them): the threads with their authors, organisations and records, their topics and records' lines."""
    threads = cast(dict[int, Thread], _LISTED_THREADS.read(ids))
    attach(_LISTED_RELATED, threads.values(), "topics", ("id", "code"))
    records = [thread.seizure for thread in threads.values() if thread._state.fields_cache.get("seizure")]
    attach(_LISTED_RELATED, records, "lines", ("id", "seizure_id", "code"))
    return threads


def _ruled_threads(person, topic: Topic | None) -> QuerySet[Thread]:
    rule = access.thread_rule(person)
    threads = Thread.objects.none() if rule is None else Thread.objects.filter(rule)
    return threads if topic is None else threads.filter(topics=topic)


def latest_threads(*, person, limit: int = 20) -> list[Thread]:
    """``threads_in(person=person)[:limit]``: the overview's latest threads, each with ``has_unread``.

    Their ids and unread marks come from a statement compiled once per reader (``_prepared``): building the
    rule and the unread messages' query cost the overview more than running it. The threads of those ids are
    then read by key, with what the list shows of them."""
    rows = _prepared(
        person,
        ("latest threads", limit),
        lambda since: (
            _ruled_threads(person, None)
            .annotate(has_unread=Exists(unread_messages(person, since=since).filter(thread=OuterRef("pk"))))
            .order_by(*_LATEST_FIRST)
            .values_list("pk", "has_unread")[:limit]
        ),
    )
    found = _listed_threads([pk for pk, _ in rows])
    threads = []
    for pk, has_unread in rows:
        if pk in found:  # not deleted since the ids were read
            thread = found[pk]
            thread.has_unread = bool(has_unread)  # type: ignore[attr-defined]  # as threads_in annotates it
            threads.append(thread)
    return threads


# What a thread page shows of a message and its author: the Markdown source, the author's preferences and
# secrets are not read for fifty messages only to be dropped (a field left out here and shown by
# _message.html would cost a query a message, which test_thread_pages counts).
SHOWN_OF_MESSAGE = (
    *("id", "thread_id", "author_id", "kind", "body_html", "created_at", "edited_at", "retracted_at", "hidden_at"),
    *("author__id", "author__full_name", "author__email", "author__organisation_id"),
    *("author__organisation__id", "author__organisation__name", "author__organisation__short_name"),
)


def thread_messages(*, person, thread: Thread) -> QuerySet[Message]:
    # What a thread page shows of each message: its author, their organisation and its files (a message's
    # earlier texts and who hid it are on its history page, not here).
    return (
        thread.messages.select_related("author", "author__organisation")
        .only(*SHOWN_OF_MESSAGE)
        .prefetch_related("attachments")
    )


THREAD_PAGE_SIZE = 50


@dataclass(frozen=True)
class ThreadPage:
    """A window of a thread's messages, oldest first, with cursors to the windows around it.

    Windows are cut by keyset (created_at, pk) from a message, never by offset, so a link stays on the same
    messages while new ones arrive, and each window costs the same few queries however long the thread is.
    """

    messages: list[Message]
    has_earlier: bool
    is_latest: bool

    @property
    def first(self) -> Message | None:
        return self.messages[0] if self.messages else None

    @property
    def last(self) -> Message | None:
        return self.messages[-1] if self.messages else None


def _earlier_than(messages: QuerySet[Message], cursor: Message) -> QuerySet[Message]:
    return messages.filter(Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, pk__lt=cursor.pk))


def _later_than(messages: QuerySet[Message], cursor: Message, *, inclusive: bool = False) -> QuerySet[Message]:
    same_time = (
        Q(created_at=cursor.created_at, pk__gte=cursor.pk)
        if inclusive
        else Q(created_at=cursor.created_at, pk__gt=cursor.pk)
    )
    return messages.filter(Q(created_at__gt=cursor.created_at) | same_time)


def thread_page(
    *,
    person,
    thread: Thread,
    before: int | None = None,
    after: int | None = None,
    holding: int | None = None,
    size: int = THREAD_PAGE_SIZE,
) -> ThreadPage:
    """The newest ``size`` messages; or those just before/after the message ``before``/``after``; or the
    window that starts at the message ``holding`` (the target of a link to one message).

    A cursor that is not a message of this thread gives the newest messages. A window that reaches the newest
    message is the latest page (the one the live stream appends to).
    """
    cursor_id = next((value for value in (holding, before, after) if value is not None), None)
    cursor = None
    if cursor_id is not None:
        cursor = thread.messages.filter(pk=cursor_id).only("pk", "created_at").first()
    if cursor is not None:
        messages = thread_messages(person=person, thread=thread)
        if before is not None:
            rows = list(_earlier_than(messages, cursor).order_by("-created_at", "-pk")[: size + 1])
            return ThreadPage(messages=rows[:size][::-1], has_earlier=len(rows) > size, is_latest=False)
        rows = list(_later_than(messages, cursor, inclusive=after is None).order_by("created_at", "pk")[: size + 1])
        if len(rows) > size:
            has_earlier = after is not None or _earlier_than(thread.messages.all(), cursor).exists()
            return ThreadPage(messages=rows[:size], has_earlier=has_earlier, is_latest=False)
        # The window reaches the newest message: that is the latest page.
    rows = latest_messages(thread, size + 1)
    return ThreadPage(messages=rows[:size][::-1], has_earlier=len(rows) > size, is_latest=True)


# The latest window, the page most visits open: ``thread_messages(...).order_by("-created_at", "-pk")[:most]``
# from statements compiled once (its ids along message_thread_in_order, then the messages with what the page
# shows of them and of their authors, and their files: environet.compiled.Joined, attach). Building those
# queries and the prefetch, and the ORM's making of fifty messages, cost the page more than its statements.
_A_THREAD = -4_242_424  # stands for the thread while the statement is compiled (no thread has this id)
_LATEST_IDS: Kept[Prepared | None] = Kept(4)
_SHOWN_MESSAGES = Joined.only(Message, SHOWN_OF_MESSAGE)
_FILES: Kept[ByIds] = Kept(4)


def latest_messages(thread: Thread, most: int) -> list[Message]:
    """The thread's ``most`` newest messages, newest first, as ``thread_messages`` reads them."""
    statement = _LATEST_IDS.statement(
        "latest",
        lambda: prepare(
            Message.objects.filter(thread_id=_A_THREAD).order_by("-created_at", "-pk").values_list("pk"),
            _A_THREAD,
            paged=True,
        ),
    )
    ids = [pk for (pk,) in statement.rows(thread.pk, then=(most, 0))] if statement is not None else []
    found = cast(dict[int, Message], _SHOWN_MESSAGES.read(ids))
    files = tuple(field.attname for field in Attachment._meta.concrete_fields)
    attach(_FILES, found.values(), "attachments", files)
    return [found[pk] for pk in ids if pk in found]  # unless deleted since the ids were read


def first_unread(*, person, thread: Thread) -> int | None:
    """The id of the oldest message of the thread the person has not opened (not their own, still shown), from a
    statement compiled once per person (the thread given on each run)."""
    statement = _FIRST_UNREAD.statement(person.pk, lambda: prepare(_first_unread(person, _A_THREAD)[:1], _A_THREAD))
    rows = statement.rows(thread.pk) if statement is not None else []
    return rows[0][0] if rows else None


_FIRST_UNREAD: Kept[Prepared | None] = Kept(1024)


def _first_unread(person, thread_id: int) -> QuerySet:
    read = Reading.objects.filter(person=person, message=OuterRef("pk"))
    return (
        Message.objects.filter(thread_id=thread_id, retracted_at__isnull=True, hidden_at__isnull=True)
        .exclude(author=person)
        .exclude(Exists(read))
        .order_by("created_at", "pk")
        .values_list("pk")
    )


def message_url(message: Message) -> str:
    """A link to one message: the thread's page that holds it, scrolled to it."""
    return f"{reverse('messaging:thread', args=[message.thread_id])}?message={message.pk}#message-{message.pk}"


def follow_state(*, person, thread: Thread) -> str | None:
    """The person's choice for the thread (follow, mute), or None: as their topics say. From a statement compiled
    once per person (the thread given on each run)."""
    statement = _FOLLOW.statement(
        person.pk,
        lambda: prepare(Follow.objects.filter(person=person, thread_id=_A_THREAD).values_list("state")[:1], _A_THREAD),
    )
    rows = statement.rows(thread.pk) if statement is not None else []
    return rows[0][0] if rows else None


_FOLLOW: Kept[Prepared | None] = Kept(1024)


def thread_topics(thread: Thread) -> list[Topic]:
    """The topics and forums the thread is filed under, in their order, from a statement compiled once (and
    kept on the thread as its prefetched topics)."""
    attach(_THREAD_TOPICS, [thread], "topics", tuple(field.attname for field in Topic._meta.concrete_fields))
    return list(thread.topics.all())


_THREAD_TOPICS: Kept[ByIds] = Kept(4)


def readers_of(*, person, message: Message) -> list[Reading]:
    """Who has read an alert: only its author may ask, and only people in the audience can appear."""
    if not access.can_see_receipts(person, message):
        return []
    readings = message.readings.exclude(person=person).select_related("person", "person__organisation")
    # Someone who read it may have left the audience since (a forum, an organisation): their name is not shown.
    return [
        reading
        for reading in readings.order_by("read_at", "pk")
        if access.threads_visible_to(reading.person).filter(pk=message.thread_id).exists()
    ]


def recent_alerts(*, person, limit: int = 5) -> list[Message]:
    """The latest alerts the person may read, newest first, with their threads and authors: their ids from a
    statement compiled once per reader (``_prepared``), then the alerts read by key."""
    rows = _prepared(
        person,
        ("recent alerts", limit),
        lambda since: (
            _visible_messages(person)
            .filter(kind=Message.Kind.ALERT, retracted_at__isnull=True, hidden_at__isnull=True)
            .order_by("-created_at", "-pk")
            .values_list("pk")[:limit]
        ),
        windowed=False,
    )
    found = _SHOWN_ALERTS.read([pk for (pk,) in rows])
    return [cast(Message, found[pk]) for (pk,) in rows if pk in found]  # unless deleted since the ids were read


# What the overview shows of an alert (``overview.html``), read by their ids from a statement compiled once: the
# others are deferred, read if asked.
SHOWN_OF_ALERT = {
    "": ("id", "thread_id", "author_id", "created_at"),
    "thread": ("id", "subject"),
    "author": ("id", "full_name"),
}
_SHOWN_ALERTS = Joined(Message, SHOWN_OF_ALERT)
