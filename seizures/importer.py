"""From spreadsheet rows to seizure records, checked by the very forms that check a typed record.

The layout (explained on the import page): a header row naming the columns, in any order and any case,
then one row per commodity line. Rows with the same value in the column ``record`` make one record; a row
with that column empty is a record of its own. A record's own columns (date, country, route...) may be
left empty on its later rows; where they are filled, they must agree with the first.

Each record's columns go through ``SeizureForm`` and each row's commodity through ``LineForm(on=date)``,
as if typed on the record page, so an imported record and a typed one follow the same rules. What the
forms say is mapped back to (row, column, message). Only non-nominal facts are imported: names of persons
and companies are typed on each record's page, where only the reporting organisation sees them. How a
cell is read (choices by value or label, dates, countries) is in seizures/import_columns.py.
"""

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from accounts.models import Person
from messaging.forms import AudienceForm
from messaging.models import Marking
from reference import tables
from seizures import actions
from seizures.forms import LineForm, LineFormSet, SeizureForm
from seizures.import_columns import (
    COLUMNS,
    COUNTRY_COLUMNS,
    GROUP,
    LINE_COLUMNS,
    RECORD_COLUMNS,
    REPORT_COLUMNS,
    REQUIRED,
    Vocabulary,
    column_for,
    fold,
    header_key,
    line_data,
    record_data,
)
from seizures.marking import strictest
from seizures.problem_words import Words
from seizures.spreadsheets import Row, Sheet, Unreadable, normal_name, read

AUDIENCE_FIELDS = frozenset({"marking", "audience", "organisations", "countries", "people"})
_RECORD_FIELDS = {form_field: column for column, form_field in RECORD_COLUMNS.items()}
_LINE_FIELDS = {form_field: column for column, form_field in LINE_COLUMNS.items()}
_ORDER = {column: position for position, column in enumerate(COLUMNS)}
# Columns that would carry nominal data: refused with a word on where such data belongs.
_NOMINAL_WORDS = frozenset(
    {"company", "companies", "person", "persons", "people", "suspect", "suspects", "owner", "exporter", "importer"}
    | {"consignee", "consignor", "shipper", "passport", "address", "nationality", "birth", "born", "surname"}
)
_NOMINAL_NAMES = frozenset({"name", "names", "full_name", "first_name", "last_name", "given_name", "family_name"})


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file or the choices made on the page, not one row
    column: str
    message: Words | str  # Words: said in the reader's language when shown (seizures/problem_words.py)

    def as_dict(self) -> dict[str, Any]:
        """As said now, in the active language (the API's answer)."""
        return {"row": self.row, "column": self.column, "message": str(self.message)}

    def kept(self) -> dict[str, Any]:
        """As an import job keeps it: the parts of its message, said again whenever the job is read, and the
        message as said now (what was kept before there were parts)."""
        return {**self.as_dict(), "words": Words.of(self.message).parts}


@dataclass
class Refused:
    """The rows of a record that is not imported, each with its own problems (none: another row's fault)."""

    rows: list[tuple[Row, list[Problem]]]


@dataclass
class Checked:
    rows: int
    filings: list[actions.Filing] = field(default_factory=list)  # the records whose rows all pass
    problems: list[Problem] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)  # the records that do not pass, in the file's order
    # A problem of the whole file (its header, a column without a name, the choices made on the page): no record
    # may be imported until it is put right.
    whole_file: bool = False

    @property
    def partial(self) -> bool:
        """Some records pass and others do not: the officer may import those that pass, or nothing."""
        return bool(self.problems and self.filings and not self.whole_file)


def open_sheet(content: bytes) -> Sheet:
    """The rows of a spreadsheet that at least names some of our columns; Unreadable otherwise."""
    sheet = read(content, columns=COLUMNS, recognise=column_for)
    if not any(column_for(name) for name in sheet.header):
        raise Unreadable(
            Words.of(
                _(
                    "The first row must name the columns, for example date, country, convention and code, and none "
                    "of them was found. Start from the template on the import page."
                )
            )
        )
    return sheet


