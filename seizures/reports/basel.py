"""The Basel Convention form for confirmed cases of illegal traffic, and Table 9 of the national report."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reference import tables
from seizures.models import (
    CommodityLine,
    Convention,
    Disposal,
    Seizure,
    TransportMode,
)
from seizures.reports.common import (
    ARTICLE_9,
    BOLD,
    DATE_FORMAT,
    HEADING_FILL,
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
    not_known,
    number,
    party_name,
    set_widths,
    shortened,
    strictest_marking,
    traffic_types,
    write_header_block,
    write_notes,
    write_table,
    write_title,
)

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
NOTES_SHEET = "Notes"
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


# --- The workbook ------------------------------------------------------------------------------------------


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
