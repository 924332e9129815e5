"""Rebuilding every key, count and link at once (``manage.py recorrelate``), in set-based SQL.

Saving records one by one (seizures.correlation) makes links that depend on the order records were filed in:
a value links its holders until it becomes common, then takes back the links it alone made. The rebuild
gives exactly what saving every record again in filing order (by id) would give, without replaying them:

- Values without a window (companies, persons, identity numbers, addresses, containers, vessels, air
  waybills). The record that makes a value common (its holder number ``limit + 2``) takes back the links it
  made among the earlier holders, unless a value of the same kind that is not common still relates them;
  every later holder finds it common. So in the end a value links its holders for a reason only if it is
  held by at most ``limit + 1`` records: the pair keeps the reason exactly when they share such a value.
- Windowed values (flights, species on a route): a holder counts only the earlier holders within the window
  of its own date. A holder with at most ``limit`` of them links to each; the one with exactly
  ``limit + 1`` marks their keys common and takes back the reason from each pair of them, unless the pair
  shares another value of the kind whose two keys were not common at that moment; one with more links
  nothing. The moment a key became common is the first record that marked it, so each taking back is
  judged as it was judged when that record was saved.

The keys themselves are the values of each record (seizures.correlation.values_of), made in Python since
nominal values are sealed; everything after that is a handful of statements over the keys. A rebuild
tells nobody anything (see ``rebuild``). Correlation rows hold references only (ids, digests, kinds):
what a person is shown of a related record is decided when it is shown (seizures.access).
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, cast

from django.db import connection, transaction

from seizures import correlation, nominal
from seizures.models import CommodityLine, NominalEntry, Seizure

CHUNK = 2000  # records whose keys are made and stored together
# The links their owners have been told of, as records stand: every link within one organisation, and every
# link between two shared records (seizures.access.link_is_open).
OPEN_LINKS_ANNOUNCED = """
UPDATE seizures_link SET announced = TRUE WHERE EXISTS (
    SELECT 1 FROM seizures_seizure AS low, seizures_seizure AS high
    WHERE low.id = seizures_link.low_id AND high.id = seizures_link.high_id
    AND (low.organisation_id = high.organisation_id OR (low.status <> 'draft' AND high.status <> 'draft'))
)
"""
WINDOWED_KINDS = ", ".join(str(int(kind)) for kind in sorted(correlation.WINDOWED))


def rebuild(*, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Forget every key, count and link and make them again, in one transaction, as saving every record in
    the order they were filed would (``progress`` is told how many records have their keys). The links that
    may be known are taken as told (as they were when found); the others are told of when the draft they
    wait for is shared. Returns (records, links)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("seizures_link", "seizures_matchkey", "seizures_valuecount"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        records = store_keys(progress=progress)
        count_values(cursor)
        judge_windowed(cursor)
        store_links(cursor)
        cursor.execute(OPEN_LINKS_ANNOUNCED)
        for table in _TEMPORARY:
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("SELECT COUNT(*) FROM seizures_link")
        links = cursor.fetchone()[0]
    return records, links


# --- The keys ------------------------------------------------------------------------------------------------


# The columns of a record that its values come from (seizures.correlation.values_of).
FACTS = (
    "occurred_on", "containers", "vessel_imo", "air_waybill", "flight_number", "country", "origin_country",
    "export_country", "transit_countries", "destination_country",
)  # fmt: skip


class Facts:
    """A record's facts as values_of reads them, without a model instance per record: its containers and
    route are the model's own properties."""

    __slots__ = ("pk", *FACTS)
    pk: int
    occurred_on: date
    containers: str
    vessel_imo: str
    air_waybill: str
    flight_number: str
    country: str
    origin_country: str
    export_country: str
    transit_countries: str
    destination_country: str
    container_numbers = Seizure.container_numbers
    transits = Seizure.transits
    route = Seizure.route

    def __init__(self, pk: int, *facts: Any) -> None:
        self.pk = pk
        for name, value in zip(FACTS, facts, strict=True):
            setattr(self, name, value)


