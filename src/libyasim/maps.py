"""The map of Libya shared by the plots, the app and the game.

Libya's boundary and coastline, and the nearby land of its neighbours, come from Natural Earth's
1:10m countries (public domain; see src/libyasim/data/README.md). On top: the roads between the
key places, each place coloured by who holds it (or a pie of how often each side holds it across
an ensemble), the front line across every road whose two ends are held by opposing sides, and
an inset of the Tripoli front whose labels are placed so that they do not overlap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import Normal, Stroke
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from libyasim.geography import PLACES, ROADS

HOLDER_LABELS = ("gna", "lna", "unaligned", "contested")
HOLDER_COLOURS = {"gna": "#1f77b4", "lna": "#d62728", "unaligned": "#7f7f7f",
                  "contested": "#9467bd"}
HOLDER_WORDS = {"gna": "GNA side", "lna": "LNA side", "unaligned": "unaligned",
                "contested": "contested (ringed)"}
SHORT_WORDS = {"gna": "GNA", "lna": "LNA", "unaligned": "unaligned", "contested": "contested"}
OPPOSING = frozenset({"gna", "lna"})

BOUNDARY_FILE = "libya_ne_10m.geojson"
VIEW = (7.0, 26.3, 18.6, 34.4)  # lon min, lon max, lat min, lat max of the whole map
FRONT_COLOUR = "#ffd23f"  # the bars across front roads, outlined in black
TRIPOLI_FRONT = (11.65, 14.15, 31.95, 33.3)  # the same for the inset of the Tripoli front
INSET_BOUNDS = (0.008, 0.008, 0.60, 0.42)  # inset (x, y, width, height) in the map's axes
MAP_SCALE, INSET_SCALE = 0.7, 0.55  # marker sizes on the map and in the inset
SEA, LAND, NEIGHBOUR = "#dbe9f4", "#f6f0e0", "#ebebe6"
COAST, BORDER = "#6b5a3a", "#a9a49a"
LABEL_GAP = 3  # pixels between labels
LABEL_BOX = {"boxstyle": "square,pad=0.1", "fc": (1, 1, 1, 0.6), "lw": 0}
NEIGHBOUR_NAMES = {"TUNISIA": (8.85, 31.6), "ALGERIA": (8.3, 27.2), "NIGER": (13.2, 21.4),
                   "CHAD": (19.6, 21.0), "SUDAN": (25.2, 19.4), "EGYPT": (25.6, 27.3),
                   "Mediterranean Sea": (17.3, 33.8)}


@dataclass(frozen=True)
class Boundary:
    """Libya's outline (one ring per polygon) and the neighbours' land near it."""

    libya: tuple[np.ndarray, ...]
    neighbours: dict[str, tuple[np.ndarray, ...]]
    source: str

    @property
    def vertices(self) -> int:
        return sum(len(ring) for ring in self.libya)


@cache
def boundary() -> Boundary:
    """Natural Earth's Libya and its neighbours, read once from the package's data."""
    text = resources.files("libyasim").joinpath("data", BOUNDARY_FILE).read_text()
    data = json.loads(text)
    libya: tuple[np.ndarray, ...] = ()
    neighbours = {}
    for feature in data["features"]:
        rings = tuple(np.array(polygon[0]) for polygon in feature["geometry"]["coordinates"])
        if feature["properties"]["role"] == "country":
            libya = rings
        else:
            neighbours[feature["properties"]["name"]] = rings
    return Boundary(libya, neighbours, data["source"])


@dataclass
class DrawnMap:
    """What `draw_map` drew, for callers and tests."""

    ax: Axes
    inset: Axes | None
    front: list[tuple[str, str]]  # roads crossed by the front line
    front_bars: LineCollection  # the bars drawn across them on the main map
    markers: dict[Axes, list[str]] = field(default_factory=dict)  # places drawn, per axes
    labels: dict[Axes, dict[str, Annotation]] = field(default_factory=dict)


# ---------------------------------------------------------------- geometry helpers
def _aspect(lat: float) -> float:
    """y-to-x display ratio of an equirectangular map centred on `lat`."""
    return 1 / math.cos(math.radians(lat))


def front_roads(holders: Mapping[str, str]) -> list[tuple[str, str]]:
    """Roads whose two ends are held by opposing sides (GNA side and LNA)."""
    return [(a, b) for a, b in ROADS if {holders[a], holders[b]} == OPPOSING]


def modal_holders(shares: Mapping[str, Mapping[str, float]]) -> dict[str, str]:
    """Each place's most frequent holder."""
    return {key: max(HOLDER_LABELS, key=lambda h: share.get(h, 0.0))
            for key, share in shares.items()}


