"""Tests of the server-rendered SVG charts (seizures/charts.py) and of the world base map they use."""

from __future__ import annotations

import itertools
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import SafeString

from seizures import charts

NS = "{http://www.w3.org/2000/svg}"
WORLD_DIR = Path(settings.BASE_DIR) / "static" / "environet" / "vendor" / "world"
HOSTILE = ["<script>alert(1)</script>", "\"&'"]
EMPTY_MESSAGE = "No seizures match these filters."

Chart = Callable[[], SafeString]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    """The visible text of every <text> (without the hover <title> of a cut label)."""
    return ["".join(t.tail or "" for t in text) + (text.text or "") for text in root.iter(f"{NS}text")]


def hovers(root: ET.Element) -> list[str]:
    return [title.text or "" for title in root.iter(f"{NS}title")]


def number(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


def columns() -> SafeString:
    return charts.columns_over_time(
        ["2026-01", "2026-02", "2026-03"],
        [("CITES", [10, 5, 0]), ("Basel", [2, 0, 3])],
        title="Seizures by convention",
        description="Monthly",
    )


def bars() -> SafeString:
    return charts.horizontal_bars([("Ivory", 10), ("Pangolin scales", 5)], title="Top species", description="Kg")


def routes() -> SafeString:
    return charts.flows(
        [("Kenya", "Viet Nam", 40), ("Nigeria", "Viet Nam", 20), ("Kenya", "China", 10)],
        title="Top routes",
        description="Seizures per route",
    )


def world() -> SafeString:
    return charts.world_map({"KE": 40, "VN": 10}, title="Seizures by country", description="Bubbles")


CHARTS: dict[str, Chart] = {
    "columns": columns,
    "bars": bars,
    "flows": routes,
    "map": world,
    "empty columns": lambda: charts.columns_over_time([], [], title="Nothing"),
    "empty bars": lambda: charts.horizontal_bars([], title="Nothing"),
    "empty flows": lambda: charts.flows([], title="Nothing"),
    "empty map": lambda: charts.world_map({}, title="Nothing"),
}


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_it_returns_one_responsive_svg_element_as_safe_string(make: Chart) -> None:
    svg = make()
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_it_is_an_image_named_by_its_title_and_description(make: Chart) -> None:
    root = parse(make())
    assert root.get("role") == "img"
    ids = {element.get("id"): element for element in root.iter()}
    labelled_by = root.get("aria-labelledby", "").split()
    assert labelled_by, "aria-labelledby is missing"
    named = [ids[name] for name in labelled_by]
    assert named[0].tag == f"{NS}title"
    assert named[0].text
    assert root.find(f"{NS}title") is named[0]


def test_it_refers_to_the_description_when_there_is_one() -> None:
    root = parse(bars())
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert desc.text == "Kg"


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_it_uses_no_inline_style_script_or_event_handler(make: Chart) -> None:
    root = parse(make())
    for element in root.iter():
        assert element.tag not in (f"{NS}style", f"{NS}script", f"{NS}foreignObject")
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_it_rounds_coordinates_to_one_decimal(make: Chart) -> None:
    assert not re.search(r"\d\.\d\d", make())


def test_it_gives_each_chart_its_own_ids() -> None:
    first, second = parse(columns()), parse(routes())
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


@pytest.mark.parametrize("label", HOSTILE)
def test_it_escapes_labels_of_columns(label: str) -> None:
    svg = charts.columns_over_time([label], [(label, [3])], title=label, description=label)
    root = parse(svg)
    assert "<script>" not in svg
    assert texts(root).count(label) == 2  # the legend and the period axis
    assert root.find(f"{NS}title").text == label  # type: ignore[union-attr]
    assert root.find(f"{NS}desc").text == label  # type: ignore[union-attr]


@pytest.mark.parametrize("label", HOSTILE)
def test_it_escapes_labels_of_bars(label: str) -> None:
    svg = charts.horizontal_bars([(label, 3)], title=label)
    assert "<script>" not in svg
    assert label in texts(parse(svg))


@pytest.mark.parametrize("label", HOSTILE)
def test_it_escapes_labels_of_flows(label: str) -> None:
    svg = charts.flows([(label, "Viet Nam", 3), ("Kenya", label, 2)], title="Routes")
    root = parse(svg)
    assert "<script>" not in svg
    # Once as an origin, once as a destination: shown whole, or cut with the whole name on hover.
    assert texts(root).count(label) + hovers(root).count(label) == 2
    assert f"{label} → Viet Nam: 3" in hovers(root)


@pytest.mark.parametrize("label", HOSTILE)
def test_it_escapes_country_names_on_the_map(label: str) -> None:
    svg = charts.world_map({"KE": 12}, title="Map", names={"KE": label})
    assert "<script>" not in svg
    assert f"{label}: 12" in hovers(parse(svg))


def test_it_cuts_a_long_label_and_keeps_it_whole_on_hover() -> None:
    label = "Pterocarpus santalinus (red sanders), logs and sawn timber of every dimension"
    root = parse(charts.horizontal_bars([(label, 3)], title="Top"))
    [shown] = [text for text in texts(root) if text.endswith("…")]
    assert label.startswith(shown[:-1])
    assert label in hovers(root)


def bar_widths(svg: str) -> list[float]:
    return [number(rect, "width") for rect in parse(svg).iter(f"{NS}rect")]


def test_it_draws_a_bar_for_10_twice_as_long_as_a_bar_for_5() -> None:
    ten, five = bar_widths(bars())
    assert ten == pytest.approx(2 * five, abs=0.2)


def test_it_writes_each_value_at_the_end_of_its_bar() -> None:
    root = parse(bars())
    rects = list(root.iter(f"{NS}rect"))
    values = [text for text in root.iter(f"{NS}text") if text.text in ("10", "5")]
    for rect, value in zip(rects, values, strict=True):
        assert number(value, "x") == pytest.approx(number(rect, "x") + number(rect, "width") + 6, abs=0.2)


def test_it_formats_bar_values_with_the_given_function() -> None:
    svg = charts.horizontal_bars([("Ivory", 12.5)], title="Top", value_format=lambda value: f"{value:g} kg")
    assert "12.5 kg" in texts(parse(svg))


def test_it_groups_digits_of_large_values() -> None:
    with translation.override("en"):
        assert "12,345" in texts(parse(charts.horizontal_bars([("Ivory", 12345)], title="Top")))


def segments(svg: str) -> dict[str, float]:
    """Height of each column segment, by its hover text."""
    return {rect[0].text or "": number(rect, "height") for rect in parse(svg).iter(f"{NS}rect") if len(rect)}


def test_it_stacks_segments_in_proportion_to_their_values() -> None:
    heights = segments(columns())
    assert heights["CITES, 2026-01: 10"] == pytest.approx(2 * heights["CITES, 2026-02: 5"], abs=0.2)
    assert heights["CITES, 2026-01: 10"] == pytest.approx(5 * heights["Basel, 2026-01: 2"], abs=0.2)
    assert not [hover for hover in heights if hover.endswith(": 0")]


def test_it_stacks_segments_without_gaps() -> None:
    rects = [rect for rect in parse(columns()).iter(f"{NS}rect") if len(rect)]
    cites, basel = rects[0], rects[2]  # both in the first column
    assert number(basel, "y") + number(basel, "height") == pytest.approx(number(cites, "y"), abs=0.01)


def test_it_draws_round_y_ticks_up_to_the_largest_total() -> None:
    labels = texts(parse(charts.columns_over_time(["a", "b"], [("CITES", [7, 3])], title="T")))
    assert {"0", "2", "4", "6", "8"} <= set(labels)


def test_it_shows_a_legend_entry_for_each_series_with_its_fill() -> None:
    root = parse(columns())
    assert {"CITES", "Basel"} <= set(texts(root))
    fills = {rect.get("fill") for rect in root.iter(f"{NS}rect") if rect.get("fill")}
    assert len({fill for fill in fills if fill}) >= 2
    assert any(fill.startswith("url(#") for fill in fills if fill)  # a pattern, not colour alone


def test_it_refuses_a_series_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="CITES"):
        charts.columns_over_time(["2026-01", "2026-02"], [("CITES", [1])], title="T")


