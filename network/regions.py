"""Regions of the UN M49 standard that an activity may target, with their names in the reader's language,
and which countries each one holds.

Names: the Unicode CLDR territory names shipped in ``babel`` (2.18.0, pinned in pyproject.toml). CLDR names
the world regions by their UN M49 codes (001 World, 002 Africa, 011 Western Africa, 419 Latin America and
the Caribbean...); every three-digit code CLDR names is offered, and nothing is added.

Containment: the UN Statistics Division's M49 table ("Standard country or area codes for statistical use",
https://unstats.un.org/unsd/methodology/m49/), as the repository already keeps it for the seizure dashboard
(``seizures.analytics.REGIONS``: continent -> sub-region or, in Africa and the Americas, intermediate region
-> ISO 3166 alpha-2 countries; its tests check that every ISO country but Antarctica is in exactly one). The
groupings above that level are composed from it here, as M49 composes them: 202 Sub-Saharan Africa is
Africa but Northern Africa (M49 places Sudan in Northern Africa), 419 Latin America and the Caribbean is the
Caribbean, Central America and South America, and 001 World is every country. 003 North America is not an
M49 grouping but CLDR's (its supplemental territoryContainment: 021 Northern America, 013 Central America
and 029 Caribbean), and is composed the same way.

``country-converter`` (coco 1.3.2) was considered and not used: its table gives only the sub-region, by its
English name (no continent, no intermediate grouping such as 202 or 419), places Nauru in Polynesia where
M49 has Micronesia (057), and brings pandas with it.

So an activity that targets "Western Africa" (011) covers Senegal, Ghana and the other countries of 011;
``covering_country`` and ``touching_region`` give the database conditions for "covers this country" and
"covers any part of this region".
"""

from functools import cache

from babel import Locale, UnknownLocaleError
from django.db.models import Q
from django.utils.translation import get_language

from accounts import places
from seizures.analytics import REGIONS

# Groupings composed of the table's regions (see the module's docstring for their sources).
COMPOSED: dict[str, tuple[str, ...]] = {
    "202": ("014", "017", "018", "011"),  # Sub-Saharan Africa (M49)
    "419": ("029", "013", "005"),  # Latin America and the Caribbean (M49)
    "003": ("021", "013", "029"),  # North America (CLDR)
}
WORLD = "001"


@cache
def _names(language: str) -> dict[str, str]:
    try:
        territories = Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        territories = Locale.parse("en").territories
    return {code: name for code, name in territories.items() if len(code) == 3 and code.isdigit()}


def region_codes() -> list[str]:
    return sorted(_names("en"))


def region_name(code: str) -> str:
    return _names(get_language() or "en").get(code, code)


def region_choices() -> list[tuple[str, str]]:
    return sorted(_names(get_language() or "en").items(), key=lambda item: places.by_name(item[1]))


# --- Containment ---------------------------------------------------------------------------------------------


@cache
def _table() -> dict[str, frozenset[str]]:
    """Every region with known containment -> the countries (ISO alpha-2) it holds."""
    table: dict[str, frozenset[str]] = {}
    for continent, subregions in REGIONS.items():
        for code, countries in subregions.items():
            table[code] = frozenset(countries.split())
        table[continent] = frozenset().union(*(table[code] for code in subregions))
    for code, parts in COMPOSED.items():
        table[code] = frozenset().union(*(table[part] for part in parts))
    table[WORLD] = frozenset().union(*(table[continent] for continent in REGIONS))
    return table


def countries_in(region: str) -> frozenset[str]:
    """The countries the region holds; empty for a code whose containment is not known."""
    return _table().get(region, frozenset())


def continents() -> list[str]:
    """The five continents of M49, in the table's order."""
    return list(REGIONS)


def subregions() -> list[str]:
    """The sub-regions (intermediate regions in Africa and the Americas), each country in exactly one."""
    return [code for subregions in REGIONS.values() for code in subregions]


def continent_of(country: str) -> str | None:
    return next((continent for continent in REGIONS if country in _table()[continent]), None)


def subregion_of(country: str) -> str | None:
    return next((code for code in subregions() if country in _table()[code]), None)


def regions_holding(country: str) -> list[str]:
    """Every region that holds the country, the world included."""
    return sorted(code for code, countries in _table().items() if country in countries)


def covered(countries: list[str], regions: list[str]) -> frozenset[str]:
    """The countries an activity covers: those it names and those of the regions it names."""
    return frozenset(countries).union(*(countries_in(region) for region in regions))


def overlapping(region: str) -> list[str]:
    """The regions that share a country with this one (itself, the regions it holds and those holding it)."""
    inside = countries_in(region)
    return sorted({region} | {code for code, countries in _table().items() if countries & inside})


def _listed(field: str, codes) -> Q:
    condition = Q(pk__in=[])
    for code in sorted(codes):
        condition |= Q(**{f"{field}__contains": f",{code},"})
    return condition


def covering_country(country: str) -> Q:
    """Activities that cover the country: naming it, or naming a region that holds it."""
    return _listed("countries_list", [country]) | _listed("regions_list", regions_holding(country))


def touching_region(region: str) -> Q:
    """Activities that cover any part of the region: naming it, a region sharing a country with it, or one of
    its countries."""
    return _listed("regions_list", overlapping(region)) | _listed("countries_list", countries_in(region))
