"""The mapping step of an import: what the officer says of a header ENVIRONET does not recognise.

When the header row has columns nobody recognised, or required columns that no column gives, the job stops in
MAPPING (seizures/import_jobs.py) with its file still sealed. The job's page then shows each unrecognised
column with its header and a few values from the file, and a choice of the column it stands for, the closest
one suggested (``import_columns.suggestion``) or "leave this column out"; and, for the required values a
national report gives once in its title rows rather than in a column (the Party, the convention, a date), a
value for the whole file, suggested from the title rows ("Party: Kenya"). ``confirm`` keeps the choices in the
job and runs it again: every row is then checked by the same rules as any import, and nothing is saved unless
the check passes.

The columns confirmed are remembered for the officer's organisation (``ColumnMapping``), so that the next file
from anyone of it with those headers is read the same way without asking; the job's page says which columns
were read through the remembered mapping. Values for the whole file are the file's own and are not remembered.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import places
from accounts.models import Person
from environet import crypto
from seizures import access, importer
from seizures.import_columns import REPORT_COLUMNS, REQUIRED, column_labels, header_key, suggestion, title_hints
from seizures.models import Convention, ImportJob
from seizures.spreadsheets import Sheet, Unreadable

State = ImportJob.State
SAMPLES = 3  # values shown under each unrecognised column
SAMPLE_LENGTH = 40


# --- Values for the whole file (on the upload form and on the mapping step) ------------------------------


def report_fields() -> dict[str, forms.Field]:
    """Optional fields giving every row a value the file has no column for."""
    for_every_row = gettext_lazy("For every row, when the file has no column for it.")
    return {
        "report_country": forms.ChoiceField(
            label=gettext_lazy("Country of seizure (the reporting Party)"),
            choices=[("", "—"), *places.country_choices()],
            required=False,
            help_text=for_every_row,
        ),
        "report_convention": forms.ChoiceField(
            label=gettext_lazy("Convention"),
            choices=[("", "—"), *Convention.choices],
            required=False,
            help_text=for_every_row,
        ),
        "report_date": forms.DateField(
            label=gettext_lazy("Date of seizure"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text=for_every_row,
        ),
    }


def report_values(cleaned: Mapping[str, Any]) -> dict[str, str]:
    """The values for the whole file given in a form, by import column ("country", "convention", "date")."""
    values = {column: cleaned.get(f"report_{column}") for column in REPORT_COLUMNS}
    return {
        column: value.isoformat() if hasattr(value, "isoformat") else str(value)
        for column, value in values.items()
        if value
    }


# --- What the page proposes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Unrecognised:
    position: int
    header: str
    samples: list[str]
    suggestion: str  # a column, or "" (leave it out)

    @property
    def field_name(self) -> str:
        return f"column_{self.position}"


@dataclass
class Proposal:
    unrecognised: list[Unrecognised]
    given: frozenset[str]  # the columns the file gives (recognised, or through the remembered mapping)
    # Suggested values for the whole file: given on the upload form, or read in the title rows (with the year).
    hints: dict[str, str] = field(default_factory=dict)


def remembered(person: Person) -> dict[str, str]:
    """The organisation's remembered mapping: header as compared -> column ("" left out)."""
    return dict(access.column_mappings_of(person).values_list("header", "column"))


def _sheet(job: ImportJob) -> Sheet | None:
    if job.sealed is None:
        return None
    content = crypto.open_sealed(bytes(job.sealed), context=f"import:{job.pk}")
    try:
        return importer.open_sheet(content)
    except Unreadable:
        return None


def proposal(job: ImportJob) -> Proposal | None:
    """What the mapping step shows for a job waiting in MAPPING; None for any other job."""
    if job.state != State.MAPPING:
        return None
    sheet = _sheet(job)
    if sheet is None:
        return None
    layout = importer.Layout(sheet.header, header_row=sheet.header_row, mapping=remembered(job.person))
    # Values given for the whole file on the upload form are offered again, before what the title rows say.
    given_before = job.options.get("report") or {}
    unrecognised = []
    for position in layout.unknown:
        header = sheet.header[position]
        values = (row.cells[position] for row in sheet.rows if position < len(row.cells) and row.cells[position])
        samples = list(dict.fromkeys(value[:SAMPLE_LENGTH] for value in values))[:SAMPLES]
        unrecognised.append(Unrecognised(position, header, samples, suggestion(header)))
    hints = {**title_hints(row.cells for row in sheet.titles), **given_before}
    return Proposal(unrecognised=unrecognised, given=frozenset(layout.positions), hints=hints)


class MappingForm(forms.Form):
    """A column (or "leave it out") for each unrecognised header, and values for the whole file."""

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        choices = [("", _("Leave this column out")), *column_labels()]
        for column in proposal.unrecognised:
            self.fields[column.field_name] = forms.ChoiceField(
                label=column.header, label_suffix="", choices=choices, required=False, initial=column.suggestion
            )
        for name, form_field in report_fields().items():
            if name.removeprefix("report_") not in proposal.given:
                self.fields[name] = form_field
        hints = proposal.hints
        for name in REPORT_COLUMNS:
            if f"report_{name}" in self.fields and hints.get(name):
                self.fields[f"report_{name}"].initial = hints[name]
        if "year" in hints and "report_date" in self.fields:
            self.fields["report_date"].help_text = _(
                "For every row, when the file has no column for it. The title rows give the year %(year)s: "
                "give the date of seizure itself."
            ) % {"year": hints["year"]}

    def column_fields(self) -> list[tuple[Unrecognised, forms.BoundField]]:
        return [(column, self[column.field_name]) for column in self.proposal.unrecognised]

    def report_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("report_")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = {column: _("a column the file already has") for column in self.proposal.given}
        for column in self.proposal.unrecognised:
            chosen = cleaned.get(column.field_name, "")
            if not chosen:
                continue
            if chosen in given:
                self.add_error(
                    column.field_name,
                    _("“%(column)s” is already given by %(other)s: choose another column, or leave this one out.")
                    % {"column": chosen, "other": given[chosen]},
                )
            else:
                given[chosen] = _("the column “%(header)s”") % {"header": column.header}
        report = report_values(cleaned)
        for name in REQUIRED:
            if name not in given and name not in report:
                message = _(
                    "Every record needs “%(column)s”: choose the column of the file that holds it, or give one "
                    "value for the whole file."
                ) % {"column": name}
                target = f"report_{name}" if f"report_{name}" in self.fields else None
                self.add_error(target, message)
        return cleaned

    def mapping(self) -> dict[str, str]:
        """Header as compared -> the column chosen ("" left out)."""
        return {
            header_key(column.header): self.cleaned_data.get(column.field_name, "")
            for column in self.proposal.unrecognised
        }
