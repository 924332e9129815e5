"""Statements compiled once and run again: what the pages officers open most share.

Building an ORM query of an access rule and compiling it to SQL cost those pages more than running it (home,
the overview, both searches). Each such statement depends only on a key (the reader as ``rule_key`` sees
them, the filters, and whatever else the caller says it reads) and on a few values set per run (the words
searched for, the start of the unread window, today). ``Kept`` holds the statements by key, the least recently
used dropped past a bound, so that a process serving many readers keeps a fixed amount of them.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from django.db import connection


class Kept[Statement]:
    """Statements by key, at most ``most`` of them; ``statement(key, compile)`` gives the one kept for ``key``
    on this database, compiled by ``compile()`` the first time (None too is kept: nothing to find)."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._kept: OrderedDict[Hashable, Statement] = OrderedDict()
        self._lock = Lock()

    def statement(self, key: Hashable, compile: Callable[[], Statement]) -> Statement:
        key = (connection.alias, connection.vendor, key)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        made = compile()  # outside the lock: two requests may compile the same statement, and keep one
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self.most:
                self._kept.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
