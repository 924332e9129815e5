"""Pages of a network's coverage (gaps, geographic spread, the map) and of its roadmap's timeline.

Light pages: a GET form chooses the period and convention; every chart is SVG drawn on the server
(seizures.charts, network.charts), followed by a table holding every number it shows. No JavaScript.
Both pages are for whoever may read the roadmap (network.access.network_for); the seizure counts in the
gaps are only of records the viewer may read (network.gaps).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts import places
from environet.http import SignedInRequest
from network import access, charts, gaps, regions, selectors
from network.forms import AsOfForm
from network.models import ActivityType, Network, Status
from seizures import charts as seizure_charts
from seizures.models import Convention

EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
MAX_YEARS = 15  # beyond that the yearly columns become too thin to read
MAX_ROWS = 200  # gaps shown in a table; the page says how many more there are
CONVENTIONS = dict(Convention.choices)


# --- The filters ---------------------------------------------------------------------------------------------


class CoverageForm(forms.Form):
    from_year = forms.IntegerField(label=_("From the year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    to_year = forms.IntegerField(label=_("To the year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    convention = forms.ChoiceField(
        label=_("Convention"),
        choices=[("", _("Those the network's activities name")), *Convention.choices],
        required=False,
    )
    commodity = forms.CharField(
        label=_("Commodity focus"),
        required=False,
        max_length=100,
        help_text=_("Only activities whose commodity focus mentions it fill a gap, for example e-waste."),
    )
    sort = forms.ChoiceField(
        label=_("Order the gaps by"),
        choices=[("weight", _("Shared seizure records, the most first")), ("place", _("Place"))],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from_year"), data.get("to_year")
        if first is not None and last is not None:
            if first > last:
                self.add_error("to_year", ValidationError(_("This year is before the first one: choose a later one.")))
            elif last - first + 1 > MAX_YEARS:
                self.add_error("from_year", _("Choose a period of %(years)d years or less.") % {"years": MAX_YEARS})
        return data


def _coverage_form(request: SignedInRequest) -> CoverageForm:
    """Bound always: the fields left out take their defaults (this year, by weight)."""
    year = timezone.localdate().year
    data = request.GET.copy()
    # A field sent empty takes its default too: the form then always shows a period.
    first = data.get("from_year") or str(year)
    data["from_year"] = first
    data["to_year"] = data.get("to_year") or first
    data["sort"] = data.get("sort") or "weight"
    return CoverageForm(data)


# --- The sections of the page ----------------------------------------------------------------------------------


@dataclass
class Row:
    heads: list[str]
    cells: list[str]


@dataclass
class Section:
    """A chart (or none: a table alone) and the table that carries every number it shows."""

    slug: str
    title: str
    chart: SafeString | None
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def place_name(code: str) -> str:
    return regions.region_name(code) if code.isdigit() else places.country_name(code)


def continent_name(code: str) -> str:
    return regions.region_name(code) if code else gettext("No country (international bodies, or none given)")


def convention_name(code: str) -> str:
    return str(CONVENTIONS.get(code, code))


def _number(value: int) -> str:
    return seizure_charts.format_number(value)


def _gap_rows(found: list[gaps.Gap], sort: str) -> list[Row]:
    if sort == "place":
        found = sorted(found, key=lambda gap: (places.by_name(place_name(gap.place)), convention_name(gap.convention)))
    return [Row([place_name(gap.place)], [convention_name(gap.convention), _number(gap.records)]) for gap in found]


def _more(total: int) -> str:
    if total <= MAX_ROWS:
        return ""
    return gettext("The first %(shown)s of %(total)s gaps are shown: choose a convention to see fewer.") % {
        "shown": _number(MAX_ROWS),
        "total": _number(total),
    }


def gap_sections(found: gaps.Gaps, sort: str) -> list[Section]:
    headers = [gettext("Convention"), gettext("Shared seizure records")]
    names = {code: places.country_name(code) for code in found.records_by_country}
    counts = sorted(found.records_by_country.items(), key=lambda item: (-item[1], places.by_name(names[item[0]])))
    map_title = gettext("Shared seizure records in countries with a gap")
    map_description = gettext(
        "Each circle's area is in proportion to the shared seizure records made in a country where the period "
        "has no activity for at least one of the conventions, counting only records you may read."
    )
    return [
        Section(
            slug="gap-map",
            title=map_title,
            chart=seizure_charts.world_map(dict(counts), title=map_title, description=map_description, names=names),
            headers=[gettext("Country"), gettext("Shared seizure records")],
            rows=[Row([names[code]], [_number(count)]) for code, count in counts],
        ),
        Section(
            slug="gap-countries",
            title=gettext("Countries without an activity"),
            chart=None,
            headers=[gettext("Country"), *headers],
            rows=_gap_rows(found.countries, sort)[:MAX_ROWS],
            note=_more(len(found.countries)),
        ),
        Section(
            slug="gap-regions",
            title=gettext("Regions without an activity"),
            chart=None,
            headers=[gettext("Region"), *headers],
            rows=_gap_rows(found.regions, sort)[:MAX_ROWS],
            note=_more(len(found.regions)),
        ),
    ]


def _over_years(slug: str, title: str, description: str, years: list[int], table: dict[str, list[int]]) -> Section:
    labels = [str(year) for year in years]
    series = [(continent_name(place), table[place]) for place in gaps.order(table)]
    rows = [Row([label], [_number(values[index]) for _, values in series]) for index, label in enumerate(labels)]
    return Section(
        slug=slug,
        title=title,
        chart=seizure_charts.columns_over_time(labels, series, title=title, description=description),
        headers=[gettext("Year"), *(name for name, _ in series)],
        rows=rows if series else [],
    )


def spread_sections(found: gaps.Spread) -> list[Section]:
    activities = _over_years(
        "spread-activities",
        gettext("Activities per region and year"),
        gettext(
            "An activity counts once in each continent it covers and in each year its planned period touches, so "
            "a year's total can be more than its number of activities."
        ),
        found.years,
        found.activities,
    )
    organisations = _over_years(
        "spread-organisations",
        gettext("Organisations taking part per region and year"),
        gettext("Lead and partner organisations of the activities, by the organisation's country, each once a year."),
        found.years,
        found.organisations,
    )
    trained = _over_years(
        "spread-trained",
        gettext("Participants trained per region and year"),
        gettext(
            "Participants that completed activities report having trained, by the participants' country, in the "
            "year the activity ended."
        ),
        found.years,
        found.trained,
    )
    everywhere = gaps.order([*found.members, *found.observers, *found.in_period])
    title = gettext("Member organisations per region today")
    members = Section(
        slug="spread-members",
        title=title,
        chart=seizure_charts.horizontal_bars(
            [(continent_name(place), found.members.get(place, 0)) for place in everywhere],
            title=title,
            description=gettext("Organisations that are members of the network today, by their country."),
        ),
        headers=[
            gettext("Region"),
            gettext("Member organisations"),
            gettext("Observer organisations"),
            gettext("Activities in the period"),
        ],
        rows=[
            Row(
                [continent_name(place)],
                [
                    _number(found.members.get(place, 0)),
                    _number(found.observers.get(place, 0)),
                    _number(found.in_period.get(place, 0)),
                ],
            )
            for place in everywhere
        ],
    )
    return [activities, organisations, trained, members]


@require_safe
def coverage(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    form = _coverage_form(request)
    context: dict[str, Any] = {"network": found, "form": form}
    if not form.is_valid():
        # Only the form and what is wrong with it: figures of other filters would be mistaken for the answer.
        return render(request, "network/coverage.html", context, status=400)
    data = form.cleaned_data
    period = gaps.Period.years(data["from_year"], data["to_year"])
    convention = data.get("convention") or ""
    found_gaps = gaps.gaps(
        request.user, found, period, conventions=[convention] if convention else None, commodity=data["commodity"]
    )
    context.update(
        period=period,
        commodity=data["commodity"],
        conventions=[convention_name(code) for code in found_gaps.conventions],
        window_start=date_format(found_gaps.window.start, "YEAR_MONTH_FORMAT"),
        window_end=date_format(found_gaps.window.end, "YEAR_MONTH_FORMAT"),
        gap_sections=gap_sections(found_gaps, data.get("sort") or "weight"),
        spread_sections=spread_sections(gaps.spread(found, period, convention=convention)),
    )
    return render(request, "network/coverage.html", context)


# --- The timeline ------------------------------------------------------------------------------------------------

GROUPINGS = {"region": _("Region"), "subregion": _("Sub-region"), "kind": _("Type"), "lead": _("Lead organisation")}


class TimelineForm(AsOfForm):
    by = forms.ChoiceField(label=_("Group by"), choices=list(GROUPINGS.items()), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["compare"]  # the roadmap page compares two dates; the timeline shows one


@dataclass
class TimelineRow:
    group: str
    entry: selectors.Entry
    start: date | None
    end: date | None


def _period(entry: selectors.Entry) -> tuple[date | None, date | None]:
    start = entry.state.get("starts_on")
    end = entry.state.get("ends_on") or start
    return (date.fromisoformat(start), date.fromisoformat(end)) if start and end else (None, None)


def _groups_of(entry: selectors.Entry, by: str, names: selectors.Names) -> list[str]:
    state = entry.state
    if by == "kind":
        return [str(dict(ActivityType.choices).get(state["kind"], state["kind"]))]
    if by == "lead":
        leads = sorted(names.organisations.get(pk, f"#{pk}") for pk in state.get("leads") or [])
        return leads or [gettext("No lead organisation")]
    covered = regions.covered(state.get("countries") or [], state.get("regions") or [])
    if by == "subregion":
        places = {place for country in covered if (place := regions.subregion_of(country))}
        ordered = [code for code in regions.subregions() if code in places]
    else:
        ordered = gaps.order({place for country in covered if (place := regions.continent_of(country))})
    return [regions.region_name(code) for code in ordered] or [gettext("No target country or region")]


def timeline_rows(network: Network, day: date, by: str) -> list[TimelineRow]:
    """The roadmap as it stood at the end of ``day``, an activity once in each of its groups (a training in
    two continents, or with two leads, is in both), groups in a stable order, activities by start."""
    entries = [entry for _, section in selectors.roadmap(network, day) for entry in section]
    names = selectors.Names.for_states([entry.state for entry in entries])
    rows = [TimelineRow(group, entry, *_period(entry)) for entry in entries for group in _groups_of(entry, by, names)]
    rank = {str(label): index for index, (_, label) in enumerate(ActivityType.choices)}

    def group_order(row: TimelineRow) -> tuple[int, str]:
        # Kinds in the order the form lists them; places and organisations by name, accents not counting.
        return (rank.get(row.group, len(rank)), "") if by == "kind" else (0, places.by_name(row.group))

    return sorted(rows, key=lambda row: (group_order(row), row.start or date.max, row.entry.id))


def timeline_chart(rows: list[TimelineRow], by: str, day: date) -> SafeString:
    groups: dict[str, list[charts.Bar]] = {}
    for row in rows:
        if row.start and row.end:
            bar = charts.Bar(row.entry.state["title"], row.start, row.end, row.entry.state["status"])
            groups.setdefault(row.group, []).append(bar)
    title = gettext("Timeline of the roadmap by %(grouping)s, as of %(date)s") % {
        "grouping": str(GROUPINGS[by]).lower(),
        "date": day.isoformat(),
    }
    description = gettext(
        "Each bar runs from an activity's planned start to its planned end; its fill and texture tell the status."
    )
    return charts.timeline(
        list(groups.items()),
        [(code, str(label)) for code, label in Status.choices],
        title=title,
        description=description,
    )


@require_safe
def timeline(request: SignedInRequest, network: str) -> HttpResponse:
    found = access.network_for(request.user, network)
    form = TimelineForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "network/timeline.html", {"network": found, "form": form}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    day = data.get("as_of") or timezone.localdate()
    by = data.get("by") or "region"
    rows = timeline_rows(found, day, by)
    return render(
        request,
        "network/timeline.html",
        {
            "network": found,
            "form": form,
            "day": day,
            "by_label": GROUPINGS[by],
            "chart": timeline_chart(rows, by, day),
            "rows": rows,
            "roadmap_url": reverse("network:roadmap", args=[found.short_name]),
        },
    )