def check(
    sheet: Sheet,
    *,
    options: Mapping[str, Any],
    progress: Callable[[int], None] | None = None,
    mapping: Mapping[str, str] | None = None,
) -> Checked:
    """Every row checked: the records that pass, those that do not with each row's problems, and the problems
    of the whole file. ``progress`` hears how many rows are done. ``mapping`` and ``options["report"]`` are
    what the officer (or the organisation's remembered mapping) said of the header: see ``Layout``."""
    layout = Layout(sheet.header, header_row=sheet.header_row, mapping=mapping, report=options.get("report") or {})
    checked = Checked(rows=len(sheet.rows), problems=list(layout.problems))
    audience = audience_form(options)
    if not audience.is_valid():
        checked.problems += _choice_problems(audience)
    stray: list[Problem] = []
    groups = _groups(sheet.rows, layout, stray)
    checked.problems += stray
    checked.whole_file = bool(checked.problems)
    vocabulary = Vocabulary()
    row_forms = RowForms()
    done = 0
    with tables.pinned():  # one edition of the reference tables for the whole file
        for group in groups:
            filing, problems = _check_record(group, audience, vocabulary, layout.missing, row_forms)
            if filing is not None:
                checked.filings.append(filing)
            else:
                checked.problems += problems
                refused = [(row, [p for p in problems if p.row == row.number]) for row, _v in group]
                checked.refused.append(Refused(refused))
            done += len(group)
            if progress is not None:
                progress(done)
    if checked.problems:
        checked.problems.sort(key=lambda problem: problem.row or 0)  # stable: in a row, as the forms said
    return checked


def audience_form(options: Mapping[str, Any]) -> AudienceForm:
    """The audience and marking chosen on the import page, as the record form receives them."""
    people = Person.objects.filter(pk__in=options.get("people") or []).values_list("email", flat=True)
    return AudienceForm(
        {
            "marking": options.get("marking", ""),
            "audience": options.get("audience", ""),
            "organisations": [str(pk) for pk in options.get("organisations") or []],
            "countries": list(options.get("countries") or []),
            "people": ", ".join(people),
        }
    )


