"""Live delivery over Server-Sent Events.

One hub per server process holds the open streams. The broker hands it every event once; the hub
decides in memory which streams want it (messaging.access.Reader), so posting to a topic with 2,000
followers costs the poster no more than posting to a topic with one.

A stream resumes from the Last-Event-ID the browser sends after a dropped connection: it first
subscribes, then reads the events it missed from the database, then goes on with live ones, skipping
any id it has already sent. Event ids are handed out in commit order, so nothing is lost, nothing comes
twice and order is kept.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from environet import broker
from messaging.access import Reader

HEARTBEAT_SECONDS = 15
QUEUE_LIMIT = 1000
RESYNC = {"kind": "resync"}
CLOSE = {"kind": "close"}


@dataclass(eq=False)
class Connection:
    reader: Reader
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))

    def offer(self, event: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A stream this far behind is dropped; the browser reconnects and catches up from the database.
            self.queue = asyncio.Queue(QUEUE_LIMIT)
            self.queue.put_nowait(CLOSE)


class Hub:
    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self._stop: asyncio.Event | None = None
        self._listening: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        if self._listening is not None and self._loop is loop and not self._listening.done():
            return
        self._loop, self._stop = loop, asyncio.Event()
        self._listening = loop.create_task(broker.listen(self.deliver, self._stop))

    def connect(self, reader: Reader) -> Connection:
        self._ensure_listening()
        connection = Connection(reader)
        self.connections.add(connection)
        return connection

    def disconnect(self, connection: Connection) -> None:
        self.connections.discard(connection)

    def deliver(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "broker.connected":
            # Events published while the subscription was down are in the database: catch up from there.
            for connection in list(self.connections):
                connection.offer(RESYNC)
            return
        if kind == "person.ended":
            for connection in list(self.connections):
                if connection.reader.person_id == event["person"]:
                    connection.offer(CLOSE)
            return
        if kind == "reader.changed":
            for connection in list(self.connections):
                if connection.reader.person_id == event["person"]:
                    connection.offer(event)
            return
        frame = None
        for connection in list(self.connections):
            if connection.reader.wants(event):
                if frame is None:
                    frame = sse_frame(event)  # encoded once, whoever receives it
                connection.offer({"id": event["id"], "frame": frame})


hub = Hub()


def sse_frame(event: dict[str, Any]) -> bytes:
    public = {key: value for key, value in event.items() if key not in ("audience", "mentions")}
    lines = [f"id: {event['id']}", f"event: {event['kind']}", "data: " + json.dumps(public, separators=(",", ":"))]
    return ("\n".join(lines) + "\n\n").encode()


async def stream(
    connection: Connection, *, after: int, backlog, reload_reader, deadline: float
) -> AsyncIterator[bytes]:
    """The bytes of one stream. ``backlog(after, reader)`` returns stored events newer than ``after``
    that the reader wants (a coroutine); ``reload_reader()`` rereads the person's choices."""
    loop = asyncio.get_running_loop()
    last = after
    try:
        yield b"retry: 3000\n\n"
        for event in await backlog(last, connection.reader):
            yield sse_frame(event)
            last = event["id"]
        while loop.time() < deadline:
            try:
                item = await asyncio.wait_for(connection.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield b": heartbeat\n\n"  # keeps proxies from closing a quiet connection
                continue
            if item is CLOSE:
                return
            if item is RESYNC:
                for event in await backlog(last, connection.reader):
                    yield sse_frame(event)
                    last = event["id"]
                continue
            if item.get("kind") == "reader.changed":
                connection.reader = await reload_reader(connection.reader.watching)
                continue
            if item["id"] <= last:
                continue  # already sent from the database catch-up
            yield item["frame"]
            last = item["id"]
    finally:
        hub.disconnect(connection)
