"""Finding related records: each record is matched against every other when it is saved.

A record's matchable values become ``MatchKey`` rows, each a keyed hash (seizures.nominal.digest) of a
normalised value: the companies, persons, identity numbers and addresses involved (nominal: only the
hash is stored), its containers, vessel, air waybill, flight, and each species or substance on each
stretch of its route. Two records sharing a value are related; the pair is stored once, as a ``Link``
holding every reason (a bit per kind of value).

- Flights and species-on-a-route relate records only within a time window (``SEIZURE_WINDOW_DAYS`` either
  side of the date of seizure): their holders are looked up by hash and date, on one index.
- A value held by more than ``SEIZURE_COMMON_LIMIT`` other records (within the window, for windowed
  values) is common: it would relate everything to everything, so it links nothing. When a value becomes
  common, the links it made among its holders are taken back, unless another value still relates them; its
  keys are marked common, and the record pages report it instead. ``ValueCount`` keeps the number of
  holders of each value that has no window, so this costs one indexed read however popular the value is;
  windowed values are counted in their window, stopping at the limit.
- A "route" is two different countries of the record (origin, export, transits, destination, place of
  seizure), in either order: records of the same species sharing two countries are on an overlapping
  route. A record with only one known country matches others with only that country.

Saving a new record costs a handful of statements, all plain SQL: the counts of its values, the holders of
those that may still link, its keys, the counts, its links. The reads (``find_related``) are what the
benchmark compares with raw indexed queries. Rebuilding (``manage.py recorrelate``, seizures.recorrelation)
gives the keys, counts and links that saving every record again in the order they were filed would give,
in a few set-based statements instead of record by record.
"""

import functools
import itertools
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q
from django.dispatch import receiver

from environet.compiled import Joined
from seizures import nominal
from seizures.models import CommodityLine, Link, MatchKey, NominalEntry, Seizure

Kind = MatchKey.Kind
WINDOWED = frozenset({Kind.FLIGHT, Kind.COMMODITY_ROUTE})
NOMINAL_KINDS = frozenset({Kind.COMPANY, Kind.PERSON, Kind.IDENTIFIER, Kind.ADDRESS})
# Not countries: they say nothing about a route.
NOT_A_PLACE = frozenset({"", "XX", "XZ"})


@dataclass(frozen=True)
class Value:
    """One matchable value of a record, before hashing."""

    kind: int
    text: str  # normalised, prefixed with its kind
    label: str = ""  # shown on the record page; empty for nominal values
    entry: NominalEntry | None = field(default=None, compare=False, hash=False)

    @property
    def windowed(self) -> bool:
        return self.kind in WINDOWED


@dataclass
class Found:
    """What the reads found for a record: related records (id -> reasons), its common values, and the
    values it has just made common (digest -> the other holders whose links through it are taken back)."""

    related: dict[int, int]
    common: set[bytes]
    crossed: dict[bytes, list[int]]


@dataclass(frozen=True)
class Related:
    """What saving a record found: the records newly related to it (id -> reasons), and its values held by
    too many records to link."""

    new: dict[int, int]
    common: list[Value]


def window_days() -> int:
    return _rules()[1].days


def common_limit() -> int:
    return _rules()[0]


@functools.cache
def _rules() -> tuple[int, timedelta]:
    """The common limit and the window, read from the settings once: find_related runs on every save, and
    reading the lazy settings twice and making the window anew took about 4 µs of its 60-80 (bench/correlate.py).
    A change of either setting (``setting_changed``, as tests change them) reads them again."""
    return settings.SEIZURE_COMMON_LIMIT, timedelta(days=settings.SEIZURE_WINDOW_DAYS)


@receiver(setting_changed)
def _setting_changed(*, setting: str, **kwargs) -> None:
    if setting in ("SEIZURE_COMMON_LIMIT", "SEIZURE_WINDOW_DAYS"):
        _rules.cache_clear()


# --- The values of a record ------------------------------------------------------------------------------