def _chunks() -> Iterator[list[Facts]]:
    last = 0
    while True:
        rows = Seizure.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *FACTS)[:CHUNK]
        chunk = [Facts(*row) for row in rows]
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def store_keys(*, progress: Callable[[int], None] | None = None) -> int:
    """Every record's keys, not yet judged common (their lines and entries read a chunk of records at a
    time, in the order correlate reads them). Returns how many records there are."""
    done = 0
    for chunk in _chunks():
        # The chunk's id range rather than its ids: the same rows, without a list of 2,000 parameters.
        ids = {"seizure_id__gte": chunk[0].pk, "seizure_id__lte": chunk[-1].pk}
        lines: dict[int, list[Any]] = defaultdict(list)
        for line in (
            CommodityLine.objects.filter(**ids)
            .order_by("seizure_id", "position", "pk")
            .values_list("seizure_id", "vessel_imo", "convention", "code", named=True)
        ):
            lines[line.seizure_id].append(line)
        entries: dict[int, list[Any]] = defaultdict(list)
        for entry in (
            NominalEntry.objects.filter(**ids)
            .order_by("seizure_id", "position", "pk")
            .values_list("pk", "seizure_id", "kind", "seal_id", "sealed", named=True)
        ):
            entries[entry.seizure_id].append(entry)
        rows = []
        for record in chunk:
            people = [(entry, nominal.unseal(entry)) for entry in entries[record.pk]]
            values = correlation.hashed(correlation.values_of(cast(Any, record), lines[record.pk], people))
            rows += [
                (
                    record.pk,
                    value.kind,
                    digest,
                    record.occurred_on,
                    value.entry.pk if value.entry is not None else None,
                    value.label,
                    False,
                )
                for digest, value in values.items()
            ]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO seizures_matchkey"
                " (seizure_id, kind, digest, occurred_on, nominal_entry_id, label, is_common)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        done += len(chunk)
        if progress is not None:
            progress(done)
    return done


def count_values(cursor) -> None:
    """How many records hold each value without a window; a value held by more than ``limit + 1`` records
    has been made common by one of them, so all its keys are."""
    cursor.execute(
        "INSERT INTO seizures_valuecount (digest, count) SELECT digest, COUNT(*) FROM seizures_matchkey"  # noqa: S608
        f" WHERE kind NOT IN ({WINDOWED_KINDS}) GROUP BY digest"
    )
    cursor.execute(
        "UPDATE seizures_matchkey SET is_common = TRUE"  # noqa: S608
        f" WHERE kind NOT IN ({WINDOWED_KINDS}) AND digest IN"
        " (SELECT digest FROM seizures_valuecount WHERE count > %s)",
        [correlation.common_limit() + 1],
    )


# --- Windowed values ---------------------------------------------------------------------------------------

# recorrelate_held: each windowed key with how many earlier holders were in its window when its record was
# saved (counted up to limit + 2: 'linkable' up to the limit, 'crossing' at limit + 1, common above).
# recorrelate_mark: the keys each crossing record marked common (``at``: that record).
# recorrelate_key: each windowed key, whether its own record found it common, and when it was first marked.
# recorrelate_pair: the pairs a windowed kind related when the later one was saved, then those not taken back.
_TEMPORARY = ("recorrelate_held", "recorrelate_mark", "recorrelate_key", "recorrelate_pair")


def _shifted(column: str, sign: str) -> str:
    """The SQL for ``column`` (a date) moved by the window, later (+) or earlier (-)."""
    days = int(correlation.window_days())
    if connection.vendor == "sqlite":
        return f"date({column}, '{sign}{days} days')"
    return f"({column} {sign} {days})"


def _in_window(holder: str, key: str) -> str:
    """The holder's date is within the window of the key's (the holder found by the index on the digest)."""
    return (
        f"{holder}.occurred_on BETWEEN {_shifted(key + '.occurred_on', '-')} AND {_shifted(key + '.occurred_on', '+')}"
    )


