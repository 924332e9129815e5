"""Reads made on the event loop itself, on a connection of the loop's own.

Opening a live stream reads a session, a person and their reader facts: a few lookups by key. Handing them to a
thread and back (asgiref's ``sync_to_async``) cost more than the reads and everything else the opening does:
measured with ``bench/streams.py --quick`` on SQLite, 1.15 ms of the server's processor time per stream
against 0.79 ms with the reads made on the loop (the raw broadcaster: 0.23 ms). Django's own connections
cannot be used there (they refuse to run in an event loop, and under ASGI each task would get a new one), so:

- SQLite (``cursor``): each thread running a loop keeps a connection of its own and reads on it directly, a few
  lookups in a local file, tens of microseconds. It only reads (``PRAGMA query_only``), and in WAL mode a
  reader never waits for a writer, so the loop is never held up by one.
- PostgreSQL (``waiting``): each event loop keeps an asynchronous connection (psycopg's), read-only, on which
  the loop waits for the answer as for any other socket, serving other requests meanwhile; one more
  connection per server process.

A database in memory (the tests' fallback), which another connection would not see, is not read here. Where
these give None, or fail (a connection that fails is closed, the next call opens another), the caller reads
through a thread as before.
"""

import asyncio
import functools
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path

import psycopg
from django.db import connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX, SQLiteCursorWrapper

_local = threading.local()


@contextmanager
def cursor(alias: str = "default") -> Iterator[sqlite3.Cursor | None]:
    """A cursor taking Django's placeholders (``%s``) on this thread's reading connection to the database of
    ``alias``, or None where reads must not be made on the loop (see above). A connection that fails is closed
    (the next call opens another) and the error raised."""
    connection = _connection(alias)
    if connection is None:
        yield None
        return
    try:
        with closing(connection.cursor(factory=_Cursor)) as found:
            yield found
    except sqlite3.Error:
        close()
        raise


class _Cursor(SQLiteCursorWrapper):
    """Django's SQLite cursor (``%s`` placeholders), rewriting each statement for the driver once rather than at
    every run: the same few statements open every stream."""

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        return _in_qmark_style(query) if param_names is None else super().convert_query(query, param_names=param_names)


@functools.lru_cache(maxsize=64)
def _in_qmark_style(query: str) -> str:
    return FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


def _engine(alias: str) -> tuple[str, dict]:
    """The vendor of the database of ``alias`` and its settings, read from the settings: Django's connection
    object (``connections[alias]``), asked for in an event loop's task, is made anew for that task and kept as
    long as the task lives; a stream lives for hours (3.8 KiB more per idle stream, bench/streams.py)."""
    given = connections.settings[alias]
    engine = given["ENGINE"]
    return ("sqlite" if engine.endswith("sqlite3") else "postgresql" if engine.endswith("postgresql") else ""), given


def _connection(alias: str) -> sqlite3.Connection | None:
    vendor, given = _engine(alias)
    if vendor != "sqlite":
        return None
    name = str(given["NAME"])
    if name == ":memory:" or name.startswith("file:") or not Path(name).is_file():
        return None
    kept = getattr(_local, "connections", None)
    if kept is None:
        kept = _local.connections = {}
    if name not in kept:
        # Autocommit (no isolation level): each statement reads the database as it is when it runs.
        # No waiting for a lock (a WAL reader hardly ever meets one): the caller reads through a thread instead.
        uri = f"{Path(name).resolve().as_uri()}?mode=rw"
        opened = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None, check_same_thread=True)
        opened.execute("PRAGMA query_only = ON")
        kept[name] = opened
    return kept[name]


def close() -> None:
    """Close this thread's reading connections (a failed one, or the tests')."""
    for opened in getattr(_local, "connections", {}).values():
        opened.close()
    _local.connections = {}


# Each event loop's PostgreSQL connection, being made or made (two streams opening at once share one).
_waiting: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[psycopg.AsyncConnection]]" = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def waiting(alias: str = "default") -> AsyncIterator[psycopg.AsyncConnection | None]:
    """This event loop's read-only asynchronous connection to the PostgreSQL database of ``alias`` (Django's
    placeholders: psycopg's own), or None on another database. A connection that fails is closed (the next
    call opens another) and the error raised."""
    if _engine(alias)[0] != "postgresql":
        yield None
        return
    loop = asyncio.get_running_loop()
    making = _waiting.get(loop)
    if making is None or not _usable(making):
        making = _waiting[loop] = loop.create_task(_connect(alias))
    try:
        yield await asyncio.shield(making)
    except psycopg.Error:
        await aclose()
        raise


def _usable(making: "asyncio.Task[psycopg.AsyncConnection]") -> bool:
    """Being made, or made and still open."""
    if not making.done():
        return True
    return not making.cancelled() and making.exception() is None and not making.result().closed


async def _connect(alias: str) -> psycopg.AsyncConnection:
    # A connection object of its own (never kept by a task), for the parameters Django connects with.
    parameters = connections.create_connection(alias).get_connection_params()
    parameters.pop("cursor_factory", None)  # Django's binds values itself, and is not asynchronous
    made = await psycopg.AsyncConnection.connect(**parameters, autocommit=True)
    await made.execute("SET default_transaction_read_only = on")
    return made


async def aclose() -> None:
    """Close this event loop's PostgreSQL connection (a failed one, or the tests')."""
    making = _waiting.pop(asyncio.get_running_loop(), None)
    if making is None:
        return
    if not making.done():
        making.cancel()
    elif not making.cancelled() and making.exception() is None:
        await making.result().close()
