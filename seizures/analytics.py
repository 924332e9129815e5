"""The figures of the seizure dashboard, counted in the database over the records a person may read.

Every function starts from ``records(person, filters)``: ``access.seizures_visible_to(person)`` without any
drafts (the person's own organisation's included: the dashboard describes shared records), narrowed by the
filters. So no count can include, or reveal, a record the person may not read. Counting happens in the
database (GROUP BY), never by loading records. The functions return codes and numbers; the page turns
them into names in the reader's language.

Regions are those of the UN M49 standard (continents and their sub-regions): a record is in a region when
its country of seizure is.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache, reduce
from operator import or_

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth

from seizures import access
from seizures.forms import UNKNOWN_COUNTRY
from seizures.models import CONVENTION_TOPICS, CommodityLine, Convention, Seizure, Status

TOP_ROUTES = 12
TOP_COMMODITIES = 15
DEFAULT_MONTHS = 12
# A total quantity is given in one unit only when that unit is used by at least this share of the records
# that give a quantity: a sum that leaves out many records would mislead.
DOMINANT_SHARE = Decimal("0.75")

# UN M49 (https://unstats.un.org/unsd/methodology/m49/): continent -> sub-region -> countries (ISO 3166
# alpha-2). Africa and the Americas are split at M49's intermediate level (Eastern Africa, Caribbean...), as
# CLDR does. Babel does not ship CLDR's territory containment, so the table is kept here; a test checks that
# every ISO country but Antarctica is in exactly one sub-region. Kosovo (XK) and Taiwan (TW) are placed as
# in CLDR.
REGIONS: dict[str, dict[str, str]] = {
    "002": {  # Africa
        "015": "DZ EG EH LY MA SD TN",
        "014": "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW",
        "017": "AO CD CF CG CM GA GQ ST TD",
        "018": "BW LS NA SZ ZA",
        "011": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    },
    "019": {  # Americas
        "021": "BM CA GL PM US",
        "029": "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI",
        "013": "BZ CR GT HN MX NI PA SV",
        "005": "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",
    },
    "142": {  # Asia
        "143": "KG KZ TJ TM UZ",
        "030": "CN HK JP KP KR MN MO TW",
        "035": "BN ID KH LA MM MY PH SG TH TL VN",
        "034": "AF BD BT IN IR LK MV NP PK",
        "145": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    },
    "150": {  # Europe
        "151": "BG BY CZ HU MD PL RO RU SK UA",
        "154": "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ",
        "039": "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA XK",
        "155": "AT BE CH DE FR LI LU MC NL",
    },
    "009": {  # Oceania
        "053": "AU CC CX HM NF NZ",
        "054": "FJ NC PG SB VU",
        "057": "FM GU KI MH MP NR PW UM",
        "061": "AS CK NU PF PN TK TO TV WF WS",
    },
}


@dataclass(frozen=True)
class Filters:
    """What the dashboard counts: seizures from the month of ``start`` to the month of ``end`` (both
    included, given as their first days), with a line of ``convention``, seized in ``region`` (M49 code)."""

    start: date
    end: date
    convention: str = ""
    region: str = ""


@dataclass(frozen=True)
class Route:
    origin: str
    destination: str
    records: int


@dataclass(frozen=True)
class Commodity:
    """A species, waste code or substance; its total quantity when one unit dominates (else ``unit`` is "")."""

    convention: str
    code: str
    records: int
    quantity: Decimal | None = None
    unit: str = ""
    quantity_records: int = 0  # the records whose quantity is in the total
    measured_records: int = 0  # the records that give a quantity, in any unit


@dataclass(frozen=True)
class UnitTotal:
    unit: str
    total: Decimal
    records: int


# --- Months and regions -----------------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """How many months the period covers, both ends included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def months(filters: Filters) -> list[date]:
    return [add_months(filters.start, index) for index in range(months_between(filters.start, filters.end))]


def default_filters(today: date) -> Filters:
    """The last 12 months, the current one included."""
    end = month_of(today)
    return Filters(start=add_months(end, 1 - DEFAULT_MONTHS), end=end)


@cache
def countries_in(region: str) -> frozenset[str]:
    """The countries of a continent or sub-region; empty for an unknown code."""
    if region in REGIONS:
        return frozenset(code for codes in REGIONS[region].values() for code in codes.split())
    for subregions in REGIONS.values():
        if region in subregions:
            return frozenset(subregions[region].split())
    return frozenset()


# --- What is counted --------------------------------------------------------------------------------------


def records(person, filters: Filters) -> QuerySet[Seizure]:
    """The shared records the person may read that the filters keep. Everything below counts these only."""
    found = access.seizures_visible_to(person).exclude(status=Status.DRAFT)
    found = found.filter(occurred_on__gte=filters.start, occurred_on__lt=add_months(filters.end, 1))
    if filters.convention:
        with_convention = CommodityLine.objects.filter(convention=filters.convention).values("seizure_id")
        found = found.filter(pk__in=with_convention)
    if filters.region:
        found = found.filter(country__in=sorted(countries_in(filters.region)))
    return found


