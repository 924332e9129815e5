"""One-off conversion of the npm package @svg-maps/world into the base map of the bubble map.

Not run by the application or the tests: its outputs are kept in the repository.

    cd /tmp && npm pack @svg-maps/world@2.0.0 && tar xzf svg-maps-world-2.0.0.tgz
    .venv/bin/python seizures/tools/build_world_map.py /tmp/package

It writes, relative to the repository root:

- ``static/environet/vendor/world/world.svg``: one light, simplified outline path (no script, no style);
- ``static/environet/vendor/world/LICENSE``: the package's licence and attribution;
- ``seizures/data/country_points.json``: one point inside each country, in the map's viewBox coordinates.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

import pycountry
from defusedxml import ElementTree

PACKAGE = "@svg-maps/world"
VERSION = "2.0.0"
LICENCE = "CC-BY-4.0"
INTEGRITY = "sha512-VmYYnyygJ5Zhr48xPqukFBoq4aCBgVNIjBzqBnWKXSdHhrRK3pntdvbCa8lMsxwVCFzEw9a+smIMEGI2sC1xcQ=="
ROOT = Path(__file__).resolve().parents[2]
MAP_DIR = ROOT / "static" / "environet" / "vendor" / "world"
POINTS_FILE = ROOT / "seizures" / "data" / "country_points.json"

# Douglas-Peucker tolerance in viewBox units (the map is 1010 wide): sub-pixel detail at dashboard sizes.
TOLERANCE = 0.5
# Rings smaller than this (in square viewBox units) vanish at dashboard sizes; the bubble still marks them.
MIN_RING_AREA = 1.5
# Outline coordinates are written as integers in this many steps per viewBox unit.
SCALE = 2

# Points where the visual centre of the largest polygon is not where a reader looks for the country,
# in viewBox coordinates. Checked by eye on a rendering of the map.
# None is needed so far: the visual centre of the largest polygon already lands in metropolitan France, the
# contiguous United States, mainland Norway and Russia, where the centre of a bounding box would not.
NUDGES: dict[str, tuple[float, float]] = {}
# Codes outside ISO 3166-1 that the map has and that agencies use.
USER_ASSIGNED = {"XK"}  # Kosovo

Point = tuple[float, float]
Ring = list[Point]

_TOKEN = re.compile(r"[MmLlHhVvZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_path(d: str) -> list[Ring]:
    """Absolute rings of an SVG path that uses only move, line and close commands (all the package uses)."""
    rings: list[Ring] = []
    ring: Ring = []
    x = y = 0.0
    start = (0.0, 0.0)
    command = ""
    tokens = _TOKEN.findall(d)
    if "".join(tokens).replace(" ", "") != re.sub(r"[\s,]", "", d):
        raise ValueError("unsupported path command")
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.isalpha():
            command = token
            index += 1
            if command in "Zz":
                if ring:
                    rings.append(ring)
                ring = []
                x, y = start
                continue
        relative = command.islower()
        kind = command.upper()
        if kind in "ML":
            dx, dy = float(tokens[index]), float(tokens[index + 1])
            index += 2
            x, y = (x + dx, y + dy) if relative else (dx, dy)
            if kind == "M":
                if ring:
                    rings.append(ring)
                ring = []
                start = (x, y)
                # Coordinates after a moveto are implicit linetos of the same case.
                command = "l" if relative else "L"
        elif kind == "H":
            value = float(tokens[index])
            index += 1
            x = x + value if relative else value
        elif kind == "V":
            value = float(tokens[index])
            index += 1
            y = y + value if relative else value
        else:
            raise ValueError(f"unsupported path command {command!r}")
        ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def area(ring: Ring) -> float:
    """Unsigned area (shoelace formula)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, iterative (rings have thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, distance = 0, 0.0
        for index in range(first + 1, last):
            d = _segment_distance(points[index], points[first], points[last])
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: Ring) -> Ring:
    """Split a closed ring at its farthest point so Douglas-Peucker keeps its shape."""
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    first = simplify([*ring[: far + 1]], TOLERANCE)
    second = simplify([*ring[far:], ring[0]], TOLERANCE)
    return first[:-1] + second[:-1]


def _inside(point: Point, ring: Ring) -> bool:
    x, y = point
    result = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            result = not result
    return result


def _edge_distance(point: Point, ring: Ring) -> float:
    return min(_segment_distance(point, a, b) for a, b in zip(ring, ring[1:] + ring[:1], strict=True))


