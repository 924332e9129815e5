"""Identifiers with a check digit: real numbers pass, what each check promises is kept, and no input breaks them.

The mistyping tests prove what each scheme guarantees, and no more: a weighted sum modulo 10 misses some
mistyped digits, a modulo 7 misses digits 7 apart, and ISO 6346 writes a remainder of 10 as 0.

The valid numbers the properties start from are never made with the code under test: their check digits come
from an independent implementation (python-stdnum's iso6346, imo and casrn), from the published rule written
out here (air waybills: the serial modulo 7), or from published numbers. A wrong letter value once passed every
test, because the tests built their "valid" numbers with the very function they checked.
"""

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import casrn, imo, iso6346

from reference import identifiers
from reference.identifiers import (
    air_waybill,
    cas_number,
    check_digit_air_waybill,
    check_digit_cas,
    check_digit_container,
    check_digit_imo,
    container_number,
    imo_number,
)

VALIDATORS = [container_number, imo_number, air_waybill, cas_number]

digits = st.text(alphabet=string.digits, min_size=1, max_size=1)
letters = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3)
category = st.sampled_from("UJZ")
serial = st.text(alphabet=string.digits, min_size=6, max_size=6)


# ISO 6346's letter values as the standard tabulates them: A is 10 and multiples of 11 are skipped.
ISO_6346_LETTERS = dict(
    zip(
        string.ascii_uppercase,
        [10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38],
        strict=True,
    )
)


@st.composite
def containers(draw) -> str:
    body = draw(letters) + draw(category) + draw(serial)
    return body + iso6346.calc_check_digit(body)


@st.composite
def imo_numbers(draw) -> str:
    body = draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    return body + imo.calc_check_digit(body)


@st.composite
def air_waybills(draw) -> str:
    prefix = draw(st.text(alphabet=string.digits, min_size=3, max_size=3))
    body = draw(st.text(alphabet=string.digits, min_size=7, max_size=7))
    return prefix + body + str(int(body) % 7)  # the IATA rule: the serial's remainder modulo 7


@st.composite
def cas_numbers(draw) -> str:
    first = draw(st.integers(min_value=10, max_value=9_999_999))
    middle = draw(st.text(alphabet=string.digits, min_size=2, max_size=2))
    return f"{first}-{middle}-{casrn.calc_check_digit(f'{first}{middle}')}"


def _rejects(validator, text: str) -> bool:
    try:
        validator(text)
    except ValidationError:
        return True
    return False


def _messages(validator, text) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validator(text)
    return caught.value.messages


# Published numbers


@pytest.mark.parametrize(
    ("validator", "typed", "normal"),
    [
        (container_number, "CSQU3054383", "CSQU3054383"),  # the example of ISO 6346 itself
        (container_number, "csqu 305438 3", "CSQU3054383"),
        (container_number, "CSQU-305438-3", "CSQU3054383"),
        (container_number, "ＣＳＱＵ３０５４３８３", "CSQU3054383"),  # full-width, as some keyboards type
        (imo_number, "IMO 9074729", "9074729"),
        (imo_number, "imo9074729", "9074729"),
        (imo_number, "9074729", "9074729"),
        (imo_number, "IMO No. 9321483", "9321483"),  # Emma Maersk
        (air_waybill, "176-12345675", "176-12345675"),
        (air_waybill, "176 1234 5675", "176-12345675"),
        (air_waybill, "17612345675", "176-12345675"),
        (cas_number, "7732-18-5", "7732-18-5"),  # water
        (cas_number, "50-00-0", "50-00-0"),  # formaldehyde
        (cas_number, "64-17-5", "64-17-5"),  # ethanol
        (cas_number, "75-45-6", "75-45-6"),  # chlorodifluoromethane, HCFC-22
        (cas_number, "75-71-8", "75-71-8"),  # dichlorodifluoromethane, CFC-12
        (cas_number, "74-83-9", "74-83-9"),  # methyl bromide
        (cas_number, "1763-23-1", "1763-23-1"),  # PFOS
        (cas_number, "7732185", "7732-18-5"),
        (cas_number, "CAS 7732 18 5", "7732-18-5"),
        (cas_number, "CAS No.: 50-00-0", "50-00-0"),
        (cas_number, "٧٧٣٢-١٨-٥", "7732-18-5"),  # Arabic-Indic digits
    ],
)
def test_it_accepts_real_numbers_and_writes_them_one_way(validator, typed, normal):
    assert validator(typed) == normal


