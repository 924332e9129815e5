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
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from threading import Lock
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import IntegerField, Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute


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
        return fetch(self.sql, given, all_rows=True)


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
IDS = "\x00some-ids\x00"


def ids_in_one_value(cast: str = "bigint") -> RawSQL:
    """The ids given as one value, as a subquery: a JSON array on SQLite, an array on PostgreSQL (of ``cast``:
    "text" for keys that are words). One value for any number of ids, so that one compiled statement serves
    every list of them."""
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [IDS])
    if cast not in ("bigint", "text"):
        raise ValueError(f"ids are bigint or text, not {cast}")
    return RawSQL(f"SELECT unnest(%s::{cast}[])", [IDS])  # noqa: S611 - one of the two types above


def among(kept: Kept[Prepared | None], key: Hashable, rows: Callable[[], QuerySet], ids: Collection[int]) -> set[int]:
    """Which of ``ids`` are the primary keys of rows of ``rows()`` (a rule's query: what a person may read):
    ``set(rows().filter(pk__in=ids).values_list("pk", flat=True))``, from a statement compiled once per ``key``
    (which must hold whatever ``rows()`` is built from) with the ids given as one value on each run."""
    if not ids:
        return set()
    statement = kept.statement(key, lambda: prepare(rows().filter(pk__in=ids_in_one_value()).values("pk"), IDS))
    if statement is None:
        return set()  # the rule finds nothing (not a reader)
    return {row[0] for row in statement.rows(one_value(ids))}


def one_value(ids: Collection[Any]) -> object:
    """``ids`` as the one value a statement made with ``ids_in_one_value`` is given on each run."""
    return json.dumps(sorted(ids)) if connection.vendor == "sqlite" else sorted(ids)


# --- Reading on the driver's cursor -------------------------------------------------------------------------


def fetch(sql: str, parameters: list[Any], *, all_rows: bool = False, plan_once: bool = True) -> Any:
    """The rows of ``sql`` (all of them, or the first), read on the driver's cursor of Django's connection.
    ``plan_once``: prepared where statements are (``_prepares``); False for a statement whose best plan
    depends on its values more than planning costs (a search walking the messages for a common word).

    Django's cursor wrapper (and on SQLite its rewriting of each statement's placeholders) cost as much as
    a rare word's statement itself; a search runs two. When something watches the statements (DEBUG's log,
    a test capturing queries, an ``execute_wrapper``), they go through Django's cursor as every other one."""
    if connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall() if all_rows else cursor.fetchone()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if plan_once and _prepares():
            cursor, options = _value_binding_cursor(), {"prepare": True}
        else:
            cursor, options, sql = connection.connection.cursor(), {}, _driver_sql(sql)
        try:
            cursor.execute(sql, parameters, **options)
            return cursor.fetchall() if all_rows else cursor.fetchone()
        finally:
            cursor.close()


def _prepares() -> bool:
    """Whether statements are prepared by the database (planned once per connection, not on every run): on
    PostgreSQL when its connections are pooled, and so outlive the request. Planning was half the time of a
    search's statement (1.4 ms) and of home's unread counts. Not otherwise: a connection opened for one
    request would prepare for nothing, and a pooler of the installation's own (``ENVIRONET_DB_POOL`` off) may
    not keep prepared statements between transactions."""
    options = connection.settings_dict["OPTIONS"]
    pooled = bool(options.get("pool")) and options.get("prepare_threshold") is not None
    return connection.vendor == "postgresql" and pooled


def _value_binding_cursor() -> Any:
    """A cursor that sends the values apart from the statement (Django's own write them into it, which the
    database cannot prepare), so the database plans it once and runs it again with other values."""
    import psycopg

    return psycopg.Cursor(connection.connection)


def _driver_sql(sql: str) -> str:
    """``sql`` with the placeholders the driver takes (SQLite's "?"), rewritten once per statement."""
    if connection.vendor != "sqlite":
        return sql
    driver = _DRIVER_SQL.get(sql)
    if driver is None:
        from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX  # Django's own rewriting

        driver = FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
        with _DRIVER_SQL_LOCK:
            _DRIVER_SQL[sql] = driver
            while len(_DRIVER_SQL) > _DRIVER_SQL_KEPT:
                _DRIVER_SQL.pop(next(iter(_DRIVER_SQL)))
    return driver


