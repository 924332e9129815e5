"""Coverage of a network's roadmap: where and for which convention nothing happens (gaps), and how its
activities spread over the regions over time, against where its members are (issue 10, "Coordination").

What counts as an activity "in" a period: any status but cancelled and postponed (nothing happens under
them), with a planned period (planned start to planned end, the start alone when no end is given) that
shares a day with it. An activity without a planned start is in no period. It covers the countries it names
and every country of the regions it names (network.regions: "Western Africa" covers Senegal, Ghana...).

A gap is a place (a country, or a sub-region of UN M49) and a convention for which no activity of the
period that names that convention covers the place (any of its countries, for a region); with a commodity
focus given, only activities whose commodity focus mentions it count. The places looked at are the
countries of the network's member and observer organisations, the countries its activities have ever named,
and the countries where the viewer's shared seizure records were made; and every sub-region.

Each gap is weighted by the shared seizure records of its country (for a region, of its countries) with a
line of its convention: counted in the database through ``seizures.analytics``, which starts from
``seizures.access.seizures_visible_to(person)`` without drafts, so a record the viewer may not read is never
counted and nothing but counts leaves the seizures app. The records counted are those of a span as long as
the chosen period, ending with it, or with the current month when the period reaches into the future
(future months hold no records yet).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from network import access, regions
from network.models import Activity, Membership, Network, Standing, Status, Trained
from seizures import analytics
from seizures.models import Convention

# Statuses under which an activity takes place (or is meant to) in its planned period.
TAKING_PLACE = [s for s in Status.values if s not in (Status.CANCELLED, Status.POSTPONED)]
ELSEWHERE = ""  # the "continent" of an organisation without a country (international bodies)


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def years(cls, first: int, last: int) -> "Period":
        return cls(date(first, 1, 1), date(last, 12, 31))

    @property
    def year_list(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))


@dataclass(frozen=True)
class Gap:
    place: str  # an ISO country code, or a sub-region's M49 code
    convention: str
    records: int  # the shared seizure records of the place with a line of the convention, that the viewer may read


@dataclass
class Gaps:
    conventions: list[str]
    countries: list[Gap]
    regions: list[Gap]
    records_by_country: dict[str, int]  # records in countries with a gap, for the map (each record once)
    window: analytics.Filters  # the months whose records are counted


@dataclass
class Spread:
    years: list[int]
    activities: dict[str, list[int]]  # continent ("" none given) -> activities per year
    organisations: dict[str, list[int]]  # continent ("" international) -> organisations taking part per year
    trained: dict[str, list[int]] = field(default_factory=dict)  # continent -> participants trained per year
    members: dict[str, int] = field(default_factory=dict)  # continent -> member organisations today
    observers: dict[str, int] = field(default_factory=dict)  # continent -> observer organisations today
    in_period: dict[str, int] = field(default_factory=dict)  # continent -> activities in the whole period


# --- Activities of a period ----------------------------------------------------------------------------------


def in_period(network: Network, period: Period, *, convention: str = "", commodity: str = "") -> QuerySet[Activity]:
    found = network.activities.filter(status__in=TAKING_PLACE, starts_on__lte=period.end).filter(
        Q(ends_on__gte=period.start) | Q(ends_on__isnull=True, starts_on__gte=period.start)
    )
    if convention:
        found = found.filter(conventions_list__contains=f",{convention},")
    if commodity:
        found = found.filter(commodity_focus__icontains=commodity)
    return found.order_by("starts_on", "pk")


def covers(activity: Activity) -> frozenset[str]:
    return regions.covered(activity.countries, activity.regions)


def conventions_of(network: Network) -> list[str]:
    """The conventions the network's activities have named, in the conventions' order; all when none has."""
    named: set[str] = set()
    for value in network.activities.values_list("conventions_list", flat=True):
        named.update(code for code in value.split(",") if code)
    return [code for code in Convention.values if code in named] or list(Convention.values)


# --- Gaps --------------------------------------------------------------------------------------------------------


def seizure_window(period: Period, today: date) -> analytics.Filters:
    """The months whose records weigh the gaps: as many as the period has, ending with it or this month."""
    end = min(analytics.month_of(period.end), analytics.month_of(today))
    length = analytics.months_between(period.start, period.end)
    return analytics.Filters(start=analytics.add_months(end, 1 - length), end=end)


def _weights(person, window: analytics.Filters, conventions: list[str]) -> dict[tuple[str, str], int]:
    """Records per (country of seizure, convention) that the person may read: one query."""
    known = regions.countries_in(regions.WORLD)
    rows = (
        analytics.lines(person, window)
        .filter(convention__in=conventions)
        .values("seizure__country", "convention")
        .annotate(records=Count("seizure_id", distinct=True))
    )
    return {
        (row["seizure__country"], row["convention"]): row["records"] for row in rows if row["seizure__country"] in known
    }


def _records_by_country(
    person, window: analytics.Filters, countries: Iterable[str], conventions: list[str]
) -> dict[str, int]:
    """Records per country, each once whatever its lines, among the given countries and conventions."""
    wanted = sorted(countries)
    if not wanted:
        return {}
    lines = analytics.lines(person, window).filter(convention__in=conventions, seizure__country__in=wanted)
    rows = lines.values("seizure__country").annotate(records=Count("seizure_id", distinct=True))
    return {row["seizure__country"]: row["records"] for row in rows}


def places_of(network: Network, weights: Iterable[tuple[str, str]]) -> set[str]:
    """The countries looked at (see the module's docstring)."""
    known = regions.countries_in(regions.WORLD)
    places = {country for country, _ in weights}
    places.update(
        Membership.objects.filter(access.held_on(timezone.localdate()), network=network, organisation__isnull=False)
        .exclude(organisation__country="")
        .values_list("organisation__country", flat=True)
    )
    for value in network.activities.values_list("countries_list", flat=True):
        places.update(code for code in value.split(",") if code)
    return places & known


def gaps(
    person,
    network: Network,
    period: Period,
    *,
    conventions: list[str] | None = None,
    commodity: str = "",
    today: date | None = None,
) -> Gaps:
    conventions = conventions or conventions_of(network)
    window = seizure_window(period, today or timezone.localdate())
    weights = _weights(person, window, conventions)
    covered: dict[str, set[str]] = {convention: set() for convention in conventions}
    for activity in in_period(network, period, commodity=commodity):
        reach = covers(activity)
        for convention in activity.conventions:
            if convention in covered:
                covered[convention] |= reach
    places = places_of(network, weights)
    country_gaps = [
        Gap(country, convention, weights.get((country, convention), 0))
        for country in sorted(places)
        for convention in conventions
        if country not in covered[convention]
    ]
    region_gaps = []
    for region in regions.subregions():
        inside = regions.countries_in(region)
        for convention in conventions:
            if not inside & covered[convention]:
                records = sum(weights.get((country, convention), 0) for country in inside)
                region_gaps.append(Gap(region, convention, records))
    by_weight = lambda gap: -gap.records  # noqa: E731 - a stable sort keeps places in their order on ties
    return Gaps(
        conventions=conventions,
        countries=sorted(country_gaps, key=by_weight),
        regions=sorted(region_gaps, key=by_weight),
        records_by_country=_records_by_country(person, window, {gap.place for gap in country_gaps}, conventions),
        window=window,
    )


# --- Spread --------------------------------------------------------------------------------------------------------


def _continents(countries: Iterable[str]) -> set[str]:
    return {continent for country in countries if (continent := regions.continent_of(country))}


def _years(activity: Activity, period: Period) -> list[int]:
    assert activity.starts_on is not None  # in_period keeps only activities with a start
    last = (activity.ends_on or activity.starts_on).year
    return [year for year in period.year_list if activity.starts_on.year <= year <= last]


def spread(network: Network, period: Period, *, convention: str = "") -> Spread:
    """Activities per continent and year (an activity counts once in each continent it covers, and in each
    year its period touches), the organisations taking part in them (leads and partners, by the country of
    the organisation, each once a year), the participants they trained (as their outputs report them, by
    the participants' country, in the year the activity ended), and the network's member and observer
    organisations today."""
    years = period.year_list
    activities: dict[str, list[int]] = {}
    organisations: dict[str, list[set[int]]] = {}
    totals: dict[str, int] = {}
    dated = in_period(network, period, convention=convention)
    found = dated.prefetch_related("leads", "partners")
    for activity in found:
        places = _continents(covers(activity)) or {ELSEWHERE}
        for place in places:
            totals[place] = totals.get(place, 0) + 1
        for year in _years(activity, period):
            index = year - years[0]
            for place in places:
                activities.setdefault(place, [0] * len(years))[index] += 1
            for organisation in {*activity.leads.all(), *activity.partners.all()}:
                place = regions.continent_of(organisation.country) or ELSEWHERE
                organisations.setdefault(place, [set() for _ in years])[index].add(organisation.pk)
    trained: dict[str, list[int]] = {}
    rows = Trained.objects.filter(activity__in=dated.order_by().values("pk")).values_list(
        "country", "activity__starts_on", "activity__ends_on", "women", "men", "not_reported"
    )
    for country, starts_on, ends_on, *counts in rows:
        ended = ends_on or starts_on  # trained when the activity ended; in_period keeps only dated ones
        if ended is not None and ended.year in years:
            year = ended.year
            place = regions.continent_of(country) or ELSEWHERE
            trained.setdefault(place, [0] * len(years))[year - years[0]] += sum(counts)
    today = timezone.localdate()
    members: dict[str, int] = {}
    observers: dict[str, int] = {}
    held = network.memberships.filter(access.held_on(today), organisation__isnull=False).values_list(
        "standing", "organisation__country", "organisation_id"
    )
    seen: set[tuple[str, int]] = set()
    for standing, country, organisation_id in held:
        if (standing, organisation_id) in seen:
            continue
        seen.add((standing, organisation_id))
        target = members if standing == Standing.MEMBER else observers
        place = regions.continent_of(country) or ELSEWHERE
        target[place] = target.get(place, 0) + 1
    return Spread(
        years=years,
        activities=activities,
        organisations={place: [len(ids) for ids in sets] for place, sets in organisations.items()},
        trained=trained,
        members=members,
        observers=observers,
        in_period=totals,
    )


def order(places: Iterable[str]) -> list[str]:
    """Continents in M49's order, then "" (none given, or international)."""
    ranked = [*regions.continents(), ELSEWHERE]
    return sorted(set(places), key=ranked.index)
