"""Parameter sweeps and global sensitivity analysis over numeric scenario parameters.

Both run through the ensemble engine (`ensemble.run_points`): every design point gets the same
run seeds (common random numbers), on local processes or a Dask cluster. Outcomes are averaged
over a point's runs; day outcomes (such as `tripoli_fall_day`) count a run in which the event
never happened as the horizon (a restricted mean), yes/no outcomes become shares of runs, and
`end_state=NAME` is the share of runs ending in that end state.

Python use (e.g. in a notebook)::

    from libyasim.scenario import load_scenario
    from libyasim.sweep import sensitivity, sensitivity_figure
    df = sensitivity(load_scenario("scenarios/baseline.toml"),
                     {"truce.spoiler_rate": (0.0, 0.2), "arms.embargo_enforcement": (0.0, 0.8)},
                     outcomes=["truce_days", "conflict_deaths"], method="sobol",
                     samples=64, runs=10, seed=1)
    sensitivity_figure(df).savefig("sobol.png")
"""

from __future__ import annotations

import itertools
import tempfile
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import folders
from libyasim import outcomes as registry
from libyasim.arguments import MAX_RUNS
from libyasim.ensemble import Backend, load_results, run_points
from libyasim.files import atomic_write, atomic_write_text
from libyasim.params import PARAMS
from libyasim.scenario import Scenario, ScenarioError, _unknown_key_message

Ranges = Mapping[str, tuple[float, float]]
DEFAULT_OUTCOMES = ("truce_days", "violations_total", "conflict_deaths", "civilian_deaths",
                    "gna_population_share", "end_state=lna_takes_tripoli")
# an outcome whose point means vary less than this (relative to their mean) has nothing to
# attribute: sensitivity skips it with a message
MIN_RELATIVE_SPREAD = 1e-6
MIN_ODD_SHARE = 0.02  # fewer runs than this away from the most common value: nothing to explain
# A design is big enough for its indices when their 95% intervals are at most this wide (half
# width; Sobol indices are shares of variance, 0 to 1) and they lie within [0, 1].
MAX_SOBOL_CONF = 0.1
MIN_MORRIS_TRAJECTORIES = 10
MAX_MORRIS_RELATIVE_CONF = 0.5  # half-width of mu_star's interval, relative to mu_star
SWEEP_FILES = ("sweep.csv", "sweep.png")
SENSITIVITY_FILES = ("sensitivity.csv", "findings.txt", "sensitivity.png")


# ---------------------------------------------------------------------------- parameters
def check_ranges(params: Ranges) -> dict[str, tuple[float, float]]:
    """Validate sweep ranges: known, settable, numeric parameters with LOW < HIGH in range."""
    if not params:
        raise ScenarioError("--param", None, "no parameter given; expected NAME=LOW:HIGH")
    out = {}
    for name, (low, high) in params.items():
        param = PARAMS.get(name)
        if param is None:
            raise ScenarioError("--param", name, _unknown_key_message(name))
        if param.fixed or param.type not in (int, float):
            kind = {bool: "a switch (true/false)", str: "a text"}.get(param.type, "a date")
            if param.fixed:
                kind = "fixed"
            raise ScenarioError("--param", name, f"is {kind}; expected a numeric parameter "
                                "(a number or a whole number) to sweep")
        if not low < high:
            raise ScenarioError("--param", name, f"got {low:g}:{high:g}; expected LOW < HIGH")
        if (param.low is not None and low < param.low) or (
                param.high is not None and high > param.high):
            raise ScenarioError("--param", name, f"got {low:g}:{high:g}; expected a range within "
                                f"{param.describe_expected()}")
        out[name] = (float(low), float(high))
    return out


def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """`NAME=LOW:HIGH` -> (NAME, (LOW, HIGH)); a bare `NAME` takes its prior range from the
    registry (the range calibration and `run --prior` draw from)."""
    name, _, bounds = text.partition("=")
    if not bounds and name.strip() in PARAMS and PARAMS[name.strip()].prior is not None:
        low_, high_ = PARAMS[name.strip()].prior  # type: ignore[misc]
        return name.strip(), (float(low_), float(high_))
    low, sep, high = bounds.partition(":")
    try:
        if not (name and sep):
            raise ValueError
        return name.strip(), (float(low), float(high))
    except ValueError:
        raise ScenarioError("--param", None, f"got {text!r}; expected NAME=LOW:HIGH, "
                            "e.g. truce.spoiler_rate=0.02:0.2") from None


def _overrides(names: Sequence[str], row: Sequence[float]) -> dict[str, Any]:
    """A design row as scenario overrides: whole-number parameters rounded."""
    return {n: int(round(v)) if PARAMS[n].type is int else float(v) for n, v in zip(names, row)}


# ---------------------------------------------------------------------------- designs
def design_points(params: Ranges, design: str = "factorial", levels: int = 3,
                  samples: int = 16, seed: int = 0) -> pd.DataFrame:
    """Design points, one row each: a full factorial of `levels` evenly spaced values per
    parameter, or a Latin hypercube of `samples` points. Whole-number parameters are rounded
    (duplicate factorial points dropped)."""
    params = check_ranges(params)
    names = list(params)
    check_budget(levels ** len(names) if design == "factorial" else samples, 1, "--levels"
                 if design == "factorial" else "--samples")
    if design == "factorial":
        axes = [np.linspace(low, high, levels) for low, high in params.values()]
        rows = [_overrides(names, combo) for combo in itertools.product(*axes)]
        return pd.DataFrame(rows, columns=names).drop_duplicates(ignore_index=True)
    if design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), seed=seed).random(samples)
        lows, highs = np.array(list(params.values())).T
        return pd.DataFrame([_overrides(names, r) for r in qmc.scale(unit, lows, highs)],
                            columns=names)
    raise ScenarioError("--design", None, f"got {design!r}; expected 'factorial' or 'lhs'")


# ---------------------------------------------------------------------------- outcomes
def outcome_values(runs: pd.DataFrame, outcome: str, horizon: int) -> pd.Series:
    """One number per run for `outcome`, by the outcome registry's rules (`outcomes.values`):
    day outcomes count a run in which the event never happened as the horizon, truce_days
    counts from the truce's start, events are 0/1, `end_state=NAME` is 0/1."""
    try:
        return registry.values(runs, outcome, horizon)
    except KeyError as exc:
        raise ScenarioError("--outcome", outcome, f"{exc.args[0]}; numeric outcomes: "
                            f"{', '.join(registry.numeric_names())}, or end_state=NAME"
                            ) from None


def point_table(runs: pd.DataFrame, points: pd.DataFrame, outcomes: Sequence[str],
                horizon: int) -> pd.DataFrame:
    """Per design point: its parameter values, the number of runs, and for each outcome the
    mean over runs and the half-width of its 95% confidence interval (`OUTCOME_ci`)."""
    table = points.copy()
    table.insert(0, "point", range(len(points)))
    grouped = runs.groupby("point")
    table["runs"] = grouped.size().reindex(table["point"]).to_numpy()
    for outcome in outcomes:
        stats = outcome_values(runs, outcome, horizon).groupby(runs["point"]).agg(
            ["mean", "std", "count"]).reindex(table["point"])
        table[outcome] = stats["mean"].to_numpy()
        table[f"{outcome}_ci"] = (1.96 * stats["std"].fillna(0.0)
                                  / np.sqrt(stats["count"])).to_numpy()
    return table


def check_budget(points: int, runs: int, asked: str = "--samples") -> None:
    """Refuse, before any work, a design of more than MAX_RUNS runs in all."""
    if points * runs > MAX_RUNS:
        raise ScenarioError(asked, None, f"{points:,} design points x {runs:,} runs = "
                            f"{points * runs:,} runs; expected at most {MAX_RUNS:,}: fewer "
                            "points (--samples, --levels, --param) or --runs")


def _records(points: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in points.to_dict("records")]


