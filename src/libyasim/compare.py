"""Comparing scenarios: ensembles run with common random numbers, and their differences.

Run i of every scenario gets the same seed (the same root seed), so two scenarios differ in run
i only through their settings. Differences of per-run outcomes are then paired, and their
bootstrap confidence intervals are narrower than those of independent ensembles.

A comparison folder holds `compare.json` (the scenarios, runs and root seed), one results folder
per scenario under `scenarios/`, the tables `differences.csv`, `logrank.csv`,
`end_states.csv` and `outcomes.csv`, and the figures in `plots/`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from libyasim import analysis
from libyasim.ensemble import (MANIFEST_FILE, RUNS_FILE, SERIES_FILE, EnsembleError,
                               atomic_write_text, load_results, run_ensemble)
from libyasim.scenario import Scenario

COMPARE_FILE = "compare.json"
SCENARIO_DIR = "scenarios"


@dataclass(frozen=True)
class Results:
    """The results of one ensemble: per-run outcomes, daily series and the manifest."""

    name: str
    runs: pd.DataFrame
    series: pd.DataFrame | None
    manifest: dict[str, Any]
    path: Path | None = None

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a `libyasim run` folder (or one scenario's folder of a comparison)."""
        runs, series, manifest = load_results(folder)
        return cls(manifest["scenario"]["name"], runs, series, manifest, Path(folder))

    @property
    def values(self) -> dict[str, Any]:
        """The resolved scenario's parameters, as saved (dates as ISO text)."""
        return self.manifest["scenario"]["values"]

    @property
    def horizon(self) -> int:
        return int(self.values["scenario.horizon_days"])

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.values["scenario.start_date"])

    @property
    def truce_enabled(self) -> bool:
        return bool(self.values["truce.enabled"])

    @property
    def seeds(self) -> np.ndarray:
        return self.runs.sort_values("run")["seed"].to_numpy(np.uint64)


# ---------------------------------------------------------------------------- running
def holds_ensemble(folder: str | Path, scenario: Scenario, runs: int, seed: int) -> bool:
    """Whether `folder` holds finished results of this resolved scenario, runs and root seed."""
    folder = Path(folder)
    if not (folder / RUNS_FILE).is_file() or not (folder / MANIFEST_FILE).is_file():
        return False
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return False
    return (manifest.get("scenario", {}).get("values") == scenario.to_json()["values"]
            and manifest.get("runs") == runs and manifest.get("root_seed") == seed
            and not manifest.get("shard") and (folder / SERIES_FILE).is_file())


def run_or_reuse(scenario: Scenario, folder: str | Path, runs: int, seed: int,
                 workers: int | None = None, search: Sequence[str | Path] = (),
                 progress: bool = False) -> tuple[Results, str]:
    """Results of `scenario` in `folder`: reused when it (or a folder in `search`) already holds
    the same resolved scenario, runs and seed, otherwise run. Returns (results, how) where how is
    "reused", "copied from PATH" or "ran"."""
    folder = Path(folder)
    if holds_ensemble(folder, scenario, runs, seed):
        return Results.load(folder), "reused"
    for other in search:
        other = Path(other)
        if other.resolve() != folder.resolve() and holds_ensemble(other, scenario, runs, seed):
            folder.mkdir(parents=True, exist_ok=True)
            for name in (MANIFEST_FILE, RUNS_FILE, SERIES_FILE):
                shutil.copy2(other / name, folder / name)
            return Results.load(folder), f"copied from {other}"
    run_ensemble(scenario, folder, runs=runs, seed=seed, workers=workers, progress=progress)
    return Results.load(folder), "ran"


def _folder_names(scenarios: Sequence[Scenario]) -> list[str]:
    """A distinct, file-safe folder name per scenario."""
    names: list[str] = []
    for scenario in scenarios:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", scenario.name) or "scenario"
        name, k = base, 2
        while name in names:
            name, k = f"{base}-{k}", k + 1
        names.append(name)
    return names