_DRIVER_SQL_KEPT = 1024
# The statements as the driver takes them (see ``_driver_sql``).
_DRIVER_SQL: dict[str, str] = {}
_DRIVER_SQL_LOCK = Lock()


@dataclass(frozen=True)
class Converted:
    """A ``values_list`` query compiled once, then run (``run``) with the value of the moment where its stand-in
    was (none: a query that depends only on its key), on the driver's cursor, its values converted as the ORM
    converts them (dates, decimals, booleans, JSON)."""

    sql: str
    parameters: tuple
    at: tuple[int, ...]  # where the value goes (a query may ask it twice: a link's one end or the other)
    compiler: Any
    converters: dict

    @classmethod
    def of(cls, queryset: QuerySet, stand_in: object = None) -> "Converted":
        compiler = queryset.query.get_compiler(connection.alias)
        sql, parameters = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        at = () if stand_in is None else tuple(number for number, value in enumerate(parameters) if value == stand_in)
        return cls(sql, tuple(parameters), at, compiler, converters)

    def run(self, value: object = None) -> list[tuple]:
        given = list(self.parameters)
        for at in self.at:
            given[at] = value
        rows = fetch(self.sql, given, all_rows=True)
        return list(self.compiler.apply_converters(rows, self.converters)) if self.converters else rows


@dataclass(frozen=True)
class ByIds(Converted):
    """A query of rows by a list of ids (``ids_in_one_value`` where the ids go: ``values_list`` of the rows of
    ``pk__in`` them, or of the lines of ``record__in`` them), compiled once, then run with the ids of the moment
    (``rows``)."""

    @classmethod
    def of(cls, queryset: QuerySet, stand_in: object = IDS) -> "ByIds":
        made = super().of(queryset, stand_in)
        return cls(made.sql, made.parameters, made.at, made.compiler, made.converters)

    def rows(self, ids: Collection[Any]) -> list[tuple]:
        return self.run(one_value(ids))


# --- Making instances from rows -----------------------------------------------------------------------------


def builder(model: type[Model], alias: str, fields: list[Any]) -> Callable[[Any], Any]:
    """Makes an instance of ``model`` from the values of ``fields`` (some of its concrete fields, in the model's
    order), as ``Model.from_db`` would (the fields not read are deferred: read if asked).

    ``Model.__init__`` sets each field through its descriptor and sends the init signals: for the 80 objects
    of a page, more time than the statement. With no init signal listened to, no ``__init__`` of the model's
    own and only the plain descriptors (whose setting is storing the value), the same instance is the values
    stored as they are; otherwise ``Model.from_db``."""
    listened = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    names = tuple(field.attname for field in fields)
    key = (model, alias, listened, names)
    made = _BUILDERS.get(key)
    if made is None:
        made = _BUILDERS[key] = _new_builder(model, alias, listened, names)
    return made


