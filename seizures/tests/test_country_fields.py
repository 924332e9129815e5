"""The record form's country fields (issue 12, page weight): text fields that suggest names from one list on
the page, instead of five <select>s of 250 countries each; a name in the reader's language or a code is
saved as the code.

The officer is Mohamed (member, KRA, Kenya)."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from accounts import places
from conftest import signed_in
from seizures import nominal
from seizures.forms import NominalForm, SeizureForm
from seizures.models import NominalEntry, Seizure
from seizures.tests.builders import NEW_RECORD, post_record, record_id

pytestmark = pytest.mark.django_db

COUNTRY_FIELDS = ("country", "origin_country", "export_country", "destination_country", "involved-0-nationality")


@pytest.fixture(autouse=True)
def attachments_dir(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def test_the_form_lists_the_country_names_once_for_every_country_field(cast):
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    for name in COUNTRY_FIELDS:
        assert f'<select name="{name}"' not in page
        [field] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert 'list="country-names"' in field
    [names] = re.findall(r'<datalist id="country-names">(.*?)</datalist>', page, re.S)
    options = re.findall(r'<option value="([^"]*)">', names)
    assert len(options) == len(set(options)) > 200
    assert places.country_name("VN") in options
    # The officer's own country is already filled in, by its name.
    assert re.search(
        rf'<input[^>]*name="country" value="{places.country_name(cast.member.organisation.country)}"', page
    )


def test_a_country_typed_as_its_name_or_its_code_is_saved_as_its_code(cast):
    response = post_record(
        cast.member,
        country=places.country_name("KE"),
        origin_country="  tz ",
        destination_country=places.country_name("VN").upper(),
        involved=[{"name": "Bravo Quixote", "nationality": places.country_name("FR")}],
    )
    seizure = Seizure.objects.get(pk=record_id(response))
    assert (seizure.country, seizure.origin_country, seizure.destination_country) == ("KE", "TZ", "VN")
    assert nominal.unseal(NominalEntry.objects.get(seizure=seizure)).nationality == "FR"


def test_a_name_in_the_readers_language_is_understood():
    with translation.override("fr"):
        form = SeizureForm()
        french = places.country_name("VN")
        widget = form.fields["destination_country"].widget
        assert widget.value_from_datadict({"destination_country": french}, {}, "destination_country") == "VN"
        entry = NominalForm(data={"kind": "person", "role": "suspect", "nationality": places.country_name("DE")})
        assert entry.is_valid(), entry.errors
        assert entry.cleaned_data["nationality"] == "DE"


def test_a_name_that_is_no_country_is_refused_and_shown_back(cast):
    response = post_record(cast.member, origin_country="Atlantis")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_origin_country"' in page
    [field] = re.findall(r'<input[^>]*name="origin_country"[^>]*>', page)
    assert 'value="Atlantis"' in field and 'aria-invalid="true"' in field
    assert not Seizure.objects.exists()


def test_the_edit_page_shows_the_saved_countries_by_name(cast):
    seizure = Seizure.objects.get(pk=record_id(post_record(cast.member, destination_country="VN")))
    page = signed_in(cast.member).get(f"/seizures/{seizure.pk}/edit/").content.decode()
    [field] = re.findall(r'<input[^>]*name="destination_country"[^>]*>', page)
    assert f'value="{places.country_name("VN")}"' in field


def test_the_country_names_are_suggested_in_the_readers_alphabetical_order(cast):
    cast.member.language = "fr"
    cast.member.save(update_fields=["language"])
    page = signed_in(cast.member).get(NEW_RECORD).content.decode()
    [names] = re.findall(r'<datalist id="country-names">(.*?)</datalist>', page, re.S)
    options = re.findall(r'<option value="([^"]*)">', names)
    assert options.index("Bénin") < options.index("Burundi")


@pytest.mark.parametrize("typed", ["Kenya", "Kenia", "KE", "kenya ", "Republic of Kenya"])
def test_a_country_is_taken_as_the_import_takes_it_whatever_the_readers_language(typed):
    with translation.override("es"):
        form = SeizureForm({"country": typed})
        form.is_valid()

    assert "country" not in form.errors and form.cleaned_data["country"] == "KE"


def test_a_refused_country_says_what_is_accepted():
    expected = (
        "Escriba el nombre de un país en inglés, francés o español, o su código de dos letras, por ejemplo Kenya o KE."
    )
    with translation.override("es"):
        form = SeizureForm({"country": "Narnia", "origin_country": "Atlantis"})
        form.is_valid()

        assert form.errors["country"] == [expected] and form.errors["origin_country"] == [expected]
