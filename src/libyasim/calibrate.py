"""Fit a scenario's assumption parameters to what was known by a date: ABC-SMC with pyabc.

Only observations whose window ends on or before `until` AND that were published by then
(`known_on <= until`) are read; every other row of the file is dropped before anything is
simulated. Each particle is one run of the model up to `until`, summarised by
`observations.statistic` (the very function `libyasim validate` scores with). The distance is
a weighted Euclidean one with fixed scales (see `scale`), so that epsilons stay comparable when
a calibration is resumed; for a floor ("at least N") the simulated value is censored at N
(`observations.censor`), so runs above a floor are not pushed down to it; a dated event is
read within `DATE_CAP` scales of its day, missed or not (`fit_statistic`). Priors span each
parameter's prior range in the registry (`Param.prior`) with the registry's judgment as their
median (`Prior`); whole-number parameters are rounded when the model reads them.

Outputs in `out`: posterior.parquet (one row per particle of the last population: parameter
values and normalised weight), calibration.json, prior_posterior.png,
posterior_predictive.png and the pyabc database abc.db (from which `--resume` continues).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import math
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import arguments, folders
from libyasim.extras import require
from libyasim.files import atomic_write, atomic_write_text
from libyasim.observations import (
    Observation,
    SeriesView,
    censor,
    load_observations,
    statistic,
    why_not_computable,
)
from libyasim.params import ASSUMPTION, CALIBRATED, PARAMS
from libyasim.scenario import Scenario, load_scenario

POSTERIOR_FILE, CALIBRATION_FILE, DB_FILE = "posterior.parquet", "calibration.json", "abc.db"
PRIOR_PLOT, PREDICTIVE_PLOT = "prior_posterior.png", "posterior_predictive.png"
WEIGHT = "weight"
DEFAULT_BUDGET = 900  # seconds: with the default population, well under 20 minutes on 2 cores
DEFAULT_POPULATION = 150
DEFAULT_GENERATIONS = 8
DEFAULT_DRAWS = 100_000  # rejection ABC: about three minutes on 2 cores for the 2019 war
DEFAULT_KEEP = 1_000  # the nearest 1%: enough particles that refits agree (docs/validation.md)
METHODS = ("smc", "rejection")
NOT_FITTED = ("scenario.",)  # run settings, not model assumptions
PARTICLES_PER_PARAMETER = 10  # fewer particles than this per parameter: a diagonal kernel
MIN_EPSILON = 0.25  # distances below a quarter of the observations' scales: within their noise
PREDICTIVE_DRAWS = 500  # runs of the posterior predictive check: its 50% flags hold to about ±2 points
POOR_AGREEMENT = 0.5  # a training fact or dated event in fewer runs than this is flagged
PREDICTIVE_CENTRAL = 0.9  # a training number outside this central share of runs is flagged
DATE_CAP = 4.0  # date scales (8 weeks): a dated event this far off, or missed, counts as missed


class CalibrationError(Exception):
    """A calibration cannot run as asked; the message says what to change."""


# ---------------------------------------------------------------------------- what is fitted
@dataclass(frozen=True)
class Prior:
    """A prior over a parameter's registry range whose median is the registry's judgment: half
    its probability below the judgment and half above, uniform within each half (in the
    logarithm for a `log` range, the registry's `log_prior`: a rate whose plausible values span
    orders of magnitude). Given the bounds and the median this is the maximum-entropy
    distribution. A judgment at a bound (or none, `median` None) says only the range: uniform."""

    name: str
    low: float
    high: float
    integer: bool
    log: bool = False
    median: float | None = None  # the registry's judgment, when strictly inside the range

    def value(self, x: float) -> int | float:
        """The value the model reads for a sampled x (whole numbers rounded, kept in range)."""
        x = min(max(float(x), self.low), self.high)
        return round(x) if self.integer else x

    def at(self, u: float) -> int | float:
        """The value at quantile u (0 to 1) of the prior."""
        scale = math.log if self.log else float
        low, high = scale(self.low), scale(self.high)
        if self.median is None:
            x = low + u * (high - low)
        elif u < 0.5:
            x = low + 2 * u * (scale(self.median) - low)
        else:
            x = scale(self.median) + (2 * u - 1) * (high - scale(self.median))
        return self.value(math.exp(x) if self.log else x)

    def density(self, x: np.ndarray) -> np.ndarray:
        """The prior's density at x, per unit of x (per unit of log10 x for a `log` range)."""
        scale = np.log10 if self.log else np.asarray
        low, high, x = scale(self.low), scale(self.high), scale(np.asarray(x, dtype=float))
        if self.median is None:
            return np.where((x >= low) & (x <= high), 1 / (high - low), 0.0)
        mid = scale(self.median)
        return np.select([(x >= low) & (x < mid), (x >= mid) & (x <= high)],
                         [0.5 / (mid - low), 0.5 / (high - mid)], 0.0)

    @property
    def shape(self) -> str:
        """The prior's shape in words (calibration.json's `prior`)."""
        kind = "log-uniform" if self.log else "uniform"
        return kind if self.median is None else f"{kind} on each side of the median"

    def draw(self, rng: np.random.Generator) -> int | float:
        """One value drawn from the prior (one uniform number from rng)."""
        return self.at(rng.uniform())

    def sampled(self):
        """pyabc's prior: a standard logistic on z = the logit of x's quantile under the prior
        (which makes x follow the prior exactly), so that perturbations never leave the
        prior's box; with a plain uniform, pyabc redraws proposals that leave it without
        renormalising the kernel, which overweights particles near a bound (the importance
        weights collapsed to a few particles when the posterior leaned on one), and in dozens
        of dimensions nearly every proposal leaves it."""
        import pyabc

        return pyabc.RV("logistic", 0, 1)

    def from_sampled(self, z: float) -> float:
        """x in [low, high] for a sampled value."""
        return self.at(1.0 / (1.0 + math.exp(-min(max(z, -700), 700))))


def prior_for(name: str, low: float, high: float) -> Prior:
    """The prior of a registry parameter over [low, high] (its prior range, or one narrowed
    within it): its judgment is the median when strictly inside."""
    param = PARAMS[name]
    judgment = float(param.default)
    return Prior(name, low, high, param.type is int, param.log_prior and low > 0,
                 judgment if low < judgment < high else None)


