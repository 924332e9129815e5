"""The roadmap as of a date, and the repository, as XLSX workbooks: a title with the date, one row per
activity, in sections by status as the published roadmap has them, with the IATI activity-status code
beside ours."""

import io
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from network import history, selectors
from network.models import Activity, Network, Status

# Text starting with these is a formula to a spreadsheet program: it is written as text, shown as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Sections = list[tuple[str, list[selectors.Entry]]]


def roadmap_xlsx(network: Network, day: date) -> bytes:
    title = _("%(network)s roadmap of activities, status as of %(date)s") % {
        "network": network.short_name,
        "date": day.isoformat(),
    }
    return _workbook(_("Roadmap"), title, selectors.roadmap(network, day))


def repository_sections(activities: Iterable[Activity]) -> Sections:
    """The repository's activities as they are now, in sections by status (in the lifecycle's order), each
    section in the order given."""
    states = {activity.pk: history.state_of(activity) for activity in activities}
    names = selectors.Names.for_states(states.values())
    entries = [
        selectors.Entry(
            id=pk,
            state=state,
            fields={name: selectors.shown(name, state.get(name), names) for name in history.FIELDS},
        )
        for pk, state in states.items()
    ]
    return [
        (str(label), [entry for entry in entries if entry.state["status"] == status])
        for status, label in Status.choices
        if any(entry.state["status"] == status for entry in entries)
    ]


def repository_xlsx(network: Network, sections: Sections, day: date) -> bytes:
    title = _("%(network)s repository of activities, as of %(date)s") % {
        "network": network.short_name,
        "date": day.isoformat(),
    }
    return _workbook(_("Repository"), title, sections)


def _workbook(sheet_title: str, title: str, sections: Sections) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A3"
    first = _cell(sheet, title)
    first.font = Font(bold=True)
    sheet.append([first])
    header = [_("Activity number"), *[str(selectors.LABELS[name]) for name in history.FIELDS], _("IATI status code")]
    sheet.append([_cell(sheet, text) for text in header])
    for _label, entries in sections:
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
