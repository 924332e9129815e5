"""SQLite (the embedded default): one connection to the database held open for the life of a web process.

Request threads keep their connections between requests (environet/request_threads.py), but a thread beyond those
kept closes its own, and a kept one is closed when it fails or grows old. When the last connection to a database in
WAL mode closes, SQLite copies its log into the database and deletes the log and its shared index; the next
request's connection then makes them anew. On a quiet process that was every request (before threads were kept):
measured on the bench's pages, 0.5 ms of a bare view and 1–3 ms of a page, the most after a write. A connection held
open, reading nothing and in no transaction, keeps the log and its index between requests; the log is still copied
into the database as it grows (SQLite's automatic checkpoint, every 1,000 pages), and its holder blocks no writer
and no checkpoint.
"""

import sqlite3
from pathlib import Path

from django.db import connections

_held: list[sqlite3.Connection] = []


def hold_open(alias: str = "default") -> sqlite3.Connection | None:
    """Hold the database of ``alias`` open (``hold``), when it is an SQLite database in a file; the connection,
    or None."""
    connection = connections[alias]
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or name.startswith("file:"):
        return None
    return hold(Path(name))


def hold(path: Path) -> sqlite3.Connection | None:
    """Open and keep a connection to the database at ``path`` if it exists (never making one: a process started
    before ``migrate`` holds nothing); the connection, or None."""
    if not path.is_file():
        return None
    held = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, check_same_thread=False)
    # Reading once opens the log and its index, which the connection then keeps; the read ends with the fetch.
    held.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    _held.append(held)
    return held


def release() -> None:
    """Close what ``hold_open`` held (tests)."""
    while _held:
        _held.pop().close()
