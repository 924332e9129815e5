"""The forms of a seizure record: its facts, commodity lines, persons and companies, searches.

Every rule a record must follow is here, and the importer (seizures/importer.py) runs the same forms on
each spreadsheet row, so a typed record and an imported one are checked alike. Each problem is reported
on its own field, in plain words, and the officer's input comes back with it.
"""

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import places
from accounts.models import Organisation
from environet.dates import too_early  # the first year any date typed may have, in every app
from messaging.forms import AttachmentsField, AudienceForm
from messaging.models import Marking
from reference import identifiers, tables
from seizures import estimates
from seizures.models import (
    Concealment,
    Convention,
    DetectionMethod,
    Disposal,
    InformationCredibility,
    NominalEntry,
    Reason,
    SourceReliability,
    Status,
    TrafficType,
    TransportMode,
)
from seizures.problem_words import Words

# Codes ISO 3166 lacks that a route needs.
UNKNOWN_COUNTRY, HIGH_SEAS = "XX", "XZ"
# Tables a commodity line's code must be found in; the other conventions take what the officer wrote.
CODE_TABLES: dict[str, str] = {
    Convention.CITES: "cites",
    Convention.BASEL: "basel",
    Convention.MONTREAL: "montreal",
    Convention.STOCKHOLM: "stockholm",
    Convention.ROTTERDAM: "rotterdam",
}
# Suggested, not required: officers meet timber and fish species beyond our lists.
SUGGESTION_TABLES: dict[str, str] = {Convention.TIMBER: "timber", Convention.FISH: "fish"}


# Fields that only mean something for some modes of transport: a vessel at sea, a flight by air, a vehicle on
# road or rail. With any other known mode the group does not apply and what it holds is not saved; when the
# mode is not known (or "other"), every group applies.
TRANSPORT_GROUPS: tuple[tuple[str, Any, tuple[str, ...], tuple[str, ...]], ...] = (
    ("vessel", _("Vessel (sea)"), ("vessel_imo", "vessel_name"), (TransportMode.SEA,)),
    ("flight", _("Flight (air)"), ("flight_number",), (TransportMode.AIR_CARGO, TransportMode.AIR_PASSENGER)),
    ("vehicle", _("Vehicle (road or rail)"), ("vehicle",), (TransportMode.ROAD, TransportMode.RAIL)),
)
ANY_MODE = (TransportMode.UNKNOWN, TransportMode.OTHER, "")


def transport_group_applies(modes: tuple[str, ...], mode: str) -> bool:
    return mode in ANY_MODE or mode in modes


class Prepared(BaseChoiceIterator):
    """A choice list made once (per language, or per loaded table) and given to every form as it is.

    Django normalises a plain list each time it is assigned to a field, and copies it with each form: for the
    250 countries of the record form's five country fields and the units and specimen types of each commodity
    line, that was most of the cost of a form, paid again for every row of an import. Django takes a choice
    iterator as it is; this one is never changed, so copies of a form share it. It also finds a choice by its
    value or label (any case) without going through the list."""

    def __init__(self, choices: Iterable[tuple[str, str]]) -> None:
        self.choices = tuple((str(value), str(label)) for value, label in choices)
        self._values = frozenset(value for value, _label in self.choices)
        self._by_text: dict[str, str] = {}
        for value, label in self.choices:  # the first choice holding a text wins, as in a walk through the list
            if value:
                self._by_text.setdefault(value.casefold(), value)
                self._by_text.setdefault(label.casefold(), value)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def __deepcopy__(self, memo: dict[int, Any]) -> "Prepared":
        return self  # never changed: every copy of a form may share it

    def has(self, value: Any) -> bool:
        """Whether ``value`` is one of the choices' values, as Django's ``ChoiceField.valid_value`` compares."""
        return str(value) in self._values

    def value_for(self, text: str) -> str | None:
        """The value of the choice whose value or label is ``text`` (any case, without surrounding spaces)."""
        return self._by_text.get(text.strip().casefold())