def run_comparison(scenarios: Sequence[Scenario], out: str | Path, runs: int, seed: int,
                   workers: int | None = None, search: Sequence[str | Path] = ("results",),
                   progress: bool = False,
                   log: Callable[[str], None] | None = None) -> list[Results]:
    """Run (or reuse) each scenario with the same runs and root seed into `out/scenarios/NAME`.

    NAME is the scenario's name, made distinct (`baseline-2`) when two scenarios share one.
    Saved results are reused from `out/scenarios/NAME` or from `SEARCH/STEM` (for each folder in
    `search`, STEM being the scenario file's name without `.toml`, where `libyasim run` writes),
    when their manifest shows the same resolved scenario, runs and seed.
    """
    if len(scenarios) < 2:
        raise EnsembleError("a comparison needs at least two scenarios")
    out = Path(out)
    results = []
    for scenario, name in zip(scenarios, _folder_names(scenarios)):
        stems = {Path(scenario.path).stem} if scenario.path else set()
        candidates = [Path(s) / stem for s in search for stem in sorted(stems | {scenario.name})]
        result, how = run_or_reuse(scenario, out / SCENARIO_DIR / name, runs, seed, workers,
                                   candidates, progress)
        if log:
            log(f"{name}: {how}")
        results.append(replace(result, name=name))  # distinct names label the figures
    record = {"scenarios": [{"name": r.name, "folder": f"{SCENARIO_DIR}/{r.path.name}",
                             "file": s.path} for r, s in zip(results, scenarios)],
              "runs": runs, "root_seed": seed,
              "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    atomic_write_text(json.dumps(record, indent=1), out / COMPARE_FILE)
    return results


def load_comparison(out: str | Path) -> list[Results]:
    """The results of a comparison folder written by `run_comparison`, reference first."""
    out = Path(out)
    if not (out / COMPARE_FILE).is_file():
        raise EnsembleError(f"{out}: no {COMPARE_FILE}; is this a `libyasim compare` folder?")
    record = json.loads((out / COMPARE_FILE).read_text())
    return [replace(Results.load(out / s["folder"]), name=s["name"]) for s in record["scenarios"]]


# ---------------------------------------------------------------------------- outcomes
@dataclass(frozen=True)
class Outcome:
    """A per-run outcome whose mean is compared between scenarios."""

    key: str
    label: str
    unit: str
    values: Callable[[Results], np.ndarray]
    needs_truce: bool = False


def _column(name: str) -> Callable[[Results], np.ndarray]:
    return lambda r: r.runs.sort_values("run")[name].to_numpy(float)


def _happened(name: str) -> Callable[[Results], np.ndarray]:
    return lambda r: r.runs.sort_values("run")[name].notna().to_numpy(float)


def _truce_days(r: Results) -> np.ndarray:
    days = r.runs.sort_values("run")["truce_collapse_day"].astype("float")
    return days.fillna(r.horizon).clip(upper=r.horizon).to_numpy()


KEY_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("truce_collapsed", "first truce collapses", "share of runs",
            _column("truce_collapsed"), needs_truce=True),
    Outcome("truce_days", "days until the truce collapses (capped at the horizon)", "days",
            _truce_days, needs_truce=True),
    Outcome("violations_total", "truce violations", "incidents per run",
            _column("violations_total")),
    Outcome("battle_deaths", "battle deaths", "people per run", _column("battle_deaths")),
    Outcome("civilian_deaths", "civilian deaths", "people per run", _column("civilian_deaths")),
    Outcome("settlement", "permanent ceasefire signed", "share of runs",
            _happened("settlement_day")),
    Outcome("tripoli_falls", "Tripoli falls to the LNA", "share of runs",
            _happened("tripoli_fall_day")),
    Outcome("gna_population_share", "population held by the GNA side at the horizon",
            "share of the population", _column("gna_population_share")),
    Outcome("arms_delivered_total", "arms delivered", "fighter-equivalents per run",
            _column("arms_delivered_total")),
)


def outcome_means(results: Sequence[Results]) -> pd.DataFrame:
    """Mean of each key outcome (rows) by scenario (columns); NaN where it does not apply."""
    table = {r.name: [np.nan if (o.needs_truce and not r.truce_enabled) else o.values(r).mean()
                      for o in KEY_OUTCOMES] for r in results}
    frame = pd.DataFrame(table, index=[o.key for o in KEY_OUTCOMES])
    frame.insert(0, "unit", [o.unit for o in KEY_OUTCOMES])
    frame.index.name = "outcome"
    return frame


def paired(a: Results, b: Results) -> bool:
    """Whether run i of `a` and of `b` used the same seed (common random numbers)."""
    return len(a.runs) == len(b.runs) and bool(np.array_equal(a.seeds, b.seeds))


def mean_difference(a: np.ndarray, b: np.ndarray, is_paired: bool, confidence: float = 0.95,
                    n_resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """mean(b) - mean(a) with a bootstrap (BCa) confidence interval: (difference, low, high).

    `is_paired` resamples runs jointly (common random numbers); otherwise the two samples are
    resampled independently. When every resample gives the same value, the interval is that value.
    """
    diff = float(b.mean() - a.mean())
    if (np.ptp(b - a) == 0 if is_paired else np.ptp(a) == 0 and np.ptp(b) == 0):
        return diff, diff, diff

    def statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        return y.mean(axis=axis) - x.mean(axis=axis)

    for method in ("BCa", "percentile"):  # BCa is undefined for some degenerate resamples
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)
            ci = stats.bootstrap((a, b), statistic, paired=is_paired, vectorized=True,
                                 n_resamples=n_resamples, confidence_level=confidence,
                                 method=method, rng=np.random.default_rng(seed)).confidence_interval
        if np.isfinite(ci.low) and np.isfinite(ci.high):
            break
    return diff, float(ci.low), float(ci.high)