def priors_for(names: Sequence[str] | None = None) -> tuple[list[Prior], list[str]]:
    """Priors over the registry's prior ranges for the named parameters (default:
    every numeric assumption, or earlier fit, that has one), and a message for each left out
    and why. A name may set its own prior within the allowed range: `NAME=LOW:HIGH`."""
    skipped: list[str] = []
    chosen = []
    asked = [_split_range(n) for n in names] if names else [
        (n, None) for n, p in PARAMS.items() if p.kind in (ASSUMPTION, CALIBRATED)]
    for name, narrowed in asked:
        param = PARAMS.get(name)
        if param is None:
            raise CalibrationError(f"--params {name}: unknown parameter; see `libyasim params`")
        why = _why_not_fitted(name)
        if why and names:
            raise CalibrationError(f"--params {name}: {why}")
        if why:
            skipped.append(f"{name}: {why}")
            continue
        low, high = (float(x) for x in param.prior)  # type: ignore[union-attr]
        if narrowed is not None:
            allowed = (-math.inf if param.low is None else param.low,
                       math.inf if param.high is None else param.high)
            if not allowed[0] <= narrowed[0] < narrowed[1] <= allowed[1]:
                raise CalibrationError(f"--params {name}={narrowed[0]:g}:{narrowed[1]:g}: "
                                       f"expected LOW < HIGH within the registry range "
                                       f"({param.describe_expected()})")
            low, high = narrowed
        chosen.append(prior_for(name, low, high))
    if not chosen:
        raise CalibrationError("no parameter to fit; name numeric assumption parameters with "
                               "a prior range (low and high) in --params")
    return chosen, skipped


def _split_range(text: str) -> tuple[str, tuple[float, float] | None]:
    name, sep, bounds = text.partition("=")
    if not sep:
        return name, None
    low, colon, high = bounds.partition(":")
    try:
        if not colon:
            raise ValueError
        return name, (float(low), float(high))
    except ValueError:
        raise CalibrationError(f"--params {text}: expected NAME or NAME=LOW:HIGH") from None


def _why_not_fitted(name: str) -> str | None:
    param = PARAMS[name]
    if param.kind not in (ASSUMPTION, CALIBRATED):
        return f"its kind is {param.kind}; only assumptions (and earlier fits) are fitted"
    if name.startswith(NOT_FITTED) or param.fixed:
        return "a run setting, not a model assumption"
    if param.type not in (int, float):
        kind = {bool: "a switch (true/false)", str: "a text"}.get(param.type, "a date")
        return f"{kind}; only numbers are fitted"
    if param.prior is None or not all(math.isfinite(x) for x in param.prior) or (
            param.prior[0] >= param.prior[1]):
        return "no prior range in the registry"
    return None


# ---------------------------------------------------------------------------- what it is fitted to
def training_set(observations: Sequence[Observation], scenario: Scenario, until: dt.date
                 ) -> tuple[list[Observation], list[dict[str, str]]]:
    """The observations a calibration up to `until` may read (window ended and published by
    then, and computable from runs of the scenario up to `until`); and the rest, with why.
    A dated event that happened and was published by `until` (a capture) is read with its
    window cut at `until`: runs in which it has not happened by then count as later."""
    start = scenario["scenario.start_date"]
    view = _empty_view(scenario, until)
    used, left = [], []
    for obs in observations:
        if (obs.kind == "first_day" and obs.end > until and obs.known_on <= until
                and isinstance(obs.value, dt.date) and obs.value <= until):
            obs = dataclasses.replace(obs, end=until)
        if obs.end > until:
            left.append({"name": obs.name, "reason": f"its window ends after {until}"})
        elif obs.known_on > until:
            left.append({"name": obs.name, "reason": f"published {obs.known_on}, after {until}"})
        elif reason := why_not_computable(obs, view):
            left.append({"name": obs.name, "reason": reason})
        else:
            used.append(obs)
    if not used:
        raise CalibrationError(f"no observation ends and was published on or before {until} "
                               f"inside the runs (day 0 = {start}); nothing to fit to")
    return used, left


def _empty_view(scenario: Scenario, until: dt.date) -> SeriesView:
    from libyasim.observations import series_columns

    days = horizon_for(scenario, until) + 1
    return SeriesView({c: np.zeros((1, days)) for c in series_columns()},
                      scenario["scenario.start_date"])


def horizon_for(scenario: Scenario, until: dt.date) -> int:
    """Days simulated per particle: up to `until` (never past the scenario's own horizon)."""
    days = (until - scenario["scenario.start_date"]).days
    if days < 1:
        raise CalibrationError(f"--until {until} is not after day 0 "
                               f"({scenario['scenario.start_date']})")
    return min(days, scenario["scenario.horizon_days"])


def scale(obs: Observation) -> float:
    """How far a simulated statistic may sit from the observed one for one unit of distance:
    half the source's range, at least 20% of a count (monitors' and casualty counts are floors
    of uncertain completeness) and at least its Poisson spread (the square root of the count,
    and 1); 14 days for dates; 1 for yes/no facts."""
    low, high = obs.bounds()
    if obs.kind == "total":
        count = abs(obs.observed())
        return max((high - low) / 2, 0.2 * count, math.sqrt(count), 1.0)
    if obs.kind == "first_day":
        return max((high - low) / 2, 14.0)
    return 1.0


def fit_statistic(obs: Observation, values: np.ndarray | float) -> np.ndarray | float:
    """What a fit (and conditioning) compares with the record: the censored statistic
    (`observations.censor`); for a dated event, its day clipped to within `DATE_CAP` scales
    of the recorded day, a run in which it never happens in the window counting as that far
    late. Missing an event then costs the same wherever it lies in its window. Read as "one
    day after the window", a missed capture of the window's last days (Sirte, 6 January 2020)
    was 4 days late and a missed early one (Gharyan, 26 June 2019) 198 days late: the 2019
    fit bought Gharyan with Sirte and Tarhuna (docs/calibration.md)."""
    censored = censor(obs, values)
    if obs.kind != "first_day":
        return censored
    observed, cap = obs.observed(), DATE_CAP * scale(obs)
    capped = np.where(censored >= obs.window_days, observed + cap,
                      observed + np.clip(censored - observed, -cap, cap))
    return capped if np.ndim(values) else float(capped)


# ---------------------------------------------------------------------------- the simulator
class Simulator:
    """One particle: the scenario with the sampled parameters, one run up to `until`,
    summarised as the observations' statistics. Picklable for the worker processes."""

    def __init__(self, scenario: Scenario, priors: Sequence[Prior],
                 observations: Sequence[Observation], until: dt.date):
        self.scenario = scenario.with_overrides(
            {"scenario.horizon_days": horizon_for(scenario, until)}, source="calibration")
        self.priors = list(priors)
        self.observations = list(observations)
        self.deadline: float | None = None  # wall-clock time after which particles are refused

    def overrides(self, particle: dict[str, float]) -> dict[str, Any]:
        """The model's values for a particle of pyabc's (unbounded) parameters."""
        return {p.name: p.value(p.from_sampled(particle[p.name]))
                for p in self.priors}

    def __call__(self, particle: dict[str, float]) -> dict[str, float]:
        if self.deadline is not None and time.time() > self.deadline:  # budget spent
            return {o.name: math.inf for o in self.observations}
        stats = self.statistics(self.overrides(particle), int(np.random.randint(0, 2**62)))
        return {o.name: float(fit_statistic(o, stats[o.name])) for o in self.observations}

    def statistics(self, values: dict[str, Any], seed: int) -> dict[str, float]:
        """One run with these parameter values, summarised as the observations' statistics."""
        from libyasim.model import simulate

        values = {k: int(v) if PARAMS[k].type is int else float(v) for k, v in values.items()}
        scenario = self.scenario.with_overrides(values, source="calibration")
        _, series = simulate(scenario, seed)
        view = SeriesView.from_array(series, scenario["scenario.start_date"])
        return {o.name: float(statistic(o, view)[0]) for o in self.observations}


