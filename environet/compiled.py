"""Statements compiled once and run again: what the pages officers open most share.

Building an ORM query of an access rule and compiling it to SQL cost those pages more than running it (home,
the overview, both searches). Each such statement depends only on a key (the reader as ``rule_key`` sees
them, the filters, and whatever else the caller says it reads) and on a few values set per run (the words
searched for, the start of the unread window, today). ``Kept`` holds the statements by key, the least recently
used dropped past a bound, so that a process serving many readers keeps a fixed amount of them; ``prepare``
compiles a query with a stand-in for the value set on each run (``Prepared.rows``).
"""

import json
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL


class Kept[Statement]:
    """Statements by key, at most ``most`` of them; ``statement(key, compile)`` gives the one kept for ``key``
    on this database, compiled by ``compile()`` the first time (None too is kept: nothing to find). Anything
    else made once from a key and used again, with the key holding all it is made from, can be kept alike (a
    message rendered: messaging.templatetags.thread_messages)."""

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


@dataclass(frozen=True)
class Prepared:
    """A query's SQL as the ORM compiled it, with the places (``at``) where a stand-in value was, to be replaced on
    each run by the value of the moment (the start of the unread window, today, the record asked about)."""

    sql: str
    parameters: tuple
    at: tuple[int, ...]

    def rows(self, value: object = None, *, then: tuple = ()) -> list[tuple]:
        """The statement's rows with ``value`` (as the database takes it) where the stand-in was, and ``then``
        after its own parameters (a page's size and offset, for a statement ``prepare`` made ``paged``)."""
        given = list(self.parameters)
        for at in self.at:
            given[at] = value
        given.extend(then)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, given)
            return cursor.fetchall()


def prepare(
    queryset: QuerySet, stand_in: object = None, *, counted: bool = False, paged: bool = False
) -> Prepared | None:
    """``queryset`` compiled, ``stand_in`` (as the database takes it) marking the value set on each run; its rows,
    or with ``counted`` how many there are (in no order: sorting rows only to count them costs), or with
    ``paged`` a page of them (its size and offset given on each run: ``Prepared.rows(then=...)``); None when
    the query can find nothing (the ORM knows it before asking the database: a person who may read nothing)."""
    if counted:
        queryset = queryset.order_by()
    try:
        sql, parameters = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    if counted:
        sql = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608 - SQL compiled by the ORM
    if paged:
        sql = f"{sql} LIMIT %s OFFSET %s"
    marked = () if stand_in is None else tuple(at for at, value in enumerate(parameters) if value == stand_in)
    return Prepared(sql, tuple(parameters), marked)


# Stands for a list of ids while a statement is compiled (``Prepared.rows`` is then given the ids of the moment).
_IDS = "\x00some-ids\x00"


def _ids_in_one_value() -> RawSQL:
    """The ids given as one value, as a subquery: a JSON array on SQLite, an array on PostgreSQL. One value for
    any number of ids, so that one compiled statement serves every list of them."""
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [_IDS])
    return RawSQL("SELECT unnest(%s::bigint[])", [_IDS])


def among(kept: Kept[Prepared | None], key: Hashable, rows: Callable[[], QuerySet], ids: Collection[int]) -> set[int]:
    """Which of ``ids`` are the primary keys of rows of ``rows()`` (a rule's query: what a person may read):
    ``set(rows().filter(pk__in=ids).values_list("pk", flat=True))``, from a statement compiled once per ``key``
    (which must hold whatever ``rows()`` is built from) with the ids given as one value on each run."""
    if not ids:
        return set()
    statement = kept.statement(key, lambda: prepare(rows().filter(pk__in=_ids_in_one_value()).values("pk"), _IDS))
    if statement is None:
        return set()  # the rule finds nothing (not a reader)
    given = json.dumps(sorted(ids)) if connection.vendor == "sqlite" else sorted(ids)
    return {row[0] for row in statement.rows(given)}