def _pie_markers(share: Mapping[str, float]) -> list[tuple[str, np.ndarray, float]]:
    """Wedges (holder, marker vertices, size factor) of a pie, as scatter markers."""
    wedges, start = [], 0.0
    total = sum(share.get(h, 0.0) for h in HOLDER_LABELS) or 1.0
    for holder in HOLDER_LABELS:
        part = share.get(holder, 0.0) / total
        if part <= 0:
            continue
        angles = np.linspace(2 * np.pi * start, 2 * np.pi * (start + part),
                             max(3, int(60 * part)))
        xy = np.vstack([[0, 0], np.column_stack([np.sin(angles), np.cos(angles)]), [0, 0]])
        wedges.append((holder, xy, float(np.abs(xy).max())))
        start += part
    return wedges


# ---------------------------------------------------------------- drawing layers
def _draw_land(ax: Axes, lw: float) -> None:
    land = boundary()
    ax.set_facecolor(SEA)
    neighbours = [ring for rings in land.neighbours.values() for ring in rings]
    ax.add_collection(PolyCollection(neighbours, facecolors=NEIGHBOUR, edgecolors=BORDER,
                                     linewidths=0.6 * lw, zorder=0), autolim=False)
    ax.add_collection(PolyCollection(list(land.libya), facecolors=LAND, edgecolors=COAST,
                                     linewidths=lw, zorder=0.5), autolim=False)


def _draw_roads_and_front(ax: Axes, holders: Mapping[str, str], tick: float,
                          lw: float) -> tuple[list[tuple[str, str]], LineCollection]:
    """Roads, each half tinted by the holder of its end; a bar across each front road.

    Returns the roads on the front and the bars drawn across them.
    """
    pos = {p.key: (p.lon, p.lat) for p in PLACES}
    shape = ax.get_aspect()
    aspect = shape if isinstance(shape, float) else 1.0
    front = front_roads(holders)
    halves, tints, roads, bars = [], [], [], []
    for a, b in ROADS:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        halves += [[(x0, y0), (mx, my)], [(x1, y1), (mx, my)]]
        tints += [HOLDER_COLOURS[holders[a]], HOLDER_COLOURS[holders[b]]]
        roads.append([(x0, y0), (x1, y1)])
        if (a, b) in front:
            # perpendicular on screen: the display vector (dx, aspect*dy) turned by 90 degrees
            dx, dy = (x1 - x0), aspect * (y1 - y0)
            norm = math.hypot(dx, dy)
            px, py = -dy / norm * tick, dx / norm * tick / aspect
            bars.append([(mx - px, my - py), (mx + px, my + py)])
    ax.add_collection(LineCollection(halves, colors=tints, alpha=0.45, linewidths=2.2 * lw,
                                     capstyle="butt", zorder=1), autolim=False)
    ax.add_collection(LineCollection(roads, colors="#5c5447", linewidths=0.6 * lw, zorder=1.1),
                      autolim=False)
    ax.add_collection(LineCollection(bars, colors="black", linewidths=3.2 * lw,
                                     capstyle="round", zorder=2.5), autolim=False)
    yellow = LineCollection(bars, colors=FRONT_COLOUR, linewidths=1.4 * lw, capstyle="round",
                            zorder=2.6)
    ax.add_collection(yellow, autolim=False)
    return front, yellow


def _marker_size(population: int, scale: float) -> float:
    return scale * (40 + 330 * math.sqrt(population / 1_100_000))