def values_of(
    seizure: Seizure, lines: Iterable[CommodityLine], people: Iterable[tuple[NominalEntry, "nominal.Nominal"]]
) -> list[Value]:
    """Every matchable value of the record, each once."""
    found: dict[tuple[int, str], Value] = {}

    def add(value: Value) -> None:
        found.setdefault((value.kind, value.text), value)

    lines = list(lines)
    for entry, data in people:
        _nominal_values(entry, data, add)
    for container in seizure.container_numbers:
        add(Value(Kind.CONTAINER, f"container:{container}", container))
    for imo in [seizure.vessel_imo, *(line.vessel_imo for line in lines)]:
        if imo:
            add(Value(Kind.VESSEL, f"vessel:{imo}", f"IMO {imo}"))
    if seizure.air_waybill:
        add(Value(Kind.AIR_WAYBILL, f"awb:{seizure.air_waybill}", seizure.air_waybill))
    if seizure.flight_number:
        add(Value(Kind.FLIGHT, f"flight:{seizure.flight_number}", seizure.flight_number))
    countries = sorted({code for code in [seizure.country, *seizure.route] if code not in NOT_A_PLACE})
    stretches = list(itertools.combinations(countries, 2)) or [(code, code) for code in countries]
    for line in lines:
        commodity = f"{line.convention}:{line.code.casefold()}"
        for first, second in stretches:
            label = f"{line.code} {first}–{second}" if first != second else f"{line.code} {first}"
            add(Value(Kind.COMMODITY_ROUTE, f"route:{commodity}:{first}:{second}", label[:120]))
    return list(found.values())


def _nominal_values(entry: NominalEntry, data: "nominal.Nominal", add) -> None:
    if data.name:
        if entry.kind == NominalEntry.Kind.COMPANY:
            name = nominal.company_key(data.name)
            if name:
                add(Value(Kind.COMPANY, f"company:{name}", entry=entry))
        else:
            name = nominal.person_key(data.name)
            if name:
                add(Value(Kind.PERSON, f"person:{name}", entry=entry))
    for identifier in data.identifiers:
        number = nominal.identifier_key(identifier)
        if len(number) >= 4:  # shorter "numbers" (a typo, "n/a") would relate unrelated records
            add(Value(Kind.IDENTIFIER, f"id:{number}", entry=entry))
    if data.address:
        address = nominal.address_key(data.address)
        if address:
            add(Value(Kind.ADDRESS, f"address:{address}", entry=entry))


def hashed(values: Iterable[Value]) -> dict[bytes, Value]:
    """The record's values by their keyed hash."""
    return {nominal.digest(value.text): value for value in values}


def within(day: date) -> tuple[date, date]:
    """The first and last day a windowed value relates a record of ``day`` to."""
    window = _rules()[1]
    return day - window, day + window


# --- The reads ---------------------------------------------------------------------------------------------


def _placeholders(count: int, mark: str = "%s") -> str:
    return ", ".join([mark] * count)


def _split(values: dict[bytes, Value]) -> tuple[list[bytes], list[bytes]]:
    """The digests of the values without a window, and of the windowed ones."""
    plain: list[bytes] = []
    windowed: list[bytes] = []
    for digest, value in values.items():
        (windowed if value.kind in WINDOWED else plain).append(digest)
    return plain, windowed


def counts_sql(values: dict[bytes, Value], window: tuple[date, date], limit: int, mark: str) -> tuple[str, list]:
    """The one statement that reads how many records hold each value (see ``holder_counts``), with ``mark``
    as the placeholder of the driver's own parameter style."""
    plain, windowed = _split(values)
    parts: list[str] = []
    params: list = []
    if plain:
        parts.append(
            f"SELECT digest, count FROM seizures_valuecount WHERE digest IN ({_placeholders(len(plain), mark)})"  # noqa: S608
        )
        params += plain
    if windowed:
        # One bounded read per value: a popular value costs no more than a rare one.
        parts.append(
            "SELECT wanted.column1, (SELECT COUNT(*) FROM (SELECT 1 FROM seizures_matchkey"  # noqa: S608
            f" WHERE digest = wanted.column1 AND occurred_on BETWEEN {mark} AND {mark} LIMIT {mark}) AS held)"
            f" FROM (VALUES {', '.join([f'({mark})'] * len(windowed))}) AS wanted"
        )
        params += [*window, limit + 2, *windowed]
    return " UNION ALL ".join(parts), params


