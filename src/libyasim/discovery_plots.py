"""Figures of a scenario discovery (`libyasim explore`): the trade-off curve, the chosen box's
limits, the runs in the box's dimensions and the feature scores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

if TYPE_CHECKING:
    from libyasim.explore import Exploration

CASE_COLOUR, OTHER_COLOUR, BOX_COLOUR = "#d95f02", "#9e9e9e", "#1b6ca8"
MAX_PAIRS = 4  # inputs shown in the pairwise scatter
TOP_SCORES = 15


def _subtitle(found: Exploration) -> str:
    return (f"{found.scenario}: case '{found.case}', met in {found.base_rate:.0%} of "
            f"{len(found.y):,} runs")


def tradeoff_figure(found: Exploration) -> Figure:
    """Coverage against density along PRIM's peeling trajectory, coloured by the number of
    restricted inputs; the chosen box ringed."""
    t = found.trajectory
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    dims = sorted(t["res_dim"].unique())
    cmap = plt.get_cmap("viridis", max(len(dims), 2))
    for j, d in enumerate(dims):
        rows = t[t["res_dim"] == d]
        ax.scatter(rows["coverage"], rows["density"], color=cmap(j), s=36, zorder=3,
                   label=f"{d} input{'s' if d != 1 else ''} restricted")
    ax.plot(t["coverage"], t["density"], color="#bbbbbb", lw=0.8, zorder=2)
    row = t.iloc[found.chosen]
    ax.scatter([row.coverage], [row.density], s=220, facecolors="none", edgecolors="crimson",
               lw=2, zorder=4, label=f"chosen: box {found.chosen}")
    ax.annotate(f"box {found.chosen}\ncoverage {row.coverage:.0%}, density {row.density:.0%}",
                (row.coverage, row.density), xytext=(-12, -34), textcoords="offset points",
                ha="right", fontsize=8, color="crimson")
    ax.axhline(found.base_rate, color="black", ls="--", lw=0.8,
               label=f"base rate (all runs): {found.base_rate:.0%}")
    ax.set_xlim(-0.02, 1.05)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("coverage: share of all runs meeting the case that fall in the box")
    ax.set_ylabel("density: share of runs in the box meeting the case")
    ax.set_title("PRIM peeling trajectory: coverage against density\n" + _subtitle(found),
                 fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def box_limits_figure(found: Exploration, box: int) -> Figure:
    """Each restricted input's limits in the box against its full range, with quasi-p values
    and how often the restriction recurs when PRIM is rerun on half the runs."""
    rows = found.boxes[found.boxes["box"] == box].reset_index(drop=True)
    stats = found.trajectory.iloc[box]
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.65 * max(len(rows), 1)))
    for i, r in enumerate(rows.to_dict("records")):
        item = found.inputs[str(r["input"])]
        span = (r["full_high"] - r["full_low"]) or 1.0
        lo, hi = (r["low"] - r["full_low"]) / span, (r["high"] - r["full_low"]) / span
        if item.switch:  # the half of the bar on the side of the value kept
            lo, hi = 0.5 * (r["low"] >= 0.5), 0.5 + 0.5 * (r["high"] >= 0.5)
        ax.plot([0, 1], [i, i], color="#dddddd", lw=8, solid_capstyle="butt", zorder=1)
        ax.plot([lo, hi], [i, i], color=BOX_COLOUR, lw=8, solid_capstyle="butt", zorder=2)
        if item.switch:
            ax.text(0, i + 0.3, "off", ha="left", fontsize=7, color="#666666")
            ax.text(1, i + 0.3, "on", ha="right", fontsize=7, color="#666666")
            ax.text((lo + hi) / 2, i - 0.32, f"{item.text(r['low'] if r['low'] >= 0.5 else r['high'])}"
                    " only", ha="center", fontsize=8, color=BOX_COLOUR)
        else:
            ax.text(0, i + 0.3, item.text(r["full_low"]), ha="left", fontsize=7, color="#666666")
            ax.text(1, i + 0.3, item.text(r["full_high"]), ha="right", fontsize=7, color="#666666")
            ax.text(lo, i - 0.32, item.text(r["low"]), ha="center", fontsize=8, color=BOX_COLOUR)
            ax.text(hi, i - 0.32, item.text(r["high"]), ha="center", fontsize=8, color=BOX_COLOUR)
        recur = "" if np.isnan(r["recurs"]) else f", recurs in {r["recurs"]:.0%} of reruns"
        ax.text(1.03, i, f"quasi-p {r["qp"]:.2g}{recur}", va="center", fontsize=8)
    if rows.empty:
        ax.text(0.5, 0, "this box restricts no input (the whole space)", ha="center",
                va="center")
    labels = [f"{n}\n({found.inputs[n].role})" for n in rows["input"]] or [""]
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylim(len(labels) - 0.4, -0.6)
    ax.set_xlim(-0.02, 1.45)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("position within the input's full range (0 = lowest value explored, "
                  "1 = highest)")
    ax.set_title(f"Box {box}: limits (blue) within the full ranges (grey); coverage "
                 f"{stats.coverage:.0%}, density {stats.density:.0%}, {int(stats.n):,} runs\n"
                 + _subtitle(found), fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _values(found: Exploration, name: str, rng: np.random.Generator) -> np.ndarray:
    values = found.x[name].to_numpy(float)
    if found.inputs[name].switch:  # jitter so that the runs do not sit on top of each other
        values = values + rng.uniform(-0.18, 0.18, len(values))
    return values


def _shown_inputs(found: Exploration, box: int) -> list[str]:
    rows = found.boxes[found.boxes["box"] == box].sort_values("qp")
    names = rows["input"].tolist()[:MAX_PAIRS]
    for name in found.scores["input"]:
        if len(names) >= 2:
            break
        if name not in names:
            names.append(name)
    return names


def pairs_figure(found: Exploration, box: int) -> Figure:
    """The runs in the box's restricted inputs (pairwise), cases coloured, the box drawn; with
    one restricted input, the next best-scoring input is added as the second axis."""
    names = _shown_inputs(found, box)
    limits = found.boxes[found.boxes["box"] == box].set_index("input")
    rng = np.random.default_rng(0)
    values = {n: _values(found, n, rng) for n in names}
    k = len(names)
    fig, axes = plt.subplots(k, k, squeeze=False, figsize=(2.7 * k + 1.2, 2.7 * k + 0.8))
    case = found.y
    for i, row_name in enumerate(names):
        for j, col_name in enumerate(names):
            ax = axes[i, j]
            if i == j:
                bins = np.linspace(values[col_name].min(), values[col_name].max(), 21)
                ax.hist([values[col_name][~case], values[col_name][case]], bins=bins,
                        color=[OTHER_COLOUR, CASE_COLOUR], stacked=True)
                ax.set_ylabel("runs" if j == 0 else "")
            elif i > j:
                ax.scatter(values[col_name][~case], values[row_name][~case], s=6,
                           color=OTHER_COLOUR, alpha=0.5, lw=0)
                ax.scatter(values[col_name][case], values[row_name][case], s=6,
                           color=CASE_COLOUR, alpha=0.7, lw=0)
                _draw_box(ax, found, limits, col_name, row_name)
                if j == 0:
                    ax.set_ylabel(_wrap(row_name), fontsize=8)
            else:
                ax.axis("off")
                continue
            if i == k - 1:
                ax.set_xlabel(_wrap(col_name), fontsize=8)
            if found.inputs[col_name].switch:
                ax.set_xticks([0, 1], ["off", "on"])
            if i > j and found.inputs[row_name].switch:
                ax.set_yticks([0, 1], ["off", "on"])
            ax.tick_params(labelsize=7)
    handles = [Line2D([], [], marker="o", ls="", color=CASE_COLOUR, label="run meets the case"),
               Line2D([], [], marker="o", ls="", color=OTHER_COLOUR, label="run does not"),
               Rectangle((0, 0), 1, 1, fill=False, ec=BOX_COLOUR, lw=1.5,
                         label=f"box {box} limits")]
    fig.legend(handles=handles, loc="upper right", fontsize=8)
    fig.suptitle(f"Runs in box {box}'s inputs (switches jittered around off and on)\n"
                 + _subtitle(found), fontsize=9, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig


def _wrap(name: str) -> str:
    """A long parameter name on two lines, broken after its first dot."""
    return name.replace(".", ".\n", 1) if len(name) > 20 else name


def _draw_box(ax, found: Exploration, limits, x_name: str, y_name: str) -> None:
    def span(name: str) -> tuple[float, float]:
        if name in limits.index:
            lo, hi = float(limits.loc[name, "low"]), float(limits.loc[name, "high"])
        else:
            lo, hi = float(found.x[name].min()), float(found.x[name].max())
        pad = 0.2 if found.inputs[name].switch else 0.0
        return lo - pad, hi + pad
    (x0, x1), (y0, y1) = span(x_name), span(y_name)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec=BOX_COLOUR, lw=1.5))


def feature_scores_figure(found: Exploration) -> Figure:
    """The inputs that tell most about the case (extra-trees feature scores)."""
    top = found.scores.head(TOP_SCORES).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.32 * len(top)))
    colours = [BOX_COLOUR if found.inputs[n].role == "lever" else "#7a7a7a" for n in top["input"]]
    ax.barh(top["input"], top["score"], color=colours)
    ax.set_xlabel("feature score (extra-trees importance; all inputs sum to 1)")
    ax.tick_params(axis="y", labelsize=8)
    handles = [Rectangle((0, 0), 1, 1, color=BOX_COLOUR, label="lever"),
               Rectangle((0, 0), 1, 1, color="#7a7a7a", label="uncertain value")]
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    ax.set_title(f"Which inputs tell most about the case (top {len(top)} of "
                 f"{len(found.scores)})\n" + _subtitle(found), fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
