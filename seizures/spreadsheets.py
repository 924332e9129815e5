"""Reading an uploaded spreadsheet safely: a UTF-8 CSV file or an Excel .xlsx workbook, nothing else.

The file is bytes already in memory (uploads never reach the disk in the clear: environet/uploads.py), and
what it is comes from its content, not its name. Anything else is refused with ``Unreadable``, whose message
says in plain words what to do:
- CSV: UTF-8 text (with or without the byte order mark Excel writes), comma or semicolon separated; the
  apostrophe our export puts before text like a formula is taken away (environet/formulas.py);
- XLSX: a real zip archive with the parts of a workbook, no macros, and no more data once unpacked than a
  sheet of MAX_ROWS rows can hold (a "zip bomb" is refused from the archive's table of contents, before
  openpyxl reads any of it). openpyxl reads it in read-only mode, formulas as their last computed values,
  and parses its XML through defusedxml (installed, so openpyxl uses it).

Rows are numbered as the officer's spreadsheet numbers them, so a problem can say where to look. Empty rows
are skipped. The header is the first row that names at least two known columns (``recognise``), wherever it
is: title, instruction and blank rows above it are skipped, as are footer rows at the end (TOTAL, "Prepared
by", notes); the sheet says which (``Sheet.skipped``).
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Collection, Generator, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from environet.formulas import restored
from messaging.attachments import too_large
from seizures.problem_words import Words

MAX_ROWS = 5_000
MAX_COLUMNS = 100
# A sheet of MAX_ROWS rows of every column, all text, is a few tens of MB of XML: far under this.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 1_000

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls files, and password-protected workbooks
DELIMITERS = (",", ";")
# Control characters never found in a spreadsheet's text; tab, line feed and carriage return are.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Unreadable(Exception):
    """The file is refused as a whole; ``message`` says why, in the reader's language when it is shown."""

    def __init__(self, message: "str | Promise | Words", params: Mapping[str, Any] | None = None) -> None:
        self.message = Words.of(message, params)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    kind: str  # "csv" or "xlsx"
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    header_row: int = 1
    skipped: tuple[int, ...] = ()  # rows above the header and footer rows, not read as data
    titles: tuple[Row, ...] = ()  # the rows above the header ("Party: Kenya", "Year: 2025"), not read as data


# How far down a header is looked for, and what starts a footer row (in English, French and Spanish).
HEADER_SEARCH_ROWS = 30
FOOTER_WORDS = re.compile(
    r"^(total|totals|grand total|totaux?|sub-?total|sous-total|subtotal|prepared by|préparé par|elaborado por|"
    r"note|notes|nota|notas|source|sources|fuente|signature|firma|date of report|fecha del informe)\b",
    re.IGNORECASE,
)


def read(
    content: bytes, *, columns: Collection[str] = (), recognise: Callable[[str], str | None] | None = None
) -> Sheet:
    """The header and data rows of a CSV or XLSX file. ``columns`` are the column names expected, which
    tell a CSV file's delimiter when its header could be read either way; ``recognise`` names the column a
    header cell stands for (synonyms included), which finds the header row below titles and notes."""
    recognise = recognise or (lambda text: normal_name(text) if normal_name(text) in columns else None)
    if not content:
        raise Unreadable(_("The file is empty."))
    if len(content) > settings.MAX_ATTACHMENT_BYTES:
        raise Unreadable(too_large(len(content)))
    if content.startswith(ZIP_SIGNATURES):
        return _sheet("xlsx", _xlsx_rows(content), recognise)
    if content.startswith(OLE_SIGNATURE):
        raise Unreadable(
            _(
                "This is an old Excel file (.xls) or a workbook protected by a password. Open it in Excel, "
                "remove any password, save it as “Excel Workbook (.xlsx)” and send it again."
            )
        )
    return _sheet("csv", _csv_rows(content, columns), recognise)


def normal_name(text: str) -> str:
    """A column name as compared: "Detection method " and "DETECTION-METHOD" are "detection_method"."""
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _sheet(kind: str, rows: Generator[Row], recognise: Callable[[str], str | None]) -> Sheet:
    with closing(rows):  # a workbook stops being read (and is closed) as soon as the file is refused
        data = []
        for row in rows:
            data.append(row)
            if len(data) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise Unreadable(
                    _("The file has more than %(limit)s rows. Split it into several files and send each one."),
                    {"limit": number_format(MAX_ROWS, force_grouping=True)},
                )
    if not data:
        raise Unreadable(_("The file has no rows: its first row must name the columns."))
    at = _header_position(data, recognise)
    header, above, data = data[at], data[:at], data[at + 1 :]
    below: list[Row] = []
    while data and FOOTER_WORDS.match(next((cell for cell in data[-1].cells if cell), "")):
        below.insert(0, data.pop())
    if len(data) > MAX_ROWS:
        raise Unreadable(
            _("The file has more than %(limit)s rows. Split it into several files and send each one."),
            {"limit": number_format(MAX_ROWS, force_grouping=True)},
        )
    if not data:
        raise Unreadable(_("The file has a header row but no rows under it."))
    skipped = tuple(row.number for row in (*above, *below))
    return Sheet(
        kind=kind,
        header=header.cells,
        rows=tuple(data),
        header_row=header.number,
        skipped=skipped,
        titles=tuple(above),
    )


