"""Live delivery over Server-Sent Events.

One hub per server process holds the open streams. The broker hands it every event once; the hub
decides in memory which streams want it (messaging.access.Reader), so posting to a topic with 2,000
followers costs the poster no more than posting to a topic with one.

A stream resumes from the Last-Event-ID the browser sends after a dropped connection: it first
subscribes, then reads the events it missed from the database, then goes on with live ones, skipping
any id it has already sent. Event ids are handed out in commit order, so nothing is lost, nothing comes
twice and order is kept.

Notices of events can still arrive out of id order: two server processes commit events 10 and 11 one
after the other, but the second may publish first. A stream that sent 11 could then never send 10 (and
a browser resuming after 11 would never ask for it), so the hub hands events to the streams strictly in
id order: when a notice skips ids, the events before it are committed already (ids commit in order),
and the hub reads them from the database first. A late notice of one of them is then dropped.

Without Redis the broker only carries the events of this process, but events are also written by other
processes: the task worker (``manage.py worker``: related-record and followed-search notices), a
management command. So the hub also follows the event table: while it has open streams, every
LIVE_POLL_SECONDS it asks the database for the latest event id (one query for all the streams of the
process) and, when that is beyond what it handed out, reads the events in between and hands them out in
order, as for skipped ids. Its own events still arrive at once through the broker.

Handing an event to thousands of streams is work for this process's event loop and its one interpreter lock,
which every request of the process shares. So the hub hands events out once the poster's answer has gone:
while a request of this process that published an event is still being answered (environet.broker.answering),
the hand-out waits, HOLD_SECONDS at most; the poster's remaining work (its redirect, its session, its
answer) then runs alone instead of taking turns with thousands of streams, and a post to a topic with 2,000
open followers is answered as fast as a post to a topic with one. The streams wait for the poster's last
milliseconds, but their events then go out without the poster's work competing with them, so the last
stream has its event no later than before. Then the hand-out goes in slices of HAND_OUT_SLICE (50) streams,
one slice per turn of the event loop, so that other requests' answers go out between two slices (and a
hand-out pauses again while another post is answered). Events still reach each stream in id order: slices of
a later event wait for the earlier event's.

With Redis, a process that loses its subscription (Redis restarted, out of reach) follows the event table
the same way until the subscription is back, so open pages keep receiving events, a second or so late.
Each open page is told when this starts ("delayed") and when it ends ("back"), in an event of kind
``delivery`` without an id (it is about this connection, not something to resume from).
"""

import asyncio
import contextvars
import json
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from environet import broker
from messaging import access, events
from messaging.access import Reader
from messaging.models import Event

QUEUE_LIMIT = 1000
HAND_OUT_SLICE = 50  # streams handed an event per turn of the event loop
HOLD_SECONDS = 0.1  # the longest a hand-out waits for posters' answers to go out (see the module's docstring)
HOLD_CHECK_SECONDS = 0.001  # how often a waiting hand-out looks again
FILL_LIMIT = 1000
WAITING_LIMIT = 10_000
log = logging.getLogger(__name__)
RESYNC = {"kind": "resync"}
CLOSE = {"kind": "close"}
HEARTBEAT = {"kind": "heartbeat"}
DELAYED = {"kind": "delivery", "state": "delayed"}
BACK = {"kind": "delivery", "state": "back"}
FOLLOWING_TABLE = "live events: following the event table"  # the task's name

# backlog(after, reader) -> (stored events newer than ``after`` the reader wants, oldest first; the
# highest event id examined; whether there may be more after it)
Backlog = Callable[[int, Reader], Awaitable[tuple[list[dict[str, Any]], int, bool]]]


class Connection:
    """One open stream in the hub: its reader and the items waiting to be sent. Thousands are open at once,
    so it holds no asyncio.Queue (a queue, its two waiter queues and its own Event each): a deque, and a
    future only while the stream waits."""

    __slots__ = ("items", "reader", "waiter")

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.items: deque[dict[str, Any]] = deque()
        self.waiter: asyncio.Future[None] | None = None

    def offer(self, event: dict[str, Any]) -> None:
        if len(self.items) >= QUEUE_LIMIT:
            # A stream this far behind is dropped; the browser reconnects and catches up from the database.
            self.items.clear()
            event = CLOSE
        self.items.append(event)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def next(self) -> dict[str, Any]:
        """The next item for the stream, once there is one."""
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.popleft()


