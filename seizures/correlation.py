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
benchmark compares with raw indexed queries. Rebuilding (``manage.py recorrelate``) replays every record in
the order they were filed, so it gives the links that saving them one by one gave.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from seizures import nominal
from seizures.models import CommodityLine, Link, MatchKey, NominalEntry, Seizure, ValueCount

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
    return settings.SEIZURE_WINDOW_DAYS


def common_limit() -> int:
    return settings.SEIZURE_COMMON_LIMIT


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
    window = timedelta(days=window_days())
    return day - window, day + window


# --- The reads ---------------------------------------------------------------------------------------------


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def holder_counts(values: dict[bytes, Value], day: date) -> dict[bytes, int]:
    """How many records hold each value (the record itself not among them); windowed values counted within
    the window and only up to the limit plus two (enough to know it is common, and whether it just became)."""
    plain = [digest for digest, value in values.items() if not value.windowed]
    windowed = [digest for digest, value in values.items() if value.windowed]
    counts: dict[bytes, int] = {}
    with connection.cursor() as cursor:
        if plain:
            cursor.execute(
                f"SELECT digest, count FROM seizures_valuecount WHERE digest IN ({_placeholders(len(plain))})",  # noqa: S608
                plain,
            )
            counts.update((bytes(digest), count) for digest, count in cursor.fetchall())
        if windowed:
            first, last = within(day)
            # One bounded read per value, in one statement: a popular value costs no more than a rare one.
            part = (
                "SELECT %s, (SELECT COUNT(*) FROM (SELECT 1 FROM seizures_matchkey WHERE digest = %s"
                " AND occurred_on BETWEEN %s AND %s LIMIT %s) AS held)"
            )
            cursor.execute(
                " UNION ALL ".join([part] * len(windowed)),
                [item for digest in windowed for item in (digest, digest, first, last, common_limit() + 2)],
            )
            counts.update((bytes(digest), count) for digest, count in cursor.fetchall())
    return counts


def holders(linkable: dict[bytes, Value], day: date, exclude: int) -> list[tuple[int, bytes, date]]:
    """(record, digest, date) of the other records holding the linkable values (windowed ones in the window)."""
    plain = [digest for digest, value in linkable.items() if not value.windowed]
    windowed = [digest for digest, value in linkable.items() if value.windowed]
    where: list[str] = []
    params: list[bytes | date] = []
    if plain:
        where.append(f"digest IN ({_placeholders(len(plain))})")
        params += plain
    if windowed:
        where.append(f"(digest IN ({_placeholders(len(windowed))}) AND occurred_on BETWEEN %s AND %s)")
        params += [*windowed, *within(day)]
    if not where:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seizure_id, digest, occurred_on FROM seizures_matchkey "  # noqa: S608
            f"WHERE seizure_id <> %s AND ({' OR '.join(where)})",
            [exclude, *params],
        )
        return [(seizure_id, bytes(digest), _day(held_on)) for seizure_id, digest, held_on in cursor.fetchall()]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def find_related(seizure: Seizure, values: dict[bytes, Value]) -> Found:
    """The other records sharing a value with this one, its common values, and those it makes common.
    Reads only; the record's own keys must not be stored yet."""
    counts = holder_counts(values, seizure.occurred_on)
    limit = common_limit()
    common = {digest for digest in values if counts.get(digest, 0) > limit}
    # Held by exactly one more than the limit: this record is the one that makes it common.
    crossing = {digest for digest in common if counts[digest] == limit + 1}
    wanted = {digest: value for digest, value in values.items() if digest not in common or digest in crossing}
    related: dict[int, int] = defaultdict(int)
    crossed: dict[bytes, list[int]] = defaultdict(list)
    for other, digest, _held_on in holders(wanted, seizure.occurred_on, seizure.pk):
        if digest in crossing:
            crossed[digest].append(other)
        else:
            related[other] |= 1 << values[digest].kind
    return Found(related=dict(related), common=common, crossed=dict(crossed))


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
    """The record's values that are held by too many records to link (for its page)."""
    return list(MatchKey.objects.filter(seizure=seizure, is_common=True).select_related("nominal_entry"))


# The links their owners have been told of, as records stand: every link within one organisation, and every
# link between two shared records (seizures.access.link_is_open).
_OPEN_LINKS_ANNOUNCED = """
UPDATE seizures_link SET announced = TRUE WHERE EXISTS (
    SELECT 1 FROM seizures_seizure AS low, seizures_seizure AS high
    WHERE low.id = seizures_link.low_id AND high.id = seizures_link.high_id
    AND (low.organisation_id = high.organisation_id OR (low.status <> 'draft' AND high.status <> 'draft'))
)
"""


def rebuild(*, progress=None) -> tuple[int, int]:
    """Forget every key, count and link, and correlate every record again in the order they were filed.
    A rebuild tells nobody anything: the links that may be known are taken as told (as they were when
    found), the others are told of when the draft they wait for is shared. Returns (records, links)."""
    with transaction.atomic():
        Link.objects.all().delete()
        MatchKey.objects.all().delete()
        ValueCount.objects.all().delete()
    done = 0
    for seizure in Seizure.objects.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            correlate(seizure, new=True)
        done += 1
        if progress is not None:
            progress(done)
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_LINKS_ANNOUNCED)
    return done, Link.objects.count()