class Layout:
    """Where each column is in the header row, and what is wrong with the header.

    ``mapping`` gives the column of a header nobody recognised, by ``import_columns.header_key`` ("" to leave it
    out): confirmed by the officer on the import's page, or remembered for the organisation. ``report`` gives a
    value for every row of a column the file does not have (the Party, the convention, a date: REPORT_COLUMNS)."""

    def __init__(
        self,
        header: Iterable[str],
        *,
        header_row: int = 1,
        mapping: Mapping[str, str] | None = None,
        report: Mapping[str, str] | None = None,
    ) -> None:
        header = tuple(header)
        mapping = mapping or {}
        self.positions: dict[str, int] = {}
        self.ignored: set[int] = set()  # unknown or repeated columns: reported once, in the header
        self.problems: list[Problem] = []
        self.unknown: list[int] = []  # positions of headers the officer may map on the import's page
        self.mapped: list[tuple[str, str]] = []  # (header, column or "") read through ``mapping``
        self.refused = False  # a problem no mapping puts right (a column of names, a column twice)
        for index, text in enumerate(header):
            if not normal_name(text):
                continue
            name = column_for(text)
            key = header_key(text)
            if name is None and key in mapping and mapping[key] in (*COLUMNS, ""):
                name = mapping[key]
                self.mapped.append((text, name))
                if not name:
                    self.ignored.add(index)  # left out by the officer's choice
                    continue
            if name in ("status", "organisation", "problem"):
                self.ignored.add(index)  # the exporter's, not facts to import (import_columns.FILE_ONLY)
                continue
            if name is None:
                self.ignored.add(index)
                message, nominal = _unknown_column(normal_name(text))
                self.refused |= nominal
                if not nominal:
                    self.unknown.append(index)
                self.problems.append(Problem(header_row, text.strip()[:60], message))
            elif name in self.positions:
                self.ignored.add(index)
                self.refused = True
                self.problems.append(
                    Problem(header_row, name, Words.of(_("This column appears twice: keep only one.")))
                )
            else:
                self.positions[name] = index
        self.report = {
            column: value for column, value in (report or {}).items() if value and column not in self.positions
        }
        self.missing = frozenset(name for name in REQUIRED if name not in self.positions and name not in self.report)
        self.problems += [
            Problem(
                header_row,
                name,
                Words.of(_("The column “%(column)s” is missing: every record needs it."), {"column": name}),
            )
            for name in sorted(self.missing, key=_ORDER.__getitem__)
        ]
        read = set(self.positions.values()) | self.ignored
        self._width = len(header)
        # Positions of the header whose values are not read (a column without a name); every cell past the header
        # is not read either.
        self._unread = [index for index in range(self._width) if index not in read]

    @property
    def needs_mapping(self) -> bool:
        """The officer may put the header right on the import's page: columns not recognised, or required ones
        that no column gives, and nothing that only a changed file puts right. A required column that is not
        given once for the whole file (REPORT_COLUMNS) may only come from a column not recognised."""
        if self.refused or not (self.unknown or self.missing):
            return False
        return bool(self.unknown) or self.missing <= set(REPORT_COLUMNS)

    def values(self, row: Row) -> dict[str, str]:
        found = {name: row.cells[index] if index < len(row.cells) else "" for name, index in self.positions.items()}
        return {**self.report, **found}

    def stray(self, row: Row) -> list[int]:
        """Positions of the row's values under a column without a name."""
        cells = row.cells
        beyond = range(self._width, len(cells))
        return [index for index in (*self._unread, *beyond) if index < len(cells) and cells[index]]


def _unknown_column(name: str) -> tuple[Words, bool]:
    """What is said of a header nobody recognised, and whether it names persons or companies (refused)."""
    if name in _NOMINAL_NAMES or _NOMINAL_WORDS & set(name.split("_")):
        message = _(
            "Names of persons and companies, and their details, are not imported. Remove this column and type "
            "them on each record's page, where only your organisation sees them."
        )
        return Words.of(message), True
    near = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.75)
    if near:
        message = _(
            "ENVIRONET does not know this column: rename it as in the list on the import page, or remove it. "
            "Did you mean “%(column)s”?"
        )
        return Words.of(message, {"column": near[0]}), False
    message = _("ENVIRONET does not know this column: rename it as in the list on the import page, or remove it.")
    return Words.of(message), False


def _groups(rows: Iterable[Row], layout: Layout, problems: list[Problem]) -> list[list[tuple[Row, dict[str, str]]]]:
    """Rows by record, in the order records first appear. A value under a column without a name is a
    problem, said once per column."""
    groups: dict[object, list[tuple[Row, dict[str, str]]]] = {}
    reported: set[int] = set()
    for row in rows:
        for index in set(layout.stray(row)) - reported:
            reported.add(index)
            message = Words.of(_("This column has no name in the first row but holds values: name it, or empty it."))
            problems.append(Problem(row.number, get_column_letter(index + 1), message))
        values = layout.values(row)
        key = values.get(GROUP) or ("row", row.number)
        groups.setdefault(key, []).append((row, values))
    return list(groups.values())


# --- One record ------------------------------------------------------------------------------------------


