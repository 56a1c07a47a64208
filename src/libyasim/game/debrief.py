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

from libyasim import outcomes as outcome_registry
from libyasim.game.engine import ACTORS, SHORT_NAMES, choice_label
from libyasim.outcomes import END_STATE_LABELS
from libyasim.scenario import Scenario

# outcomes where the class's value is placed in the ensemble's distribution (labels and units
# from the outcome registry)
OUTCOMES = ("conflict_deaths", "civilian_deaths", "violations_total", "truce_collapse_day",
            "gna_population_share", "arms_delivered_total")


def outcome_words(key: str) -> tuple[str, str]:
    """An outcome's label and unit, as the outcome registry gives them."""
    entry = outcome_registry.OUTCOMES[key]
    held = " (held: past the end)" if entry.censoring == "horizon" else ""
    return entry.label + held, entry.unit


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
        from libyasim.comparison import run_or_reuse

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
    for key in OUTCOMES:
        label = outcome_words(key)[0]
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
                     f"{fmt(row['p95'])}); the class is at the "
                     f"{_ordinal(round(row['percentile']))} percentile.")
    return lines


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
    rows = {r["outcome"]: r for r in percentile_table(outcomes, runs, horizon).to_dict("records")}
    keys = [k for k in OUTCOMES if k in rows]
    fig = plt.figure(figsize=(15, 7.5), layout="constrained")
    grid = fig.add_gridspec(2, 4)
    cells = [grid[0, 0], grid[0, 1], grid[0, 2], grid[0, 3], grid[1, 0], grid[1, 1]]
    for cell, key in zip(cells, keys):
        ax = fig.add_subplot(cell)
        label, unit = outcome_words(key)
        values = runs[key].astype(float)
        if key == "truce_collapse_day":
            values = values.fillna(horizon + 1.0)
        ax.hist(values.dropna(), bins=20, color="#9bb7d4", edgecolor="white",
                label="model alone")
        mine = float(rows[key]["class"])
        ax.axvline(mine, color="#d62728", lw=2.5, label="your class")
        ax.set_title(f"{label}\nclass at the "
                     f"{_ordinal(round(rows[key]['percentile']))} percentile",
                     fontsize=9)
        ax.set_xlabel(unit)
        ax.set_ylabel("model-only runs")
        ax.legend(fontsize=7)
    ax = fig.add_subplot(grid[1, 2:])
    counts = runs["end_state"].value_counts(normalize=True)
    states = list(counts.index)
    colours = ["#d62728" if s == outcomes.get("end_state") else "#9bb7d4" for s in states]
    ax.barh(range(len(states)), 100 * counts.to_numpy(), color=colours)
    ax.set_yticks([])
    for i, state in enumerate(states):  # labels inside the plot, so the grid stays even
        ax.annotate(f"{END_STATE_LABELS.get(state, state)} ({100 * counts.iloc[i]:.0f}%)",
                    (0, i), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("% of model-only runs")
    ax.set_title("End states (red: your class's)", fontsize=9)
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


# words for an option's key in the timeline's short summaries
SHORT_KEYS = {"monitors": "monitors", "talks": "talks", "inspectors": "inspectors",
              "convene_talks": "talks", "propose_monitors": "monitors", "press": "presses",
              "guarantees": "guarantees"}
LEVELS = {0.0: "none", 0.5: "\u00bd", 1.0: "\u00d71", 2.0: "\u00d72"}
KEY_EVENT_KINDS = ("truce", "truce_broken", "truce_over", "settlement", "talks", "red_line",
                   "intervention", "red_line_tested")
KEY_PLACES = ("tripoli", "misrata", "sirte", "jufra", "gharyan", "tarhuna", "benghazi")


def summary(actor: str, orders: Mapping[str, Any]) -> str:
    """A turn's orders in a few words: the stance (and target), the supplies that differ from
    the usual, and the yes/no choices that are yes."""
    words, extras = [], []
    stance = orders.get("stance")
    if stance is not None:
        text = choice_label(actor, "stance", stance).removeprefix("an ")
        if stance == "offensive" and orders.get("target"):
            text += f" at {choice_label(actor, 'target', orders['target'])}"
        words.append(text)
    levels = [f"{k} {LEVELS.get(orders[k], orders[k])}" for k in ("fighters", "materiel", "drones")
              if k in orders and orders[k] != 1.0]
    if any(k in orders for k in ("fighters", "materiel", "drones")):
        words.append(", ".join(levels) if levels else "usual supplies")
    for key, short in SHORT_KEYS.items():
        value = orders.get(key)
        if value is True:
            extras.append(short)
        elif isinstance(value, str) and value:
            extras.append(f"{short} {choice_label(actor, key, value)}")
    return "; ".join(filter(None, [", ".join(words), " + ".join(extras)])) or "no orders"


def key_events(events: Sequence[Any]) -> list[tuple[int, str]]:
    """The events worth a line on the timeline: the truce's life, talks, interventions, and
    who took the main places."""
    return [(e.day, e.text) for e in events if e.kind in KEY_EVENT_KINDS
            or (e.kind in ("capture", "control") and e.place in KEY_PLACES)]


def timeline_figure(turns: Sequence[tuple[int, Mapping[str, Mapping[str, Any]]]],
                    actors: Sequence[str], last_day: int, date_of,
                    events: Sequence[tuple[int, str]] = ()) -> Figure:
    """Each class actor's decisions over the game: one row per actor, one bar per turn,
    coloured by how forceful the orders were (the mediator: how engaged), labelled where
    they changed; key events are numbered dashed lines, listed below."""
    actors = [a for a in ACTORS if a in actors]
    by_day: dict[int, list[str]] = {}
    for day, text in events:  # one number per day
        by_day.setdefault(day, []).append(text.rstrip("."))
    events = [(day, "; ".join(texts)) for day, texts in sorted(by_day.items())][:9]
    fig, ax = plt.subplots(figsize=(13, 1.9 + 1.5 * max(len(actors), 1) + 0.2 * len(events)),
                           layout="constrained")
    force, engaged = plt.get_cmap("RdYlGn_r"), plt.get_cmap("Blues")
    starts = [d for d, _ in turns] + [last_day]
    for row, actor in enumerate(actors):
        cmap = engaged if actor == "berlin" else force
        current: Mapping[str, Any] | None = None
        previous_text, flip = None, False
        for (day, orders), end in zip(turns, starts[1:]):
            current = orders.get(actor, current)
            if current is None:
                ax.barh(row, end - day, left=day, color="#dddddd", edgecolor="white", height=0.5)
                continue
            level = forcefulness(actor, current)
            ax.barh(row, end - day, left=day, color=cmap(0.15 + 0.85 * level if cmap is engaged
                                                         else level),
                    edgecolor="white", height=0.5)
            text = summary(actor, current)
            if text != previous_text:
                y, va = (row + 0.27, "top") if flip else (row - 0.27, "bottom")
                ax.annotate(text, (day, y), xytext=(2, 0), textcoords="offset points",
                            fontsize=7, ha="left", va=va)
                previous_text, flip = text, not flip
    for number, (day, _) in enumerate(events, start=1):
        ax.axvline(day, color="#555555", lw=0.8, ls="--", zorder=0)
        ax.annotate(str(number), (day, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", fontsize=8, ha="center",
                    color="#333333")
    if events:
        listing = "   ".join(f"{n}: {date_of(d):%d %b}, {t}" for n, (d, t) in
                             enumerate(events, start=1))
        ax.set_xlabel("date (each bar is one turn; text where the orders changed)\n"
                      + _wrap(listing, 170), fontsize=8)
    else:
        ax.set_xlabel("date (each bar is one turn; text where the orders changed)")
    ax.set_yticks(range(len(actors)), [SHORT_NAMES[a] for a in actors])
    ax.set_ylim(len(actors) - 0.4, -0.6)
    ax.set_xlim(0, max(last_day, 1))
    ticks = sorted(set(starts))
    step = max(1, len(ticks) // 12)
    ax.set_xticks(ticks[::step], [f"{date_of(d):%d %b}" for d in ticks[::step]], fontsize=8)
    bar = fig.colorbar(plt.cm.ScalarMappable(cmap=force, norm=plt.Normalize(0, 1)), ax=ax,
                       shrink=0.8, pad=0.01)
    bar.set_label("factions and backers:\nrestraint (0) to all-out (1)", fontsize=8)
    if "berlin" in actors:
        bar = fig.colorbar(plt.cm.ScalarMappable(cmap=engaged, norm=plt.Normalize(0, 1)),
                           ax=ax, shrink=0.8, pad=0.01)
        bar.set_label("mediator: share of\ninitiatives taken", fontsize=8)
    ax.set_title("Your class's decisions, turn by turn (grey: the model played this actor; "
                 "numbers: key events)", fontsize=11, pad=14)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
