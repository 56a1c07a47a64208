"""The debrief: the class's game against the model-only ensemble, and the decisions on a timeline.

The ensemble is the same scenario run by the model alone (every actor on its own rules),
computed once per scenario in the background, saved under the ensemble folder and reused.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from libyasim.game.engine import ACTORS, OPTIONS, SHORT_NAMES, choice_label
from libyasim.plots import END_STATE_LABELS
from libyasim.scenario import Scenario

PLOT_LOCK = threading.Lock()  # pyplot is not thread-safe; every figure is drawn under it

# outcome -> (label, unit text); the class's value is placed in the ensemble's distribution
OUTCOMES = {
    "conflict_deaths": ("deaths in fighting (fighters and civilians)", "deaths"),
    "civilian_deaths": ("civilian deaths", "deaths"),
    "violations_total": ("truce violations", "violations"),
    "truce_collapse_day": ("day the truce collapsed (after the horizon: it held)", "day"),
    "gna_population_share": ("share of the population held by the GNA side", "share"),
    "arms_delivered_total": ("arms delivered by all backers", "fighter-equivalents"),
}


# ---------------------------------------------------------------- the model-only ensemble
class Ensemble:
    """A background computation of the model-only ensemble of a scenario."""

    def __init__(self, scenario: Scenario, runs: int, folder: Path):
        self.scenario, self.runs, self.folder = scenario, runs, folder
        self.runs_table: pd.DataFrame | None = None
        self.error: str | None = None
        self.done = threading.Event()
        threading.Thread(target=self._compute, daemon=True, name="game-ensemble").start()

    def _compute(self) -> None:
        from libyasim.compare import run_or_reuse

        try:
            results, _ = run_or_reuse(self.scenario, self.folder, self.runs,
                                      self.scenario["scenario.seed"], workers=1)
            runs = results.runs.copy()
            if "conflict_deaths" not in runs:
                runs["conflict_deaths"] = runs["battle_deaths"] + runs["civilian_deaths"]
            self.runs_table = runs
        except Exception as exc:  # noqa: BLE001 (shown on the debrief instead)
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()


_ENSEMBLES: dict[tuple[str, int, str], Ensemble] = {}
_ENSEMBLES_LOCK = threading.Lock()


def ensemble_folder(scenario: Scenario, runs: int, root: Path) -> Path:
    """A folder per resolved scenario and run count, so different ones never overwrite."""
    digest = hashlib.sha256(json.dumps(scenario.to_json()["values"], sort_keys=True)
                            .encode()).hexdigest()[:10]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", scenario.name) or "scenario"
    return root / f"{name}-{runs}runs-{digest}"


def ensemble(scenario: Scenario, runs: int, root: Path) -> Ensemble:
    """The ensemble of this scenario, started on first request and shared afterwards."""
    folder = ensemble_folder(scenario, runs, root)
    key = (str(folder), runs, scenario.name)
    with _ENSEMBLES_LOCK:
        if key not in _ENSEMBLES:
            _ENSEMBLES[key] = Ensemble(scenario, runs, folder)
        return _ENSEMBLES[key]


# ---------------------------------------------------------------- percentiles
def _value(outcomes: Mapping[str, Any], key: str, horizon: int) -> float:
    value = outcomes.get(key)
    if key == "truce_collapse_day" and value is None:
        return horizon + 1.0  # held to the end: later than any collapse
    return float(value) if value is not None else float("nan")


def percentile_table(outcomes: Mapping[str, Any], runs: pd.DataFrame, horizon: int
                     ) -> pd.DataFrame:
    """Per outcome: the class's value, the ensemble's median and 5-95% range, and the share
    of model-only runs below the class's value (ties count half), in percent."""
    rows = []
    for key, (label, _) in OUTCOMES.items():
        if key not in runs or key not in outcomes:
            continue
        values = runs[key].astype(float).fillna(horizon + 1.0 if key == "truce_collapse_day"
                                                else np.nan).dropna().to_numpy()
        mine = _value(outcomes, key, horizon)
        if not len(values) or np.isnan(mine):
            continue
        below, ties = float((values < mine).sum()), float((values == mine).sum())
        rows.append({"outcome": key, "label": label, "class": mine,
                     "median": float(np.median(values)), "p5": float(np.percentile(values, 5)),
                     "p95": float(np.percentile(values, 95)),
                     "percentile": 100.0 * (below + 0.5 * ties) / len(values)})
    end = outcomes.get("end_state")
    if "end_state" in runs and end is not None:
        share = float((runs["end_state"] == end).mean())
        rows.append({"outcome": "end_state", "label": f"end state: {END_STATE_LABELS.get(end, end)}",
                     "class": np.nan, "median": np.nan, "p5": np.nan, "p95": np.nan,
                     "percentile": 100.0 * share})
    return pd.DataFrame(rows)


def percentile_sentences(table: pd.DataFrame, horizon: int, runs: int) -> list[str]:
    """The table in plain sentences for the page."""
    lines = []
    for row in table.to_dict("records"):
        label = row["label"][0].upper() + row["label"][1:]
        if row["outcome"] == "end_state":
            lines.append(f"{label}: reached in {row['percentile']:.0f}% of the {runs} "
                         "model-only runs.")
            continue
        fmt = _fmt(row["outcome"], horizon)
        lines.append(f"{label}: class {fmt(row['class'])}; model alone: median "
                     f"{fmt(row['median'])} (90% of runs between {fmt(row['p5'])} and "
                     f"{fmt(row['p95'])}); the class is at the {row['percentile']:.0f}th "
                     "percentile.")
    return lines


def _fmt(key: str, horizon: int):
    if key == "gna_population_share":
        return lambda v: f"{v:.0%}"
    if key == "truce_collapse_day":
        return lambda v: "held" if v > horizon else f"day {v:.0f}"
    return lambda v: f"{v:,.0f}"


# ---------------------------------------------------------------- figures
def png(fig: Figure) -> bytes:
    """A figure as PNG bytes (and closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()


def distributions_figure(outcomes: Mapping[str, Any], runs: pd.DataFrame, horizon: int,
                         scenario_name: str) -> Figure:
    """Histograms of the model-only ensemble with the class's result marked, and end states."""
    table = percentile_table(outcomes, runs, horizon).set_index("outcome")
    keys = [k for k in OUTCOMES if k in table.index]
    fig, axes = plt.subplots(2, 4, figsize=(15, 7), layout="constrained")
    flat = axes.ravel()
    for ax, key in zip(flat, keys):
        label, unit = OUTCOMES[key]
        values = runs[key].astype(float)
        if key == "truce_collapse_day":
            values = values.fillna(horizon + 1.0)
        ax.hist(values.dropna(), bins=20, color="#9bb7d4", edgecolor="white",
                label="model alone")
        mine = table.loc[key, "class"]
        ax.axvline(mine, color="#d62728", lw=2.5, label="your class")
        ax.set_title(f"{label}\nclass at the {table.loc[key, 'percentile']:.0f}th percentile",
                     fontsize=9)
        ax.set_xlabel(unit)
        ax.set_ylabel("model-only runs")
        ax.legend(fontsize=7)
    ax = flat[len(keys)]
    counts = runs["end_state"].value_counts(normalize=True)
    states = list(counts.index)
    colours = ["#d62728" if s == outcomes.get("end_state") else "#9bb7d4" for s in states]
    ax.barh([END_STATE_LABELS.get(s, s) for s in states], 100 * counts.to_numpy(),
            color=colours)
    ax.invert_yaxis()
    ax.set_xlabel("% of model-only runs")
    ax.set_title("End states (red: your class's)", fontsize=9)
    for extra in flat[len(keys) + 1:]:
        extra.axis("off")
    fig.suptitle(f"Your class's game against {len(runs)} runs of the model alone "
                 f"({scenario_name})", fontsize=12)
    return fig