class RowForms:
    """The record form and the line form of an import, each made once and bound to every row's data in turn.

    Making a form copies each of its fields with their choices (the record form has some forty): paid for every
    row, it cost more than checking the row. A form made once and bound again runs the very same fields and
    ``clean`` methods on each row. The audience and marking are checked once for the whole file
    (``audience_form``), so the record form here has none of those fields: checking them again on every row
    (a query for the named people each time) would only repeat what the whole file's check said."""

    def __init__(self) -> None:
        self.record = SeizureForm({})
        # Day-first dates were turned into ISO dates by record_data; no other spelling may be read (10/01/26 is
        # ambiguous).
        self.record.fields["occurred_on"].input_formats = ["%Y-%m-%d"]  # type: ignore[attr-defined]
        for name in AUDIENCE_FIELDS:
            self.record.fields.pop(name, None)
        self.line = LineForm({})

    def checked_record(self, data: dict[str, Any]) -> SeizureForm:
        return _bound_again(self.record, data)

    def checked_line(self, data: dict[str, Any], *, on: date | None) -> LineForm:
        self.line.on = on  # the date of seizure of the row's record: Basel codes are checked as they were then
        return _bound_again(self.line, data)


def _bound_again[F: forms.Form](form: F, data: dict[str, Any]) -> F:
    """``form`` bound to ``data`` and checked, as a new form given ``data`` would be. Its bound fields are kept:
    they read the form's data anew each time (what they keep, the initial value and the rendered widgets, does
    not depend on it). What a previous row's check gave (``cleaned_data``, the errors) is replaced, not changed:
    a caller may keep them."""
    form.data, form.is_bound = data, True
    form._errors = None  # type: ignore[attr-defined]  # what Django's own ``errors`` checks to run the check again
    form.__dict__.pop("changed_data", None)
    form.full_clean()
    return form


Group = list[tuple[Row, dict[str, str]]]


def _marking_problems(group: Group, audience: AudienceForm) -> list[Problem]:
    """A row the file marks more restrictively than the marking chosen for the import (an export of AMBER
    records imported as GREEN drafts) is refused: the handling may not be lowered by importing."""
    chosen = str(audience.data.get("marking") or "")
    if chosen not in Marking.values:
        return []  # said once for the whole file
    problems = []
    for row, values in group:
        written = values.get("marking", "")
        if not written:
            continue
        labels = {fold(str(label)): value for value, label in Marking.choices}
        marking = {**labels, **{fold(value): value for value in Marking.values}}.get(fold(written))
        if marking is None:
            message = Words.of(
                _("Unknown marking: write it as TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED.")
            )
            problems.append(Problem(row.number, "marking", message))
        elif strictest([marking, chosen]) != chosen:
            message = Words.of(
                _(
                    "This row is marked %(file)s in the file, more restrictive than the %(chosen)s chosen for the "
                    "import: choose at least %(file)s on the import page."
                ),
                {"file": Marking(marking).label, "chosen": Marking(chosen).label},
            )
            problems.append(Problem(row.number, "marking", message))
    return problems


def _check_record(
    group: Group, audience: AudienceForm, vocabulary: Vocabulary, missing: frozenset[str], row_forms: RowForms
) -> tuple[actions.Filing | None, list[Problem]]:
    merged, source, problems = _merged(group)
    problems += _marking_problems(group, audience)
    first = group[0][0].number
    record = row_forms.checked_record(record_data(merged, vocabulary))
    problems += _problems(record, lambda column: source.get(column, first), _RECORD_FIELDS, skip=missing)
    on = record.cleaned_data.get("occurred_on")
    lines = []
    for position, (row, values) in enumerate(group):
        if position == LineFormSet.max_num:
            problems.append(Problem(row.number, GROUP, _too_many_lines()))
        line = row_forms.checked_line(line_data(values, vocabulary), on=on)
        if line.is_valid():
            lines.append(line.cleaned_data)
        else:
            problems += _problems(line, _always(row.number), _LINE_FIELDS, skip=missing)
    if problems or not audience.is_valid():
        return None, problems
    return _filing(record.cleaned_data, lines, audience.cleaned_data), []


def _always(number: int) -> Callable[[str], int | None]:
    """A line's problems are all on its own row, whatever the column."""
    return lambda column: number


