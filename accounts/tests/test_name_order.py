"""Lists of countries and languages in the reader's alphabetical order: an accented letter sorts with its
plain letter ("Bénin" before "Burundi"), not after "z" as a plain sort of the names would put it."""

import pytest
from django.utils import translation

from accounts import places


def _names(choices: list[tuple[str, str]]) -> list[str]:
    return [name for _code, name in choices]


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [
        ("fr", "Bénin", "Burundi"),
        ("fr", "Brésil", "Brunei"),
        ("es", "Bélgica", "Bután"),
        ("es", "Antártida", "Antigua y Barbuda"),
    ],
)
def test_it_lists_countries_with_accented_names_among_the_others(language, before, after):
    with translation.override(language):
        names = _names(places.country_choices())
    assert names.index(before) < names.index(after)


@pytest.mark.parametrize(("language", "before", "after"), [("fr", "éwé", "grec"), ("es", "árabe", "búlgaro")])
def test_it_lists_languages_with_accented_names_among_the_others(language, before, after):
    with translation.override(language):
        names = _names(places.language_choices())
    assert names.index(before) < names.index(after)


def test_the_order_ignores_accents_and_case_only():
    assert places.by_name("Émirats arabes unis") == places.by_name("emirats arabes unis")
    assert sorted(["Zambie", "Égypte", "Allemagne"], key=places.by_name) == ["Allemagne", "Égypte", "Zambie"]
