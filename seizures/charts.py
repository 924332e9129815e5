"""Server-rendered SVG charts for the seizure analytics dashboard.

Pure functions of plain data (the same data as the table the page shows beside each chart): no database,
no models. Each returns one ``<svg>`` element as a SafeString, ready to put in a template. Why it looks
the way it does:

- The Content-Security-Policy forbids inline styles, so only SVG presentation attributes are used
  (``fill``, ``stroke``, ``font-size``...), never ``style`` or ``<style>``, and no script.
- Accessibility: ``role="img"`` with a ``<title>`` (and ``<desc>``) named by ``aria-labelledby``; Okabe-Ito
  colours, which colour-blind readers tell apart, plus patterns or direct labels, so colour is never the
  only cue. Hovering a shape shows its exact value.
- Slow links: coordinates rounded to one decimal, shared attributes set once on a group, and the world
  outline is a separate static file that the browser caches once.
- Labels are user data (country and species names): every text and attribute value is escaped here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from django.templatetags.static import static
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640  # viewBox width of the charts other than the map: text stays readable once scaled to the page
FONT = 14
SMALL = 13
GLYPH = 0.6  # average glyph width, in em
BOLD = 1.1  # bold glyphs are about this much wider
TEXT = "#222"
MUTED = "#555"
GRID = "#ddd"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
# Each colour comes with the ink of its pattern: white on the dark ones, black on the light ones.
PALETTE = (
    ("#0072B2", "#fff"),
    ("#E69F00", "#000"),
    ("#009E73", "#fff"),
    ("#CC79A7", "#000"),
    ("#56B4E9", "#000"),
    ("#D55E00", "#fff"),
    ("#F0E442", "#000"),
    ("#000000", "#fff"),
)
# Yellow vanishes as a thin translucent band on white: flows use the others.
BAND_COLOURS = tuple(colour for colour, _ in PALETTE if colour != "#F0E442")
POINTS_FILE = Path(__file__).resolve().parent / "data" / "country_points.json"
WORLD_SVG = "environet/vendor/world/world.svg"
MAP_CREDIT = "MapSVG, @svg-maps/world, CC BY 4.0"


# --- Markup -------------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    """One decimal at most, no trailing zero: the shortest text that still draws right."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _el(tag: str, content: str = "", /, **attributes: object) -> str:
    """One element. ``content`` is markup already escaped; attribute values are escaped here.
    ``font_size`` is written ``font-size``, ``class_`` is written ``class``; None leaves an attribute out."""
    parts = [tag]
    for name, value in attributes.items():
        if value is None:
            continue
        text = _number(value) if isinstance(value, float | int) and not isinstance(value, bool) else str(value)
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{escape(text)}"')
    opening = " ".join(parts)
    return f"<{opening}>{content}</{tag}>" if content else f"<{opening}/>"


def _text(
    x: float, y: float, label: str, max_width: float | None = None, size: int = FONT, **attributes: object
) -> str:
    """A text, cut with an ellipsis when it would not fit; the full label then shows on hover."""
    shown = _fit(label, max_width, size) if max_width is not None else label
    hover = _el("title", escape(label)) if shown != label else ""
    size_attribute = None if size == FONT else size  # FONT is inherited from the <svg>
    return _el("text", hover + escape(shown), x=x, y=y, font_size=size_attribute, **attributes)


def _text_width(label: str, size: int = FONT) -> float:
    """An estimate (the server has no fonts to measure with): generous, since DejaVu Sans, common on Linux,
    averages ~0.6 em a glyph where Arial averages ~0.52."""
    return len(label) * size * GLYPH


def _fit(label: str, max_width: float, size: int = FONT) -> str:
    if _text_width(label, size) <= max_width:
        return label
    keep = max(1, int(max_width / (size * GLYPH)) - 1)
    return label[:keep].rstrip() + "…"


def _chart_id(*data: object) -> str:
    """Ids for aria-labelledby and patterns, unique on a page that shows several charts. Derived from the
    content, so the same chart renders to the same bytes (cacheable, testable)."""
    return "c" + hashlib.sha256(repr(data).encode()).hexdigest()[:8]


def _svg(chart_id: str, height: float, title: str, description: str, body: str, width: float = WIDTH) -> SafeString:
    labelled_by = f"{chart_id}-t {chart_id}-d" if description else f"{chart_id}-t"
    head = _el("title", escape(title), id=f"{chart_id}-t")
    if description:
        head += _el("desc", escape(description), id=f"{chart_id}-d")
    svg = _el(
        "svg",
        head + body,
        xmlns=SVG_NS,
        viewBox=f"0 0 {_number(width)} {_number(height)}",
        width="100%",
        role="img",
        aria_labelledby=labelled_by,
        class_="chart",  # lets the page's stylesheet cap the size
        font_family="system-ui,sans-serif",
        font_size=FONT,
    )
    return mark_safe(svg)  # noqa: S308 - every text and attribute value went through escape() in _el


def _empty(chart_id: str, title: str, description: str) -> SafeString:
    message = _text(WIDTH / 2, 64, gettext("No seizures match these filters."), text_anchor="middle", fill=MUTED)
    return _svg(chart_id, 112, title, description, message)


def format_number(value: float) -> str:
    """The default value format: grouped digits in the reader's language, one decimal when not whole."""
    if float(value).is_integer():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=1, force_grouping=True)


# --- Scales and colours ----------------------------------------------------------------------------------


def _ticks(maximum: float, target: int = 5) -> list[int]:
    """Round ticks from 0 to at least ``maximum``: steps of 1, 2 or 5 times a power of ten, whole numbers."""
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1, math.ceil(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))
    return [step * index for index in range(math.ceil(maximum / step) + 1)]


def _fills(chart_id: str, count: int, slots: Sequence[int] | None = None) -> tuple[str, list[str]]:
    """One fill per series and the <defs> of its patterns: plain, diagonal lines, dots, crossed lines, so
    that series differ in texture as well as colour.

    ``slots`` gives each series its place in the palette (see ``palette_slots``), so that a category keeps
    its colour and texture in every chart of a page whichever other series each shows; without it, the
    series take the palette in order."""
    if slots is not None and len(slots) != count:
        raise ValueError(f"{len(slots)} palette slots for {count} series")
    defs: dict[int, str] = {}
    fills: list[str] = []
    for position in range(count):
        index = slots[position] if slots is not None else position
        fill, pattern = _fill(chart_id, index)
        fills.append(fill)
        if pattern:
            defs[index] = pattern
    return (_el("defs", "".join(defs.values())) if defs else ""), fills