def _too_many_lines() -> Words:
    return Words.of(
        _("A record has at most %(limit)d commodity lines: give the rows after that a record of their own."),
        {"limit": LineFormSet.max_num},
    )


def _merged(group: Group) -> tuple[dict[str, str], dict[str, int], list[Problem]]:
    """The record's columns (each from the first row that fills it), the row each came from, and the later
    rows that say something else."""
    merged: dict[str, str] = {}
    source: dict[str, int] = {}
    problems = []
    for row, values in group:
        for column in RECORD_COLUMNS:
            text = values.get(column, "")
            if not text:
                continue
            if column not in merged:
                merged[column], source[column] = text, row.number
            elif fold(text) != fold(merged[column]):
                message = Words.of(
                    _(
                        "Row %(row)d of the same record says something else here. The rows of one record must agree "
                        "on its record columns: write the same, or leave it empty."
                    ),
                    {"row": source[column]},
                )
                problems.append(Problem(row.number, column, message))
    return merged, source, problems


def _problems(
    form: forms.Form, row_of: Callable[[str], int | None], columns: Mapping[str, str], *, skip: frozenset[str]
) -> list[Problem]:
    """What a record's or a line's form says, as (row, column, message). The audience fields are checked
    once for the whole file (see _choice_problems); a missing required column is said once, in the header."""
    problems = []
    for name, errors in form.errors.as_data().items():
        column = "" if name == NON_FIELD_ERRORS else columns.get(name, name)
        if name in AUDIENCE_FIELDS or column in skip:
            continue
        for error in errors:  # one message each (as_data)
            message = Words.of_error(error)
            if name == "occurred_on" and error.code == "invalid":
                message = Words.of(_("%(problem)s Write it as 2026-10-01 or 01/10/2026."), {"problem": message})
            elif error.code == "invalid_choice" and column not in COUNTRY_COLUMNS:  # a country's says it
                message = Words.joined(" ", [message, _accepted(column, form.fields.get(name))])
            problems.append(Problem(row_of(column), column, message))
    return problems


# A refused choice lists what is accepted when the list is this short; longer ones point to the Codes page.
_LISTED_ACCEPTED = 15


def _accepted(column: str, form_field: forms.Field | None) -> Words:
    """What a choice column accepts, in the reader's language: its labels (or values), or where to find them."""
    if column in COUNTRY_COLUMNS or column == "transit_countries":
        return Words.of(_("Write a country's name in English, French or Spanish, or its ISO code (KE, CI)."))
    choices = [(value, label) for value, label in getattr(form_field, "choices", ()) if value]
    if not choices:
        return Words.of("")
    if len(choices) > _LISTED_ACCEPTED:
        return Words.of(_("The accepted values are listed on the import page, under its link to the codes."))
    return Words.of(_("Accepted: %(values)s."), {"values": Words.joined("; ", [label for _value, label in choices])})


def _choice_problems(audience: AudienceForm) -> list[Problem]:
    """What is wrong with the readers and marking chosen on the page: no row or column of the file."""
    return [
        Problem(
            None,
            "",
            _labelled(audience.fields[name].label, error) if name in audience.fields else Words.of_error(error),
        )
        for name, errors in audience.errors.as_data().items()
        for error in errors
    ]


def _labelled(label: Any, error: forms.ValidationError) -> Words:
    return Words.of(_("%(label)s: %(problem)s"), {"label": label, "problem": Words.of_error(error)})


def _filing(facts: Mapping[str, Any], lines: list[dict[str, Any]], audience: Mapping[str, Any]) -> actions.Filing:
    return actions.Filing(
        facts={name: facts.get(name, "") for name in actions.FACTS},
        lines=lines,
        marking=audience["marking"],
        audience=audience["audience"],
        organisations=list(audience["organisations"]),
        countries=list(audience["countries"]),
        people=list(audience["people"]),
    )
