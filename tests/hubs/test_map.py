"""The hubs' map: one projection for the committed outline and the markers, and the script that draws it."""

import importlib.util
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from hubs import map as europe_map

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SVG = BASE_DIR / "static" / "img" / "europe.svg"
LONDON = (51.5074, -0.1278)
BERLIN = (52.52, 13.405)
ROME = (41.9028, 12.4964)


def load_script():
    spec = importlib.util.spec_from_file_location(
        "build_europe_map", BASE_DIR / "scripts" / "build_europe_map.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_berlin_is_east_of_london_and_north_of_rome():
    london, berlin, rome = (europe_map.project(*place) for place in (LONDON, BERLIN, ROME))

    assert berlin[0] > london[0]
    assert berlin[1] < rome[1]  # SVG's y grows downwards


@pytest.mark.parametrize("place", [LONDON, BERLIN, ROME, (64.1466, -21.9426), (50.4501, 30.5234)])
def test_european_capitals_land_inside_the_view_box(place):
    x, y = europe_map.project(*place)

    assert europe_map.frame().contains(x, y)


def test_a_place_far_from_europe_lands_outside_it():
    assert not europe_map.frame().contains(*europe_map.project(-33.87, 151.21))  # Sydney


def test_it_takes_the_decimal_degrees_the_hub_model_stores():
    assert europe_map.project(Decimal("52.52000"), Decimal("13.40500")) == europe_map.project(*BERLIN)


def test_the_committed_outline_has_the_frames_view_box_and_says_where_it_comes_from():
    svg = SVG.read_text(encoding="utf-8")
    frame = europe_map.frame()

    view_box = re.search(r'<svg[^>]*viewBox="([^"]+)"', svg)
    assert view_box is not None
    assert view_box.group(1) == frame.viewbox
    assert "Natural Earth" in svg and "world-atlas" in svg
    assert len(svg.encode()) < 150_000


def test_labels_of_neighbouring_hubs_do_not_overlap():
    copenhagen, vilnius = (530.0, 300.0), (655.0, 301.0)

    first, second = europe_map.place_labels([(*copenhagen, "Copenhagen"), (*vilnius, "Vilnius")], 1000, 718)

    # Copenhagen's name would run into Vilnius's dot on the right, so it goes to the left.
    assert (first.anchor, second.anchor) == ("end", "start")
    assert first.x < copenhagen[0] < vilnius[0] < second.x


def test_a_label_near_the_right_edge_turns_left():
    (label,) = europe_map.place_labels([(990.0, 300.0, "Kharkiv")], 1000, 718)

    assert label.anchor == "end"


# The build script, on a tiny TopoJSON made here.


def square(x: int, y: int) -> list[list[int]]:
    """A quantized closed arc: a 1×1 square, delta-encoded."""
    return [[x, y], [1, 0], [0, 1], [-1, 0], [0, -1]]


def tiny_topology() -> dict:
    """Germany as a 1° square; Russia as a square far east, outside the map, and one in Crimea, as world-atlas
    draws it."""
    return {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [square(10, 50), square(100, 30), square(34, 45)],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "id": "276"},
                    {"type": "MultiPolygon", "arcs": [[[1]], [[2]]], "id": "643"},
                ],
            }
        },
    }


def test_the_script_draws_the_countries_and_gives_crimea_to_ukraine():
    script = load_script()
    window = {"west": -25.0, "east": 45.0, "south": 34.0, "north": 72.0}

    svg, frame = script.build(tiny_topology(), width=1000, tolerance=0.4, min_area=1.0, window=window)

    land, ukraine = re.findall(r'<path fill="#[0-9a-f]+"[^>]* d="([^"]*)"', svg)
    crimea_x, _y = europe_map.lambert_azimuthal_equal_area(45.5, 34.5)
    germany_x, _y = europe_map.lambert_azimuthal_equal_area(50.5, 10.5)
    assert ukraine.count("M") == 1
    assert abs(int(ukraine[1:].split(" ")[0]) - (crimea_x - frame["left"]) * frame["scale"]) < 60
    assert land.count("M") == 1  # Germany; the square at 100° E lies outside the frame
    assert abs(int(land[1:].split(" ")[0]) - (germany_x - frame["left"]) * frame["scale"]) < 60
    assert frame["width"] == 1000 and frame["height"] > 0
    assert f'viewBox="0 0 1000 {frame["height"]}"' in svg


def test_the_script_writes_the_outline_and_its_frame(tmp_path):
    script = load_script()
    source = tmp_path / "countries.json"
    source.write_text(json.dumps(tiny_topology()), encoding="utf-8")

    script.main(
        [str(source), "--svg", str(tmp_path / "europe.svg"), "--frame", str(tmp_path / "europe.json")]
    )

    frame = json.loads((tmp_path / "europe.json").read_text(encoding="utf-8"))
    assert set(frame) >= {"scale", "left", "top", "width", "height"}
    assert (tmp_path / "europe.svg").read_text(encoding="utf-8").startswith("<svg")


def test_the_script_stops_when_crimea_is_not_where_it_expects():
    script = load_script()
    topology = tiny_topology()
    topology["objects"]["countries"]["geometries"][1]["arcs"] = [[[1]]]

    with pytest.raises(SystemExit):
        script.build(
            topology,
            width=1000,
            tolerance=0.4,
            min_area=1.0,
            window={"west": -25.0, "east": 45.0, "south": 34.0, "north": 72.0},
        )


def test_douglas_peucker_keeps_the_corners_and_drops_what_is_nearly_straight():
    script = load_script()
    points = [(0.0, 0.0), (5.0, 0.1), (10.0, 0.0), (10.0, 10.0)]

    assert script.simplify(points, tolerance=0.5) == [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]


def test_clipping_keeps_what_lies_inside_the_frame():
    script = load_script()
    square_across_the_edge = [(-10.0, 10.0), (10.0, 10.0), (10.0, 20.0), (-10.0, 20.0)]

    clipped = script.clip_polygon(square_across_the_edge, 100, 100)

    assert min(x for x, _y in clipped) == 0
    assert script.area(clipped) == pytest.approx(100)
    assert script.clip_line([(-10.0, 5.0), (10.0, 5.0), (10.0, 205.0)], 100, 100) == [
        [(0.0, 5.0), (10.0, 5.0), (10.0, 100.0)]
    ]
