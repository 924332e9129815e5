"""Threads kept for the synchronous part of requests, each with its database connection.

Under ASGI, Django runs each request's synchronous work (middleware, view, database) in a thread made for that
request and ended with it, so a connection could not be kept (``CONN_MAX_AGE`` 0) and every request opened one.
On SQLite, opening a connection reads the schema, and every statement is compiled again on it: measured on the
bench's pages over HTTP, a bare view 5.8 -> 3.8 ms and the pages 4-6 ms each (home 16.0 -> 11.7) with threads
and connections kept (bench/README.md, throughput).

A request borrows an idle thread, or a new one when all are busy (never waiting for one, as before); once
answered, the thread is kept for the next request, up to ``ENVIRONET_REQUEST_THREADS`` per process. A thread
beyond that closes its connections and ends. Connections are kept as the task worker keeps its own
(environet/database_pool.py ``keep_connections``, which environet/asgi.py calls); a pooled PostgreSQL connection
is lent per request and given back instead (settings.py).
"""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from asgiref.sync import ThreadSensitiveContext
from django.db import connections

from environet import env

KEPT = env.number("ENVIRONET_REQUEST_THREADS", 8)


def _close_connections() -> None:
    connections.close_all()


class RequestThreads:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self.idle: list[ThreadPoolExecutor] = []  # the last one used first: its connection is the freshest

    @asynccontextmanager
    async def borrowed(self) -> AsyncIterator[ThreadPoolExecutor]:
        """A thread for one request's synchronous work: Django's thread-sensitive calls within run on it."""
        thread = self.idle.pop() if self.idle else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")
        try:
            async with ThreadSensitiveContext(executor=thread):
                yield thread
        finally:
            await self._give_back(thread)

    async def _give_back(self, thread: ThreadPoolExecutor) -> None:
        if len(self.idle) < self.kept:
            self.idle.append(thread)
            return
        # Its connections are closed by the thread that opened them (Django's rule), then it ends.
        await asyncio.get_running_loop().run_in_executor(thread, _close_connections)
        thread.shutdown(wait=False)
