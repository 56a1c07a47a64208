"""Comparing scenarios: ensembles run with common random numbers, and their differences.

Run i of every scenario gets the same seed (the same root seed), so two scenarios differ in run
i only through their settings. Differences of per-run outcomes are then paired, and their
bootstrap confidence intervals are narrower than those of independent ensembles.

A comparison folder holds `compare.json` (the scenarios, runs and root seed), one results folder
per scenario under `scenarios/`, the tables `summary.csv` (per scenario), `differences.csv`,
`logrank.csv`, `end_states.csv`, `survival.csv` and `outcomes.csv`, and the figures in `plots/`;
with `--explain` also `explain/` (the runs with each mechanism off), `explain.csv`,
`explain.parquet`, `explain.json` and `plots/explain.png` (see explanation.py).
Truce figures count from each truce's own start.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from libyasim import analysis, outcomes
from libyasim.ensemble import EnsembleError, run_ensemble
from libyasim.files import atomic_write_text
from libyasim.folders import (DERIVED_FILES, MANIFEST_FILE, RUNS_FILE, SERIES_FILE, read_manifest,
                              refuse_foreign, refuse_other, remove_derived, usable_folder)
from libyasim.outcomes import Outcome
from libyasim.results import COMPARE_FILE, SCENARIO_DIR, Results, load_comparison
from libyasim.scenario import Scenario

__all__ = ["COMPARE_FILE", "SCENARIO_DIR", "Results", "load_comparison", "run_comparison",
           "differences", "paired_difference", "scenario_summary", "logrank", "survival",
           "end_states", "outcome_means", "write_tables"]


# what `compare --explain` adds to a comparison folder (see explanation.py): derived from the
# comparison's scenarios, so removed whenever they are rerun
EXPLAIN_FILES = ("explain.csv", "explain.parquet", "explain.json", "plots/explain.png")


# ---------------------------------------------------------------------------- running
def holds_ensemble(folder: str | Path, scenario: Scenario, runs: int, seed: int) -> bool:
    """Whether `folder` holds finished results of this resolved scenario, runs and root seed."""
    folder = Path(folder)
    if not (folder / RUNS_FILE).is_file():
        return False
    try:
        manifest = read_manifest(folder)
    except (OSError, EnsembleError):
        return False
    return manifest is not None and (manifest.get("scenario", {}).get("values") == scenario.to_json()["values"]
            and manifest.get("runs") == runs and manifest.get("root_seed") == seed
            and not manifest.get("shard") and (folder / SERIES_FILE).is_file())


def run_or_reuse(scenario: Scenario, folder: str | Path, runs: int, seed: int,
                 workers: int | None = None, search: Sequence[str | Path] = (),
                 progress: bool = False, force: bool = False) -> tuple[Results, str]:
    """Results of `scenario` in `folder`: reused when it (or a folder in `search`) already holds
    the same resolved scenario, runs and seed, otherwise run. Returns (results, how) where how is
    "reused", "copied from PATH" or "ran". A folder holding other results is refused unless
    `force` (see `ensemble.run_ensemble`)."""
    folder = usable_folder(Path(folder))
    if holds_ensemble(folder, scenario, runs, seed):
        return Results.load(folder), "reused"
    for other in search:
        other = Path(other)
        if other.resolve() != folder.resolve() and holds_ensemble(other, scenario, runs, seed):
            refuse_other(folder, json.loads((other / MANIFEST_FILE).read_text()), force)
            for name in (MANIFEST_FILE, RUNS_FILE, SERIES_FILE):
                shutil.copy2(other / name, folder / name)
            return analysis.analyse(Results.load(folder)), f"copied from {other}"
    run_ensemble(scenario, folder, runs=runs, seed=seed, workers=workers, progress=progress,
                 force=force)
    return analysis.analyse(Results.load(folder)), "ran"


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
                   progress: bool = False, log: Callable[[str], None] | None = None,
                   command: str | None = None, force: bool = False) -> list[Results]:
    """Run (or reuse) each scenario with the same runs and root seed into `out/scenarios/NAME`.

    NAME is the scenario's name, made distinct (`baseline-2`) when two scenarios share one.
    Saved results are reused from `out/scenarios/NAME` or from `SEARCH/STEM` (for each folder in
    `search`, STEM being the scenario file's name without `.toml`, where `libyasim run` writes),
    when their manifest shows the same resolved scenario, runs and seed. A folder holding another
    comparison (other scenario files or seed), a run or other files is refused unless `force`.
    """
    if len(scenarios) < 2:
        raise EnsembleError("a comparison needs at least two scenarios")
    out = usable_folder(Path(out))
    names = _folder_names(scenarios)
    files = [s.path for s in scenarios]
    _refuse_other_comparison(out, names, files, seed, force)
    results, ran = [], False
    for scenario, name in zip(scenarios, _folder_names(scenarios)):
        stems = {Path(scenario.path).stem} if scenario.path else set()
        candidates = [Path(s) / stem for s in search for stem in sorted(stems | {scenario.name})]
        # the comparison's own folder: an edited scenario file replaces its earlier results
        result, how = run_or_reuse(scenario, out / SCENARIO_DIR / name, runs, seed, workers,
                                   candidates, progress, force=True)
        ran = ran or how == "ran"
        if log:
            log(f"{name}: {how}")
        results.append(replace(result, name=name))  # distinct names label the figures
    record = {"scenarios": [{"name": r.name, "folder": f"{SCENARIO_DIR}/{folder}", "file": s.path}
                            for r, s, folder in zip(results, scenarios, names)],
              "runs": runs, "root_seed": seed, "command": command or " ".join(sys.argv),
              "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "warnings": like_for_like(results)}
    if ran or force:  # an earlier report or explanation shows other results
        remove_derived(out, (*DERIVED_FILES, *EXPLAIN_FILES))
    atomic_write_text(json.dumps(record, indent=1), out / COMPARE_FILE)
    return results


def _refuse_other_comparison(out: Path, names: list[str], files: list[str | None], seed: int,
                             force: bool) -> None:
    record_path = out / COMPARE_FILE
    if not record_path.is_file():
        refuse_foreign(out, (SCENARIO_DIR,), force)
        return
    try:
        old = json.loads(record_path.read_text())
    except ValueError:
        old = {}
    old_names = [s["name"] for s in old.get("scenarios", [])]
    old_files = [s.get("file") for s in old.get("scenarios", [])]
    if old_names != names or old_files != files or old.get("root_seed") != seed:
        if force:
            refuse_foreign(out, (), force=True)  # replaces the folder whole
            return
        raise EnsembleError(f"{out} holds a comparison of {', '.join(old_names)} (root seed "
                            f"{old.get('root_seed')}), not of {', '.join(names)} (seed {seed}). "
                            "Nothing was changed. Choose another --out folder, or pass --force "
                            "(overwrite=True) to replace it")


# ---------------------------------------------------------------------------- like for like
LIKE_FOR_LIKE = (("scenario.horizon_days", "horizons", "days"),
                 ("scenario.start_date", "start dates", ""),
                 ("scenario.information_cutoff", "information cutoffs", ""))


def like_for_like(results: Sequence[Results]) -> list[str]:
    """Warnings, one line each, where the compared scenarios are not like for like: different
    horizons, start dates or information cutoffs (a difference in deaths over 365 days against
    30 is the horizon, not the policy)."""
    warnings_ = []
    for key, what, unit in LIKE_FOR_LIKE:
        seen = {r.name: r.values.get(key) for r in results}
        if len(set(map(str, seen.values()))) > 1:
            listed = ", ".join(f"{name} {value}{' ' + unit if unit else ''}"
                               for name, value in seen.items())
            warnings_.append(f"not like for like: the scenarios have different {what} "
                             f"({listed}); their differences mix that with the settings compared")
    if len({len(r.runs) for r in results}) > 1:
        warnings_.append("not like for like: the scenarios have different numbers of runs ("
                         + ", ".join(f"{r.name} {len(r.runs)}" for r in results) + ")")
    return warnings_


# ---------------------------------------------------------------------------- outcomes
def compared(o: Outcome) -> tuple[str, str]:
    """What is compared for an outcome, as (label, unit): a day outcome as the share of runs in
    which the event happened, an event as a share of runs, the others as their mean."""
    if o.kind == "day":
        return f"{o.event}", "share of runs"
    if o.kind == "event":
        return o.label, "share of runs"
    if o.kind == "duration":
        return f"{o.label}: restricted mean over the common window", o.unit
    return o.label, o.unit


def compared_outcomes() -> list[Outcome]:
    """The key outcomes of the registry that are compared between scenarios."""
    return [o for o in outcomes.key_outcomes() if o.kind != "category"]


def _per_run(r: Results, o: Outcome) -> np.ndarray:
    """The per-run numbers compared for `o`, in run order (NaN where it does not apply)."""
    if o.kind == "day":
        return r.runs.sort_values("run")[o.name].notna().to_numpy(float)
    return r.values_of(o.name)


def outcome_means(results: Sequence[Results]) -> pd.DataFrame:
    """Mean of each compared outcome (rows) by scenario (columns); NaN where it does not
    apply."""
    rows = compared_outcomes()
    table = {r.name: [np.nanmean(_per_run(r, o)) if r.applies(o.name) and
                      np.isfinite(_per_run(r, o)).any() else np.nan for o in rows]
             for r in results}
    frame = pd.DataFrame(table, index=[o.name for o in rows])
    frame.insert(0, "unit", [compared(o)[1] for o in rows])
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

    ci = None
    for method in ("BCa", "percentile"):  # BCa is undefined for some degenerate resamples
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)
            ci = stats.bootstrap((a, b), statistic, paired=is_paired, vectorized=True,
                                 n_resamples=n_resamples, confidence_level=confidence,
                                 method=method, rng=np.random.default_rng(seed)).confidence_interval
        if np.isfinite(ci.low) and np.isfinite(ci.high):
            break
    assert ci is not None
    return diff, float(ci.low), float(ci.high)


def paired_difference(reference: Results, other: Results, outcome: str,
                      confidence: float = 0.95, n_resamples: int = 2000,
                      seed: int = 0) -> dict[str, Any] | None:
    """Is `other` different from `reference` on `outcome`? The one test that compare, reports
    and exercises use.

    The difference of means (shares for events and day outcomes) with a bootstrap interval,
    paired when the runs share seeds; `clear` is True when the interval excludes 0. Runs where
    the outcome does not apply in either scenario (e.g. no declared truce) are left out, pairs
    together. None when the outcome does not apply to one of the scenarios.
    """
    o = outcomes.get(outcome)
    values = comparable_values([reference, other], outcome)
    if values is None:
        return None
    is_paired = paired(reference, other)
    a, b = values
    if is_paired:
        keep = np.isfinite(a) & np.isfinite(b)
        a, b = a[keep], b[keep]
    else:
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) == 0 or len(b) == 0:
        return None
    diff, low, high = mean_difference(a, b, is_paired, confidence, n_resamples, seed)
    label, unit = compared(o)
    return {"scenario": other.name, "outcome": o.name, "label": label, "unit": unit,
            "reference": float(a.mean()), "value": float(b.mean()), "difference": diff,
            "low": low, "high": high, "paired": is_paired, "runs": len(b),
            "clear": bool(low > 0 or high < 0)}


def comparable_values(results: Sequence[Results], outcome: str) -> list[np.ndarray] | None:
    """The per-run numbers compared for `outcome` in each of `results`, in run order and on
    the same footing: truce durations followed for the same window (a restricted mean). None
    when the outcome does not apply to one of them (a truce's length without a truce)."""
    o = outcomes.get(outcome)
    if not all(r.applies(outcome) for r in results):
        return None
    values = [_per_run(r, o) for r in results]
    if o.kind == "duration":  # restricted mean: every truce followed for the same number of days
        window = min(_window(r) for r in results)
        values = [np.minimum(v, window) for v in values]
    return values


def _window(r: Results) -> float:
    """Days a truce of these runs can be followed: from its start to the horizon."""
    starts = r.runs["truce_start_day"].dropna()
    return float(r.horizon - starts.max()) if len(starts) else float(r.horizon)


DIFFERENCE_COLUMNS = ["scenario", "outcome", "label", "unit", "reference", "value", "difference",
                      "low", "high", "paired", "runs", "clear"]


def differences(results: Sequence[Results], confidence: float = 0.95, n_resamples: int = 2000,
                seed: int = 0) -> pd.DataFrame:
    """Difference of each compared outcome from the first scenario (see `paired_difference`).

    One row per other scenario and outcome: scenario, outcome, label, unit, reference (its
    mean in the first scenario), value (its mean in this scenario), difference, low, high,
    paired, runs, clear. Outcomes that do not apply (truce figures without a truce) are left out.
    """
    rows = [row for other in results[1:] for o in compared_outcomes()
            if (row := paired_difference(results[0], other, o.name, confidence, n_resamples,
                                         seed)) is not None]
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


# ---------------------------------------------------------------------------- per scenario
def scenario_summary(results: Sequence[Results], confidence: float = 0.95) -> pd.DataFrame:
    """One row per scenario: runs; truce collapse share and median truce length (from the
    truce's start) with intervals; median conflict and civilian deaths with intervals; shares of
    runs in which Tripoli falls, talks start and a settlement is signed, with intervals; mean
    population share of the GNA side and arms delivered; the share of each end state."""
    rows = []
    for r in results:
        row: dict[str, Any] = {"scenario": r.name, "seed": r.manifest.get("root_seed")}
        row.update(analysis.truce_summary(r.runs, r.horizon, confidence))
        for col in ("conflict_deaths", "civilian_deaths"):
            m, lo, hi = analysis.median_ci(r.runs[col].to_numpy(float), confidence)
            row.update({f"median_{col}": m, f"median_{col}_low": lo, f"median_{col}_high": hi})
        for key, col in (("tripoli_falls", "tripoli_fall_day"), ("talks", "talks_day"),
                         ("settlement", "settlement_day")):
            p, lo, hi = analysis.wilson(int(r.runs[col].notna().sum()), len(r.runs), confidence)
            row.update({key: p, f"{key}_low": lo, f"{key}_high": hi})
        row["gna_population_share"] = float(r.runs["gna_population_share"].mean())
        row["arms_delivered_total"] = float(r.runs["arms_delivered_total"].mean())
        shares = r.runs["end_state"].value_counts(normalize=True)
        row.update({f"end_{s}": float(shares.get(s, 0.0))
                    for s in outcomes.get("end_state").categories})
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def _interval(s: pd.Series, key: str, fmt: str) -> str:
    value, low, high = s[key], s[f"{key}_low"], s[f"{key}_high"]
    if not np.isfinite(value):
        return "\u2014"
    lo = fmt.format(low) if np.isfinite(low) else "?"
    hi = fmt.format(high) if np.isfinite(high) else "more"
    return f"{fmt.format(value)} [{lo}, {hi}]"


def _share(s: pd.Series, key: str) -> str:
    return analysis.share_text(s[key], s[f"{key}_low"], s[f"{key}_high"])


def _truce_length(s: pd.Series) -> str:
    if s["truce_runs"] == 0:
        return analysis.NO_TRUCE_NOTE
    if not np.isfinite(s["median_truce_days"]):
        return f"more than {int(s['truce_window'])} (over half held)"
    flag = " (unstable)" if s.get("median_unstable", False) else ""
    if not np.isfinite(s["median_truce_days_high"]):  # the band stays above one half
        low = s["median_truce_days_low"]
        lo = f"{low:.0f}" if np.isfinite(low) else "?"
        return f"{s['median_truce_days']:.0f} [{lo}, over {int(s['truce_window'])}]{flag}"
    return _interval(s, "median_truce_days", "{:.0f}") + flag


def _truce_mean(s: pd.Series) -> str:
    if s["truce_runs"] == 0:
        return analysis.NO_TRUCE_NOTE
    return _interval(s, "mean_truce_days", "{:.0f}") + f" of {int(s['truce_window'])}"


def _most_common_end(s: pd.Series) -> str:
    ends = {str(k).removeprefix("end_"): v for k, v in s.items() if str(k).startswith("end_")}
    state = max(ends, key=lambda k: ends[k])
    return f"{outcomes.END_STATE_LABELS[state]} ({analysis.percent(ends[state])})"


# The rows `compare` prints for each scenario: key, label, how a scenario's row is shown.
SUMMARY_ROWS: list[tuple[str, str, Callable[[pd.Series], str]]] = [
    ("runs", "runs", lambda s: f"{int(s['runs'])}"),
    ("truce_collapsed", "truce collapsed (share of runs with a truce)",
     lambda s: analysis.NO_TRUCE_NOTE if s["truce_runs"] == 0 else _share(s, "truce_collapsed")),
    ("mean_truce_days", "truce length, restricted mean (days from its start, of the window)",
     _truce_mean),
    ("median_truce_days", "truce length, Kaplan-Meier median (days from its start)",
     _truce_length),
    ("conflict_deaths", "conflict deaths (median)",
     lambda s: _interval(s, "median_conflict_deaths", "{:,.0f}")),
    ("civilian_deaths", "civilian deaths (median)",
     lambda s: _interval(s, "median_civilian_deaths", "{:,.0f}")),
    ("tripoli_falls", "Tripoli falls (share of runs)", lambda s: _share(s, "tripoli_falls")),
    ("talks", "talks start (share of runs)", lambda s: _share(s, "talks")),
    ("settlement", "permanent ceasefire signed (share of runs)",
     lambda s: _share(s, "settlement")),
    ("gna_population", "population held by the GNA side at the end (mean)",
     lambda s: analysis.percent(s["gna_population_share"])),
    ("arms", "arms delivered, fighter-equivalents (mean)",
     lambda s: f"{s['arms_delivered_total']:,.0f}"),
    ("most_likely_end", "most common end state", _most_common_end),
    *((f"end_{state}", f"ends: {label}", (lambda s, c=f"end_{state}": analysis.percent(s[c])))
      for state, label in outcomes.END_STATE_LABELS.items()),
]


def summary_cells(summary: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Scenario -> row key -> the text `compare` prints for it."""
    return {name: {key: fmt(summary.loc[name]) for key, _, fmt in SUMMARY_ROWS}
            for name in summary.index}


def format_summary(summary: pd.DataFrame) -> str:
    """The per-scenario summary as aligned text (95% intervals in brackets)."""
    cells = summary_cells(summary)
    names = list(summary.index)
    table = [["per scenario (95% interval)", *names]]
    table += [[label, *(cells[n][key] for n in names)] for key, label, _ in SUMMARY_ROWS
              if key != "most_likely_end"]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))) for row in table]
    notes = [f"{name}: {note}" for name, note, truces
             in zip(summary.index, summary["truce_note"], summary["truce_runs"])
             if isinstance(note, str) and note and truces > 0]
    return "\n".join(lines + [f"  note: {n}" for n in notes])


# ---------------------------------------------------------------------------- truce and end states
def _censored(r: Results) -> stats.CensoredData:
    d = r.durations()
    days, collapsed = d["days"].to_numpy(float), d["collapsed"].to_numpy(bool)
    return stats.CensoredData(uncensored=days[collapsed], right=days[~collapsed])


def logrank(results: Sequence[Results]) -> pd.DataFrame:
    """Log-rank test of each scenario's truce survival (from each truce's own start) against
    the first scenario's.

    Columns: scenario, statistic (the z statistic), pvalue, note. The test treats the two
    ensembles as independent samples; with common random numbers they are positively
    correlated, which makes the test conservative.
    """
    reference, rows = results[0], []
    for other in results[1:]:
        row = {"scenario": other.name, "statistic": np.nan, "pvalue": np.nan, "note": ""}
        a, b = reference.durations(), other.durations()
        if a.empty or b.empty:
            row["note"] = f"{analysis.NO_TRUCE_NOTE} in one of the two scenarios"
        elif not (a["collapsed"].any() or b["collapsed"].any()):
            row["note"] = "no truce collapsed in either scenario"
        else:
            test = stats.logrank(_censored(reference), _censored(other))
            row.update(statistic=float(test.statistic), pvalue=float(test.pvalue))
        rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", "statistic", "pvalue", "note"])


def survival(results: Sequence[Results], confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier truce survival (days since each truce's start) of each scenario in which a
    truce was declared, stacked with a `scenario` column (see `analysis.truce_survival`)."""
    frames = [analysis.truce_survival(r.durations(), confidence).assign(scenario=r.name)
              for r in results]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["day", "survival", "low", "high", "at_risk", "scenario"])


def end_states(results: Sequence[Results], confidence: float = 0.95) -> pd.DataFrame:
    """End-state probabilities with Wilson intervals, stacked with a `scenario` column."""
    return pd.concat([analysis.end_state_probabilities(r.runs, confidence).assign(scenario=r.name)
                      for r in results], ignore_index=True)


def tables(results: Sequence[Results], n_resamples: int = 2000) -> dict[str, pd.DataFrame]:
    """Every table of a comparison, by file stem."""
    return {"summary": scenario_summary(results),
            "differences": differences(results, n_resamples=n_resamples),
            "logrank": logrank(results),
            "end_states": end_states(results),
            "survival": survival(results),
            "outcomes": outcome_means(results)}


def write_tables(results: Sequence[Results], out: str | Path, n_resamples: int = 2000
                 ) -> dict[str, pd.DataFrame]:
    """Compute the comparison tables and save them as CSV in `out`; return them by name."""
    computed = tables(results, n_resamples)
    analysis.write_tables(computed, out)
    return computed


def format_differences(diffs: pd.DataFrame, reference: str) -> str:
    """The differences table as aligned text for a terminal, one line per outcome named by its
    label (shares in percentage points)."""
    if diffs.empty:
        return "(no differences to show)"
    lines = []
    width = max(len(label) for label in diffs["label"])
    for scenario, group in diffs.groupby("scenario", sort=False):
        lines.append(f"{scenario} minus {reference} (95% bootstrap interval; * = beyond Monte "
                     "Carlo noise):")
        for _, row in group.iterrows():
            scale, fmt = (100, "{:+,.1f} pp") if row.unit.startswith("share") else (1, "{:+,.1f}")
            ci = f"[{fmt.format(row.low * scale)}, {fmt.format(row.high * scale)}]"
            unit = "percentage points" if scale == 100 else row.unit
            mark = "*" if row.clear else " "
            lines.append(f"  {row.label:<{width}} {fmt.format(row.difference * scale):>12}{mark} "
                         f"{ci:<26} {unit}")
    return "\n".join(lines)