def holder_counts(cursor, values: dict[bytes, Value], window: tuple[date, date], limit: int) -> dict[bytes, int]:
    """How many records hold each value (the record itself not among them); windowed values counted within
    the ``window`` of dates and only up to ``limit`` plus two (enough to know it is common, and whether it just
    became). A value no record holds yet may be missing. ``cursor`` is the driver's own (see find_related)."""
    if not values:
        return {}
    cursor.execute(*counts_sql(values, window, limit, _mark(cursor)))
    return {bytes(digest): count for digest, count in cursor.fetchall()}


def holders_sql(
    wanted: dict[bytes, Value], window: tuple[date, date], exclude: int, mark: str
) -> tuple[str, list] | None:
    """The statement that reads the other holders of ``wanted`` (windowed values in the window), if any."""
    plain, windowed = _split(wanted)
    where: list[str] = []
    params: list = [exclude]
    if plain:
        where.append(f"digest IN ({_placeholders(len(plain), mark)})")
        params += plain
    if windowed:
        where.append(f"(digest IN ({_placeholders(len(windowed), mark)}) AND occurred_on BETWEEN {mark} AND {mark})")
        params += [*windowed, *window]
    if not where:
        return None
    sql = f"SELECT seizure_id, digest FROM seizures_matchkey WHERE seizure_id <> {mark} AND ({' OR '.join(where)})"  # noqa: S608
    return sql, params


def holders(cursor, wanted: dict[bytes, Value], window: tuple[date, date], exclude: int) -> list[tuple[int, bytes]]:
    """(record, digest) of the other records holding the wanted values (windowed ones in the window)."""
    statement = holders_sql(wanted, window, exclude, _mark(cursor))
    if statement is None:
        return []
    cursor.execute(*statement)
    return cursor.fetchall()


def _mark(cursor) -> str:
    """The placeholder of the driver's own parameter style (sqlite3's qmark, psycopg's format)."""
    return "?" if isinstance(cursor, sqlite3.Cursor) else "%s"


def find_related(seizure: Seizure, values: dict[bytes, Value]) -> Found:
    """The other records sharing a value with this one, its common values, and those it makes common.
    Reads only; the record's own keys must not be stored yet.

    Its two statements run on every save, so they go to the database driver's own cursor of Django's
    connection, rows read as tuples: Django's cursor wrapper costs more per statement than these indexed
    reads take (rewriting every placeholder, wrapping each call), which made the lookups 1.6 times the same
    SQL on a bare cursor. Errors still come out as Django's, and a broken transaction is still refused; what
    is lost is only that execute wrappers (and DEBUG's query log) do not see these two reads."""
    limit, span = _rules()
    window = (seizure.occurred_on - span, seizure.occurred_on + span)  # within(), written out: on every save
    related: dict[int, int] = {}
    crossed: dict[bytes, list[int]] = {}
    database = connections[DEFAULT_DB_ALIAS]  # once: each use of ``connection`` looks it up again
    database.ensure_connection()
    database.validate_no_broken_transaction()
    with database.wrap_database_errors:
        cursor = database.connection.cursor()
        try:
            counts = holder_counts(cursor, values, window, limit)
            common = {digest for digest, count in counts.items() if count > limit}
            # Held by exactly one more than the limit: this record is the one that makes it common.
            crossing = {digest for digest in common if counts[digest] == limit + 1}
            wanted = {digest: value for digest, value in values.items() if digest not in common or digest in crossing}
            for other, digest in holders(cursor, wanted, window, seizure.id):
                digest = bytes(digest)
                if digest in crossing:
                    crossed.setdefault(digest, []).append(other)
                else:
                    related[other] = related.get(other, 0) | 1 << wanted[digest].kind
        finally:
            cursor.close()
    return Found(related=related, common=common, crossed=crossed)


# --- The writes --------------------------------------------------------------------------------------------


def _bump(digests: Sequence[bytes], step: int) -> None:
    """One more (or one fewer) record holding each value that has no window."""
    if not digests:
        return
    with connection.cursor() as cursor:
        if step > 0:
            cursor.executemany(
                "INSERT INTO seizures_valuecount (digest, count) VALUES (%s, 1) "
                "ON CONFLICT (digest) DO UPDATE SET count = seizures_valuecount.count + 1",
                [(digest,) for digest in digests],
            )
        else:
            cursor.execute(
                "UPDATE seizures_valuecount SET count = count - 1 "  # noqa: S608
                f"WHERE digest IN ({_placeholders(len(digests))})",
                list(digests),
            )


