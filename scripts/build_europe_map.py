"""Draw the outline of Europe for the hubs' map: static/img/europe.svg and its frame, static/img/europe.json.

The shapes are Natural Earth's countries (public domain) as the npm package world-atlas (ISC licence) ships
them in TopoJSON. Fetch the package into a temporary folder and pass the file to this script:

    mkdir -p /tmp/world-atlas && (cd /tmp/world-atlas && npm pack world-atlas@2.0.2 && tar -xzf *.tgz)
    .venv/bin/python scripts/build_europe_map.py /tmp/world-atlas/package/countries-50m.json

What it does, with nothing but the standard library:
1. decodes the TopoJSON: arcs are delta-encoded integers, scaled and translated back to degrees;
2. gives Crimea to Ukraine: world-atlas 2.0 draws it inside Russia, an annexation that the UN General
   Assembly called invalid (resolution 68/262) and no partner state recognises;
3. projects every point with hubs.map.lambert_azimuthal_equal_area, the projection hubs.map.project uses
   for the markers, and frames the rectangle around longitudes -25..45 and latitudes 34..72;
4. simplifies each arc once (Douglas-Peucker), so that neighbouring countries keep a common border;
5. clips the countries (Sutherland-Hodgman) and the borders between them to the frame, drops specks;
6. writes the SVG (land, Ukraine a shade apart, borders) and the frame that hubs.map reads.

Run it again after changing the window or the width; commit both files it writes.
"""

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from hubs.map import CENTRE_LATITUDE, CENTRE_LONGITUDE, lambert_azimuthal_equal_area  # noqa: E402

RUSSIA, UKRAINE = "643", "804"
CRIMEA = {"west": 32.0, "east": 37.0, "south": 44.0, "north": 46.5}
SEA, LAND, UKRAINE_FILL, BORDER = "#d3e2ef", "#f4f1ea", "#fbefb5", "#8c98a6"

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """The arcs as lists of (longitude, latitude)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for delta_x, delta_y in arc:
                x, y = x + delta_x, y + delta_y
                points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        else:
            points = [(x, y) for x, y in arc]
        arcs.append(points)
    return arcs


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    """Each polygon as its rings, each ring as its arc indices (~i: arc i reversed)."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def abs_index(index: int) -> int:
    """The arc an index names, whichever way it is walked."""
    return index if index >= 0 else ~index


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def within(points: list[Point], box: dict) -> bool:
    return all(
        box["west"] <= lon <= box["east"] and box["south"] <= lat <= box["north"] for lon, lat in points
    )


def countries(topology: dict, arcs: list[list[Point]]) -> dict[str, list[list[list[int]]]]:
    """Polygons by country id, with Crimea moved from Russia to Ukraine."""
    found: dict[str, list[list[list[int]]]] = {}
    for index, geometry in enumerate(topology["objects"]["countries"]["geometries"]):
        found.setdefault(str(geometry.get("id", f"unnamed-{index}")), []).extend(polygons_of(geometry))
    crimea = [polygon for polygon in found.get(RUSSIA, []) if within(ring_points(polygon[0], arcs), CRIMEA)]
    if not crimea:
        sys.exit("Crimea was not found inside Russia's shapes: check the input before drawing the map.")
    found[RUSSIA] = [polygon for polygon in found[RUSSIA] if polygon not in crimea]
    found.setdefault(UKRAINE, []).extend(crimea)
    return found


def frame_of(west: float, east: float, south: float, north: float, width: int) -> dict:
    """The projected rectangle around the window's edges, and the scale that makes it `width` wide."""
    samples = 200
    edge = []
    for step in range(samples + 1):
        longitude = west + (east - west) * step / samples
        latitude = south + (north - south) * step / samples
        edge += [(south, longitude), (north, longitude), (latitude, west), (latitude, east)]
    projected = [lambert_azimuthal_equal_area(latitude, longitude) for latitude, longitude in edge]
    xs, ys = [x for x, _y in projected], [y for _x, y in projected]
    left, right, bottom, top = min(xs), max(xs), min(ys), max(ys)
    scale = width / (right - left)
    return {
        "projection": "Lambert azimuthal equal-area on a sphere",
        "centre_latitude": CENTRE_LATITUDE,
        "centre_longitude": CENTRE_LONGITUDE,
        "window": {"west": west, "east": east, "south": south, "north": north},
        "scale": scale,
        "left": left,
        "top": top,
        "width": width,
        "height": round((top - bottom) * scale),
    }


