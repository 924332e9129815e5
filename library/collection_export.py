"""A collection as a spreadsheet (XLSX): one row per item the person may read, in the collection's order, with
its title, kind, languages, organisation, date and the address of its page here. Items the person may not read
are not in it.

Spreadsheet programs run text that starts like a formula: text cells are written as strings, quote-prefixed
where they start like one (as seizures/exporter.py does)."""

import io
import re
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from accounts.places import language_choices
from audit.actions import record
from environet.formulas import FORMULA_STARTS
from library import selectors
from library.models import Collection

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export(*, request, person, collection: Collection) -> bytes:
    """The spreadsheet of what ``person`` may read of ``collection``; the export is audited (counts only)."""
    entries = selectors.collection_items(person=person, collection=collection)
    names = dict(language_choices())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Collection")[:31])
    header = [_("Title"), _("Kind"), _("Languages"), _("Organisation"), _("Date"), _("Link")]
    sheet.append([_cell(sheet, str(name)) for name in header])
    for entry in entries:
        item = entry.item
        path = reverse("library:item", args=[item.pk])
        link = request.build_absolute_uri(path) if request is not None else path
        sheet.append(
            [
                _cell(sheet, item.title),
                _cell(sheet, str(item.get_kind_display())),
                _cell(sheet, ", ".join(str(names.get(code, code)) for code in item.language_codes)),
                _cell(sheet, str(item.organisation)),
                item.published_on,
                _cell(sheet, link),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    record(
        "library.collection_exported", request=request, actor=person, target=collection, changes={"items": len(entries)}
    )
    return buffer.getvalue()


def _cell(sheet, value: Any) -> Any:
    if value == "":
        return None
    cell = WriteOnlyCell(sheet, value=_NOT_IN_XLSX.sub(" ", value))
    cell.data_type = "s"  # openpyxl takes text starting with "=" for a formula: it must stay a string
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell
