"""The analytics dashboard: seizures over time, top routes, a world map and top species and substances.

A GET form (period, convention, region) chooses what is counted; the figures come from seizures.analytics
and are drawn on the server as inline SVG (seizures.charts), so the page needs no JavaScript and stays light
on slow links. Each chart is followed by a table holding every number it shows: the accessible version.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts import places
from environet.dates import EARLIEST
from environet.http import SignedInRequest
from reference import tables
from seizures import access, charts
from seizures import analytics as figures
from seizures.forms import country_label
from seizures.models import CONVENTION_TOPICS, Convention
from topics.models import TOPIC_NAMES

TEMPLATE = "seizures/analytics.html"
MAX_MONTHS = 120  # beyond ten years the monthly columns become too thin to read
CONVENTIONS = dict(Convention.choices)
# One palette per page, keyed by convention: a convention has the same colour in every chart, and a topic
# that of the first convention discussed under it (CITES and B, Montreal and D...), never another's.
CONVENTION_ORDER = list(Convention.values)
TOPIC_CONVENTIONS = {
    topic: next(c for c in CONVENTION_ORDER if CONVENTION_TOPICS[c] == topic)
    for topic in set(CONVENTION_TOPICS.values())
}
ROUTE_COLOUR = charts.MUTED  # routes are not about conventions: no palette colour, so none means two things


def convention_slots(codes: Sequence[str]) -> list[int]:
    return charts.palette_slots(codes, CONVENTION_ORDER)


def topic_slots(codes: Sequence[str]) -> list[int]:
    return convention_slots([TOPIC_CONVENTIONS.get(code, code) for code in codes])


# --- The filters ------------------------------------------------------------------------------------------


class MonthField(forms.DateField):
    """A month, as ``<input type="month">`` sends it (2026-03); browsers without that input show a text box
    in which the same form can be typed. Cleans to the first day of the month."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "2026-03"})
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Write a month as year and month, for example 2026-03.")}


def _territories() -> dict[str, str]:
    try:
        return dict(Locale.parse(get_language() or "en", sep="-").territories)
    except (UnknownLocaleError, ValueError):
        return dict(Locale("en").territories)


def region_choices() -> list[tuple[str, Any]]:
    """Continents, each with its sub-regions, named in the reader's language."""
    names = _territories()
    choices: list[tuple[str, Any]] = [("", gettext("The whole world"))]
    for continent, subregions in figures.REGIONS.items():
        name = names.get(continent, continent)
        options = sorted(
            ((code, names.get(code, code)) for code in subregions), key=lambda option: places.by_name(option[1])
        )
        choices.append((name, [(continent, gettext("%(region)s (all countries)") % {"region": name}), *options]))
    return choices


class AnalyticsForm(forms.Form):
    from_month = MonthField(label=_("From"), required=False)
    to_month = MonthField(label=_("To"), required=False)
    convention = forms.ChoiceField(
        label=_("Convention"), choices=[("", _("All conventions")), *Convention.choices], required=False
    )
    region = forms.ChoiceField(label=_("Region"), required=False, help_text=_("Where the goods were seized."))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        self.default = figures.default_filters(today)
        kwargs.setdefault("initial", {"from_month": self.default.start, "to_month": self.default.end})
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()  # type: ignore[attr-defined]

    def _clean_month(self, name: str) -> date | None:
        month: date | None = self.cleaned_data.get(name)
        if month is None:
            return None
        if month < EARLIEST:
            raise ValidationError(_("Choose %(month)s or later.") % {"month": EARLIEST.strftime("%Y-%m")})
        if month > self.default.end:
            raise ValidationError(_("This month has not begun yet: choose this month or an earlier one."))
        return month

    def clean_from_month(self) -> date | None:
        return self._clean_month("from_month")

    def clean_to_month(self) -> date | None:
        return self._clean_month("to_month")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("to_month") or self.default.end
        start = data.get("from_month") or figures.add_months(end, 1 - figures.DEFAULT_MONTHS)
        if start > end:
            self.add_error("to_month", _("This month is before the “From” month: choose a later one."))
        elif figures.months_between(start, end) > MAX_MONTHS:
            self.add_error("from_month", _("Choose a period of ten years or less."))
        data["from_month"], data["to_month"] = start, end
        return data

    def filters(self) -> figures.Filters:
        """The filters asked for; the default ones while the form is not filled in."""
        if not self.is_bound:
            return self.default
        data = self.cleaned_data
        return figures.Filters(
            start=data["from_month"], end=data["to_month"], convention=data["convention"], region=data["region"]
        )


# --- The sections of the page -----------------------------------------------------------------------------


@dataclass
class Row:
    heads: list[str]  # row headers (<th scope="row">)
    cells: list[str]


@dataclass
class Section:
    """One chart and the table that carries every number it shows."""

    slug: str
    title: str
    chart: SafeString
    caption: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


def month_label(month: date) -> str:
    return date_format(month, "M Y")


def _over_time(
    slug: str, title: str, periods: list[str], series: list[tuple[str, list[int]]], slots: list[int]
) -> Section:
    description = gettext(
        "Number of records per month. A record with goods of two kinds counts once in each, so a month's total "
        "can be more than its number of records."
    )
    rows = []
    for index, period in enumerate(periods):
        counts = [values[index] for _, values in series]
        # The total is the one the chart writes above the column: the sum of its parts.
        rows.append(Row([period], [charts.format_number(count) for count in [*counts, sum(counts)]]))
    return Section(
        slug=slug,
        title=title,
        chart=charts.columns_over_time(periods, series, title=title, description=description, slots=slots),
        caption=title,
        headers=[gettext("Month"), *(name for name, _ in series), gettext("Total")],
        rows=rows if series else [],
    )