def to_svg(point: Point, frame: dict) -> Point:
    x, y = lambert_azimuthal_equal_area(point[1], point[0])
    return (x - frame["left"]) * frame["scale"], (frame["top"] - y) * frame["scale"]


def distance_to_segment(point: Point, start: Point, end: Point) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, without recursion (an arc can have thousands of points); keeps both ends."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            distance = distance_to_segment(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def clip_polygon(points: list[Point], width: float, height: float) -> list[Point]:
    """Sutherland-Hodgman against the rectangle [0, width] × [0, height]."""
    edges = [
        (lambda p: p[0] >= 0, lambda a, b: _cross_x(a, b, 0)),
        (lambda p: p[0] <= width, lambda a, b: _cross_x(a, b, width)),
        (lambda p: p[1] >= 0, lambda a, b: _cross_y(a, b, 0)),
        (lambda p: p[1] <= height, lambda a, b: _cross_y(a, b, height)),
    ]
    output = points
    for inside, cross in edges:
        if not output:
            break
        clipped, previous = [], output[-1]
        for current in output:
            if inside(current):
                if not inside(previous):
                    clipped.append(cross(previous, current))
                clipped.append(current)
            elif inside(previous):
                clipped.append(cross(previous, current))
            previous = current
        output = clipped
    return output


def _cross_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


def clip_line(points: list[Point], width: float, height: float) -> list[list[Point]]:
    """The pieces of a polyline inside the rectangle (Liang-Barsky on each segment)."""
    pieces: list[list[Point]] = []
    current: list[Point] = []
    for a, b in itertools.pairwise(points):
        segment = _clip_segment(a, b, width, height)
        if segment is None:
            if current:
                pieces.append(current)
                current = []
            continue
        start, end = segment
        if current and current[-1] == start:
            current.append(end)
        else:
            if current:
                pieces.append(current)
            current = [start, end]
        if end != b:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


def _clip_segment(a: Point, b: Point, width: float, height: float) -> tuple[Point, Point] | None:
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0]), (dx, width - a[0]), (-dy, a[1]), (dy, height - a[1])):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    start = a if low == 0 else (a[0] + low * dx, a[1] + low * dy)
    end = b if high == 1 else (a[0] + high * dx, a[1] + high * dy)
    return start, end


def area(points: list[Point]) -> float:
    return abs(
        sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True)) / 2
    )


def rounded(points: list[Point]) -> list[tuple[int, int]]:
    """Whole units, without repeated points: at 1000 units wide a unit is about 5 km, below what shows."""
    result: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not result or result[-1] != point:
            result.append(point)
    return result


def path_data(parts: list[list[tuple[int, int]]], *, closed: bool) -> str:
    """Absolute moveto, then relative lineto: the shortest plain SVG path text."""
    commands = []
    for part in parts:
        (x, y), rest = part[0], part[1:]
        text = [f"M{x} {y}"]
        if rest:
            steps = []
            previous = part[0]
            for point in rest:
                steps.append(_pair(point[0] - previous[0], point[1] - previous[1]))
                previous = point
            text.append("l" + "".join(steps).lstrip(" "))
        if closed:
            text.append("z")
        commands.append("".join(text))
    return "".join(commands)


def _pair(dx: int, dy: int) -> str:
    # A minus sign separates numbers by itself; a positive number needs a space before it.
    return (f"{dx}" if dx < 0 else f" {dx}") + (f"{dy}" if dy < 0 else f" {dy}")