def _point_statistics(simulator: Simulator, values: dict[str, Any], seeds: Sequence[int]
                      ) -> list[float]:
    """The statistics a fit reads (`fit_statistic`) of one point, averaged over runs with
    these seeds."""
    stats = [simulator.statistics(values, seed) for seed in seeds]
    return [float(np.mean([fit_statistic(o, s[o.name]) for s in stats]))
            for o in simulator.observations]


def _evaluate(simulator: Simulator, points: list[dict[str, Any]], seeds: list[list[int]]
              ) -> list[list[float]]:
    return [_point_statistics(simulator, v, s) for v, s in zip(points, seeds)]


def run_points(simulator: Simulator, points: list[dict[str, Any]], seeds: list[list[int]],
               workers: int, progress: bool, label: str) -> list[list[float]]:
    """The censored statistics of every parameter point (each the mean of runs with its own
    seeds), in order, on `workers` processes: the same whatever the workers."""
    chunk = max(1, math.ceil(len(points) / (8 * workers)))
    chunks = [(points[i:i + chunk], seeds[i:i + chunk]) for i in range(0, len(points), chunk)]
    results: list[list[float]] = []
    if workers <= 1:
        for k, (p, s) in enumerate(chunks):
            results += _evaluate(simulator, p, s)
            _report(progress, label, k + 1, len(chunks))
        return results
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_evaluate, simulator, p, s) for p, s in chunks]
        for k, future in enumerate(futures):
            results += future.result()
            _report(progress, label, k + 1, len(chunks))
    return results


def _report(progress: bool, label: str, done: int, total: int) -> None:
    if progress:
        print(f"\r{label}: {done}/{total} chunks of parameter points", end="" if done < total
              else "\n", file=sys.stderr)



# ---------------------------------------------------------------------------- the run
@dataclass
class Settings:
    """What a calibration was asked to do (saved, and checked when resuming)."""

    scenario: str
    observations: str
    until: str
    params: list[str]
    population: int
    generations: int
    min_acceptance: float
    seed: int | None

    def key(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "generations"}


def calibrate(scenario_path: str | Path, out: str | Path, until: dt.date,
              observations_file: str | Path | None = None, params: Sequence[str] | None = None,
              budget: float = DEFAULT_BUDGET, workers: int | None = None,
              population: int = DEFAULT_POPULATION, generations: int = DEFAULT_GENERATIONS,
              min_acceptance: float = 0.02, seed: int | None = None, resume: bool = False,
              force: bool = False, dask_scheduler: str | None = None, progress: bool = True,
              predictive_draws: int = PREDICTIVE_DRAWS) -> dict[str, Any]:
    """Run (or resume) an ABC-SMC calibration into `out`; return calibration.json's content."""
    pyabc = require("pyabc", "calibration",
                    "ABC-SMC (`--method smc`, the default; `--method rejection` needs no extra)")

    started = time.monotonic()
    out = Path(out)
    scenario, priors, not_fitted, used, left = _inputs(scenario_path, params,
                                                       observations_file, until)
    settings = Settings(str(scenario_path), str(observations_file or "shipped"), until.isoformat(),
                        [f"{p.name}={p.low:g}:{p.high:g}" for p in priors], population,
                        generations, min_acceptance, seed)
    db = out / DB_FILE
    run_id = _prepare(out, settings, resume, force)
    simulator = Simulator(scenario, priors, used, until)
    prior = pyabc.Distribution(**{p.name: p.sampled() for p in priors})
    distance = pyabc.PNormDistance(p=2, fixed_weights={o.name: 1 / scale(o) for o in used})
    abc = pyabc.ABCSMC(simulator, prior, distance, population_size=population,
                       sampler=_sampler(workers, dask_scheduler),
                       transitions=_transition(len(priors), population),
                       eps=pyabc.QuantileEpsilon(alpha=0.5))
    if seed is not None:
        np.random.seed(seed)
    _logging()
    if run_id is None:
        abc.new(f"sqlite:///{db}", {o.name: o.observed() for o in used})
    else:
        abc.load(f"sqlite:///{db}", run_id)
    history = abc.history
    stopped = "generations"
    while history.max_t + 1 < generations:
        remaining = budget - (time.monotonic() - started)
        if remaining <= 0 and history.max_t >= 0:  # a new run gets its first generation
            stopped = "budget"
            break
        before = history.max_t
        # the first generation of a new run also samples the prior to set epsilon: no deadline
        simulator.deadline = None if before < 0 else time.time() + remaining
        # pyabc caches the population it sets epsilon from on its first run() call; let each
        # call start from the latest generation, as a resumed calibration does
        abc._initial_population = None
        try:
            history = abc.run(max_nr_populations=1, min_acceptance_rate=min_acceptance)
        except AssertionError as exc:  # pyabc: the importance weights underflowed to zero
            if "weight" not in str(exc):
                raise
            history = abc.history
            stopped = "weights"
            break
        if history.max_t == before:  # the generation was abandoned
            stopped = "budget" if time.monotonic() - started >= budget else "acceptance"
            break
        pops = history.get_all_populations()
        last = pops[pops.t == history.max_t].iloc[0]
        if progress:
            print(f"generation {history.max_t + 1}: epsilon {last.epsilon:.3g}, accepted "
                  f"{last.particles} of {last.samples}, {time.monotonic() - started:.0f} s",
                  file=sys.stderr)
        if last.particles / max(last.samples, 1) < min_acceptance:
            stopped = "acceptance"
            break
        if last.epsilon <= MIN_EPSILON:
            stopped = "epsilon"
            break
    simulator.deadline = None
    result = _write(out, history, simulator, priors, used, left, not_fitted, settings,
                    stopped, time.monotonic() - started, predictive_draws)
    return result


def _inputs(scenario_path: str | Path, params: Sequence[str] | None,
            observations_file: str | Path | None, until: dt.date
            ) -> tuple[Scenario, list[Prior], list[str], list[Observation], list[dict[str, str]]]:
    """The scenario, the priors (and what is not fitted), the observations a fit up to `until`
    may read (and the rest, with why): everything later is dropped here, before any run."""
    scenario = load_scenario(scenario_path)
    priors, not_fitted = priors_for(params)
    used, left = training_set(load_observations(observations_file), scenario, until)
    return scenario, priors, not_fitted, used, left


