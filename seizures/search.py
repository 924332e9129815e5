"""Finding seizure records: full-text words and filters, over the records a person may read.

Like messaging.search: one index table, ``seizures_search`` (FTS5 on SQLite, a tsvector under a GIN
index on PostgreSQL, made by migration), keyed by record id and holding only NON-NOMINAL text: the
reference, place, goods, concealment, summary and the commodity lines. Names of persons and companies
are never indexed. The index only answers "which ids contain these words"; results and their count are
always ``access.seizures_visible_to(person)`` narrowed by them.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from environet.compiled import ByIds, Joined, Kept, Prepared, attach, prepare
from messaging.access import rule_key
from messaging.search import counted_page, fts5_query, parse
from reference import identifiers, tables
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


# --- Identifiers, whatever their spacing ------------------------------------------------------------------
# Officers type "MSCU 123456 5", "mscu1234565" or "MSCU-123456-5" for the same container; so too vessel IMO
# numbers, air waybills, bills of lading, vehicle and tracking numbers. The index holds each identifier of a
# record once more in one compact form (letters and digits only, upper case), and a query is matched both
# as typed and with its identifiers in that form, so any spacing, hyphens or case find the same record.

_SEPARATORS = re.compile(r"[\s./:-]+")
# A container (ISO 6346: 4 letters, 6 digits, check digit), written with separators anywhere.
_CONTAINER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{4}(?:[\s./-]*\d){7}(?![A-Za-z0-9])")
# An IMO ship number after its prefix ("IMO 9074729", "imo-907 4729").
_IMO = re.compile(r"(?<![A-Za-z0-9])IMO[\s.:-]*(?:\d[\s-]?){6}\d(?![A-Za-z0-9])", re.IGNORECASE)
# An air waybill: the airline's 3-digit prefix and an 8-digit serial ("176-1234 5675").
_AIR_WAYBILL = re.compile(r"(?<![A-Za-z0-9])\d{3}(?:[\s-]*\d){8}(?![A-Za-z0-9])")
# In free text, a run of 2 to 6 code-like pieces (digits, capitals, or both) with at least one digit, split by
# single separators: "MEDU 123 4567", "KCA 123X", "B/L HLCU-ABC-123".
_CODE_PIECE = r"[A-Z0-9]*\d[A-Z0-9]*|[A-Z]{2,}"
_CODE_RUN = re.compile(rf"(?<![A-Za-z0-9])(?:{_CODE_PIECE})(?:[ ./-](?:{_CODE_PIECE})){{1,5}}(?![A-Za-z0-9])")
# A query made only of identifier-like pieces (at most 6) is also tried as one compact word.
_CODE_QUERY = re.compile(r"[A-Za-z0-9]+(?:[\s./:-]+[A-Za-z0-9]+){0,5}")


def compact(value: str) -> str:
    """An identifier with its separators taken out, upper case: "mscu 123456-5" -> "MSCU1234565"."""
    return _SEPARATORS.sub("", value).upper()


def _valid(function, text: str) -> str | None:
    try:
        return compact(function(text))
    except ValidationError:
        return None


def _known_identifiers(text: str) -> list[tuple[re.Match[str], str]]:
    """The containers, IMO numbers and air waybills written in the text (their check digits right), with
    their compact forms."""
    found = []
    for pattern, function in (
        (_CONTAINER, identifiers.container_number),
        (_IMO, identifiers.imo_number),
        (_AIR_WAYBILL, identifiers.air_waybill),
    ):
        for match in pattern.finditer(text):
            value = _valid(function, match.group())
            if value:
                found.append((match, value))
    return found


def identifier_words(text: str) -> list[str]:
    """The compact forms of the identifiers written in free text, to be indexed beside the words as written:
    the known kinds, checked, and every run of code-like pieces (and its shorter runs, so that one of several
    numbers written in a row is found alone)."""
    words = [value for _, value in _known_identifiers(text)]
    for run in _CODE_RUN.finditer(text):
        pieces = _SEPARATORS.split(run.group())
        for start in range(len(pieces)):
            for end in range(start + 2, len(pieces) + 1):
                words.append("".join(pieces[start:end]).upper())
    return list(dict.fromkeys(word for word in words if any(character.isdigit() for character in word)))


def _record_identifiers(seizure: Seizure, lines: Iterable[CommodityLine]) -> list[str]:
    values = [
        *seizure.container_numbers,
        seizure.vessel_imo,
        seizure.air_waybill,
        seizure.flight_number,
        seizure.vehicle,
        seizure.tracking_number,
        *(line.vessel_imo for line in lines),
    ]
    return [compact(value) for value in values if value]


def query_forms(text: str) -> list[str]:
    """The ways a query is matched: as typed with its known identifiers in compact form, and, when it is
    only identifier-like pieces ("MSCU 123456 5", "kca 123x"), as one compact word."""
    normalised, position = [], 0
    for match, value in sorted(_known_identifiers(text), key=lambda found: found[0].start()):
        if match.start() >= position:
            normalised += [text[position : match.start()], f" {value} "]
            position = match.end()
    normalised.append(text[position:])
    forms = [" ".join("".join(normalised).split())]
    stripped = text.strip()
    if _CODE_QUERY.fullmatch(stripped) and any(character.isdigit() for character in stripped):
        forms.append(compact(stripped))
    return list(dict.fromkeys(form for form in forms if form))


def document(seizure: Seizure, lines: Iterable[CommodityLine] | None = None) -> str:
    """The words a record is found by: its non-nominal facts only, and its identifiers in compact form."""
    lines = list(seizure.lines.all() if lines is None else lines)
    free_text = " ".join(
        part
        for part in (
            seizure.place,
            seizure.declared_goods,
            seizure.found_goods,
            seizure.concealment_details,
            seizure.summary,
            *(line.description for line in lines),
        )
        if part
    )
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
    for line in lines:
        entry = tables.find(line.convention, line.code) if line.convention in tables.TABLES else None
        parts += [line.code, line.description, entry.label if entry else ""]
    parts += dict.fromkeys([*_record_identifiers(seizure, lines), *identifier_words(free_text)])
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


def index_each(records: Sequence[tuple[Seizure, Sequence[CommodityLine]]]) -> None:
    """``index`` for many records (each with its commodity lines, each record once) at once: one statement for
    a few hundred of them."""
    with tables.pinned():
        rows = [(seizure.pk, document(seizure, lines)) for seizure, lines in records]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany("DELETE FROM seizures_search WHERE rowid = %s", [(pk,) for pk, _text in rows])
            cursor.executemany("INSERT INTO seizures_search (rowid, document) VALUES (%s, %s)", rows)
        else:
            # A few hundred rows a statement: one round trip each, where one statement a record waited for each.
            for start in range(0, len(rows), _ROWS_A_STATEMENT):
                batch = rows[start : start + _ROWS_A_STATEMENT]
                values = ", ".join(["(%s, to_tsvector('simple', %s))"] * len(batch))
                cursor.execute(
                    f"INSERT INTO seizures_search (seizure_id, document) VALUES {values} "  # noqa: S608
                    "ON CONFLICT (seizure_id) DO UPDATE SET document = EXCLUDED.document",
                    [value for row in batch for value in row],
                )


# Each record's two values in one statement: well within what PostgreSQL takes (65,535 parameters).
_ROWS_A_STATEMENT = 500


def _matching_ids(text: str) -> RawSQL:
    if connection.vendor == "sqlite":
        return RawSQL("SELECT rowid FROM seizures_search WHERE seizures_search MATCH %s", [fts5_query(text)])
    return RawSQL("SELECT seizure_id FROM seizures_search WHERE document @@ websearch_to_tsquery('simple', %s)", [text])


def _matching(found: QuerySet[Seizure], text: str) -> QuerySet[Seizure]:
    """Records whose words match the query as typed, or with its identifiers in compact form."""
    forms = [form for form in query_forms(text) if parse(form)[0]]
    if not forms:
        return found.none()
    wanted = Q()
    for form in forms:
        wanted |= Q(pk__in=_matching_ids(form))
    return found.filter(wanted)


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


# What a row of the list shows (seizures/_record_row.html, with what was seized in words): a record's forty
# other columns, its narrative among them, are not read for a page of rows only to be dropped. A field left
# out here and shown by the row would cost a query a row, which test_what_was_seized counts.
LISTED = ("id", "reference", "occurred_on", "place", "country", "status", "marking", "organisation_id")
LISTED_ORGANISATION = ("organisation__id", "organisation__name", "organisation__short_name")
LISTED_LINE = (
    *("id", "seizure_id", "position", "convention", "code", "specimen_type", "description"),
    *("quantity", "approximate", "unit"),
)


def as_listed(found: QuerySet[Seizure]) -> QuerySet[Seizure]:
    """``search``'s records with only what the list's rows show of them and of their lines."""
    lines = Prefetch("lines", queryset=CommodityLine.objects.only(*LISTED_LINE))
    return found.only(*LISTED, *LISTED_ORGANISATION).prefetch_related(None).prefetch_related(lines)


# --- The list's pages ---------------------------------------------------------------------------------------
# The statements of a page's ids and of the count of every match, by reader (``access.rule_key``) and filters;
# None: nothing to find.
_LISTED: Kept[tuple[Prepared, Prepared] | None] = Kept(512)


def listed_page(person, filters: Filters | None, number: Any, size: int) -> Page:
    """Page ``number`` (as asked: maybe out of range or not a number) of the records ``search`` finds, as the
    list shows them (``as_listed``), with their count: the page ``Paginator(as_listed(search(...)),
    size).get_page(number)`` gives, and nothing with ``filters`` None (refused filters). A test compares them.

    Building the rule's query with its filters and compiling it cost the list more than running it, the same
    for every page a reader turns: the statements of a page's ids and of the count are compiled once per reader
    and filters (the rule reads of the person only what ``rule_key`` holds), and the page's records are read by
    their ids (``_listed_records``). Two statements, not the count beside each id (a window): the page is then
    read in the order of an index and stops at its last row, where the window sorted every match (SQLite, 2,000
    records: 0.02 ms and 0.45 for the count, against 1.06 ms)."""
    statements = _LISTED.statement((rule_key(person), filters), lambda: _ids_and_count(person, filters))

    def fetch(number: int, size: int) -> tuple[list[Seizure], int]:
        if statements is None:
            return [], 0
        ids_of, count_of = statements
        first = (number - 1) * size
        ids = [row[0] for row in ids_of.rows(then=(size, first))]
        # A page that is not full is the last one: the count is known without counting.
        count = first + len(ids) if ids and len(ids) < size else count_of.rows()[0][0]
        records = _listed_records(ids) if ids else {}
        return [records[pk] for pk in ids if pk in records], count  # one deleted since: left out

    return counted_page(fetch, number, size)


# The page's records, with their organisations' names, and their lines, read by the page's ids as ``as_listed``
# reads them, from statements compiled once (environet.compiled.Joined and attach): building the ORM's query of
# 25 ids and its prefetch, and making its objects, cost the list four times its page's statement.
_LISTED_RECORDS = Joined.only(Seizure, (*LISTED, *LISTED_ORGANISATION))
_LISTED_LINES: Kept[ByIds] = Kept(4)


def _listed_records(ids: list[int]) -> dict[int, Seizure]:
    """The records of ``ids`` as ``as_listed`` reads them (their lines prefetched), by id."""
    records = cast(dict[int, Seizure], _LISTED_RECORDS.read(ids))
    attach(_LISTED_LINES, records.values(), "lines", LISTED_LINE)
    return records


def _ids_and_count(person, filters: Filters | None) -> tuple[Prepared, Prepared] | None:
    if filters is None:
        return None
    found = search(person=person, filters=filters).select_related(None).prefetch_related(None)
    ids, count = prepare(found.values_list("pk"), paged=True), prepare(found.values("pk"), counted=True)
    return None if ids is None or count is None else (ids, count)
