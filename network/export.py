"""The roadmap as of a date as an XLSX workbook: a title with the date, one row per activity, in sections by
status as the published roadmap has them, with the IATI activity-status code beside ours."""

import io
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from network import history, selectors
from network.models import Network

# Text starting with these is a formula to a spreadsheet program: it is written as text, shown as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def roadmap_xlsx(network: Network, day: date) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Roadmap")[:31])
    sheet.freeze_panes = "A3"
    title = _("%(network)s roadmap of activities, status as of %(date)s") % {
        "network": network.short_name,
        "date": day.isoformat(),
    }
    first = _cell(sheet, title)
    first.font = Font(bold=True)
    sheet.append([first])
    header = [_("Activity number"), *[str(selectors.LABELS[name]) for name in history.FIELDS], _("IATI status code")]
    sheet.append([_cell(sheet, text) for text in header])
    for _label, entries in selectors.roadmap(network, day):
        for entry in entries:
            row = [entry.id, *[entry.fields[name] for name in history.FIELDS], entry.iati_status]
            sheet.append([_cell(sheet, value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(" ", text))
    cell.data_type = "s"  # openpyxl would take "=..." for a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell
