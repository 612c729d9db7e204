"""Where a latitude and longitude land on the committed outline of Europe (static/img/europe.svg).

The outline and the hub markers share one projection: Lambert azimuthal equal-area on a sphere, centred at
52° N 10° E, the centre that EPSG:3035 (the EU's statistical maps) uses. Areas keep their proportions and the
north is not stretched as on a Web Mercator map. scripts/build_europe_map.py draws the outline with
`lambert_azimuthal_equal_area` below and writes the frame (how projected units become the SVG's units) to
static/img/europe.json; `project` reads that frame, so a marker lands where the outline puts its city.

This module imports nothing from Django, so that the build script can use it without settings.
"""

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

CENTRE_LATITUDE = 52.0
CENTRE_LONGITUDE = 10.0
FRAME_PATH = Path(__file__).resolve().parent.parent / "static" / "img" / "europe.json"


def lambert_azimuthal_equal_area(latitude: float, longitude: float) -> tuple[float, float]:
    """The point on the unit sphere projected to the plane: x grows eastwards, y northwards.

    Defined everywhere except at the antipode of the centre (52° S 170° W, in the South Pacific).
    """
    phi, lam = math.radians(latitude), math.radians(longitude - CENTRE_LONGITUDE)
    phi1 = math.radians(CENTRE_LATITUDE)
    denominator = 1 + math.sin(phi1) * math.sin(phi) + math.cos(phi1) * math.cos(phi) * math.cos(lam)
    k = math.sqrt(2 / max(denominator, 1e-12))
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(phi1) * math.sin(phi) - math.sin(phi1) * math.cos(phi) * math.cos(lam))
    return x, y


@dataclass(frozen=True)
class Frame:
    """The rectangle of the plane the SVG shows: projected (left, top) is the SVG's (0, 0)."""

    scale: float
    left: float
    top: float
    width: int
    height: int

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def contains(self, x: float, y: float) -> bool:
        return 0 <= x <= self.width and 0 <= y <= self.height


@cache
def frame() -> Frame:
    data = json.loads(FRAME_PATH.read_text(encoding="utf-8"))
    return Frame(
        scale=data["scale"], left=data["left"], top=data["top"], width=data["width"], height=data["height"]
    )


def project(latitude: float | Decimal, longitude: float | Decimal) -> tuple[float, float]:
    """The (x, y) position in the SVG's viewBox of a point given in degrees, to a tenth of a unit."""
    x, y = lambert_azimuthal_equal_area(float(latitude), float(longitude))
    current = frame()
    return round((x - current.left) * current.scale, 1), round((current.top - y) * current.scale, 1)


# Labels: the size hubs.css gives .hub-marker-label on wide screens (narrow ones hide the labels), and a rough
# width per character of the bold sans-serif it is set in; good enough to keep two names from overlapping.
LABEL_FONT_SIZE = 20
LABEL_CHARACTER_WIDTH = 0.62 * LABEL_FONT_SIZE
LABEL_GAP = 12
DOT_RADIUS = 9


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    anchor: str


def place_labels(points: list[tuple[float, float, str]], width: float, height: float) -> list[Label]:
    """A label beside each (x, y, text) point: to the right where there is room, else to the left, above or
    below; the first place that stays inside the map and clear of the other labels and dots, or the least
    crowded one."""
    dots = [(x - DOT_RADIUS, y - DOT_RADIUS, x + DOT_RADIUS, y + DOT_RADIUS) for x, y, _text in points]
    placed: list[tuple[float, float, float, float]] = []
    labels: dict[int, Label] = {}
    for index in sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1])):
        x, y, text = points[index]
        w, h = LABEL_CHARACTER_WIDTH * len(text), LABEL_FONT_SIZE
        candidates = [
            (
                Label(x + LABEL_GAP, y + h * 0.35, "start"),
                (x + LABEL_GAP, y - h * 0.65, x + LABEL_GAP + w, y + h * 0.35),
            ),
            (
                Label(x - LABEL_GAP, y + h * 0.35, "end"),
                (x - LABEL_GAP - w, y - h * 0.65, x - LABEL_GAP, y + h * 0.35),
            ),
            (
                Label(x, y - LABEL_GAP - h * 0.25, "middle"),
                (x - w / 2, y - LABEL_GAP - h, x + w / 2, y - LABEL_GAP),
            ),
            (
                Label(x, y + LABEL_GAP + h * 0.75, "middle"),
                (x - w / 2, y + LABEL_GAP, x + w / 2, y + LABEL_GAP + h),
            ),
        ]
        obstacles = placed + [dot for other, dot in enumerate(dots) if other != index]
        label, box = min(candidates, key=lambda candidate: _crowding(candidate[1], obstacles, width, height))
        labels[index] = Label(round(label.x, 1), round(label.y, 1), label.anchor)
        placed.append(box)
    return [labels[index] for index in range(len(points))]


def _crowding(box, obstacles, width: float, height: float) -> float:
    """How much a label's box overlaps the obstacles; leaving the map counts as worse than any overlap."""
    outside = box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height
    return sum(_overlap(box, obstacle) for obstacle in obstacles) + (1_000_000 if outside else 0)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
