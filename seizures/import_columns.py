"""The layout of an import spreadsheet: its columns, how a cell becomes what the record form receives,
and, for officers, the list of columns and a template to start from.

Choice columns take the stored value ("air_cargo") or the label, in English or in the officer's language
(a reference table's label "KGM – kilogram" also as "kilogram"); countries their code or name; dates
2026-10-01 or 01/10/2026 (day first), or a date cell of a workbook. Whatever is not understood is given to
the form as it was, for the form to say what is wrong with it.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from accounts import places
from seizures import estimates
from seizures.forms import LineForm, SeizureForm

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
    **{name: name for name in ("hs_code", "quantity", "approximate", "unit", "value", "currency")},
}
COLUMNS = (GROUP, *RECORD_COLUMNS, *LINE_COLUMNS)
REQUIRED = ("date", "country", "convention", "code")

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def record_data(merged: Mapping[str, str], vocabulary: "Vocabulary") -> dict[str, Any]:
    """What SeizureForm receives for a record's columns, as the record page would post them."""
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
            codes, unknown = places.countries_in(text)
            data[name] = ", ".join([*codes, *unknown])  # what is not understood goes to the form, which says so
        else:
            data[name] = vocabulary.value(column, text)
    return data


def line_data(values: Mapping[str, str], vocabulary: "Vocabulary") -> dict[str, str]:
    """What LineForm receives for a row's commodity. A quantity written as approximate ("approx. 300", "environ
    300": seizures.estimates) gives its number, and makes the line approximate whatever the column
    ``approximate`` says (unless that column holds words nobody can read: the form says so)."""
    data = {name: vocabulary.value(column, values.get(column, "")) for column, name in LINE_COLUMNS.items()}
    data["quantity"], approximate = estimates.read(data["quantity"])
    if approximate and estimates.flag(data["approximate"]) is not None:
        data["approximate"] = "yes"
    return data


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


COUNTRY_COLUMNS = ("country", "origin_country", "export_country", "destination_country")

# Headers of the seizure tables officers already keep, in English, French and Spanish, besides our column
# names and the record form's labels in the three languages (which column_for also knows).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date of seizure", "seizure date", "date seized", "date de saisie", "fecha de incautacion", "fecha"),
    "country": ("country of seizure", "seizing country", "reporting country", "pays de saisie", "pays", "pais"),
    "place": ("location", "place of seizure", "seizure location", "city", "lieu", "lieu de saisie", "lugar"),
    "code": (
        *("species", "scientific name", "taxon", "taxa", "espece", "nom scientifique", "especie"),
        *("nombre cientifico", "substance", "waste code", "code"),
    ),
    "description": ("description", "description of specimens", "specimen description", "descripcion"),
    "specimen_type": ("specimen", "specimen type", "type of specimen", "term", "type de specimen"),
    "quantity": ("quantity", "quantity seized", "amount seized", "number", "quantite", "cantidad"),
    "unit": ("unit", "units", "unit of measure", "unit of measurement", "unite", "unidad"),
    "approximate": ("approximate", "approx", "estimated", "approximatif", "approximative", "aproximado"),
    "origin_country": ("country of origin", "origin", "pays d origine", "pais de origen"),
    "export_country": ("country of export", "exporting country", "pays d exportation", "pais de exportacion"),
    "destination_country": ("country of destination", "destination", "pays de destination", "pais de destino"),
    "transport_mode": ("mode of transport", "transport", "mode de transport", "medio de transporte"),
    "detection_method": ("detection method", "method of detection", "methode de detection"),
    "hs_code": ("hs code", "hs", "tariff code", "code sh", "codigo sa"),
}


@cache
def _header_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for column, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            words.setdefault(places.plain(synonym), column)
    for language in ("en", "fr", "es"):
        with translation.override(language):
            record, line = SeizureForm(), LineForm()
            for column, name in RECORD_COLUMNS.items():
                words.setdefault(places.plain(str(record.fields[name].label)), column)
            for column, name in LINE_COLUMNS.items():
                words.setdefault(places.plain(str(line.fields[name].label)), column)
    return words


# Columns of the platform's own export that are not facts of a record: the record's reference groups its rows
# (as "record" does); its marking is checked against the one chosen for the import; status and organisation
# are the exporter's and are not imported (an imported record is a draft of the importer's organisation).
EXPORT_REFERENCE = "reference"
FILE_ONLY = ("status", "marking", "organisation", "problem")
# The column the file of refused rows adds (seizures/import_refusals.py), as written in EN/FR/ES: skipped when the
# corrected file comes back.
PROBLEM = "problem"
_PROBLEM_WORDS = frozenset({"problem", "problems", "probleme", "problemes", "problema", "problemas"})


def column_for(text: str) -> str | None:
    """The column a header cell stands for: our name ("detection_method", any case), the record form's label in
    English, French or Spanish, or a usual header of seizure tables ("Date of seizure", "Espèce"). None if none."""
    name = re.sub(r"[\s\-]+", "_", text.strip().casefold())
    if name in COLUMNS or name in FILE_ONLY:
        return name
    if name == EXPORT_REFERENCE:
        return GROUP
    if places.plain(text) in _PROBLEM_WORDS:
        return PROBLEM
    return _header_words().get(places.plain(text)) if text.strip() else None


