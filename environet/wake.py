"""Waking the task worker as soon as a task is queued, instead of at its next look at the queue.

django-tasks-db's worker looks at the queue, and when it is empty sleeps ``--interval`` seconds (1 by default)
before looking again: every task (an email, a notice of related records, the text of a library upload, an
import) waited up to a second, half a second on average, before it even started. Now a task queued in the
database also rings a bell once its transaction commits, and a worker waiting between looks wakes at once:

- on PostgreSQL, ``NOTIFY`` on the channel ``environet_tasks``, sent in the transaction that queues the task
  (PostgreSQL delivers it at the commit, never for a transaction rolled back, and one per transaction);
  the worker listens on a connection of its own;
- on SQLite (one machine), a datagram to a socket beside the database file (``<database>.wake``), sent after
  the commit; the first worker binds it, and a second one on the same database looks every interval as before.

A bell that cannot ring (no worker listening, a path too long for a socket, a lost connection) costs nothing
but the wait it would have saved: the worker still looks at the queue every interval.
"""

import contextlib
import logging
import os
import select
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction

logger = logging.getLogger(__name__)

CHANNEL = "environet_tasks"
# AF_UNIX paths are limited to about 108 bytes; a longer one is not used (the worker then looks every interval).
_MOST_PATH_BYTES = 100


def ring_after_commit() -> None:
    """Wake a waiting worker once the current transaction commits (at once outside any); once per transaction,
    however many tasks it queues."""
    if connection.vendor == "postgresql":
        if not _waiting_for_commit(_notified):
            with connection.cursor() as cursor:
                cursor.execute(f"NOTIFY {CHANNEL}")
            # Marks the transaction as rung; dropped with the NOTIFY if a savepoint around both rolls back.
            transaction.on_commit(_notified)
        return
    if socket_path() is not None and not _waiting_for_commit(_ring):
        transaction.on_commit(_ring)


def _waiting_for_commit(callback: Any) -> bool:
    return any(entry[1] is callback for entry in connection.run_on_commit)


def _notified() -> None:
    """Nothing to do at the commit: PostgreSQL delivers the NOTIFY itself."""


def socket_path() -> Path | None:
    """The socket beside the SQLite database file; None for a database in memory or a path too long."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"] or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name).resolve().with_name(Path(name).name + ".wake")
    return path if len(os.fsencode(path)) <= _MOST_PATH_BYTES else None


def _ring() -> None:
    path = socket_path()
    if path is None:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as bell:
        bell.setblocking(False)
        # No worker listening, or one already has a wake-up waiting: nothing to do.
        with contextlib.suppress(FileNotFoundError, ConnectionRefusedError, BlockingIOError):
            bell.sendto(b"\x01", os.fsencode(path))


class Bell(Protocol):
    def wait(self, seconds: float) -> bool:
        """Whether it was rung (every ring waiting taken: one look at the queue serves them all), waiting at most
        ``seconds`` for one."""


class _Sleep:
    def wait(self, seconds: float) -> bool:
        select.select([], [], [], seconds)
        return False


class _Socket:
    def __init__(self, receiver: socket.socket) -> None:
        self.receiver = receiver

    def wait(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.receiver], [], [], seconds)
        while ready:
            try:
                self.receiver.recv(16)
            except BlockingIOError:
                break
        return bool(ready)


class _Notified:
    """A connection of its own that listens, connected again after a loss (meanwhile the worker only sleeps)."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.parameters = parameters
        self.listener: Any = None

    def wait(self, seconds: float) -> bool:
        try:
            if self.listener is None:
                self.listen()
            rung = any(True for _ in self.listener.notifies(timeout=seconds, stop_after=1))
            for _ in self.listener.notifies(timeout=0):
                pass
            return rung
        except Exception:
            self.close()
            return _Sleep().wait(seconds)

    def listen(self) -> None:
        """Listen from now on (a ring before this is not heard); logged, not raised, when it cannot."""
        import psycopg

        try:
            self.listener = psycopg.connect(**self.parameters, autocommit=True)
            self.listener.execute(f"LISTEN {CHANNEL}")
        except Exception:
            logger.warning("Worker: not listening for queued tasks; looking at the queue every interval", exc_info=True)
            self.close()

    def close(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(Exception):
                self.listener.close()
            self.listener = None


@contextlib.contextmanager
def listening() -> Iterator[Bell]:
    """The bell a worker waits on between looks at the queue, listening from now until the block ends."""
    if connection.vendor == "postgresql":
        parameters = connection.get_connection_params()
        parameters.pop("cursor_factory", None)  # Django's own, for its connections
        parameters.pop("context", None)
        notified = _Notified(parameters)
        notified.listen()
        try:
            yield notified
        finally:
            notified.close()
        return
    path = socket_path()
    receiver = _bound(path) if path is not None else None
    if receiver is None:
        yield _Sleep()
        return
    try:
        yield _Socket(receiver)
    finally:
        receiver.close()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # type: ignore[union-attr]


def _bound(path: Path) -> socket.socket | None:
    """The socket bound at ``path``, taking it over from a worker that stopped without removing it; None when
    another worker holds it."""
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.setblocking(False)
    for _attempt in range(2):
        try:
            receiver.bind(os.fsencode(path))
            return receiver
        except OSError:
            if not _abandoned(path):
                break
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    receiver.close()
    logger.info("Worker: another worker listens at %s; this one looks at the queue every interval", path)
    return None


def _abandoned(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(os.fsencode(path))
        except ConnectionRefusedError:
            return True
        except OSError:
            return False
    return False