def _fill(chart_id: str, index: int) -> tuple[str, str]:
    """The fill of palette slot ``index`` and the markup of its pattern ("" for a plain colour)."""
    colour, ink = PALETTE[index % len(PALETTE)]
    texture = (index + index // len(PALETTE)) % 4
    if texture == 0:
        return colour, ""
    pattern_id = f"{chart_id}-p{index}"
    return f"url(#{pattern_id})", _pattern(pattern_id, colour, ink, texture)


def palette_slots(keys: Sequence[str], order: Sequence[str]) -> list[int]:
    """Each key's place in the palette: its place in ``order``, the fixed list of every category of its
    kind (all conventions, say), so that a category has one colour whatever else is shown. A key not in
    ``order`` takes a place after all of them."""
    places = {key: index for index, key in enumerate(order)}
    extra: dict[str, int] = {}
    slots = []
    for key in keys:
        if key not in places and key not in extra:
            extra[key] = len(order) + len(extra)
        slots.append(places.get(key, extra.get(key, 0)))
    return slots


def _pattern(pattern_id: str, colour: str, ink: str, texture: int) -> str:
    background = _el("rect", width=6, height=6, fill=colour)
    if texture == 2:
        marks = _el("circle", cx=3, cy=3, r=1.3, fill=ink)
        rotate = None
    else:
        marks = _el("path", d="M3 0v6" + ("M0 3h6" if texture == 3 else ""), stroke=ink, stroke_width=1.5)
        rotate = "rotate(45)"
    return _el(
        "pattern",
        background + marks,
        id=pattern_id,
        width=6,
        height=6,
        patternUnits="userSpaceOnUse",
        patternTransform=rotate,
    )


# --- Columns over time ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plot:
    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


def columns_over_time(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    description: str = "",
    slots: Sequence[int] | None = None,
) -> SafeString:
    """Stacked columns: one column per period, one segment per series (convention, topic...), bottom up in
    the order given, with a legend, a y axis of round ticks and a period axis that thins its labels.
    ``slots``: each series' place in the palette (``palette_slots``), for one colour per category per page."""
    chart_id = _chart_id("columns", str(title), str(description), periods, series)
    for name, values in series:
        if len(values) != len(periods):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(periods)} periods")
    # Counts are never negative; a negative value would stack below the axis, so it counts as none.
    table = [(str(name), [max(0, value) for value in values]) for name, values in series]
    totals = [sum(values[index] for _, values in table) for index in range(len(periods))]
    if not periods or not any(totals):
        return _empty(chart_id, title, description)
    defs, fills = _fills(chart_id, len(table), slots)
    legend, legend_height = _legend([name for name, _ in table], fills)
    ticks = _ticks(max(totals))
    left = max(_text_width(format_number(tick), SMALL) for tick in ticks) + 10
    plot = _Plot(left, legend_height + 20, WIDTH - left - 24, 220)
    body = (
        defs
        + legend
        + _y_axis(plot, ticks)
        + _stacks(plot, [str(period) for period in periods], table, fills, ticks[-1])
        + _totals(plot, totals, ticks[-1])
        + _period_axis(plot, [str(period) for period in periods])
    )
    return _svg(chart_id, plot.bottom + 28, title, description, body)


def _legend(names: list[str], fills: list[str]) -> tuple[str, float]:
    """Swatches and names, wrapped over as many lines as needed; returns the markup and its height."""
    x = y = 0.0
    swatches, labels = [], []
    for name, fill in zip(names, fills, strict=True):
        shown = _fit(name, WIDTH - 24)
        item_width = 20 + _text_width(shown) + 16
        if x > 0 and x + item_width > WIDTH:
            x, y = 0.0, y + 22
        swatches.append(_el("rect", x=x + 1, y=y + 3, width=14, height=14, fill=fill))
        labels.append(_text(x + 20, y + 15, name, WIDTH - 24))
        x += item_width
    markup = _el("g", "".join(swatches), stroke=TEXT, stroke_width=0.5) + _el("g", "".join(labels), fill=TEXT)
    return markup, y + 22


def _y_axis(plot: _Plot, ticks: list[int]) -> str:
    top = ticks[-1]
    grid, labels = [], []
    for tick in ticks:
        y = plot.bottom - tick / top * plot.height
        grid.append(f"M{_number(plot.left)} {_number(y)}h{_number(plot.width)}")
        labels.append(_text(plot.left - 6, y + 4.5, format_number(tick), size=SMALL))
    return _el("path", d="".join(grid), stroke=GRID) + _el("g", "".join(labels), fill=MUTED, text_anchor="end")


