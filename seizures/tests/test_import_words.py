"""Import cells as officers write them: countries by their names and usual forms, units by their usual words
(seizures.import_columns.unit_code; the alias list in seizures/data/unit_aliases.csv)."""

import contextlib
import csv
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import signed_in
from reference import tables
from seizures import import_columns, spreadsheets
from seizures.models import Seizure, Status
from seizures.tests import builders
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


def test_a_table_laid_out_as_officers_keep_it_imports(cast):
    # A title, an instruction, a blank row, the table's own headers (in French and English), country names,
    # usual units, then a TOTAL row and who prepared it: all as such files are filled.
    cells = [
        ["Rapport annuel sur le commerce illégal 2025 — Kenya"],
        ["Please fill one row per specimen seized. Do not change the headers."],
        [],
        ["Date de saisie", "Pays", "Convention", "Espèce", "Quantité", "Unit of measure", "Country of origin"],
        ["2025-03-14", "Kenya", "cites", "Loxodonta africana", "120", "kgs", "Tanzania"],
        ["2025-06-02", "Kenia", "cites", "Manis gigantea", "2100", "kg", "Cameroun"],
        ["TOTAL", "", "", "", "2220", "", ""],
        ["Prepared by: Wildlife desk, 2026-01-10"],
    ]
    job = run_job(cast.member, csv_file(cells))
    assert job.problems == [], job.problems
    first, second = Seizure.objects.filter(pk__in=job.created).order_by("occurred_on")
    assert (first.country, first.origin_country) == ("KE", "TZ")
    assert first.lines.get().unit == "KGM" and second.lines.get().code == "Manis gigantea"
    assert second.origin_country == "CM"


def test_the_header_is_found_below_a_title_and_its_problems_name_its_row(cast):
    cells = [
        ["Seizures 2025"],
        [],
        ["Date of seizure", "Country", "Species", "Colour of the truck"],
        ["2025-03-14", "KE", "Loxodonta africana", "red"],
    ]
    job = run_job(cast.member, csv_file(cells))
    found = {(problem["row"], problem["column"]) for problem in job.problems}
    assert (3, "Colour of the truck") in found  # an unknown column, said at the header's own row
    assert (3, "convention") in found  # a missing one, too


@given(
    titles=st.lists(
        st.lists(st.text(alphabet="abcdefghij XYZ:—2025", min_size=0, max_size=30), min_size=0, max_size=3),
        max_size=8,
    ),
    header=st.permutations(["Date of seizure", "Pays", "Convention", "Espèce", "Quantity", "unit"]),
)
def test_the_header_is_found_whatever_is_above_it(titles, header):
    # Title, instruction and blank rows (of any width) above a header of known names in any order.
    titles = [row for row in titles if not {import_columns.column_for(cell) for cell in row} - {None}]
    cells = [*titles, list(header), ["2025-03-14", "KE", "cites", "Loxodonta africana", "1", "kg"]]
    sheet = spreadsheets.read(csv_file(cells), columns=import_columns.COLUMNS, recognise=import_columns.column_for)
    assert sheet.header == tuple(header)
    assert sheet.header_row == len(titles) + 1
    assert [row.number for row in sheet.rows] == [len(titles) + 2]


@given(st.lists(st.lists(st.text(max_size=12), max_size=5), max_size=12))
def test_no_table_breaks_the_reader(cells):
    with contextlib.suppress(spreadsheets.Unreadable):
        spreadsheets.read(csv_file(cells), columns=import_columns.COLUMNS, recognise=import_columns.column_for)


def test_a_refused_choice_says_what_is_accepted(cast):
    job = run_job(cast.member, csv_file(table([{"transport_mode": "By donkey", "origin_country": "Atlantis"}])))
    said = {problem["column"]: problem["message"] for problem in job.problems}
    assert "Accepted:" in said["transport_mode"] and "Air cargo" in said["transport_mode"]
    assert "two-letter code, e.g. Kenya or KE" in said["origin_country"]
    assert not Seizure.objects.exists()


# --- The platform's own export imports back -----------------------------------------------------------------