def test_it_computes_the_published_check_digits():
    assert check_digit_container("CSQU305438") == 3
    assert check_digit_imo("907472") == 9
    assert check_digit_air_waybill("1234567") == 5
    assert check_digit_cas("773218") == 5


@pytest.mark.parametrize(
    ("validator", "typed", "message"),
    [
        (container_number, "CSQU3054384", "The check digit should be 3, not 4: a character may have been mistyped."),
        (container_number, "CSQU305438", "A container number has 4 letters and 7 digits, like CSQU3054383."),
        (container_number, "CSQA3054383", "The fourth letter should be U, J or Z, not A."),
        (imo_number, "IMO 9074728", "The check digit should be 9, not 8: a character may have been mistyped."),
        (imo_number, "IMO 907472", "An IMO number has 7 digits, like IMO 9074729."),
        (air_waybill, "176-12345674", "The check digit should be 5, not 4: a character may have been mistyped."),
        (cas_number, "7732-18-4", "The check digit should be 5, not 4: a character may have been mistyped."),
        (
            cas_number,
            "7732-1-85",
            "A CAS number has 3 groups of digits, like 7732-18-5: 2 to 7 digits, 2 digits, then 1 check digit.",
        ),
    ],
)
def test_it_says_what_is_wrong(validator, typed, message):
    assert _messages(validator, typed) == [message]


def test_it_refuses_look_alike_letters_that_upper_case_to_ascii():
    # "ı" (dotless i) becomes "I" when upper-cased; it is not what the officer's document says.
    assert _rejects(imo_number, "ımo 9074729")


def test_it_reads_digits_of_other_scripts():
    assert container_number("csqu305438\u0663") == "CSQU3054383"  # Arabic-Indic 3
    assert air_waybill("\u0967\u096d\u096c-12345675") == "176-12345675"  # Devanagari 176


# Real container numbers, each with where it was published. Only numbers whose check digit python-stdnum
# agrees with are listed (the first test says so), so a number misread from a photo cannot hide a bug.
PUBLISHED_CONTAINERS = [
    "CSQU3054383",  # the example of ISO 6346 itself, as the BIC and the standard's Wikipedia article give it
    # 490 kg of ivory among cow horns, Lach Huyen port, Hai Phong: WildAid Viet Nam after VietnamPlus, 24 Feb 2023
    "TRHU6895812",
    # Two boxes bearing this one number in Chittagong port (owner Sea Lloyd): the port authority, as reported in the
    # shipping press on 26 July 2022
    "SLHU4500470",
    "TASU1170000",  # python-stdnum's iso6346 documentation; its remainder is 10, written 0
    "TCNU7200794",  # python-stdnum's tests/test_iso6346.doctest, its valid examples
    "TOLU4734787",  # idem
    "GYOU4047990",  # idem
]


@pytest.mark.parametrize("number", PUBLISHED_CONTAINERS)
def test_it_accepts_published_container_numbers_as_stdnum_does(number):
    assert iso6346.is_valid(number)
    assert container_number(number) == number
    assert check_digit_container(number[:10]) == int(number[10])


# The same answers as an independent implementation (python-stdnum)


def test_it_gives_each_letter_the_value_iso_6346_tabulates():
    assert identifiers._LETTER_VALUES == ISO_6346_LETTERS


@pytest.mark.parametrize("letter", string.ascii_uppercase)
def test_it_computes_the_container_check_digit_as_stdnum_for_every_owner_letter(letter):
    for position in range(3):
        owner = "CSQ"[:position] + letter + "CSQ"[position + 1 :]
        for body in (f"{owner}U305438", f"{owner}J000001", f"{owner}Z999999"):
            assert check_digit_container(body) == int(iso6346.calc_check_digit(body)), body


@given(letters, category, serial, digits)
def test_it_accepts_a_container_number_exactly_when_stdnum_does(owner, category_letter, serial_digits, check):
    number = owner + category_letter + serial_digits + check
    assert check_digit_container(number[:10]) == int(iso6346.calc_check_digit(number[:10]))
    assert (not _rejects(container_number, number)) is iso6346.is_valid(number)