def forget_keys(seizure: Seizure) -> None:
    """Remove the record's keys (before storing its new ones) and count them out."""
    rows = MatchKey.objects.filter(seizure=seizure).values_list("digest", "kind")
    plain = [bytes(digest) for digest, kind in rows if kind not in WINDOWED]
    MatchKey.objects.filter(seizure=seizure).delete()
    _bump(plain, -1)


def store_keys(seizure: Seizure, values: dict[bytes, Value], common: set[bytes]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO seizures_matchkey (seizure_id, kind, digest, occurred_on, nominal_entry_id, label, is_common)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    seizure.pk,
                    value.kind,
                    digest,
                    seizure.occurred_on,
                    value.entry.pk if value.entry is not None else None,
                    value.label,
                    digest in common,
                )
                for digest, value in values.items()
            ],
        )
    _bump([digest for digest, value in values.items() if not value.windowed], +1)


def store_links(seizure: Seizure, related: dict[int, int], *, new: bool) -> dict[int, int]:
    """Make the record's links say ``related``; returns the pairs that are new (other id -> reasons)."""
    existing: dict[int, tuple[tuple[int, int], int]] = {}
    if not new:
        links = Link.objects.filter(Q(low=seizure) | Q(high=seizure)).values_list("low", "high", "reasons")
        for low, high, reasons in links:
            existing[high if low == seizure.pk else low] = ((low, high), reasons)
        _delete_links([pair for other, (pair, _reasons) in existing.items() if other not in related])
        _set_reasons(
            [
                (reasons, *existing[other][0])
                for other, reasons in related.items()
                if other in existing and existing[other][1] != reasons
            ]
        )
    added = {other: reasons for other, reasons in related.items() if other not in existing}
    if added:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO seizures_link (low_id, high_id, reasons) VALUES (%s, %s, %s)",
                [(min(other, seizure.pk), max(other, seizure.pk), reasons) for other, reasons in added.items()],
            )
    return added


def take_back(digest: bytes, kind: int, holders_of: Sequence[int]) -> None:
    """A value has just become common: its earlier holders' keys of it are marked common, and the links it
    made among them are taken back, unless another value of the same kind still relates the pair."""
    MatchKey.objects.filter(seizure_id__in=holders_of, digest=digest).update(is_common=True)
    still = _still_related(holders_of, kind)
    bit = 1 << kind
    gone: list[tuple[int, int, int]] = []
    fewer: list[tuple[int, int, int]] = []
    links = Link.objects.filter(low_id__in=holders_of, high_id__in=holders_of)
    for low, high, reasons in links.values_list("low", "high", "reasons"):
        if reasons & bit and frozenset((low, high)) not in still:
            (gone if reasons == bit else fewer).append((low, high, reasons))
    _delete_links([(low, high) for low, high, _reasons in gone])
    _set_reasons([(reasons - bit, low, high) for low, high, reasons in fewer])


def _delete_links(pairs: Sequence[tuple[int, int]]) -> None:
    # One statement a pair, each on the pair's key: a list of pairs in one IN would scan the table.
    if pairs:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM seizures_link WHERE low_id = %s AND high_id = %s", list(pairs))


def _set_reasons(rows: Sequence[tuple[int, int, int]]) -> None:
    """(reasons, low, high) of links whose reasons change."""
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE seizures_link SET reasons = %s WHERE low_id = %s AND high_id = %s", list(rows))


def _still_related(holders_of: Sequence[int], kind: int) -> set[frozenset[int]]:
    """Pairs of these records that share another value of the kind that still links (not common)."""
    by_digest: dict[bytes, list[tuple[int, date]]] = defaultdict(list)
    for seizure_id, digest, held_on in MatchKey.objects.filter(
        seizure_id__in=holders_of, kind=kind, is_common=False
    ).values_list("seizure_id", "digest", "occurred_on"):
        by_digest[bytes(digest)].append((seizure_id, held_on))
    window = window_days()
    still: set[frozenset[int]] = set()
    for held in by_digest.values():
        for (one, first), (two, second) in itertools.combinations(held, 2):
            if kind not in WINDOWED or abs((first - second).days) <= window:
                still.add(frozenset((one, two)))
    return still


