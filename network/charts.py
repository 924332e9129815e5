"""Server-drawn SVG charts of a network's roadmap: the timeline (a Gantt chart) of its activities, grouped by
region, type or lead organisation.

Built with the seizure charts' helpers (seizures.charts: markup that escapes every text and attribute, the
Okabe-Ito colours with textures, the legend), under the same rules: presentation attributes only (the
Content-Security-Policy forbids inline styles), ``role="img"`` with a title and description, colour never
the only cue (each status has a texture too, and every bar's status is in its hover text and in the table
the page shows beside the chart), and pure functions of plain data.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from environet import dates
from seizures.charts import (
    GRID,
    MUTED,
    SMALL,
    TEXT,
    WIDTH,
    _chart_id,
    _el,
    _fills,
    _legend,
    _number,
    _svg,
    _text,
    _text_width,
)

ROW = 22  # the height of one activity's line
LABELS = 0.34  # the share of the width given to the activities' titles


@dataclass(frozen=True)
class Bar:
    """One activity on the timeline: from ``start`` to ``end`` (both included), in ``status`` (a code of
    ``statuses`` given to ``timeline``)."""

    label: str
    start: date
    end: date
    status: str


def _within(day: date) -> date:
    return min(max(day, dates.EARLIEST), dates.LATEST)


def _day_x(day: date, first: date, last: date, left: float, width: float) -> float:
    return left + (day - first).days / max(1, (last - first).days) * width


def timeline(
    groups: Sequence[tuple[str, Sequence[Bar]]],
    statuses: Sequence[tuple[str, str]],
    *,
    title: str,
    description: str = "",
) -> SafeString:
    """A Gantt chart: a heading per group, a line per activity with its bar over a year axis, the bars
    filled by status (in the order of ``statuses``, code and label) with a legend of the statuses shown."""
    chart_id = _chart_id("timeline", str(title), str(description), groups, statuses)
    bars = [bar for _, rows in groups for bar in rows]
    if not bars:
        message = _text(WIDTH / 2, 64, gettext("No activity with a planned period."), text_anchor="middle", fill=MUTED)
        return _svg(chart_id, 112, title, description, message)
    shown = [(code, str(label)) for code, label in statuses if any(bar.status == code for bar in bars)]
    defs, fills = _fills(chart_id, len(shown))
    fill_of = {code: fill for (code, _), fill in zip(shown, fills, strict=True)}
    label_of = dict(shown)
    legend, legend_height = _legend([label for _, label in shown], fills)
    # The axis spans the years a date may have now (environet.dates); a period stored before that rule (a
    # mistyped 9999, whose next 1 January does not exist) is drawn cut at its edge, its hover text keeping its
    # real dates.
    first = date(min(_within(bar.start) for bar in bars).year, 1, 1)
    last = date(max(first.year, *(_within(bar.end).year for bar in bars)) + 1, 1, 1)
    left = WIDTH * LABELS
    width = WIDTH - left - 8
    top = legend_height + 28  # below the legend and the years
    lines: list[tuple[str, Bar | None]] = []  # a group's heading (no bar), then its activities
    for name, rows in groups:
        lines.append((str(name), None))
        lines.extend((bar.label, bar) for bar in rows)
    bottom = top + len(lines) * ROW
    body = defs + legend + _years(first, last, left, width, top, bottom)
    headings: list[str] = []
    labels: list[str] = []
    rects: list[str] = []
    for index, (label, bar) in enumerate(lines):
        y = top + index * ROW
        if bar is None:
            headings.append(_text(0, y + 16, label, WIDTH - 8, font_weight="bold"))
            continue
        labels.append(_text(12, y + 15, label, left - 20, size=SMALL))
        x0 = _day_x(min(max(bar.start, first), last), first, last, left, width)
        after = last if bar.end >= last else max(bar.end + timedelta(days=1), first)  # 9999-12-31 has no next day
        x1 = _day_x(after, first, last, left, width)
        hover = gettext("%(activity)s: %(start)s – %(end)s, %(status)s") % {
            "activity": bar.label,
            "start": date_format(bar.start, "SHORT_DATE_FORMAT"),
            "end": date_format(bar.end, "SHORT_DATE_FORMAT"),
            "status": label_of[bar.status],
        }
        rects.append(
            _el(
                "rect",
                _el("title", escape(hover)),
                x=x0,
                y=y + 4,
                width=max(3.0, x1 - x0),  # a one-day activity is still a visible mark
                height=ROW - 8,
                fill=fill_of[bar.status],
            )
        )
    body += (
        _el("g", "".join(headings), fill=TEXT)
        + _el("g", "".join(labels), fill=TEXT)
        + _el("g", "".join(rects), stroke=TEXT, stroke_width=0.5)
    )
    return _svg(chart_id, bottom + 6, title, description, body)


def _years(first: date, last: date, left: float, width: float, top: float, bottom: float) -> str:
    """A line at each new year and the year's number above it, every year when they fit."""
    years = list(range(first.year, last.year))
    band = width / len(years)
    step = max(1, math.ceil((_text_width("0000", SMALL) + 8) / band))
    grid, labels = [], []
    for year in years:
        x = _day_x(date(year, 1, 1), first, last, left, width)
        grid.append(f"M{_number(x)} {_number(top - 4)}V{_number(bottom)}")
        if (year - years[0]) % step == 0:
            middle = _day_x(date(year, 7, 1), first, last, left, width)
            labels.append(_text(middle, top - 8, str(year), size=SMALL))
    end = _day_x(last, first, last, left, width)
    grid.append(f"M{_number(end)} {_number(top - 4)}V{_number(bottom)}")
    return _el("path", d="".join(grid), stroke=GRID) + _el("g", "".join(labels), fill=MUTED, text_anchor="middle")
