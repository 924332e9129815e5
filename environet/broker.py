"""The message broker that carries live events between server processes.

With REDIS_URL set, events cross processes through Redis pub/sub; without it there is one process and
events go straight to its own listeners. Either way ``publish`` is called only after the database
transaction that produced the event has committed.
"""

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

CHANNEL = "environet:events"
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
                loop.call_soon_threadsafe(listener, event)


local = _Local()
_client_lock = threading.Lock()
_client: Any = None


def _redis():
    global _client
    with _client_lock:
        if _client is None:
            import redis

            _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, health_check_interval=30)
        return _client


def publish(event: dict[str, Any]) -> None:
    if settings.REDIS_URL:
        _redis().publish(CHANNEL, json.dumps(event, separators=(",", ":")))
    else:
        local.dispatch(event)


async def listen(listener: Listener, stop: asyncio.Event) -> None:
    """Call ``listener`` for every event published by any process until ``stop`` is set.

    In-process: registers with this process. With Redis: one subscription, reconnecting after a failure
    (a stream that missed events during the gap catches up from the database by event id).
    """
    loop = asyncio.get_running_loop()
    if not settings.REDIS_URL:
        local.add(loop, listener)
        try:
            await stop.wait()
        finally:
            local.remove(listener)
        return
    import redis.asyncio as aioredis

    while not stop.is_set():
        client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                listener({"kind": "broker.connected"})
                while not stop.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None:
                        listener(json.loads(message["data"]))
        except (OSError, aioredis.RedisError) as error:
            log.warning("live events: Redis subscription lost (%s); retrying", error)
            await asyncio.sleep(1)
        finally:
            await client.aclose()


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
