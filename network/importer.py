"""Import an existing roadmap from a spreadsheet (XLSX or CSV): one row per activity, under a header row
naming the columns in English, French or Spanish (and the close variants such tables use), found even below
a title row.

Each row is turned into what the activity form takes (names of organisations, countries and regions, words
for types and statuses become their ids and codes) and checked by that form (``ActivityForm``, whose rules
are the actions'); then every activity is saved by ``actions.propose_activity``, in one transaction, so that
each is recorded and audited as if it had been proposed through the form. Nothing is saved unless every row
passes: the report names each problem by its row (as the spreadsheet numbers it) and its column (as the
file names it).
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel import Locale
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts import places
from accounts.models import Organisation, Person
from audit.actions import record
from messaging.actions import Refused
from network import access, actions, regions, selectors
from network.forms import ActivityForm
from network.models import Activity, ActivityType, Funding, Network, Status
from seizures.models import Convention
from topics.models import TOPIC_NAMES

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
HEADER_SEARCH = 30  # rows looked at for the header row

# Words that name each column, besides the field's own label in each language (``selectors.LABELS``).
# Compared without accents, case, punctuation or a plural "s".
HEADERS: dict[str, tuple[str, ...]] = {
    "title": ("title", "activity", "activity title", "name of activity", "activity name", "titre", "intitule",
              "titre de l activite", "activite", "nom de l activite", "titulo", "actividad", "titulo de la actividad",
              "nombre de la actividad"),
    "kind": ("type", "activity type", "type of activity", "kind", "category", "type d activite",
             "type de l activite", "categorie", "tipo", "tipo de actividad", "categoria"),
    "leads": ("lead", "lead organisation", "lead organization", "lead agency", "lead organisation s", "led by",
              "chef de file", "organisation chef de file", "organisme chef de file", "organisation responsable",
              "organisme responsable", "responsable", "pilote", "organizacion lider", "organizacion responsable",
              "lider", "organizacion principal", "organismo responsable"),
    "partners": ("partner", "partner organisation", "partner organization", "partenaire", "organisation partenaire",
                 "socio", "organizacion asociada", "asociado", "organizacion socia"),
    "countries": ("country", "target country", "beneficiary country", "countries covered", "pays", "pays cible",
                  "pays vise", "pays beneficiaire", "pais", "pais destinatario", "pais beneficiario",
                  "pais objetivo"),
    "regions": ("region", "target region", "region cible", "region visee", "region destinataria", "region objetivo"),
    "conventions": ("convention", "convenio", "convencion", "mea", "agreement", "accord", "acuerdo"),
    "topics": ("topic", "theme", "sujet", "thematique", "tema"),
    "commodity_focus": ("commodity focus", "commodity", "commodities", "waste stream", "product", "produit",
                        "marchandise", "produit cible", "mercancia", "producto", "producto objetivo"),
    "starts_on": ("start", "start date", "planned start", "from", "begin", "starting", "debut", "date de debut",
                  "debut prevu", "du", "inicio", "fecha de inicio", "inicio previsto", "desde"),
    "ends_on": ("end", "end date", "planned end", "to", "until", "fin", "date de fin", "fin prevue", "au",
                "fecha de fin", "fin prevista", "fecha final", "hasta", "fecha de finalizacion"),
    "funding_source": ("funding source", "source of funding", "donor", "funder", "funding source or donor",
                       "source de financement", "bailleur", "bailleur de fond", "donateur", "financeur",
                       "fuente de financiacion", "fuente de financiamiento", "donante", "financiador"),
    "amount": ("amount", "budget", "cost", "value", "montant", "cout", "valeur", "monto", "importe",
               "presupuesto", "costo", "coste"),
    "currency": ("currency", "devise", "monnaie", "moneda", "divisa"),
    "funding": ("funding", "secured sought", "funding status", "status of funding", "secured", "financement",
                "statut du financement", "etat du financement", "acquis recherche", "financement acquis",
                "financement acquis recherche", "financement acquis ou recherche",
                "financiacion", "estado de la financiacion", "asegurada por obtener", "financiamiento"),
    "description": ("description", "summary", "resume", "descripcion", "resumen"),
    "expected_outputs": ("expected output", "output", "deliverable", "expected result", "resultat attendu",
                         "produit attendu", "livrable", "resultado esperado", "producto esperado", "entregable"),
    "contact": ("contact", "contact person", "focal point", "personne de contact", "point focal",
                "persona de contacto", "contacto", "punto focal"),
    "status": ("status", "statut", "etat", "estado", "situacion", "activity status"),
}  # fmt: skip

# Words for the choices, besides their labels in each language.
KINDS = {
    ActivityType.TRAINING: ("training", "formation", "formacion", "capacitacion", "course", "cours", "curso"),
    ActivityType.WORKSHOP: ("workshop", "seminar", "atelier", "seminaire", "taller", "seminario"),
    ActivityType.JOINT_OPERATION: ("joint operation", "operation", "operation conjointe", "operacion conjunta",
                                   "operacion"),
    ActivityType.TOOL: ("tool", "guidance", "manual", "guide", "outil", "manuel", "herramienta", "guia", "manual"),
    ActivityType.AWARENESS: ("awareness", "awareness raising", "sensibilisation", "sensibilizacion"),
    ActivityType.STUDY: ("study", "research", "assessment", "etude", "recherche", "estudio", "investigacion"),
    ActivityType.OTHER: ("other", "autre", "otro", "otra"),
}  # fmt: skip
STATUSES = {
    Status.PROPOSED: ("proposed", "proposal", "propose", "proposition", "propuesto", "propuesta"),
    Status.PLANNED: ("planned", "planifie", "prevu", "planificado", "previsto", "programado"),
    Status.FUNDED: ("funded", "finance", "financiado"),
    Status.ONGOING: ("ongoing", "in progress", "underway", "en cours", "en curso", "en marcha"),
    Status.COMPLETED: ("completed", "complete", "done", "finished", "termine", "acheve", "realise",
                       "finalizado", "terminado", "completado", "realizado"),
    Status.POSTPONED: ("postponed", "delayed", "on hold", "reporte", "ajourne", "aplazado", "pospuesto"),
    Status.CANCELLED: ("cancelled", "canceled", "annule", "cancelado", "anulado"),
}  # fmt: skip
FUNDINGS = {
    Funding.SECURED: ("secured", "confirmed", "yes", "acquis", "obtenu", "garanti", "confirme", "oui",
                      "asegurado", "obtenido", "confirmado", "si"),
    Funding.SOUGHT: ("sought", "to be sought", "not secured", "pending", "no", "recherche", "a rechercher",
                     "demande", "non", "solicitado", "buscado", "por obtener", "pendiente"),
}  # fmt: skip
CONVENTIONS = {
    Convention.CITES: ("cites", "washington", "washington convention"),
    Convention.BASEL: ("basel", "basel convention", "bale", "convention de bale", "basilea", "convenio de basilea"),
    Convention.MONTREAL: ("montreal", "montreal protocol", "protocole de montreal", "protocolo de montreal"),
    Convention.STOCKHOLM: ("stockholm", "stockholm convention", "convention de stockholm", "estocolmo",
                           "convenio de estocolmo"),
    Convention.ROTTERDAM: ("rotterdam", "rotterdam convention", "convention de rotterdam", "roterdam",
                           "convenio de rotterdam", "convenio de roterdam"),
    Convention.TIMBER: ("timber", "bois", "madera"),
    Convention.FISH: ("fish", "fisheries", "poisson", "peche", "pesca", "peces"),
    Convention.LMO: ("lmo", "cartagena", "cartagena protocol", "ogm", "ovm"),
    Convention.OTHER: ("other", "autre", "otro"),
}  # fmt: skip


def plain(text: Any) -> str:
    """Words to compare: no accents, case, punctuation or trailing plural "s"."""
    value = unicodedata.normalize("NFKD", str(text or "")).casefold()
    value = "".join(character for character in value if not unicodedata.combining(character))
    words = re.sub(r"[^a-z0-9]+", " ", value.replace("(s)", "")).split()
    return " ".join(_singular(word) for word in words)


def _singular(word: str) -> str:
    """The same word for its singular and its plural, in English, French and Spanish headers.

    Not a grammar: both sides of a comparison go through it, so a singular may come out clipped ("pais"
    and "paises" both give "pai") as long as its plural comes out the same."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("iones"):  # regiones, organizaciones: región, organización
        return word[:-2]
    word = _PLURALS.get(word, word)
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


