"""Import cells as officers write them: countries by their names and usual forms, units by their usual words
(seizures.import_columns.unit_code; the alias list in reference/data/unit_aliases.csv)."""

import csv

import pytest

from reference import tables
from seizures import import_columns
from seizures.models import Seizure, Status
from seizures.tests.test_import import csv_file, run_job, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("kg", "KGM"),
        ("KGS", "KGM"),
        ("Kilos", "KGM"),
        ("kilogrammes", "KGM"),
        ("tonnes", "TNE"),
        ("t", "TNE"),
        ("pcs", "H87"),
        ("Pieces", "H87"),
        ("piezas", "H87"),
        ("No.", "NAR"),
        ("m3", "MTQ"),
        ("m³", "MTQ"),
        ("Litres", "LTR"),
        ("pairs", "PR"),
    ],
)
def test_a_unit_as_written_is_understood(written, code):
    assert import_columns.unit_code(written) == code
    assert import_columns.Vocabulary().value("unit", written) == code


def test_every_unit_alias_is_a_unit_of_the_table_with_its_source():
    known = {entry.code for entry in tables.table("units").entries}
    with import_columns.UNIT_ALIASES_FILE.open(encoding="utf-8", newline="") as aliases:
        for row in csv.DictReader(aliases):
            assert row["code"] in known, row
            assert row["source"].strip(), row


def test_an_unknown_unit_goes_to_the_form_as_written_which_refuses_it():
    assert import_columns.Vocabulary().value("unit", "bags") == "bags"


def test_rows_written_with_country_names_and_usual_units_import(cast):
    rows = [
        {"record": "A", "country": "Viet Nam", "quantity": "2100", "unit": "kgs", "origin_country": "Côte d’Ivoire"},
        {
            "record": "B",
            "country": "USA",
            "quantity": "12",
            "unit": "pcs",
            "transit_countries": "UAE; Hong Kong SAR, China",
        },
    ]
    job = run_job(cast.member, csv_file(table(rows)))
    assert job.problems == []
    first, second = Seizure.objects.filter(pk__in=job.created).order_by("pk")
    assert (first.country, first.origin_country, first.status) == ("VN", "CI", Status.DRAFT)
    assert first.lines.get().unit == "KGM"
    assert second.country == "US" and second.lines.get().unit == "H87"
    assert second.transits == ["AE", "HK"]
