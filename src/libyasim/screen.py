"""Which assumptions matter to a fit: a Morris screen of every prior range (SALib).

Before fitting, `libyasim calibrate SCENARIO --until DATE --screen --out DIR` varies every
numeric assumption with a prior range (`calibrate.priors_for`), except those the scenario file
sets itself (its situation, not the shared mechanisms), over its whole range by Morris's
elementary effects (Morris 1991, with Campolongo et al. 2007's mu*), and measures each one's
effect on the calibration statistics: the statistics `calibrate` fits (`calibrate.Simulator`,
censored at floors), of the observations `calibrate --until DATE` would read, each divided by
the fit's scale for it (`calibrate.scale`), so that an effect of 1 moves a statistic by one unit
of the ABC distance.

- Each design point is the mean of `runs` runs; the runs of one trajectory share their seeds
  (common random numbers), so an elementary effect compares like with like.
- `N_DUMMIES` dummy parameters, which the model never reads, are screened with the others;
  their levels pick the runs' seeds, so each one's mu* is what the runs' randomness alone
  produces, and their median effect is the noise floor (an upper bound, since the others'
  steps keep the seeds; the median, because a seed that flips a capture in one trajectory
  can give one dummy twice the others' effect). One dummy gave a floor that moved by a
  factor of two from one seed of the design to the next (1.05 to 2.03 on the 2019 war), and
  with it the number of parameters chosen (21 to 30).
- A parameter's `effect` is the Euclidean norm, over the statistics, of its scaled mu*: how
  far one step of it moves the fit's distance. `sigma` the same over the scaled sigmas
  (non-linearity and interactions).
- **The rule**: a parameter matters when its effect is at least `NOISE_FACTOR` times the
  noise floor, ranked by effect, or when it **decides a yes/no fact** (`decisive`): one step
  of it flips that fact in at least `DECISIVE_SHARE` of the runs, and `NOISE_FACTOR` times as
  often as the dummies do (their median: the same rule, applied to that fact alone). A yes/no
  fact moves the distance by at most 1, so the norm never sees a parameter that moves only
  such a fact while noisy counts set the floor (on the 2019 war, `economy.blockade_rate` and
  the terminals that stayed open: mu* 1.00 against the dummies' 0.17, a norm of about 1
  against a floor of 2.4). Decisive parameters come first, then the others by effect, at most
  `MAX_CHOSEN` in all. `calibrate --params-from DIR` fits exactly those.

Outputs in DIR: screen.csv (one row per parameter and statistic: mu*, its 95% bootstrap
interval, sigma, scaled), screen.json (the ranking, the rule, the chosen parameters, the
observations, the budget and time), screen.png (ranked mu* and sigma, the chosen named).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import folders
from libyasim.calibrate import (
    CalibrationError,
    Prior,
    Simulator,
    priors_for,
    run_points,
    scale,
    training_set,
)
from libyasim.files import atomic_write, atomic_write_text
from libyasim.observations import BINARY_KINDS, Observation, load_observations
from libyasim.scenario import Scenario, load_scenario

SCREEN_CSV, SCREEN_JSON, SCREEN_PLOT = "screen.csv", "screen.json", "screen.png"
N_DUMMIES = 5  # parameters read by nothing: their median effect is the noise floor
DUMMIES = tuple(f"(dummy {k}: read by nothing)" for k in range(1, N_DUMMIES + 1))
NOISE_FACTOR = 1.5  # an effect half as large again as the noise floor is more than noise
MAX_CHOSEN = 30  # at most this many parameters are fitted
DECISIVE_SHARE = 0.25  # one step flips the yes/no fact in a quarter of the runs
# with 20, the parameters chosen and the forecast fitted on them moved with the design's seed
# (skill against climatology -0.24 to -0.77); with 60, -0.28 to -0.44 (docs/calibration.md)
DEFAULT_TRAJECTORIES = 60
DEFAULT_RUNS = 4
LEVELS = 4


def screened_priors(scenario: Scenario) -> tuple[list[Prior], list[str]]:
    """Every numeric assumption with a prior range that the scenario leaves at the registry's
    value (what it sets itself is its situation); and why the others are left out."""
    priors, skipped = priors_for(None)
    own = [p for p in priors if p.name in scenario.overrides]
    skipped += [f"{p.name}: set by the scenario file (its situation, not a shared mechanism)"
                for p in own]
    return [p for p in priors if p.name not in scenario.overrides], skipped


def _seeds(root: int, trajectory: int, dummies: np.ndarray, runs: int) -> list[int]:
    """The runs' seeds of a design point: shared along a trajectory (common random numbers),
    except that the dummies' levels pick them, so that a step of a dummy is a step of the
    runs' randomness alone and its mu* measures the noise."""
    levels = [int(round(u * (LEVELS - 1))) for u in dummies]
    rng = np.random.default_rng(np.random.SeedSequence([root % 2**63, trajectory, *levels]))
    return [int(s) for s in rng.integers(0, 2**62, size=runs)]


