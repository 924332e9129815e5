"""Countries and languages for forms, from pycountry, with names in the person's language (babel)."""

from collections.abc import Mapping
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language

# Codes ISO 3166 lacks but the conventions use: the EU is a CITES Party; Kosovo uses XK.
EXTRA_COUNTRIES = {"EU": "European Union", "XK": "Kosovo"}


def country_codes() -> list[str]:
    return sorted([country.alpha_2 for country in pycountry.countries] + list(EXTRA_COUNTRIES))


@cache
def _country_names(language: str) -> dict[str, str]:
    try:
        territories: Mapping[str, str] = Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        territories = {}
    names = {}
    for code in country_codes():
        country = pycountry.countries.get(alpha_2=code)
        fallback = EXTRA_COUNTRIES.get(code) or (country.name if country else code)
        names[code] = territories.get(code, fallback)
    return names


def country_name(code: str) -> str:
    if not code:
        return ""
    return _country_names(get_language() or "en").get(code, code)


def country_choices() -> list[tuple[str, str]]:
    names = _country_names(get_language() or "en")
    return sorted(names.items(), key=lambda item: item[1])


@cache
def _language_names(language: str) -> dict[str, str]:
    try:
        localised: Mapping[str, str] = Locale.parse(language).languages
    except (UnknownLocaleError, ValueError):
        localised = {}
    names = {}
    for entry in pycountry.languages:
        code = getattr(entry, "alpha_2", None)
        if code:
            names[code] = localised.get(code, entry.name)
    return names


def language_choices() -> list[tuple[str, str]]:
    names = _language_names(get_language() or "en")
    return sorted(names.items(), key=lambda item: item[1].casefold())


def language_name(code: str) -> str:
    return _language_names(get_language() or "en").get(code, code)
