"""A date field holds an ISO date in every language (environet/formats): a browser takes nothing else as the
value of an ``<input type="date">``, and shows the field empty otherwise."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from conftest import signed_in

LANGUAGES = ["en", "fr", "es"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_field_is_written_in_iso(language):
    class Dated(forms.Form):
        on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override(language):
        assert 'value="2026-12-07"' in str(Dated(initial={"on": date(2026, 12, 7)})["on"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_field_still_reads_the_languages_own_way_of_writing_dates(language):
    class Dated(forms.Form):
        on = forms.DateField()

    written = {"en": "2026-12-07", "fr": "07/12/2026", "es": "07/12/2026"}[language]
    with translation.override(language):
        for value in ("2026-12-07", written):
            form = Dated(data={"on": value})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["on"] == date(2026, 12, 7)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_seizures_date_is_in_its_field_when_changed_in_french_or_spanish(cast, language):
    from seizures.tests.builders import file

    record = file(cast.member)  # seized on 1 October 2026
    cast.member.language = language
    cast.member.save(update_fields=["language"])
    page = signed_in(cast.member).get(f"/seizures/{record.pk}/edit/")
    assert page.status_code == 200
    assert 'name="occurred_on" value="2026-10-01"' in page.content.decode()
