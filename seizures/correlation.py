"""Finding related records: each record is matched against every other when it is saved.

A record's matchable values become ``MatchKey`` rows, each a keyed hash (seizures.nominal.digest) of a
normalised value: the companies, persons, identity numbers and addresses involved (nominal: only the
hash is stored), its containers, vessel, air waybill, flight, and each species or substance on each
stretch of its route. Two records sharing a value are related; the pair is stored once, as a ``Link``
holding every reason.

- Flights and species-on-a-route relate records only within a time window (``SEIZURE_WINDOW_DAYS``):
  the value is hashed with the window-sized period its date falls in, and a record looks in its own
  period and the two next to it, then keeps what is really within the window.
- A value held by more than ``SEIZURE_COMMON_LIMIT`` other records (a big carrier's vessel, a hub's
  flight, a species everyone seizes) stops linking: it would relate everything to everything. The record
  page reports it as common instead. ``ValueCount`` keeps the number of holders of each value, so this
  costs one indexed read per record, however popular the value.
- A "route" is two different countries of the record (origin, export, transits, destination, place of
  seizure), in either order: records of the same species sharing two countries are on an overlapping
  route. A record with only one known country matches others with only that country.

Rebuilding (``manage.py recorrelate``) replays every record in the order they were filed, so it gives
the same links as saving them one by one did.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from seizures import nominal
from seizures.models import CommodityLine, Link, MatchKey, NominalEntry, Seizure, ValueCount

Kind = MatchKey.Kind
WINDOWED = frozenset({Kind.FLIGHT, Kind.COMMODITY_ROUTE})
NOMINAL_KINDS = frozenset({Kind.COMPANY, Kind.PERSON, Kind.IDENTIFIER, Kind.ADDRESS})
# Not countries: they say nothing about a route.
NOT_A_PLACE = frozenset({"", "XX", "ZZ"})


@dataclass(frozen=True)
class Value:
    """One matchable value of a record, before hashing."""

    kind: int
    text: str  # normalised, prefixed with its kind
    label: str = ""  # shown on the record page; empty for nominal values
    entry: NominalEntry | None = None


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


def _period(day: date) -> int:
    return day.toordinal() // window_days()


# --- The values of a record ------------------------------------------------------------------------------


def values_of(seizure: Seizure, lines: list[CommodityLine], people: list[tuple[NominalEntry, "nominal.Nominal"]]):
    """Every matchable value of the record, each once."""
    found: dict[tuple[int, str], Value] = {}

    def add(value: Value) -> None:
        found.setdefault((value.kind, value.text), value)

    for entry, data in people:
        _nominal_values(entry, data, add)
    for container in seizure.container_numbers:
        add(Value(Kind.CONTAINER, f"container:{container}", container))
    if seizure.vessel_imo:
        add(Value(Kind.VESSEL, f"vessel:{seizure.vessel_imo}", f"IMO {seizure.vessel_imo}"))
    for line in lines:
        if line.vessel_imo:
            add(Value(Kind.VESSEL, f"vessel:{line.vessel_imo}", f"IMO {line.vessel_imo}"))
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


def _digest(value: Value, period: int | None) -> bytes:
    return nominal.digest(value.text if period is None else f"{value.text}|{period}")


def own_digest(value: Value, day: date) -> bytes:
    """The hash stored for the record's value."""
    return _digest(value, _period(day) if value.kind in WINDOWED else None)


def lookup_digests(value: Value, day: date) -> list[bytes]:
    """The hashes a record looks up for one of its values: for windowed values, its own period and the two
    next to it."""
    if value.kind not in WINDOWED:
        return [_digest(value, None)]
    period = _period(day)
    return [_digest(value, period + step) for step in (-1, 0, 1)]


# --- Saving ------------------------------------------------------------------------------------------------


def _bump(digests: list[bytes], step: int) -> None:
    """Count one more (or one fewer) record holding each value."""
    if not digests:
        return
    if step < 0:
        ValueCount.objects.filter(digest__in=digests).update(count=F("count") - 1)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO seizures_valuecount (digest, count) VALUES (%s, 1) "
            "ON CONFLICT (digest) DO UPDATE SET count = seizures_valuecount.count + 1",
            [(value,) for value in digests],
        )


