"""From spreadsheet rows to seizure records, checked by the very forms that check a typed record.

The layout (explained on the import page): a header row naming the columns, in any order and any case,
then one row per commodity line. Rows with the same value in the column ``record`` make one record; a row
with that column empty is a record of its own. A record's own columns (date, country, route...) may be
left empty on its later rows; where they are filled, they must agree with the first.

Each record's columns go through ``SeizureForm`` and each row's commodity through ``LineForm(on=date)``,
as if typed on the record page, so an imported record and a typed one follow the same rules. What the
forms say is mapped back to (row, column, message). Only non-nominal facts are imported: names of persons
and companies are typed on each record's page, where only the reporting organisation sees them.

Choice columns take the stored value ("air_cargo") or the label, in English or in the officer's language;
countries their code or name; dates 2026-10-01 or 01/10/2026 (day first), or a date cell of a workbook.
"""

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from accounts.models import Person
from messaging.forms import AudienceForm
from seizures import actions
from seizures.forms import LineForm, LineFormSet, SeizureForm
from seizures.spreadsheets import Row, Sheet, Unreadable, normal_name, read

GROUP = "record"
# Column -> field of SeizureForm.
RECORD_COLUMNS = {
    "date": "occurred_on",
    **{
        name: name
        for name in (
            *("country", "place", "locode", "detection_method", "transport_mode", "vessel_imo", "vessel_name"),
            *("flight_number", "vehicle", "tracking_number", "containers", "air_waybill", "origin_country"),
            *("export_country", "transit_countries", "destination_country", "declared_goods", "found_goods"),
            *("concealment", "concealment_details", "summary", "reason", "legal_basis", "sanction", "disposal"),
            *("traffic_types", "source_reliability", "information_credibility"),
        )
    },
}
# Column -> field of LineForm (a line's fishing vessel is not the record's vessel).
LINE_COLUMNS = {
    **{name: name for name in ("convention", "code", "specimen_type", "description", "cas_number")},
    "line_vessel_imo": "vessel_imo",
    "line_vessel_name": "vessel_name",
    **{name: name for name in ("hs_code", "quantity", "unit", "value", "currency")},
}
COLUMNS = (GROUP, *RECORD_COLUMNS, *LINE_COLUMNS)
REQUIRED = ("date", "country", "convention", "code")
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
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file or the choices made on the page, not one row
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Checked:
    rows: int
    filings: list[actions.Filing] = field(default_factory=list)  # only when there is no problem
    problems: list[Problem] = field(default_factory=list)


def open_sheet(content: bytes) -> Sheet:
    """The rows of a spreadsheet that at least names some of our columns; Unreadable otherwise."""
    sheet = read(content, columns=COLUMNS)
    if not any(normal_name(name) in COLUMNS for name in sheet.header):
        raise Unreadable(
            _(
                "The first row must name the columns, for example date, country, convention and code, and none of "
                "them was found. Start from the template on the import page."
            )
        )
    return sheet


def check(sheet: Sheet, *, options: Mapping[str, Any], progress: Callable[[int], None] | None = None) -> Checked:
    """Every row checked; the records to file if nothing is wrong. ``progress`` hears how many rows are done."""
    layout = Layout(sheet.header)
    checked = Checked(rows=len(sheet.rows), problems=list(layout.problems))
    audience = audience_form(options)
    if not audience.is_valid():
        checked.problems += _problems(audience, lambda column: None, {}, skip=frozenset())
    vocabulary = Vocabulary()
    done = 0
    for group in _groups(sheet.rows, layout, checked.problems):
        filing, problems = _check_record(group, audience, vocabulary, layout.missing)
        checked.problems += problems
        if filing is not None and not checked.problems:
            checked.filings.append(filing)
        done += len(group)
        if progress is not None:
            progress(done)
    if checked.problems:
        checked.filings = []
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
    """Where each column is in the header row, and what is wrong with the header."""

    def __init__(self, header: Iterable[str]) -> None:
        self.positions: dict[str, int] = {}
        self.ignored: set[int] = set()  # unknown or repeated columns: reported once, in the header
        self.problems: list[Problem] = []
        for index, text in enumerate(header):
            name = normal_name(text)
            if not name:
                continue
            if name not in COLUMNS:
                self.ignored.add(index)
                self.problems.append(Problem(1, text.strip()[:60], _unknown_column(name)))
            elif name in self.positions:
                self.ignored.add(index)
                self.problems.append(Problem(1, name, _("This column appears twice: keep only one.")))
            else:
                self.positions[name] = index
        self.missing = frozenset(name for name in REQUIRED if name not in self.positions)
        self.problems += [
            Problem(1, name, _("The column “%(column)s” is missing: every record needs it.") % {"column": name})
            for name in sorted(self.missing, key=_ORDER.__getitem__)
        ]
        self._read = set(self.positions.values()) | self.ignored

    def values(self, row: Row) -> dict[str, str]:
        return {name: row.cells[index] if index < len(row.cells) else "" for name, index in self.positions.items()}

    def stray(self, row: Row) -> list[int]:
        """Positions of the row's values under a column without a name."""
        return [index for index, text in enumerate(row.cells) if text and index not in self._read]