def period_labels(count: int) -> list[str]:
    periods = [f"{2020 + index // 12}-{index % 12 + 1:02d}" for index in range(count)]
    svg = charts.columns_over_time(periods, [("CITES", [1] * count)], title="T")
    return [text for text in texts(parse(svg)) if text in periods]


def test_it_labels_every_period_when_there_are_few() -> None:
    assert period_labels(6) == ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"]


def test_it_thins_period_labels_when_there_are_many() -> None:
    labels = period_labels(72)
    assert 3 <= len(labels) <= 15
    assert labels[0] == "2020-01"


def test_it_thins_period_labels_so_they_do_not_overlap() -> None:
    root = parse(charts.columns_over_time([f"P{i:03d}" for i in range(60)], [("CITES", [1] * 60)], title="T"))
    xs = [number(text, "x") for text in root.iter(f"{NS}text") if (text.text or "").startswith("P")]
    gap = min(b - a for a, b in itertools.pairwise(xs))
    assert gap >= 4 * charts.SMALL * charts.GLYPH


def bands(svg: str) -> dict[str, float]:
    """Stroke width of each flow band, by its hover text."""
    return {
        path[0].text or "": float(path.get("stroke-width", "nan")) for path in parse(svg).iter(f"{NS}path") if len(path)
    }