def correlate(
    seizure: Seizure,
    *,
    lines: Sequence[CommodityLine] | None = None,
    people: Sequence[tuple[NominalEntry, "nominal.Nominal"]] | None = None,
    new: bool = False,
) -> Related:
    """Match the saved record against every other one and store what relates them. Call inside the
    transaction that saved it. ``lines`` and ``people`` (the entries with their nominal data) are read from
    the database when not given; ``new`` says the record has no keys or links yet."""
    if lines is None:
        lines = list(seizure.lines.all())
    if people is None:
        people = [(entry, nominal.unseal(entry)) for entry in seizure.nominal_entries.all()]
    values = hashed(values_of(seizure, lines, people))
    if not new:
        forget_keys(seizure)
    found = find_related(seizure, values)
    for digest, others in found.crossed.items():
        take_back(digest, values[digest].kind, others)
    store_keys(seizure, values, found.common)
    added = store_links(seizure, found.related, new=new)
    return Related(new=added, common=[values[digest] for digest in found.common])


def common_values(seizure: Seizure) -> list[MatchKey]:
    """The record's values that are held by too many records to link (for its page): what is said of each, its
    kind and label, from a statement compiled once (the other fields are read if asked)."""
    return cast(list[MatchKey], _COMMON.under("seizure", [seizure.pk]))


_COMMON = Joined(MatchKey, {"": ("id", "seizure_id", "kind", "label", "is_common")}, where={"is_common": True})


# --- New records filed together ------------------------------------------------------------------------------


@dataclass
class _Known:
    """What correlating the next records needs of the values they hold: each value's count (values without a
    window) and its holders (id, date of seizure), as the keys stand, those of the records done since added."""

    counts: dict[bytes, int]
    holders: dict[bytes, list[tuple[int, date]]]


def _known(values: Sequence[dict[bytes, Value]], days: Sequence[date]) -> _Known:
    """Read, in three statements for all the records, what ``find_related`` reads for each: the counts of
    their values without a window, the holders of those that may still link (held by at most ``limit + 1``
    records: no more than that many rows each), and the holders of their windowed values within the window of
    any of their dates."""
    limit = common_limit()
    plain = sorted({digest for each in values for digest, value in each.items() if not value.windowed})
    windowed = sorted({digest for each in values for digest, value in each.items() if value.windowed})
    counts: dict[bytes, int] = {}
    holders: dict[bytes, list[tuple[int, date]]] = defaultdict(list)
    with connection.cursor() as cursor:
        for start in range(0, len(plain), _CHUNK):
            part = plain[start : start + _CHUNK]
            cursor.execute(
                f"SELECT digest, count FROM seizures_valuecount WHERE digest IN ({_placeholders(len(part))})",  # noqa: S608
                part,
            )
            counts.update((bytes(digest), count) for digest, count in cursor.fetchall())
        linking = [digest for digest in plain if counts.get(digest, 0) <= limit + 1]
        if windowed and days:
            first, last = within(min(days))[0], within(max(days))[1]
        for wanted, dated in ((linking, False), (windowed, True)):
            for start in range(0, len(wanted), _CHUNK):
                part = wanted[start : start + _CHUNK]
                sql = (
                    "SELECT digest, seizure_id, occurred_on FROM seizures_matchkey"  # noqa: S608
                    f" WHERE digest IN ({_placeholders(len(part))})"
                )
                if dated:
                    sql += " AND occurred_on BETWEEN %s AND %s"
                cursor.execute(sql + " ORDER BY seizure_id", [*part, first, last] if dated else part)
                for digest, holder, held_on in cursor.fetchall():
                    holders[bytes(digest)].append((holder, held_on))
    return _Known(counts=counts, holders=holders)


# Values looked up in one statement: well under the databases' limits on parameters.
_CHUNK = 500