class PreparedChoiceField(forms.ChoiceField):
    """A choice field whose choices are ``Prepared``: a value is looked up rather than compared with each of the
    250 countries, or each unit, in turn (what Django's own check does, for every country of every record)."""

    def valid_value(self, value: Any) -> bool:
        if isinstance(self.choices, Prepared):
            return self.choices.has(value)
        return super().valid_value(value)


def route_country_choices() -> Prepared:
    """Countries for a route, in the reader's language (made once per language: every form needs them)."""
    return _route_country_choices(get_language() or "en")


@cache
def _route_country_choices(language: str) -> Prepared:
    return Prepared(
        [
            ("", "—"),
            (UNKNOWN_COUNTRY, str(_("Not known"))),
            (HIGH_SEAS, str(_("High seas (international waters)"))),
            *places.country_choices(),
        ]
    )


def table_choices(name: str) -> Prepared:
    """A reference table's entries as choices (code, label), with an empty first choice: made once per loaded
    table (a table loaded anew, by ``manage.py import_reference``, is another object and gets its own)."""
    loaded = tables.table(name)
    made = _table_choices.get(name)
    if made is None or made[0] is not loaded:
        made = (loaded, Prepared([("", "—"), *((entry.code, entry.label) for entry in loaded.entries)]))
        _table_choices[name] = made
    return made[1]


_table_choices: dict[str, tuple[tables.Table, Prepared]] = {}


def country_label(code: str) -> str:
    """A country's name in the reader's language, including the codes only seizures use."""
    extra = {UNKNOWN_COUNTRY: _("Not known"), HIGH_SEAS: _("High seas (international waters)")}
    return str(extra[code]) if code in extra else places.country_name(code)


def country_code(text: str) -> str | None:
    """A country typed as its ISO code or its name (in the reader's language or in English)."""
    return route_country_choices().value_for(text) if text.strip() else None


COUNTRY_NAMES = "country-names"


