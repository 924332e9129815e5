"""Finding seizure records: full-text words and filters, over the records a person may read.

Like messaging.search: one index table, ``seizures_search`` (FTS5 on SQLite, a tsvector under a GIN
index on PostgreSQL, made by migration), keyed by record id and holding only NON-NOMINAL text: the
reference, place, goods, concealment, summary and the commodity lines. Names of persons and companies
are never indexed. The index only answers "which ids contain these words"; results and their count are
always ``access.seizures_visible_to(person)`` narrowed by them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from messaging.search import fts5_query, parse
from reference import tables
from seizures import access
from seizures.models import CommodityLine, Seizure


@dataclass(frozen=True)
class Filters:
    text: str = ""
    convention: str = ""
    code: str = ""  # a species, Basel code or substance, as in the commodity lines
    country: str = ""  # seized there, or on the route
    organisation_id: int | None = None
    status: str = ""
    transport_mode: str = ""
    marking: str = ""
    date_from: date | None = None
    date_to: date | None = None
    container: str = ""


def document(seizure: Seizure, lines: Iterable[CommodityLine] | None = None) -> str:
    """The words a record is found by: its non-nominal facts only."""
    parts = [
        seizure.reference,
        seizure.place,
        seizure.locode,
        seizure.declared_goods,
        seizure.found_goods,
        seizure.concealment_details,
        seizure.summary,
        seizure.vessel_name,
        seizure.flight_number,
        " ".join(seizure.container_numbers),
    ]
    for line in seizure.lines.all() if lines is None else lines:
        entry = tables.find(line.convention, line.code) if line.convention in tables.TABLES else None
        parts += [line.code, line.description, entry.label if entry else ""]
    return " ".join(part for part in parts if part)


def index(seizure: Seizure, lines: Iterable[CommodityLine] | None = None) -> None:
    """Add the record (or its new text) to the index; call inside the transaction that wrote it (``lines``:
    its commodity lines, read from the database when not given)."""
    text = document(seizure, lines)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM seizures_search WHERE rowid = %s", [seizure.pk])
            cursor.execute("INSERT INTO seizures_search (rowid, document) VALUES (%s, %s)", [seizure.pk, text])
        else:
            cursor.execute(
                "INSERT INTO seizures_search (seizure_id, document) VALUES (%s, to_tsvector('simple', %s)) "
                "ON CONFLICT (seizure_id) DO UPDATE SET document = EXCLUDED.document",
                [seizure.pk, text],
            )


def _matching(found: QuerySet[Seizure], text: str) -> QuerySet[Seizure]:
    if not parse(text)[0]:
        return found.none()
    if connection.vendor == "sqlite":
        ids = RawSQL("SELECT rowid FROM seizures_search WHERE seizures_search MATCH %s", [fts5_query(text)])
    else:
        ids = RawSQL(
            "SELECT seizure_id FROM seizures_search WHERE document @@ websearch_to_tsquery('simple', %s)", [text]
        )
    return found.filter(pk__in=ids)


def on_route(country: str) -> Q:
    """Seized in the country, or the country is on the record's route."""
    return (
        Q(country=country)
        | Q(origin_country=country)
        | Q(export_country=country)
        | Q(destination_country=country)
        | Q(transit_countries__contains=f",{country},")
    )


def search(*, person, filters: Filters) -> QuerySet[Seizure]:
    """Records the person may read that match, the latest seizures first."""
    found = access.seizures_visible_to(person)
    if filters.convention or filters.code:
        lines = Q()
        if filters.convention:
            lines &= Q(lines__convention=filters.convention)
        if filters.code:
            lines &= Q(lines__code__iexact=filters.code)
        found = found.filter(pk__in=Seizure.objects.filter(lines).values("pk"))
    if filters.country:
        found = found.filter(on_route(filters.country))
    if filters.organisation_id:
        found = found.filter(organisation_id=filters.organisation_id)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.transport_mode:
        found = found.filter(transport_mode=filters.transport_mode)
    if filters.marking:
        found = found.filter(marking=filters.marking)
    if filters.date_from:
        found = found.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        found = found.filter(occurred_on__lte=filters.date_to)
    if filters.container:
        found = found.filter(containers__contains=f",{filters.container},")
    if filters.text.strip():
        found = _matching(found, filters.text)
    # The list says what was seized (seizures/templatetags/quantities.py): each page's lines in one query.
    return found.select_related("organisation").prefetch_related("lines").order_by("-occurred_on", "-pk")