def distance(simulated: np.ndarray, used: Sequence[Observation]) -> np.ndarray:
    """The distance of each row of (censored) statistics from the observations: the weighted
    Euclidean one ABC-SMC uses (pyabc's PNormDistance, p = 2, weights 1 / `scale`); a run
    whose statistics are not all numbers is infinitely far."""
    observed = np.array([o.observed() for o in used], dtype=float)
    scales = np.array([scale(o) for o in used], dtype=float)
    d = np.sqrt(np.sum(((np.asarray(simulated, dtype=float) - observed) / scales) ** 2, axis=1))
    return np.where(np.isfinite(d), d, np.inf)


def prior_design(priors: Sequence[Prior], draws: int, seed: int) -> list[dict[str, Any]]:
    """`draws` parameter sets from the priors, spread by a Latin hypercube (each parameter's
    quantiles cut into `draws` equal slices, one draw in each), seeded."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence([seed % 2**63, 0]))
    cube = qmc.LatinHypercube(d=len(priors), seed=rng).random(draws)
    return [{p.name: p.at(u) for p, u in zip(priors, row)} for row in cube]


def calibrate_rejection(scenario_path: str | Path, out: str | Path, until: dt.date,
                        observations_file: str | Path | None = None,
                        params: Sequence[str] | None = None, draws: int = DEFAULT_DRAWS,
                        keep: int = DEFAULT_KEEP, workers: int | None = None,
                        seed: int | None = None, force: bool = False, progress: bool = True,
                        predictive_draws: int = PREDICTIVE_DRAWS,
                        prior_from: str | Path | None = None,
                        rest_from_prior: bool = False) -> dict[str, Any]:
    """Rejection ABC (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002): `draws`
    parameter sets from the priors, one run each up to `until`, keep the `keep` nearest to the
    observations, equally weighted. Its posterior cannot collapse onto a few particles (its
    effective sample size is `keep`); write it into `out` as `calibrate` does.

    `prior_from`: an earlier fit (e.g. on the 2019 war) whose posterior is the prior of its
    parameters here: each draw takes one of its particles (by weight) with the new parameters
    from their ranges, so that the kept draws are the posterior given both data sets
    (sequential ABC); its parameters are not fitted again from their ranges.

    `rest_from_prior`: every other assumption with a prior range (save those the scenario sets)
    is drawn from its prior as well, in each draw, and kept in the posterior beside the fitted
    ones: marginalised, not fitted. The fitted parameters' posterior then does not assume
    the registry's values of judgments nobody knows, and a forecast drawing whole particles
    carries that uncertainty."""
    if not 2 <= keep <= draws:
        raise CalibrationError(f"--keep {keep}: expected from 2 to --draws ({draws})")
    started = time.monotonic()
    out = Path(out)
    scenario, priors, not_fitted, used, left = _inputs(scenario_path, params,
                                                       observations_file, until)
    seed = scenario["scenario.seed"] if seed is None else seed
    earlier = _earlier_fit(prior_from, until)
    if earlier is not None:
        priors = [p for p in priors if p.name not in earlier.columns]
        if not priors:
            raise CalibrationError(f"--prior-from {prior_from}: it fitted every parameter "
                                   "named here; name (or screen) parameters it did not fit")
    rest = marginal_priors(scenario, priors, earlier) if rest_from_prior else []
    settings = Settings(str(scenario_path), str(observations_file or "shipped"), until.isoformat(),
                        [f"{p.name}={p.low:g}:{p.high:g}" for p in priors], keep, 1, 0.0, seed)
    _prepare(out, settings, False, force)
    (out / DB_FILE).unlink(missing_ok=True)  # an ABC-SMC run replaced (--force)
    points = prior_design(priors + rest, draws, seed)
    rng = np.random.default_rng(np.random.SeedSequence([seed % 2**63, 1]))
    seeds = [[int(s)] for s in rng.integers(0, 2**62, size=draws)]
    carried: list[str] = []
    if earlier is not None:
        points, carried = _with_particles(points, earlier, seed)
    simulator = Simulator(scenario, priors, used, until)
    stats = run_points(simulator, points, seeds, workers or os.cpu_count() or 1, progress,
                       "rejection ABC")
    far = distance(np.asarray(stats), used)
    nearest = np.argsort(far, kind="stable")[:keep]
    posterior = pd.DataFrame({name: [points[i][name] for i in nearest]
                              for name in [p.name for p in priors + rest] + carried})
    posterior[WEIGHT] = 1.0 / keep
    atomic_write(out / POSTERIOR_FILE, lambda p: posterior.to_parquet(p, index=False))
    finite = far[np.isfinite(far)]
    summary = {
        "method": f"rejection ABC (Pritchard et al. 1999; Beaumont, Zhang & Balding 2002): "
                  f"{draws} draws from the priors by a Latin hypercube, one run each, "
                  f"the {keep} nearest kept with equal weights; weighted Euclidean distance "
                  "with fixed scales (as ABC-SMC)"
                  + (f"; {len(rest)} other assumptions drawn from their priors in every draw "
                     "(marginalised)" if rest else ""),
        **_record(settings, used, left, priors, posterior, not_fitted),
        "draws": draws, "accepted": keep, "acceptance_rate": keep / draws,
        "acceptance_distance": float(far[nearest[-1]]),
        "distance_quantiles_of_draws": {f"q{int(q * 100):02d}": float(np.quantile(finite, q))
                                        for q in (0.01, 0.05, 0.5)} if len(finite) else {},
        "effective_sample_size": float(keep), "simulations": draws,
        "marginalised": [p.name for p in rest],
        "prior_from": None if prior_from is None else {
            "fit": str(prior_from), "cutoff": fit_cutoff(prior_from).isoformat(),
            "parameters": carried},
        "elapsed_seconds": round(time.monotonic() - started, 1), "seed": seed,
        "workers": workers,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return _record_and_plot(out, summary, simulator, priors, posterior, used, predictive_draws,
                            f"rejection: the {keep} nearest of {draws} draws, distance at "
                            f"most {summary['acceptance_distance']:.3g}")


def _fit_record(fit: str | Path) -> Path:
    """An earlier fit's calibration.json (from its folder or its posterior.parquet)."""
    path = Path(fit)
    return (path if path.is_dir() else path.parent) / CALIBRATION_FILE


def fit_cutoff(fit: str | Path) -> dt.date:
    """The date up to which an earlier fit read its observations (its calibration.json)."""
    record = _fit_record(fit)
    try:
        return dt.date.fromisoformat(json.loads(record.read_text())["cutoff"])
    except (OSError, ValueError, KeyError):
        raise CalibrationError(f"{record}: no calibration record with a cutoff; expected a "
                               "folder written by `libyasim calibrate`") from None


def fit_not_kept(fit: str | Path) -> list[str] | None:
    """The training observations an earlier fit's posterior does not keep (its posterior
    predictive check, `predictive_check`); None for a fit saved before the check existed."""
    try:
        check = json.loads(_fit_record(fit).read_text()).get("posterior_predictive")
    except (OSError, ValueError):
        return None
    return None if check is None else list(check["poorly_reproduced"])


