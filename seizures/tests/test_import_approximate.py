"""Approximate quantities (seizures.estimates): "approx. 300", "environ 300", "aprox. 300", "~300" are kept as the
number with the line's ``approximate`` flag, ticked on the record form, shown as "about 300 kg", exported in the
column ``approximate`` and imported back; a range or an open bound ("200-300", "300+") is refused saying to give one
number marked approximate."""

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from conftest import signed_in
from seizures import estimates
from seizures.models import CommodityLine, Seizure
from seizures.tests import builders
from seizures.tests.test_api_writes import LIST, _body, _send, _token
from seizures.tests.test_import import csv_file, run_job, table
from seizures.tests.test_import_words import _exported

pytestmark = pytest.mark.django_db

ACCEPTED = [
    # English (and Latin)
    "approx. 300",
    "approx 300",
    "Approx.300",
    "approximately 300",
    "about 300",
    "around 300",
    "circa 300",
    "ca. 300",
    "ca 300",
    "c. 300",
    "~300",
    "~ 300",
    "≈ 300",
    "±300",
    "+/- 300",
    "300 approx",
    "300 approx.",
    "300 (approx.)",
    # French
    "environ 300",
    "Environ 300",
    "env. 300",
    "approximativement 300",
    "à peu près 300",
    "300 environ",
    # Spanish
    "aprox. 300",
    "aprox 300",
    "aproximadamente 300",
    "alrededor de 300",
    "cerca de 300",
    "300 aprox.",
    "300 aproximadamente",
]
RANGES = [
    "200-300",
    "200 – 300",
    "200 to 300",
    "entre 200 et 300",
    "de 200 a 300",
    "entre 200 y 300",
    "approx. 200-300",
]
OPEN = ["300+", "> 300", "more than 300", "at least 300", "plus de 300", "más de 300"]


def quantity_rows(cells: list[str], **extra: str) -> list[list[Any]]:
    """One record per quantity cell (in kg)."""
    return table(
        [{"record": str(number), "quantity": cell, "unit": "kg", **extra} for number, cell in enumerate(cells)]
    )


def made_lines(job) -> list[CommodityLine]:
    return list(CommodityLine.objects.filter(seizure_id__in=job.created).order_by("seizure_id"))


@pytest.mark.parametrize("written", ACCEPTED)
def test_an_approximate_quantity_is_read_as_its_number(written):
    assert estimates.read(written) == ("300", True)
    assert estimates.refusal(written) is None


@pytest.mark.parametrize("written", ["300", "300.5", "0"])
def test_an_exact_quantity_is_not_approximate(written):
    assert estimates.read(written) == (written, False)


@pytest.mark.parametrize("written", ["300", "300 kg", "3OO", "approx.", "approx. three hundred"])
def test_no_range_and_no_bound_is_not_an_approximate_number(written):
    number, approximate = estimates.read(written)
    assert not approximate or number != "300"
    assert estimates.refusal(written) is None


def test_every_approximate_form_imports_as_its_number_flagged(cast):
    job = run_job(cast.member, csv_file(quantity_rows([*ACCEPTED, "300"])))

    assert job.problems == [], job.problems
    lines = made_lines(job)
    assert [line.quantity for line in lines] == [Decimal(300)] * (len(ACCEPTED) + 1)
    assert [line.approximate for line in lines] == [True] * len(ACCEPTED) + [False]


@pytest.mark.parametrize("written", RANGES)
def test_a_range_is_refused_saying_to_give_one_number_marked_approximate(cast, written):
    job = run_job(cast.member, csv_file(quantity_rows([written])))

    assert job.created == []
    [problem] = job.problems
    assert (problem["row"], problem["column"]) == (2, "quantity")
    assert problem["message"] == (
        f"“{written}” is a range: give one number and tick “approximate” (in a spreadsheet, write “approx.” before "
        "the number)."
    )


@pytest.mark.parametrize("written", OPEN)
def test_an_open_bound_is_refused_saying_to_give_one_number(cast, written):
    job = run_job(cast.member, csv_file(quantity_rows([written])))

    assert job.created == []
    [problem] = job.problems
    assert problem["column"] == "quantity"
    assert problem["message"].startswith(
        f"“{written}” is not one number: give the number seized and tick “approximate”"
    )


def test_other_text_is_refused_as_before(cast):
    job = run_job(cast.member, csv_file(quantity_rows(["300 kg"])))
    assert [(problem["column"], problem["message"]) for problem in job.problems] == [("quantity", "Enter a number.")]


@pytest.mark.parametrize(
    ("written", "approximate"),
    [
        *[("yes", True), ("Oui", True), ("sí", True), ("x", True), ("TRUE", True)],
        *[("", False), ("no", False), ("non", False), ("FALSE", False), ("0", False)],
    ],
)
def test_the_approximate_column_says_yes_or_no(cast, written, approximate):
    job = run_job(cast.member, csv_file(quantity_rows(["300"], approximate=written)))
    assert job.problems == [], job.problems
    assert [line.approximate for line in made_lines(job)] == [approximate]


def test_a_quantity_written_as_approximate_is_approximate_whatever_the_column_says(cast):
    job = run_job(cast.member, csv_file(quantity_rows(["approx. 300"], approximate="no")))
    assert [line.approximate for line in made_lines(job)] == [True]


