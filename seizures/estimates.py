"""Quantities as officers write them when they are not exact, in English, French and Spanish.

A seizure is often weighed or counted roughly ("approx. 300", "environ 300", "aprox. 300", "~300"): such a
quantity is kept as its number with the line's ``approximate`` flag, and shown as "about 300 kg". Only clearly
approximate forms are read so: "300+" and "> 300" say "at least", and a range ("200-300") says two numbers;
both are refused with what to write instead (one number, marked approximate), never guessed at.

The record form has a checkbox; a spreadsheet says it in the quantity cell ("approx. 300") or in the column
``approximate`` (yes/no, as the platform's export writes it).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NUMBER = r"\d[\d\s.,']*?"
# Words before the number, each followed by a dot or a space: "approx. 300", "ca 300", "environ 300".
_WORDS_BEFORE = (
    *("approx", "approximately", "about", "around", "circa", "ca"),  # English (and Latin)
    *("environ", "env", "approximativement", "à peu près", "a peu pres"),  # French
    *("aprox", "aproximadamente", "alrededor de", "cerca de"),  # Spanish
)
# Signs before the number, with or without a space: "~300", "≈ 300", "±300", "+/- 300", "c. 300".
_SIGNS_BEFORE = ("~", "≈", "±", "+/-", "c.")
# Words after the number: "300 approx", "300 environ", "300 aprox.", "300 (approx.)".
_WORDS_AFTER = ("approx", "approximately", "circa", "ca", "environ", "env", "aprox", "aproximadamente")

_WORDS = "|".join(map(re.escape, _WORDS_BEFORE))
_SIGNS = "|".join(map(re.escape, _SIGNS_BEFORE))
_AFTERWARDS = "|".join(map(re.escape, _WORDS_AFTER))
_PREFIX = rf"(?:(?:{_WORDS})(?:\.\s*|\s+)|(?:{_SIGNS})\s*)"
_SUFFIX = rf"\s+\(?(?:{_AFTERWARDS})\.?\)?"
_BEFORE = re.compile(rf"{_PREFIX}(?P<number>{_NUMBER})", re.IGNORECASE)
_AFTER = re.compile(rf"(?P<number>{_NUMBER}){_SUFFIX}", re.IGNORECASE)
_MARKERS = re.compile(rf"^{_PREFIX}|{_SUFFIX}$", re.IGNORECASE)
# Two numbers: "200-300", "200 – 300", "200 to 300", "entre 200 et 300", "de 200 a 300", "approx. 200-300".
_RANGE = re.compile(
    rf"(?:between\s+|entre\s+|de\s+|from\s+)?{_NUMBER}\s*(?:-|–|—|to|and|à|et|a|y|al)\s*{_NUMBER}", re.IGNORECASE
)
# "At least" rather than "about": "300+", "> 300", "more than 300", "plus de 300", "más de 300".
_BOUNDS = "|".join(
    (
        *(">=?", "<=?", "over", "more than", "at least", "less than", "under"),
        *("plus de", "au moins", "moins de", "más de", "mas de", "al menos", "menos de"),
    )
)
_OPEN = re.compile(rf"(?:{_NUMBER}\s*\+|(?:{_BOUNDS})\s*{_NUMBER})", re.IGNORECASE)

# What the column ``approximate`` may hold. The export writes "yes" or nothing.
_YES = frozenset(
    {"yes", "y", "x", "true", "1", "on", "approx", "approx.", "approximate", "approximately", "~", "≈", "✓", "✔"}
    | {"oui", "o", "vrai", "approximatif", "approximative", "environ", "env."}
    | {"sí", "si", "s", "verdadero", "aprox", "aprox.", "aproximado", "aproximada", "aproximadamente"}
)
_NO = frozenset({"", "no", "n", "false", "0", "off", "exact", "non", "faux", "exacte", "falso", "exacto", "exacta"})

RANGE_MESSAGE = _(
    "“%(text)s” is a range: give one number and tick “approximate” (in a spreadsheet, write “approx.” before the "
    "number)."
)
OPEN_MESSAGE = _(
    "“%(text)s” is not one number: give the number seized and tick “approximate” if it is not exact (in a "
    "spreadsheet, write “approx.” before the number)."
)
FLAG_MESSAGE = _("Write yes when the quantity is approximate, or leave it empty when it is exact.")


def read(text: str) -> tuple[str, bool]:
    """A quantity cell as (the number as written, approximate): "approx. 300" -> ("300", True). Anything else
    comes back as it was, not approximate, for the form to read or refuse."""
    text = " ".join(text.split())
    for pattern in (_BEFORE, _AFTER):
        found = pattern.fullmatch(text)
        if found:
            return found["number"].strip(), True
    return text, False


def refusal(text: str) -> ValidationError | None:
    """What to say of a quantity that is a range or an open bound, or None when it is neither: its message and
    the quantity as written kept apart, so that an import says it in its reader's language
    (seizures/problem_words.py)."""
    text = " ".join(str(text).split())
    number = _MARKERS.sub("", text)  # "approx. 200-300" is a range all the same
    if _RANGE.fullmatch(number):
        return ValidationError(RANGE_MESSAGE, code="not_one_number", params={"text": text})
    if _OPEN.fullmatch(number):
        return ValidationError(OPEN_MESSAGE, code="not_one_number", params={"text": text})
    return None


def flag(value: object) -> bool | None:
    """The column ``approximate`` (or the checkbox, or the API's boolean) as True or False; None when the text
    says neither."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    word = " ".join(str(value).casefold().split())
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None
