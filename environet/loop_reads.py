"""SQLite (the embedded default): reads made on the event loop itself, on a connection of the loop's own.

Opening a live stream reads a session, a person and their reader facts: a few lookups by key in a local
file, tens of microseconds. Handing them to a thread and back (asgiref's ``sync_to_async``) cost more than
the reads and everything else the opening does: measured with ``bench/streams.py --quick``, 1.13 ms of the
server's processor time per stream against 0.68 ms with the reads made on the loop (the raw broadcaster:
0.20 ms). Django's own connection cannot be used there (it refuses to run in an event loop, and under ASGI
each task would get a new one), so each thread running a loop keeps a connection of its own, which only
reads (``PRAGMA query_only``): in WAL mode a reader never waits for a writer, so the loop is never held up
by one.

PostgreSQL answers over a socket: waiting for it on the loop would hold up every other request, so there the
reads keep going through a thread (``cursor`` gives None). So does a database in memory (the tests' fallback),
which another connection would not see.
"""

import functools
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

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


def _connection(alias: str) -> sqlite3.Connection | None:
    database = connections[alias]
    if database.vendor != "sqlite":
        return None
    name = str(database.settings_dict["NAME"])
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