# Plurals in "-es" that the rules above would clip differently from their singular; only header words we
# meet, as "-es" is also the end of plurals like "codes" that lose only the "s".
_PLURALS = {"paises": "pais", "mujeres": "mujer", "statuses": "status"}


def _labels(label) -> list[str]:
    """A label in every language of the platform."""
    found = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found.append(str(label))
    return found


@cache
def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for name, words in HEADERS.items():
        for word in [*words, *_labels(selectors.LABELS[name])]:
            names.setdefault(plain(word), name)
    return names


def _choices(choices: Iterable[tuple[str, Any]], extra: dict) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices:
        for word in [value, *_labels(label), *extra.get(value, ())]:
            found.setdefault(plain(word), value)
    return found


@cache
def _kinds() -> dict[str, str]:
    return _choices(ActivityType.choices, KINDS)


@cache
def _statuses() -> dict[str, str]:
    return _choices(Status.choices, STATUSES)


@cache
def _fundings() -> dict[str, str]:
    return _choices(Funding.choices, FUNDINGS)


@cache
def _conventions() -> dict[str, str]:
    found = _choices(Convention.choices, CONVENTIONS)
    for value, label in Convention.choices:  # "Basel: hazardous waste" is also "Basel"
        for word in _labels(label):
            found.setdefault(plain(word.split(":")[0]), value)
    return found


