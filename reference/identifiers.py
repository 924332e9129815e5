"""Identifiers that carry their own check digit: containers (ISO 6346), ships (IMO), air waybills, chemicals (CAS).

Each validator takes what a person typed and returns the identifier in its one normal form, or raises
django.core.exceptions.ValidationError with a message that says what is wrong. Nothing else is ever raised,
whatever the input: the validators sit behind forms, the API and imports of spreadsheets. The message is a lazy
translation with its parameters apart, as Django's own validators give them: an import checked in one language
keeps them as such and says them in its reader's (seizures/problem_words.py).

The `check_digit_*` helpers compute the check digit of the part before it, so tests and benchmarks can make
valid numbers. They are for code, not for what people type: they raise ValueError on malformed input.

What each check catches (the tests prove it):
- IMO and CAS: a weighted sum modulo 10. One mistyped digit is caught unless its weight times the change is a
  multiple of 10 (weight 5 misses even changes, weights 2, 4, 6 and 8 miss a change of 5).
- Air waybills: the serial modulo 7. One mistyped serial digit is caught unless it changed by 7 (0 and 7, 1 and 8,
  2 and 9); the 3-digit airline prefix is not covered at all.
- ISO 6346: a sum modulo 11 with a remainder of 10 written as 0. One mistyped digit is caught unless the remainder
  moves between 0 and 10; a mistyped letter is also missed when the two letters' values differ by 11 (A and K).
"""

import re
import string
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Far above any real identifier, even with spaces: a pasted page of text is refused before any work is done.
MAX_LENGTH = 64

# Spaces and the hyphens and dashes that word processors put in place of "-".
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def _letter_values() -> dict[str, int]:
    """ISO 6346 letter values: A is 10, and multiples of 11 are skipped (so B is 12, L is 23, V is 34)."""
    values = {}
    value = 10
    for letter in string.ascii_uppercase:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


_LETTER_VALUES = _letter_values()
CONTAINER_CATEGORIES = "UJZ"

_CONTAINER = re.compile(r"[A-Z]{4}[0-9]{7}")
_IMO = re.compile(r"(?:IMO(?:NO\.?|NUMBER)?:?)?([0-9]{7})")
_AIR_WAYBILL = re.compile(r"([0-9]{3})([0-9]{8})")
_CAS_PREFIX = re.compile(r"^CAS(?:\s*(?:RN|NO\.?|NUMBER))?\s*:?\s*", re.IGNORECASE)
_CAS_WITH_HYPHENS = re.compile(r"([0-9]{2,10})-([0-9]{2})-([0-9])")
_CAS_DIGITS = re.compile(r"[0-9]{5,12}")


def check_digit_container(owner_and_serial: str) -> int:
    """Check digit of the first 10 characters of a container number, e.g. "CSQU305438" -> 3."""
    if not _CONTAINER.fullmatch(owner_and_serial + "0"):
        raise ValueError(f"expected 4 capital letters and 6 digits, got {owner_and_serial!r}")
    total = sum(_char_value(char) * 2**position for position, char in enumerate(owner_and_serial))
    # A remainder of 10 is written 0: ISO 6346 advises owners not to use such serials, but they exist.
    return total % 11 % 10


def check_digit_imo(first_six: str) -> int:
    """Check digit of the first 6 digits of an IMO number, e.g. "907472" -> 9."""
    _require_digits(first_six, 6)
    return sum(int(digit) * weight for digit, weight in zip(first_six, range(7, 1, -1), strict=True)) % 10


def check_digit_air_waybill(serial: str) -> int:
    """Check digit of the 7-digit serial of an air waybill (after the airline prefix), e.g. "1234567" -> 5."""
    _require_digits(serial, 7)
    return int(serial) % 7


def check_digit_cas(digits: str) -> int:
    """Check digit of a CAS number's other digits, hyphens left out, e.g. "773218" -> 5."""
    if not (4 <= len(digits) <= 9) or not _is_ascii_digits(digits):
        raise ValueError(f"expected 4 to 9 digits, got {digits!r}")
    return sum(int(digit) * position for position, digit in enumerate(reversed(digits), start=1)) % 10