def claim(out: Path, scenario: Scenario, points: pd.DataFrame, runs: int, seed: int,
          derived: Sequence[str], force: bool) -> bool:
    """Make `out` the design's runs folder by the folder rule (see `folders`): other results
    or files refused unless `force`; files derived from other runs removed. True when `out`
    already holds the design's runs, complete."""
    identity = {"scenario": scenario.to_json(), "root_seed": seed, "runs": runs,
                "shard": None, "points": _records(points)}
    return folders.claim(out, identity, force, derived, with_series=False)


def _run_design(scenario: Scenario, points: pd.DataFrame, out: Path, runs: int, seed: int,
                **engine: Any) -> pd.DataFrame:
    run_points(scenario, _records(points), out, runs=runs, seed=seed, **engine)
    return load_results(out)[0]


# ---------------------------------------------------------------------------- sweeps
def sweep(scenario: Scenario, params: Ranges, out: str | Path, design: str = "factorial",
          levels: int = 3, samples: int = 16, runs: int = 20, seed: int | None = None,
          outcomes: Sequence[str] = DEFAULT_OUTCOMES, workers: int | None = None,
          backend: Backend | None = None, progress: bool = True,
          force: bool = False) -> pd.DataFrame:
    """Run `runs` runs at each point of a design over `params` ({name: (low, high)}).

    Writes `out/runs.parquet` (every run, with its `point`), `out/sweep.csv` (the per-point
    table of `point_table`) and `out/sweep.png`; returns the per-point table. The runs of the
    same design already in `out` are reused (an interrupted sweep is completed); a folder
    holding other results or files is refused unless `force` (see `folders`).
    """
    seed = scenario["scenario.seed"] if seed is None else seed
    out = Path(out)
    points = design_points(params, design, levels, samples, seed)
    check_budget(len(points), runs, "--runs")
    claim(out, scenario, points, runs, seed, SWEEP_FILES, force)
    runs_df = _run_design(scenario, points, out, runs, seed, workers=workers, backend=backend,
                          resume="auto", progress=progress)
    table = point_table(runs_df, points, outcomes, scenario["scenario.horizon_days"])
    atomic_write(out / "sweep.csv", lambda path: table.to_csv(path, index=False))
    save_figure(sweep_figure(table, list(points.columns), outcomes), out / "sweep.png")
    return table


def save_figure(fig: Any, path: Path) -> None:
    """Save a figure as PNG whole or not at all, and close it."""
    import matplotlib.pyplot as plt

    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    finally:
        plt.close(fig)