def _stacks(plot: _Plot, periods: list[str], table: list[tuple[str, list[int]]], fills: list[str], top: int) -> str:
    band = plot.width / len(periods)
    column = band * 0.7
    below = [0] * len(periods)  # what is already stacked in each column
    groups = []
    for (name, values), fill in zip(table, fills, strict=True):
        rects = []
        for index, value in enumerate(values):
            if value <= 0:
                continue
            # Round both edges, not the height: stacked segments then meet without gaps.
            lower = round(plot.bottom - below[index] / top * plot.height, 1)
            upper = round(plot.bottom - (below[index] + value) / top * plot.height, 1)
            below[index] += value
            hover = gettext("%(series)s, %(period)s: %(value)s") % {
                "series": name,
                "period": periods[index],
                "value": format_number(value),
            }
            x = plot.left + index * band + (band - column) / 2
            rects.append(
                _el("rect", _el("title", escape(hover)), x=x, y=upper, width=column, height=round(lower - upper, 1))
            )
        groups.append(_el("g", "".join(rects), fill=fill))
    # A thin white edge keeps adjacent segments apart even where their colours are close.
    return _el("g", "".join(groups), stroke="#fff", stroke_width=0.5)


def _totals(plot: _Plot, totals: list[int], top: int) -> str:
    """The total above each column, when the columns are wide enough for it: a direct label."""
    band = plot.width / len(totals)
    if band < max(_text_width(format_number(total), SMALL) for total in totals) + 2:
        return ""
    labels = [
        _text(
            plot.left + (index + 0.5) * band,
            plot.bottom - total / top * plot.height - 4,
            format_number(total),
            size=SMALL,
        )
        for index, total in enumerate(totals)
        if total
    ]
    return _el("g", "".join(labels), fill=MUTED, text_anchor="middle")


def _period_axis(plot: _Plot, periods: list[str]) -> str:
    """Period labels under the columns: every one when they fit, otherwise every second, third..."""
    band = plot.width / len(periods)
    step = max(1, math.ceil((max(_text_width(period, SMALL) for period in periods) + 8) / band))
    labels = [
        _text(plot.left + (index + 0.5) * band, plot.bottom + 18, period, size=SMALL)
        for index, period in enumerate(periods)
        if index % step == 0
    ]
    axis = _el("path", d=f"M{_number(plot.left)} {_number(plot.bottom)}h{_number(plot.width)}", stroke=MUTED)
    return axis + _el("g", "".join(labels), fill=TEXT, text_anchor="middle")


# --- Horizontal bars ---------------------------------------------------------------------------------------


def horizontal_bars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    description: str = "",
    value_format: Callable[[float], str] | None = None,
    categories: Sequence[tuple[str, int]] | None = None,
) -> SafeString:
    """Top species or substances, in the order given: the label, a bar, the value at the end of the bar.

    ``categories``: for each row, the category it belongs to (its name and palette slot, ``palette_slots``):
    each bar then takes its category's fill, the same as in the page's other charts, under a legend."""
    chart_id = _chart_id("bars", str(title), str(description), rows, categories)
    table = [(str(label), max(0.0, float(value))) for label, value in rows]  # a negative amount is no bar
    if categories is not None and len(categories) != len(table):
        raise ValueError(f"{len(categories)} categories for {len(table)} bars")
    largest = max((value for _, value in table), default=0.0)
    if largest <= 0:
        return _empty(chart_id, title, description)
    defs, legend, top = "", "", 0.0
    fills = [PALETTE[0][0]] * len(table)
    if categories is not None:
        defs, fills = _fills(chart_id, len(table), [slot for _, slot in categories])
        named = dict(zip((str(name) for name, _ in categories), fills, strict=True))
        legend, top = _legend(list(named), list(named.values()))
    shown_values = [(value_format or format_number)(value) for _, value in table]
    label_width = min(max(_text_width(label) for label, _ in table), WIDTH * 0.4)
    start = label_width + 10
    span = WIDTH - start - max(_text_width(text) for text in shown_values) - 10
    bars, labels, values = [], [], []
    for index, ((label, value), shown) in enumerate(zip(table, shown_values, strict=True)):
        y = top + 4 + index * 30
        length = value / largest * span
        labels.append(_text(start - 8, y + 16, label, label_width))
        if length > 0:
            bars.append(_el("rect", x=start, y=y + 2, width=length, height=20, fill=fills[index]))
        values.append(_text(start + length + 6, y + 16, shown))
    body = (
        defs
        + legend
        + _el("g", "".join(bars))
        + _el("g", "".join(labels), fill=TEXT, text_anchor="end")
        + _el("g", "".join(values), fill=TEXT)
    )
    return _svg(chart_id, top + len(table) * 30 + 8, title, description, body)