def _header_position(rows: list[Row], recognise: Callable[[str], str | None]) -> int:
    """The first of the top rows naming two known columns or more (one, if the sheet has a single column);
    the first row when none does, so that its names are reported as unknown."""
    for position, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        known = {recognise(cell) for cell in row.cells if cell} - {None}
        if len(known) >= 2 or (known and len(row.cells) == 1):
            return position
    return 0


def _kept(number: int, cells: Iterable[str]) -> Row | None:
    """The row with its trailing empty cells removed; None for an empty row."""
    values = list(cells)
    while values and not values[-1]:
        values.pop()
    return Row(number=number, cells=tuple(values)) if values else None


# --- CSV --------------------------------------------------------------------------------------------------


def _csv_rows(content: bytes, columns: Collection[str]) -> Generator[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(
            _(
                "The file is not a spreadsheet ENVIRONET can read. Send an Excel workbook (.xlsx), or a CSV file "
                "saved as “CSV UTF-8”."
            )
        ) from None
    if _BINARY.search(text):
        raise Unreadable(_("The file is not a CSV text file. Send an Excel workbook (.xlsx) or a CSV UTF-8 file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, columns))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(number)
            # The apostrophe the export put before text like a formula (environet/formulas.py) is taken away.
            row = _kept(number, (restored(cell.strip()) for cell in cells))
            if row is not None:
                yield row
    except csv.Error:
        raise Unreadable(
            _("The file cannot be read as CSV at row %(row)d: check the quotes in that row."), {"row": number + 1}
        ) from None


def _delimiter(text: str, columns: Collection[str]) -> str:
    """Comma or semicolon (Excel writes semicolons where the comma is the decimal sign): the one that splits
    the header into more known column names, then into more cells."""
    # The header may be below a title and notes: the lines where it may be are all scored.
    top_lines = text.lstrip("\r\n").split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]

    def score(delimiter: str) -> tuple[int, int]:
        try:
            rows = list(csv.reader(top_lines, delimiter=delimiter))
        except csv.Error:
            return (-1, -1)
        known = max((sum(normal_name(cell) in columns for cell in cells) for cells in rows), default=0)
        return (known, len(rows[0]) if rows else 0)

    return max(DELIMITERS, key=score)  # max keeps the first (the comma) on a tie


# --- XLSX -------------------------------------------------------------------------------------------------


def _xlsx_rows(content: bytes) -> Generator[Row]:
    _check_archive(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on damaged files; all mean the same to the officer
        raise Unreadable(_damaged()) from None
    try:
        if not workbook.worksheets:
            raise Unreadable(_("The workbook has no sheet of rows."))
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        for number, values in enumerate(rows, start=1):
            if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] not in (None, ""):
                raise _too_wide(number)
            # Each row comes padded to MAX_COLUMNS + 1 cells: the empty ones at its end are dropped before reading.
            end = min(len(values), MAX_COLUMNS)
            while end and values[end - 1] is None:
                end -= 1
            row = _kept(number, _texts(values[:end]))
            if row is not None:
                yield row
    except Unreadable:
        raise
    except Exception:  # as above: a damaged sheet can fail anywhere while it is read
        raise Unreadable(_damaged()) from None
    finally:
        workbook.close()


def _check_archive(content: bytes) -> None:
    """Refuse what is not an .xlsx workbook, holds macros, or would unpack into too much, from the archive's
    table of contents alone. (Python's zipfile never inflates a part beyond the size it declares.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
                raise Unreadable(
                    _("Unpacked, this file would be far larger than any spreadsheet of %(limit)s rows: it is refused."),
                    {"limit": number_format(MAX_ROWS, force_grouping=True)},
                )
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise Unreadable(_("The file is not an Excel workbook (.xlsx). Send an .xlsx or a CSV UTF-8 file."))
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise Unreadable(_damaged()) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroenabled" in types.lower():
        raise Unreadable(
            _(
                "The workbook contains macros, which ENVIRONET does not accept. Save it as “Excel Workbook (.xlsx)”, "
                "not .xlsm, and send it again."
            )
        )


def _too_wide(number: int) -> Unreadable:
    return Unreadable(_("Row %(row)d has more than %(limit)d columns."), {"row": number, "limit": MAX_COLUMNS})


def _damaged() -> Promise:
    return _("The workbook cannot be read: it may be damaged. Open it in Excel, save it again as .xlsx, and retry.")


def _texts(values: Iterable[object]) -> list[str]:
    """Each cell's ``cell_text``. Most cells of a sheet are text or empty: those are read here without a call
    each, which was a tenth of reading a workbook."""
    return ["" if value is None else value.strip() if type(value) is str else cell_text(value) for value in values]


def cell_text(value: object) -> str:
    """A cell's value as the text an officer would have typed: dates as 2026-10-01, whole numbers without
    ".0" (an IMO number typed as a number stays 9074729)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value).strip()
