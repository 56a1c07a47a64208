"""Explaining a counterfactual: a pair of scenarios rerun with each mechanism switched off.

Scenario A (the reference) and B are run with common random numbers (run i of every variant
gets the same seed). Then, for each mechanism of the table ``data/mechanisms.csv``, both A and B
are rerun with that mechanism switched off (its registry parameters set to the values that
remove it). For each outcome, the difference B - A with every mechanism on, the difference with
the mechanism off, and what the mechanism carries (the first minus the second) are reported
with paired bootstrap 95% intervals, and the share of the difference it carries.

A mechanism that a scenario already switches off is not rerun there (its runs are the
scenario's own); one that both scenarios switch off is reported as such and carries nothing.

The mechanisms come from the table ``data/mechanisms.csv`` (see `libyasim.mechanisms`):
adding a mechanism is adding a row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import __version__, folders, outcomes
from libyasim.comparison import comparable_values, compared, mean_difference
from libyasim.ensemble import load_results, run_points
from libyasim.files import atomic_write, atomic_write_parquet, atomic_write_text
from libyasim.mechanisms import Mechanism, read_mechanisms
from libyasim.results import Results
from libyasim.scenario import Scenario

# the outcome differences each mechanism is asked about (names in outcomes.py)
EXPLAINED = ("conflict_deaths", "battle_deaths", "civilian_deaths", "truce_days",
             "settlement_day", "gna_population_share")
EXPLAIN_DIR = "explain"  # in a compare folder: one folder of runs per scenario
AS_IS = ""  # the key of a scenario's own runs, every mechanism as the scenario sets it
STATUS_RERUN = "rerun"


# ---------------------------------------------------------------------------- the runs
def mechanism_runs(scenario: Scenario, mechanisms: Sequence[Mechanism], folder: str | Path,
                   runs: int, seed: int, workers: int | None = None,
                   progress: bool = False) -> dict[str, Results]:
    """`scenario`'s runs as it is (key AS_IS) and with each mechanism off that it leaves on
    (key: the mechanism's name), all with the same seeds, run as design points into `folder`
    (reused when it already holds them; replaced when it holds other runs)."""
    active = [m for m in mechanisms if not m.is_off_in(scenario)]
    points: list[dict[str, Any]] = [{}, *(m.off for m in active)]
    identity = {"scenario": scenario.to_json(), "root_seed": seed, "runs": runs,
                "shard": None, "points": points}
    folder = Path(folder)
    if not folders.claim(folder, identity, force=True, with_series=False):
        run_points(scenario, points, folder, runs=runs, seed=seed, workers=workers,
                   resume="auto", progress=progress)
    table = outcomes.typed_runs(load_results(folder)[0])
    keys = [AS_IS, *(m.name for m in active)]
    found = {}
    for point, key in enumerate(keys):
        variant = scenario.with_overrides(points[point], source="mechanism switched off")
        rows = table[table["point"] == point].drop(columns="point").sort_values("run")
        manifest = {"scenario": variant.to_json(), "root_seed": seed, "runs": runs}
        found[key] = Results(scenario.name if key == AS_IS else f"{scenario.name} without {key}",
                             rows.reset_index(drop=True), None, manifest, folder)
    return found


# ---------------------------------------------------------------------------- the statistics
COLUMNS = ["reference", "scenario", "mechanism", "status", "outcome", "label", "unit", "runs",
           "difference", "difference_low", "difference_high",
           "without", "without_low", "without_high",
           "carried", "carried_low", "carried_high", "clear",
           "share", "share_low", "share_high", "off", "root_seed", "libyasim_version"]


class Resamples:
    """Paired bootstrap resamples of runs, drawn once and shared by every interval of a table
    (percentile intervals of means of per-run differences; vectorised, so a table of hundreds
    of intervals takes well under a second)."""

    def __init__(self, runs: int, n_resamples: int = 2000, confidence: float = 0.95,
                 seed: int = 0):
        self.index = np.random.default_rng(seed).integers(0, runs, (n_resamples, runs))
        self.tails = [(1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100]

    def mean(self, x: np.ndarray) -> tuple[float, float, float]:
        """mean(x) with its interval."""
        low, high = np.percentile(x[self.index].mean(axis=1), self.tails)
        return float(x.mean()), float(low), float(high)

    def share(self, on: np.ndarray, off: np.ndarray) -> tuple[float, float, float]:
        """The share of the mean difference `on` that switching a mechanism off removes,
        (mean(on) - mean(off)) / mean(on), with its interval; NaN when mean(on) is 0."""
        total = float(on.mean())
        if total == 0.0:
            return math.nan, math.nan, math.nan
        on_b, off_b = on[self.index].mean(axis=1), off[self.index].mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = (on_b - off_b) / on_b
        ratios = ratios[np.isfinite(ratios)]
        share = (total - float(off.mean())) / total
        if len(ratios) == 0:
            return share, math.nan, math.nan
        low, high = np.percentile(ratios, self.tails)
        return share, float(low), float(high)


def _status(mechanism: Mechanism, a: Mapping[str, Results], b: Mapping[str, Results]) -> str:
    names = [r[AS_IS].name for r, gone in ((a, mechanism.name not in a),
                                          (b, mechanism.name not in b)) if gone]
    if len(names) == 2:
        return "off in both scenarios: not rerun, carries nothing"
    if names:
        return f"off in {names[0]}: only the other scenario rerun"
    return STATUS_RERUN


def explain_outcome(a: Mapping[str, Results], b: Mapping[str, Results],
                    mechanism: Mechanism, outcome: str, n_resamples: int = 2000,
                    totals: dict[Any, tuple[float, float, float]] | None = None
                    ) -> dict[str, Any] | None:
    """One row of the table: what `mechanism` carries of B - A on `outcome`; None when the
    outcome does not apply to the pair (a truce's length without a truce).

    The whole difference has the interval `compare` gives it (BCa, `totals` caches it); what
    is left without the mechanism, what it carries and its share have paired percentile
    intervals from the same resampled runs."""
    a_off, b_off = a.get(mechanism.name, a[AS_IS]), b.get(mechanism.name, b[AS_IS])
    values = comparable_values([a[AS_IS], b[AS_IS], a_off, b_off], outcome)
    if values is None:
        return None
    keep = np.logical_and.reduce([np.isfinite(v) for v in values])
    if not keep.any():
        return None
    a0, b0, a1, b1 = (v[keep] for v in values)
    on, off = b0 - a0, b1 - a1
    totals = {} if totals is None else totals
    key = (outcome, a0.tobytes(), b0.tobytes())
    if key not in totals:
        totals[key] = mean_difference(a0, b0, True, n_resamples=n_resamples)
    difference = totals[key]
    resamples = Resamples(len(on), n_resamples)
    without, carried = resamples.mean(off), resamples.mean(on - off)
    clear_total = difference[1] > 0 or difference[2] < 0
    share = resamples.share(on, off) if clear_total else (math.nan,) * 3
    label, unit = compared(outcomes.get(outcome))
    return {"reference": a[AS_IS].name, "scenario": b[AS_IS].name, "mechanism": mechanism.name,
            "status": _status(mechanism, a, b), "outcome": outcome, "label": label,
            "unit": unit, "runs": int(keep.sum()),
            **dict(zip(("difference", "difference_low", "difference_high"), difference)),
            **dict(zip(("without", "without_low", "without_high"), without)),
            **dict(zip(("carried", "carried_low", "carried_high"), carried)),
            "clear": bool(carried[1] > 0 or carried[2] < 0),
            **dict(zip(("share", "share_low", "share_high"), share)),
            "off": mechanism.off_text}


def explain_table(a: Mapping[str, Results], b: Mapping[str, Results],
                  mechanisms: Sequence[Mechanism], explained: Sequence[str] = EXPLAINED,
                  n_resamples: int = 2000) -> pd.DataFrame:
    """What each mechanism carries of each outcome's difference B - A (see `explain_outcome`),
    one row per mechanism and outcome, with the seed and version that reproduce it."""
    totals: dict[Any, tuple[float, float, float]] = {}
    rows = [row for m in mechanisms for o in explained
            if (row := explain_outcome(a, b, m, o, n_resamples, totals)) is not None]
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS
                                        if c not in ("root_seed", "libyasim_version")])
    table["root_seed"] = a[AS_IS].manifest["root_seed"]
    table["libyasim_version"] = __version__
    return table[COLUMNS]


# ---------------------------------------------------------------------------- a comparison
def explain(a: Scenario, b: Scenario, out: str | Path, runs: int, seed: int,
            mechanisms: Sequence[Mechanism] | None = None, workers: int | None = None,
            progress: bool = False, n_resamples: int = 2000, command: str | None = None
            ) -> pd.DataFrame:
    """Explain B - A in the compare folder `out`: each scenario's mechanism runs go to
    `out/explain/NAME`; the table to `out/explain.csv` and `out/explain.parquet`, the
    settings that reproduce it to `out/explain.json`, the figure to `out/plots/explain.png`.
    The caller has claimed `out` by the compare folder rule (see `comparison.run_comparison`)."""
    from libyasim import plots

    chosen = read_mechanisms() if mechanisms is None else list(mechanisms)
    out = Path(out)
    names = _distinct([a.name, b.name])
    found = [mechanism_runs(s, chosen, out / EXPLAIN_DIR / n, runs, seed, workers, progress)
             for s, n in zip((a, b), names)]
    table = explain_table(found[0], found[1], chosen, n_resamples=n_resamples)
    record = {"reference": {"name": a.name, "file": a.path}, "scenario": {"name": b.name,
              "file": b.path}, "runs": runs, "root_seed": seed,
              "libyasim_version": __version__,
              "command": command or " ".join(sys.argv),
              "mechanisms": [{"name": m.name, "off": m.off_text} for m in chosen],
              "notes": draws_notes([a, b]),
              "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    atomic_write(out / "explain.csv", lambda path: table.to_csv(path, index=False))
    atomic_write_parquet(table, out / "explain.parquet")
    atomic_write_text(json.dumps(record, indent=1), out / "explain.json")
    plots.save_explain(table, runs, out / "plots")
    return table


def draws_notes(scenarios: Sequence[Scenario]) -> list[str]:
    """Notes for scenarios whose runs draw parameters from a posterior: explain runs them at
    their registry values."""
    return [f"{s.name} names a posterior ({s['scenario.posterior']}); explain runs every "
            "variant at the scenario's values, without parameter draws"
            for s in scenarios if s["scenario.posterior"]]


def _distinct(names: Sequence[str]) -> list[str]:
    safe = [re.sub(r"[^A-Za-z0-9_.-]+", "_", n) or "scenario" for n in names]
    return safe if len(set(safe)) == len(safe) else [f"{n}-{i + 1}" for i, n in enumerate(safe)]


# ---------------------------------------------------------------------------- text
def _number(value: float, unit: str, signed: bool = True) -> str:
    if not np.isfinite(value):
        return "\u2014"
    if unit.startswith("share"):
        return f"{value * 100:{'+' if signed else ''},.1f} pp"
    return f"{value:{'+' if signed else ''},.1f}"


def interval(row: pd.Series, key: str) -> str:
    """'value [low, high]' of a table row's `key`, in its unit (shares in percentage
    points)."""
    unit = row["unit"]
    return (f"{_number(row[key], unit)} [{_number(row[f'{key}_low'], unit)}, "
            f"{_number(row[f'{key}_high'], unit)}]")


def share_text(row: pd.Series) -> str:
    if not np.isfinite(row["share"]):
        return "share: no clear difference to share out"
    low, high = row["share_low"], row["share_high"]
    return (f"{row['share'] * 100:.0f}% [{low * 100:.0f}%, {high * 100:.0f}%]"
            if np.isfinite(low) else f"{row['share'] * 100:.0f}%")


def format_table(table: pd.DataFrame) -> str:
    """The table as text for a terminal: per outcome, the difference, then the mechanisms that
    carry a part of it beyond Monte Carlo noise, largest first."""
    if table.empty:
        return "(no outcome applies to both scenarios)"
    first = table.iloc[0]
    lines = [f"{first['scenario']} minus {first['reference']}: what each mechanism carries "
             f"(switched off in both; {first['runs']} paired runs; 95% intervals; share = "
             "part of the difference that switching it off removes)"]
    for _, group in table.groupby("outcome", sort=False):
        row = group.iloc[0]
        lines.append(f"\n{row['label']} ({row['unit']}): difference {interval(row, 'difference')}")
        clear = group[group["clear"]].sort_values("carried", key=abs, ascending=False)
        width = max([len(m) for m in group["mechanism"]] + [10])
        for _, r in clear.iterrows():
            lines.append(f"  {r['mechanism']:<{width}} carries {interval(r, 'carried'):<34} "
                         f"{share_text(r):<22} without it: {interval(r, 'without')}")
        rest = len(group) - len(clear)
        if rest:
            lines.append(f"  {rest} other mechanism(s): nothing beyond Monte Carlo noise")
    off = table.drop_duplicates("mechanism")
    off = off[off["status"] != STATUS_RERUN]
    if len(off):
        lines.append("\nswitched off by a scenario itself:")
        lines += [f"  {r['mechanism']}: {r['status']}" for _, r in off.iterrows()]
    return "\n".join(lines)
