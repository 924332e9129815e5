"""A Party's treaty reports, written from its stored seizure records as Excel workbooks.

- The CITES annual illegal trade report: a header block, one row per CITES commodity line, a sheet of
  narrative questions with notes on how the report was made, and a hidden sheet of the lists the cells offer.
- The Basel Convention report: the form for reporting confirmed cases of illegal traffic (one sheet per case,
  one block per waste), and Table 9 of the national report (cases closed in the reporting year).

Pure: given the records (their organisation and commodity lines loaded), it returns the workbook's bytes and
reads nothing but the reference tables. Which records go in, and who may ask, is decided by the caller
(seizures/views/reports.py).

Every label written into a sheet is in English, whatever the language of the person who generates the report:
the reports are submitted in English. Nominal data (names, identifiers, addresses and nationalities of persons
and companies) never goes in: nothing here reads it, and the cells that would hold it stay empty with a note.
"""

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from messaging.models import Marking
from reference import tables
from seizures.forms import UNKNOWN_COUNTRY, country_label
from seizures.models import (
    CommodityLine,
    Concealment,
    Convention,
    DetectionMethod,
    Disposal,
    Reason,
    Seizure,
    TransportMode,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
UNKNOWN = "Unknown"
SUMMARY_LIMIT = 1000  # characters of a record's summary quoted in a remarks cell
VALIDATED_ROWS = 500  # empty rows below the data that still offer the lists, for rows the Party adds

# --- Handling marking --------------------------------------------------------------------------------------
# From the least to the most restrictive (Traffic Light Protocol 2.0).
MARKING_ORDER = (Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT, Marking.RED)
# TLP 2.0 colours: the label in its colour on black.
MARKING_COLOURS = {
    Marking.CLEAR: "FFFFFF",
    Marking.GREEN: "33FF00",
    Marking.AMBER: "FFC000",
    Marking.AMBER_STRICT: "FFC000",
    Marking.RED: "FF2B2B",
}
MARKING_NOTE = (
    "Handling: the most restrictive marking of the ENVIRONET records in this report. "
    "Prepared for the Party's own submission."
)

# --- CITES annual illegal trade report ---------------------------------------------------------------------
# Source: the standard format for the CITES annual illegal trade report (SC66, Annex 5 of SC66 Doc. 30.2) and
# its guidelines (SC69, revised at SC71, 2019). The column headers are those corroborated by copies of the
# template, completed in the guidelines' field order; the sheet names, the header block, the "Date of seizure",
# "Unit" and "Sanction / outcome" headers and the narrative questions are reconstructed and must be checked
# against the current Excel template. "Seizure reference" is ENVIRONET's own, so a Party can regroup the lines
# of one seizure.
CITES_SHEET = "Illegal trade report"
CITES_NARRATIVE_SHEET = "Additional information"
LISTS_SHEET = "Lists"
CITES_TITLE = "CITES ANNUAL ILLEGAL TRADE REPORT"
CITES_HEADER_BLOCK = (
    "Party:",
    "Year of report:",
    "Agency responsible for preparing the report:",
    "Contact person (name, position, e-mail, telephone):",
    "Contributing agencies:",
    "Data in this report may be shared with ICCWC partners for research and analysis:",
    "Date of submission:",
)
CITES_BLOCK_ROW = 4  # row 1 holds the marking, row 2 the title
CITES_HEADER_ROW = CITES_BLOCK_ROW + len(CITES_HEADER_BLOCK) + 1
REFERENCE = "Seizure reference"
SEIZED_ON = "Date of seizure (dd/mm/yyyy)"
AGENCY = "Detecting agency"
LOCATION = "Location of incident"
SPECIES = "Species"
SPECIMEN = "Description of specimen"
QUANTITY = "Quantity"
UNIT = "Unit"
REASON = "Reason for seizure"
DETECTION = "Method of detection"
TRANSPORT = "Mode of transport"
CONCEALMENT = "Method of concealment"
ORIGIN = "Alleged country of origin"
TRANSIT = "Country(ies) of transit"
DESTINATION = "Alleged final destination"
LAW = "Law under which charges were brought"
SANCTION = "Sanction / outcome"
DISPOSAL = "Disposal of confiscated specimens"
VALUE = "Estimated value in country (amount and currency)"
NATIONALITY = "Nationality of offenders"
ADDITIONAL = "Additional information"
CITES_COLUMNS = (
    *(REFERENCE, SEIZED_ON, AGENCY, LOCATION, SPECIES, SPECIMEN, QUANTITY, UNIT, REASON, DETECTION, TRANSPORT),
    *(CONCEALMENT, ORIGIN, TRANSIT, DESTINATION, LAW, SANCTION, DISPOSAL, VALUE, NATIONALITY, ADDITIONAL),
)
# Columns whose empty cell a row's "Additional information" explains. Not the transit countries (empty means
# none was recorded), nor the nationality of offenders (never filled here: see the notes sheet).
CITES_EXPLAINED = tuple(
    column for column in CITES_COLUMNS if column not in (REFERENCE, TRANSIT, NATIONALITY, ADDITIONAL)
)
CITES_WIDTHS = {REFERENCE: 45, SEIZED_ON: 14, LOCATION: 28, SPECIES: 26, SPECIMEN: 20, ADDITIONAL: 60}
CITES_NARRATIVE_QUESTIONS = (
    "Criminal prosecutions and other court actions in the year:",
    "Administrative measures and penalties imposed in the year:",
    "Significant cases or trends, and modus operandi observed:",
    "Any other information:",
)
NOMINAL_NOTE = (
    "ENVIRONET never puts nominal data (names, identifiers, addresses or nationalities of persons and companies) "
    "into a report it generates: add it from the Party's own files if it is to be reported."
)
# CITES annual-report units for the UNECE Recommendation 20 codes ENVIRONET stores, with the factor that turns
# the stored quantity into that unit (CITES has no tonnes: they become kg).
COUNT = "number of specimens"
CITES_UNITS: dict[str, tuple[str, Decimal]] = {
    "KGM": ("kg", Decimal(1)),
    "TNE": ("kg", Decimal(1000)),
    "LBR": ("kg", Decimal("0.45359237")),
    "GRM": ("g", Decimal(1)),
    "ONZ": ("g", Decimal("28.349523125")),
    "CTM": ("g", Decimal("0.2")),
    "MGM": ("mg", Decimal(1)),
    "LTR": ("l", Decimal(1)),
    "GLL": ("l", Decimal("3.785411784")),
    "GLI": ("l", Decimal("4.54609")),
    "MLT": ("ml", Decimal(1)),
    "CMQ": ("ml", Decimal(1)),
    "MTR": ("m", Decimal(1)),
    "CMT": ("m", Decimal("0.01")),
    "MTK": ("m2", Decimal(1)),
    "FTK": ("m2", Decimal("0.09290304")),
    "MTQ": ("m3", Decimal(1)),
    "FTQ": ("m3", Decimal("0.028316846592")),
    "BFT": ("m3", Decimal("0.002359737216")),
    "H87": (COUNT, Decimal(1)),
    "C62": (COUNT, Decimal(1)),
    "NAR": (COUNT, Decimal(1)),
    "DZN": (COUNT, Decimal(12)),
    "PR": ("pairs", Decimal(1)),
    "NPR": ("pairs", Decimal(1)),
    "SET": ("sets", Decimal(1)),
}

# --- Basel Convention --------------------------------------------------------------------------------------
# Source: the form for reporting confirmed cases of illegal traffic (Basel Convention, Article 9; adopted by
# COP-4, 1998). Its existence, the one-form-per-case practice and the Article 9 texts are confirmed; the
# labels, their order and grouping are reconstructed and must be checked against the form (and against any
# revision adopted by COP-16 or COP-17).
BASEL_FORM_TITLE = "FORM FOR REPORTING CONFIRMED CASES OF ILLEGAL TRAFFIC"
BASEL_FORM_SUBTITLE = "(Basel Convention, Article 9; form adopted by COP-4, 1998)"
BASEL_FORM = {
    "1": "1. Reporting Party",
    "1.1": "1.1 Country reporting",
    "1.2": "1.2 Name of the reporting authority (competent authority / focal point)",
    "1.3": "1.3 Contact person, address, telephone, e-mail",
    "1.4": "1.4 Date of report",
    "1.5": "1.5 National reference number of the case",
    "2": "2. States concerned",
    "2.1": "2.1 State of export",
    "2.2": "2.2 State(s) of transit",
    "2.3": "2.3 State of import",
    "3": "3. Information on the wastes",
    "3.1": "3.1 Description of the wastes",
    "3.2": "3.2 Basel Annex VIII / IX entry (A / B code)",
    "3.3": "3.3 Annex I / II category (Y code)",
    "3.4": "3.4 Hazardous characteristics (Annex III, H code) and UN class",
    "3.5": "3.5 UN number / HS code",
    "3.6": "3.6 Quantity (tonnes) and volume (m³) if known",
    "3.7": "3.7 Physical characteristics / type of packaging",
    "4": "4. The movement",
    "4.1": "4.1 Date(s) of the transboundary movement / date of detection",
    "4.2": "4.2 Place where detected (port, border crossing)",
    "4.3": "4.3 Means of transport",
    "4.4": "4.4 Container / vessel / vehicle identifiers",
    "5": "5. Type of illegal traffic (Article 9, paragraph 1): tick one or more",
    "6": "6. Persons involved",
    "7": "7. Action taken",
    "7.1": "7.1 Wastes taken back into the State of export (Art. 9(2))",
    "7.2": "7.2 Wastes otherwise disposed of in accordance with the Convention (Art. 9(2)/(3))",
    "7.3": "7.3 Disposal by cooperation of the Parties concerned (Art. 9(4))",
    "7.4": "7.4 Penalties / sanctions imposed (Art. 9(5))",
    "7.5": "7.5 Status of the case",
    "8": "8. Additional information",
}
BASEL_PERSONS = ("Exporter / notifier", "Generator", "Carrier(s)", "Importer / consignee", "Disposer")
# Article 9, paragraph 1 of the Convention (treaty text).
ARTICLE_9 = {
    "a": "(a) without notification pursuant to the provisions of this Convention to all States concerned",
    "b": "(b) without the consent pursuant to the provisions of this Convention of a State concerned",
    "c": "(c) with consent obtained from States concerned through falsification, misrepresentation or fraud",
    "d": "(d) that does not conform in a material way with the documents",
    "e": (
        "(e) that results in deliberate disposal (e.g. dumping) of hazardous wastes or other wastes in "
        "contravention of this Convention and of general principles of international law"
    ),
}
# Means of transport codes of the Basel/OECD movement documents; postal and express have none.
BASEL_TRANSPORT: dict[str, str] = {
    TransportMode.SEA: "S",
    TransportMode.AIR_CARGO: "A",
    TransportMode.AIR_PASSENGER: "A",
    TransportMode.ROAD: "R",
    TransportMode.RAIL: "T",
}
# Source: the national reporting format for 2018 onwards (decision BC-14/10), Table 9. The title is confirmed;
# the header block and the columns are reconstructed. The first column is ENVIRONET's own.
TABLE9_SHEET = "Table 9"
TABLE9_TITLE = "Table 9: Cases of illegal traffic which have been closed in the reporting year"
TABLE9_HEADER_BLOCK = ("Party:", "Reporting year:", "Reporting authority:")
TABLE9_BLOCK_ROW = 4
TABLE9_HEADER_ROW = TABLE9_BLOCK_ROW + len(TABLE9_HEADER_BLOCK) + 1
TABLE9_COLUMNS = (
    "National reference number of the case",
    "Waste code (Annex VIII/IX A/B code, or Annex I/II Y code)",
    "Description of the waste",
    "Quantity (metric tonnes)",
    "Country of export",
    "Country(ies) of transit",
    "Country of import",
    "Type of illegal traffic (Article 9, paragraph 1 (a)–(e))",
    "How the case was dealt with / closed (take-back Art. 9(2); disposal Art. 9(3); Art. 9(4))",
    "Penalties / sanctions",
    "Remarks",
)
TABLE9_QUANTITY, TABLE9_REMARKS = TABLE9_COLUMNS[3], TABLE9_COLUMNS[-1]
DEALT_WITH: dict[str, str] = {
    Disposal.TAKEN_BACK: "Take-back by the State of export (Art. 9(2))",
    Disposal.SOUND_DISPOSAL: "Disposal in an environmentally sound manner (Art. 9(2)/(3))",
}
NOTES_SHEET = "Notes"

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")


@dataclass(frozen=True)
class About:
    """What a report is for, besides its records."""

    party: str  # ISO 3166 alpha-2 code
    year: int
    on: date  # the day it is generated
    agency: str = ""  # the organisation preparing it
    iccwc: str = ""  # CITES: "yes" or "no" to sharing with ICCWC partners; "" when not answered


# --- Shared helpers ----------------------------------------------------------------------------------------


def strictest_marking(records: Iterable[Seizure]) -> Marking:
    """The most restrictive TLP marking among the records; CLEAR when there are none."""
    return max((Marking(record.marking) for record in records), key=MARKING_ORDER.index, default=Marking.CLEAR)


def country(code: str) -> str:
    """A country as the reports write it: "Kenya (KE)"; "Unknown" when it is not known."""
    if not code or code == UNKNOWN_COUNTRY:
        return UNKNOWN
    return f"{country_label(code)} ({code})"


def party_name(code: str) -> str:
    return country_label(code) if code else ""


def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def number(value: Decimal) -> int | float:
    """A quantity for a number cell: whole numbers stay whole, others keep three decimals."""
    rounded = value.quantize(Decimal("0.001"))
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def money(value: Decimal | None, currency: str) -> str:
    """An amount as the CITES report writes it: "12 500 USD"."""
    if value is None:
        return ""
    amount = f"{value:,.2f}".replace(",", " ").removesuffix(".00")
    return f"{amount} {currency}".strip()


def choice_label(choices: Any, value: str, *, unknown: str = "") -> str:
    """The English label of a stored choice; empty when nothing, or ``unknown``, was recorded."""
    if not value or value == unknown:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def shortened(text: str, limit: int = SUMMARY_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def location(seizure: Seizure, party: str) -> str:
    """Where the goods were seized: the place, its UN/LOCODE, and the country when it is not the Party."""
    text = seizure.place
    if seizure.locode:
        entry = tables.locode(seizure.locode)
        text = text or (entry.row.get("Name", "") if entry else "")
        text = f"{text} (UN/LOCODE {seizure.locode})".strip()
    if seizure.country and seizure.country != party:
        text = ", ".join(part for part in (text, country(seizure.country)) if part)
    return text


def lines_of(seizure: Seizure, convention: str) -> list[CommodityLine]:
    return [line for line in seizure.lines.all() if line.convention == convention]


def traffic_types(seizure: Seizure) -> list[str]:
    return [letter for letter in seizure.traffic_types.split(",") if letter in ARTICLE_9]


def not_known(values: Mapping[str, Any], columns: Iterable[str]) -> str:
    missing = [column for column in columns if values.get(column) in ("", None)]
    return f"Not known: {'; '.join(missing)}." if missing else ""


def joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


# --- Writing sheets ----------------------------------------------------------------------------------------


def write_header_block(sheet: Worksheet, first_row: int, labels: Sequence[str], values: Sequence[Any]) -> None:
    for offset, (label, value) in enumerate(zip(labels, values, strict=True)):
        sheet.cell(first_row + offset, 1, label).font = BOLD
        sheet.cell(first_row + offset, 1).alignment = WRAP
        written = sheet.cell(first_row + offset, 2, value)
        written.alignment = Alignment(horizontal="left", vertical="top")


def write_table(sheet: Worksheet, header_row: int, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Column headers, then one row per mapping; dates become real date cells."""
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(header_row, index, column)
        cell.font, cell.alignment, cell.fill = BOLD, WRAP, HEADING_FILL
    for offset, row in enumerate(rows, start=1):
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(header_row + offset, index, row.get(column, ""))
            cell.alignment = WRAP
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)


def set_widths(sheet: Worksheet, columns: Sequence[str], widths: Mapping[str, int], default: int = 18) -> None:
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, default)


def write_title(sheet: Worksheet, row: int, text: str, *, across: int = 2) -> None:
    sheet.cell(row, 1, text).font = TITLE
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=across)


def write_notes(sheet: Worksheet, first_row: int, heading: str, notes: Sequence[str]) -> None:
    sheet.cell(first_row, 1, heading).font = BOLD
    for offset, note in enumerate(notes, start=1):
        sheet.cell(first_row + offset, 1, note)


def finished(workbook: Workbook, marking: Marking, title: str) -> bytes:
    """Mark every sheet and the workbook's properties with the marking, and return the file's bytes."""
    for sheet in workbook.worksheets:
        mark_sheet(sheet, marking)
    label = marking.label
    properties = workbook.properties
    properties.title, properties.subject, properties.creator = title, title, "ENVIRONET"
    properties.keywords = properties.category = label
    properties.description = MARKING_NOTE
    workbook.custom_doc_props.append(StringProperty(name="TLP", value=label))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def mark_sheet(sheet: Worksheet, marking: Marking) -> None:
    """The marking on the sheet's first row (left empty by every writer), and on every printed page."""
    label = sheet.cell(1, 1, marking.label)
    label.font = Font(bold=True, color=MARKING_COLOURS[marking])
    label.fill = PatternFill("solid", fgColor="000000")
    sheet.cell(1, 2, MARKING_NOTE)
    for header in (sheet.oddHeader, sheet.oddFooter):
        header.right.text = marking.label


# --- CITES annual illegal trade report ---------------------------------------------------------------------


def cites_report(records: Sequence[Seizure], about: About) -> bytes:
    """The CITES annual illegal trade report of ``about.party`` for ``about.year`` from these records."""
    with translation.override("en"):
        rows = cites_rows(records, about.party)
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = CITES_SHEET
        write_cites_header(sheet, about, rows)
        write_table(sheet, CITES_HEADER_ROW, CITES_COLUMNS, rows)
        set_widths(sheet, CITES_COLUMNS, CITES_WIDTHS)
        sheet.cell(CITES_HEADER_ROW, CITES_COLUMNS.index(NATIONALITY) + 1).comment = Comment(
            f"Left empty. {NOMINAL_NOTE}", "ENVIRONET"
        )
        write_lists(workbook, sheet, len(rows))
        write_cites_narrative(workbook.create_sheet(CITES_NARRATIVE_SHEET), about, len(records), len(rows))
        return finished(workbook, strictest_marking(records), f"CITES annual illegal trade report {about.year}")


def cites_rows(records: Iterable[Seizure], party: str) -> list[dict[str, Any]]:
    """One row per CITES commodity line of each record, keyed by column header."""
    return [cites_row(seizure, line, party) for seizure in records for line in lines_of(seizure, Convention.CITES)]


def cites_row(seizure: Seizure, line: CommodityLine, party: str) -> dict[str, Any]:
    quantity, unit = cites_quantity(line.quantity, line.unit)
    values: dict[str, Any] = {
        REFERENCE: seizure.reference,
        SEIZED_ON: seizure.occurred_on,
        AGENCY: seizure.organisation.name,
        LOCATION: location(seizure, party),
        SPECIES: line.code,
        SPECIMEN: specimen_term(line.specimen_type),
        QUANTITY: quantity,
        UNIT: unit,
        REASON: choice_label(Reason, seizure.reason),
        DETECTION: choice_label(DetectionMethod, seizure.detection_method, unknown=DetectionMethod.UNKNOWN),
        TRANSPORT: choice_label(TransportMode, seizure.transport_mode, unknown=TransportMode.UNKNOWN),
        CONCEALMENT: concealment(seizure),
        ORIGIN: country(seizure.origin_country),
        TRANSIT: "; ".join(country(code) for code in seizure.transits),
        DESTINATION: country(seizure.destination_country),
        LAW: seizure.legal_basis,
        SANCTION: seizure.sanction,
        DISPOSAL: choice_label(Disposal, seizure.disposal),
        VALUE: money(line.value, line.currency),
        NATIONALITY: "",
    }
    values[ADDITIONAL] = cites_additional(seizure, line, values)
    return values


def cites_quantity(quantity: Decimal | None, unit: str) -> tuple[int | float | None, str]:
    """The quantity in the CITES unit for a stored UNECE unit: (2.5, "TNE") -> (2500, "kg"). A unit CITES has no
    word for is written as stored, so the Party sees what to convert."""
    if quantity is None:
        return None, ""
    words, factor = CITES_UNITS.get(unit.upper(), (unit, Decimal(1)))
    return number(quantity * factor), words


def specimen_term(code: str) -> str:
    """The CITES annual-report term of a specimen code ("TUS" -> "tusks"), from the reference table."""
    if not code:
        return ""
    entry = tables.find("specimens", code)
    return entry.row.get("description", "") if entry else code


def concealment(seizure: Seizure) -> str:
    label = choice_label(Concealment, seizure.concealment)
    details = " ".join(seizure.concealment_details.split())
    return " – ".join(part for part in (label, details) if part)


def cites_additional(seizure: Seizure, line: CommodityLine, values: Mapping[str, Any]) -> str:
    """The record's summary, what the columns cannot hold, and which columns were not known."""
    export = ""
    if seizure.export_country and seizure.export_country != seizure.origin_country:
        export = f"Country of export: {country(seizure.export_country)}."
    return joined(
        shortened(seizure.summary),
        f"Specimens: {line.description}." if line.description else "",
        export,
        not_known(values, CITES_EXPLAINED),
    )


def write_cites_header(sheet: Worksheet, about: About, rows: Sequence[Mapping[str, Any]]) -> None:
    write_title(sheet, 2, CITES_TITLE, across=len(CITES_COLUMNS))
    agencies = sorted({row[AGENCY] for row in rows})
    values = (
        party_name(about.party),
        about.year,
        about.agency,
        "",  # contact person: the Party adds it (ENVIRONET writes no one's name into a report)
        ", ".join(agencies),
        {"yes": "Yes", "no": "No"}.get(about.iccwc, ""),
        "",  # date of submission: the Party's
    )
    write_header_block(sheet, CITES_BLOCK_ROW, CITES_HEADER_BLOCK, values)


def cites_lists() -> dict[str, list[str]]:
    """The vocabularies the table's cells offer, by column header."""
    return {
        SPECIMEN: [entry.row.get("description", "") for entry in tables.table("specimens").entries],
        UNIT: list(dict.fromkeys(words for words, _ in CITES_UNITS.values())),
        REASON: [str(label) for label in Reason.labels],
        DETECTION: [str(label) for label in DetectionMethod.labels],
        TRANSPORT: [str(label) for label in TransportMode.labels],
        CONCEALMENT: [str(label) for label in Concealment.labels],
        DISPOSAL: [str(label) for label in Disposal.labels],
        CITES_HEADER_BLOCK[5]: ["Yes", "No"],
    }


def write_lists(workbook: Workbook, sheet: Worksheet, row_count: int) -> None:
    """A hidden sheet of lists, offered (not enforced: the format accepts free text) in the matching cells."""
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    last_row = CITES_HEADER_ROW + row_count + VALIDATED_ROWS
    for index, (name, values) in enumerate(cites_lists().items(), start=1):
        letter = get_column_letter(index)
        lists.cell(2, index, name).font = BOLD
        for offset, value in enumerate(values, start=3):
            lists.cell(offset, index, value)
        offered = DataValidation(
            type="list", formula1=f"{LISTS_SHEET}!${letter}$3:${letter}${len(values) + 2}", allow_blank=True
        )
        offered.showErrorMessage = False
        if name in CITES_COLUMNS:
            target = get_column_letter(CITES_COLUMNS.index(name) + 1)
            offered.add(f"{target}{CITES_HEADER_ROW + 1}:{target}{last_row}")
        else:
            offered.add(sheet.cell(CITES_BLOCK_ROW + CITES_HEADER_BLOCK.index(name), 2).coordinate)
        sheet.add_data_validation(offered)


def write_cites_narrative(sheet: Worksheet, about: About, record_count: int, row_count: int) -> None:
    """The narrative questions with empty answer cells, then how ENVIRONET made the report."""
    write_title(sheet, 2, ADDITIONAL)
    sheet.column_dimensions["A"].width = 60
    sheet.column_dimensions["B"].width = 90
    for offset, question in enumerate(CITES_NARRATIVE_QUESTIONS):
        sheet.cell(4 + offset, 1, question).alignment = WRAP
        sheet.cell(4 + offset, 2).alignment = WRAP
        sheet.row_dimensions[4 + offset].height = 60
    notes: tuple[str, ...] = (
        f"Generated by ENVIRONET on {day(about.on)} from the seizure records of {party_name(about.party)} "
        f"for {about.year} that the person generating it may read. Records included: {record_count}; rows: "
        f"{row_count}.",
        f"'{NATIONALITY}' is left empty. {NOMINAL_NOTE}",
        "Contact person: left empty for the same reason; add it before submitting.",
        "An empty cell is a fact ENVIRONET does not hold for the record; each row's "
        f"'{ADDITIONAL}' says which were not known. An empty '{TRANSIT}' means no transit country was recorded.",
        f"'{REFERENCE}' is ENVIRONET's reference of the seizure, so the rows of one seizure can be regrouped.",
        "Quantities are in the CITES units: tonnes are given in kg, counts as number of specimens.",
        "Check the sheet names, the header block and the column headers against the current CITES template "
        "before submitting: parts of this layout could not be confirmed against the official file.",
    )
    if not about.iccwc:
        notes += (
            "The choice on sharing with ICCWC partners was not made when the report was generated: unless the "
            "Party says otherwise, the data are shared with them.",
        )
    write_notes(sheet, 5 + len(CITES_NARRATIVE_QUESTIONS), "Notes on this report", notes)


# --- Basel Convention --------------------------------------------------------------------------------------


def basel_report(
    cases: Sequence[Seizure], closed: Sequence[Seizure], closed_on: Mapping[int, date], about: About
) -> bytes:
    """The confirmed-case forms of the Party's cases of the year, and Table 9 of the cases closed in the year.

    ``closed_on`` gives the day each closed record was closed (by record id)."""
    with translation.override("en"):
        workbook = Workbook()
        workbook.remove(workbook.worksheets[0])
        used: set[str] = set()
        for seizure in cases:
            sheet = workbook.create_sheet(case_sheet_title(seizure, used))
            write_case(sheet, case_rows(seizure, closed_on.get(seizure.pk), about))
        write_table9(workbook.create_sheet(TABLE9_SHEET), closed, closed_on, about)
        records = {seizure.pk: seizure for seizure in (*cases, *closed)}
        write_basel_notes(workbook.create_sheet(NOTES_SHEET), about, len(cases), len(closed))
        return finished(workbook, strictest_marking(records.values()), f"Basel illegal traffic report {about.year}")


def case_sheet_title(seizure: Seizure, used: set[str]) -> str:
    """A sheet name for the case: unique, at most 31 characters, none of the characters Excel refuses."""
    base = "".join("-" if char in "[]:*?/\\" else char for char in f"Case {seizure.reference or seizure.pk}")[:31]
    title, count = base, 1
    while title in used:
        count += 1
        title = f"{base[: 31 - len(str(count)) - 1]}-{count}"
    used.add(title)
    return title


@dataclass(frozen=True)
class FormRow:
    """One row of the vertical case form: a section title, a label with its value, or a note."""

    label: str
    value: Any = ""
    kind: str = "field"  # "section", "field" or "note"


def case_rows(seizure: Seizure, closed_on: date | None, about: About) -> list[FormRow]:
    wastes = lines_of(seizure, Convention.BASEL)
    rows = [*reporting_rows(seizure, about), *states_rows(seizure), FormRow(BASEL_FORM["3"], kind="section")]
    for position, line in enumerate(wastes, start=1):
        if len(wastes) > 1:
            rows.append(FormRow(f"Waste {position} of {len(wastes)}", kind="note"))
        rows += waste_rows(line, seizure)
    return [
        *rows,
        *movement_rows(seizure, about.party),
        *traffic_rows(seizure),
        *persons_rows(),
        *action_rows(seizure, closed_on),
    ]


def reporting_rows(seizure: Seizure, about: About) -> list[FormRow]:
    return [
        FormRow(BASEL_FORM["1"], kind="section"),
        FormRow(BASEL_FORM["1.1"], country(about.party)),
        FormRow(BASEL_FORM["1.2"], seizure.organisation.name),
        FormRow(BASEL_FORM["1.3"], ""),  # our own staff's contact details: the Party adds them
        FormRow(BASEL_FORM["1.4"], about.on),
        FormRow(BASEL_FORM["1.5"], seizure.reference),
    ]


def state_of_export(seizure: Seizure) -> str:
    return seizure.export_country or seizure.origin_country


def states_rows(seizure: Seizure) -> list[FormRow]:
    return [
        FormRow(BASEL_FORM["2"], kind="section"),
        FormRow(BASEL_FORM["2.1"], country(state_of_export(seizure))),
        FormRow(BASEL_FORM["2.2"], "; ".join(country(code) for code in seizure.transits)),
        FormRow(BASEL_FORM["2.3"], country(seizure.destination_country)),
    ]


def waste_rows(line: CommodityLine, seizure: Seizure) -> list[FormRow]:
    code = line.code.strip().upper()
    y_code = code.startswith("Y")
    return [
        FormRow(BASEL_FORM["3.1"], waste_description(line, seizure)),
        FormRow(BASEL_FORM["3.2"], "" if y_code else code),
        FormRow(BASEL_FORM["3.3"], code if y_code else ""),
        FormRow(BASEL_FORM["3.4"], ""),
        FormRow(BASEL_FORM["3.5"], hs_code(line.hs_code)),
        FormRow(BASEL_FORM["3.6"], waste_quantity(line)),
        FormRow(BASEL_FORM["3.7"], ""),
    ]


def waste_description(line: CommodityLine, seizure: Seizure) -> str:
    if line.description:
        return line.description
    entry = tables.find("basel", line.code)
    return entry.row.get("description", "") if entry else seizure.found_goods


def hs_code(code: str) -> str:
    return f"{code[:4]}.{code[4:]}" if len(code) == 6 else code


def tonnes(line: CommodityLine) -> int | float | None:
    """The quantity in metric tonnes, when its unit is a mass."""
    entry = tables.unit(line.unit) if line.unit and line.quantity is not None else None
    if entry is None or line.quantity is None or entry.row.get("kind") != "mass":
        return None
    return number(line.quantity * Decimal(entry.row["to_base"]) / 1000)


def waste_quantity(line: CommodityLine) -> int | float | str:
    """Tonnes as a number; another unit (a volume, a count) as written, since it cannot become tonnes."""
    found = tonnes(line)
    if found is not None or line.quantity is None:
        return "" if found is None else found
    entry = tables.unit(line.unit) if line.unit else None
    if entry is not None and entry.row.get("kind") == "volume":
        return f"{number(line.quantity * Decimal(entry.row['to_base']))} m³"
    return joined(str(number(line.quantity)), entry.row.get("name", "") if entry else line.unit)


def movement_rows(seizure: Seizure, party: str) -> list[FormRow]:
    vessel = joined(f"IMO {seizure.vessel_imo}" if seizure.vessel_imo else "", seizure.vessel_name)
    identifiers = [
        *(f"container {container}" for container in seizure.container_numbers),
        f"vessel {vessel}" if vessel else "",
        f"vehicle {seizure.vehicle}" if seizure.vehicle else "",
    ]
    return [
        FormRow(BASEL_FORM["4"], kind="section"),
        FormRow(BASEL_FORM["4.1"], seizure.occurred_on),
        FormRow(BASEL_FORM["4.2"], location(seizure, party)),
        FormRow(BASEL_FORM["4.3"], BASEL_TRANSPORT.get(seizure.transport_mode, "")),
        FormRow(BASEL_FORM["4.4"], "; ".join(part for part in identifiers if part)),
    ]


def traffic_rows(seizure: Seizure) -> list[FormRow]:
    ticked = traffic_types(seizure)
    return [
        FormRow(BASEL_FORM["5"], kind="section"),
        *(FormRow(text, "X" if letter in ticked else "") for letter, text in ARTICLE_9.items()),
    ]


def persons_rows() -> list[FormRow]:
    return [
        FormRow(BASEL_FORM["6"], kind="section"),
        FormRow(f"Left empty. {NOMINAL_NOTE}", kind="note"),
        *(FormRow(f"{role} (name, address)", "") for role in BASEL_PERSONS),
    ]


def action_rows(seizure: Seizure, closed_on: date | None) -> list[FormRow]:
    known = bool(seizure.disposal)
    status = f"Closed on {day(closed_on)}" if closed_on else "Open"
    return [
        FormRow(BASEL_FORM["7"], kind="section"),
        FormRow(BASEL_FORM["7.1"], yes_no(seizure.disposal == Disposal.TAKEN_BACK) if known else ""),
        FormRow(BASEL_FORM["7.2"], yes_no(seizure.disposal == Disposal.SOUND_DISPOSAL) if known else ""),
        FormRow(BASEL_FORM["7.3"], ""),
        FormRow(BASEL_FORM["7.4"], seizure.sanction),
        FormRow(BASEL_FORM["7.5"], status),
        FormRow(BASEL_FORM["8"], basel_additional(seizure), kind="section"),
    ]


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def basel_additional(seizure: Seizure) -> str:
    """The summary, what became of the wastes when the form has no line for it, and what was not known."""
    outcome = ""
    if seizure.disposal and seizure.disposal not in DEALT_WITH:
        outcome = f"What became of the wastes: {choice_label(Disposal, seizure.disposal)}."
    missing = [BASEL_FORM["3.4"], BASEL_FORM["3.7"], BASEL_FORM["7.3"]]
    if not location(seizure, seizure.country):
        missing.append(BASEL_FORM["4.2"])
    if seizure.transport_mode not in BASEL_TRANSPORT:
        missing.append(BASEL_FORM["4.3"])
    if not (seizure.containers or seizure.vessel_imo or seizure.vessel_name or seizure.vehicle):
        missing.append(BASEL_FORM["4.4"])
    if not traffic_types(seizure):
        missing.append(BASEL_FORM["5"].split(":")[0])
    if not seizure.disposal:
        missing += [BASEL_FORM["7.1"], BASEL_FORM["7.2"]]
    if not seizure.sanction:
        missing.append(BASEL_FORM["7.4"])
    return joined(shortened(seizure.summary), outcome, f"Not known: {'; '.join(missing)}.")


def write_case(sheet: Worksheet, rows: Sequence[FormRow]) -> None:
    """The vertical form: label in column A, value in column B, section titles in bold."""
    sheet.column_dimensions["A"].width = 70
    sheet.column_dimensions["B"].width = 50
    write_title(sheet, 2, BASEL_FORM_TITLE)
    sheet.cell(3, 1, BASEL_FORM_SUBTITLE)
    for row_number, row in enumerate(rows, start=5):
        label = sheet.cell(row_number, 1, row.label)
        label.alignment = WRAP
        if row.kind == "note":
            label.font = Font(italic=True)
            continue
        if row.kind == "section":
            label.font, label.fill = BOLD, HEADING_FILL
            sheet.cell(row_number, 2).fill = HEADING_FILL
        if row.kind == "field" or row.value not in ("", None):
            value = sheet.cell(row_number, 2, row.value)
            value.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
            if isinstance(row.value, date):
                value.number_format = DATE_FORMAT


def table9_rows(closed: Iterable[Seizure], closed_on: Mapping[int, date]) -> list[dict[str, Any]]:
    """One row per closed case and waste."""
    return [
        table9_row(seizure, line, closed_on.get(seizure.pk))
        for seizure in closed
        for line in lines_of(seizure, Convention.BASEL)
    ]


def table9_row(seizure: Seizure, line: CommodityLine, closed_on: date | None) -> dict[str, Any]:
    columns = TABLE9_COLUMNS
    quantity = tonnes(line)
    values: dict[str, Any] = {
        columns[0]: seizure.reference,
        columns[1]: line.code.strip().upper(),
        columns[2]: waste_description(line, seizure),
        columns[3]: quantity,
        columns[4]: country(state_of_export(seizure)),
        columns[5]: "; ".join(country(code) for code in seizure.transits),
        columns[6]: country(seizure.destination_country),
        columns[7]: "; ".join(traffic_types(seizure)),
        columns[8]: dealt_with(seizure, closed_on),
        columns[9]: seizure.sanction,
    }
    recorded = ""
    if quantity is None and line.quantity is not None:
        recorded = f"Quantity recorded as {waste_quantity(line)}, not a mass."
    explained = (columns[7], columns[9]) if line.quantity is not None else (columns[3], columns[7], columns[9])
    values[TABLE9_REMARKS] = joined(shortened(seizure.summary), recorded, not_known(values, explained))
    return values


def dealt_with(seizure: Seizure, closed_on: date | None) -> str:
    how = DEALT_WITH.get(seizure.disposal) or choice_label(Disposal, seizure.disposal)
    return "; ".join(part for part in (how, f"closed on {day(closed_on)}" if closed_on else "") if part)


def write_table9(sheet: Worksheet, closed: Sequence[Seizure], closed_on: Mapping[int, date], about: About) -> None:
    rows = table9_rows(closed, closed_on)
    write_title(sheet, 2, TABLE9_TITLE, across=len(TABLE9_COLUMNS))
    write_header_block(
        sheet, TABLE9_BLOCK_ROW, TABLE9_HEADER_BLOCK, (party_name(about.party), about.year, about.agency)
    )
    write_table(sheet, TABLE9_HEADER_ROW, TABLE9_COLUMNS, rows)
    set_widths(sheet, TABLE9_COLUMNS, {TABLE9_COLUMNS[0]: 24, TABLE9_COLUMNS[2]: 40, TABLE9_REMARKS: 60}, default=20)
    quantity_letter = get_column_letter(TABLE9_COLUMNS.index(TABLE9_QUANTITY) + 1)
    for offset in range(1, len(rows) + 1):
        sheet[f"{quantity_letter}{TABLE9_HEADER_ROW + offset}"].number_format = "0.000"


def write_basel_notes(sheet: Worksheet, about: About, case_count: int, closed_count: int) -> None:
    sheet.column_dimensions["A"].width = 120
    notes = (
        f"Generated by ENVIRONET on {day(about.on)} from the seizure records of {party_name(about.party)} that "
        "the person generating it may read.",
        f"Forms for confirmed cases of illegal traffic: {case_count}, one sheet each, for the records of "
        f"{about.year} with a Basel Convention waste.",
        f"{TABLE9_SHEET}: the cases closed in {about.year} ({closed_count}), one row per case and waste.",
        f"Section '{BASEL_FORM['6']}' is left empty. {NOMINAL_NOTE}",
        "Contact person: left empty for the same reason; add it before submitting.",
        "Quantities are in metric tonnes; a quantity recorded in another unit (a volume, a count) is written as "
        "recorded.",
        "ENVIRONET does not hold the H code, UN class and number, physical characteristics, packaging or "
        "cooperation between the Parties concerned: those cells are empty.",
        "Check the labels of the form and the columns of Table 9 against the current official documents before "
        "submitting: parts of this layout could not be confirmed against the official files.",
    )
    write_notes(sheet, 3, "Notes on this report", notes)