def fit_marginalised(fit: str | Path) -> list[str]:
    """The assumptions an earlier fit drew from their priors without fitting them
    (`--rest-from-prior`); none for a plug-in fit, or one saved before the option existed."""
    try:
        return list(json.loads(_fit_record(fit).read_text()).get("marginalised", []))
    except (OSError, ValueError, AttributeError):
        return []


def _earlier_fit(fit: str | Path | None, until: dt.date) -> pd.DataFrame | None:
    """An earlier fit's particles, refused when it read anything published after `until`."""
    if fit is None:
        return None
    from libyasim.draws import from_posterior

    cutoff = fit_cutoff(fit)
    if cutoff > until:
        raise CalibrationError(f"--prior-from {fit}: fitted to what was public by {cutoff}, "
                               f"after --until {until}; it would bring in what was not yet "
                               "known")
    particles = from_posterior(fit).particles
    assert particles is not None
    marginalised = set(fit_marginalised(fit))
    return particles[[c for c in particles.columns if c not in marginalised]]


def marginal_priors(scenario: Scenario, fitted: Sequence[Prior],
                    earlier: pd.DataFrame | None = None) -> list[Prior]:
    """The priors of every other assumption with a prior range, save those the scenario sets
    and those an earlier fit carries: the parameters a fit marginalises."""
    taken = {p.name for p in fitted} | set(() if earlier is None else earlier.columns)
    return [p for p in priors_for(None)[0]
            if p.name not in taken and p.name not in scenario.overrides]


def _with_particles(points: list[dict[str, Any]], particles: pd.DataFrame, seed: int
                    ) -> tuple[list[dict[str, Any]], list[str]]:
    """Each point with one earlier particle, drawn by weight (seeded); the carried names."""
    names = [c for c in particles.columns if c != WEIGHT]
    weights = particles[WEIGHT].to_numpy(dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([seed % 2**63, 2]))
    picks = rng.choice(len(particles), size=len(points), p=weights / weights.sum())
    rows = particles[names].to_dict("records")
    return [{**point, **rows[j]} for point, j in zip(points, picks)], names


def _prepare(out: Path, settings: Settings, resume: bool, force: bool) -> int | None:
    """Ready `out`; the pyabc run id to continue when resuming, else None."""
    setup = out / ".calibration-settings.json"
    db = out / DB_FILE
    if resume:
        if not db.exists() or not setup.exists():
            raise CalibrationError(f"{out}: nothing to resume (no {DB_FILE}); run without "
                                   "--resume")
        old = json.loads(setup.read_text())
        for key, value in settings.key().items():
            if old.get(key) != value:
                raise CalibrationError(f"{out}: cannot resume: its {key} was {old.get(key)!r}, "
                                       f"now {value!r}; use the same settings or another --out")
        import pyabc

        return int(pyabc.History(f"sqlite:///{db}").id)
    if (db.exists() or (out / POSTERIOR_FILE).exists()) and not force:
        raise CalibrationError(f"{out} holds a calibration; use --force to start afresh, "
                               "--resume to continue an ABC-SMC one, or another --out")
    own = (DB_FILE, POSTERIOR_FILE, CALIBRATION_FILE, PRIOR_PLOT, PREDICTIVE_PLOT)
    folders.usable_folder(out)
    folders.refuse_foreign(out, () if force else own, force)  # --force: the folder, whole
    atomic_write_text(json.dumps(settings.key(), indent=1), setup)
    return None


def diagonal_kernel(dimensions: int, population: int) -> bool:
    """A population's covariance is estimated well with about ten particles per parameter, and
    is singular once the parameters approach the particles in number: below that, only its
    diagonal is used (a diagonal kernel ignores correlations, which wastes proposals and makes
    the importance weights uneven)."""
    return population < PARTICLES_PER_PARAMETER * dimensions


def _transition(dimensions: int, population: int):
    """pyabc's multivariate normal kernel fitted to the previous population (its diagonal
    only, with too few particles per parameter: `diagonal_kernel`)."""
    import pyabc
    import scipy.stats as st

    class DiagonalNormalTransition(pyabc.MultivariateNormalTransition):
        def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
            super().fit(X, w)
            diagonal = np.diag(np.maximum(np.diag(np.asarray(self.cov)), 1e-8))  # type: ignore[has-type]
            self.cov = diagonal
            self.normal = st.multivariate_normal(cov=diagonal)

    return (DiagonalNormalTransition() if diagonal_kernel(dimensions, population)
            else pyabc.MultivariateNormalTransition())


def _sampler(workers: int | None, scheduler: str | None):
    import pyabc

    if scheduler:
        from distributed import Client

        return pyabc.sampler.DaskDistributedSampler(dask_client=Client(scheduler))
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        return pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)


def _logging() -> None:
    """pyabc's own INFO lines silenced (they flood the terminal); `calibrate` prints one line
    per generation itself."""
    for name in ["ABC", *(n for n in logging.root.manager.loggerDict if n.startswith("ABC"))]:
        logging.getLogger(name).setLevel(logging.WARNING)



# ---------------------------------------------------------------------------- outputs
def posterior_table(history, priors: Sequence[Prior]) -> pd.DataFrame:
    """The last population: one row per particle, values as the model reads them, weight."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    table = pd.DataFrame({p.name: [p.value(p.from_sampled(z)) for z in frame[p.name]]
                          for p in priors})
    table[WEIGHT] = np.asarray(weights, dtype=float) / np.sum(weights)
    return table


def _write(out: Path, history, simulator: Simulator, priors: Sequence[Prior],
           used: Sequence[Observation], left: Sequence[dict[str, str]],
           not_fitted: Sequence[str], settings: Settings, stopped: str, elapsed: float,
           predictive_draws: int) -> dict[str, Any]:
    import pyabc

    posterior = posterior_table(history, priors)
    atomic_write(out / POSTERIOR_FILE, lambda p: posterior.to_parquet(p, index=False))
    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    summary = {
        "method": f"ABC-SMC (pyabc {pyabc.__version__}): priors sampled on the logit "
                  "scale of each value's quantile, "
                  + ("diagonal" if diagonal_kernel(len(priors), settings.population) else "multivariate")
                  + " normal perturbation kernel, weighted Euclidean distance with fixed "
                  "scales, epsilon = median distance of the previous population, stopping "
                  f"at epsilon {MIN_EPSILON}",
        **_record(settings, used, left, priors, posterior, not_fitted),
        "population_sizes": [int(x) for x in pops.particles],
        "simulations": [int(x) for x in pops.samples],
        "epsilon_schedule": [float(x) for x in pops.epsilon],
        "acceptance_rates": [float(a / max(s, 1)) for a, s in zip(pops.particles, pops.samples)],
        "effective_sample_sizes": [_ess(history, t) for t in pops.t],
        "generations": len(pops), "stopped_by": stopped,
        "elapsed_seconds": round(elapsed, 1), "seed": settings.seed,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "pyabc_run_id": int(history.id),
    }
    return _record_and_plot(out, summary, simulator, priors, posterior, used, predictive_draws,
                            f"{len(posterior)} particles, generation {history.max_t + 1}")


def _record(settings: Settings, used: Sequence[Observation], left: Sequence[dict[str, str]],
            priors: Sequence[Prior], posterior: pd.DataFrame, not_fitted: Sequence[str]
            ) -> dict[str, Any]:
    """What calibration.json says whatever the method: the fit's inputs and its posterior."""
    return {
        "scenario": settings.scenario, "observations_file": settings.observations,
        "cutoff": settings.until, "information_cutoff": settings.until,
        "observations_used": [{"name": o.name, "kind": o.kind, "column": o.column,
                               "equals": o.equals, "observed": o.observed(),
                               "scale": scale(o), "start": o.start.isoformat(),
                               "end": o.end.isoformat(), "known_on": o.known_on.isoformat(),
                               "source": o.source} for o in used],
        "observations_not_used": list(left),
        "parameters": [{"name": p.name, "prior": p.shape, "low": p.low, "high": p.high,
                        "median": p.median,
                        "integer": p.integer,
                        **_weighted_summary(posterior[p.name], posterior[WEIGHT])}
                       for p in priors],
        "parameters_not_fitted": list(not_fitted),
    }