def _new_builder(model: type[Model], alias: str, listened: bool, names: tuple[str, ...]) -> Callable[[Any], Any]:
    plain = (
        not listened
        and model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and all(type(model.__dict__.get(name, _MISSING)) in _PLAIN_DESCRIPTORS for name in names)
    )
    if not plain:
        return lambda values: model.from_db(alias, names, values)

    def make(values: Any) -> Model:
        instance = model.__new__(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = alias
        instance.__dict__.update(zip(names, values, strict=True))
        return instance

    return make


_BUILDERS: dict[tuple[type[Model], str, bool, tuple[str, ...]], Callable[[Any], Any]] = {}
_MISSING = object()
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


# --- A page's objects by their ids --------------------------------------------------------------------------
# Lists (the seizure list, the overview) read their ids first, by a rule compiled once, then their objects. The
# ORM's query of twenty ids with its joins and prefetches, built and compiled anew, and its making of the
# objects, cost those pages more than their statements: ``Joined`` and ``attach`` read the same objects, made
# as the ORM makes them (``select_related``, ``only``, ``prefetch_related``), from statements compiled once.


@dataclass(frozen=True)
class _Part:
    path: str
    model: type[Model]
    fields: list[Any]
    start: int
    end: int
    pk_at: int  # where the primary key is among the part's values
    parent: int  # the part it hangs from (-1: none, the objects read)
    relation: Any  # the parent's field (or one-to-one relation) that holds it


class Joined:
    """``model``'s rows by their ids, with what ``shown`` names of them and of the objects they point to: a
    path ("", "author", "author__organisation", or a reverse one-to-one such as a thread's "seizure") to the
    names of the fields read (the others deferred; None: every field). One statement, compiled once per
    database; the related objects are set as ``select_related`` sets them (None where there is none), one object
    per row shared."""

    def __init__(
        self, model: type[Model], shown: Mapping[str, tuple[str, ...] | None], *, where: Mapping[str, Any] | None = None
    ) -> None:
        self.model, self.shown, self._kept = model, shown, Kept[ByIds](4)
        self.where = dict(where or {})  # what every object read has ("is_common": True): ``filter(**where)``

    @classmethod
    def only(cls, model: type[Model], names: Collection[str]) -> "Joined":
        """What ``select_related(...).only(*names)`` reads: names as ``only`` takes them ("subject",
        "author__full_name", "author__organisation__name"), each path to the fields named under it."""
        shown: dict[str, tuple[str, ...]] = {}
        for name in names:
            path, _, field = name.rpartition("__")
            shown[path] = (*shown.get(path, ()), field)
        return cls(model, shown)

    @cached_property
    def parts(self) -> list[_Part]:
        """Where each object's values are in a row (worked out on first use: the relations of other apps' models,
        such as a thread's record, exist once every app is loaded)."""
        parts: list[_Part] = []
        paths, at = sorted(self.shown, key=lambda path: (path.count("__"), path)), 0
        for path in paths:
            parent, relation, model = -1, None, self.model  # type: tuple[int, Any, Any]
            if path:
                above, _, last = path.rpartition("__")
                parent = paths.index(above)
                relation = parts[parent].model._meta.get_field(last)
                model = relation.related_model
            names = self.shown[path]
            fields = [field for field in model._meta.concrete_fields if names is None or field.attname in names]
            pk_at = [field.attname for field in fields].index(model._meta.pk.attname)
            parts.append(_Part(path, model, fields, at, at + len(fields), pk_at, parent, relation))
            at += len(fields)
        return parts

    def _names(self) -> list[str]:
        return [
            f"{part.path}__{field.attname}" if part.path else field.attname
            for part in self.parts
            for field in part.fields
        ]

    def one(self, pk: int) -> Model | None:
        """The object of ``pk``, or None when there is none."""
        return self.read([pk]).get(pk)

    def read(self, ids: Collection[int]) -> dict[int, Model]:
        """The objects of ``ids`` that exist, by id."""
        if not ids:
            return {}
        statement = self._kept.statement("joined", lambda: ByIds.of(self._rows("pk").order_by()))
        return self._made(statement.rows(ids))

    def under(self, owner: str, ids: Collection[Any]) -> list[Model]:
        """The objects whose ``owner`` (the name of a foreign key: a record's history under "seizure"; or of a
        field of words: a library link's "key") is one of ``ids``, in the model's order (by primary key when it
        has none): the ORM's ``filter(<owner>__in=ids).select_related(...).only(...)``, or a related manager's
        ``all()``."""
        if not ids:
            return []
        ordering = self.model._meta.ordering or ["pk"]
        statement = self._kept.statement(("under", owner), lambda: ByIds.of(self._rows(owner).order_by(*ordering)))
        return list(self._made(statement.rows(ids)).values())

    def _rows(self, key: str) -> QuerySet:
        """The values read, of the objects whose ``key`` is among the ids given on each run."""
        field = self.model._meta.pk if key == "pk" else self.model._meta.get_field(key)
        # A key is a number (an id, a foreign key's) or words (a library link's "key"), whatever its field's class.
        cast = "bigint" if isinstance(getattr(field, "target_field", field), IntegerField) else "text"
        rows = self.model._base_manager.filter(**self.where, **{f"{key}__in": ids_in_one_value(cast)})
        return rows.values_list(*self._names())

    def _made(self, rows: list[tuple]) -> dict[int, Model]:
        alias = connection.alias
        makers = [builder(part.model, alias, part.fields) for part in self.parts]
        shared: dict[tuple[int, Any], Model] = {}
        found: dict[int, Model] = {}
        for row in rows:
            made: list[Model | None] = []
            for number, (part, make) in enumerate(zip(self.parts, makers, strict=True)):
                values = row[part.start : part.end]
                key = values[part.pk_at]
                instance = None if key is None else shared.get((number, key))
                if instance is None and key is not None:
                    instance = shared[number, key] = make(values)
                made.append(instance)
                above = made[part.parent] if part.parent >= 0 else None
                if above is not None:
                    _set_related(part.relation, above, instance)
            read = made[0]
            assert read is not None  # the objects read are there: their ids are what is asked
            found[read.pk] = read
        return found


def _set_related(relation: Any, parent: Model, instance: Model | None) -> None:
    relation.set_cached_value(parent, instance)
    if instance is not None and relation.one_to_one:  # select_related sets both sides of a one-to-one
        other = relation.remote_field if relation.concrete else relation.field
        other.set_cached_value(instance, parent)


def attach(kept: Kept, instances: Collection[Model], name: str, shown: tuple[str, ...]) -> None:
    """``prefetch_related(Prefetch(name, queryset=<related>.objects.only(*shown)))`` of ``instances`` (of one
    model), for ``name`` a reverse foreign key (a record's lines) or a many-to-many field (a thread's topics):
    the related objects, in their model's order, read by one statement compiled once per relation and fields,
    kept in ``kept``, set where the prefetch sets them (``instance.<name>.all()`` gives them without a query)."""
    if not instances:
        return
    model = next(iter(instances))._meta.model
    relation: Any = model._meta.get_field(name)
    related: type[Model] = relation.related_model
    fields = [field for field in related._meta.concrete_fields if field.attname in shown]
    statement = kept.statement((model, name, shown), lambda: ByIds.of(_related_query(relation, related, fields)))
    by_pk = {instance.pk: instance for instance in instances}
    lists: dict[Any, list[Model]] = {pk: [] for pk in by_pk}
    make = builder(related, connection.alias, fields)
    back = relation.field.set_cached_value if relation.one_to_many else None
    for row in statement.rows(list(by_pk)):
        made = make(row[1:])
        lists[row[0]].append(made)
        if back is not None:
            back(made, by_pk[row[0]])  # as the prefetch does: each line knows its record
    for pk, instance in by_pk.items():
        manager = getattr(instance, name)
        cached = manager._apply_rel_filters(related._base_manager.all())
        cached._result_cache, cached._prefetch_done = lists[pk], True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = cached


def attached(instance: Model, name: str) -> list[Any]:
    """The objects ``attach`` (or a ``prefetch_related``) set for ``name`` on ``instance``, as the list they are:
    ``instance.<name>.all()`` makes a new queryset of them on each call, which for a page's fifty messages cost
    more than reading them. Read from the database when nothing was set."""
    cached = getattr(instance, "_prefetched_objects_cache", {}).get(name)
    if cached is not None and cached._result_cache is not None:
        return cached._result_cache
    return list(getattr(instance, name).all())


def _related_query(relation: Any, related: type[Model], fields: list[Any]) -> QuerySet:
    """The rows of ``attach``: the owner's id, then the related object's ``fields``, in the related model's order."""
    names = [field.attname for field in fields]
    if relation.one_to_many:
        owner = relation.field.attname
        query = related._base_manager.filter(**{f"{owner}__in": ids_in_one_value()})
        return query.values_list(owner, *names)
    through = relation.remote_field.through
    own, other = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    keys: list[str] = list(related._meta.ordering)  # type: ignore[arg-type]  # names, in the models here
    ordering = [f"-{other}__{key[1:]}" if key.startswith("-") else f"{other}__{key}" for key in keys]
    query = through._base_manager.filter(**{f"{own}__in": ids_in_one_value()}).order_by(*ordering)
    return query.values_list(f"{own}_id", *(f"{other}__{name}" for name in names))