def sweep_figure(table: pd.DataFrame, params: Sequence[str], outcomes: Sequence[str]):
    """Outcome means (95% CI bars) against each swept parameter: one panel per pair; in a
    factorial design the line is the mean over the other parameters at each value."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(outcomes), len(params), squeeze=False,
                             figsize=(4.2 * len(params), 2.6 * len(outcomes) + 0.6))
    for i, outcome in enumerate(outcomes):
        for j, param in enumerate(params):
            ax = axes[i, j]
            ax.errorbar(table[param], table[outcome], yerr=table[f"{outcome}_ci"], fmt="o",
                        ms=4, alpha=0.6, capsize=2, label="design point (95% CI)")
            if table[param].nunique() < len(table):
                marginal = table.groupby(param)[outcome].mean()
                ax.plot(marginal.index, marginal.to_numpy(), "-", color="C3",
                        label="mean over other parameters")
            ax.set_xlabel(param)
            ax.set_ylabel(textwrap.fill(_label(outcome), 32), fontsize=8)
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"Parameter sweep: {len(table)} design points, {int(table['runs'].iloc[0])} "
                 "runs each")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def _label(outcome: str) -> str:
    return registry.label(outcome)


# ---------------------------------------------------------------------------- sensitivity
def sensitivity(scenario: Scenario, params: Ranges, outcomes: Sequence[str],
                method: str = "sobol", samples: int = 64, runs: int = 10,
                seed: int | None = None, out: str | Path | None = None,
                workers: int | None = None, backend: Backend | None = None,
                progress: bool = False, force: bool = False) -> pd.DataFrame:
    """Global sensitivity indices of outcome means to `params` ({name: (low, high)}).

    Args:
        scenario: the scenario whose other parameters stay fixed.
        params: the parameters varied, each uniformly over (low, high); whole numbers rounded.
        outcomes: run outcomes (columns of runs.parquet, or `end_state=NAME`), averaged over
            `runs` runs per design point.
        method: "sobol" (Saltelli sampling, first-order S1 and total ST indices; `samples`
            must be a power of 2; samples * (len(params) + 2) points) or "morris" (elementary
            effects, mu_star and sigma; `samples` trajectories, samples * (len(params) + 1)
            points).
        seed: root seed of the runs and of the sampling (default: the scenario's).
        out: folder of the analysis; its runs are kept in `out/runs`: run again with the same
            settings, the finished runs there are reused (and an interrupted design
            completed). A folder holding other results or files is refused unless `force`.
            A temporary folder when None.

    Returns:
        One row per outcome, parameter and index, with columns `outcome`, `param`, `method`,
        `index` ("S1", "ST" or "mu_star", "sigma"), `value`, `conf` (half-width of the 95%
        bootstrap interval; NaN where SALib gives none), `reliable` (False when the design is
        too small for the outcome's indices: `attrs["warnings"]` says the size needed).
    """
    from libyasim.extras import require

    require("SALib", "sensitivity", "sensitivity analysis")
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    params = check_ranges(params)
    seed = scenario["scenario.seed"] if seed is None else seed
    sample_seed = seed % 2**32
    names = list(params)
    problem = {"num_vars": len(params), "names": names, "bounds": list(params.values())}
    if method == "sobol":
        if samples < 2 or samples & (samples - 1):
            raise ScenarioError("--samples", None, f"got {samples}; expected a power of 2 "
                                "(e.g. 64) for Sobol sampling")
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=sample_seed)
    elif method == "morris":
        x = morris_sample.sample(problem, samples, num_levels=4, seed=sample_seed)
    else:
        raise ScenarioError("--method", None, f"got {method!r}; expected 'sobol' or 'morris'")
    points = pd.DataFrame([_overrides(names, row) for row in x], columns=names)
    check_budget(len(points), runs, "--runs")
    with tempfile.TemporaryDirectory(prefix="libyasim-sa-") as tmp:
        folder = Path(out or tmp)
        folders.usable_folder(folder)
        folders.refuse_foreign(folder, ("runs", *SENSITIVITY_FILES), force)
        if not claim(folder / "runs", scenario, points, runs, seed, (), force):
            folders.remove_derived(folder, SENSITIVITY_FILES)
        runs_df = _run_design(scenario, points, folder / "runs", runs, seed, workers=workers,
                              backend=backend, progress=progress, resume="auto")
    table = point_table(runs_df, points, outcomes, scenario["scenario.horizon_days"])
    rows, skipped, warned = [], {}, []
    for outcome in outcomes:
        y = table[outcome].to_numpy(float)
        per_run = outcome_values(runs_df, outcome, scenario["scenario.horizon_days"])
        reason = _nothing_to_attribute(y, per_run.to_numpy(float))
        if reason:
            skipped[outcome] = reason
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if method == "sobol":
                res = sobol_analyze.analyze(problem, y, calc_second_order=False,
                                            conf_level=0.95, seed=sample_seed)
                pairs: tuple[tuple[str, str | None], ...] = (("S1", "S1_conf"), ("ST", "ST_conf"))
            else:
                res = morris_analyze.analyze(problem, x, y, conf_level=0.95, num_levels=4,
                                             seed=sample_seed)
                pairs = (("mu_star", "mu_star_conf"), ("sigma", None))
        found = [{"outcome": outcome, "param": name, "method": method, "index": index,
                  "value": float(res[index][k]), "conf": float(res[conf][k]) if conf else np.nan}
                 for k, name in enumerate(names) for index, conf in pairs]
        warning = design_warning(pd.DataFrame(found), samples)
        if warning:
            warned.append(f"{outcome}: {warning}")
        rows += [{**row, "reliable": not warning} for row in found]
    df = pd.DataFrame(rows, columns=[*COLUMNS, "reliable"])
    df.attrs["skipped"] = skipped
    df.attrs["warnings"] = warned
    return df


COLUMNS = ["outcome", "param", "method", "index", "value", "conf"]


def design_warning(found: pd.DataFrame, samples: int) -> str:
    """Why a design is too small for one outcome's indices, with the size needed; "" when it
    is big enough. Sobol: indices outside [0, 1] or intervals wider than +/-MAX_SOBOL_CONF
    (their half-width shrinks as 1/sqrt(samples)). Morris: fewer than MIN_MORRIS_TRAJECTORIES
    trajectories, or mu_star intervals wider than MAX_MORRIS_RELATIVE_CONF of mu_star."""
    if found["method"].iloc[0] == "sobol":
        values, conf = found["value"].to_numpy(float), found["conf"].to_numpy(float)
        worst = float(np.nanmax(np.abs(conf))) if np.isfinite(conf).any() else np.inf
        outside = bool(((values < -MAX_SOBOL_CONF) | (values > 1 + MAX_SOBOL_CONF)).any())
        if worst <= MAX_SOBOL_CONF and not outside:
            return ""
        grow = max((worst / MAX_SOBOL_CONF) ** 2 if np.isfinite(worst) else 4.0, 2.0)
        needed = 1 << int(np.ceil(np.log2(samples * grow)))
        what = "indices outside [0, 1]" if outside else "wide intervals"
        return (f"the Sobol design is too small ({what}; 95% intervals up to +/-{worst:.2g}): "
                f"these are not shares of variance yet; about --samples {needed} needed for "
                f"intervals of +/-{MAX_SOBOL_CONF}")
    mu = found[found["index"] == "mu_star"]
    relative = (mu["conf"] / mu["value"].where(mu["value"] > 0)).to_numpy(float)
    worst = float(np.nanmax(relative)) if np.isfinite(relative).any() else 0.0
    if samples >= MIN_MORRIS_TRAJECTORIES and worst <= MAX_MORRIS_RELATIVE_CONF:
        return ""
    grow = max((worst / MAX_MORRIS_RELATIVE_CONF) ** 2, MIN_MORRIS_TRAJECTORIES / samples, 1.0)
    needed = int(np.ceil(samples * grow))
    return (f"the Morris design is too small ({samples} trajectories, mu* intervals up to "
            f"{worst:.0%} of mu*): about --samples {needed} needed")


def save_sensitivity(table: pd.DataFrame, out: Path) -> list[str]:
    """Write sensitivity.csv, findings.txt and (when there are indices) sensitivity.png into
    `out`, each whole or not at all; return the names written."""
    atomic_write(out / "sensitivity.csv", lambda path: table.to_csv(path, index=False))
    atomic_write_text("\n".join(findings(table)) + "\n", out / "findings.txt")
    if table.empty:
        return ["sensitivity.csv", "findings.txt"]
    save_figure(sensitivity_figure(table), out / "sensitivity.png")
    return list(SENSITIVITY_FILES)


def _nothing_to_attribute(means: np.ndarray, per_run: np.ndarray) -> str:
    """Why an outcome carries (next to) no variance to attribute, or "" when it does: its mean
    is the same at every design point, or nearly every run (all points together) gives the same
    value, as a share that is 1 in almost every run."""
    per_run = per_run[np.isfinite(per_run)]
    if not len(per_run) or not np.all(np.isfinite(means)) or np.ptp(means) <= (
            MIN_RELATIVE_SPREAD * max(1.0, float(np.abs(means).mean()))):
        value = f" ({means[0]:.3g})" if len(means) and np.isfinite(means[0]) else ""
        return (f"skipped: its mean is the same{value} at every design point; no parameter "
                "in these ranges changes it")
    values, counts = np.unique(per_run, return_counts=True)
    common = counts.max() / len(per_run)
    if common >= 1.0 - MIN_ODD_SHARE:
        return (f"skipped: {common:.1%} of all runs give the same value "
                f"({values[counts.argmax()]:.3g}); too little variance to attribute to "
                "parameters")
    return ""


def drivers(df: pd.DataFrame, outcome: str, index: str | None = None) -> list[str]:
    """The parameters that stand out for `outcome`: the smallest top group (by `index`, default
    ST for Sobol, mu_star for Morris) whose 95% intervals all lie above every other parameter's
    interval and above zero. Empty when the intervals overlap: no driver can be named."""
    sub = df[df["outcome"] == outcome]
    if sub.empty or ("reliable" in sub and not sub["reliable"].all()):
        return []
    index = index or ("ST" if sub["method"].iloc[0] == "sobol" else "mu_star")
    sub = sub[sub["index"] == index].sort_values("value", ascending=False)
    conf = sub["conf"].fillna(0.0).to_numpy(float)
    low, high = sub["value"].to_numpy(float) - conf, sub["value"].to_numpy(float) + conf
    for k in range(1, len(sub)):
        if low[:k].min() > max(high[k:].max(), 0.0):
            return sub["param"].iloc[:k].tolist()
    return []


def findings(df: pd.DataFrame) -> list[str]:
    """Plain sentences of what a sensitivity table supports, one per outcome (skipped ones
    included)."""
    lines = [f"{outcome}: {why}" for outcome, why in df.attrs.get("skipped", {}).items()]
    for outcome in dict.fromkeys(df["outcome"]):
        named = drivers(df, outcome)
        warning = next((w.split(": ", 1)[1] for w in df.attrs.get("warnings", [])
                        if w.startswith(f"{outcome}: ")), "")
        if warning:
            lines.append(f"{outcome}: no driver can be named: {warning}")
        elif named:
            lines.append(f"{outcome}: driven by {', '.join(named)} (their 95% intervals lie "
                         "above all the others')")
        else:
            lines.append(f"{outcome}: no parameter stands out; the 95% intervals overlap, so "
                         "no ranking of these parameters is supported")
    return lines


def sensitivity_figure(df: pd.DataFrame):
    """Bar chart of sensitivity indices with their 95% intervals, one panel per outcome."""
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(df["outcome"]))
    params = list(dict.fromkeys(df["param"]))
    indexes = list(dict.fromkeys(df["index"]))
    method = df["method"].iloc[0]
    fig, axes = plt.subplots(1, len(outcomes), squeeze=False,
                             figsize=(4.6 * len(outcomes), 1.0 + 0.6 * len(params) * len(indexes)))
    height = 0.8 / len(indexes)
    pos = np.arange(len(params))
    for ax, outcome in zip(axes[0], outcomes):
        sub = df[df["outcome"] == outcome].set_index(["index", "param"])
        for k, index in enumerate(indexes):
            values = sub.loc[index].reindex(params)
            conf = values["conf"].to_numpy(float)
            ax.barh(pos + (k - (len(indexes) - 1) / 2) * height, values["value"], height,
                    xerr=None if np.isnan(conf).all() else np.nan_to_num(conf),
                    capsize=3, label=_INDEX_LABELS.get(index, index), color=f"C{k}")
        ax.set_ylim(len(params) - 0.5, -0.5)
        ax.set_yticks(pos, params, fontsize=8)
        ax.axvline(0, color="black", lw=0.6)
        named = drivers(df, outcome)
        reliable = bool(sub["reliable"].all()) if "reliable" in sub else True
        verdict = (f"driven by {', '.join(named)}" if named
                   else "intervals overlap: no driver can be named" if reliable
                   else "design too small: no driver can be named")
        ax.set_title(f"{_label(outcome)}\n{verdict}", fontsize=9)
        ax.set_xlabel(("Sobol index (share of variance)" if reliable else
                       "Sobol index\n(design too small: not a share of variance)")
                      if method == "sobol" else "Morris elementary effect (outcome units)")
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(indexes), fontsize=8)
    fig.suptitle(f"Global sensitivity ({method.capitalize()}); black bars: 95% confidence "
                 "intervals")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


_INDEX_LABELS = {"S1": "first-order S1", "ST": "total-order ST",
                 "mu_star": "\u03bc* (mean |effect|)", "sigma": "\u03c3 (interactions)"}
