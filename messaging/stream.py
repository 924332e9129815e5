"""The Server-Sent Events endpoint: one long response per open page.

Opening a stream is the request a server gets most of: every open page holds one, and every page whose
stream dropped (a restart, a deployment) opens a new one within 3 s. So a signed-in person's stream is
opened by ``serve``, straight from the ASGI server (environet/asgi.py), without Django's request handling
and its middleware: one query reads the session with the person (their reader facts come from the hub's
cache, messaging.live.ReaderFacts), the same checks as Django's are made on them, and the stream starts;
from a thread page (``?thread=``), one more statement asks whether they may read that thread.
Whatever those checks do not accept as it is (no session cookie, a session expired, ended, signed with an
older key or past its limits, a person no longer active, a host not allowed, plain HTTP where HTTPS is
required, no room for another stream) goes to Django's handling, which answers as for any page: sign-in,
401, 400, 503. ``events`` is that view.
"""

import asyncio
import functools
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection as database
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe

from accounts.models import Organisation, Person, session_auth_hash
from environet import limits, loop_reads
from messaging import access, live
from messaging import events as event_log
from messaging.models import Event, Follow
from topics.models import Topic, TopicChoice

BACKLOG_LIMIT = 2000
LIVE_THREAD = "live-streams"  # the name of the thread the streams share (``_briefly``)
# The streams' one thread. Given to each read as its executor rather than through a ThreadSensitiveContext
# around each stream: that context, set for hours, kept a context object and its variables with every open
# stream (about 6 more objects each for the garbage collector to go through, 10,000 streams: bench/fanout.py).
LIVE_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix=LIVE_THREAD)


def load_reader(person, watching: int | None) -> access.Reader:
    """The reader of ``person``'s stream, read from the database (and kept in the hub's ReaderFacts)."""
    mark = live.hub.facts.mark()
    follows = dict(Follow.objects.filter(person=person).values_list("thread_id", "state"))
    watched = watching if watching and access.threads_visible_to(person).filter(pk=watching).exists() else None
    facts = live.hub.facts.put(
        person.pk,
        time.monotonic(),
        (
            person.organisation_id,
            person.organisation.country,
            person.forums.values_list("pk", flat=True),
            TopicChoice.objects.filter(person=person)
            .exclude(delivery=TopicChoice.Delivery.NONE)
            .values_list("topic__code", flat=True),
            [thread for thread, state in follows.items() if state == Follow.State.FOLLOW],
            [thread for thread, state in follows.items() if state == Follow.State.MUTE],
        ),
        mark,
    )
    organisation_id, country, forums, topics, followed, muted = facts
    return access.Reader(person.pk, organisation_id, country, forums, topics, followed, muted, watching=watched)


def stored_page(after: int, reader: access.Reader) -> tuple[list[dict], int, bool]:
    """The events newer than ``after`` that this reader wants, oldest first, from at most BACKLOG_LIMIT
    stored ones; the highest id examined; and whether there may be more after it."""
    rows = list(Event.objects.filter(pk__gt=after).order_by("pk")[:BACKLOG_LIMIT])
    if not rows:
        return [], after, False
    examined = rows[-1].pk
    # Today's access rule and today's content, whatever the event was when it was stored (messaging.events).
    person = Person.objects.select_related("organisation").filter(pk=reader.person_id).first()
    built = event_log.for_reader(rows, person) if person is not None else []
    return [event for event in built if reader.wants(event)], examined, len(rows) == BACKLOG_LIMIT


def stored_events(after: int, reader: access.Reader) -> list[dict]:
    """Events newer than ``after`` that this reader wants, oldest first (the first page of them)."""
    return stored_page(after, reader)[0]