def build(topology: dict, *, width: int, tolerance: float, min_area: float, window: dict) -> tuple[str, dict]:
    arcs = decode_arcs(topology)
    frame = frame_of(width=width, **window)
    height = frame["height"]
    shapes = countries(topology, arcs)

    # Project and simplify each arc once; countries then share the same simplified borders.
    used = {
        abs_index(index) for polygons in shapes.values() for rings in polygons for r in rings for index in r
    }
    projected = {
        index: simplify([to_svg(point, frame) for point in arcs[index]], tolerance) for index in used
    }

    owners: dict[int, set[str]] = {}
    land, ukraine = [], []
    for country, polygons in shapes.items():
        for polygon in polygons:
            for ring in polygon:
                for index in ring:
                    owners.setdefault(abs_index(index), set()).add(country)
                points: list[Point] = []
                for index in ring:
                    arc = projected[index] if index >= 0 else projected[~index][::-1]
                    points.extend(arc if not points else arc[1:])
                clipped = rounded(clip_polygon(points, width, height))
                if len(clipped) >= 3 and area(clipped) >= min_area:
                    (ukraine if country == UKRAINE else land).append(clipped)

    borders = []
    for index, countries_of_arc in sorted(owners.items()):
        if len(countries_of_arc) > 1:
            for piece in clip_line(projected[index], width, height):
                piece = rounded(piece)
                if len(piece) >= 2:
                    borders.append(piece)

    svg = "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">',
            "<title>Europe</title>",
            "<desc>Country outlines: Natural Earth (public domain), from the world-atlas package "
            "(ISC licence), with Crimea shown as part of Ukraine. Lambert azimuthal equal-area projection "
            f"centred at {CENTRE_LATITUDE:g}° N {CENTRE_LONGITUDE:g}° E. Generated by "
            "scripts/build_europe_map.py; do not edit by hand.</desc>",
            f'<rect width="{width}" height="{height}" fill="{SEA}"/>',
            f'<path fill="{LAND}" stroke="{LAND}" stroke-width="0.5" fill-rule="evenodd" '
            f'd="{path_data(land, closed=True)}"/>',
            f'<path fill="{UKRAINE_FILL}" stroke="{UKRAINE_FILL}" stroke-width="0.5" fill-rule="evenodd" '
            f'd="{path_data(ukraine, closed=True)}"/>',
            f'<path fill="none" stroke="{BORDER}" stroke-width="0.8" stroke-linejoin="round" '
            f'd="{path_data(borders, closed=False)}"/>',
            f'<rect width="{width}" height="{height}" fill="none" stroke="{BORDER}" stroke-width="1"/>',
            "</svg>",
            "",
        ]
    )
    return svg, frame


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-50m.json or countries-110m.json")
    parser.add_argument("--svg", type=Path, default=BASE_DIR / "static" / "img" / "europe.svg")
    parser.add_argument("--frame", type=Path, default=BASE_DIR / "static" / "img" / "europe.json")
    parser.add_argument("--width", type=int, default=1000, help="width of the viewBox in SVG units")
    parser.add_argument("--tolerance", type=float, default=0.4, help="simplification, in SVG units")
    parser.add_argument("--min-area", type=float, default=2.0, help="smaller islands are left out (units²)")
    parser.add_argument("--west", type=float, default=-25.0)
    parser.add_argument("--east", type=float, default=45.0)
    parser.add_argument("--south", type=float, default=34.0)
    parser.add_argument("--north", type=float, default=72.0)
    arguments = parser.parse_args(argv)

    topology = json.loads(arguments.topojson.read_text(encoding="utf-8"))
    window = {key: getattr(arguments, key) for key in ("west", "east", "south", "north")}
    svg, frame = build(
        topology,
        width=arguments.width,
        tolerance=arguments.tolerance,
        min_area=arguments.min_area,
        window=window,
    )
    frame["source"] = f"world-atlas {arguments.topojson.name} (Natural Earth, public domain)"
    arguments.svg.parent.mkdir(parents=True, exist_ok=True)
    arguments.svg.write_text(svg, encoding="utf-8")
    arguments.frame.write_text(json.dumps(frame, indent=2) + "\n", encoding="utf-8")
    size = len(svg.encode()) // 1024
    print(f"Wrote {arguments.svg} ({size} KB, viewBox 0 0 {frame['width']} {frame['height']})")
    print(f"Wrote {arguments.frame}")


if __name__ == "__main__":
    main()
