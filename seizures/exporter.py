"""Exporting a search of seizure records as CSV or XLSX: one row per commodity line, facts only.

Anyone who may read the records may export them, so an export holds only non-nominal facts: never the
persons or companies involved (nor the reporting officer's name). The columns are the import's (see
seizures/import_columns.py), after the record's reference, status, marking and reporting organisation.

Handling: the first line says the most restrictive TLP marking among the rows, and each row has its own in
the column ``marking``; an XLSX file also carries it in the page header and footer and in the workbook's
properties. Spreadsheet programs run text that starts like a formula: such text gets a leading apostrophe
in CSV, which the import takes away again, and is written as a string cell (quote-prefixed, as Excel does when
one types ') in XLSX (environet/formulas.py).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from audit.actions import record
from environet.formulas import FORMULA_STARTS, neutralised
from messaging.models import Marking
from seizures.import_columns import COLUMNS, LINE_COLUMNS, RECORD_COLUMNS
from seizures.marking import label_workbook, strictest
from seizures.models import CommodityLine, Seizure

MAX_LINES = 50_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = ("reference", "status", "marking", "organisation", *(column for column in COLUMNS if column != "record"))
# Characters an XLSX cell cannot hold (openpyxl refuses them).
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FOOTER_LENGTH = 200
_LIST_FACTS = {"containers": " ", "transit_countries": ", ", "traffic_types": ", "}


class TooLarge(Exception):
    def __init__(self, lines: int) -> None:
        super().__init__(lines)
        self.lines = lines


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str
    records: int
    lines: int


def export(*, request, person, found: QuerySet[Seizure], kind: str) -> Export:
    """The records found (already only those the person may read), as a file; audited. TooLarge past
    MAX_LINES lines."""
    records, lines = found.count(), count_lines(found)
    if lines > MAX_LINES:
        raise TooLarge(lines)
    marking = strictest(found.order_by().values_list("marking", flat=True).distinct())
    rows = _rows(found)
    content = to_xlsx(rows, marking) if kind == "xlsx" else to_csv(rows, marking)
    record(
        "seizures.exported", request=request, actor=person, changes={"format": kind, "records": records, "lines": lines}
    )
    name = f"environet-seizures-{timezone.localdate().isoformat()}.{kind}"
    return Export(content=content, content_type=FORMATS[kind], filename=name, records=records, lines=lines)


def count_lines(found: QuerySet[Seizure]) -> int:
    """Rows of the file: one per commodity line, and one for a record without lines."""
    ids = found.values("pk")
    with_lines = CommodityLine.objects.filter(seizure__in=ids).count()
    return with_lines + Seizure.objects.filter(pk__in=ids, lines__isnull=True).count()


def marking_line(marking: str) -> str:
    return _(
        "%(marking)s — handle according to the Traffic Light Protocol; it is the most restrictive marking of the "
        "records below. Each row's own marking is in the column “marking”."
    ) % {"marking": Marking(marking).label}


def _rows(found: QuerySet[Seizure]) -> Iterator[list[Any]]:
    records = found.select_related("organisation").prefetch_related("lines")
    for seizure in records.iterator(chunk_size=500):
        facts = _facts(seizure)
        lines: list[CommodityLine | None] = [*seizure.lines.all()] or [None]
        for line in lines:
            yield facts + _line(line)


def _facts(seizure: Seizure) -> list[Any]:
    values: list[Any] = [
        seizure.reference,
        seizure.status,
        Marking(seizure.marking).label,
        seizure.organisation.name,
    ]
    for name in RECORD_COLUMNS.values():
        value = getattr(seizure, name)
        if name in _LIST_FACTS:
            value = _LIST_FACTS[name].join(part for part in value.split(",") if part)
        values.append(value)
    return values


def _line(line: CommodityLine | None) -> list[Any]:
    if line is None:
        return [None] * len(LINE_COLUMNS)
    return [_line_value(line, name) for name in LINE_COLUMNS.values()]


def _line_value(line: CommodityLine, name: str) -> Any:
    if name == "approximate":
        return "yes" if line.approximate else ""  # as the import reads it back (seizures.estimates)
    return getattr(line, name)


# --- CSV --------------------------------------------------------------------------------------------------


def to_csv(rows: Iterable[list[Any]], marking: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([marking_line(marking)])
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    # The byte order mark makes Excel read the file as UTF-8.
    return ("\ufeff" + text.getvalue()).encode()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    return neutralised(str(value))


# --- XLSX -------------------------------------------------------------------------------------------------


def to_xlsx(rows: Iterable[list[Any]], marking: str) -> bytes:
    label, line = Marking(marking).label, marking_line(marking)
    workbook = Workbook(write_only=True)
    label_workbook(workbook, title=_("ENVIRONET seizure records"), marking=Marking(marking), description=line)
    sheet = workbook.create_sheet(title=_("Seizures")[:31])
    # "&" starts a code in page headers and footers; "&&" is a plain ampersand.
    sheet.oddHeader.center.text = label.replace("&", "&&")
    # Excel refuses a header or footer of more than 255 characters.
    sheet.oddFooter.center.text = line[:FOOTER_LENGTH].replace("&", "&&")
    sheet.oddFooter.right.text = "&P / &N"
    sheet.freeze_panes = "A3"
    first = WriteOnlyCell(sheet, value=_xlsx_text(line))
    first.font = Font(bold=True)
    sheet.append([first])
    sheet.append([_cell(sheet, name) for name in HEADER])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value: Any) -> Any:
    if value == "":
        return None  # no cell rather than an empty string cell
    if not isinstance(value, str):
        return value  # numbers and dates: never formulas
    cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
    # openpyxl takes text starting with "=" for a formula: it must stay a string.
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _xlsx_text(text: str) -> str:
    return _NOT_IN_XLSX.sub(" ", text)