def test_it_draws_bands_as_thick_as_their_counts() -> None:
    widths = bands(routes())
    assert widths["Kenya → Viet Nam: 40"] == pytest.approx(2 * widths["Nigeria → Viet Nam: 20"], abs=0.2)
    assert widths["Kenya → Viet Nam: 40"] == pytest.approx(4 * widths["Kenya → China: 10"], abs=0.2)


def test_it_draws_bands_as_cubic_curves_from_left_to_right() -> None:
    for path in parse(routes()).iter(f"{NS}path"):
        if len(path):
            match = re.fullmatch(r"M([\d.]+) [\d.]+C[\d. ]+ ([\d.]+) [\d.]+", path.get("d", ""))
            assert match
            assert float(match[1]) < float(match[2])


def test_it_names_each_country_once_per_side() -> None:
    labels = texts(parse(routes()))
    assert labels.count("Kenya") == 1
    assert labels.count("Viet Nam") == 1
    assert labels.count("Nigeria") == 1


def test_it_labels_each_route_with_its_count() -> None:
    assert {"40", "20", "10"} <= set(texts(parse(routes())))


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_route_headings_fit_however_short_the_country_names(language: str) -> None:
    with translation.override(language):
        svg = charts.flows([("Peru", "Chad", 3), ("Mali", "Iran", 1)], title="T")
        heading = next(text for text in parse(svg).iter(f"{NS}text") if text.text == translation.gettext("Destination"))
    width = float(re.findall(r"[\d.]+", parse(svg).get("viewBox") or "")[2])
    assert float(heading.get("x") or 0) + charts._text_width(heading.text or "") * charts.BOLD <= width


def test_it_adds_up_repeated_routes() -> None:
    svg = charts.flows([("Kenya", "China", 3), ("Kenya", "China", 4)], title="T")
    assert list(bands(svg)) == ["Kenya → China: 7"]


def bubbles(svg: str) -> dict[str, ET.Element]:
    return {circle[0].text or "": circle for circle in parse(svg).iter(f"{NS}circle") if len(circle)}


def test_it_gives_a_circle_for_40_twice_the_radius_of_one_for_10() -> None:
    circles = bubbles(world())
    assert number(circles["Kenya: 40"], "r") == pytest.approx(2 * number(circles["Vietnam: 10"], "r"), abs=0.1)


def test_it_puts_each_circle_on_its_countrys_point() -> None:
    _, points = charts.country_points()
    circles = bubbles(charts.world_map({"KE": 5, "FR": 3, "US": 2}, title="Map"))
    for hover, code in (("Kenya: 5", "KE"), ("France: 3", "FR"), ("United States: 2", "US")):
        assert (number(circles[hover], "cx"), number(circles[hover], "cy")) == pytest.approx(points[code])


def test_it_skips_countries_the_map_does_not_have() -> None:
    _, points = charts.country_points()
    svg = charts.world_map({"KE": 4, "ZZ": 100, "QQ": 1}, title="Map")
    circles = bubbles(svg)
    assert list(circles) == ["Kenya: 4"]
    assert number(circles["Kenya: 4"], "r") == charts.MAX_RADIUS  # scaled on what is drawn
    assert all((number(c, "cx"), number(c, "cy")) in points.values() for c in circles.values())


def test_it_accepts_lower_case_codes() -> None:
    assert list(bubbles(charts.world_map({"ke": 4}, title="Map"))) == ["Kenya: 4"]


