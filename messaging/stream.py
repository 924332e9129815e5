"""The Server-Sent Events endpoint: one long response per open page."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from accounts.models import Person
from environet import limits
from messaging import access, live
from messaging import events as event_log
from messaging.models import Event, Follow
from topics.models import TopicChoice

BACKLOG_LIMIT = 2000


def load_reader(person, watching: int | None) -> access.Reader:
    follows = dict(Follow.objects.filter(person=person).values_list("thread_id", "state"))
    watched = watching if watching and access.threads_visible_to(person).filter(pk=watching).exists() else None
    return access.Reader(
        person_id=person.pk,
        organisation_id=person.organisation_id,
        country=person.organisation.country,
        forums=set(person.forums.values_list("pk", flat=True)),
        topics=set(
            TopicChoice.objects.filter(person=person)
            .exclude(delivery=TopicChoice.Delivery.NONE)
            .values_list("topic__code", flat=True)
        ),
        followed={thread for thread, state in follows.items() if state == Follow.State.FOLLOW},
        muted={thread for thread, state in follows.items() if state == Follow.State.MUTE},
        watching=watched,
    )


def stored_page(after: int, reader: access.Reader) -> tuple[list[dict], int, bool]:
    """The events newer than ``after`` that this reader wants, oldest first, from at most BACKLOG_LIMIT
    stored ones; the highest id examined; and whether there may be more after it."""
    rows = list(Event.objects.filter(pk__gt=after).order_by("pk")[:BACKLOG_LIMIT])
    examined = rows[-1].pk if rows else after
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
    connections; with SQLite each keeps its own page cache). A connection inside a transaction (the
    tests') is left alone."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close()

    return sync_to_async(run)


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