def judge_windowed(cursor) -> None:
    """Which windowed keys are common, and the pairs each windowed kind relates in the end."""
    limit = correlation.common_limit()
    for table in _TEMPORARY:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    # One bounded read per key, as holder_counts makes when its record is saved: a popular value costs no
    # more than a rare one.
    cursor.execute(
        "CREATE TEMPORARY TABLE recorrelate_held AS SELECT own.id AS key_id, own.seizure_id, own.kind, own.digest,"  # noqa: S608
        " own.occurred_on, (SELECT COUNT(*) FROM (SELECT 1 FROM seizures_matchkey AS held"
        f" WHERE held.digest = own.digest AND {_in_window('held', 'own')} AND held.seizure_id < own.seizure_id"
        f" LIMIT %s) AS earlier) AS earlier FROM seizures_matchkey AS own WHERE own.kind IN ({WINDOWED_KINDS})",
        [limit + 2],
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE recorrelate_mark AS SELECT held.id AS key_id, held.seizure_id, held.digest,"  # noqa: S608
        " crossing.kind, crossing.seizure_id AS at FROM recorrelate_held AS crossing JOIN seizures_matchkey AS held"
        f" ON held.digest = crossing.digest AND {_in_window('held', 'crossing')}"
        " AND held.seizure_id < crossing.seizure_id WHERE crossing.earlier = %s",
        [limit + 1],
    )
    cursor.execute("CREATE INDEX recorrelate_mark_event ON recorrelate_mark (at, digest, seizure_id)")
    cursor.execute("CREATE INDEX recorrelate_mark_holder ON recorrelate_mark (seizure_id, kind)")
    cursor.execute(
        "CREATE TEMPORARY TABLE recorrelate_key AS SELECT held.key_id, held.seizure_id, held.kind, held.digest,"
        " held.earlier > %s AS own_common, first_mark.at AS marked_at FROM recorrelate_held AS held LEFT JOIN"
        " (SELECT key_id, MIN(at) AS at FROM recorrelate_mark GROUP BY key_id) AS first_mark"
        " ON first_mark.key_id = held.key_id",
        [limit],
    )
    cursor.execute("CREATE INDEX recorrelate_key_holder ON recorrelate_key (seizure_id, kind, digest)")
    cursor.execute(
        "UPDATE seizures_matchkey SET is_common = TRUE WHERE id IN"
        " (SELECT key_id FROM recorrelate_key WHERE own_common OR marked_at IS NOT NULL)"
    )
    # A holder with at most ``limit`` earlier holders in its window is related to each of them.
    cursor.execute(
        "CREATE TEMPORARY TABLE recorrelate_pair AS SELECT DISTINCT held.seizure_id AS low,"  # noqa: S608
        " later.seizure_id AS high, later.kind FROM recorrelate_held AS later JOIN seizures_matchkey AS held"
        f" ON held.digest = later.digest AND {_in_window('held', 'later')} AND held.seizure_id < later.seizure_id"
        " WHERE later.earlier <= %s",
        [limit],
    )
    # Taken back: both were among the holders a crossing record marked, and at that moment they shared no
    # other value of the kind whose two keys were both still not common.
    cursor.execute(
        "DELETE FROM recorrelate_pair WHERE EXISTS (SELECT 1 FROM recorrelate_mark AS one"
        " JOIN recorrelate_mark AS other ON other.at = one.at AND other.digest = one.digest"
        " AND other.seizure_id = recorrelate_pair.high"
        " WHERE one.seizure_id = recorrelate_pair.low AND one.kind = recorrelate_pair.kind"
        " AND NOT EXISTS (SELECT 1 FROM recorrelate_key AS low_key"
        " JOIN recorrelate_key AS high_key ON high_key.seizure_id = recorrelate_pair.high"
        " AND high_key.kind = low_key.kind AND high_key.digest = low_key.digest"
        " WHERE low_key.seizure_id = recorrelate_pair.low AND low_key.kind = recorrelate_pair.kind"
        " AND NOT low_key.own_common AND NOT high_key.own_common"
        " AND (low_key.marked_at IS NULL OR low_key.marked_at > one.at)"
        " AND (high_key.marked_at IS NULL OR high_key.marked_at > one.at)))"
    )


# --- The links -----------------------------------------------------------------------------------------------


def store_links(cursor) -> None:
    """One row a related pair, with a bit for each kind that relates them: a value without a window that
    is not common, or a windowed kind's pair not taken back."""
    cursor.execute(
        "INSERT INTO seizures_link (low_id, high_id, reasons, announced)"  # noqa: S608
        " SELECT low, high, SUM(DISTINCT reason), FALSE FROM ("
        " SELECT one.seizure_id AS low, other.seizure_id AS high, 1 << one.kind AS reason"
        " FROM seizures_matchkey AS one JOIN seizures_matchkey AS other"
        " ON other.digest = one.digest AND other.seizure_id > one.seizure_id"
        f" WHERE one.kind NOT IN ({WINDOWED_KINDS}) AND NOT one.is_common"
        " UNION ALL SELECT low, high, 1 << kind FROM recorrelate_pair"
        ") AS reasons GROUP BY low, high"
    )