def test_it_names_countries_in_the_readers_language() -> None:
    with translation.override("fr"):
        assert list(bubbles(charts.world_map({"DE": 4}, title="Carte"))) == ["Allemagne\u00a0: 4"]  # French spacing


def test_it_draws_small_bubbles_over_large_ones() -> None:
    radii = [
        number(circle, "r") for circle in bubbles(charts.world_map({"KE": 1, "TZ": 50, "UG": 9}, title="M")).values()
    ]
    assert radii == sorted(radii, reverse=True)


def test_it_draws_the_map_from_the_cached_static_file_in_the_points_coordinates() -> None:
    box, _ = charts.country_points()
    root = parse(world())
    [image] = root.iter(f"{NS}image")
    assert image.get("href") == static("environet/vendor/world/world.svg")
    assert (number(image, "width"), number(image, "height")) == (box[2], box[3])


def test_it_credits_the_base_map() -> None:
    assert any("CC BY 4.0" in text and "MapSVG" in text for text in texts(parse(world())))


def test_it_shows_a_legend_of_circle_sizes() -> None:
    labels = texts(parse(charts.world_map({"KE": 400}, title="Map")))
    assert {"400", "100"} <= set(labels)


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.columns_over_time([], [("CITES", [])], title="T"),
        lambda: charts.columns_over_time(["2026-01", "2026-02"], [("CITES", [0, 0])], title="T"),
        lambda: charts.columns_over_time(["2026-01"], [], title="T"),
        lambda: charts.horizontal_bars([], title="T"),
        lambda: charts.horizontal_bars([("Ivory", 0), ("Scales", 0)], title="T"),
        lambda: charts.flows([], title="T"),
        lambda: charts.flows([("Kenya", "China", 0)], title="T"),
        lambda: charts.world_map({}, title="T"),
        lambda: charts.world_map({"KE": 0}, title="T"),
    ],
)
def test_it_says_so_when_no_seizure_matches(make: Chart) -> None:
    root = parse(make())
    assert texts(root) == [EMPTY_MESSAGE]
    assert root.find(f"{NS}title").text == "T"  # type: ignore[union-attr]


def test_it_translates_the_empty_message() -> None:
    with translation.override("en"):
        assert EMPTY_MESSAGE in charts.flows([], title="T")


def test_it_keeps_the_outputs_small() -> None:
    assert len(columns()) < 3000
    assert len(bars()) < 1000
    assert len(routes()) < 2500
    assert len(world()) < 2000


def test_it_ships_a_world_map_without_scripts_or_handlers() -> None:
    text = (WORLD_DIR / "world.svg").read_text()
    root = parse(text)
    assert root.tag == f"{NS}svg"
    assert "<script" not in text.lower()
    for element in root.iter():
        assert element.tag not in (f"{NS}script", f"{NS}style", f"{NS}foreignObject")
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert not [value for value in element.attrib.values() if "javascript:" in value.lower()]


def test_it_ships_a_light_world_map_in_the_points_coordinates() -> None:
    box, _ = charts.country_points()
    path = WORLD_DIR / "world.svg"
    assert path.stat().st_size < 60_000
    assert parse(path.read_text()).get("viewBox") == " ".join(f"{value:g}" for value in box)


def test_it_ships_the_licence_of_the_map() -> None:
    licence = (WORLD_DIR / "LICENSE").read_text()
    assert "@svg-maps/world 2.0.0" in licence
    assert "CC BY 4.0" in licence
    assert "MapSVG" in licence
    assert "Attribution 4.0 International" in licence


def test_it_has_a_point_inside_the_map_for_each_country() -> None:
    data = json.loads(charts.POINTS_FILE.read_text())
    x0, y0, width, height = data["viewBox"]
    assert len(data["points"]) > 240
    for code, (x, y) in data["points"].items():
        assert re.fullmatch(r"[A-Z]{2}", code)
        assert x0 <= x <= x0 + width and y0 <= y <= y0 + height
    # Overseas parts must not pull these away from the mainland.
    for code, (west, north, east, south) in {
        "FR": (465, 295, 500, 330),
        "US": (150, 300, 300, 380),
        "NO": (490, 200, 545, 265),
        "RU": (560, 150, 1000, 320),
    }.items():
        x, y = data["points"][code]
        assert west <= x <= east and north <= y <= south, code


def test_it_reads_the_points_once() -> None:
    assert charts.country_points() is charts.country_points()
    assert math.isclose(charts.country_points()[0][2], 1010)