# Units as written in reports (kg, kgs, tonnes, pcs, No., litres, m3...), with the source of each.
UNIT_ALIASES_FILE = Path(__file__).resolve().parent / "data" / "unit_aliases.csv"


@cache
def _unit_words() -> dict[str, str]:
    with UNIT_ALIASES_FILE.open(encoding="utf-8", newline="") as aliases:
        return {places.plain(row["alias"]): row["code"] for row in csv.DictReader(aliases)}


def unit_code(text: str) -> str | None:
    """The UNECE Rec 20 code of a unit as officers write it ("kgs", "Tonnes", "pcs", "No.", "m3"), or None."""
    return _unit_words().get(places.plain(text)) if text.strip() else None


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


class Vocabulary:
    """What each choice column accepts: the stored value, or the label in English or the active language
    (a table's label "KGM – kilogram" also as "kilogram"), mapped to the stored value."""

    def __init__(self) -> None:
        self.words: dict[str, dict[str, str]] = {}
        self._looked_up: dict[tuple[str, str], str] = {}
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
            words.setdefault(fold(value), value)
        for value, label in choices:
            words.setdefault(fold(label), value)
            if " – " in label:
                words.setdefault(fold(label.split(" – ", 1)[1]), value)

    def knows(self, column: str, text: str) -> bool:
        return fold(text) in self.words.get(column, {})

    def value(self, column: str, text: str) -> str:
        text = text.strip()
        if not text:
            return ""  # most cells of a row: nothing to look up
        if column not in self.words and column not in COUNTRY_COLUMNS and column != "unit":
            return text  # free text (a place, a summary): nothing to look up either
        # The same few words fill a choice column all down a file (countries, units, conventions): each is looked
        # up once for the file.
        key = (column, text)
        found = self._looked_up.get(key)
        if found is None:
            found = self._looked_up[key] = self._value(column, text)
        return found

    def _value(self, column: str, text: str) -> str:
        if column in COUNTRY_COLUMNS:
            # Codes, names in English, French or Spanish, the UN's forms and usual abbreviations (accounts.places).
            return places.country_code(text) or text
        known = self.words.get(column, {}).get(fold(text))
        if known is None and column == "unit":
            known = unit_code(text)
        return known or text


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


# --- Columns the officer maps on the import's page ------------------------------------------------------
# A header nobody recognised is mapped by the officer to one of our columns, or left out; the choice is
# remembered for the organisation by its header as compared (``header_key``). A suggestion is the column whose
# known names (ours, the form's labels in English, French and Spanish, the usual headers above) are closest to
# the header: rapidfuzz's token-set ratio (a header holding a known name, "Location of incident") averaged with
# its token-sort ratio (the same words in another order, not a longer header), so that a header merely holding
# one short word ("country") does not beat a header that reads as a whole like a known name.
SUGGESTION_CUTOFF = 60
# What a national report gives once for the whole file rather than in a column: the Party (the country of
# seizure), the convention of a CITES or Basel report, and a date of seizure for rows without one.
REPORT_COLUMNS = ("country", "convention", "date")


def header_key(text: str) -> str:
    """A header as remembered and compared: accents, case and punctuation do not count."""
    return places.plain(text)[:200]


@cache
def _known_names() -> tuple[tuple[str, str], ...]:
    names = {(name, column) for name, column in _header_words().items()}
    names |= {(column.replace("_", " "), column) for column in COLUMNS}
    return tuple(sorted(names))


def suggestion(text: str) -> str:
    """The column a header most likely stands for, or "" (leave it out) when none is close enough."""
    plain = places.plain(text)
    best, best_score = "", float(SUGGESTION_CUTOFF)
    for name, column in _known_names():
        score = (fuzz.token_set_ratio(plain, name) + fuzz.token_sort_ratio(plain, name)) / 2
        if score > best_score:
            best, best_score = column, score
    return best


def column_labels() -> list[tuple[str, str]]:
    """Each column a header may be mapped to, with its label in the reader's language, in the template's order."""
    return [(column["name"], f"{column['label']} ({column['name']})") for column in column_guide()]


_PARTY_WORDS = frozenset(
    {"party", "partie", "parte", "reporting party", "country", "pays", "pais", "reporting country"}
)
_YEAR_WORDS = frozenset(
    {"year", "year of report", "reporting year", "annee", "annee du rapport", "ano", "ano del informe"}
)
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def title_hints(titles: Iterable[Iterable[str]]) -> dict[str, str]:
    """What the rows above the header say of the whole report: "Party: Kenya" (or "Party:" then "Kenya" in the
    next cell) gives the country of seizure, "Year: 2025" the year, a title naming CITES the convention."""
    hints: dict[str, str] = {}
    for row in titles:
        cells = [cell for cell in row if cell]
        for position, cell in enumerate(cells):
            label, _colon, rest = cell.partition(":")
            value = rest.strip() or (cells[position + 1] if _colon and position + 1 < len(cells) else "")
            word = places.plain(label)
            if word in _PARTY_WORDS and value and "country" not in hints:
                code = places.country_code(value)
                if code:
                    hints["country"] = code
            elif word in _YEAR_WORDS and "year" not in hints:
                found = _YEAR.search(value)
                if found:
                    hints["year"] = found.group(0)
            if "convention" not in hints and re.search(r"\bCITES\b", cell):
                hints["convention"] = "cites"
    return hints
