"""Countries as officers write them (accounts.places.country_code / countries_in): codes, names in English,
French and Spanish, the UN's and ISO's long forms, either apostrophe, usual abbreviations."""

import csv

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts import places


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Viêt Nam", "VN"),
        ("Côte d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("COTE D'IVOIRE", "CI"),
        ("Ivory Coast", "CI"),
        ("Lao People's Democratic Republic", "LA"),
        ("Laos", "LA"),
        ("Hong Kong SAR, China", "HK"),
        ("China, Hong Kong SAR", "HK"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("Estados Unidos", "US"),
        ("EE.UU.", "US"),
        ("États-Unis", "US"),
        ("UAE", "AE"),
        ("Emiratos Árabes Unidos", "AE"),
        ("DRC", "CD"),
        ("RDC", "CD"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo", "CG"),
        ("UK", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Republic of Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("United Republic of Tanzania", "TZ"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Kenia", "KE"),
        ("Brésil", "BR"),
        ("KEN", "KE"),
        ("ke", "KE"),
        (" Kenya ", "KE"),
        ("The Gambia", "GM"),
        ("European Union", "EU"),
    ],
)
def test_a_country_as_written_is_understood(written, code):
    assert places.country_code(written) == code


@pytest.mark.parametrize("written", ["", "   ", "Xyzland", "Atlantis", "N/A"])
def test_what_is_not_a_country_is_none(written):
    assert places.country_code(written) is None


def test_every_alias_names_a_known_country_and_its_source():
    with places.ALIASES_FILE.open(encoding="utf-8", newline="") as aliases:
        rows = list(csv.DictReader(aliases))
    assert rows
    known = set(places.country_codes())
    for row in rows:
        assert row["code"] in known, row
        assert row["source"].strip(), row
        assert places.country_code(row["alias"]) == row["code"], row


def test_every_iso_name_finds_its_code():
    for country in pycountry.countries:
        assert places.country_code(country.name) == country.alpha_2, country.name
        assert places.country_code(country.alpha_3) == country.alpha_2


def test_a_list_of_countries_keeps_names_that_hold_a_comma():
    codes, unknown = places.countries_in("Kenya; Hong Kong SAR, China, Viet Nam\nKorea, Republic of, Atlantis")
    assert codes == ["KE", "HK", "VN", "KR"]
    assert unknown == ["Atlantis"]


@given(st.text(max_size=60))
def test_no_text_breaks_the_lookup(text):
    code = places.country_code(text)
    assert code is None or code in places.country_codes()
    codes, _unknown = places.countries_in(text)
    assert all(code in places.country_codes() for code in codes)
