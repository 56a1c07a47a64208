"""The shared map: Natural Earth boundary, front line, places and non-overlapping labels."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from libyasim import analysis, maps, plots
from libyasim.geography import PLACES, ROADS

DATA = Path(maps.__file__).parent / "data"
KEYS = [p.key for p in PLACES]


def _day0() -> dict[str, str]:
    """A January-2020-like map: the GNA side in the west, the LNA east and south."""
    holders = {p.key: "gna" if p.lon < 15.5 and p.lat > 31 else "lna" for p in PLACES}
    holders.update(tripoli_south="contested", bani_walid="unaligned", tarhuna="lna")
    return holders


def _shares() -> dict[str, dict[str, float]]:
    """Ensemble-like shares: the day-0 holder most often, up to three holders per place."""
    rng = np.random.default_rng(3)
    shares = {}
    for key, first in _day0().items():
        others = [h for h in maps.HOLDER_LABELS if h != first]
        split = rng.dirichlet(np.ones(3)) * rng.uniform(0, 0.45)
        split[rng.integers(3)] = 0.0
        shares[key] = {first: 1 - split.sum(), **dict(zip(others, split.tolist()))}
    return shares


def test_boundary_is_natural_earth_10m_and_names_its_source() -> None:
    land = maps.boundary()
    assert land.vertices >= 500
    assert "Natural Earth" in land.source and "1:10m" in land.source
    assert "public domain" in land.source
    ring = np.vstack(land.libya)
    # Libya's extremes: 9.3-25.2 degrees east, 19.5-33.2 degrees north
    assert ring[:, 0].min() == pytest.approx(9.29, abs=0.05)
    assert ring[:, 0].max() == pytest.approx(25.16, abs=0.05)
    assert ring[:, 1].min() == pytest.approx(19.50, abs=0.05)
    assert ring[:, 1].max() == pytest.approx(33.18, abs=0.05)
    notes = (DATA / "README.md").read_text()
    for fact in ("Natural Earth", "1:10m", "5.1.1", "public domain", maps.BOUNDARY_FILE):
        assert fact in notes
    # every place lies inside the country's outline
    from matplotlib.path import Path as MplPath

    outline = MplPath(max(land.libya, key=len))
    assert all(outline.contains_point((p.lon, p.lat)) for p in PLACES)


def test_front_only_between_opposing_holders() -> None:
    holders = dict.fromkeys(KEYS, "gna")
    holders["sirte"] = "lna"
    holders["jufra"] = "contested"
    holders["oil_crescent"] = "unaligned"
    front = maps.front_roads(holders)
    assert front == [r for r in ROADS if "sirte" in r and "jufra" not in r
                     and "oil_crescent" not in r]
    assert front  # abu_grein - sirte
    for a, b in front:
        assert {holders[a], holders[b]} == {"gna", "lna"}
    assert maps.front_roads(dict.fromkeys(KEYS, "lna")) == []

    ax = Figure(figsize=(8, 7)).add_axes((0.07, 0.06, 0.91, 0.86))
    drawn = maps.draw_map(ax, holders)
    assert drawn.front == front
    assert len(drawn.front_bars.get_segments()) == len(front)


def _place_offsets(ax) -> np.ndarray:
    (places,) = [c for c in ax.collections if c.get_gid() == "places"]
    return np.asarray(places.get_offsets())


@pytest.mark.parametrize("shares", [None, _shares()], ids=["one run", "ensemble"])
def test_every_place_drawn_once_and_labelled_without_overlap(shares) -> None:
    holders = _day0() if shares is None else maps.modal_holders(shares)
    fig = maps.map_figure(holders, shares=shares, title="test")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    main = fig.axes[0]
    inset = main.child_axes[0]
    coords = {p.key: (p.lon, p.lat) for p in PLACES}

    offsets = _place_offsets(main)
    assert sorted(map(tuple, offsets.tolist())) == sorted(coords.values())
    x0, x1, y0, y1 = maps.TRIPOLI_FRONT
    inside = {k for k, (lon, lat) in coords.items() if x0 <= lon <= x1 and y0 <= lat <= y1}
    assert {"tripoli", "tripoli_south", "zawiya", "gharyan", "tarhuna"} <= inside
    assert sorted(map(tuple, _place_offsets(inset).tolist())) == sorted(coords[k] for k in inside)

    names = {p.key: p.name for p in PLACES}
    for ax, keys in ((inset, inside), (main, set(KEYS) - inside)):
        labels = [t for t in ax.texts if t.get_text().split("\n")[0] in names.values()]
        assert sorted(t.get_text().split("\n")[0] for t in labels) == sorted(
            names[k] for k in keys)  # each place named once, where it is drawn large enough
        boxes = [Text.get_window_extent(t, renderer) for t in labels]
        frame = ax.get_window_extent(renderer)
        for box in boxes:
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1
        for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes), 2):
            assert not box_a.overlaps(box_b), (a.get_text(), b.get_text())
    # main-map labels stay off the inset; the legend stays off both
    inset_box = inset.get_window_extent(renderer)
    legend_box = main.get_legend().get_window_extent(renderer)
    assert not legend_box.overlaps(inset_box)
    for t in main.texts:
        if t.get_text().split("\n")[0] in names.values():
            assert not Text.get_window_extent(t, renderer).overlaps(inset_box)


def test_contested_places_are_ringed_and_bad_labels_refused() -> None:
    holders = _day0()
    fig = maps.map_figure(holders, inset=False)
    ax = fig.axes[0]
    rings = [c for c in ax.collections if c.get_gid() == "contested"]
    assert len(rings) == 1
    south = next(p for p in PLACES if p.key == "tripoli_south")
    assert rings[0].get_offsets().tolist() == [[south.lon, south.lat]]
    with pytest.raises(ValueError, match="tripoli"):
        maps.map_figure({k: v for k, v in holders.items() if k != "tripoli"})
    with pytest.raises(ValueError, match="wag"):
        maps.map_figure({**holders, "misrata": "wag"})


def test_ensemble_map_shows_how_often_each_side_holds_a_place() -> None:
    runs = pd.DataFrame({f"holder_{k}": ["gna", "gna", "lna", "gna"] for k in KEYS})
    runs["holder_bani_walid"] = "unaligned"
    fig = plots.map_figure(analysis.holder_shares(runs), "test", len(runs), dt.date(2021, 1, 9))
    texts = [t.get_text() for t in fig.axes[0].texts + fig.axes[0].child_axes[0].texts]
    assert "Sirte\nGNA 75% \u00b7 LNA 25%" in texts
    assert "Bani Walid\nunaligned 100%" in texts
    assert "9 January 2021" in fig.axes[0].get_title()