def store_keys(seizure: Seizure, values: list[Value]) -> dict[bytes, Value]:
    """Replace the record's MatchKey rows with ``values`` and keep the counts; returns digest -> value."""
    wanted = {own_digest(value, seizure.occurred_on): value for value in values}
    stored = {bytes(row[0]): row[1] for row in MatchKey.objects.filter(seizure=seizure).values_list("digest", "pk")}
    gone = [stored_digest for stored_digest in stored if stored_digest not in wanted]
    added = [wanted_digest for wanted_digest in wanted if wanted_digest not in stored]
    if gone:
        MatchKey.objects.filter(pk__in=[stored[gone_digest] for gone_digest in gone]).delete()
        _bump(gone, -1)
    # Rows whose value is unchanged stay; their date and entry follow the record.
    kept = [digest for digest in wanted if digest in stored]
    if kept:
        MatchKey.objects.filter(pk__in=[stored[digest] for digest in kept]).update(occurred_on=seizure.occurred_on)
    MatchKey.objects.bulk_create(
        [
            MatchKey(
                seizure=seizure,
                kind=wanted[digest].kind,
                digest=digest,
                occurred_on=seizure.occurred_on,
                nominal_entry=wanted[digest].entry,
                label=wanted[digest].label,
            )
            for digest in added
        ]
    )
    _bump(added, +1)
    return wanted


def find_related(seizure: Seizure, values: list[Value]) -> tuple[dict[int, int], list[Value]]:
    """The other records sharing a value with this one (id -> reasons, as Link.reasons bits), and the
    values held by too many records to link. Reads only; the record's own keys must be stored already."""
    lookups = {value: lookup_digests(value, seizure.occurred_on) for value in values}
    every = [digest for digests in lookups.values() for digest in digests]
    counts = {
        bytes(row[0]): row[1] for row in ValueCount.objects.filter(digest__in=every).values_list("digest", "count")
    }
    limit = common_limit()
    common: list[Value] = []
    linkable: dict[bytes, Value] = {}
    for value, digests in lookups.items():
        others = sum(counts.get(digest, 0) for digest in digests) - 1  # the record itself holds it once
        if others > limit:
            common.append(value)
        else:
            linkable.update(dict.fromkeys(digests, value))
    related: dict[int, int] = defaultdict(int)
    if linkable:
        rows = (
            MatchKey.objects.filter(digest__in=list(linkable))
            .exclude(seizure_id=seizure.pk)
            .values_list("seizure_id", "digest", "occurred_on")
        )
        window = window_days()
        for other, other_digest, other_day in rows:
            value = linkable[bytes(other_digest)]
            if value.kind in WINDOWED and abs((other_day - seizure.occurred_on).days) > window:
                continue
            related[other] |= 1 << value.kind
    return dict(related), common


def store_links(seizure: Seizure, related: dict[int, int]) -> dict[int, int]:
    """Make the record's links say ``related``; returns the pairs that are new (other id -> reasons)."""
    existing = {
        (link.high_id if link.low_id == seizure.pk else link.low_id): link
        for link in Link.objects.filter(Q(low=seizure) | Q(high=seizure))
    }
    gone = [link.pk for other, link in existing.items() if other not in related]
    if gone:
        Link.objects.filter(pk__in=gone).delete()
    new: dict[int, int] = {}
    for other, reasons in related.items():
        link = existing.get(other)
        if link is None:
            new[other] = reasons
        elif link.reasons != reasons:
            Link.objects.filter(pk=link.pk).update(reasons=reasons)
    Link.objects.bulk_create(
        [
            Link(low_id=min(other, seizure.pk), high_id=max(other, seizure.pk), reasons=reasons)
            for other, reasons in new.items()
        ]
    )
    return new


def correlate(seizure: Seizure) -> Related:
    """Match the saved record against every other one and store what relates them. Call inside the
    transaction that saved it."""
    lines = list(seizure.lines.all())
    people = [(entry, nominal.unseal(entry)) for entry in seizure.nominal_entries.all()]
    values = values_of(seizure, lines, people)
    with transaction.atomic():
        stored = store_keys(seizure, values)
        related, common = find_related(seizure, values)
        mark_common(seizure, [digest for digest, value in stored.items() if value in common])
        new = store_links(seizure, related)
    return Related(new=new, common=common)


def mark_common(seizure: Seizure, digests: list[bytes]) -> None:
    keys = MatchKey.objects.filter(seizure=seizure)
    keys.exclude(digest__in=digests).filter(is_common=True).update(is_common=False)
    if digests:
        keys.filter(digest__in=digests, is_common=False).update(is_common=True)


def common_values(seizure: Seizure) -> list[MatchKey]:
    """The record's values that were held by more than SEIZURE_COMMON_LIMIT other records when it was last
    saved (for its page)."""
    return list(MatchKey.objects.filter(seizure=seizure, is_common=True).select_related("nominal_entry"))


def rebuild(*, progress=None) -> tuple[int, int]:
    """Forget every key, count and link, and correlate every record again in the order they were filed.
    Returns (records, links)."""
    with transaction.atomic():
        Link.objects.all().delete()
        MatchKey.objects.all().delete()
        ValueCount.objects.all().delete()
    done = 0
    for seizure in Seizure.objects.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            correlate(seizure)
        done += 1
        if progress is not None:
            progress(done)
    return done, Link.objects.count()
