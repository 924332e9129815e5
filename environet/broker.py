"""The message broker that carries live events between server processes.

With REDIS_URL set, events cross processes through Redis pub/sub; without it there is one process and
events go straight to its own listeners. Either way ``publish`` is called only after the database
transaction that produced the event has committed.
"""

import asyncio
import contextvars
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any]], None]


class _Local:
    """Listeners of this process, each with the event loop it must be called in."""

    def __init__(self) -> None:
        self.listeners: list[tuple[asyncio.AbstractEventLoop, Listener]] = []
        self.lock = threading.Lock()

    def add(self, loop: asyncio.AbstractEventLoop, listener: Listener) -> None:
        with self.lock:
            self.listeners.append((loop, listener))

    def remove(self, listener: Listener) -> None:
        with self.lock:
            self.listeners = [(loop, known) for loop, known in self.listeners if known is not listener]

    def dispatch(self, event: dict[str, Any]) -> None:
        with self.lock:
            listeners = list(self.listeners)
        for loop, listener in listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_call, listener, event)


local = _Local()
_client_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _redis(url: str):
    with _client_lock:
        if url not in _clients:
            import redis

            _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
        return _clients[url]


class Answer:
    """A request this process is answering (``answer_request`` marks each one, for as long as it takes)."""

    __slots__ = ("done", "published")

    def __init__(self) -> None:
        self.published = False  # it published an event: its answer is awaited (see ``answering``)
        self.done = False


# The request being answered, in the request's context (which Django's threads for it share).
answer_in_progress: contextvars.ContextVar[Answer | None] = contextvars.ContextVar("answer_in_progress", default=None)
_awaited = 0  # requests of this process that published events and whose answers have not all gone out
_awaited_lock = threading.Lock()


def answering() -> bool:
    """Whether a request of this process published events and is still being answered.

    The hub of live streams hands events out after the poster's answer has gone (messaging.live): handing
    an event to thousands of streams is work for this process's event loop and its one interpreter lock,
    which the poster's answer would otherwise share with it, so a post to many followers would be answered
    more slowly than a post to one."""
    return _awaited > 0


def answered(answer: Answer) -> None:
    """``answer``'s request has been answered (or has ended otherwise). Called once or more; counts once."""
    global _awaited
    with _awaited_lock:  # the request's thread may be publishing meanwhile
        if answer.done:
            return
        answer.done = True
        if answer.published:
            _awaited -= 1


async def answer_request(application: Callable[..., Any], scope: dict[str, Any], receive: Any, send: Any) -> None:
    """ASGI: ``application`` answering an HTTP request, which is marked as being answered (``answer_in_progress``)
    until the last part of its answer has been sent, or it ends otherwise."""
    answer = Answer()
    marked = answer_in_progress.set(answer)

    async def sending(message: dict[str, Any]) -> None:
        await send(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            answered(answer)

    try:
        await application(scope, receive, sending)
    finally:
        answered(answer)
        answer_in_progress.reset(marked)


def _await_answer() -> None:
    """The request in progress, if any, published: its answer is now awaited."""
    global _awaited
    answer = answer_in_progress.get()
    if answer is None:
        return
    with _awaited_lock:
        if not (answer.published or answer.done):
            answer.published = True
            _awaited += 1


def publish(event: dict[str, Any]) -> None:
    """Hand an event to every process's listeners. Called after commit, so it never fails the change
    that produced the event: an event Redis did not take is in the database, and streams catch up on it
    at the next event or reconnection."""
    _await_answer()  # before the event can reach a listener
    if not settings.REDIS_URL:
        local.dispatch(event)
        return
    import redis

    try:
        _redis(settings.REDIS_URL).publish(settings.LIVE_CHANNEL, json.dumps(event, separators=(",", ":")))
    except redis.RedisError as error:
        log.warning("live events: could not publish %s (%s)", event.get("kind"), error)


def _call(listener: Listener, event: dict[str, Any]) -> None:
    try:
        listener(event)
    except Exception:  # one bad event must not end the subscription of the whole process
        log.exception("live events: listener failed on %s", event.get("kind"))


async def listen(listener: Listener, stop: asyncio.Event) -> None:
    """Call ``listener`` for every event published by any process until ``stop`` is set.

    In-process: registers with this process. With Redis: one subscription, reconnecting after a failure
    (a stream that missed events during the gap catches up from the database by event id).
    Once listening, it gets ``{"kind": "broker.connected"}`` (again after each reconnection): events
    published from then on will reach it. When Redis cannot be reached it gets ``{"kind": "broker.lost"}``,
    once per outage, so the process can follow the event table meanwhile and pages can say so.
    """
    loop = asyncio.get_running_loop()
    if not settings.REDIS_URL:
        local.add(loop, listener)
        try:
            _call(listener, {"kind": "broker.connected"})
            await stop.wait()
        finally:
            local.remove(listener)
        return
    import redis.asyncio as aioredis

    channel = settings.LIVE_CHANNEL
    lost = False  # told already of this outage
    while not stop.is_set():
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(channel)
                # SUBSCRIBE only sends the command: events are certain to arrive once Redis confirms it.
                while not stop.is_set():
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "subscribe":
                        break
                if stop.is_set():
                    break
                _call(listener, {"kind": "broker.connected"})
                lost = False
                while not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None or message["type"] != "message":
                        continue
                    try:
                        event = json.loads(message["data"])
                    except ValueError:
                        log.warning("live events: ignored a message on %s that is not JSON", channel)
                        continue
                    if isinstance(event, dict):
                        _call(listener, event)
        except (OSError, aioredis.RedisError) as error:
            log.warning("live events: Redis subscription lost (%s); retrying", error)
            if not lost:
                lost = True
                _call(listener, {"kind": "broker.lost"})
            await asyncio.sleep(1)
        finally:
            await client.aclose()


def after_commit(event: dict[str, Any]) -> None:
    """Publish ``event`` once the current transaction commits (at once outside a transaction)."""
    from django.db import transaction

    transaction.on_commit(lambda: publish(event))


def readers_changed(person_ids) -> None:
    """Open live streams keep each reader's choices and forums in memory: have these people's reread."""
    for person_id in sorted(set(person_ids)):
        after_commit({"kind": "reader.changed", "person": person_id})


def status() -> tuple[bool, str]:
    """(healthy, description) for the health check."""
    if not settings.REDIS_URL:
        return True, "in-process"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError as error:
        return False, f"redis unreachable: {type(error).__name__}"
    return True, "redis"
