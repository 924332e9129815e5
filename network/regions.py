"""Regions of the UN M49 standard that an activity may target, with their names in the reader's language.

Source: the Unicode CLDR territory names shipped in ``babel`` (2.18.0, pinned in pyproject.toml). CLDR
names the world regions by their UN M49 codes (001 World, 002 Africa, 011 Western Africa, 419 Latin America
and the Caribbean...); every three-digit code CLDR names is taken, and nothing is added. ``pycountry`` has no
regions, and the CLDR containment table (which countries a region holds) is not shipped in babel's data, so
a region here is a target in its own right: filtering by a region finds activities that name it.
"""

from functools import cache

from babel import Locale, UnknownLocaleError
from django.utils.translation import get_language


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
    return sorted(_names(get_language() or "en").items(), key=lambda item: item[1])