def _unknown_column(name: str) -> str:
    if name in _NOMINAL_NAMES or _NOMINAL_WORDS & set(name.split("_")):
        return _(
            "Names of persons and companies, and their details, are not imported. Remove this column and type "
            "them on each record's page, where only your organisation sees them."
        )
    message = _("ENVIRONET does not know this column: rename it as in the list on the import page, or remove it.")
    near = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.75)
    return f"{message} {_('Did you mean “%(column)s”?') % {'column': near[0]}}" if near else message


def _groups(rows: Iterable[Row], layout: Layout, problems: list[Problem]) -> list[list[tuple[Row, dict[str, str]]]]:
    """Rows by record, in the order records first appear. A value under a column without a name is a
    problem, said once per column."""
    groups: dict[object, list[tuple[Row, dict[str, str]]]] = {}
    reported: set[int] = set()
    for row in rows:
        for index in set(layout.stray(row)) - reported:
            reported.add(index)
            message = _("This column has no name in the first row but holds values: name it, or empty it.")
            problems.append(Problem(row.number, get_column_letter(index + 1), message))
        values = layout.values(row)
        key = values.get(GROUP) or ("row", row.number)
        groups.setdefault(key, []).append((row, values))
    return list(groups.values())


# --- One record ------------------------------------------------------------------------------------------


Group = list[tuple[Row, dict[str, str]]]


def _check_record(
    group: Group, audience: AudienceForm, vocabulary: "Vocabulary", missing: frozenset[str]
) -> tuple[actions.Filing | None, list[Problem]]:
    merged, source, problems = _merged(group)
    first = group[0][0].number
    record = SeizureForm({**audience.data, **_record_data(merged, vocabulary)})
    # Day-first dates were turned into ISO dates above; no other spelling may be read (10/01/26 is ambiguous).
    record.fields["occurred_on"].input_formats = ["%Y-%m-%d"]  # type: ignore[attr-defined]
    record.is_valid()
    problems += _problems(record, lambda column: source.get(column, first), _RECORD_FIELDS, skip=missing)
    on = record.cleaned_data.get("occurred_on")
    lines = []
    for position, (row, values) in enumerate(group):
        if position == LineFormSet.max_num:
            problems.append(Problem(row.number, GROUP, _too_many_lines()))
        line = LineForm(_line_data(values, vocabulary), on=on)
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


def _too_many_lines() -> str:
    return _("A record has at most %(limit)d commodity lines: give the rows after that a record of their own.") % {
        "limit": LineFormSet.max_num
    }


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
            elif _fold(text) != _fold(merged[column]):
                message = _(
                    "Row %(row)d of the same record says something else here. The rows of one record must agree on "
                    "its record columns: write the same, or leave it empty."
                ) % {"row": source[column]}
                problems.append(Problem(row.number, column, message))
    return merged, source, problems


def _problems(
    form: forms.Form, row_of: Callable[[str], int | None], columns: Mapping[str, str], *, skip: frozenset[str]
) -> list[Problem]:
    """What the form says, as (row, column, message). Errors of the audience fields are said once, for the
    whole file (they come from the page, not the rows); a missing required column is said once, in the
    header."""
    problems = []
    for name, errors in form.errors.as_data().items():
        column = columns.get(name, "" if name in (NON_FIELD_ERRORS, *AUDIENCE_FIELDS) else name)
        if column in skip or (columns and name in AUDIENCE_FIELDS):
            continue
        label = "" if columns or name not in form.fields else f"{form.fields[name].label}: "
        for error in errors:
            for message in error.messages:
                if name == "occurred_on" and error.code == "invalid":
                    message = f"{message} {_('Write it as 2026-10-01 or 01/10/2026.')}"
                problems.append(Problem(row_of(column), column, label + message))
    return problems


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


# --- Cells to form data ----------------------------------------------------------------------------------


def _record_data(merged: Mapping[str, str], vocabulary: "Vocabulary") -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, name in RECORD_COLUMNS.items():
        text = merged.get(column, "")
        if not text:
            # Empty means what the form starts from (detection "Not known", source "A"...), as on the page.
            initial = SeizureForm.base_fields[name].initial
            data[name] = [] if column == "traffic_types" else ("" if initial is None else str(initial))
        elif column == "date":
            data[name] = iso_date(text)
        elif column == "traffic_types":
            data[name] = [vocabulary.value(column, part) for part in _parts(text, vocabulary, column)]
        elif column == "transit_countries":
            data[name] = ", ".join(vocabulary.value("country", part) for part in re.split(r"[,;\n]+", text))
        else:
            data[name] = vocabulary.value(column, text)
    return data