def _last_event_id(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    return int(raw) if raw.isdigit() else -1


def _latest_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


class EventStream(StreamingHttpResponse):
    """A Server-Sent Events response. Its body already yields bytes, so the server takes them straight
    from it, without the two generators Django otherwise wraps around an asynchronous body (each of which
    would run for every event on every open stream)."""

    def __init__(self, body: AsyncIterator[bytes]) -> None:
        super().__init__(body, content_type="text/event-stream")
        self.frames = body

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.frames


def _briefly[**P, R](function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``function`` run in the request's thread, which then lets go of its database connection.

    A stream stays open for hours and reads the database only now and then: it must not hold a
    connection all that time (with PostgreSQL a few hundred open pages would use up the server's
    connections; with SQLite each keeps its own page cache). The streams' shared thread
    (``_in_the_streams_thread``) is the exception: it keeps its one connection for all the streams of the
    process, as opening one for each stream would cost more than the rest of the opening; one that failed is
    replaced, as Django does between requests. A connection inside a transaction (the tests') is left alone."""
    return sync_to_async(_letting_go(function))


def _in_the_streams_thread[**P, R](function: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``_briefly``, in the streams' one thread (``LIVE_EXECUTOR``): for the streams ``serve`` opens."""
    return sync_to_async(_letting_go(function), thread_sensitive=False, executor=LIVE_EXECUTOR)


def _letting_go[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """``function``, after which the thread lets go of its database connections (see ``_briefly``)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            shared = threading.current_thread().name.startswith(LIVE_THREAD)
            for connection in connections.all(initialized_only=True):
                if connection.in_atomic_block:
                    continue
                if not shared:
                    connection.close()
                elif connection.errors_occurred:
                    if connection.is_usable():
                        connection.errors_occurred = False
                    else:
                        connection.close()

    return run


def _opening(request: HttpRequest, watching: int | None) -> tuple[access.Reader | None, int, float]:
    """What a new stream needs, read in one trip to the database: the reader (None when the person may
    not have a stream), the id it starts after, and the seconds until its session ends."""
    person = request.user
    if not (person.is_authenticated and person.is_active):
        return None, 0, 0
    reader = load_reader(person, watching)
    latest = _latest_event_id()
    after = _last_event_id(request)
    # A fresh page starts from now; an id from the future (a restored database, a made-up header) would
    # hold back every event up to it.
    after = latest if after < 0 else min(after, latest)
    # The stream ends when the session would: the browser then reconnects through the session checks.
    now = time.time()
    session = request.session
    ends = min(
        session.get("signed_in_at", now) + settings.SESSION_MAX_SECONDS,
        session.get("seen_at", now) + settings.SESSION_IDLE_SECONDS,
    )
    return reader, after, ends - now


def _full() -> HttpResponse:
    """More streams than this process can hold: the page tries again later, from its last event."""
    response = HttpResponse(
        "This server holds as many live streams as it can; try again shortly.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(limits.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
async def events(request: HttpRequest) -> HttpResponseBase:
    if isinstance(request, WSGIRequest):
        # A WSGI server reads an asynchronous body to its end before sending any of it, and a stream ends
        # only with the session: each open page would hold a server thread, and its events in memory, for
        # hours. 204 tells the page to stop asking; it then says live updates are paused.
        return HttpResponse(status=204)
    if len(live.hub.connections) >= limits.stream_capacity():
        return _full()
    watching_raw = request.GET.get("thread", "")
    watching = int(watching_raw) if watching_raw.isdigit() else None
    reader, after, remaining = await _briefly(_opening)(request, watching)
    if reader is None:
        return HttpResponse(status=401)
    person = request.user

    async def backlog(since: int, current: access.Reader) -> tuple[list[dict], int, bool]:
        return await _briefly(stored_page)(since, current)

    async def reload_reader(watched: int | None) -> access.Reader:
        return await _briefly(load_reader)(person, watched)

    deadline = asyncio.get_running_loop().time() + max(remaining, 1)
    body = live.stream(reader, after=after, backlog=backlog, reload_reader=reload_reader, deadline=deadline)
    response = EventStream(body)
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


# --- Opening a stream straight from the ASGI server (see the module's docstring) --------------------------

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# The backends that read a session's person (accounts.backends): both check the same person, active.
SESSION_BACKENDS = frozenset({"django.contrib.auth.backends.ModelBackend", "accounts.backends.SignedInPerson"})
# Session key -> the person it was last found signed in as: a guess that lets one query read the session
# and the person together. The session read then says whose it is; a wrong guess costs a second query.
_whose: dict[str, int] = {}
_WHOSE_LIMIT = 100_000


@functools.cache
def _datetime_adapter() -> Callable[[Any], Any]:
    # Read once: Django's connection object, asked for in a stream's task, would be made and kept for each
    # stream (environet/loop_reads.py).
    return database.ops.adapt_datetimefield_value


def _as_stored(moment: Any) -> Any:
    """``moment`` as this database's statements take it."""
    return _datetime_adapter()(moment)


@functools.cache
def _queries() -> tuple[str, str, str]:
    """The three statements, with this database's table and column names."""
    q = database.ops.quote_name
    session, person, organisation = Session._meta.db_table, Person._meta.db_table, Organisation._meta.db_table
    members = Topic._meta.get_field("members").remote_field.through._meta  # type: ignore[union-attr]
    choice, topic, follow = TopicChoice._meta.db_table, Topic._meta.db_table, Follow._meta.db_table
    columns = (
        f"p.{q('id')}, p.{q('password')}, p.{q('session_epoch')}, p.{q('state')}, p.{q('language')}, "
        f"p.{q('organisation_id')}, o.{q('country')}"
    )
    signed_in = (
        f"SELECT s.{q('session_data')}, {columns} FROM {q(session)} s "  # noqa: S608 - names from the models
        f"LEFT JOIN {q(person)} p ON p.{q('id')} = %s "
        f"LEFT JOIN {q(organisation)} o ON o.{q('id')} = p.{q('organisation_id')} "
        f"WHERE s.{q('session_key')} = %s AND s.{q('expire_date')} > %s"
    )
    person_alone = (
        f"SELECT {columns} FROM {q(person)} p "  # noqa: S608 - names from the models, values as parameters
        f"JOIN {q(organisation)} o ON o.{q('id')} = p.{q('organisation_id')} "
        f"WHERE p.{q('id')} = %s"
    )
    # Forums, topics chosen (delivered somehow), threads followed or muted: one statement, one row each.
    facts = (
        f"SELECT 'forum', {q('topic_id')}, '' FROM {q(members.db_table)} "  # noqa: S608 - names from the models
        f"WHERE {q('person_id')} = %s "
        f"UNION ALL SELECT 'topic', 0, t.{q('code')} FROM {q(choice)} c "
        f"JOIN {q(topic)} t ON t.{q('id')} = c.{q('topic_id')} "
        f"WHERE c.{q('person_id')} = %s AND c.{q('delivery')} <> %s "
        f"UNION ALL SELECT {q('state')}, {q('thread_id')}, '' FROM {q(follow)} WHERE {q('person_id')} = %s"
    )
    return signed_in, person_alone, facts


def signed_in_reader(session_key: str, watching: int | None) -> tuple[access.Reader, str, float] | None:
    """The reader of the person signed in with ``session_key``, their language and the seconds until their
    session ends; None unless Django's own checks would let the request through as it is, unchanged:

    - the session exists, has not expired and is signed with the current key (Django's session middleware);
    - it names a person through a backend that reads one (``SESSION_BACKENDS``), with the hash of their password
      and session epoch (a password change or an ended session fails it), and that person is active
      (AuthenticationMiddleware;
      a session holds a person only once the second factor is done, accounts.views.signin);
    - it is within the idle and total limits (accounts.middleware.SessionLimitsMiddleware, which
      would sign the person out: Django does it and says why).

    Runs in the streams' thread, which keeps its database connection (see ``_briefly``); ``serve`` makes the
    same reads on the event loop where it can (``read_reader``)."""
    with database.cursor() as cursor:
        return read_reader(cursor, session_key, watching)


# A statement to run: its SQL (Django's placeholders), its parameters, and whether every row is wanted (else the
# first, or None).
Read = tuple[str, list[Any], bool]
Opened = tuple[access.Reader, str, float]


def read_reader(cursor, session_key: str, watching: int | None) -> Opened | None:
    """``signed_in_reader``, reading on ``cursor`` (Django's, or environet.loop_reads' SQLite one)."""
    reads = _reads(session_key, watching)
    try:
        sql, parameters, every = next(reads)
        while True:
            cursor.execute(sql, parameters)
            sql, parameters, every = reads.send(cursor.fetchall() if every else cursor.fetchone())
    except StopIteration as done:
        return done.value


async def read_reader_waiting(connection, session_key: str, watching: int | None) -> Opened | None:
    """``signed_in_reader``, reading on an asynchronous connection (environet.loop_reads' PostgreSQL one)."""
    reads = _reads(session_key, watching)
    try:
        sql, parameters, every = next(reads)
        while True:
            async with connection.cursor() as cursor:
                await cursor.execute(sql, parameters)
                found = await (cursor.fetchall() if every else cursor.fetchone())
            sql, parameters, every = reads.send(found)
    except StopIteration as done:
        return done.value


def _reads(session_key: str, watching: int | None) -> Generator[Read, Any, Opened | None]:
    """What ``signed_in_reader`` does, asking for each statement's rows in turn (``read_reader`` runs it on a
    cursor, ``read_reader_waiting`` on an asynchronous connection)."""
    signed_in, person_alone, facts_query = _queries()
    guess = _whose.get(session_key, 0)
    row = yield signed_in, [guess, session_key, _as_stored(timezone.now())], False
    if row is None:
        return None
    session = SessionStore().decode(row[0])
    person_id = str(session.get(SESSION_KEY, ""))
    if session.get(BACKEND_SESSION_KEY) not in SESSION_BACKENDS or not person_id.isdigit():
        return None
    found = row[1:]
    if found[0] != int(person_id):
        found = yield person_alone, [int(person_id)], False
        if found is None:
            return None
    pk, password, epoch, state, language, organisation_id, country = found
    expected = session_auth_hash(password, epoch)
    if state != Person.State.ACTIVE or not constant_time_compare(session.get(HASH_SESSION_KEY, ""), expected):
        return None
    now = time.time()
    signed_in_at, seen_at = session.get("signed_in_at"), session.get("seen_at")
    if not isinstance(signed_in_at, int | float) or not isinstance(seen_at, int | float):
        return None
    ends = min(signed_in_at + settings.SESSION_MAX_SECONDS, seen_at + settings.SESSION_IDLE_SECONDS)
    if ends <= now:
        return None
    if len(_whose) >= _WHOSE_LIMIT:
        _whose.clear()
    _whose[session_key] = pk
    clock = time.monotonic()
    facts = live.hub.facts.get(pk, clock)
    if facts is None:
        mark = live.hub.facts.mark()
        rows = yield facts_query, [pk, pk, TopicChoice.Delivery.NONE, pk], True
        facts = live.hub.facts.put(
            pk,
            clock,
            (
                organisation_id,
                country,
                [number for kind, number, _code in rows if kind == "forum"],
                [code for kind, _number, code in rows if kind == "topic"],
                [number for kind, number, _code in rows if kind == Follow.State.FOLLOW],
                [number for kind, number, _code in rows if kind == Follow.State.MUTE],
            ),
            mark,
        )
    # Only a thread the person may read is delivered whatever they follow; a forbidden or missing one is
    # simply not watched.
    if watching:
        may = yield (*access.may_read_thread_statement(pk, organisation_id, country or "", watching), False)
        watching = watching if may is not None else None
    # Organisation and country as read now; the sets as kept.
    _organisation, _country, forums, topics, followed, muted = facts
    reader = access.Reader(pk, organisation_id, country, forums, topics, followed, muted, watching=watching)
    return reader, language, ends - now


def _plain_request(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """A request Django would pass on as it is: an allowed host, over HTTPS where HTTPS is required."""
    if settings.USE_X_FORWARDED_HOST:
        return False
    domain, _port = split_domain_port(headers.get(b"host", b"").decode("latin-1"))
    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed):
        return False
    return not settings.SECURE_SSL_REDIRECT or _secure(scope, headers)


def _secure(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    if settings.SECURE_PROXY_SSL_HEADER:
        name, value = settings.SECURE_PROXY_SSL_HEADER
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        return headers.get(header, b"").decode("latin-1").split(",")[0].strip() == value
    return scope.get("scheme") == "https"


def _response_headers(language: str, secure: bool) -> list[tuple[bytes, bytes]]:
    """What Django's middleware would add to the stream's response (a stream is no page: no CSP for it)."""
    headers = [
        (b"content-type", b"text/event-stream"),
        (b"cache-control", b"no-store"),
        (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once
        (b"content-language", language.encode()),
        (b"vary", b"Cookie"),
        (b"x-frame-options", settings.X_FRAME_OPTIONS.encode()),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append((b"referrer-policy", str(settings.SECURE_REFERRER_POLICY).encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append((b"cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()))
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        hsts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
        hsts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
        headers.append((b"strict-transport-security", hsts.encode()))
    return headers


def _query_number(query: dict[str, list[str]], name: str) -> int | None:
    value = (query.get(name) or [""])[-1]
    return int(value) if value.isdigit() else None


_NOT_READ: Any = object()


async def _read_on_the_loop(session_key: str, watching: int | None) -> Any:
    """``signed_in_reader`` read on the event loop (environet/loop_reads.py), or ``_NOT_READ`` where that is
    not done or failed (the thread then reads it)."""
    try:
        with loop_reads.cursor() as cursor:
            if cursor is not None:
                return read_reader(cursor, session_key, watching)
        async with loop_reads.waiting() as connection:
            if connection is not None:
                return await read_reader_waiting(connection, session_key, watching)
    except (sqlite3.Error, psycopg.Error):
        pass
    return _NOT_READ


async def serve(scope: Scope, receive: Receive, send: Send, django: Callable[..., Awaitable[None]]) -> None:
    """ASGI: a stream for a signed-in person, opened without Django's request handling; anything else
    (see ``signed_in_reader``) handed to ``django``."""
    headers = dict(scope["headers"])
    cookie = parse_cookie(headers.get(b"cookie", b"").decode("latin-1")).get(settings.SESSION_COOKIE_NAME, "")
    if (
        scope["method"] != "GET"
        or settings.SESSION_ENGINE != "django.contrib.sessions.backends.db"
        or not cookie
        or len(live.hub.connections) >= limits.stream_capacity()
        or not _plain_request(scope, headers)
    ):
        await django(scope, receive, send)
        return
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    watching = _query_number(query, "thread")
    opened = await _read_on_the_loop(cookie, watching)
    if opened is _NOT_READ:
        opened = await _in_the_streams_thread(signed_in_reader)(cookie, watching)
    if opened is None:
        await django(scope, receive, send)
        return
    reader, language, remaining = opened
    raw = headers.get(b"last-event-id", b"").decode("latin-1")
    asked = int(raw) if raw.isdigit() else _query_number(query, "after")
    high = live.hub.high  # every event up to it handed out: no need to ask the database where "now" is
    if high is not None and (asked is None or asked <= high):
        after = high if asked is None else asked
    else:
        # An id from the future (a restored database, a made-up header) would hold back every event up to
        # it: the page starts from now instead, as in ``_opening``.
        latest = await _in_the_streams_thread(_latest_event_id)()
        after = latest if asked is None else min(asked, latest)
    person = reader.person_id

    async def backlog(since: int, current: access.Reader) -> tuple[list[dict], int, bool]:
        def read() -> tuple[list[dict], int, bool]:
            with translation.override(language):  # the person's language, as their pages
                return stored_page(since, current)

        return await _in_the_streams_thread(read)()

    async def reload_reader(watched: int | None) -> access.Reader:
        def reload() -> access.Reader:
            found = Person.objects.select_related("organisation").get(pk=person)
            return load_reader(found, watched)

        return await _in_the_streams_thread(reload)()

    deadline = asyncio.get_running_loop().time() + max(remaining, 1)
    body = live.stream(
        reader, after=after, backlog=backlog, reload_reader=reload_reader, deadline=deadline, receive=receive
    )
    headers_out = _response_headers(language, _secure(scope, headers))
    await send({"type": "http.response.start", "status": 200, "headers": headers_out})
    try:
        async for frame in body:
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        pass  # the browser went away while a frame was being written
    finally:
        await body.aclose()