def _design(priors: Sequence[Prior], trajectories: int, seed: int) -> np.ndarray:
    """Morris trajectories on the unit cube (one column per prior, then the dummies)."""
    from SALib.sample import morris as morris_sample

    problem = _problem(priors)
    return morris_sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed % 2**32)


def _problem(priors: Sequence[Prior]) -> dict[str, Any]:
    names = [p.name for p in priors] + list(DUMMIES)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def screen(scenario_path: str | Path, until: dt.date, out: str | Path,
           observations_file: str | Path | None = None,
           trajectories: int = DEFAULT_TRAJECTORIES, runs: int = DEFAULT_RUNS,
           workers: int = 1, seed: int | None = None, force: bool = False,
           progress: bool = True) -> dict[str, Any]:
    """Screen every prior range against the calibration statistics up to `until`; write
    screen.csv, screen.json and screen.png into `out`; return screen.json's content."""
    from libyasim.extras import require

    require("SALib", "sensitivity", "the Morris screen")
    started = time.monotonic()
    out = Path(out)
    folders.usable_folder(out)
    folders.refuse_foreign(out, (SCREEN_CSV, SCREEN_JSON, SCREEN_PLOT), force)
    if (out / SCREEN_JSON).exists() and not force:
        raise CalibrationError(f"{out} holds a screen; use --force to replace it, or another "
                               "--out")
    scenario = load_scenario(scenario_path)
    seed = scenario["scenario.seed"] if seed is None else seed
    priors, not_screened = screened_priors(scenario)
    used, left = training_set(load_observations(observations_file), scenario, until)
    simulator = Simulator(scenario, priors, used, until)
    x = _design(priors, trajectories, seed)
    points = [{p.name: p.at(u) for p, u in zip(priors, row)} for row in x]
    per_trajectory = len(priors) + N_DUMMIES + 1
    seeds = [_seeds(seed, i // per_trajectory, row[-N_DUMMIES:], runs)
             for i, row in enumerate(x)]
    y = np.asarray(run_points(simulator, points, seeds, workers, progress, "screen"))
    table = _analyse(priors, used, x, y, seed)
    ranking = _rank(table)
    yes_no = [o.name for o in used if o.kind in BINARY_KINDS]
    chosen = choose(ranking, table, yes_no)
    elapsed = time.monotonic() - started
    summary = {
        "method": f"Morris elementary effects (SALib), {trajectories} trajectories of "
                  f"{per_trajectory} points on {LEVELS} levels, {runs} runs per point with "
                  "common random numbers along each trajectory; effects scaled by the fit's "
                  "scale for each statistic",
        "scenario": str(scenario_path), "cutoff": until.isoformat(),
        "observations_used": [{"name": o.name, "scale": scale(o)} for o in used],
        "observations_not_used": left,
        "parameters_screened": len(priors), "parameters_not_screened": not_screened,
        "design_points": len(x), "simulations": len(x) * runs, "seed": seed,
        "rule": f"effect at least {NOISE_FACTOR:g} x the noise floor, the median of "
                f"{N_DUMMIES} dummy parameters' "
                f"({NOISE_FACTOR * _noise_floor(ranking):.3g}), ranked by effect, after the "
                f"parameters that decide a yes/no fact (mu* on it at least {DECISIVE_SHARE:g} "
                f"and {NOISE_FACTOR:g} x the dummies' median mu* on it); at most "
                f"{MAX_CHOSEN}",
        "noise_floor": _noise_floor(ranking),
        "decisive": decisive(table, yes_no),
        "chosen": chosen,
        "ranking": ranking.to_dict(orient="records"),
        "elapsed_seconds": round(elapsed, 1), "workers": workers,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    atomic_write(out / SCREEN_CSV, lambda p: table.to_csv(p, index=False))
    atomic_write_text(json.dumps(summary, indent=1), out / SCREEN_JSON)
    fig = figure(ranking, chosen, summary)
    atomic_write(out / SCREEN_PLOT, lambda p: fig.savefig(p, dpi=100, format="png"))
    import matplotlib.pyplot as plt

    plt.close(fig)
    return summary


def _analyse(priors: Sequence[Prior], used: Sequence[Observation], x: np.ndarray,
             y: np.ndarray, seed: int) -> pd.DataFrame:
    """Morris indices of every parameter for every statistic, scaled by the fit's scales."""
    from SALib.analyze import morris as morris_analyze

    problem = _problem(priors)
    rows = []
    for j, obs in enumerate(used):
        values = y[:, j] / scale(obs)
        if np.ptp(values) == 0:
            continue  # the statistic never moves (e.g. set by the scenario alone)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = morris_analyze.analyze(problem, x, values, conf_level=0.95,
                                         num_levels=LEVELS, seed=seed % 2**32)
        rows += [{"param": name, "statistic": obs.name, "mu_star": float(res["mu_star"][k]),
                  "mu_star_conf": float(res["mu_star_conf"][k]),
                  "sigma": float(res["sigma"][k])} for k, name in enumerate(problem["names"])]
    return pd.DataFrame(rows, columns=["param", "statistic", "mu_star", "mu_star_conf", "sigma"])


def _rank(table: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: effect (norm of scaled mu*), sigma (norm of scaled sigma), the
    statistic it moves most; highest effect first."""
    rows = []
    for param, group in table.groupby("param", sort=False):
        top = group["statistic"].to_numpy()[int(np.argmax(group["mu_star"].to_numpy()))]
        rows.append({"param": param, "effect": float(np.sqrt(np.sum(group["mu_star"] ** 2))),
                     "sigma": float(np.sqrt(np.sum(group["sigma"] ** 2))),
                     "moves_most": str(top)})
    ranked = pd.DataFrame(rows, columns=["param", "effect", "sigma", "moves_most"])
    return ranked.sort_values("effect", ascending=False, ignore_index=True)


def _noise_floor(ranking: pd.DataFrame) -> float:
    """The noise floor: the dummies' median effect."""
    return float(ranking.loc[ranking["param"].isin(DUMMIES), "effect"].median())


def decisive(table: pd.DataFrame, yes_no: Sequence[str]) -> dict[str, str]:
    """Parameters that decide a yes/no fact, each with the fact, strongest first: one step
    flips it in at least DECISIVE_SHARE of the runs and NOISE_FACTOR x as often as the
    dummies' median."""
    facts = table[table["statistic"].isin(list(yes_no))]
    floors = facts[facts["param"].isin(DUMMIES)].groupby("statistic")["mu_star"].median()
    rows = facts[~facts["param"].isin(DUMMIES)].join(floors.rename("floor"), on="statistic")
    hits = rows[(rows["mu_star"] >= DECISIVE_SHARE)
                & (rows["mu_star"] >= NOISE_FACTOR * rows["floor"])]
    best = hits.sort_values("mu_star", ascending=False).drop_duplicates("param")
    return {str(p): str(s) for p, s in zip(best["param"], best["statistic"])}


def choose(ranking: pd.DataFrame, table: pd.DataFrame, yes_no: Sequence[str] = ()
           ) -> list[str]:
    """The parameters that matter: those that decide a yes/no fact (`decisive`), then those
    whose effect is at least NOISE_FACTOR x the noise floor, highest effect first; at most
    MAX_CHOSEN."""
    floor = NOISE_FACTOR * _noise_floor(ranking)
    above = ranking[(ranking["effect"] >= floor) & ~ranking["param"].isin(DUMMIES)]
    first = list(decisive(table, yes_no))
    return (first + [str(p) for p in above["param"] if p not in first])[:MAX_CHOSEN]


def chosen_parameters(folder: str | Path) -> list[str]:
    """The parameters a screen in `folder` chose (for `calibrate --params-from`)."""
    path = Path(folder) / SCREEN_JSON
    try:
        chosen = json.loads(path.read_text())["chosen"]
    except (OSError, ValueError, KeyError):
        raise CalibrationError(f"{path}: no screen found; expected a folder written by "
                               "`libyasim calibrate --screen`") from None
    if not chosen:
        raise CalibrationError(f"{path}: the screen found no parameter above its noise floor")
    return [str(name) for name in chosen]


def parameters_to_fit(named: Sequence[str] | None, screen_folder: str | Path | None
                      ) -> list[str] | None:
    """`--params-from SCREEN` and `--params NAME ...` together (None: every prior range)."""
    if not screen_folder:
        return list(named) if named else None
    return [*chosen_parameters(screen_folder), *(named or [])]


def figure(ranking: pd.DataFrame, chosen: Sequence[str], summary: dict[str, Any]):
    """Left: the 40 largest effects (mu*) with sigma, chosen ones in colour, the noise floor;
    right: effect against sigma for every parameter that moved anything."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen_set = set(chosen)
    top = ranking[(ranking.index < 40) | ranking["param"].isin(chosen_set)]
    floor = NOISE_FACTOR * summary["noise_floor"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(16, 10), layout="constrained",
                                      gridspec_kw={"width_ratios": [1.1, 1]})
    pos = np.arange(len(top))
    colours = ["#3182bd" if p in chosen_set else "#d62728" if p in DUMMIES else "#bdbdbd"
               for p in top["param"]]
    left.barh(pos - 0.2, top["effect"], 0.4, color=colours)
    left.barh(pos + 0.2, top["sigma"], 0.4, color="none", edgecolor="black", lw=0.6)
    left.axvline(floor, color="#d62728", ls="--", lw=1)
    left.set_yticks(pos, top["param"], fontsize=7)
    left.set_ylim(len(top) - 0.5, -0.5)
    left.set_xlabel("effect on the ABC distance (norm over statistics of scaled Morris mu*)")
    left.set_title(f"The 40 largest of {len(ranking) - N_DUMMIES} parameters (and any "
                   f"chosen below them), with the {N_DUMMIES} dummies")
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    left.legend(handles=[
        Patch(color="#3182bd", label=f"chosen for the fit ({len(chosen)})"),
        Patch(color="#bdbdbd", label="not chosen"),
        Patch(color="#d62728", label="dummy parameters (noise)"),
        Patch(facecolor="none", edgecolor="black", label="sigma (non-linearity, interactions)"),
        Line2D([], [], color="#d62728", ls="--",
               label=f"rule: {NOISE_FACTOR:g} x the dummies' median effect (or the "
                     "parameter decides a yes/no fact)"),
    ], fontsize=8, loc="lower right")
    left.grid(axis="x", alpha=0.3)
    mask = ranking["param"].isin(chosen_set)
    shown = ranking[ranking["effect"] > 0.01]  # parameters that never moved anything left out
    right.scatter(shown.loc[~mask, "effect"], shown.loc[~mask, "sigma"], s=12,
                  color="#bdbdbd", label="not chosen")
    right.scatter(shown.loc[mask, "effect"], shown.loc[mask, "sigma"], s=18,
                  color="#3182bd", label="chosen")
    dummy = ranking[ranking["param"].isin(DUMMIES)]
    right.scatter(dummy["effect"], dummy["sigma"], marker="x", color="#d62728", s=50,
                  label="dummy (noise)")
    right.axvline(floor, color="#d62728", ls="--", lw=1, label="rule")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("effect (norm of scaled mu*, log scale)")
    right.set_ylabel("sigma (norm of scaled sigma, log scale)")
    right.set_title(f"effect against sigma (chosen ones named on the left;\n"
                    f"{len(ranking) - len(shown)} parameters with no effect left out)")
    right.legend(fontsize=8, loc="lower right")
    right.grid(alpha=0.3)
    fig.suptitle(f"Morris screen of {summary['parameters_screened']} prior ranges against "
                 f"{len(summary['observations_used'])} calibration statistics "
                 f"({summary['scenario']}, up to {summary['cutoff']}; "
                 f"{summary['simulations']:,} runs)")
    return fig