def _line_data(values: Mapping[str, str], vocabulary: "Vocabulary") -> dict[str, str]:
    return {name: vocabulary.value(column, values.get(column, "")) for column, name in LINE_COLUMNS.items()}


def _parts(text: str, vocabulary: "Vocabulary", column: str) -> list[str]:
    """The values of a list cell: "a, b" or "a; b". A label holding a comma is read whole."""
    if vocabulary.knows(column, text):
        return [text]
    return [part for part in re.split(";" if ";" in text else ",", text) if part.strip()]


def iso_date(text: str) -> str:
    """2026-10-01 and 01/10/2026 (day first) as 2026-10-01, whether or not such a day exists (the form
    says so); anything else as it was, for the form to refuse."""
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _DAY_FIRST.fullmatch(text)
        if match is None:
            return text
        day, month, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


class Vocabulary:
    """What each choice column accepts: the stored value, or the label in English or the active language
    (a table's label "KGM – kilogram" also as "kilogram"), mapped to the stored value."""

    def __init__(self) -> None:
        self.words: dict[str, dict[str, str]] = {}
        for language in dict.fromkeys((translation.get_language() or "en", "en")):
            with translation.override(language):
                record, line = SeizureForm(), LineForm()
                for column, name in RECORD_COLUMNS.items():
                    self._learn(column, record.fields[name])
                for column, name in LINE_COLUMNS.items():
                    self._learn(column, line.fields[name])

    def _learn(self, column: str, form_field: forms.Field) -> None:
        choices = [(str(value), str(label)) for value, label in getattr(form_field, "choices", ()) if value]
        if not choices:
            return
        words = self.words.setdefault(column, {})
        # Values first: a label never hides another choice's value.
        for value, _label in choices:
            words.setdefault(_fold(value), value)
        for value, label in choices:
            words.setdefault(_fold(label), value)
            if " – " in label:
                words.setdefault(_fold(label.split(" – ", 1)[1]), value)

    def knows(self, column: str, text: str) -> bool:
        return _fold(text) in self.words.get(column, {})

    def value(self, column: str, text: str) -> str:
        text = text.strip()
        return self.words.get(column, {}).get(_fold(text), text)


# --- For officers: the list of columns and a template ----------------------------------------------------

EXAMPLE = {
    **{GROUP: "1", "date": "2026-10-01", "country": "KE", "place": "Mombasa port", "locode": "KEMBA"},
    **{"detection_method": "scanner", "transport_mode": "sea", "vessel_imo": "9074729"},
    **{"containers": "CSQU3054383", "origin_country": "UG", "export_country": "KE", "transit_countries": "AE"},
    **{"destination_country": "VN", "declared_goods": "Dried fish", "found_goods": "Ivory tusks"},
    **{"concealment": "among_goods", "concealment_details": "Tusks wrapped in plastic under sacks of fish"},
    **{"reason": "not_declared", "disposal": "stored", "source_reliability": "A", "information_credibility": "1"},
    **{"convention": "cites", "code": "Loxodonta africana", "specimen_type": "TUS", "description": "Raw tusks"},
    **{"hs_code": "050710", "quantity": "120", "unit": "KGM", "value": "150000", "currency": "USD"},
}
# A choice column lists its values on the page when they are this few; longer lists are on the Codes page.
_LISTED_CHOICES = 12


def template_csv() -> bytes:
    """The header row and one example row, as UTF-8 with the byte order mark Excel looks for."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE.get(column, "") for column in COLUMNS])
    return ("\ufeff" + text.getvalue()).encode()


def column_guide() -> list[dict[str, Any]]:
    """Each column with what it holds (the record form's own label and help), in the reader's language."""
    record, line = SeizureForm(), LineForm()
    guide = [
        {
            "name": GROUP,
            "label": _("Record"),
            "help": _("Rows with the same value here make one record. Empty: the row is a record of its own."),
            "required": False,
            "values": [],
        }
    ]
    fields = [(column, record.fields[name]) for column, name in RECORD_COLUMNS.items()]
    fields += [(column, line.fields[name]) for column, name in LINE_COLUMNS.items()]
    for column, form_field in fields:
        choices = [str(value) for value, _label in getattr(form_field, "choices", ()) if value]
        guide.append(
            {
                "name": column,
                "label": form_field.label,
                "help": form_field.help_text,
                "required": column in REQUIRED,
                "values": choices if len(choices) <= _LISTED_CHOICES else [],
            }
        )
    return guide