def _ess(history, t: int) -> float:
    """Effective sample size of generation t: 1 / sum of squared normalised weights."""
    _, weights = history.get_distribution(m=0, t=int(t))
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    return float(1.0 / np.sum(w**2))


def _weighted_summary(values: pd.Series, weights: pd.Series) -> dict[str, float]:
    order = np.argsort(values.to_numpy())
    v, w = values.to_numpy()[order], weights.to_numpy()[order]
    cdf = np.cumsum(w) / np.sum(w)
    q = {k: float(v[min(int(np.searchsorted(cdf, k)), len(v) - 1)]) for k in (0.05, 0.5, 0.95)}
    return {"posterior_mean": float(np.sum(v * w) / np.sum(w)), "posterior_q05": q[0.05],
            "posterior_median": q[0.5], "posterior_q95": q[0.95]}


def _record_and_plot(out: Path, summary: dict[str, Any], simulator: Simulator,
                     priors: Sequence[Prior], posterior: pd.DataFrame,
                     used: Sequence[Observation], draws: int, what: str) -> dict[str, Any]:
    """Whatever the method: the posterior predictive check added to the summary, written as
    calibration.json, and the plots. Returns the summary."""
    predictive = predictive_statistics(simulator, posterior, draws)
    summary["posterior_predictive"] = predictive_check(predictive, used)
    atomic_write_text(json.dumps(summary, indent=1), out / CALIBRATION_FILE)
    _plots(out, priors, posterior, used, predictive, what)
    return summary


def _plots(out: Path, priors: Sequence[Prior], posterior: pd.DataFrame,
           used: Sequence[Observation], predictive: pd.DataFrame, what: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(priors)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.7 * rows + 0.6),
                             layout="constrained", squeeze=False)
    for ax, p in zip(axes.flat, priors):
        # densities per unit of value (per unit of log10(value) on a log axis), in bins as
        # fine on each side of the prior's median
        space = np.geomspace if p.log else np.linspace
        edges = (space(p.low, p.high, 26) if p.median is None else
                 np.concatenate([space(p.low, p.median, 13), space(p.median, p.high, 14)[1:]]))
        widths = np.diff(np.log10(edges) if p.log else edges)
        mass, _ = np.histogram(posterior[p.name], bins=edges, weights=posterior[WEIGHT])
        ax.stairs(mass / mass.sum() / widths, edges, fill=True, color="#3182bd", alpha=0.8,
                  label="posterior")
        ax.stairs(p.density(edges[:-1]), edges, color="black", ls="--",
                  label="prior" + (" (median: the judgment)" if p.median is not None else ""))
        if p.log:
            _log_axis(ax, p.high / p.low)
            ax.set(xlabel="value (log scale)", ylabel="density per unit of log10")
        else:
            ax.set(xlabel="value", ylabel="density")
        ax.set_title(p.name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"Prior and ABC posterior\n({what}; observations up to "
                 f"{max(o.end for o in used)})", fontsize=10)
    atomic_write(out / PRIOR_PLOT, lambda path: fig.savefig(path, dpi=100, format="png"))
    plt.close(fig)

    fig = predictive_figure(predictive, used)
    atomic_write(out / PREDICTIVE_PLOT, lambda path: fig.savefig(path, dpi=100, format="png"))
    plt.close(fig)


def _log_axis(ax: Any, span: float) -> None:
    """A log x axis labelled in plain numbers at 1, 2 and 5 times the powers of ten (only the
    powers themselves over more than two decades), without the crowded minor labels."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    axis = ax.xaxis
    axis.set_major_locator(LogLocator(base=10, subs=(1.0,) if span > 100 else (1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def _bins(values: Sequence[float] | np.ndarray | pd.Series, observed: float,
          count: int = 20) -> np.ndarray:
    """Histogram edges over the runs and the observation, at least one unit wide each, so that
    runs that all give one value (none of a contingent, say) still show as a bar."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low = min(float(finite.min()) if len(finite) else observed, observed)
    high = max(float(finite.max()) if len(finite) else observed, observed)
    width = max((high - low) / count, 1.0)
    return np.arange(low, high + 2 * width, width) - width / 2


def predictive_statistics(simulator: Simulator, posterior: pd.DataFrame,
                          draws: int) -> pd.DataFrame:
    """The statistics of `draws` runs, each with a particle drawn from the posterior by weight
    and its own seed (seeded: the same runs every time): the posterior predictive."""
    names = [c for c in posterior.columns if c != WEIGHT]
    rng = np.random.default_rng(0)
    picks = rng.choice(len(posterior), size=draws, p=posterior[WEIGHT].to_numpy())
    return pd.DataFrame([simulator.statistics({n: posterior[n].iloc[i] for n in names},
                                              int(rng.integers(2**62))) for i in picks])


def _never(obs: Observation, values: np.ndarray) -> np.ndarray:
    """Runs in which a dated event never happened in its window (`observations.statistic`
    gives them the window's length); none for other observations."""
    return values >= obs.window_days if obs.kind == "first_day" else np.zeros(len(values), bool)


