"""Python API for notebooks: run, load and compare scenarios; tables as pandas, plots as figures.

Example::

    import libyasim as ly

    base = ly.run("scenarios/baseline.toml", runs=100)
    ly.summary(base)                      # a DataFrame
    ly.plot_survival(base)                # a matplotlib Figure

    results = ly.compare(["scenarios/baseline.toml", "scenarios/embargo_enforced.toml"],
                         runs=100)
    ly.differences(results)               # paired bootstrap differences from the first
    ly.plot_differences(results)

Every plot function takes one `Results` or a list of them (the first is the reference).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import warnings
from dataclasses import replace
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure

from libyasim import comparison as _compare
from libyasim import plots
from libyasim.ensemble import EnsembleError
from libyasim.results import COMPARE_FILE, Comparison, Results
from libyasim.results import load_comparison as _load_comparison
from libyasim.scenario import Scenario, resolve_scenario

ScenarioLike = str | Path | Scenario

if TYPE_CHECKING:
    from libyasim.discovery import Exploration

__all__ = ["Results", "Comparison", "load", "load_comparison", "run", "compare", "summary",
           "scenario_summary", "end_states",
           "survival", "differences", "logrank", "outcome_means", "plot_survival",
           "plot_distributions", "plot_end_states", "plot_fans", "plot_map", "plot_differences",
           "explore", "load_exploration", "explain", "plot_explanation", "mechanism_table"]


def load(folder: str | Path) -> Results:
    """Results of a `libyasim run` folder.

    >>> base = load("results/baseline")          # doctest: +SKIP
    >>> base.runs.battle_deaths.median()         # doctest: +SKIP
    """
    if (Path(folder) / COMPARE_FILE).is_file():
        raise EnsembleError(f"{folder} holds a comparison; load it with "
                            f"ly.load_comparison({str(folder)!r})")
    return Results.load(folder)


def load_comparison(folder: str | Path) -> list[Results]:
    """The results of a `libyasim compare` folder, reference first."""
    return _load_comparison(folder).results


def default_folder(name: str, overrides: Mapping[str, Any] | None = None) -> Path:
    """``results/NAME``, or ``results/NAME-KEY=VALUE...`` with overrides (a short hash when
    that would be long), so that runs with other settings never share a folder."""
    slug = re.sub(r"[^A-Za-z0-9_.=-]+", "_", name) or "scenario"
    if overrides:
        text = "-".join(f"{k}={v}" for k, v in sorted(overrides.items()))
        tail = re.sub(r"[^A-Za-z0-9_.=-]+", "_", text)
        if len(tail) > 60:
            tail = "overrides-" + _digest(overrides)
        slug = f"{slug}-{tail}"
    return Path("results") / slug


def run(scenario: ScenarioLike, runs: int | None = None, seed: int | None = None,
        out: str | Path | None = None, overrides: Mapping[str, Any] | None = None,
        workers: int | None = None, overwrite: bool = False) -> Results:
    """Run an ensemble of a scenario (a file path, a `Scenario` or None for the defaults), or
    reuse `out` when it already holds the same scenario, runs and seed.

    `overrides` sets parameters on top of the file, e.g. ``{"arms.embargo_enforcement": 0.5}``;
    the result's name then says so (``baseline (arms.embargo_enforcement=0.5)``). The results
    go to `out` (default: ``results/NAME``, with the overrides in the name). A
    folder holding other results is refused (EnsembleError) unless `overwrite`.

    >>> base = run("scenarios/baseline.toml", runs=50)                       # doctest: +SKIP
    >>> half = run("scenarios/baseline.toml", runs=50,
    ...            overrides={"arms.embargo_enforcement": 0.5}, out="results/half")  # doctest: +SKIP
    """
    plain = resolve_scenario(scenario, overrides)
    resolved = replace(plain, name=overridden_name(plain.name, overrides))
    runs = resolved["scenario.runs"] if runs is None else runs
    seed = resolved["scenario.seed"] if seed is None else seed
    folder = Path(out) if out is not None else default_folder(plain.name, overrides)
    result = _compare.run_or_reuse(resolved, folder, runs, seed, workers, force=overwrite)[0]
    return replace(result, name=resolved.name)


def compare(scenarios: Sequence[ScenarioLike], runs: int | None = None, seed: int | None = None,
            out: str | Path | None = None, workers: int | None = None,
            write: bool = True, overwrite: bool = False) -> list[Results]:
    """Run (or reuse) scenarios with the same seeds; the first is the reference.

    With `write` the comparison tables (CSV) and figures (PNG) are saved in `out`, as by
    `libyasim compare`, so `libyasim report OUT` can follow. Warns when the scenarios are not
    like for like (different horizons, start dates or information cutoffs).

    >>> results = compare(["scenarios/baseline.toml", "scenarios/no_mediation.toml"],
    ...                   runs=50, out="results/mediation")                 # doctest: +SKIP
    >>> [r.name for r in results]                                           # doctest: +SKIP
    ['baseline', 'no_mediation']
    """
    resolved = [resolve_scenario(s) for s in scenarios]
    runs = resolved[0]["scenario.runs"] if runs is None else runs
    seed = resolved[0]["scenario.seed"] if seed is None else seed
    folder = Path(out) if out is not None else _compare_folder(resolved)
    results = _compare.run_comparison(resolved, folder, runs, seed, workers, force=overwrite,
                                      command=f"libyasim.compare({[s.name for s in resolved]})")
    for text in _compare.like_for_like(results):
        warnings.warn(text, stacklevel=2)
    if write:
        _compare.write_tables(results, folder)
        plots.save_comparison(_load_comparison(folder))
    return results


def explain(a: ScenarioLike, b: ScenarioLike, runs: int | None = None, seed: int | None = None,
            out: str | Path | None = None, mechanisms: Sequence[str] | None = None,
            workers: int | None = None, overwrite: bool = False) -> pd.DataFrame:
    """How much of each outcome's difference B - A each mechanism carries, as
    `libyasim compare A B --explain`: the pair is compared (as `compare`, into `out`), then
    both are rerun with each mechanism switched off (same seeds). One row per mechanism and
    outcome: the difference with every mechanism on, without this one, what it carries and its
    share, each with a paired 95% interval (`explain.csv` in `out`; `plot_explanation` draws
    it). `mechanisms`: names from the mechanisms table (`mechanism_table()`; default: all).

    >>> table = explain("scenarios/baseline.toml", "scenarios/embargo_enforced.toml",
    ...                 runs=100)                                             # doctest: +SKIP
    >>> table[table.outcome == "battle_deaths"].nlargest(3, "carried")      # doctest: +SKIP
    """
    from libyasim import explanation as _explain
    from libyasim.mechanisms import select

    chosen = select(mechanisms)
    resolved = [resolve_scenario(s) for s in (a, b)]
    runs = resolved[0]["scenario.runs"] if runs is None else runs
    seed = resolved[0]["scenario.seed"] if seed is None else seed
    folder = Path(out) if out is not None else _compare_folder(resolved)
    compare(resolved, runs=runs, seed=seed, out=folder, workers=workers, overwrite=overwrite)
    for text in _explain.draws_notes(resolved):
        warnings.warn(text, stacklevel=2)
    return _explain.explain(resolved[0], resolved[1], folder, runs, seed, chosen, workers,
                            command=f"libyasim.explain({resolved[0].name!r}, "
                            f"{resolved[1].name!r}, runs={runs}, seed={seed})")


def mechanism_table() -> pd.DataFrame:
    """The mechanisms table: name, description, the registry values that switch each off
    (`off`) and the literature keys that discuss it."""
    from libyasim.mechanisms import read_mechanisms

    return pd.DataFrame([{"name": m.name, "description": m.description, "off": m.off_text,
                          "literature": "; ".join(m.literature)} for m in read_mechanisms()])


def plot_explanation(table: pd.DataFrame) -> Figure:
    """What each mechanism carries of each outcome's difference (the table `explain` returns
    or `explain.csv`), with 95% intervals."""
    return plots.explain_figure(table, int(table["runs"].max()))


def _compare_folder(resolved: Sequence[Scenario]) -> Path:
    return Path("results") / ("compare-" + "-".join(s.name for s in resolved))[:120]


def _as_list(results: Results | Sequence[Results]) -> list[Results]:
    """Results as a list whose names are distinct: tables and plots never merge two results
    because their names collide (a second `baseline` becomes `baseline (results/b)`, or
    `baseline #2` when even their folders agree)."""
    items = [results] if isinstance(results, Results) else list(results)
    names = [r.name for r in items]
    if len(set(names)) == len(names):
        return items
    distinct: list[Results] = []
    taken: set[str] = set()
    for r in items:
        name = r.name
        if names.count(r.name) > 1:
            name = f"{r.name} ({r.path})" if r.path is not None else r.name
        k = 2
        while name in taken:
            name, k = f"{r.name} #{k}", k + 1
        taken.add(name)
        distinct.append(replace(r, name=name))
    return distinct


def overridden_name(name: str, overrides: Mapping[str, Any] | None) -> str:
    """The name of a scenario run with overrides says so: `baseline (arms.embargo_enforcement
    =0.5)`, or a short hash of the overrides when they are many."""
    if not overrides:
        return name
    text = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items()))
    if len(text) > 60:
        text = "overrides " + _digest(overrides)
    return f"{name} ({text})"


def _digest(overrides: Mapping[str, Any]) -> str:
    return hashlib.sha1(json.dumps(sorted(overrides.items()), default=str).encode()
                        ).hexdigest()[:10]


# ---------------------------------------------------------------------------- tables
def summary(results: Results | Sequence[Results]) -> pd.DataFrame:
    """Mean, median and 5-95% range of each outcome; with several results, one column block
    per scenario.

    >>> summary(base).loc["battle_deaths", "median"]         # doctest: +SKIP
    """
    items = _as_list(results)
    if len(items) == 1:
        return items[0].table("summary")
    return pd.concat({r.name: r.table("summary") for r in items}, axis=1)


def scenario_summary(results: Results | Sequence[Results]) -> pd.DataFrame:
    """Per scenario: truce collapse share and median truce length (from the truce's start) with
    intervals, median deaths, settlement probability, end-state shares (as `compare` prints)."""
    return _compare.scenario_summary(_as_list(results))


def end_states(results: Results | Sequence[Results]) -> pd.DataFrame:
    """Probability of each end state with 95% Wilson intervals (a `scenario` column)."""
    return _compare.end_states(_as_list(results))


def survival(results: Results | Sequence[Results]) -> pd.DataFrame:
    """Kaplan-Meier truce survival by days since the truce's start, with 95% bands (a
    `scenario` column); scenarios without a declared truce have no rows."""
    return _compare.survival(_as_list(results))


def differences(results: Sequence[Results], n_resamples: int = 2000) -> pd.DataFrame:
    """Each key outcome's mean difference from the first scenario with a bootstrap 95% CI
    (paired when the runs share seeds). Warns when the scenarios are not like for like
    (different horizons, start dates or information cutoffs)."""
    items = _as_list(results)
    for text in _compare.like_for_like(items):
        warnings.warn(text, stacklevel=2)
    return _compare.differences(items, n_resamples=n_resamples)


def logrank(results: Sequence[Results]) -> pd.DataFrame:
    """Log-rank test of each scenario's truce survival against the first scenario's."""
    return _compare.logrank(_as_list(results))


def outcome_means(results: Results | Sequence[Results]) -> pd.DataFrame:
    """Mean of each key outcome (rows) by scenario (columns)."""
    return _compare.outcome_means(_as_list(results))


# ---------------------------------------------------------------------------- figures
def plot_survival(results: Results | Sequence[Results]) -> Figure:
    """Truce survival curve(s) with 95% bands; log-rank p-values for several scenarios."""
    items = _as_list(results)
    if len(items) == 1:
        r = items[0]
        return plots.survival_figure(r.table("survival"), r.table("truce").iloc[0], r.name)
    return plots.compare_survival_figure(items, _compare.survival(items), _compare.logrank(items))


def plot_distributions(results: Results | Sequence[Results]) -> Figure:
    """Distributions of battle deaths, civilian deaths and violations per run."""
    items = _as_list(results)
    if len(items) == 1:
        return plots.histograms_figure(items[0].runs, items[0].name)
    return plots.compare_distributions_figure(items)


def plot_end_states(results: Results | Sequence[Results]) -> Figure:
    """End-state probabilities with 95% intervals (side by side for several scenarios)."""
    items = _as_list(results)
    if len(items) == 1:
        return plots.end_states_figure(items[0].table("end_states"), items[0].name)
    return plots.compare_end_states_figure(items, _compare.end_states(items))


def plot_fans(results: Results | Sequence[Results]) -> Figure:
    """Fan charts of daily control, forces and deaths (side by side for several scenarios)."""
    items = _as_list(results)
    if len(items) == 1:
        r = items[0]
        if r.series is None:
            raise ValueError(f"{r.name}: these results have no daily series")
        return plots.fan_figure(r.table("fans"), r.start, r.name, len(r.runs))
    return plots.compare_fan_figure(items)


def plot_map(results: Results) -> Figure:
    """Map of who holds each key place at the horizon, with a zoom on the north-west."""
    return plots.map_figure(results.table("holders"), results.name, len(results.runs),
                            results.start + dt.timedelta(days=results.horizon))


def plot_differences(results: Sequence[Results], diffs: pd.DataFrame | None = None) -> Figure:
    """Forest plot of the differences from the first scenario (computed if not given)."""
    items = _as_list(results)
    diffs = _compare.differences(items) if diffs is None else diffs
    return plots.forest_figure(diffs, items[0].name)


# ---------------------------------------------------------------------------- discovery
def explore(scenario: ScenarioLike, case: str, levers: Sequence[str] | str | None = None,
            vary: Sequence[str] | None = None, samples: int = 200, runs: int = 1,
            seed: int | None = None, design: str = "lhs", box: int | None = None,
            out: str | Path | None = None, workers: int | None = None,
            overwrite: bool = False, progress: bool = False) -> Exploration:
    """Scenario discovery, as `libyasim explore`: which levers and uncertain values make `case`
    likely? Runs `samples` experiments (`runs` each) and returns PRIM's boxes, CART and feature
    scores (`Exploration`: `box_table()`, `plot_tradeoff()`, `select(k)`, ...).

    `levers`: lever names, or "all" (see `libyasim.discovery.LEVERS`); `vary`: uncertain values
    as NAME or NAME=LOW:HIGH (default: every assumption's prior range; ["none"]: none). The runs
    go to `out` (default: ``results/explore-NAME``) and are reused when the same call repeats.

    >>> found = explore("scenarios/baseline.toml", "truce_days >= 60", levers="all",
    ...                 vary=["truce.monitoring_effect"], samples=200)       # doctest: +SKIP
    >>> found.box_table()                                                     # doctest: +SKIP
    """
    from libyasim import discovery

    resolved = resolve_scenario(scenario)
    names = [] if levers == "all" else [levers] if isinstance(levers, str) else levers
    folder = Path(out) if out is not None else Path("results") / f"explore-{resolved.name}"
    return discovery.explore(resolved, case, folder, names, vary, samples, runs, seed, design,
                             box, workers=workers, force=overwrite, progress=progress)


def load_exploration(folder: str | Path, box: int | None = None) -> Exploration:
    """The result of a `libyasim explore` folder (the analysis redone from its runs)."""
    from libyasim import discovery

    return discovery.load(folder, box)