def _draw_places(ax: Axes, holders: Mapping[str, str],
                 shares: Mapping[str, Mapping[str, float]] | None, keys: list[str],
                 scale: float) -> list[str]:
    """One marker (a disc, or a pie of holder shares) per place; contested ones ringed.

    Returns the keys of the places drawn, in the order of the markers' collection.
    """
    by_key = {p.key: p for p in PLACES}
    places = [by_key[k] for k in keys]
    xy = np.array([(p.lon, p.lat) for p in places])
    sizes = np.array([_marker_size(p.population, scale) for p in places])
    if shares is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=[HOLDER_COLOURS[holders[k]] for k in keys],
                   ec="black", lw=0.7, zorder=3, gid="places")
    else:
        for place, size in zip(places, sizes):
            for holder, verts, extent in _pie_markers(shares[place.key]):
                ax.scatter(place.lon, place.lat, s=size * extent**2, marker=MplPath(verts),
                           color=HOLDER_COLOURS[holder], lw=0, zorder=3)
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, facecolor="none", ec="black", lw=0.7,
                   zorder=3.1, gid="places")
    ringed = [i for i, k in enumerate(keys) if holders[k] == "contested"]
    if ringed:
        ax.scatter(xy[ringed, 0], xy[ringed, 1], s=sizes[ringed] * 2.3, facecolor="none",
                   ec="black", lw=1.1, linestyle=(0, (2, 1.5)), zorder=3.2, gid="contested")
    return list(keys)


def _in_view(lon: float, lat: float, view: tuple[float, float, float, float]) -> bool:
    x0, x1, y0, y1 = view
    return x0 <= lon <= x1 and y0 <= lat <= y1


def _set_view(ax: Axes, view: tuple[float, float, float, float]) -> None:
    x0, x1, y0, y1 = view
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(_aspect((y0 + y1) / 2), adjustable="box")


# ---------------------------------------------------------------- labels
def _renderer(fig):
    """The figure's renderer (a bare `Figure` gets an Agg canvas, as `savefig` would)."""
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _label_text(key: str, shares: Mapping[str, Mapping[str, float]] | None) -> str:
    """The place's name; with shares, the holders of at least 0.5% of runs below it."""
    name = {p.key: p.name for p in PLACES}[key]
    if shares is None:
        return name
    from libyasim.analysis import percent  # the one rounding rule for shares

    parts = [f"{SHORT_WORDS[h]} {percent(shares[key].get(h, 0.0))}" for h in HOLDER_LABELS
             if shares[key].get(h, 0.0) >= 0.005]
    lines = [" \u00b7 ".join(parts[i:i + 2]) for i in range(0, len(parts), 2)]
    return "\n".join([name, *lines])


_DIRECTIONS = ((1, 0), (1, 1), (1, -1), (-1, 0), (-1, 1), (-1, -1), (0, 1), (0, -1))


def _directions(screen: Mapping[str, np.ndarray], key: str) -> list[tuple[int, int]]:
    """The eight label directions, those pointing away from nearby places first."""
    away = np.zeros(2)
    for other, xy in screen.items():
        gap = screen[key] - xy
        dist = float(np.hypot(*gap))
        if other != key and 0 < dist < 80:
            away += gap / dist**2
    if np.hypot(*away) < 1 / 200:
        return list(_DIRECTIONS)
    return sorted(_DIRECTIONS, key=lambda d: -(d[0] * away[0] + d[1] * away[1])
                  / math.hypot(*d))


