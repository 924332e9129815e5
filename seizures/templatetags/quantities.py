"""Quantities, units and specimen terms as people read them, in the reader's language.

Units are stored as UN/ECE Recommendation 20 codes (reference/data/units.csv: "KGM", "H87"). A code that
CLDR also names (the Unicode Common Locale Data Repository, shipped in ``babel``) is shown with CLDR's
short name in the active language ("kg", "m³", "gal imp."), the number formatted for that language by the
same library ("2 100,5 kg" in French). The others are said with the number in words that agree with it
("1 piece", "2 pieces", "2 pièces"), through gettext's plural forms; alone, a unit is shown with the name
Recommendation 20 gives it, and a code neither knows is shown as itself.
Specimen terms (CITES codes such as "TUS") are shown with the description of the CITES guidelines.

Used by the list, the record page and the human-readable messages about a record, never by the machine
exports (which keep the codes).
"""

from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit, get_unit_name
from django import template
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext, ngettext_lazy

from reference import tables

register = template.Library()

# Recommendation 20 code -> CLDR unit: only units that are the same quantity in both lists. The carat,
# pieces, pairs, dozens and sets have no CLDR unit (or none with a usable short name) and keep Rec 20's.
CLDR_UNITS = {
    "KGM": "mass-kilogram",
    "GRM": "mass-gram",
    "MGM": "mass-milligram",
    "TNE": "mass-tonne",
    "LBR": "mass-pound",
    "ONZ": "mass-ounce",
    "LTR": "volume-liter",
    "MLT": "volume-milliliter",
    "MTQ": "volume-cubic-meter",
    "CMQ": "volume-cubic-centimeter",
    "GLL": "volume-gallon",
    "GLI": "volume-gallon-imperial",
    "FTQ": "volume-cubic-foot",
    "MTK": "area-square-meter",
    "FTK": "area-square-foot",
    "MTR": "length-meter",
    "CMT": "length-centimeter",
}
# Recommendation 20 code -> the units CLDR does not name, said with a number: the words agree with it.
COUNTED_UNITS: dict[str, Promise] = {
    "H87": ngettext_lazy("%(amount)s piece", "%(amount)s pieces", "count"),
    "C62": ngettext_lazy("%(amount)s unit", "%(amount)s units", "count"),
    "NAR": ngettext_lazy("%(amount)s article", "%(amount)s articles", "count"),
    "PR": ngettext_lazy("%(amount)s pair", "%(amount)s pairs", "count"),
    "NPR": ngettext_lazy("%(amount)s pair", "%(amount)s pairs", "count"),
    "DZN": ngettext_lazy("%(amount)s dozen", "%(amount)s dozen", "count"),
    "SET": ngettext_lazy("%(amount)s set", "%(amount)s sets", "count"),
    "CTM": ngettext_lazy("%(amount)s metric carat", "%(amount)s metric carats", "count"),
    "BFT": ngettext_lazy("%(amount)s board foot", "%(amount)s board feet", "count"),
}
SHOWN_LINES = 1  # commodity lines named in a list row; the others are counted


def _locale() -> Locale:
    try:
        return Locale.parse(get_language() or "en", sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def amount(value) -> str:
    """A number in the reader's language, with the decimals it has (three at most): "2,100", "2 100,5"."""
    number = _decimal(value)
    return "" if number is None else format_decimal(number, format="#,##0.###", locale=_locale())


@register.filter
def money(value, currency: str = "") -> str:
    """An amount of money in the reader's language: ``{{ line.value|money:line.currency }}`` -> "$1,500.50",
    "1 500,50 $US"; without a currency, the number alone."""
    number = _decimal(value)
    if number is None:
        return ""
    code = (currency or "").strip().upper()
    return format_currency(number, code, locale=_locale()) if code else amount(number)


@register.filter
def unit_name(code: str) -> str:
    """A unit's name in the reader's language ("kg", "m³", "piece"), or its code when no list names it."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    cldr = CLDR_UNITS.get(code)
    if cldr:
        name = get_unit_name(cldr, length="short", locale=_locale())
        if name:
            return name
    entry = tables.unit(code)
    name = entry.row.get("name", "") if entry is not None else ""
    return gettext(name) if name else code


def _plural_count(number: Decimal) -> int:
    """The whole number that makes gettext choose the plural form CLDR gives ``number`` as it is shown (three
    decimals at most): gettext's rules take whole numbers, and 1.5 is singular in French, plural in English."""
    shown = number.quantize(Decimal("0.001")).normalize()
    if shown == shown.to_integral_value():
        return abs(int(shown))
    return 1 if _locale().plural_form(shown) == "one" else 2


@register.filter
def quantity(value, unit: str = "") -> str:
    """A quantity with its unit in words: ``{{ line.quantity|quantity:line.unit }}`` -> "2,100 kg", "2 pieces"."""
    number = _decimal(value)
    if number is None:
        return ""
    code = (unit or "").strip().upper()
    cldr = CLDR_UNITS.get(code)
    if cldr:
        return format_unit(number, cldr, length="short", format="#,##0.###", locale=_locale())
    counted = COUNTED_UNITS.get(code)
    if counted is not None:
        return counted % {"amount": amount(number), "count": _plural_count(number)}
    name = unit_name(code)
    return f"{amount(number)} {name}" if name else amount(number)


@register.filter
def line_quantity(line) -> str:
    """A line's quantity with its unit, said to be an estimate when it is: "about 300 kg" ("" without one)."""
    said = quantity(line.quantity, line.unit)
    if said and getattr(line, "approximate", False):
        return gettext("about %(quantity)s") % {"quantity": said}
    return said


@register.filter
def specimen(code: str) -> str:
    """A CITES specimen term in words ("TUS" -> "tusks"), or its code when the table does not have it."""
    code = (code or "").strip()
    if not code:
        return ""
    entry = tables.find("specimens", code)
    return gettext(entry.row.get("description", "")) if entry is not None and entry.row.get("description") else code


def commodity(line) -> str:
    """A commodity line in words: "Manis spp. (pangolins), scales: 2,100 kg"."""
    entry = tables.find(line.convention, line.code) if line.convention in tables.TABLES and line.code else None
    name = entry.label if entry is not None else (line.code or line.description)
    if line.specimen_type:
        name = f"{name}, {specimen(line.specimen_type)}"
    said = line_quantity(line)
    return f"{name}: {said}" if said else name


@register.filter
def seized(seizure) -> str:
    """What was seized, for a list row: the first commodity line in words and how many more there are.
    Reads ``seizure.lines.all()``, so the list prefetches the lines (one query for the page)."""
    lines = list(seizure.lines.all())
    if not lines:
        return ""
    said = "; ".join(commodity(line) for line in lines[:SHOWN_LINES])
    more = len(lines) - SHOWN_LINES
    if more > 0:
        said += "; " + ngettext("+%(count)s more", "+%(count)s more", more) % {"count": amount(more)}
    return said


@register.filter
def seized_codes(seizure) -> str:
    """The codes behind ``seized`` (taxon or code, specimen term, unit), for a hover: "Manis gigantea SCA KGM"."""
    lines = list(seizure.lines.all())[:SHOWN_LINES]
    return "; ".join(" ".join(part for part in (line.code, line.specimen_type, line.unit) if part) for line in lines)