class ReaderFacts:
    """What a stream's reader is made of, per person (organisation, country, forums, topics, followed and
    muted threads), kept so that a page reopening its stream does not read them again.

    A person's entry is dropped when their choices or forums change (the ``reader.changed`` events the
    hub receives, from every process through the broker), and every entry when the broker's subscription
    was lost or is back (such events may have been missed meanwhile). An entry also lasts at most
    LIFETIME seconds, for changes made where no event reaches this process (a worker without Redis).
    Equal sets are shared: thousands of readers who follow the same topics hold one set between them."""

    LIFETIME = 60.0
    LIMIT = 50_000  # people kept; beyond, the cache starts afresh

    def __init__(self) -> None:
        self._people: dict[int, tuple[float, tuple[Any, ...]]] = {}
        self._shared: dict[frozenset[Any], frozenset[Any]] = {}
        self._changes = 0  # facts dropped so far: facts read before a drop are not kept

    def mark(self) -> int:
        """To be taken before reading a person's facts from the database, and given to ``put``."""
        return self._changes

    def get(self, person_id: int, now: float) -> tuple[Any, ...] | None:
        found = self._people.get(person_id)
        if found is None or found[0] < now:
            return None
        return found[1]

    def put(self, person_id: int, now: float, facts: tuple[Any, ...], mark: int) -> tuple[Any, ...]:
        """Keep ``facts`` (organisation id, country, then four sets), unless something was dropped since
        ``mark`` (they may be older than the change); returns them with shared sets."""
        if len(self._people) >= self.LIMIT:
            self._people.clear()
        organisation_id, country, *sets = facts
        shared = (organisation_id, country, *(self._share(frozenset(items)) for items in sets))
        if mark == self._changes:
            self._people[person_id] = (now + self.LIFETIME, shared)
        return shared

    def _share(self, items: frozenset[Any]) -> frozenset[Any]:
        if len(self._shared) >= self.LIMIT:
            self._shared.clear()
        return self._shared.setdefault(items, items)

    def forget(self, person_id: Any) -> None:
        self._changes += 1
        self._people.pop(person_id, None)

    def clear(self) -> None:
        self._changes += 1
        self._people.clear()
        self._shared.clear()


# The hub reads the database outside any request, so nothing else would close its connection or replace
# a broken one: each read does, as a request would.


def _stored_between(after: int, upto: int) -> list[dict[str, Any]]:
    """The stored events in (after, upto], built as they are sent now (messaging.events); one nobody may
    be shown comes as a bare id, so the hub still moves past it."""
    close_old_connections()
    try:
        rows = list(Event.objects.filter(pk__gt=after, pk__lte=upto).order_by("pk")[:FILL_LIMIT])
        built = events.build(rows)
        return [event or {"id": row.pk, "kind": "skip", "person": None} for row, event in zip(rows, built, strict=True)]
    finally:
        close_old_connections()


def _latest_id() -> int:
    close_old_connections()
    try:
        return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    finally:
        close_old_connections()


# Consecutive failures to read the event table after which a process stops following it (see _follow_table).
FOLLOW_TRIES = 30


