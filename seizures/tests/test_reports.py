"""A Party's treaty reports: which records go in, what the spreadsheets hold, who may generate them."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from accounts.models import Organisation
from audit.models import Entry
from conftest import make_person, signed_in
from seizures import actions
from seizures.models import Seizure, StatusChange
from seizures.reports import CITES_HEADER_ROW, TABLE9_HEADER_ROW
from seizures.tests.builders import company, file, line, person

pytestmark = pytest.mark.django_db

YEAR = 2025
SEIZED = date(YEAR, 3, 14)
CITES_URL = f"/seizures/reports/cites/?country=KE&year={YEAR}"
BASEL_URL = f"/seizures/reports/basel/?country=KE&year={YEAR}"
CITES_HEADERS = [
    "Seizure reference",
    "Date of seizure (dd/mm/yyyy)",
    "Detecting agency",
    "Location of incident",
    "Species",
    "Description of specimen",
    "Quantity",
    "Unit",
    "Reason for seizure",
    "Method of detection",
    "Mode of transport",
    "Method of concealment",
    "Alleged country of origin",
    "Country(ies) of transit",
    "Alleged final destination",
    "Law under which charges were brought",
    "Sanction / outcome",
    "Disposal of confiscated specimens",
    "Estimated value in country (amount and currency)",
    "Nationality of offenders",
    "Additional information",
]


def ivory(officer, **fields) -> Seizure:
    """A shared CITES record of the year: tusks in tonnes and pangolin scales by the piece."""
    tusks = {
        "specimen_type": "TUS",
        "quantity": Decimal("2.5"),
        "unit": "TNE",
        "value": Decimal(12500),
        "currency": "USD",
    }
    scales = {"specimen_type": "SCA", "quantity": Decimal(40), "unit": "H87"}
    lines = [line("cites", "Loxodonta africana", **tusks), line("cites", "Manis javanica", **scales)]
    facts: dict[str, Any] = {
        "occurred_on": SEIZED,
        "place": "Mombasa port",
        "transport_mode": "sea",
        "detection_method": "scanner",
        "origin_country": "KE",
        "transit_countries": ["AE"],
        "destination_country": "VN",
        "summary": "Tusks hidden in a container of tea.",
    }
    return file(officer, share=True, lines=lines, **(facts | fields))


def plastics(officer, **fields) -> Seizure:
    """A shared Basel record of the year: plastic waste in kg, without notification, taken back."""
    facts: dict[str, Any] = {
        "occurred_on": SEIZED,
        "lines": [line("basel", "Y48", quantity=Decimal(12000), unit="KGM", description="Shredded plastic")],
        "export_country": "KE",
        "destination_country": "MY",
        "traffic_types": ["a", "d"],
        "disposal": "taken_back",
        "sanction": "Fine of 5 000 USD",
    }
    return file(officer, share=True, **(facts | fields))


def closed(seizure: Seizure, person, on: date) -> Seizure:
    actions.close_seizure(request=None, person=person, seizure=seizure)
    StatusChange.objects.filter(seizure=seizure, status="closed").update(
        at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    )
    return seizure


def workbook(response) -> Workbook:
    assert response.status_code == 200, response.content[:500]
    return load_workbook(io.BytesIO(response.content))


def table(sheet, header_row: int) -> list[dict]:
    headers = [cell.value for cell in sheet[header_row]]
    return [
        dict(zip(headers, [cell.value for cell in row], strict=True))
        for row in sheet.iter_rows(min_row=header_row + 1)
        if any(cell.value is not None for cell in row)
    ]


def every_value(book: Workbook) -> str:
    return "\n".join(str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


def form_values(sheet) -> dict[str, object]:
    """Label (column A) -> value (column B) of a vertical form sheet."""
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2, max_col=2) if row[0].value}


# --- CITES -------------------------------------------------------------------------------------------------


def test_it_writes_the_cites_headers_in_order_under_the_header_block(cast):
    ivory(cast.member)
    sheet = workbook(signed_in(cast.member).get(CITES_URL + "&iccwc=no"))["Illegal trade report"]

    assert [cell.value for cell in sheet[CITES_HEADER_ROW]] == CITES_HEADERS
    assert sheet["A2"].value == "CITES ANNUAL ILLEGAL TRADE REPORT"
    block = {sheet.cell(row, 1).value: sheet.cell(row, 2).value for row in range(4, CITES_HEADER_ROW - 1)}
    assert block["Party:"] == "Kenya"
    assert block["Year of report:"] == YEAR
    assert block["Agency responsible for preparing the report:"] == "Kenya Revenue Authority"
    assert block["Contributing agencies:"] == "Kenya Revenue Authority"
    assert block["Data in this report may be shared with ICCWC partners for research and analysis:"] == "No"
    assert sheet.freeze_panes == f"A{CITES_HEADER_ROW + 1}"


def test_it_writes_one_row_per_cites_line_with_units_countries_and_values(cast):
    seizure = ivory(cast.member)
    rows = table(workbook(signed_in(cast.member).get(CITES_URL))["Illegal trade report"], CITES_HEADER_ROW)

    tusks, scales = rows
    assert [tusks["Seizure reference"], scales["Seizure reference"]] == [seizure.reference] * 2
    assert (tusks["Species"], tusks["Description of specimen"]) == ("Loxodonta africana", "tusks")
    assert (tusks["Quantity"], tusks["Unit"]) == (2500, "kg")  # tonnes become kg
    assert (scales["Quantity"], scales["Unit"]) == (40, "number of specimens")
    assert tusks["Estimated value in country (amount and currency)"] == "12 500 USD"
    assert tusks["Alleged country of origin"] == "Kenya (KE)"
    assert tusks["Country(ies) of transit"] == "United Arab Emirates (AE)"
    assert tusks["Alleged final destination"].endswith("(VN)")
    assert (tusks["Mode of transport"], tusks["Method of detection"]) == ("Sea (vessel)", "X-ray or scanner")
    assert "Law under which charges were brought" in tusks["Additional information"]


def test_it_writes_the_date_of_seizure_as_a_real_date(cast):
    ivory(cast.member)
    sheet = workbook(signed_in(cast.member).get(CITES_URL))["Illegal trade report"]

    cell = sheet.cell(CITES_HEADER_ROW + 1, 2)
    assert cell.value == datetime(YEAR, 3, 14)
    assert cell.number_format == "DD/MM/YYYY"


def test_it_writes_unknown_for_a_country_not_known(cast):
    ivory(cast.member, origin_country="XX", destination_country="")
    row = table(workbook(signed_in(cast.member).get(CITES_URL))["Illegal trade report"], CITES_HEADER_ROW)[0]

    assert (row["Alleged country of origin"], row["Alleged final destination"]) == ("Unknown", "Unknown")


def test_it_leaves_out_drafts_other_parties_other_years_and_other_conventions(cast):
    kept = ivory(cast.member)
    file(cast.member, lines=[line()], occurred_on=SEIZED)  # a draft
    ivory(cast.other_focal_point)  # France's
    ivory(cast.member, occurred_on=date(YEAR - 1, 12, 31))
    plastics(cast.member)

    rows = table(workbook(signed_in(cast.member).get(CITES_URL))["Illegal trade report"], CITES_HEADER_ROW)

    assert {row["Seizure reference"] for row in rows} == {kept.reference}


def test_it_leaves_out_records_the_person_may_not_read(cast):
    wildlife = Organisation.objects.create(name="Kenya Wildlife Service", kind="agency", country="KE")
    ranger = make_person("rose@kws.example", "Rose Ranger", wildlife)
    ivory(ranger, audience="organisations", organisations=[wildlife])
    shared = ivory(ranger)

    rows = table(workbook(signed_in(cast.member).get(CITES_URL))["Illegal trade report"], CITES_HEADER_ROW)

    assert {row["Seizure reference"] for row in rows} == {shared.reference}
    assert {row["Detecting agency"] for row in rows} == {"Kenya Wildlife Service"}


def test_it_never_writes_nominal_data(cast):
    involved = [company("Zebulon Marker", nationality="FR"), person("Albertine Quist", nationality="FR")]
    ivory(cast.member, involved=involved)
    plastics(cast.member, involved=involved)

    for url in (CITES_URL, BASEL_URL):
        text = every_value(workbook(signed_in(cast.member).get(url)))
        for nominal in ("Zebulon", "Marker", "Albertine", "Quist", "FR", "France", "French"):
            assert nominal not in text
    sheet = workbook(signed_in(cast.member).get(CITES_URL))["Illegal trade report"]
    assert all(row["Nationality of offenders"] is None for row in table(sheet, CITES_HEADER_ROW))


def test_it_marks_every_sheet_and_the_workbook_with_the_strictest_marking(cast):
    ivory(cast.member, marking="green")
    ivory(cast.member, marking="amber")

    book = workbook(signed_in(cast.member).get(CITES_URL))

    assert {sheet["A1"].value for sheet in book.worksheets} == {"TLP:AMBER"}
    assert book.properties.keywords == "TLP:AMBER"
    assert book.custom_doc_props["TLP"].value == "TLP:AMBER"


def test_it_offers_the_lists_in_a_hidden_sheet_without_refusing_other_text(cast):
    ivory(cast.member)
    book = workbook(signed_in(cast.member).get(CITES_URL))

    assert book["Lists"].sheet_state == "hidden"
    validations = book["Illegal trade report"].data_validations.dataValidation
    assert validations and all(rule.allow_blank and not rule.showErrorMessage for rule in validations)
    assert book["Additional information"]["A4"].value.startswith("Criminal prosecutions")


def test_it_produces_a_report_without_records(cast):
    response = signed_in(cast.member).get("/seizures/reports/cites/?country=KE&year=2020")

    assert response["Content-Disposition"] == 'attachment; filename="CITES-illegal-trade-report-KE-2020.xlsx"'
    assert table(workbook(response)["Illegal trade report"], CITES_HEADER_ROW) == []


# --- Basel -------------------------------------------------------------------------------------------------


def test_it_writes_one_form_per_basel_case_with_its_wastes_in_tonnes(cast):
    case = plastics(cast.member)
    ivory(cast.member)
    book = workbook(signed_in(cast.member).get(BASEL_URL))

    assert book.sheetnames == [f"Case {case.reference}", "Table 9", "Notes"]
    form = form_values(book[f"Case {case.reference}"])
    assert form["1.5 National reference number of the case"] == case.reference
    assert form["2.1 State of export"] == "Kenya (KE)"
    assert form["3.3 Annex I / II category (Y code)"] == "Y48"
    assert form["3.6 Quantity (tonnes) and volume (m³) if known"] == 12
    assert form["4.1 Date(s) of the transboundary movement / date of detection"] == datetime(YEAR, 3, 14)
    ticked = [label[:3] for label, value in form.items() if str(label).startswith("(") and value == "X"]
    assert ticked == ["(a)", "(d)"]
    assert form["7.1 Wastes taken back into the State of export (Art. 9(2))"] == "Yes"
    assert form["7.4 Penalties / sanctions imposed (Art. 9(5))"] == "Fine of 5 000 USD"
    assert form["Exporter / notifier (name, address)"] is None


def test_it_lists_in_table_9_only_the_cases_closed_in_the_year(cast):
    this_year = closed(plastics(cast.member, occurred_on=date(YEAR - 1, 6, 1)), cast.member, date(YEAR, 2, 1))
    closed(plastics(cast.member), cast.member, date(YEAR + 1, 1, 10))
    plastics(cast.member)  # still open

    book = workbook(signed_in(cast.member).get(BASEL_URL))
    rows = table(book["Table 9"], TABLE9_HEADER_ROW)

    assert book["Table 9"]["A2"].value == (
        "Table 9: Cases of illegal traffic which have been closed in the reporting year"
    )
    assert [row["National reference number of the case"] for row in rows] == [this_year.reference]
    assert rows[0]["Quantity (metric tonnes)"] == 12
    assert rows[0]["Type of illegal traffic (Article 9, paragraph 1 (a)–(e))"] == "a; d"
    assert (
        "closed on 01/02/2025"
        in rows[0]["How the case was dealt with / closed (take-back Art. 9(2); disposal Art. 9(3); Art. 9(4))"]
    )


# --- Who, the page, the audit ------------------------------------------------------------------------------


def test_it_lets_a_member_report_for_their_own_party_only(cast):
    client = signed_in(cast.member)

    assert client.get(CITES_URL).status_code == 200
    assert client.get(f"/seizures/reports/cites/?country=FR&year={YEAR}").status_code == 404
    assert client.get(f"/seizures/reports/?kind=cites&country=FR&year={YEAR}").status_code == 404


def test_it_answers_404_to_an_observer(cast):
    client = signed_in(cast.observer)

    assert client.get("/seizures/reports/").status_code == 404
    assert client.get(CITES_URL).status_code == 404


def test_it_lets_an_administrator_report_for_any_party(cast):
    client = signed_in(cast.administrator)

    assert client.get(CITES_URL).status_code == 200
    assert client.get(f"/seizures/reports/basel/?country=FR&year={YEAR}").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=KE&year=twenty", "Write the year as four digits"),
        ("country=KE&year=1900", "ENVIRONET holds no seizures before 1950"),
        ("country=KE&year=2999", "The year has not begun yet"),
        ("country=KE", "Choose the year the report covers."),
        (f"country=ZZ&year={YEAR}", "Choose a Party from the list."),
    ],
)
def test_it_answers_400_with_a_message_for_a_bad_query(cast, query, message):
    response = signed_in(cast.member).get(f"/seizures/reports/cites/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Entry.objects.filter(action="seizures.report_generated").exists()


def test_it_answers_404_for_an_unknown_report(cast):
    assert signed_in(cast.member).get(f"/seizures/reports/ozone/?country=KE&year={YEAR}").status_code == 404


def test_it_says_on_the_page_how_many_records_go_in(cast):
    ivory(cast.member)
    plastics(cast.member)

    page = signed_in(cast.member).get(f"/seizures/reports/?kind=cites&country=KE&year={YEAR}").content.decode()

    assert "1 record goes into this report." in page
    assert f"/seizures/reports/cites/?country=KE&amp;year={YEAR}" in page


def test_it_offers_the_persons_own_party_by_default(cast):
    page = signed_in(cast.member).get("/seizures/reports/").content.decode()

    assert '<option value="KE" selected>' in page
    assert 'value="FR"' not in page


def test_it_audits_each_report_generated(cast):
    ivory(cast.member)

    signed_in(cast.member).get(CITES_URL)

    entry = Entry.objects.get(action="seizures.report_generated")
    assert entry.actor == cast.member
    assert entry.changes == {"kind": "cites", "country": "KE", "year": YEAR, "records": 1}
