"""The CITES annual illegal trade report."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reference import tables
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
from seizures.reports.common import (
    BOLD,
    NOMINAL_NOTE,
    WRAP,
    About,
    choice_label,
    country,
    day,
    finished,
    joined,
    lines_of,
    location,
    money,
    not_known,
    number,
    party_name,
    set_widths,
    shortened,
    strictest_marking,
    write_header_block,
    write_notes,
    write_table,
    write_title,
)

VALIDATED_ROWS = 500  # empty rows below the data that still offer the lists, for rows the Party adds


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
COUNT = "number of specimens"
# CITES annual-report units for the UNECE Recommendation 20 codes ENVIRONET stores, with the factor that turns
# the stored quantity into that unit (CITES has no tonnes: they become kg).
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

# --- The workbook ------------------------------------------------------------------------------------------


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