def convention_label(code: str) -> str:
    return str(CONVENTIONS.get(code, code))


def by_convention(person, filters: figures.Filters, periods: list[str]) -> Section:
    found = figures.per_month_by_convention(person, filters)
    series = [(convention_label(code), values) for code, values in found]
    slots = convention_slots([code for code, _ in found])
    return _over_time("by-convention", gettext("Seizures per month, by convention"), periods, series, slots)


def by_topic(person, filters: figures.Filters, periods: list[str]) -> Section:
    found = figures.per_month_by_topic(person, filters)
    series = [(f"{code} – {TOPIC_NAMES.get(code, code)}", values) for code, values in found]
    slots = topic_slots([code for code, _ in found])
    return _over_time("by-topic", gettext("Seizures per month, by topic"), periods, series, slots)


def routes(person, filters: figures.Filters) -> Section:
    title = gettext("Top routes, from the country of origin to the country of destination")
    found = [
        (country_label(route.origin), country_label(route.destination), route.records)
        for route in figures.top_routes(person, filters)
    ]
    description = gettext("Number of records per route. Records that do not give both countries are left out.")
    return Section(
        slug="routes",
        title=title,
        chart=charts.flows(found, title=title, description=description, colour=ROUTE_COLOUR),
        caption=title,
        headers=[gettext("Country of origin"), gettext("Country of destination"), gettext("Records")],
        rows=[Row([origin, destination], [charts.format_number(count)]) for origin, destination, count in found],
    )


def countries(person, filters: figures.Filters) -> Section:
    title = gettext("Seizures by country of seizure")
    counts = figures.per_country(person, filters)
    names = {code: country_label(code) for code, _ in counts}
    description = gettext(
        "Each circle's area is in proportion to the number of records seized in the country. Places that are not "
        "on the map (the high seas, a country not known) are in the table only."
    )
    return Section(
        slug="countries",
        title=title,
        chart=charts.world_map(dict(counts), title=title, description=description, names=names),
        caption=title,
        headers=[gettext("Country of seizure"), gettext("Records")],
        rows=[Row([names[code]], [charts.format_number(count)]) for code, count in counts],
    )


def commodity_label(convention: str, code: str) -> str:
    """The name people read (a taxon with its common name, a Basel code with its description...)."""
    entry = tables.find(convention, code) if convention in tables.TABLES else None
    return entry.label if entry else code


def _amount(value: Decimal) -> str:
    """A quantity in the reader's language, with as many decimals as it has (three at most)."""
    decimals = min(3, max(0, -value.normalize().as_tuple().exponent))  # type: ignore[operator]
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def quantity_text(item: figures.Commodity) -> str:
    if item.quantity is None:
        return gettext("Different units") if item.measured_records else gettext("Not given")
    unit = tables.find("units", item.unit)
    text = f"{_amount(item.quantity)} {unit.row.get('name') if unit else item.unit}"
    if item.quantity_records == item.records:
        return text
    return ngettext(
        "%(quantity)s, from %(count)s of %(records)s record",
        "%(quantity)s, from %(count)s of %(records)s records",
        item.records,
    ) % {
        "quantity": text,
        "count": charts.format_number(item.quantity_records),
        "records": charts.format_number(item.records),
    }


def commodities(person, filters: figures.Filters) -> Section:
    title = gettext("Top species and substances")
    found = figures.top_commodities(person, filters)
    labels = [commodity_label(item.convention, item.code) for item in found]
    description = gettext("Number of records in which each was found.")
    return Section(
        slug="commodities",
        title=title,
        chart=charts.horizontal_bars(
            [(label, item.records) for label, item in zip(labels, found, strict=True)],
            title=title,
            description=description,
            categories=[
                (convention_label(item.convention), slot)
                for item, slot in zip(found, convention_slots([item.convention for item in found]), strict=True)
            ],
        ),
        caption=title,
        headers=[gettext("Species or substance"), gettext("Convention"), gettext("Records"), gettext("Total quantity")],
        rows=[
            Row(
                [label],
                [convention_label(item.convention), charts.format_number(item.records), quantity_text(item)],
            )
            for label, item in zip(labels, found, strict=True)
        ],
    )


def dashboard(person, filters: figures.Filters) -> dict[str, Any]:
    periods = [month_label(month) for month in figures.months(filters)]
    sections: Sequence[Section] = (
        by_convention(person, filters, periods),
        by_topic(person, filters, periods),
        routes(person, filters),
        countries(person, filters),
        commodities(person, filters),
    )
    return {
        "sections": sections,
        "total": figures.total(person, filters),
        "first_month": date_format(filters.start, "YEAR_MONTH_FORMAT"),
        "last_month": date_format(filters.end, "YEAR_MONTH_FORMAT"),
    }


@require_safe
def analytics(request: SignedInRequest) -> HttpResponse:
    person = request.user
    if not access.can_read(person):
        raise Http404
    form = AnalyticsForm(request.GET or None, today=timezone.localdate())
    if form.is_bound and not form.is_valid():
        # Only the form and what is wrong with it: charts of other filters would be mistaken for the answer.
        return render(request, TEMPLATE, {"form": form}, status=400)
    return render(request, TEMPLATE, {"form": form, **dashboard(person, form.filters())})
