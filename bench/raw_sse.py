"""The baseline for bench/fanout.py: a minimal Server-Sent Events broadcaster, a plain ASGI callable.

``GET /stream`` opens a stream (it starts with a ``retry:`` line, as ENVIRONET's does); ``POST /publish``
sends its body to every open stream as one event. No Django, no database, no access rules: the least a
server can do to fan an event out, run under the same uvicorn as ENVIRONET, so that the difference between
the two is what ENVIRONET adds.

Serve it with ``uvicorn raw_sse:app --app-dir bench``. Run as a script it only says what it is (``make
bench`` runs every script in bench/; this one is measured by fanout.py).
"""

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_streams: set[asyncio.Queue[bytes | None]] = set()
_counter = 0


async def _stream(receive: Receive, send: Send) -> None:
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    _streams.add(queue)

    async def until_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        queue.put_nowait(None)

    watcher = asyncio.ensure_future(until_disconnect())
    try:
        headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
        while (frame := await queue.get()) is not None:
            await send({"type": "http.response.body", "body": frame, "more_body": True})
    except OSError:
        pass  # the client went away while we were writing
    finally:
        _streams.discard(queue)
        watcher.cancel()


async def _publish(receive: Receive, send: Send) -> None:
    global _counter
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    _counter += 1
    frame = b"id: %d\nevent: message\ndata: %s\n\n" % (_counter, body.replace(b"\n", b" "))
    for queue in _streams:
        queue.put_nowait(frame)
    answer = json.dumps({"streams": len(_streams)}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await receive()  # startup
        await send({"type": "lifespan.startup.complete"})
        await receive()  # shutdown
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    route = (scope["method"], scope["path"])
    if route == ("GET", "/stream"):
        await _stream(receive, send)
    elif route == ("POST", "/publish"):
        await _publish(receive, send)
    else:
        await _answer(send, 404)


if __name__ == "__main__":
    print(json.dumps({"bench": "raw_sse", "note": "the baseline app of bench/fanout.py; measured there"}))
    sys.exit(0)