def _exported(person, kind: str) -> bytes:
    response = signed_in(person).get("/seizures/export/", {"format": kind})
    assert response.status_code == 200
    return response.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_back_into_the_same_records(cast, kind):
    builders.file(
        cast.member,
        country="KE",
        lines=[
            builders.line(quantity="120", unit="KGM", specimen_type="TUS"),
            builders.line("cites", "Manis gigantea", quantity="2100", unit="KGM", specimen_type="SCA"),
        ],
    )
    builders.file(cast.member, country="CM", lines=[builders.line("basel", "Y46")])
    before = {seizure.pk for seizure in Seizure.objects.all()}
    job = run_job(cast.member, _exported(cast.member, kind))
    assert job.problems == [], job.problems
    imported = Seizure.objects.exclude(pk__in=before).order_by("pk")
    originals = Seizure.objects.filter(pk__in=before).order_by("pk")

    def shape(seizure):
        lines = [(line.convention, line.code, line.quantity, line.unit) for line in seizure.lines.order_by("pk")]
        return (seizure.occurred_on, seizure.country, seizure.destination_country, lines)

    assert sorted(map(shape, imported), key=str) == sorted(map(shape, originals), key=str)


# Text a spreadsheet program would run as a formula, a phone number among it, and text that starts with an
# apostrophe: the CSV export escapes the first kinds with an apostrophe, which the import must take away.
TEXT_LIKE_FORMULAS: dict[str, Any] = {
    "place": "+254 722 000 000",
    "summary": "+cmd|/c calc!A1",
    "vessel_name": "@SUM(A1)",
    "sanction": "-1+2",
    "legal_basis": "=HYPERLINK(1)",
    "concealment_details": "'+already quoted",
    "declared_goods": "'t Hooft's crates",
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_text_like_a_formula_imports_back_as_it_was_exported(cast, kind):
    builders.file(cast.member, **TEXT_LIKE_FORMULAS)
    before = {seizure.pk for seizure in Seizure.objects.all()}

    job = run_job(cast.member, _exported(cast.member, kind))

    assert job.problems == [], job.problems
    imported = Seizure.objects.exclude(pk__in=before).get()
    assert {name: getattr(imported, name) for name in TEXT_LIKE_FORMULAS} == TEXT_LIKE_FORMULAS


def test_an_apostrophe_not_before_a_formula_is_kept_in_a_csv_file(cast):
    cells = table([{"place": "'Mombasa' quay", "summary": "'", "vessel_name": "+Kept"}])
    cells[1][cells[0].index("vessel_name")] = "'+Kept"  # as our export writes "+Kept"

    job = run_job(cast.member, csv_file(cells))

    assert job.problems == [], job.problems
    imported = Seizure.objects.get()
    assert (imported.place, imported.summary, imported.vessel_name) == ("'Mombasa' quay", "'", "+Kept")


def test_rows_exported_under_a_stricter_marking_are_not_imported_under_a_lower_one(cast):
    builders.file(cast.member, marking="amber", audience="organisations", organisations=[cast.member.organisation])
    job = run_job(cast.member, _exported(cast.member, "csv"), marking="green")
    assert [(problem["column"], "TLP:AMBER" in problem["message"]) for problem in job.problems] == [("marking", True)]
    assert job.created == []
    again = run_job(cast.member, _exported(cast.member, "csv"), marking="amber", audience="organisations",
                    organisations=[cast.member.organisation.pk])  # fmt: skip
    assert again.problems == [], again.problems


def test_a_word_looked_up_once_for_the_file_reads_as_looked_up_afresh():
    # Vocabulary.value keeps what it looked up for the rest of the file, and passes free text by: each cell must
    # read as a new lookup (Vocabulary._value) reads it, the first time and every time after.
    columns = [*import_columns.RECORD_COLUMNS, *import_columns.LINE_COLUMNS]
    texts = [
        *("KE", "Kenya", " kenya ", "Côte d’Ivoire", "Viet Nam", "Narnia"),
        *("sea", "Sea", "AIR_CARGO", "Mode unknown", "cites", "CITES", "basel"),
        *("kg", "KGM", "kilogram", "Pieces", "bags", "USD", "Loxodonta africana", "Mombasa port", "", "  "),
    ]
    kept, afresh = import_columns.Vocabulary(), import_columns.Vocabulary()
    for _twice in range(2):
        for column in columns:
            for text in texts:
                expected = afresh._value(column, text.strip()) if text.strip() else ""
                assert kept.value(column, text) == expected, (column, text)
    assert kept._looked_up  # what is kept is used the second time round
