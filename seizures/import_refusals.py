"""The refused rows of an import, as a spreadsheet to fix and send again.

The same columns as the file sent (its header row as written, so the officer's own column names stay), then
a column "problem" saying in words what is wrong with each row. A record is refused whole: its rows without a
problem of their own say which row of the new file holds the problem. The importer skips the "problem"
column (seizures/import_columns.py: FILE_ONLY), so the corrected file imports as it is. The file is written
as the exporter writes (text that looks like a formula stays text) and carries the import's marking.

The job keeps the refused rows and their problems' parts (``kept``), not the spreadsheet: it is written when it is
downloaded (``from_kept``), in the downloader's language, as the job's page says the problems.
"""

import io
import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from environet.formulas import FORMULA_STARTS
from messaging.models import Marking
from seizures.exporter import marking_line
from seizures.importer import Problem, Refused
from seizures.marking import label_workbook
from seizures.problem_words import Words
from seizures.spreadsheets import Row

_NOT_IN_XLSX = str.maketrans({code: " " for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))})


def problem_column() -> str:
    """The name of the added column, in the reader's language."""
    return _("problem")


def kept(*, header: Iterable[str], refused: Iterable[Refused], marking: str) -> bytes:
    """What the job keeps (sealed) to write the spreadsheet when it is downloaded."""
    records = [
        [[row.number, list(row.cells), [p.kept() for p in problems]] for row, problems in r.rows] for r in refused
    ]
    return json.dumps({"header": list(header), "refused": records, "marking": marking}).encode()


def from_kept(content: bytes) -> bytes:
    """The spreadsheet of what ``kept`` gave, in the active language."""
    data = json.loads(content)
    refused = [
        Refused(
            [
                (Row(number, tuple(cells)), [_problem(problem) for problem in problems])
                for number, cells, problems in rows
            ]
        )
        for rows in data["refused"]
    ]
    return to_xlsx(header=data["header"], refused=refused, marking=data["marking"])


def _problem(kept: dict[str, Any]) -> Problem:
    message = Words(kept["words"]) if kept.get("words") else kept["message"]
    return Problem(kept["row"], kept["column"], message)


def to_xlsx(*, header: Iterable[str], refused: Iterable[Refused], marking: str) -> bytes:
    header = list(header)
    workbook = Workbook(write_only=True)
    label = Marking(marking)
    label_workbook(workbook, title=_("Rows not imported"), marking=label, description=marking_line(marking))
    sheet = workbook.create_sheet(title=_("Rows not imported")[:31])
    sheet.oddHeader.center.text = label.label.replace("&", "&&")
    bold = [_text(sheet, name, bold=True) for name in header]
    sheet.append([*bold, _text(sheet, problem_column(), bold=True)])
    number = 1  # the header's row in the new file
    for record in refused:
        first = number + 1
        faulty = [first + position for position, (_row, problems) in enumerate(record.rows) if problems]
        for row, problems in record.rows:
            number += 1
            cells = [_text(sheet, value) for value in _padded(row, len(header))]
            sheet.append([*cells, _text(sheet, _words(problems, faulty), wrap=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _padded(row: Row, width: int) -> list[str]:
    cells = list(row.cells[:width])
    return cells + [""] * (width - len(cells))


def _words(problems: list[Problem], faulty: list[int]) -> str:
    if problems:
        return "\n".join(
            _("%(label)s: %(problem)s") % {"label": problem.column, "problem": problem.message}
            if problem.column
            else str(problem.message)
            for problem in problems
        )
    if faulty:
        rows = ", ".join(str(number) for number in faulty)
        return _(
            "Not imported with the rest of its record: row %(rows)s of this file, in the same record, has a problem."
        ) % {"rows": rows}
    return _("Not imported with the rest of its record.")


def _text(sheet, value: str, *, bold: bool = False, wrap: bool = False) -> Any:
    if value == "":
        return None
    cell = WriteOnlyCell(sheet, value=value.translate(_NOT_IN_XLSX))
    cell.data_type = "s"  # never a formula, whatever the text
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell
