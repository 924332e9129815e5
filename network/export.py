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

from environet.formulas import FORMULA_STARTS
from network import history, output_selectors, selectors
from network.models import Activity, Network, Status

Sections = list[tuple[str, list[selectors.Entry]]]
OutputsById = dict[int, output_selectors.Outputs]


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


def repository_xlsx(network: Network, sections: Sections, day: date, outputs: OutputsById) -> bytes:
    title = _("%(network)s repository of activities, as of %(date)s") % {
        "network": network.short_name,
        "date": day.isoformat(),
    }
    return _workbook(_("Repository"), title, sections, outputs)


def trained_by_country(outputs: output_selectors.Outputs) -> str:
    """ "Kenya: 30 (12 women, 18 men); Tanzania: 9 (3 women, 4 men, 2 not reported)"."""
    shown = []
    for row in outputs.trained:
        parts = [_("%(count)d women") % {"count": row.women}, _("%(count)d men") % {"count": row.men}]
        if row.not_reported:
            parts.append(_("%(count)d not reported") % {"count": row.not_reported})
        shown.append(f"{row.name}: {row.total} ({', '.join(parts)})")
    return "; ".join(shown)


def output_columns() -> list[str]:
    return [_("Outputs in the library"), _("Participants trained"), _("Women trained"), _("Men trained"),
            _("Sex not reported"), _("Trained by country"), _("Lessons learned")]  # fmt: skip


def output_values(outputs: output_selectors.Outputs | None) -> list:
    """The output columns of one activity: library items the reader may read, counts, lessons."""
    if not outputs:
        return [""] * len(output_columns())
    counted = bool(outputs.trained)
    return [
        "; ".join(item.title for item in outputs.items),
        outputs.total if counted else None,
        outputs.women if counted else None,
        outputs.men if counted else None,
        outputs.not_reported if counted else None,
        trained_by_country(outputs),
        outputs.lessons.text if outputs.lessons else "",
    ]


def _workbook(sheet_title: str, title: str, sections: Sections, outputs: OutputsById | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A3"
    first = _cell(sheet, title)
    first.font = Font(bold=True)
    sheet.append([first])
    header = [_("Activity number"), *[str(selectors.LABELS[name]) for name in history.FIELDS], _("IATI status code")]
    if outputs is not None:
        header += output_columns()
    sheet.append([_cell(sheet, text) for text in header])
    for _label, entries in sections:
        for entry in entries:
            row = [entry.id, *[entry.fields[name] for name in history.FIELDS], entry.iati_status]
            if outputs is not None:
                row += output_values(outputs.get(entry.id))
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