# --- Flows ---------------------------------------------------------------------------------------------------

Route = tuple[str, str]
NODE_WIDTH = 8
MIN_SLOT = 20  # each band gets at least a line of height at its origin, so its count label never overlaps


def flows(
    rows: Sequence[tuple[str, str, int]], *, title: str, description: str = "", colour: str | None = None
) -> SafeString:
    """Top routes: origins on the left, destinations on the right, each name once per side, and one band
    per route whose thickness is proportional to its count, labelled with the count where it leaves.

    Bands take a colour per origin; ``colour`` draws them all in that one instead, for a page whose palette
    colours mean categories (a convention) that the routes are not about."""
    chart_id = _chart_id("flows", str(title), str(description), rows)
    counts: dict[Route, int] = {}
    for origin, destination, count in rows:
        if count > 0:
            route = (str(origin), str(destination))
            counts[route] = counts.get(route, 0) + count
    if not counts:
        return _empty(chart_id, title, description)
    origins, destinations = _ranked(counts, 0), _ranked(counts, 1)
    scale = min(40 / max(counts.values()), 240 / sum(counts.values()))
    thickness = {route: max(1.0, count * scale) for route, count in counts.items()}
    slots = {route: max(MIN_SLOT, width + 2) for route, width in thickness.items()}
    by_origin = sorted(counts, key=lambda route: (origins.index(route[0]), destinations.index(route[1])))
    by_destination = sorted(counts, key=lambda route: (destinations.index(route[1]), origins.index(route[0])))
    left_slots, left_nodes, left_end = _stack(origins, by_origin, 0, slots)
    right_slots, right_nodes, right_end = _stack(destinations, by_destination, 1, slots)
    # The headings stand above the names, in bold (wider): room for them too, or "Destination" is cut at the edge.
    headings = [_text_width(heading) * BOLD for heading in (gettext("Origin"), gettext("Destination"))]
    name_width = min(max(*headings, *(_text_width(name) for name in [*origins, *destinations])), 170)
    left_x, right_x = name_width + 10, WIDTH - name_width - 10 - NODE_WIDTH
    colours = {origin: colour or BAND_COLOURS[index % len(BAND_COLOURS)] for index, origin in enumerate(origins)}
    body = (
        _flow_headings(left_x, right_x)
        + _flow_bands(by_origin, counts, thickness, slots, (left_slots, right_slots), (left_x, right_x), colours)
        + _flow_nodes(left_nodes, left_x, name_width, colours, "end")
        + _flow_nodes(right_nodes, right_x, name_width, {}, "start")
        + _flow_counts(by_origin, counts, slots, left_slots, left_x)
    )
    return _svg(chart_id, max(left_end, right_end) + 4, title, description, body)


def _ranked(counts: Mapping[Route, int], side: int) -> list[str]:
    """The names of one side, largest total first (ties keep the order of the rows)."""
    totals: dict[str, int] = {}
    for route, count in counts.items():
        totals[route[side]] = totals.get(route[side], 0) + count
    return sorted(totals, key=lambda name: -totals[name])


def _stack(
    names: list[str], routes: list[Route], side: int, slots: Mapping[Route, float]
) -> tuple[dict[Route, float], dict[str, tuple[float, float]], float]:
    """Top of each route's slot on one side, the span of each name's node, and where the side ends."""
    tops: dict[Route, float] = {}
    nodes: dict[str, tuple[float, float]] = {}
    y = 30.0  # below the headings
    for name in names:
        start = y
        for route in routes:
            if route[side] == name:
                tops[route] = y
                y += slots[route]
        nodes[name] = (start, y)
        y += 10
    return tops, nodes, y - 10


