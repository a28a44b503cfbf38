"""The map of the 25 veiligheidsregio's as simplified SVG paths, computed once.

The shapes ship with the project (static/vendor/nl-regions/nl-regions.topo.json,
CBS / PDOK via the Ministry of VWS). The TopoJSON arcs are decoded with the
file's transform, projected equirectangularly (longitude scaled by cos 52°),
thinned per arc (so neighbouring regions keep an identical border) and written
as SVG path data. Nothing is loaded from the internet.
"""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

TOPOJSON = Path("vendor") / "nl-regions" / "nl-regions.topo.json"
WIDTH = 600.0
TOLERANCE = 0.9  # px: points closer than this to the previous kept point are dropped
ATTRIBUTION = "Kaartgegevens: CBS / PDOK, via Ministerie van VWS"


@dataclass(frozen=True)
class MapShapes:
    width: int
    height: int
    paths: dict  # region code -> SVG path data


def _topojson_path() -> Path:
    for folder in getattr(settings, "STATICFILES_DIRS", []):
        candidate = Path(folder) / TOPOJSON
        if candidate.exists():
            return candidate
    return Path(settings.BASE_DIR) / "static" / TOPOJSON


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _thin(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    if len(points) <= 2:
        return points
    kept = [points[0]]
    for point in points[1:-1]:
        last = kept[-1]
        if math.hypot(point[0] - last[0], point[1] - last[1]) >= tolerance:
            kept.append(point)
    kept.append(points[-1])
    return kept


def _ring_points(ring: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


@lru_cache(maxsize=1)
def region_shapes() -> MapShapes:
    """Path data per region code, scaled to a viewBox WIDTH wide (cached per process)."""
    topology = json.loads(_topojson_path().read_text(encoding="utf-8"))
    geometries = topology["objects"]["vr_features"]["geometries"]
    lonlat_arcs = _decode_arcs(topology)
    k = math.cos(math.radians(52))
    projected = [[(lon * k, -lat) for lon, lat in arc] for arc in lonlat_arcs]

    used = {
        abs(i) if i >= 0 else ~i for g in geometries for p in _polygons(g) for r in p for i in r
    }
    xs = [x for i in used for x, _ in projected[i]]
    ys = [y for i in used for _, y in projected[i]]
    min_x, min_y = min(xs), min(ys)
    scale = WIDTH / (max(xs) - min_x)
    height = (max(ys) - min_y) * scale

    screen = {
        i: _thin([((x - min_x) * scale, (y - min_y) * scale) for x, y in projected[i]], TOLERANCE)
        for i in used
    }
    paths = {}
    for geometry in geometries:
        code = geometry["properties"]["code"]
        parts = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                points = _ring_points(ring, screen)
                if len(points) < 3:
                    continue
                head, *rest = points
                parts.append(
                    f"M{head[0]:.1f} {head[1]:.1f}"
                    + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest)
                    + "Z"
                )
        paths[code] = "".join(parts)
    return MapShapes(width=int(WIDTH), height=math.ceil(height), paths=paths)