def lines(person, filters: Filters) -> QuerySet[CommodityLine]:
    """The commodity lines of those records; with a convention chosen, that convention's lines only."""
    found = CommodityLine.objects.filter(seizure__in=records(person, filters))
    if filters.convention:
        found = found.filter(convention=filters.convention)
    return found.order_by()


def total(person, filters: Filters) -> int:
    return records(person, filters).count()


# --- Over time ----------------------------------------------------------------------------------------------


def _topic() -> Case:
    """The topic (A–G) of a line's convention, as a database expression, so records are counted per topic
    in the database: a record with Basel and Stockholm lines is one record under topic A."""
    topics = sorted(set(CONVENTION_TOPICS.values()))
    whens = [
        When(convention__in=[str(c) for c, t in CONVENTION_TOPICS.items() if t == topic], then=Value(topic))
        for topic in topics
    ]
    return Case(*whens, default=Value("G"), output_field=CharField())


def _monthly(found: QuerySet[CommodityLine], key: str, order: Iterable[str], filters: Filters):
    """Records per month per ``key``, as (key, counts in month order) in ``order``, without empty series."""
    index = {month: position for position, month in enumerate(months(filters))}
    rows = (
        found.annotate(month=TruncMonth("seizure__occurred_on"))
        .values("month", key)
        .annotate(records=Count("seizure_id", distinct=True))
    )
    table: dict[str, list[int]] = {}
    for row in rows:
        table.setdefault(row[key], [0] * len(index))[index[row["month"]]] = row["records"]
    return [(name, table[name]) for name in order if name in table]


def per_month_by_convention(person, filters: Filters) -> list[tuple[str, list[int]]]:
    """Records per month per convention; a record with lines of two conventions counts once in each."""
    return _monthly(lines(person, filters), "convention", Convention.values, filters)


def per_month_by_topic(person, filters: Filters) -> list[tuple[str, list[int]]]:
    """Records per month per topic (A–G), each record once per topic of its lines."""
    found = lines(person, filters).annotate(topic=_topic())
    return _monthly(found, "topic", sorted(set(CONVENTION_TOPICS.values())), filters)


# --- Where ------------------------------------------------------------------------------------------------------


def top_routes(person, filters: Filters, limit: int = TOP_ROUTES) -> list[Route]:
    """The most frequent (country of origin, country of destination) pairs; records that do not know
    either end are left out."""
    unknown = ("", UNKNOWN_COUNTRY)
    rows = (
        records(person, filters)
        .exclude(origin_country__in=unknown)
        .exclude(destination_country__in=unknown)
        .values("origin_country", "destination_country")
        .annotate(records=Count("pk"))
        .order_by("-records", "origin_country", "destination_country")[:limit]
    )
    return [Route(row["origin_country"], row["destination_country"], row["records"]) for row in rows]


def per_country(person, filters: Filters) -> list[tuple[str, int]]:
    """Records per country of seizure, the most first."""
    rows = records(person, filters).values("country").annotate(records=Count("pk")).order_by("-records", "country")
    return [(row["country"], row["records"]) for row in rows]


# --- What -------------------------------------------------------------------------------------------------------


def top_commodities(person, filters: Filters, limit: int = TOP_COMMODITIES) -> list[Commodity]:
    """The species, codes and substances found in the most records, with their total quantity where one
    unit dominates."""
    found = lines(person, filters)
    measured = Q(quantity__isnull=False) & ~Q(unit="")
    top = list(
        found.values("convention", "code")
        .annotate(
            records=Count("seizure_id", distinct=True),
            measured=Count("seizure_id", distinct=True, filter=measured),
        )
        .order_by("-records", "convention", "code")[:limit]
    )
    if not top:
        return []
    units = _units(found.filter(measured), [(row["convention"], row["code"]) for row in top])
    return [
        _with_quantity(
            Commodity(row["convention"], row["code"], row["records"], measured_records=row["measured"]),
            units.get((row["convention"], row["code"]), []),
        )
        for row in top
    ]


def _units(found: QuerySet[CommodityLine], items: list[tuple[str, str]]) -> dict[tuple[str, str], list[UnitTotal]]:
    """For each item, its total quantity and number of records per unit, the most used unit first (one query
    for all items)."""
    wanted = reduce(or_, (Q(convention=convention, code=code) for convention, code in items))
    rows = (
        found.filter(wanted)
        .values("convention", "code", "unit")
        .annotate(total=Sum("quantity"), records=Count("seizure_id", distinct=True))
        .order_by("convention", "code", "-records", "unit")
    )
    by_item: dict[tuple[str, str], list[UnitTotal]] = {}
    for row in rows:
        by_item.setdefault((row["convention"], row["code"]), []).append(
            UnitTotal(row["unit"], row["total"], row["records"])
        )
    return by_item


def _with_quantity(item: Commodity, units: list[UnitTotal]) -> Commodity:
    if not units or not item.measured_records:
        return item
    first = units[0]
    if first.records < DOMINANT_SHARE * item.measured_records:
        return item
    return replace(item, quantity=first.total, unit=first.unit, quantity_records=first.records)