def _flow_headings(left_x: float, right_x: float) -> str:
    return _el(
        "g",
        _text(left_x + NODE_WIDTH, 16, gettext("Origin"), text_anchor="end")
        + _text(right_x, 16, gettext("Destination")),
        fill=TEXT,
        font_weight="bold",
    )


def _flow_bands(
    routes: list[Route],
    counts: Mapping[Route, int],
    thickness: Mapping[Route, float],
    slots: Mapping[Route, float],
    tops: tuple[dict[Route, float], dict[Route, float]],
    xs: tuple[float, float],
    colours: Mapping[str, str],
) -> str:
    """A cubic Bézier per route, stroked as wide as its count: horizontal at both ends, so the band is
    exactly that thick where it meets the nodes."""
    start, end = xs[0] + NODE_WIDTH, xs[1]
    middle = (start + end) / 2
    paths = []
    for route in routes:
        y0 = tops[0][route] + slots[route] / 2
        y1 = tops[1][route] + slots[route] / 2
        d = f"M{_number(start)} {_number(y0)}C{_number(middle)} {_number(y0)} {_number(middle)} {_number(y1)} "
        d += f"{_number(end)} {_number(y1)}"
        hover = gettext("%(origin)s → %(destination)s: %(count)s") % {
            "origin": route[0],
            "destination": route[1],
            "count": format_number(counts[route]),
        }
        paths.append(
            _el("path", _el("title", escape(hover)), d=d, stroke=colours[route[0]], stroke_width=thickness[route])
        )
    return _el("g", "".join(paths), fill="none", stroke_opacity=0.6)


def _flow_nodes(
    nodes: Mapping[str, tuple[float, float]], x: float, name_width: float, colours: Mapping[str, str], anchor: str
) -> str:
    """A bar per name, as tall as its routes, with the name outside it."""
    bars, names = [], []
    label_x = x - 6 if anchor == "end" else x + NODE_WIDTH + 6
    for name, (top, bottom) in nodes.items():
        bars.append(_el("rect", x=x, y=top, width=NODE_WIDTH, height=bottom - top, fill=colours.get(name)))
        names.append(_text(label_x, (top + bottom) / 2 + 5, name, name_width))
    return _el("g", "".join(bars), fill=MUTED) + _el("g", "".join(names), fill=TEXT, text_anchor=anchor)


def _flow_counts(
    routes: list[Route],
    counts: Mapping[Route, int],
    slots: Mapping[Route, float],
    tops: Mapping[Route, float],
    x: float,
) -> str:
    labels = [
        _text(x + NODE_WIDTH + 4, tops[route] + slots[route] / 2 + 4.5, format_number(counts[route]), size=SMALL)
        for route in routes
    ]
    # A white halo keeps the number readable over any band.
    return _el("g", "".join(labels), fill=TEXT, stroke="#fff", stroke_width=3, paint_order="stroke")


# --- World map -------------------------------------------------------------------------------------------------

MAX_RADIUS = 28.0  # in map units (the map is 1010 wide)
MIN_RADIUS = 1.5  # below this a bubble cannot be seen or hovered; only the smallest counts get it
# The map's viewBox is wider than the other charts', so its text is larger to look the same on the page.
MAP_FONT = 20
MAP_SMALL = 14


@functools.cache
def country_points() -> tuple[tuple[float, float, float, float], dict[str, tuple[float, float]]]:
    """The map's viewBox and a point inside each country (ISO 3166 alpha-2), read once per process."""
    data = json.loads(POINTS_FILE.read_text())
    box = tuple(float(value) for value in data["viewBox"])
    points = {code: (float(x), float(y)) for code, (x, y) in data["points"].items()}
    return (box[0], box[1], box[2], box[3]), points


