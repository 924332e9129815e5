"""Countries and languages for forms, from pycountry, with names in the person's language (babel)."""

import csv
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path

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


# Names officers write that neither ISO 3166 (pycountry) nor CLDR (babel) gives: abbreviations (USA, UAE, DRC,
# RDC), the UN's and World Bank's forms ("Hong Kong SAR, China"), former names. Each row says where it is used.
ALIASES_FILE = Path(__file__).resolve().parent / "data" / "country_aliases.csv"
_NOT_WORDS = re.compile(r"[^0-9a-z]+")


def by_name(name: str) -> str:
    """The key to sort names by as a reader expects in English, French or Spanish: accents and case do
    not count, so "Bénin" comes before "Burundi" (a plain sort puts every accented letter after "z")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(character for character in decomposed if not unicodedata.combining(character)).casefold()


def plain(text: str) -> str:
    """A name as compared: accents, case, apostrophes (' or ’), dots, commas and brackets do not count."""
    # Dots join (U.S.A. is USA); anything else that is not a letter or digit separates words.
    return " ".join(_NOT_WORDS.sub(" ", by_name(text).replace(".", "")).split())


def _inverted(name: str) -> str | None:
    """ISO's "Korea, Republic of" as the UN writes it, "Republic of Korea"."""
    if ", " not in name:
        return None
    head, tail = name.split(", ", 1)
    return f"{tail} {head}"


@cache
def _country_words() -> dict[str, str]:
    words: dict[str, str] = {}

    def learn(name: str | None, code: str) -> None:
        if name:
            for form in (name, _inverted(name)):
                if form:
                    words.setdefault(plain(form), code)
                    words.setdefault(plain(form).removeprefix("the "), code)

    codes = country_codes()
    for code in codes:
        words.setdefault(plain(code), code)
        country = pycountry.countries.get(alpha_2=code)
        if country is not None:
            words.setdefault(plain(country.alpha_3), code)
            for attribute in ("name", "official_name", "common_name"):
                learn(getattr(country, attribute, None), code)
        else:
            learn(EXTRA_COUNTRIES[code], code)
    for language in ("en", "fr", "es"):
        territories = Locale.parse(language).territories
        for code in codes:
            learn(territories.get(code), code)
    with ALIASES_FILE.open(encoding="utf-8", newline="") as aliases:
        for row in csv.DictReader(aliases):
            learn(row["alias"], row["code"])
    return words


def country_code(text: str) -> str | None:
    """The ISO code of a country as officers write it: its code (KE, KEN), its name in English, French or
    Spanish, the UN's or ISO's long form, or a usual abbreviation (USA, UAE, DRC, UK). None if unknown."""
    return _country_words().get(plain(text)) if text and text.strip() else None


def countries_in(text: str) -> tuple[list[str], list[str]]:
    """The countries of a cell listing several, separated by ";", "," or new lines: (codes, what was not
    understood). A name with a comma of its own ("Hong Kong SAR, China", "Korea, Republic of") stays whole."""
    codes: list[str] = []
    unknown: list[str] = []
    for group in re.split(r"[;\n|]+", text or ""):
        pieces = [piece.strip() for piece in group.split(",") if piece.strip()]
        position = 0
        while position < len(pieces):
            pair = ", ".join(pieces[position : position + 2]) if position + 1 < len(pieces) else ""
            if pair and country_code(pair):
                codes.append(country_code(pair) or "")
                position += 2
                continue
            code = country_code(pieces[position])
            (codes if code else unknown).append(code or pieces[position])
            position += 1
    return list(dict.fromkeys(codes)), unknown


def country_name(code: str) -> str:
    if not code:
        return ""
    return _country_names(get_language() or "en").get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """Every country as (code, name in the active language), by name: a new list each time, sorted once."""
    return list(_sorted_countries(get_language() or "en"))


@cache
def _sorted_countries(language: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(_country_names(language).items(), key=lambda item: by_name(item[1])))


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
    return sorted(names.items(), key=lambda item: by_name(item[1]))


def language_name(code: str) -> str:
    return _language_names(get_language() or "en").get(code, code)