def forcefulness(actor: str, orders: Mapping[str, Any]) -> float:
    """How forceful a turn's orders are, from 0 (restraint) to 1 (all-out), for the colours."""
    if "stance" in orders:
        return {"hold": 0.0, "reciprocate": 1 / 3, "limited": 2 / 3, "offensive": 1.0}.get(
            orders["stance"], 0.5)
    levels = [orders[k] for k in ("fighters", "materiel", "drones") if k in orders]
    if levels:
        return float(np.mean(levels)) / 2.0
    active = [bool(orders.get(k)) for k in ("convene_talks", "propose_monitors", "press",
                                              "guarantees")]
    return float(np.mean(active)) if active else 0.5


def summary(actor: str, orders: Mapping[str, Any]) -> str:
    """A turn's orders in a few words."""
    parts = []
    for option in OPTIONS[actor]:
        if option.key not in orders:
            continue
        value = orders[option.key]
        if option.key == "target" and orders.get("stance") != "offensive":
            continue
        words = choice_label(actor, option.key, value)
        if isinstance(value, bool):
            if value:
                parts.append(option.label.lower())
            continue
        if option.key == "target":
            parts[-1] = f"{parts[-1]} at {words}" if parts else words
            continue
        name = option.label.lower().removeprefix("send ")
        parts.append(words if option.key == "stance" else f"{name}: {words}")
    return "; ".join(parts) or "no orders"


def timeline_figure(turns: Sequence[tuple[int, Mapping[str, Mapping[str, Any]]]],
                    actors: Sequence[str], last_day: int, date_of,
                    events: Sequence[tuple[int, str]] = ()) -> Figure:
    """Each class actor's decisions over the game: one row per actor, one bar per turn,
    coloured by how forceful the orders were, labelled where they changed."""
    actors = [a for a in ACTORS if a in actors]
    height = 1.6 + 1.05 * max(len(actors), 1)
    fig, ax = plt.subplots(figsize=(13, height), layout="constrained")
    cmap = plt.get_cmap("RdYlGn_r")
    starts = [d for d, _ in turns] + [last_day]
    for row, actor in enumerate(actors):
        current: Mapping[str, Any] | None = None
        previous_text = None
        for (day, orders), end in zip(turns, starts[1:]):
            current = orders.get(actor, current)
            if current is None:
                ax.barh(row, end - day, left=day, color="#dddddd", edgecolor="white", height=0.6)
                continue
            ax.barh(row, end - day, left=day, color=cmap(forcefulness(actor, current)),
                    edgecolor="white", height=0.6)
            text = summary(actor, current)
            if text != previous_text:
                ax.annotate(text, (day, row - 0.32), xytext=(2, 0), textcoords="offset points",
                            fontsize=6.5, rotation=18, ha="left", va="bottom")
                previous_text = text
    for day, text in events:
        ax.axvline(day, color="#444444", lw=0.8, ls="--", zorder=0)
        ax.annotate(text, (day, 1.0), xycoords=("data", "axes fraction"), xytext=(2, 2),
                    textcoords="offset points", fontsize=7, rotation=20, color="#444444")
    ax.set_yticks(range(len(actors)), [SHORT_NAMES[a] for a in actors])
    ax.set_ylim(len(actors) - 0.4, -0.8)
    ax.set_xlim(0, max(last_day, 1))
    ticks = sorted(set(starts))
    step = max(1, len(ticks) // 12)
    ax.set_xticks(ticks[::step], [f"{date_of(d):%d %b}" for d in ticks[::step]], fontsize=8)
    ax.set_xlabel("date (each bar is one turn; text where the orders changed)")
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, 1))
    bar = fig.colorbar(sm, ax=ax, shrink=0.8, pad=0.01)
    bar.set_label("restraint (0) to\nall-out (1)", fontsize=8)
    ax.set_title("Your class's decisions, turn by turn (grey: the model played this actor)",
                 fontsize=11, pad=28)
    return fig