def _found_in(known: _Known, seizure: Seizure, values: dict[bytes, Value]) -> Found:
    """``find_related`` answered from what is known, for a record whose values none of the known holders
    has just made common (the caller checks it: ``crossed`` is then empty)."""
    limit = common_limit()
    first, last = within(seizure.occurred_on)
    related: dict[int, int] = {}
    common: set[bytes] = set()
    crossed: dict[bytes, list[int]] = {}
    for digest, value in values.items():
        held = known.holders.get(digest, [])
        if value.windowed:
            held = [(other, day) for other, day in held if first <= day <= last]
            count = len(held)
        else:
            count = known.counts.get(digest, 0)
        if count > limit:
            common.add(digest)
            if count == limit + 1:
                crossed[digest] = [other for other, _day in held if other != seizure.pk]
            continue
        for other, _day in held:
            if other != seizure.pk:
                related[other] = related.get(other, 0) | 1 << value.kind
    return Found(related=related, common=common, crossed=crossed)


def correlate_new(records: Sequence[tuple[Seizure, Sequence[CommodityLine]]]) -> list[Related]:
    """``correlate(seizure, lines=..., people=[], new=True)`` of each of these new records in turn (saved, with
    no keys yet, filed in this order, naming nobody), giving the same keys, counts, links and answers, in a
    few statements for all of them instead of five or six for each: what the records hold is read once, each
    record is matched in memory against it and against the records before it, and the keys, counts and
    links are written together. A record that makes a value common (it takes back links the value made among
    its earlier holders, which may lie anywhere) is correlated as ``correlate`` does it, after what was
    matched before it is written; what the rest hold is then read again."""
    values = [hashed(values_of(seizure, lines, [])) for seizure, lines in records]
    answers: list[Related] = []
    start = 0
    while start < len(records):
        known = _known(values[start:], [seizure.occurred_on for seizure, _lines in records[start:]])
        keys: list[tuple] = []
        bumps: dict[bytes, int] = defaultdict(int)
        links: list[tuple[int, int, int]] = []
        position = start
        while position < len(records):
            seizure, _lines = records[position]
            found = _found_in(known, seizure, values[position])
            if found.crossed:
                break
            own = values[position]
            keys += [
                (seizure.pk, value.kind, digest, seizure.occurred_on, None, value.label, digest in found.common)
                for digest, value in own.items()
            ]
            for digest, value in own.items():
                known.holders.setdefault(digest, []).append((seizure.pk, seizure.occurred_on))
                if not value.windowed:
                    known.counts[digest] = known.counts.get(digest, 0) + 1
                    bumps[digest] += 1
            links += [
                (min(other, seizure.pk), max(other, seizure.pk), reasons) for other, reasons in found.related.items()
            ]
            answers.append(Related(new=found.related, common=[own[digest] for digest in found.common]))
            position += 1
        _write_new(keys, bumps, links)
        if position < len(records):
            seizure, lines = records[position]
            answers.append(correlate(seizure, lines=lines, people=[], new=True))
            position += 1
        start = position
    return answers


def _write_new(keys: Sequence[tuple], bumps: dict[bytes, int], links: Sequence[tuple[int, int, int]]) -> None:
    """The keys, counts and links of records matched together (``store_keys``, ``store_links`` of each), in a
    few statements: on PostgreSQL a statement a row, even pipelined, cost the server as much again as the rows."""
    _add_rows(
        "seizures_matchkey",
        ("seizure_id", "kind", "digest", "occurred_on", "nominal_entry_id", "label", "is_common"),
        keys,
    )
    # Each value once in its statement (the counts were added up), as ON CONFLICT requires.
    rows = list(bumps.items())
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _CHUNK):
            part = rows[start : start + _CHUNK]
            cursor.execute(
                f"INSERT INTO seizures_valuecount (digest, count) VALUES {', '.join(['(%s, %s)'] * len(part))}"  # noqa: S608
                " ON CONFLICT (digest) DO UPDATE SET count = seizures_valuecount.count + excluded.count",
                [value for row in part for value in row],
            )
    _add_rows("seizures_link", ("low_id", "high_id", "reasons"), links)


def _add_rows(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """New rows: COPY on PostgreSQL (a third of the time of the same rows in multi-row INSERTs, which psycopg
    must parse for their thousands of placeholders), a few hundred rows an INSERT on SQLite."""
    if not rows:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = "(" + _placeholders(len(columns)) + ")"
        for start in range(0, len(rows), _CHUNK):
            part = rows[start : start + _CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))}",  # noqa: S608
                [value for each in part for value in each],
            )