@given(st.text(alphabet=string.digits, min_size=7, max_size=7))
def test_it_accepts_an_imo_number_exactly_when_stdnum_does(number):
    assert check_digit_imo(number[:6]) == int(imo.calc_check_digit(number[:6]))
    assert (not _rejects(imo_number, number)) is imo.is_valid(number)


@given(st.integers(min_value=10, max_value=9_999_999), st.text(alphabet=string.digits, min_size=3, max_size=3))
def test_it_accepts_a_cas_number_exactly_when_stdnum_does(first, rest):
    number = f"{first}-{rest[:2]}-{rest[2]}"
    assert check_digit_cas(f"{first}{rest[:2]}") == int(casrn.calc_check_digit(f"{first}{rest[:2]}"))
    assert (not _rejects(cas_number, number)) is casrn.is_valid(number)


@given(st.text(alphabet=string.digits, min_size=7, max_size=7))
def test_it_computes_the_air_waybill_check_digit_by_the_published_rule(serial_digits):
    # No library checks air waybills; the IATA rule is short enough to write out: the serial modulo 7.
    assert check_digit_air_waybill(serial_digits) == int(serial_digits) % 7


# Valid numbers made by the oracle


@given(containers(), st.sampled_from(["", " ", "-"]), st.booleans())
def test_it_accepts_every_container_number_with_a_right_check_digit(number, separator, lower):
    typed = number[:4] + separator + number[4:10] + separator + number[10]
    assert container_number(typed.lower() if lower else typed) == number


@given(imo_numbers(), st.sampled_from(["", "IMO ", "imo", "IMO: "]))
def test_it_accepts_every_imo_number_with_a_right_check_digit(number, prefix):
    assert imo_number(prefix + number) == number


@given(air_waybills(), st.sampled_from(["{p}{s}", "{p}-{s}", "{p} {s}", "{p} {s4} {s8}"]))
def test_it_accepts_every_air_waybill_with_a_right_check_digit(number, layout):
    prefix, serial = number[:3], number[3:]
    typed = layout.format(p=prefix, s=serial, s4=serial[:4], s8=serial[4:])
    assert air_waybill(typed) == f"{prefix}-{serial}"


@given(cas_numbers())
def test_it_accepts_every_cas_number_with_a_right_check_digit(number):
    assert cas_number(number) == number
    assert cas_number(number.replace("-", "")) == number


# What each check catches


@given(imo_numbers(), st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=9))
@example(number="9074729", position=2, change=2)  # 9094729 passes: weight 5 times 2 ends in 0
def test_it_catches_a_mistyped_imo_digit_unless_the_weights_hide_it(number, position, change):
    mistyped = _change_digit(number, position, change)
    weight = [7, 6, 5, 4, 3, 2, 1][position]
    # The check digit itself (weight 1) and the digits weighted 7 and 3 are always caught; weight 5 misses even
    # changes and weights 2, 4 and 6 miss a change of 5, because their product with the change ends in 0.
    missed = position != 6 and (weight * change) % 10 == 0
    assert _rejects(imo_number, mistyped) is not missed


@given(imo_numbers(), st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=9))
def test_it_catches_every_mistyped_imo_digit_in_the_first_and_fifth_place_and_the_check_digit(number, position, change):
    if position in (0, 4, 6):
        assert _rejects(imo_number, _change_digit(number, position, change))


def test_it_cannot_see_every_imo_mistake():
    assert imo_number("9094729") == "9094729"  # 9074729 with the third digit mistyped


@given(air_waybills(), st.integers(min_value=3, max_value=10), st.integers(min_value=1, max_value=9))
def test_it_catches_a_mistyped_air_waybill_serial_digit_unless_it_moved_by_7(number, position, change):
    mistyped = _change_digit(number, position, change)
    moved_by_seven = abs(int(mistyped[position]) - int(number[position])) == 7
    missed = position != 10 and moved_by_seven
    assert _rejects(air_waybill, mistyped) is not missed


