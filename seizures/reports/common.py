"""What the treaty reports share: the records' facts as the reports write them, sheets, markings."""

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from messaging.models import Marking
from reference import tables
from seizures.forms import UNKNOWN_COUNTRY, country_label
from seizures.marking import label_workbook, strictest
from seizures.models import CommodityLine, Seizure

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
UNKNOWN = "Unknown"
SUMMARY_LIMIT = 1000  # characters of a record's summary quoted in a remarks cell

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")

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
NOMINAL_NOTE = (
    "ENVIRONET never puts nominal data (names, identifiers, addresses or nationalities of persons and companies) "
    "into a report it generates: add it from the Party's own files if it is to be reported."
)

# --- Handling marking --------------------------------------------------------------------------------------
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
    return strictest((record.marking for record in records), default=Marking.CLEAR)


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
    label_workbook(workbook, title=title, marking=marking, description=MARKING_NOTE)
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