def container_number(text: str | None) -> str:
    """A container number (ISO 6346), e.g. "csqu 305438-3" -> "CSQU3054383"."""
    value = _compact(text, _container_format_error).upper()
    if not _CONTAINER.fullmatch(value):
        raise _container_format_error()
    if value[3] not in CONTAINER_CATEGORIES:
        raise ValidationError(
            _("The fourth letter should be U, J or Z, not %(letter)s."),
            code="container_category",
            params={"letter": value[3]},
        )
    _compare(check_digit_container(value[:10]), value[10])
    return value


def imo_number(text: str | None) -> str:
    """An IMO ship number, e.g. "IMO 9074729" -> "9074729"."""
    match = _IMO.fullmatch(_compact(text, _imo_format_error).upper())
    if not match:
        raise _imo_format_error()
    value = match.group(1)
    _compare(check_digit_imo(value[:6]), value[6])
    return value


def air_waybill(text: str | None) -> str:
    """An air waybill number, e.g. "176 1234 5675" -> "176-12345675"."""
    match = _AIR_WAYBILL.fullmatch(_compact(text, _air_waybill_format_error))
    if not match:
        raise _air_waybill_format_error()
    prefix, serial = match.groups()
    _compare(check_digit_air_waybill(serial[:7]), serial[7])
    return f"{prefix}-{serial}"


def cas_number(text: str | None) -> str:
    """A CAS registry number, e.g. "CAS 7732185" -> "7732-18-5"."""
    value = _CAS_PREFIX.sub("", _clean(text, _cas_format_error), count=1)
    value = _SEPARATORS.sub("-", value.strip())
    match = _CAS_WITH_HYPHENS.fullmatch(value)
    if match:
        first, middle, check = match.groups()
    elif _CAS_DIGITS.fullmatch(value):
        first, middle, check = value[:-3], value[-3:-1], value[-1]
    else:
        raise _cas_format_error()
    # Registry numbers never start with 0, so leading zeros are padding and change nothing in the check.
    first = first.lstrip("0")
    if not 2 <= len(first) <= 7:
        raise _cas_format_error()
    _compare(check_digit_cas(first + middle), check)
    return f"{first}-{middle}-{check}"


def _container_format_error() -> ValidationError:
    return ValidationError(
        _("A container number has 4 letters and 7 digits, like CSQU3054383."), code="container_format"
    )


def _imo_format_error() -> ValidationError:
    return ValidationError(_("An IMO number has 7 digits, like IMO 9074729."), code="imo_format")


def _air_waybill_format_error() -> ValidationError:
    return ValidationError(
        _("An air waybill number has 11 digits: the 3-digit airline prefix and 8 digits, like 176-12345675."),
        code="air_waybill_format",
    )


def _cas_format_error() -> ValidationError:
    return ValidationError(
        _("A CAS number has 3 groups of digits, like 7732-18-5: 2 to 7 digits, 2 digits, then 1 check digit."),
        code="cas_format",
    )


def _compare(expected: int, given: str) -> None:
    if str(expected) != given:
        raise ValidationError(
            _("The check digit should be %(expected)s, not %(given)s: a character may have been mistyped."),
            code="check_digit",
            params={"expected": expected, "given": given},
        )


def _clean(text: object, error: Callable[[], ValidationError]) -> str:
    """The text in one form: full-width characters and digits of other scripts become ASCII."""
    if text is None:
        return ""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        raise error()
    text = unicodedata.normalize("NFKC", text)
    # Officers may type Arabic-Indic or Devanagari digits; the registries only know 0-9.
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text).strip()


def _compact(text: object, error: Callable[[], ValidationError]) -> str:
    """The cleaned text without spaces or hyphens, refused unless it is plain ASCII.

    Upper-casing happens after the ASCII check on purpose: "ı".upper() is "I", and such look-alikes must not pass.
    """
    value = _SEPARATORS.sub("", _clean(text, error))
    if not value.isascii():
        raise error()
    return value


def _char_value(char: str) -> int:
    return int(char) if char.isdigit() else _LETTER_VALUES[char]


def _require_digits(text: str, length: int) -> None:
    if len(text) != length or not _is_ascii_digits(text):
        raise ValueError(f"expected {length} digits, got {text!r}")


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()