def differences(results: Sequence[Results], confidence: float = 0.95, n_resamples: int = 2000,
                seed: int = 0) -> pd.DataFrame:
    """Difference of each key outcome's mean from the first scenario, with a bootstrap CI.

    One row per other scenario and outcome: scenario, outcome, label, unit, reference (its
    mean in the first scenario), value (its mean in this scenario), difference, low, high, paired.
    Outcomes about the truce are left out for scenarios without a truce.
    """
    reference, rows = results[0], []
    for other in results[1:]:
        is_paired = paired(reference, other)
        for o in KEY_OUTCOMES:
            if o.needs_truce and not (reference.truce_enabled and other.truce_enabled):
                continue
            a, b = o.values(reference), o.values(other)
            diff, low, high = mean_difference(a, b, is_paired, confidence, n_resamples, seed)
            rows.append({"scenario": other.name, "outcome": o.key, "label": o.label,
                         "unit": o.unit, "reference": a.mean(), "value": b.mean(),
                         "difference": diff, "low": low, "high": high, "paired": is_paired})
    return pd.DataFrame(rows, columns=["scenario", "outcome", "label", "unit", "reference",
                                       "value", "difference", "low", "high", "paired"])


# ---------------------------------------------------------------------------- truce and end states
def _censored(r: Results) -> stats.CensoredData:
    collapsed = r.runs["truce_collapsed"].to_numpy(bool)
    days = r.runs["truce_collapse_day"].astype("float").fillna(r.horizon).to_numpy()
    return stats.CensoredData(uncensored=days[collapsed], right=days[~collapsed])


def logrank(results: Sequence[Results]) -> pd.DataFrame:
    """Log-rank test of each scenario's truce survival against the first scenario's.

    Columns: scenario, statistic, pvalue, note. The test treats the two ensembles as
    independent samples; with common random numbers they are positively correlated, which makes
    the test conservative (p-values too large rather than too small).
    """
    reference, rows = results[0], []
    for other in results[1:]:
        row = {"scenario": other.name, "statistic": np.nan, "pvalue": np.nan, "note": ""}
        if not (reference.truce_enabled and other.truce_enabled):
            row["note"] = "no truce in one of the two scenarios"
        elif not (reference.runs["truce_collapsed"].any() or other.runs["truce_collapsed"].any()):
            row["note"] = "no truce collapsed in either scenario"
        else:
            test = stats.logrank(_censored(reference), _censored(other))
            row.update(statistic=float(test.statistic), pvalue=float(test.pvalue))
        rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", "statistic", "pvalue", "note"])


def survival(results: Sequence[Results], confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier truce survival of each scenario with a truce, stacked with a `scenario`
    column (see `analysis.truce_survival`)."""
    frames = [analysis.truce_survival(r.runs, r.horizon, confidence).assign(scenario=r.name)
              for r in results if r.truce_enabled]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["day", "survival", "low", "high", "scenario"])


def end_states(results: Sequence[Results], confidence: float = 0.95) -> pd.DataFrame:
    """End-state probabilities with Wilson intervals, stacked with a `scenario` column."""
    return pd.concat([analysis.end_state_probabilities(r.runs, confidence).assign(scenario=r.name)
                      for r in results], ignore_index=True)


def write_tables(results: Sequence[Results], out: str | Path, n_resamples: int = 2000
                 ) -> dict[str, pd.DataFrame]:
    """Compute the comparison tables and save them as CSV in `out`; return them by name."""
    out = Path(out)
    tables = {"differences": differences(results, n_resamples=n_resamples),
              "logrank": logrank(results),
              "end_states": end_states(results),
              "outcomes": outcome_means(results)}
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=name == "outcomes")
    return tables


def format_differences(diffs: pd.DataFrame, reference: str) -> str:
    """The differences table as aligned text for a terminal (shares in percentage points)."""
    if diffs.empty:
        return "(no differences to show)"
    lines = []
    for scenario, group in diffs.groupby("scenario", sort=False):
        lines.append(f"{scenario} minus {reference} (95% bootstrap interval):")
        for _, row in group.iterrows():
            scale, fmt = (100, "{:+,.1f} pp") if row.unit.startswith("share") else (1, "{:+,.1f}")
            ci = f"[{fmt.format(row.low * scale)}, {fmt.format(row.high * scale)}]"
            unit = "percentage points" if scale == 100 else row.unit
            lines.append(f"  {row.outcome:<22} {fmt.format(row.difference * scale):>12}  "
                         f"{ci:<26} {unit}")
    return "\n".join(lines)