def predictive_check(sims: pd.DataFrame, used: Sequence[Observation]) -> dict[str, Any]:
    """How the posterior predictive meets each training observation. `agree`: the share of
    runs that reproduce it (a yes/no fact on the side observed, a date within one `scale` of
    the day, a floor reached, another count within one scale); `pit`: the share of runs
    below the observed value (a run in which a dated event never happens is above it).
    `poorly_reproduced` names the observations the fit did not keep: a yes/no fact or a dated
    event that happens in fewer than half of the runs (`POOR_AGREEMENT`; the fit traded it
    for others, or the model cannot produce it), a number or date outside the runs' central
    90% that fewer than half of them reproduce (runs that agree within the record's own
    uncertainty keep it, however narrow their spread), a floor reached by fewer than 5% of
    runs."""
    rows, poor = [], []
    tail = (1 - PREDICTIVE_CENTRAL) / 2
    for obs in used:
        values = sims[obs.name].to_numpy(float)
        observed = obs.observed()
        row: dict[str, Any] = {"name": obs.name, "kind": obs.kind, "observed": observed}
        if obs.kind in ("state", "occurs"):
            agree = values == observed
            row["rule"] = "the same yes/no"
            bad = np.mean(agree) < POOR_AGREEMENT
        else:
            row["median"] = float(np.median(values))
            row["pit"] = float(np.mean(values < observed))
            outside = not tail <= row["pit"] <= 1 - tail
            if obs.kind == "first_day":
                happened = ~_never(obs, values)
                agree = happened & (np.abs(values - observed) <= scale(obs))
                row["rule"] = f"within {scale(obs):g} days"
                row["happened"] = float(np.mean(happened))
                bad = (outside and np.mean(agree) < POOR_AGREEMENT
                       or row["happened"] < POOR_AGREEMENT)
            elif obs.floor:
                agree = values >= observed
                row["rule"] = "at or above the floor"
                bad = np.mean(agree) < tail
            else:
                agree = np.abs(values - observed) <= scale(obs)
                row["rule"] = f"within {scale(obs):g}"
                bad = outside and np.mean(agree) < POOR_AGREEMENT
        row["agree"] = float(np.mean(agree))
        rows.append(row)
        if bad:
            poor.append(obs.name)
    return {"runs": len(sims), "observations": rows, "poorly_reproduced": poor}


def predictive_figure(sims: pd.DataFrame, used: Sequence[Observation]):
    """Runs drawn from the posterior by weight against each training observation, one panel
    each (at most 5 a row): the posterior predictive check on the training data."""
    import matplotlib.pyplot as plt

    draws = len(sims)
    n = len(used)
    cols = min(n, 5)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols + 0.5, 2.9 * rows + 0.6),
                             layout="constrained", squeeze=False)
    for ax, obs in zip(axes.flat, used):
        values = sims[obs.name].to_numpy(float)
        if obs.kind in ("state", "occurs"):
            ax.bar(["no (0)", "yes (1)"], [np.mean(values == 0), np.mean(values == 1)],
                   color="#3182bd", label="posterior predictive")
            ax.axvline(obs.observed(), color="#d62728", lw=3, label="observed")
            ax.set(ylabel="share of runs", ylim=(0, 1))
        else:
            never = _never(obs, values)
            happened = values[~never]
            ax.hist(happened, bins=_bins(happened, obs.observed()), color="#3182bd",
                    label="posterior predictive")
            if never.any():  # drawn apart: a run in which it never happened is not "late"
                ax.bar(obs.window_days * 1.1, int(never.sum()), width=obs.window_days * 0.08,
                       color="#bdbdbd", hatch="//", edgecolor="#636363")
                ax.annotate(f"never: {int(never.sum())}", (obs.window_days * 1.1, never.sum()),
                            ha="center", va="bottom", fontsize=7)
            ax.axvline(obs.observed(), color="#d62728", lw=2,
                       label="observed (a floor: at least)" if obs.floor else "observed")
            low, high = obs.bounds()
            if high > low:
                ax.axvspan(low, high, color="#d62728", alpha=0.15, label="source's range")
            unit = (f"days after {obs.start} (grey: never)" if obs.kind == "first_day"
                    else obs.column)
            ax.set(xlabel=unit, ylabel="runs")
        ax.set_title(obs.name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"Posterior predictive ({draws} runs drawn by weight) against the training "
                 "observations")
    return fig


# ---------------------------------------------------------------------------- CLI
def cmd_calibrate(args: argparse.Namespace) -> int:
    if args.screen:
        return cmd_screen(args)
    from libyasim.screen import parameters_to_fit

    params = parameters_to_fit(args.params, args.params_from)
    if args.method == "rejection":
        return cmd_rejection(args, params)
    rejection_budget(args.method, args.draws, args.keep)  # refuses a budget ABC-SMC ignores
    if args.prior_from:
        raise CalibrationError("--prior-from: only with --method rejection")
    if args.rest_from_prior:
        raise CalibrationError("--rest-from-prior: only with --method rejection")
    try:
        summary = calibrate(args.scenario, args.out, args.until, args.observations,
                            params, args.budget, args.workers, args.population,
                            args.generations, args.min_acceptance, args.seed, args.resume,
                            args.force, args.scheduler, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished generations are saved in {args.out}/{DB_FILE}; "
              "continue with the same command and --resume", file=sys.stderr)
        return 130
    _print_parameters(summary)
    print(f"{summary['generations']} generations, stopped by {summary['stopped_by']}, "
          f"epsilon {summary['epsilon_schedule'][-1]:.3g}, {summary['elapsed_seconds']:.0f} s; "
          f"fitted to {len(summary['observations_used'])} observations up to {summary['cutoff']}")
    ess = summary["effective_sample_sizes"][-1]
    if ess < 0.2 * summary["population_sizes"][-1]:
        print(f"warning: the last population's weights rest on few particles (effective sample "
              f"size {ess:.1f} of {summary['population_sizes'][-1]}); fit fewer parameters "
              "(--params), add observations, or use --method rejection", file=sys.stderr)
    _print_check(summary)
    _print_written(args.out)
    return 0


def cmd_rejection(args: argparse.Namespace, params: list[str] | None) -> int:
    """`calibrate --method rejection`: rejection ABC."""
    if args.resume:
        raise CalibrationError("--resume: a rejection fit cannot be resumed; run it again "
                               "(with --force to replace the folder)")
    if args.scheduler:
        raise CalibrationError("--scheduler: a rejection fit runs on local --workers only")
    draws, keep = rejection_budget(args.method, args.draws, args.keep)
    summary = calibrate_rejection(args.scenario, args.out, args.until, args.observations,
                                  params, draws, keep, args.workers, args.seed,
                                  args.force, progress=not args.quiet,
                                  prior_from=args.prior_from,
                                  rest_from_prior=args.rest_from_prior)
    _print_parameters(summary)
    print(f"kept the {summary['accepted']} nearest of {summary['draws']:,} draws (distance at "
          f"most {summary['acceptance_distance']:.3g}; effective sample size "
          f"{summary['effective_sample_size']:.0f}), {summary['elapsed_seconds']:.0f} s; fitted "
          f"to {len(summary['observations_used'])} observations up to {summary['cutoff']}")
    _print_check(summary)
    _print_written(args.out)
    return 0


def rejection_budget(method: str, draws: int | None, keep: int | None) -> tuple[int, int]:
    """`--draws` and `--keep` as given, or their defaults; refused with another method, which
    would ignore them."""
    if method != "rejection" and (draws is not None or keep is not None):
        raise CalibrationError("--draws and --keep set rejection ABC's budget; add --method "
                               "rejection (ABC-SMC's are --population and --generations)")
    return (DEFAULT_DRAWS if draws is None else draws, DEFAULT_KEEP if keep is None else keep)