@given(air_waybills(), st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=9))
def test_it_cannot_check_the_airline_prefix(number, position, change):
    assert not _rejects(air_waybill, _change_digit(number, position, change))


@given(cas_numbers(), st.data())
def test_it_catches_a_mistyped_cas_digit_unless_the_weights_hide_it(number, data):
    digits_only = number.replace("-", "")
    position = data.draw(st.integers(min_value=0, max_value=len(digits_only) - 1))
    change = data.draw(st.integers(min_value=1, max_value=9))
    mistyped = _change_digit(digits_only, position, change)
    if position == 0 and mistyped[0] == "0":
        return  # a leading 0 shortens the number: another number, not a mistyped one
    weight = len(digits_only) - 1 - position  # 0 for the check digit, then 1, 2, 3... from the right
    delta = int(mistyped[position]) - int(digits_only[position])
    missed = weight != 0 and (weight * delta) % 10 == 0
    assert _rejects(cas_number, mistyped) is not missed


@given(containers(), st.integers(min_value=4, max_value=10), st.integers(min_value=1, max_value=9))
def test_it_catches_a_mistyped_container_digit_unless_the_remainder_moves_between_0_and_10(number, position, change):
    mistyped = _change_digit(number, position, change)
    if position == 10:
        assert _rejects(container_number, mistyped)
        return
    before, after = _container_remainder(number), _container_remainder(mistyped)
    # Weights are powers of 2, none a multiple of 11, so a digit change always moves the remainder; only
    # the move between 0 and 10 is hidden, since both are written 0.
    assert before != after
    assert _rejects(container_number, mistyped) is not ({before, after} == {0, 10})


@given(containers(), st.integers(min_value=0, max_value=2), st.sampled_from(string.ascii_uppercase))
def test_it_catches_a_mistyped_owner_letter_unless_the_values_are_11_apart(number, position, letter):
    if letter == number[position]:
        return
    mistyped = number[:position] + letter + number[position + 1 :]
    before, after = _container_remainder(number), _container_remainder(mistyped)
    hidden = before == after or {before, after} == {0, 10}
    values = ISO_6346_LETTERS
    assert (before == after) is ((values[letter] - values[number[position]]) % 11 == 0)
    assert _rejects(container_number, mistyped) is not hidden


def test_it_cannot_tell_a_from_k_in_an_owner_code():
    # A is 10 and K is 21: 11 apart, so the sum modulo 11 does not change.
    assert container_number("MAEU1234567") == "MAEU1234567"
    assert container_number("MKEU1234567") == "MKEU1234567"


# Anything at all


@given(st.text())
def test_it_raises_only_validation_errors_for_any_text(text):
    for validator in VALIDATORS:
        _call(validator, text)


@given(st.binary().map(lambda raw: raw.decode("utf-8", errors="replace")))
def test_it_raises_only_validation_errors_for_any_bytes(text):
    for validator in VALIDATORS:
        _call(validator, text)


@given(st.text(alphabet="0123456789-  CSQUIMOcas.:\u0663\uff10", max_size=40))
def test_it_raises_only_validation_errors_for_near_misses(text):
    for validator in VALIDATORS:
        _call(validator, text)


@pytest.mark.parametrize("text", ["", "   ", None, "9" * 1_000_000, "\x00" * 100, "\ud800", "IMO " * 50_000, 9074729])
def test_it_raises_only_validation_errors_for_odd_input(text):
    for validator in VALIDATORS:
        _call(validator, text)


def test_it_accepts_a_number_given_as_an_integer():
    assert imo_number(9074729) == "9074729"  # type: ignore[arg-type]


def _call(validator, text) -> None:
    try:
        result = validator(text)
    except ValidationError as error:
        assert error.messages
    else:
        assert isinstance(result, str)
        assert result == validator(result)


def _change_digit(number: str, position: int, change: int) -> str:
    digit = (int(number[position]) + change) % 10
    return number[:position] + str(digit) + number[position + 1 :]


def _container_remainder(number: str) -> int:
    """The sum modulo 11 of ISO 6346, from the standard's own letter table (not the module's)."""
    values = {**ISO_6346_LETTERS, **{digit: int(digit) for digit in string.digits}}
    return sum(values[char] * 2**i for i, char in enumerate(number[:10])) % 11