def test_words_the_approximate_column_cannot_hold_are_refused(cast):
    job = run_job(cast.member, csv_file(quantity_rows(["approx. 300"], approximate="maybe")))
    assert job.created == []
    assert [(problem["column"], problem["message"]) for problem in job.problems] == [
        ("approximate", "Write yes when the quantity is approximate, or leave it empty when it is exact.")
    ]


def test_approximate_without_a_quantity_is_refused(cast):
    job = run_job(cast.member, csv_file(table([{"approximate": "yes"}])))
    assert [(problem["column"], problem["message"]) for problem in job.problems] == [
        ("approximate", "Give the approximate quantity, or leave “approximate” unticked.")
    ]


# --- Export and back ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_keeps_approximate_and_imports_it_back(cast, kind):
    builders.file(
        cast.member,
        lines=[
            builders.line(quantity=Decimal(300), unit="KGM", approximate=True),
            builders.line("cites", "Manis gigantea", quantity=Decimal(40), unit="KGM"),
        ],
    )
    before = set(Seizure.objects.values_list("pk", flat=True))
    content = _exported(cast.member, kind)
    if kind == "csv":
        rows = list(csv_rows(content))
    else:
        rows = [
            list(row) for row in openpyxl.load_workbook(io.BytesIO(content)).worksheets[-1].iter_rows(values_only=True)
        ]
    header = rows[1]
    column = header.index("approximate")
    assert header[header.index("quantity") + 1] == "approximate"
    assert [row[column] or "" for row in rows[2:]] == ["yes", ""]

    job = run_job(cast.member, content)

    assert job.problems == [], job.problems
    [imported] = Seizure.objects.exclude(pk__in=before)
    assert [(line.code, line.quantity, line.approximate) for line in imported.lines.order_by("position")] == [
        ("Loxodonta africana", Decimal(300), True),
        ("Manis gigantea", Decimal(40), False),
    ]


def csv_rows(content: bytes):
    return csv.reader(io.StringIO(content.decode("utf-8-sig")))


# --- The record form, the record, the list, the API ---------------------------------------------------------------


def test_the_record_form_has_an_approximate_checkbox_that_is_saved(cast):
    page = signed_in(cast.member).get(builders.NEW_RECORD).content.decode()
    assert 'type="checkbox" name="lines-0-approximate"' in page

    response = builders.post_record(
        cast.member, lines=[{"convention": "cites", "code": "Loxodonta africana", "quantity": "300", "unit": "KGM",
                             "approximate": "on"}],
    )  # fmt: skip

    seizure = Seizure.objects.get(pk=builders.record_id(response))
    [line] = seizure.lines.all()
    assert line.quantity == Decimal(300) and line.approximate is True
    edit = signed_in(cast.member).get(f"/seizures/{seizure.pk}/edit/").content.decode()
    [checkbox] = re.findall(r'<input type="checkbox" name="lines-0-approximate"[^>]*>', edit)
    assert " checked" in checkbox


def test_the_record_form_refuses_a_range_and_approximate_without_a_quantity(cast):
    response = builders.post_record(
        cast.member,
        lines=[
            {"convention": "cites", "code": "Loxodonta africana", "quantity": "200-300", "unit": "KGM"},
            {"convention": "cites", "code": "Manis gigantea", "approximate": "on"},
        ],
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“200-300” is a range: give one number and tick “approximate”" in page
    assert "Give the approximate quantity, or leave “approximate” unticked." in page


def test_the_record_and_the_list_say_about(cast):
    seizure = builders.file(
        cast.member, lines=[builders.line(quantity=Decimal(300), unit="KGM", approximate=True)], share=True
    )
    record = signed_in(cast.member).get(f"/seizures/{seizure.pk}/").content.decode()
    assert "about 300 kg" in record
    listing = signed_in(cast.member).get("/seizures/").content.decode()
    assert "about 300 kg" in listing
    exact = builders.file(cast.member, lines=[builders.line(quantity=Decimal(12), unit="KGM")])
    assert "about" not in _quantity_cell(signed_in(cast.member).get(f"/seizures/{exact.pk}/").content.decode())


def _quantity_cell(page: str) -> str:
    start = page.index("12 kg")
    return page[start - 40 : start + 10]


def test_the_api_gives_and_takes_approximate(cast):
    token = _token(cast.member)
    line = {"convention": "cites", "code": "Loxodonta africana", "quantity": "300", "unit": "KGM", "approximate": True}
    created = _send(token, "post", LIST, _body(lines=[line]))
    assert created.status_code == 201, created.content

    read = _send(token, "get", f"{LIST}{created.json()['id']}")

    assert [(line["quantity"], line["approximate"]) for line in read.json()["lines"]] == [("300.000", True)]
    refused = _send(token, "post", LIST, _body(lines=[{**line, "approximate": "maybe"}]))
    assert refused.status_code == 422
    assert [(problem["row"], problem["column"]) for problem in refused.json()["problems"]] == [(1, "approximate")]
    schema = signed_in(cast.administrator).get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["LineOut"]["properties"]["approximate"]["type"] == "boolean"
    assert "approximate" in schema["components"]["schemas"]["LineOut"]["required"]
    assert json.dumps(schema).count("approximate") >= 1