@cache
def _topics() -> dict[str, str]:
    found = {plain(code): code for code in TOPIC_NAMES}
    for code, name in TOPIC_NAMES.items():
        for word in _labels(name):
            found.setdefault(plain(word), code)
            found.setdefault(plain(f"{code} {word}"), code)
    return found


@cache
def _regions() -> dict[str, str]:
    found = {code: code for code in regions.region_codes()}
    for language, _name in settings.LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in found:
                found.setdefault(plain(name), code)
    return found


# --- Reading the file ----------------------------------------------------------------------------------------


class Unreadable(Exception):
    """The file is not a spreadsheet we can read (the message says why)."""


def read_rows(name: str, content: bytes) -> list[list[Any]]:
    """The file's rows as lists of cell values (text, numbers, dates), at most ``MAX_ROWS`` of them."""
    if len(content) > MAX_BYTES:
        raise Unreadable(_("The file is larger than 2 MB. Split the roadmap into several files."))
    if name.lower().endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        return _xlsx_rows(content)
    if name.lower().endswith((".csv", ".txt")):
        return _csv_rows(content)
    raise Unreadable(_("Upload the roadmap as an Excel workbook (.xlsx) or a CSV file (.csv)."))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise Unreadable(_("This file cannot be read as an Excel workbook (.xlsx).")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + HEADER_SEARCH:
                raise Unreadable(_("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS})
        return rows
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise Unreadable(_("This CSV file's characters cannot be read; save it as UTF-8."))
    sample = "\n".join(line for line in text.splitlines()[:HEADER_SEARCH] if line.strip())
    counts = {delimiter: sample.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS + HEADER_SEARCH:
        raise Unreadable(_("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS})
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


# --- Turning rows into the form's data ---------------------------------------------------------------------


@dataclass
class Problem:
    row: int  # as the spreadsheet numbers it (1 is the first row); 0 for the file as a whole
    column: str  # the file's own header, or "" for the row as a whole
    message: str


@dataclass
class Row:
    number: int
    data: dict[str, Any]
    form: ActivityForm | None = None


@dataclass
class Report:
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field -> the file's header
    ignored: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[int, str]] | None:
    names = _header_names()
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        found: dict[int, str] = {}
        for position, value in enumerate(row):
            name = names.get(plain(_text(value)))
            if name and name not in found.values():
                found[position] = name
        if "title" in found.values() and len(found) >= 3:
            return index, found
    return None


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]|,", value) if part.strip()]


def _split_names(value: str) -> list[str]:
    """Organisation names: separated by ";" or new lines (a name may hold a comma), else by commas."""
    parts = [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]
    return parts


def _date(value: Any) -> date | str | None:
    """A date cell or text (2027-03-01, 01/03/2027, 1.3.2027); the text itself when it is none of these."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", "dmy")):
        match = re.fullmatch(pattern, text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return text
    return text


def _amount(value: Any) -> str:
    """An amount as the form takes it ("15000.50"), from 15 000,50 / 15,000.50 / 15.000,50 / 15000."""
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = re.sub(r"[\s\u00a0\u202f']", "", _text(value))
    if not text:
        return ""
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else text.replace(".", "").replace(",", ".")
    elif "," in text:
        head, _sep, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else text.replace(",", "")
    try:
        Decimal(text)
    except InvalidOperation:
        return text  # the form says it is not a number
    return text


class _Organisations:
    def __init__(self):
        self.by_name: dict[str, Organisation] = {}
        for organisation in Organisation.objects.filter(is_active=True, proposed=False):
            self.by_name.setdefault(plain(organisation.name), organisation)
            if organisation.short_name:
                self.by_name.setdefault(plain(organisation.short_name), organisation)

    def find(self, value: str) -> tuple[list[int], list[str]]:
        names = _split_names(value)
        found = [self.by_name.get(plain(name)) for name in names]
        if any(item is None for item in found) and len(names) == 1:  # "KRA, EIA": commas as separators
            names = _split(value)
            found = [self.by_name.get(plain(name)) for name in names]
        unknown = [name for name, item in zip(names, found, strict=True) if item is None]
        return [item.pk for item in found if item is not None], unknown


class _People:
    def __init__(self, network: Network):
        self.by_name: dict[str, Person] = {}
        for person in selectors.people_of(network):
            self.by_name.setdefault(person.email.casefold(), person)
            self.by_name.setdefault(plain(person.full_name), person)

    def find(self, value: str) -> Person | None:
        return self.by_name.get(value.strip().casefold()) or self.by_name.get(plain(value))


def _codes(value: str, table: dict[str, str]) -> tuple[list[str], list[str]]:
    found, unknown = [], []
    for part in _split(value):
        code = table.get(plain(part)) or table.get(part.strip().upper())
        if code:
            found.append(code)
        else:
            unknown.append(part)
    return found, unknown


def _row_data(
    cells: dict[str, Any], organisations: _Organisations, people: _People, complain: Callable[[str, str], None]
) -> dict[str, Any]:
    """What the activity form takes, from one row's cells (field -> value); what cannot be turned into it is
    told to ``complain(field, message)``."""
    text = {name: _text(value) for name, value in cells.items()}
    data: dict[str, Any] = {
        name: text.get(name, "")
        for name in ("title", "commodity_focus", "funding_source", "currency", "description", "expected_outputs")
    }
    data["kind"] = _choice(text.get("kind", ""), _kinds(), "kind", complain,
                           _("Unknown type of activity: “%(value)s”. Use training, workshop, joint operation, "
                             "tool, awareness raising, study or other."))  # fmt: skip
    status = text.get("status", "")
    data["status"] = (
        _choice(status, _statuses(), "status", complain, _("Unknown status: “%(value)s”.")) if status else "proposed"
    )
    data["funding"] = _choice(text.get("funding", ""), _fundings(), "funding", complain,
                              _("“%(value)s”: say whether the funding is secured or sought."))  # fmt: skip
    for name in ("leads", "partners"):
        pks, unknown = organisations.find(text.get(name, ""))
        data[name] = pks
        if unknown:
            complain(name, _("Unknown organisations: %(names)s. Use the names the platform knows them by.")
                     % {"names": "; ".join(unknown)})  # fmt: skip
    codes, unknown = places.countries_in(text.get("countries", ""))
    data["countries"] = ", ".join(codes)
    if unknown:
        complain("countries", _("Unknown countries: %(names)s. Use country names or ISO codes such as KE or CI.")
                 % {"names": "; ".join(unknown)})  # fmt: skip
    for name, table, message in (
        ("regions", _regions(), _("Unknown regions: %(names)s. Use UN M49 region names or codes such as 011.")),
        ("conventions", _conventions(), _("Unknown conventions: %(names)s.")),
        ("topics", _topics(), _("Unknown topics: %(names)s. Use the letters A to G.")),
    ):
        # Topics as the roadmap export writes them ("A – Hazardous waste, chemicals..., B – Wildlife"): by letter.
        lettered = re.findall(r"(?:^|[;,\n]\s*)([A-G])\s+[–-]\s", text.get(name, "")) if name == "topics" else []
        codes, unknown = (lettered, []) if lettered else _codes(text.get(name, ""), table)
        data[name] = codes
        if unknown:
            complain(name, message % {"names": "; ".join(unknown)})
    for name in ("starts_on", "ends_on"):
        value = _date(cells.get(name))
        if isinstance(value, str):
            complain(name, _("“%(value)s” is not a date. Write it as 2027-03-01 or 01/03/2027.") % {"value": value})
            value = None
        data[name] = value.isoformat() if value else ""
    data["amount"] = _amount(cells.get("amount"))
    contact = text.get("contact", "")
    data["contact"] = ""
    if contact:
        person = people.find(contact)
        if person is None:
            complain("contact", _("%(name)s is not a person of the network's organisations.") % {"name": contact})
        else:
            data["contact"] = person.pk
    return data


def _choice(value: str, table: dict[str, str], name: str, complain, message: str) -> str:
    if not value:
        return ""
    found = table.get(plain(value))
    if found is None:
        complain(name, message % {"value": value})
        return ""
    return found


def check(*, person: Person, network: Network, rows: list[list[Any]]) -> Report:
    """Every row turned into the activity form's data and checked by that form; nothing is saved."""
    report = Report()
    header = _find_header(rows)
    if header is None:
        report.problems.append(Problem(0, "", _(
            "No header row was found. One of the first rows must name the columns: title, type, lead "
            "organisation, countries, start, end..."
        )))  # fmt: skip
        return report
    index, positions = header
    report.header_row = index + 1
    report.columns = {name: _text(rows[index][position]) for position, name in positions.items()}
    report.ignored = [_text(value) for position, value in enumerate(rows[index])
                      if position not in positions and _text(value)]  # fmt: skip
    for name in ("title", "kind", "leads"):
        if name not in report.columns:
            report.problems.append(Problem(report.header_row, "", _("No column for “%(field)s” was found.")
                                           % {"field": selectors.LABELS[name]}))  # fmt: skip
    if report.problems:
        return report
    organisations, people = _Organisations(), _People(network)
    statuses = access.statuses_for(person, network)
    contacts = selectors.people_of(network)
    seen: dict[tuple, int] = {}
    for offset, cells in enumerate(rows[index + 1 :], start=index + 2):
        values = {name: cells[position] if position < len(cells) else None for position, name in positions.items()}
        if not any(_text(value) for value in values.values()):
            continue  # a blank row
        row = Row(number=offset, data={})
        told: set[str] = set()

        def complain(name: str, message: str, number: int = offset, told: set[str] = told) -> None:
            told.add(name)
            report.problems.append(Problem(number, report.columns.get(name, ""), message))

        row.data = _row_data(values, organisations, people, complain)
        if row.data["status"] and row.data["status"] not in statuses:
            complain(
                "status",
                _(
                    "Only the secretariat may give an activity the status “%(status)s”; leave the "
                    "column empty for a proposal."
                )
                % {"status": Status(row.data["status"]).label},
            )
            row.data["status"] = Status.PROPOSED
        form = ActivityForm(row.data, network=network, statuses=statuses, contacts=contacts)
        row.form = form
        if not form.is_valid():
            for name, errors in form.errors.items():
                if name in told:  # already said, in the file's own words
                    continue
                column = report.columns.get(name, "") if name != "__all__" else ""
                if name != "__all__" and not column and not row.data.get(name):
                    column = str(selectors.LABELS.get(name, name))
                for message in errors:
                    report.problems.append(Problem(offset, column, str(message)))
        else:
            draft = form.draft()
            key = (plain(draft.title), tuple(sorted(lead.pk for lead in draft.leads)), draft.starts_on)
            if key in seen:
                complain("title", _("Same title, lead organisations and planned start as row %(row)d.")
                         % {"row": seen[key]})  # fmt: skip
            else:
                seen[key] = offset
        report.rows.append(row)
        if len(report.rows) > MAX_ROWS:
            break
    if not report.rows and not report.problems:
        report.problems.append(Problem(0, "", _("The file has a header row but no activity under it.")))
    report.problems.sort(key=lambda problem: problem.row)
    return report


class Rejected(Exception):
    def __init__(self, report: Report):
        super().__init__(report.problems)
        self.report = report


def import_roadmap(*, request, person: Person, network: Network, name: str, content: bytes) -> list[Activity]:
    """Add every activity of the file to the roadmap, or none (``Rejected``, with the report)."""
    if not access.can_propose(person, network):
        raise Refused
    try:
        rows = read_rows(name, content)
    except Unreadable as error:
        raise Rejected(Report(problems=[Problem(0, "", str(error))])) from None
    report = check(person=person, network=network, rows=rows)
    if not report.ok:
        raise Rejected(report)
    with transaction.atomic():
        created = []
        for row in report.rows:
            assert row.form is not None
            try:
                created.append(
                    actions.propose_activity(request=request, person=person, network=network, draft=row.form.draft())
                )
            except actions.Invalid as error:  # an activity already in the roadmap, above all
                for field_name, message in error.errors.items():
                    report.problems.append(Problem(row.number, report.columns.get(field_name, ""), message))
        if report.problems:  # leaving the block by an exception rolls every row back
            raise Rejected(report)
        record(
            "network.roadmap_imported",
            request=request,
            actor=person,
            target=network,
            changes={"activities": [activity.pk for activity in created]},
        )
    return created