class Hub:
    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self._stop: asyncio.Event | None = None
        self._listening: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Every event up to this id has been handed to the streams (or was in the database before they
        # last caught up). None until the broker is listening.
        self.high: int | None = None
        self._waiting: dict[int, dict[str, Any]] = {}  # notices that came before a lower id's
        self._ordering: asyncio.Task | None = None
        self._generation = 0  # changes at each (re)connection of the broker
        # The latest event id seen in the table (LIVE_POLL_SECONDS), to be handed out up to; and the task that
        # follows the table while there are streams (without Redis, or while its subscription is lost).
        self._stored_upto = 0
        self._following: asyncio.Task | None = None
        # With Redis: whether the subscription is up (None until it is first known).
        self.relay_up: bool | None = None
        # Events being handed out, in id order: (event, the streams open when it came, how many were done).
        self._outbox: deque[list[Any]] = deque()
        self._handing_out = False
        self._hold_until = 0.0  # loop time until which the current hand-out may wait for posters' answers
        self.facts = ReaderFacts()

    def _ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        if self._listening is not None and self._loop is loop and not self._listening.done():
            return
        self._loop, self._stop = loop, asyncio.Event()
        self.high, self._ordering = None, None
        self._waiting.clear()
        # The hub's tasks outlive the request that happened to start them: they run in a context of their
        # own, not in that request's (whose thread, database connection and context end with it).
        self._listening = loop.create_task(broker.listen(self.deliver, self._stop), context=contextvars.Context())
        self._following, self._stored_upto = None, 0
        self.relay_up = None
        self._outbox.clear()
        self._handing_out = False

    def connect(self, reader: Reader) -> Connection:
        self._ensure_listening()
        connection = Connection(reader)
        self.connections.add(connection)
        self._ensure_following()
        return connection

    def _table_needed(self) -> bool:
        """Without Redis, or while its subscription is lost, events of other processes come only from the table."""
        return not settings.REDIS_URL or self.relay_up is False

    def _ensure_following(self) -> None:
        """Follow the event table while streams are open and it is needed (see the module's docstring)."""
        if not self._table_needed() or (self._following is not None and not self._following.done()):
            return
        self._following = asyncio.get_running_loop().create_task(
            self._follow_table(), name=FOLLOWING_TABLE, context=contextvars.Context()
        )

    async def _follow_table(self) -> None:
        """Every LIVE_POLL_SECONDS, while there are streams: one query for the latest event id; events beyond
        those handed out are read and handed out in order (by _put_in_order). Ends with the last stream."""
        failures = 0
        while self.connections and self._table_needed():
            await asyncio.sleep(settings.LIVE_POLL_SECONDS)
            if not self.connections or not self._table_needed():
                continue
            if self.high is None:
                # The starting point is being read from the table: for a moment, unless the table is out of reach.
                failures += 1
            else:
                try:
                    latest = await sync_to_async(_latest_id)()
                except Exception:  # the database is out of reach: try again at the next interval, a few times
                    failures += 1
                    if failures == 1:
                        log.exception("live events: could not read the latest event id; retrying")
                else:
                    failures = 0
                    if self.high is not None and latest > self.high:
                        self._stored_upto = max(self._stored_upto, latest)
                        self._schedule()
            if failures >= FOLLOW_TRIES:
                # Streams stay open and catch up from their last id when they reconnect; the next stream that
                # connects follows the table again. (A process shutting down stops here too.)
                log.error("live events: stopped following the event table after %d failed intervals", failures)
                return

    def disconnect(self, connection: Connection) -> None:
        self.connections.discard(connection)

    def deliver(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "broker.lost":
            self.facts.clear()
            self._relay_lost()
            return
        if kind == "broker.connected":
            self.facts.clear()
            if self.relay_up is False:
                self._tell_all(BACK)
            self.relay_up = True
            # Events published while the subscription was down are in the database: take the latest id
            # as the new starting point, then every stream catches up from there (see _put_in_order).
            self.high = None
            self._generation += 1
            self._schedule()
            return
        if kind == "person.ended":
            for connection in list(self.connections):
                if connection.reader.person_id == event.get("person"):
                    connection.offer(CLOSE)
            return
        if kind == "reader.changed":
            self.facts.forget(event.get("person"))
            for connection in list(self.connections):
                if connection.reader.person_id == event.get("person"):
                    connection.offer(event)
            return
        event_id = event.get("id")
        if not isinstance(event_id, int):
            return
        if self.high is not None and event_id <= self.high:
            return  # handed out already, from the database
        if self.high is None or self._waiting or event_id != self.high + 1:
            self._waiting[event_id] = event
            if len(self._waiting) > WAITING_LIMIT:
                # The database has been out of reach for long: start afresh from it when it is back.
                self._waiting.clear()
                self.high = None
                self._generation += 1
            if self.high is not None or self._generation:
                self._schedule()
            return
        self._hand_out(event)

    def _relay_lost(self) -> None:
        """Redis is out of reach: events are still stored, so follow the table until it is back, and say so."""
        if self.relay_up is not False:
            self._tell_all(DELAYED)
        self.relay_up = False
        if self.high is None:
            self._schedule()  # the starting point, from the table
        self._ensure_following()

    def _tell_all(self, status: dict[str, Any]) -> None:
        for connection in list(self.connections):
            connection.offer(status)

    def _hand_out(self, event: dict[str, Any]) -> None:
        self.high = event["id"]
        # The streams open now: one opened later starts after this event (its catch-up reads the table).
        self._outbox.append([access.for_readers(event), list(self.connections), 0, None])
        if not self._handing_out:
            self._handing_out = True
            self._hold_until = asyncio.get_running_loop().time() + HOLD_SECONDS
            self._hand_out_slice()

    def _hand_out_slice(self) -> None:
        """Hand the oldest event in the outbox to the next HAND_OUT_SLICE streams; come back on the loop's
        next turn while any is left, or a moment later while a poster's answer is on its way (see the
        module's docstring)."""
        loop = asyncio.get_running_loop()
        if broker.answering() and loop.time() < self._hold_until:
            loop.call_later(HOLD_CHECK_SECONDS, self._hand_out_slice)
            return
        budget = HAND_OUT_SLICE
        while self._outbox and budget > 0:
            entry = self._outbox[0]
            event, streams, done, item = entry
            upto = min(len(streams), done + budget)
            for connection in streams[done:upto]:
                if connection.reader.wants(event):
                    if item is None:
                        item = entry[3] = {"id": event["id"], "frame": sse_frame(event)}  # encoded once
                    connection.offer(item)
            budget -= upto - done
            entry[2] = upto
            if upto == len(streams):
                self._outbox.popleft()
        if self._outbox:
            loop.call_soon(self._hand_out_slice)
        else:
            self._handing_out = False

    def _schedule(self) -> None:
        if self._ordering is None or self._ordering.done():
            self._ordering = asyncio.get_running_loop().create_task(self._put_in_order(), context=contextvars.Context())

    async def _put_in_order(self) -> None:
        while True:
            try:
                if await self._order_step():
                    return
            except Exception:  # the database is out of reach: notices wait (see WAITING_LIMIT)
                log.exception("live events: could not read the stored events; retrying")
                await asyncio.sleep(1)

    async def _order_step(self) -> bool:
        """One step of putting notices in order; True when nothing is left waiting."""
        generation = self._generation
        if self.high is None:
            latest = await sync_to_async(_latest_id)()
            if generation != self._generation:
                return False  # the broker reconnected meanwhile: start again
            self.high = latest
            for connection in list(self.connections):
                connection.offer(RESYNC)
        self._release()
        if not self._waiting and self._stored_upto <= self.high:
            return True
        # Ids were skipped: the events before the notice that skipped them are committed (ids commit in
        # order), and their notices are late or will never come (a rolled-back id). Read them. Likewise up
        # to the latest id seen in the table, for events another process wrote (no Redis).
        upto = max(max(self._waiting, default=0), self._stored_upto)
        # Only notices that came before the read can be judged by it: one arriving during the read may
        # be for an event committed just after it.
        before_read = [known for known in self._waiting if known <= upto]
        stored = await sync_to_async(_stored_between)(self.high, upto)
        if generation != self._generation or self.high is None:
            return False
        for event in stored:
            if event["id"] > self.high:
                self._waiting.pop(event["id"], None)
                self._hand_out(event)
        if len(stored) < FILL_LIMIT:
            # Every committed event up to ``upto`` has been handed out. A notice left in that range has
            # no event in the database: not this site's (a shared channel), so it is dropped.
            for event_id in before_read:
                self._waiting.pop(event_id, None)
        return False

    def _release(self) -> None:
        """Hand out the waiting notices that are next in line; drop those already handed out."""
        assert self.high is not None
        while self._waiting:
            lowest = min(self._waiting)
            if lowest <= self.high:
                del self._waiting[lowest]
            elif lowest == self.high + 1:
                self._hand_out(self._waiting.pop(lowest))
            else:
                return


hub = Hub()


def delivery_frame(status: dict[str, Any]) -> bytes:
    """How live delivery is going, for this connection: no id, so the page's place in the events stays."""
    return ("event: delivery\ndata: " + json.dumps({"state": status["state"]}) + "\n\n").encode()


def sse_frame(event: dict[str, Any]) -> bytes:
    public = {key: value for key, value in event.items() if key not in ("audience", "mentions")}
    lines = [f"id: {event['id']}", f"event: {event['kind']}", "data: " + json.dumps(public, separators=(",", ":"))]
    return ("\n".join(lines) + "\n\n").encode()


async def stream(
    reader: Reader,
    *,
    after: int,
    backlog: Backlog,
    reload_reader: Callable[[int | None], Awaitable[Reader]],
    deadline: float,
    receive: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> AsyncGenerator[bytes]:
    """The bytes of one stream. ``backlog`` reads stored events (see Backlog); ``reload_reader(watching)``
    rereads the person's choices; ``receive``, the ASGI server's, when nobody else watches for the browser
    going away (the stream then ends as soon as it does).

    The stream subscribes when it starts (not when the response is made), so a response that is never
    sent leaves nothing behind in the hub."""
    loop = asyncio.get_running_loop()
    connection = hub.connect(reader)
    last = after  # every event up to this id has been sent or was not for this reader
    watcher = loop.create_task(_until_gone(receive, connection)) if receive is not None else None

    async def catch_up() -> AsyncIterator[bytes]:
        nonlocal last
        more = True
        while more:
            events, examined, more = await backlog(last, connection.reader)
            for event in events:
                yield sse_frame(event)
            last = max(last, examined)

    # One timer per stream puts a heartbeat in its queue every so often, and CLOSE at the deadline. (Waiting
    # on the queue with a timeout would make and cancel a timer for every event on every stream.)
    timer: asyncio.TimerHandle | None = None

    def beat(heartbeat: bool = True) -> None:
        nonlocal timer
        if heartbeat:
            connection.offer(HEARTBEAT)
        following = loop.time() + settings.LIVE_HEARTBEAT_SECONDS
        if following < deadline:
            timer = loop.call_at(following, beat)
        else:
            timer = loop.call_at(deadline, connection.offer, CLOSE)

    try:
        yield b"retry: 3000\n\n"
        if hub.relay_up is False:
            yield delivery_frame(DELAYED)
        # Every event after the hub's mark reaches this stream through the hub, since it is connected: a
        # page that has everything up to the mark (a fresh page, or one coming back having missed nothing)
        # has nothing to read from the database.
        if hub.high is None or last < hub.high:
            async for frame in catch_up():
                yield frame
        beat(heartbeat=False)
        while True:
            item = await connection.next()
            if item is HEARTBEAT:
                yield b": heartbeat\n\n"  # keeps proxies from closing a quiet connection
                continue
            if item is CLOSE:
                return
            if item is DELAYED or item is BACK:
                yield delivery_frame(item)
                continue
            if item is RESYNC:
                async for frame in catch_up():
                    yield frame
                continue
            if item.get("kind") == "reader.changed":
                connection.reader = await reload_reader(connection.reader.watching)
                continue
            if item["id"] <= last:
                continue  # already sent from the database catch-up
            yield item["frame"]
            last = item["id"]
    finally:
        if timer is not None:
            timer.cancel()
        if watcher is not None:
            watcher.cancel()
        hub.disconnect(connection)


async def _until_gone(receive: Callable[[], Awaitable[dict[str, Any]]], connection: Connection) -> None:
    """Close the stream when the browser goes away (the server would otherwise write into the void until
    the next heartbeat, and keep the stream in the hub)."""
    while (await receive())["type"] != "http.disconnect":
        pass
    connection.offer(CLOSE)