def _place_labels(ax: Axes, texts: Mapping[str, str], fontsize: float,
                  avoid: list[Bbox], scale: float, bars: LineCollection
                  ) -> dict[str, Annotation]:
    """Greedily put each label at the nearest free spot around its place, in the axes.

    Candidates lie in eight directions at growing distances; a label is refused where it
    would overlap another label, a place's marker or a box in `avoid`. Far labels get a
    leader line. Larger places choose first.
    """
    fig = ax.figure
    renderer = _renderer(fig)
    locator = ax.get_axes_locator()  # an inset's: where it will be drawn
    ax.apply_aspect(locator(ax, renderer) if locator is not None else None)
    frame = ax.get_window_extent(renderer)
    by_key = {p.key: p for p in PLACES}
    taken = list(avoid)
    for segment in bars.get_segments():
        (x0, y0), (x1, y1) = ax.transData.transform(segment)
        taken.append(Bbox.from_extents(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    to_px = fig.dpi / 72
    screen = {k: ax.transData.transform((by_key[k].lon, by_key[k].lat)) for k in texts}
    for key, (x, y) in screen.items():
        r = math.sqrt(_marker_size(by_key[key].population, scale)) / 2 * to_px
        taken.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    labels: dict[str, Annotation] = {}
    placed: list[Bbox] = []  # the labels' boxes, kept LABEL_GAP pixels apart
    order = sorted(texts, key=lambda k: -by_key[k].population)
    for key in order:
        place = by_key[key]
        r = math.sqrt(_marker_size(place.population, scale)) / 2 + 2  # points
        chosen = None
        candidates = ((size, distance, d) for size in (fontsize, 0.85 * fontsize, 0.72 * fontsize)
                      for distance in (r, r + 6, r + 14, r + 24, r + 36, r + 50, r + 66, r + 84)
                      for d in _directions(screen, key))
        for size, distance, (dx, dy) in candidates:
            step = distance / (math.sqrt(2) if dx and dy else 1)
            label = ax.annotate(
                texts[key], (place.lon, place.lat), xytext=(dx * step, dy * step),
                textcoords="offset points", ha={1: "left", -1: "right", 0: "center"}[dx],
                va={1: "bottom", -1: "top", 0: "center"}[dy], fontsize=size,
                linespacing=1.0, zorder=5, bbox=LABEL_BOX)
            box = label.get_window_extent(renderer)
            fits = (frame.containsx(box.x0) and frame.containsx(box.x1)
                    and frame.containsy(box.y0) and frame.containsy(box.y1))
            if (fits and not any(box.overlaps(other) for other in taken)
                    and not any(box.padded(LABEL_GAP).overlaps(o) for o in placed)):
                chosen = (label, box, distance > r + 5)
                break
            label.remove()
        if chosen is None:  # no free spot: keep the nearest, so that no place goes unnamed
            label = ax.annotate(texts[key], (place.lon, place.lat), xytext=(r, 0),
                                textcoords="offset points", ha="left", va="center",
                                fontsize=fontsize, linespacing=1.0, zorder=5)
            labels[key] = label
            continue
        label, box, far = chosen
        if far:  # a leader line from the marker's edge to the label
            label.remove()
            label = ax.annotate(
                label.get_text(), (place.lon, place.lat), xytext=label.xyann,
                textcoords="offset points", ha=label.get_horizontalalignment(),
                va=label.get_verticalalignment(),
                fontsize=label.get_fontsize(), linespacing=1.0, zorder=5, bbox=LABEL_BOX,
                arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.6,
                            "shrinkA": 1, "shrinkB": r - 1})
        placed.append(box)
        labels[key] = label
    return labels


# ---------------------------------------------------------------- the map
def draw_map(ax: Axes, holders: Mapping[str, str], *, title: str | None = None,
             inset: bool = True, shares: Mapping[str, Mapping[str, float]] | None = None,
             legend: bool = True) -> DrawnMap:
    """Draw Libya with the places, roads and front line on `ax` (and an inset of Tripoli).

    Args:
        holders: place key -> holder label (gna, lna, unaligned, contested), for every place.
        shares: place key -> {holder label: share of runs}; places are then drawn as pies and
            labelled with the GNA and LNA shares (an ensemble's map). `holders` still decides
            the front line and the rings of contested places (use `modal_holders(shares)`).
        inset: add the zoomed inset of the Tripoli front, where its places are labelled.
    Fix the axes' position before calling (no constrained layout afterwards): labels are
    placed in screen space.
    """
    missing = [p.key for p in PLACES if p.key not in holders]
    unknown = sorted({h for h in holders.values() if h not in HOLDER_COLOURS})
    if missing or unknown:
        raise ValueError(f"draw_map: places without a holder: {missing}; "
                         f"unknown holder labels: {unknown} (expected one of {HOLDER_LABELS})")
    _set_view(ax, VIEW)
    _draw_land(ax, lw=0.9)
    front, bars = _draw_roads_and_front(ax, holders, tick=0.28, lw=0.8)
    keys = [p.key for p in PLACES]
    drawn = DrawnMap(ax, None, front, bars,
                     markers={ax: _draw_places(ax, holders, shares, keys, MAP_SCALE)})
    for name, (lon, lat) in NEIGHBOUR_NAMES.items():
        ax.text(lon, lat, name, fontsize=7.5, color="#5b7a99" if "Sea" in name else "#8a857a",
                style="italic", ha="center", va="center", zorder=0.8)
    ax.set_xlabel("longitude (\u00b0E)")
    ax.set_ylabel("latitude (\u00b0N)")
    ax.tick_params(labelsize=8)
    if title:
        ax.set_title(title, fontsize=10.5)

    avoid = []
    renderer = _renderer(ax.figure)
    ax.apply_aspect()
    if legend:
        avoid.append(_legend(ax, shares is not None).get_window_extent(renderer))
    if inset:
        drawn.inset = sub = ax.inset_axes(INSET_BOUNDS)
        _set_view(sub, TRIPOLI_FRONT)
        _draw_land(sub, lw=1.0)
        _, inset_bars = _draw_roads_and_front(sub, holders, tick=0.06, lw=1.0)
        inside = [p.key for p in PLACES if _in_view(p.lon, p.lat, TRIPOLI_FRONT)]
        drawn.markers[sub] = _draw_places(sub, holders, shares, inside, INSET_SCALE)
        sub.set_xticks([])
        sub.set_yticks([])
        for spine in sub.spines.values():
            spine.set_edgecolor("#444444")
        heading = sub.text(0.01, 0.985, "The Tripoli front", transform=sub.transAxes,
                           fontsize=8, fontweight="bold", va="top", zorder=6)
        drawn.labels[sub] = _place_labels(
            sub, {k: _label_text(k, shares) for k in inside}, 6.8,
            [heading.get_window_extent(renderer), *avoid], INSET_SCALE, inset_bars)
        ax.indicate_inset_zoom(sub, edgecolor="#444444", alpha=0.8)
        avoid.append(sub.get_window_extent(renderer).expanded(1.02, 1.02))
    outside = [p.key for p in PLACES
               if not (inset and _in_view(p.lon, p.lat, TRIPOLI_FRONT))]
    drawn.labels[ax] = _place_labels(ax, {k: _label_text(k, shares) for k in outside}, 7.3,
                                     avoid, MAP_SCALE, bars)
    return drawn


def _legend(ax: Axes, pies: bool):
    handles = [Line2D([], [], ls="", marker="o", ms=8, mfc=HOLDER_COLOURS[h], mec="black",
                      mew=0.7, label=HOLDER_WORDS[h]) for h in HOLDER_LABELS]
    handles += [
        Line2D([], [], color="#5c5447", lw=0.8, label="road"),
        Line2D([], [], color=FRONT_COLOUR, lw=1.4, label="front line (bar across a road)",
               path_effects=[Stroke(linewidth=3.2, foreground="black"), Normal()]),
    ]
    title = ("share of runs holding\neach place (pie)\nsize: population" if pies
             else "held by\n(size: population)")
    return ax.legend(handles=handles, loc="lower right", fontsize=6.8, title=title,
                     title_fontsize=7, framealpha=0.92, borderpad=0.5)


def map_figure(holders: Mapping[str, str], *, title: str | None = None, inset: bool = True,
               shares: Mapping[str, Mapping[str, float]] | None = None,
               width: float = 8.0, dpi: float = 100) -> Figure:
    """A figure holding only the map (see `draw_map`)."""
    height = width * 0.86
    top = 0.2 + 0.2 * (title.count("\n") + 1 if title else 0)  # inches for the title
    fig = Figure(figsize=(width, height), dpi=dpi)
    ax = fig.add_axes((0.62 / width, 0.48 / height, 1 - 0.72 / width, 1 - (0.48 + top) / height))
    draw_map(ax, holders, title=title, inset=inset, shares=shares)
    return fig
