"""A taxon the reference tables do not list at all is kept as written and flagged for review, on the form and in
an import; a name spelt nearly like a listed one is still refused with the listed name (issue 11; on the form that
refusal is shown by test_bad_input)."""

import html

import pytest

from conftest import signed_in
from seizures.forms import scientific_name
from seizures.models import CommodityLine, ImportJob, Seizure
from seizures.tests.builders import post_record, record_id
from seizures.tests.test_import import VALID, csv_file, run_job, table

pytestmark = pytest.mark.django_db

FLAG = "Not in the reference tables: kept as written, for review"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Python regius", "Python regius"),  # listed under Pythonidae spp., a family the tables cannot place it in
        ("agapornis  FISCHERI", "Agapornis fischeri"),
        ("Dendrobium spp.", "Dendrobium spp."),
        ("Panthera tigris altaica", "Panthera tigris altaica"),  # a subspecies falls back to its listed species
    ],
)
def test_a_scientific_name_is_written_as_one(written, kept):
    assert scientific_name(written) == kept


@pytest.mark.parametrize("written", ["A1010", "12 kg", "ivory!", "<b>tusks</b>", "Python regius Linnaeus 1758", "x"])
def test_what_is_not_a_scientific_name_is_not_taken_for_one(written):
    assert scientific_name(written) == ""


def test_the_form_keeps_an_unlisted_taxon_and_the_record_flags_it(cast):
    response = post_record(cast.member, lines=[{"convention": "cites", "code": "python  regius"}])
    seizure = Seizure.objects.get(pk=record_id(response))
    line = seizure.lines.get()
    assert (line.code, line.reference_version) == ("Python regius", "")
    page = html.unescape(signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode())
    assert "Python regius" in page
    assert FLAG in page


def test_a_listed_taxon_is_not_flagged(cast):
    response = post_record(cast.member, lines=[{"convention": "cites", "code": "Manis javanica"}])
    page = html.unescape(signed_in(cast.member).get(f"/seizures/{record_id(response)}/").content.decode())
    assert "CITES Appendix I" in page
    assert FLAG not in page


def test_an_import_keeps_an_unlisted_taxon_and_still_refuses_a_slip(cast):
    job = run_job(cast.member, csv_file(table([{"code": "Python regius"}])))
    assert job.state == ImportJob.State.DONE, job.problems
    assert CommodityLine.objects.filter(code="Python regius", reference_version="").count() == 1

    refused = run_job(cast.member, csv_file(table([{**VALID, "code": "Loxodonta africanus"}])))
    assert refused.state != ImportJob.State.DONE
    assert any("Loxodonta africana" in problem["message"] for problem in refused.problems)