def world_map(
    counts: Mapping[str, int],
    *,
    title: str,
    description: str = "",
    names: Mapping[str, str] | None = None,
) -> SafeString:
    """A bubble map: the light outline map (a cached static image) and one circle per country whose area is
    proportional to its count. Countries the map has no point for are left out: the table lists them."""
    chart_id = _chart_id("map", str(title), str(description), sorted(counts.items()))
    box, points = country_points()
    positive = {code.upper(): count for code, count in counts.items() if count > 0}
    if not positive:
        return _empty(chart_id, title, description)
    # Scaled on the countries drawn, so the legend's largest circle is one the reader can find.
    drawn = {code: count for code, count in positive.items() if code in points}
    largest = max(drawn.values(), default=0)
    _, _, width, height = box
    bubbles = [
        _bubble(points[code], _radius(count, largest), _country_name(code, names), count)
        # Largest first, so that small bubbles stay on top and can be hovered.
        for code, count in sorted(drawn.items(), key=lambda item: (-item[1], item[0]))
    ]
    credit = gettext("Base map: %(credit)s") % {"credit": MAP_CREDIT}
    body = (
        _el("image", href=static(WORLD_SVG), width=width, height=height)
        + _el("g", "".join(bubbles), fill=PALETTE[5][0], fill_opacity=0.65, stroke="#6b2f00", stroke_width=0.8)
        + (_map_legend(largest, height) if drawn else "")
        + _text(width - 4, height + 16, credit, size=MAP_SMALL, fill=MUTED, text_anchor="end")
    )
    return _svg(chart_id, height + 22, title, description, body, width=width)


def _radius(count: int, largest: int) -> float:
    """Area, not radius, proportional to the count: a radius in proportion would exaggerate big numbers."""
    return max(MIN_RADIUS, MAX_RADIUS * math.sqrt(count / largest))


def _bubble(point: tuple[float, float], radius: float, name: str, count: int) -> str:
    hover = gettext("%(country)s: %(count)s") % {"country": name, "count": format_number(count)}
    return _el("circle", _el("title", escape(hover)), cx=point[0], cy=point[1], r=radius)


def _country_name(code: str, names: Mapping[str, str] | None) -> str:
    """The name given by the caller, else the name in the reader's language, else the code."""
    if names and code in names:
        return str(names[code])
    return _territories(translation.get_language() or "en").get(code, code)


@functools.cache
def _territories(language: str) -> Mapping[str, str]:
    try:
        return Locale.parse(language, sep="-").territories
    except (UnknownLocaleError, ValueError):
        return Locale("en").territories


def _map_legend(largest: int, map_height: float) -> str:
    """Nested reference circles for the largest count and a round quarter of it, over the South Pacific,
    each with a leader line to its value."""
    values = [largest]
    quarter = largest / 4
    if quarter >= 1:
        magnitude = 10 ** math.floor(math.log10(quarter))
        values.append(max(m * magnitude for m in (1, 2, 5) if m * magnitude <= quarter))
    centre_x, base = 16 + MAX_RADIUS, map_height - 16
    label_x = centre_x + MAX_RADIUS + 40
    circles, lines, labels = [], [], []
    for value in values:
        radius = _radius(value, largest)
        top = base - 2 * radius
        circles.append(_el("circle", cx=centre_x, cy=base - radius, r=radius))
        lines.append(f"M{_number(centre_x)} {_number(top)}H{_number(label_x - 4)}")
        labels.append(_text(label_x, top + 6, format_number(value), size=MAP_SMALL + 2))
    heading = _text(16, base - 2 * MAX_RADIUS - 14, gettext("Seizures"), size=MAP_FONT, font_weight="bold")
    return (
        _el("g", "".join(circles), fill="none", stroke=MUTED)
        + _el("path", d="".join(lines), stroke=MUTED, stroke_width=0.8)
        + _el("g", heading + "".join(labels), fill=TEXT)
    )