def visual_centre(ring: Ring) -> Point:
    """The inside point farthest from the edge (a grid search, refined twice): it stays inside concave
    countries (Norway, Chile, Viet Nam) where the centre of the bounding box can fall outside."""
    coarse = simplify_ring(ring) if len(ring) > 200 else ring
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    best = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    best_distance = _edge_distance(best, coarse) if _inside(best, coarse) else -1.0
    span_x, span_y, centre_x, centre_y = max(xs) - min(xs), max(ys) - min(ys), best[0], best[1]
    for _ in range(3):
        steps = 24
        for i in range(steps + 1):
            for j in range(steps + 1):
                candidate = (centre_x - span_x / 2 + span_x * i / steps, centre_y - span_y / 2 + span_y * j / steps)
                if _inside(candidate, coarse):
                    distance = _edge_distance(candidate, coarse)
                    if distance > best_distance:
                        best, best_distance = candidate, distance
        centre_x, centre_y = best
        span_x, span_y = span_x / 4, span_y / 4
    return best


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_data(rings: list[Ring]) -> str:
    """Relative moves and implicit linetos in integer half-units (drawn with scale(.5)): the shortest text
    that keeps the shape at dashboard sizes (half-unit integers are ~10% smaller than one decimal)."""
    parts: list[str] = []
    x = y = 0
    for ring in rings:
        scaled = [(round(px * SCALE), round(py * SCALE)) for px, py in ring]
        deduplicated = [p for i, p in enumerate(scaled) if i == 0 or p != scaled[i - 1]]
        if len(deduplicated) < 3:
            continue
        moves = ""
        for px, py in deduplicated:
            for step in (px - x, py - y):
                # A minus sign separates numbers by itself.
                moves += str(step) if step < 0 else f" {step}"
            x, y = px, py
        x, y = deduplicated[0]  # "z" returns the pen to the start of the ring
        parts.append("m" + moves.lstrip(" ") + "z")
    return "".join(parts)


def build(package: Path) -> None:
    manifest = json.loads((package / "package.json").read_text())
    if (manifest["name"], manifest["version"], manifest["license"]) != (PACKAGE, VERSION, LICENCE):
        raise SystemExit(f"expected {PACKAGE} {VERSION} ({LICENCE}), found {manifest}")
    svg = ElementTree.parse(package / "world.svg").getroot()
    view_box = [float(value) for value in svg.get("viewBox", "").split()]
    outlines: list[Ring] = []
    countries: dict[str, list[Ring]] = {}
    for element in svg.iter("{http://www.w3.org/2000/svg}path"):
        rings = parse_path(element.get("d", ""))
        outlines += [simplify_ring(ring) for ring in rings if area(ring) >= MIN_RING_AREA]
        # "um-wq" and its siblings are parts of UM; "ju" and "go" (Juan de Nova, Glorioso) are not ISO codes.
        code = element.get("id", "").split("-")[0].upper()
        if code in USER_ASSIGNED or pycountry.countries.get(alpha_2=code):
            countries.setdefault(code, []).extend(rings)
    points: dict[str, list[float]] = {}
    for code, rings in sorted(countries.items()):
        x, y = NUDGES.get(code) or visual_centre(max(rings, key=area))
        points[code] = [round(x, 1), round(y, 1)]
    write_outputs(package, view_box, outlines, points)


def write_outputs(package: Path, view_box: list[float], outlines: list[Ring], points: dict[str, list[float]]) -> None:
    box = " ".join(_number(value) for value in view_box)
    MAP_DIR.mkdir(parents=True, exist_ok=True)
    (MAP_DIR / "world.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">'
        f"<!-- Based on {PACKAGE} {VERSION} (MapSVG, mapsvg.com), {LICENCE}; simplified. See LICENSE. -->"
        f'<path transform="scale({1 / SCALE:g})" fill="#e3e6e8" stroke="#fff" stroke-linejoin="round" '
        f'd="{path_data(outlines)}"/>'
        "</svg>\n"
    )
    (MAP_DIR / "LICENSE").write_text(
        f"static/environet/vendor/world/world.svg is derived from the npm package {PACKAGE} {VERSION}\n"
        "(https://github.com/VictorCazanave/svg-maps, by Victor Cazanave), itself based on the world map of\n"
        "MapSVG (https://mapsvg.com/maps/world), licensed under the Creative Commons Attribution 4.0\n"
        "International licence (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/).\n"
        f"Package tarball integrity: {INTEGRITY}\n\n"
        "Changes made by ENVIRONET (seizures/tools/build_world_map.py): outlines simplified (Douglas-Peucker,\n"
        f"tolerance {TOLERANCE}), coordinates rounded to half units, islands under {MIN_RING_AREA} square units\n"
        "dropped, all countries merged into one path, identifiers and names removed. The points in\n"
        "seizures/data/country_points.json are computed from the original outlines.\n\n"
        "The licence text of the package (its LICENSE.md) follows.\n\n" + (package / "LICENSE.md").read_text()
    )
    POINTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    # One country a line, so that a rebuild reads well in a diff.
    lines = ",\n".join(f'"{code}":[{_number(x)},{_number(y)}]' for code, (x, y) in points.items())
    box_json = json.dumps([int(value) if value.is_integer() else value for value in view_box], separators=(",", ":"))
    POINTS_FILE.write_text(f'{{"viewBox":{box_json},"points":{{\n{lines}\n}}}}\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("package", type=Path, help="the unpacked npm package (the folder with package.json)")
    build(parser.parse_args().package)


if __name__ == "__main__":
    main()