def _print_parameters(summary: dict[str, Any]) -> None:
    for p in summary["parameters"]:
        shape = " log" if p.get("prior", "").startswith("log") else ""
        median = f" median {p['median']:g}" if p.get("median") is not None else ""
        print(f"  {p['name']:<40} prior{shape} [{p['low']:g}, {p['high']:g}]{median}  posterior median "
              f"{p['posterior_median']:.4g}  90% [{p['posterior_q05']:.4g}, "
              f"{p['posterior_q95']:.4g}]")


def _print_check(summary: dict[str, Any]) -> None:
    """The posterior predictive check in one line, and a warning for what it reproduces
    poorly."""
    check = summary["posterior_predictive"]
    shares = ", ".join(f"{r['name']} {r['agree']:.0%}" for r in check["observations"])
    print(f"posterior predictive ({check['runs']} runs), share reproducing each training "
          f"observation: {shares}")
    if check["poorly_reproduced"]:
        print(f"warning: the posterior does not keep {', '.join(check['poorly_reproduced'])} "
              f"(a fact or event in fewer than {POOR_AGREEMENT:.0%} of its runs, a number "
              f"outside their central {PREDICTIVE_CENTRAL:.0%}): the fit traded them for other "
              f"observations, or the model cannot produce them (see {PREDICTIVE_PLOT})",
              file=sys.stderr)


def _print_written(out: str) -> None:
    print(f"wrote {out}/{POSTERIOR_FILE}, {CALIBRATION_FILE}, {PRIOR_PLOT} and "
          f"{PREDICTIVE_PLOT}")


def cmd_screen(args: argparse.Namespace) -> int:
    """`calibrate --screen`: the Morris screen that names the parameters worth fitting."""
    from libyasim.screen import DEFAULT_TRAJECTORIES, screen

    summary = screen(args.scenario, args.until, args.out, args.observations,
                     args.trajectories or DEFAULT_TRAJECTORIES, args.runs_per_point,
                     args.workers, args.seed, args.force, progress=not args.quiet)
    if not args.quiet:
        for row in summary["ranking"][:40]:
            mark = "*" if row["param"] in summary["chosen"] else " "
            print(f" {mark} {row['param']:<44} effect {row['effect']:8.3f}  sigma "
                  f"{row['sigma']:8.3f}  moves most {row['moves_most']}")
    print(f"{summary['parameters_screened']} parameters screened in {summary['simulations']:,} "
          f"runs, {summary['elapsed_seconds']:.0f} s; {len(summary['chosen'])} matter "
          f"({summary['rule']})")
    print(f"wrote {args.out}/screen.csv, screen.json and screen.png; fit them with "
          f"`libyasim calibrate {args.scenario} --until {args.until} --params-from {args.out} "
          "--out DIR`")
    return 0


def add_command(sub: Any) -> None:
    """Register `libyasim calibrate`."""
    cal = sub.add_parser("calibrate", help="fit a scenario's assumption parameters to "
                         "observations up to a date (ABC-SMC or rejection ABC)")
    cal.add_argument("scenario", help="scenario file (TOML)")
    cal.add_argument("--observations", metavar="FILE",
                     help="observations CSV (default: the shipped observations.csv)")
    cal.add_argument("--until", type=arguments.date, required=True, metavar="DATE",
                     help="fit only to observations that ended and were published by DATE")
    cal.add_argument("--params", nargs="+", metavar="NAME",
                     help="assumption parameters to fit, optionally with a narrower prior as "
                     "NAME=LOW:HIGH (default: every numeric assumption with a prior range)")
    cal.add_argument("--params-from", metavar="DIR",
                     help="fit the parameters a screen in DIR chose (`calibrate --screen`), "
                     "plus any named with --params")
    cal.add_argument("--screen", action="store_true",
                     help="instead of fitting, screen every prior range (Morris elementary "
                     "effects) against the calibration statistics and choose the parameters "
                     "that matter; writes screen.csv, screen.json and screen.png into --out")
    cal.add_argument("--trajectories", type=arguments.whole(2, 1000),
                     help="Morris trajectories of the screen (default 60)")
    cal.add_argument("--runs-per-point", type=arguments.whole(1, 100), default=4,
                     help="runs averaged per design point of the screen (default 4)")
    cal.add_argument("--method", choices=METHODS, default="smc",
                     help="smc: ABC-SMC with pyabc (default); rejection: rejection ABC, the "
                     "--keep nearest of --draws runs from the priors (its weights cannot "
                     "collapse, whatever the number of parameters)")
    cal.add_argument("--draws", type=arguments.whole(2, 10_000_000),
                     help=f"rejection: parameter sets drawn from the priors, one run each "
                     f"(default {DEFAULT_DRAWS:,})")
    cal.add_argument("--keep", type=arguments.whole(2, 10_000_000),
                     help=f"rejection: how many of the nearest draws form the posterior "
                     f"(default {DEFAULT_KEEP})")
    cal.add_argument("--prior-from", metavar="FIT",
                     help="rejection: an earlier fit (e.g. on the 2019 war) whose posterior is "
                     "the prior of its parameters: each draw takes one of its particles, so the "
                     "result is the posterior given both data sets; refused if it read "
                     "anything published after --until")
    cal.add_argument("--rest-from-prior", action="store_true",
                     help="rejection: draw every other assumption with a prior range from its "
                     "prior in each draw too, and keep it in the posterior (marginalised, not "
                     "fitted); default: they keep the registry's values")
    cal.add_argument("--budget", type=arguments.seconds, default=DEFAULT_BUDGET, metavar="SECONDS",
                     help=f"stop after this long (checked between generations; default "
                     f"{DEFAULT_BUDGET})")
    cal.add_argument("--workers", type=arguments.positive_int, default=os.cpu_count(),
                     help="worker processes (default: all cores)")
    cal.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="run the particles on a Dask cluster instead")
    cal.add_argument("--population", type=arguments.whole(2, 100_000),
                     default=DEFAULT_POPULATION,
                     help=f"particles per generation, 2 to 100,000 (default {DEFAULT_POPULATION})")
    cal.add_argument("--generations", type=arguments.whole(1, 1000), default=DEFAULT_GENERATIONS,
                     help=f"at most this many generations, up to 1,000 (default "
                     f"{DEFAULT_GENERATIONS})")
    cal.add_argument("--min-acceptance", type=float, default=0.02,
                     help="stop when a generation accepts fewer than this share (default 0.02)")
    cal.add_argument("--seed", type=int, help="seed (exactly reproducible with --workers 1)")
    cal.add_argument("--out", required=True, metavar="DIR", help="output folder")
    cal.add_argument("--resume", action="store_true",
                     help="continue a stopped calibration in --out (same settings)")
    cal.add_argument("--force", action="store_true", help="replace a calibration in --out")
    cal.add_argument("--quiet", action="store_true", help="no progress lines")
    cal.set_defaults(func=cmd_calibrate)