class CountryInput(forms.TextInput):
    """A country typed as its name, suggested from the page's one list of names (``COUNTRY_NAMES``), or as
    its ISO code. In place of a <select> of 250 countries: the seizure form has five country fields, whose
    option lists made up two thirds of its weight. The field stays a choice of codes; a name typed in the
    reader's language (or a code) becomes the code, anything else is refused as not one of the choices."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"list": COUNTRY_NAMES, "autocomplete": "off", **(attrs or {})})
        self.choices: Any = []

    def format_value(self, value: Any) -> str | None:
        names = {str(code): str(name) for code, name in self.choices if code}
        return super().format_value(names.get(str(value), value) if value else value)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        typed = super().value_from_datadict(data, files, name)
        if not isinstance(typed, str):
            return typed
        if isinstance(self.choices, Prepared):
            return self.choices.value_for(typed) or places.country_code(typed) or typed.strip()
        wanted = typed.strip().casefold()
        for code, label in self.choices:
            if code and wanted in (str(code).casefold(), str(label).casefold()):
                return code
        # The import's vocabulary: a name in English, French or Spanish, a long form or a usual abbreviation.
        return places.country_code(typed) or typed.strip()


# What a country field says of what it refuses, instead of Django's "Select a valid choice".
COUNTRY_REFUSED = _("Type a country's name in English, French or Spanish, or its two-letter code, e.g. Kenya or KE.")


class CountryField(PreparedChoiceField):
    """A country typed as the import reads it (``CountryInput``), saved as its code."""

    widget = CountryInput
    default_error_messages = {"invalid_choice": COUNTRY_REFUSED}


def _container_parts(text: str) -> list[str]:
    """Container numbers as typed: separated by commas, semicolons or new lines; each may be written with
    spaces or hyphens ("CSQU 305438-3"), and several may be run together with spaces only."""
    parts = []
    for piece in re.split(r"[,;\n]+", text.upper()):
        compact = re.sub(r"[\s.-]", "", piece)
        if len(compact) > 11 and len(compact) % 11 == 0:
            parts += [compact[start : start + 11] for start in range(0, len(compact), 11)]
        elif piece.strip():
            parts.append(piece.strip())
    return parts


def _validated(function, value: str) -> str:
    return function(value) if value.strip() else ""


class SeizureForm(AudienceForm):
    """The non-nominal facts of a record, its audience and marking, and new photos or documents."""

    occurred_on = forms.DateField(label=_("Date of seizure"), widget=forms.DateInput(attrs={"type": "date"}))
    country = CountryField(label=_("Country of seizure"))
    place = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("Port, airport, border post, town.")
    )
    locode = forms.CharField(
        label=_("UN/LOCODE"),
        max_length=10,
        required=False,
        help_text=_("The place's five-letter code, for example KEMBA for Mombasa. Optional."),
    )
    detection_method = forms.ChoiceField(
        label=_("How it was detected"), choices=DetectionMethod.choices, initial=DetectionMethod.UNKNOWN
    )
    transport_mode = forms.ChoiceField(
        label=_("Mode of transport"), choices=TransportMode.choices, initial=TransportMode.UNKNOWN
    )
    vessel_imo = forms.CharField(label=_("Vessel IMO number"), max_length=20, required=False)
    vessel_name = forms.CharField(label=_("Vessel name"), max_length=100, required=False)
    flight_number = forms.CharField(
        label=_("Flight number"), max_length=12, required=False, help_text=_("For example KQ 310.")
    )
    vehicle = forms.CharField(label=_("Vehicle registration"), max_length=20, required=False)
    tracking_number = forms.CharField(label=_("Postal or courier tracking number"), max_length=40, required=False)
    containers = forms.CharField(
        label=_("Container numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or more, separated by commas or new lines, for example MSCU1234566."),
    )
    air_waybill = forms.CharField(
        label=_("Air waybill"), max_length=20, required=False, help_text=_("For example 176-12345675.")
    )
    origin_country = CountryField(label=_("Country of origin"), required=False)
    export_country = CountryField(label=_("Country of export"), required=False)
    transit_countries = forms.CharField(
        label=_("Transit countries, in order"),
        max_length=300,
        required=False,
        help_text=_("Country codes or names separated by commas, for example “AE, QA”."),
    )
    destination_country = CountryField(label=_("Country of destination"), required=False)
    declared_goods = forms.CharField(
        label=_("Goods declared"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    found_goods = forms.CharField(
        label=_("Goods found"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    concealment = forms.ChoiceField(
        label=_("Concealment method"), choices=[("", "—"), *Concealment.choices], required=False
    )
    concealment_details = forms.CharField(
        label=_("How the goods were concealed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    summary = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_(
            "The facts others may read. Do not write names of persons or companies, or their numbers, here: "
            "put them under “Persons and companies involved”, which only your organisation sees."
        ),
    )
    reason = forms.ChoiceField(label=_("Reason for seizure"), choices=[("", "—"), *Reason.choices], required=False)
    legal_basis = forms.CharField(label=_("Law under which charges were brought"), max_length=300, required=False)
    sanction = forms.CharField(label=_("Sanction or outcome"), max_length=300, required=False)
    disposal = forms.ChoiceField(
        label=_("What became of the goods"), choices=[("", "—"), *Disposal.choices], required=False
    )
    traffic_types = forms.MultipleChoiceField(
        label=_("Type of illegal traffic (Basel Convention, Article 9)"),
        choices=TrafficType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source_reliability = forms.ChoiceField(
        label=_("Source"), choices=SourceReliability.choices, initial=SourceReliability.A
    )
    information_credibility = forms.ChoiceField(
        label=_("Information"), choices=InformationCredibility.choices, initial=InformationCredibility.KNOWN_TRUE
    )
    attachments = AttachmentsField(label=_("Photos and documents"), required=False)

    # The form's parts as the page shows them, each under its heading and listed in the contents at the top: the
    # commodities come at the end of "what was seized", the persons and companies involved make their own part.
    PARTS = (
        (
            "happened",
            _("What happened"),
            (
                *("occurred_on", "country", "place", "locode", "detection_method", "summary"),
                *("reason", "legal_basis", "sanction", "disposal", "traffic_types"),
            ),
        ),
        (
            "travelled",
            _("Where and how it travelled"),
            (
                *("transport_mode", "@vessel", "@flight", "@vehicle", "tracking_number", "containers", "air_waybill"),
                *("origin_country", "export_country", "transit_countries", "destination_country"),
            ),
        ),
        ("seized", _("What was seized"), ("declared_goods", "found_goods", "concealment", "concealment_details")),
        ("involved", _("Who was involved"), ()),
        ("files", _("Photos and documents"), ("attachments",)),
        (
            "sharing",
            _("Sharing: who may read it, and how reliable it is"),
            (
                *("marking", "audience", "organisations", "countries", "people"),
                *("source_reliability", "information_credibility"),
            ),
        ),
    )

    def parts(self) -> dict[str, dict[str, Any]]:
        """Each part by its key: its heading and its fields ("@vessel" and the like stand for a transport group)."""
        groups = {group["key"]: group for group in self.transport_groups()}
        return {
            key: {
                "key": key,
                "heading": str(heading),
                "fields": [groups[name[1:]] if name.startswith("@") else self[name] for name in names],
            }
            for key, heading, names in self.PARTS
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"].initial = Marking.AMBER
        self.fields["country"].choices = route_country_choices()  # type: ignore[attr-defined]
        for name in ("origin_country", "export_country", "destination_country"):
            self.fields[name].choices = route_country_choices()  # type: ignore[attr-defined]

    def clean_occurred_on(self) -> date:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date of seizure cannot be in the future."))
        if too_early(day):
            raise ValidationError(_("The date of seizure cannot be before 1950: check the year."))
        return day

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        if country in (UNKNOWN_COUNTRY, ""):
            raise ValidationError(_("Choose the country where the goods were seized."))
        return country

    def clean_locode(self) -> str:
        text = self.cleaned_data["locode"].strip()
        if not text:
            return ""
        entry = tables.locode(text)
        if entry is None:
            raise ValidationError(
                _("“%(code)s” is not in ENVIRONET's list of UN/LOCODE places. Leave it empty and write the place."),
                params={"code": text},  # kept apart, so that an import says it in its reader's language
            )
        return entry.code

    def clean_vessel_imo(self) -> str:
        return _validated(identifiers.imo_number, self.cleaned_data["vessel_imo"])

    def clean_air_waybill(self) -> str:
        return _validated(identifiers.air_waybill, self.cleaned_data["air_waybill"])

    def clean_flight_number(self) -> str:
        flight = re.sub(r"[\s-]", "", self.cleaned_data["flight_number"]).upper()
        if flight and not re.fullmatch(r"[A-Z0-9]{2}[A-Z]?\d{1,4}[A-Z]?", flight):
            raise ValidationError(_("A flight number is the airline's code and 1 to 4 digits, for example KQ310."))
        return flight

    def clean_containers(self) -> list[str]:
        numbers: list[str] = []
        problems: list[ValidationError] = []
        for part in _container_parts(self.cleaned_data["containers"]):
            try:
                number = identifiers.container_number(part)
            except ValidationError as problem:
                # "CSQU3054384: The check digit should be 3…", kept as its message and parameters (the number as
                # written, and the validator's own message) so that an import says it in its reader's language.
                problems += [
                    ValidationError(
                        _("%(label)s: %(problem)s"),
                        code=error.code,
                        params={"label": part, "problem": Words.of_error(error)},
                    )
                    for error in problem.error_list
                ]
                continue
            if number not in numbers:
                numbers.append(number)
        if problems:
            raise ValidationError(problems)
        return numbers

    def clean_transit_countries(self) -> list[str]:
        codes, unknown = [], []
        for part in re.split(r"[,;\n]+", self.cleaned_data["transit_countries"]):
            if not part.strip():
                continue
            code = country_code(part)
            if code is None:
                unknown.append(part.strip())
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise ValidationError(
                _("Not a country: %(names)s. Write country codes (KE) or names (Kenya)."),
                params={"names": ", ".join(unknown)},
            )
        return codes

    def transport_groups(self) -> list[dict[str, Any]]:
        """The vessel, flight and vehicle groups as the page shows them, with the modes each is for."""
        return [
            {
                "key": key,
                "legend": legend,
                "fields": [self[name] for name in names],
                "modes": " ".join(modes),
                "any_modes": " ".join(mode for mode in ANY_MODE if mode),
            }
            for key, legend, names, modes in TRANSPORT_GROUPS
        ]

    def _drop_other_modes(self, data: dict[str, Any]) -> None:
        """What was typed in a group that does not apply to the mode of transport is not saved (and, not being
        saved, not judged either): a vessel's name left behind after choosing "Air cargo" is dropped."""
        mode = data.get("transport_mode", "")
        for _key, _legend, names, modes in TRANSPORT_GROUPS:
            if transport_group_applies(modes, mode):
                continue
            for name in names:
                data[name] = ""
                self.errors.pop(name, None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._drop_other_modes(data)
        locode, country = data.get("locode"), data.get("country")
        if locode and country and locode[:2] != country:
            self.add_error(
                "locode",
                ValidationError(
                    _("%(code)s is a place in %(place_country)s, not in the country of seizure."),
                    params={"code": locode, "place_country": country_label(locode[:2])},
                ),
            )
        return data


class QuantityField(forms.DecimalField):
    """One number. A range ("200-300") or an open bound ("300+") is refused saying to give one number and mark
    it approximate (seizures.estimates)."""

    def to_python(self, value):
        refused = estimates.refusal(value) if isinstance(value, str) else None
        if refused is not None:
            raise refused
        return super().to_python(value)


class LineForm(forms.Form):
    """One commodity: its convention and code, the HS code, quantity and value."""

    convention = forms.ChoiceField(label=_("Convention"), choices=[("", "—"), *Convention.choices], required=False)
    code = forms.CharField(
        label=_("Species, code or substance"),
        max_length=200,
        required=False,
        help_text=_("The scientific name, Basel code (Y46, A1181), substance (HCFC-22) or chemical."),
    )
    specimen_type = PreparedChoiceField(label=_("Specimen type (CITES)"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    cas_number = forms.CharField(label=_("CAS number"), max_length=20, required=False)
    vessel_imo = forms.CharField(label=_("Fishing vessel IMO number"), max_length=20, required=False)
    vessel_name = forms.CharField(label=_("Fishing vessel name"), max_length=100, required=False)
    hs_code = forms.CharField(label=_("HS code"), max_length=12, required=False, help_text=_("HS 2022, six digits."))
    quantity = QuantityField(label=_("Quantity"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=3)
    approximate = forms.BooleanField(
        label=_("Approximate"), required=False, help_text=_("The quantity is an estimate: it is shown as “about”.")
    )
    unit = PreparedChoiceField(label=_("Unit"), required=False)
    value = forms.DecimalField(
        label=_("Estimated value"), required=False, min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("For example USD, EUR, KES.")
    )

    def __init__(self, *args, on: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.on = on  # the date of seizure: Basel codes are checked as they were then
        self.fields["specimen_type"].choices = table_choices("specimens")  # type: ignore[attr-defined]
        self.fields["unit"].choices = table_choices("units")  # type: ignore[attr-defined]
        if self.prefix:
            # Species, codes and substances suggested as the officer types (htmx fills the line's <datalist>
            # from seizures:codes); without JavaScript the field takes free text, checked by clean().
            self.fields["code"].widget.attrs.update(
                {
                    "list": f"{self.prefix}-codes",
                    "autocomplete": "off",
                    "hx-get": reverse("seizures:codes"),
                    # As the officer types, and when the line's convention changes (another table to look in).
                    "hx-trigger": f"input changed delay:250ms, change from:#id_{self.prefix}-convention",
                    "hx-target": f"#{self.prefix}-codes",
                    "hx-swap": "outerHTML",
                    "hx-include": f"#id_{self.prefix}-convention",
                    "hx-vals": json.dumps({"prefix": self.prefix}),
                }
            )

    def clean_cas_number(self) -> str:
        return _validated(identifiers.cas_number, self.cleaned_data["cas_number"])

    def clean_vessel_imo(self) -> str:
        return _validated(identifiers.imo_number, self.cleaned_data["vessel_imo"])

    def clean_hs_code(self) -> str:
        text = self.cleaned_data["hs_code"].strip()
        if not text:
            return ""
        code = tables.hs_code(text)
        if code is None:
            raise ValidationError(
                _("“%(code)s” is not an HS 2022 subheading: write its six digits, for example 0507.10."),
                params={"code": text},
            )
        return code

    def clean_approximate(self) -> bool:
        # The checkbox sends "on", the API a boolean, a spreadsheet its own words: read those, refuse the rest
        # (a checkbox would take any text for yes).
        ticked = estimates.flag(self.data.get(self.add_prefix("approximate")))
        if ticked is None:
            raise ValidationError(estimates.FLAG_MESSAGE)
        return ticked

    def clean_currency(self) -> str:
        text = self.cleaned_data["currency"].strip()
        if not text:
            return ""
        code = tables.currency(text)
        if code is None:
            raise ValidationError(
                _("“%(code)s” is not a currency code: use three letters, for example USD."), params={"code": text}
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        convention, code = data.get("convention", ""), data.get("code", "").strip()
        if not convention:
            self.add_error("convention", _("Choose the convention this commodity falls under (or “Other”)."))
            return data
        if not code:
            self.add_error("code", _("Write the species, code or substance seized."))
            return data
        data["code"], data["reference_version"] = self._checked_code(convention, code)
        if data.get("quantity") is not None and not data.get("unit"):
            self.add_error("unit", _("Choose the unit of the quantity."))
        if data.get("approximate") and data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("approximate", _("Give the approximate quantity, or leave “approximate” unticked."))
        if data.get("value") is not None and not data.get("currency"):
            self.add_error("currency", _("Write the currency of the value."))
        return data

    def _checked_code(self, convention: str, code: str) -> tuple[str, str]:
        name = CODE_TABLES.get(convention) or SUGGESTION_TABLES.get(convention)
        if name is None:
            return code, ""
        table = tables.table(name)
        entry = tables.find(name, code)
        if entry is None and name in SUGGESTION_TABLES.values():
            return code, ""
        if entry is None and name == "cites" and not _close_matches(name, code):
            # A taxon the tables do not list at all (nor its genus) may still be traded under a higher-taxon
            # listing they cannot see: it is kept as written and shown "not in the reference tables" for
            # review (seizures.selectors.what_the_code_says), rather than blocking the record. A name spelt
            # nearly like a listed one is taken for a slip and refused with the listed name.
            written = scientific_name(code)
            if written:
                return written, ""
        if entry is None:
            self.add_error("code", self._unknown(name, code))
            return code, table.version
        if name == "basel" and self.on is not None and tables.find(name, code, on=self.on) is None:
            self.add_error("code", self._not_valid_then(entry))
        return entry.code, table.version

    @staticmethod
    def _unknown(name: str, code: str) -> ValidationError:
        """A code not in its table, with the entries spelt like it. Its sentences are kept as their messages and
        parameters (seizures/problem_words.py), so that an import says them in its reader's language; the form
        shows them joined, in the active language, as before."""
        near = tables.search(name, code, limit=3) or _close_matches(name, code)
        sentences: list[Words | Promise] = [
            Words.of(
                _("“%(code)s” is not in ENVIRONET's list for %(table)s."),
                {"code": code, "table": _(tables.table(name).title)},  # the title's msgid (Table.display_title)
            )
        ]
        if near:
            # The entries' labels are the tables' own text (a common name in the checker's language), not messages.
            sentences.append(Words.of(_("Did you mean: %(names)s?"), {"names": "; ".join(e.label for e in near)}))
        if name == "cites":
            sentences.append(
                _("A taxon not in the list can be filed under its genus or family (for example “Psittaciformes spp.”).")
            )
        # Words is said by str(), as a lazy translation is: Django says a message without params no other way.
        return ValidationError(Words.joined(" ", sentences), code="unknown_code")  # type: ignore[arg-type]

    def _not_valid_then(self, entry: tables.Entry) -> ValidationError:
        row = entry.row
        return ValidationError(
            _("%(code)s was valid from %(start)s to %(end)s, not on the date of seizure."),
            params={"code": entry.code, "start": row.get("valid_from") or "—", "end": row.get("valid_to") or "—"},
        )


# A scientific name as officers write one: a genus and up to three more words (species, subspecies, "spp."),
# letters only, in any case ("python regius", "DENDROBIUM spp.").
_SCIENTIFIC_NAME = re.compile(r"[^\W\d_]{2,}(?: (?:[^\W\d_]{2,}|[×x]|spp?\.?)){0,3}")


def scientific_name(text: str) -> str:
    """``text`` written as a scientific name ("python  REGIUS" -> "Python regius"), or "" when it is not one."""
    words = text.split()
    if not _SCIENTIFIC_NAME.fullmatch(" ".join(words)):
        return ""
    return " ".join([words[0].capitalize(), *(word.lower() for word in words[1:])])


def _close_matches(name: str, code: str) -> list[tables.Entry]:
    """Entries spelt nearly like ``code`` ("Loxodonta africanus" -> "Loxodonta africana")."""
    entries = {entry.code.casefold(): entry for entry in tables.table(name).entries}
    return [entries[match] for match in difflib.get_close_matches(code.casefold(), entries, n=3, cutoff=0.8)]


MAX_LINES = 50


def no_line() -> str:
    """What a record without a commodity line is told, on the page and by the API."""
    return str(_("Give at least one commodity line."))


def too_many_lines() -> str:
    """What a record of more than MAX_LINES commodity lines is told, on the page and by the API."""
    return _("A record has at most %(limit)d lines.") % {"limit": MAX_LINES}


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, on: date | None = None, **kwargs) -> None:
        self.on = on
        super().__init__(*args, **kwargs)
        # Django's own words would be "Please submit at least 1 form." (it formats them with %(num)d).
        self.error_messages: dict[str, Any] = {
            **self.error_messages,
            "too_few_forms": no_line(),
            "too_many_forms": too_many_lines(),
        }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "on": self.on}


LineFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(
        LineForm, formset=BaseLineFormSet, extra=0, min_num=1, validate_min=True, max_num=MAX_LINES, validate_max=True
    ),
)


class NominalForm(forms.Form):
    """A person or company involved: what names them is kept encrypted, for the reporting organisation and
    those it grants."""

    kind = forms.ChoiceField(
        label=_("Person or company"), choices=NominalEntry.Kind.choices, initial=NominalEntry.Kind.PERSON
    )
    role = forms.ChoiceField(label=_("Role"), choices=NominalEntry.Role.choices, initial=NominalEntry.Role.SUSPECT)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    identifiers = forms.CharField(
        label=_("Identity, passport or registration numbers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, for example “Passport: X1234567”."),
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    nationality = CountryField(label=_("Nationality or country of registration"), required=False)
    born_on = forms.DateField(label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", "—"), *places.country_choices()]  # type: ignore[attr-defined]

    def clean_identifiers(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["identifiers"].splitlines() if line.strip()]

    def clean_born_on(self) -> date | None:
        born = self.cleaned_data["born_on"]
        if born and not (date(1900, 1, 1) <= born <= timezone.localdate()):
            raise ValidationError(_("This date of birth is not possible: check the year."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name", "").strip() and (data.get("identifiers") or data.get("address", "").strip()):
            self.add_error("name", _("Write the name of the person or company these details belong to."))
        if data.get("born_on") and data.get("kind") == NominalEntry.Kind.COMPANY:
            self.add_error("born_on", _("A company has no date of birth."))
        return data


NominalFormSet = forms.formset_factory(NominalForm, extra=1, max_num=30, validate_max=True)


class GrantsForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations that may read the persons and companies involved"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Why it is closed (optional)"), max_length=300, required=False)


class ContactForm(forms.Form):
    note = forms.CharField(
        label=_("A note for the other officer (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Do not write names of persons or companies: they do not know them yet."),
    )


def _code_field(required: bool = False) -> forms.CharField:
    return forms.CharField(label=_("Species, code or substance"), max_length=200, required=required)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    convention = forms.ChoiceField(label=_("Convention"), choices=[("", _("Any")), *Convention.choices], required=False)
    code = _code_field()
    country = forms.ChoiceField(label=_("Country (seized there or on the route)"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Reporting organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *Status.choices], required=False)
    transport_mode = forms.ChoiceField(
        label=_("Mode of transport"), choices=[("", _("Any")), *TransportMode.choices], required=False
    )
    marking = forms.ChoiceField(label=_("Handling"), choices=[("", _("Any")), *Marking.choices], required=False)
    date_from = forms.DateField(label=_("Seized from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Seized until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    container = forms.CharField(label=_("Container number"), max_length=20, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any")), *places.country_choices()]  # type: ignore[attr-defined]

    def clean_container(self) -> str:
        return _validated(identifiers.container_number, self.cleaned_data["container"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class FollowForm(forms.Form):
    """Criteria to follow: each new shared record matching all of them is announced."""

    name = forms.CharField(label=_("Name of this search"), max_length=100)
    convention = forms.ChoiceField(label=_("Convention"), choices=[("", _("Any")), *Convention.choices], required=False)
    code = _code_field()
    country = forms.ChoiceField(label=_("Country (seized there or on the route)"), required=False)
    company = forms.CharField(
        label=_("Company"),
        max_length=200,
        required=False,
        help_text=_("Matched on the name, whatever its legal form (Ltd, S.A....). Only you see what you wrote."),
    )
    by_email = forms.BooleanField(label=_("Also tell me by email"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any")), *places.country_choices()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        criteria = ("convention", "code", "country", "company")
        # A criterion refused (a company name too long) was given: its own message says what is wrong.
        if not any(data.get(name) or name in self.errors for name in criteria):
            raise ValidationError(
                _("Choose at least one thing to follow: a convention, a species or substance, a country or a company.")
            )
        code, convention = data.get("code", "").strip(), data.get("convention", "")
        if code:
            data["code"] = self._known_code(code, convention)
        return data

    def _known_code(self, code: str, convention: str) -> str:
        names = [CODE_TABLES[convention]] if convention in CODE_TABLES else list(CODE_TABLES.values())
        for name in names:
            entry = tables.find(name, code)
            if entry is not None:
                return entry.code
        if convention in SUGGESTION_TABLES or convention in (Convention.LMO, Convention.OTHER):
            return code
        self.add_error("code", _("“%(code)s” is not a species, code or substance ENVIRONET knows.") % {"code": code})
        return code
