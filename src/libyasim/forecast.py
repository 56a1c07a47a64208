"""A forecast issued on an origin date: fitted on what was public by then, started from (or
conditioned on) the situation known then.

`libyasim forecast SCENARIO --origin DATE --out DIR` does three things:

1. **The fit.** The posterior the runs draw their parameters from must rest on what was public
   by DATE only. Either `--fit-on WAR` fits it now (`calibrate` on the scenario WAR, e.g. the
   2019 war, up to DATE or WAR's last day, whichever is earlier; the parameters a screen chose
   with `--params-from`; into `--fit-out`, by default DIR-fit beside DIR, and continued there
   when it holds an unfinished fit of the same settings), or an existing fit is reused
   (`--posterior FIT`, else the scenario's own `posterior`). A fit whose cutoff lies after DATE
   is refused: it would bring in what was not yet known. A fit made earlier than DATE is allowed
   (it knew less, never more). `--prior-from FIT` makes a rejection fit start from an earlier
   posterior (sequential ABC: e.g. the 2020 war up to DATE on top of the 2019 fit).
2. **The runs.** The scenario's ensemble, exactly as `libyasim run` writes it (runs.parquet,
   series.parquet, the tables and plots), each run drawing its parameters from that posterior;
   the scenario's information cutoff is the origin, and the manifest says so.
3. **The situation known at DATE.** A scenario whose day 0 is DATE starts from it: the map,
   the truce, the blockade and the foreign contingents of that day, as a situation file
   written from what was public by then sets them (scenarios/situation_2020-03-31.toml,
   situation_2020-06-30.toml). A scenario that starts earlier is run from its own day 0 and its
   runs are weighted by what was public by DATE (`conditioning.condition`: the map, whether the
   blockade and the truce stand, the counts so far), as a particle filter does; forecast.json
   then holds the weights, the resampled runs, the effective sample size and the facts, and
   `libyasim validate DIR` scores from DATE with the same conditioning.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from libyasim import arguments
from libyasim.calibrate import (
    DB_FILE,
    DEFAULT_BUDGET,
    DEFAULT_DRAWS,
    DEFAULT_GENERATIONS,
    DEFAULT_KEEP,
    DEFAULT_POPULATION,
    METHODS,
    CalibrationError,
    calibrate,
    calibrate_rejection,
    fit_cutoff,
    fit_not_kept,
    rejection_budget,
)
from libyasim.files import atomic_write_text
from libyasim.folders import MANIFEST_FILE, read_manifest
from libyasim.scenario import Scenario, load_scenario

FORECAST_FILE = "forecast.json"


def check_origin(scenario: Scenario, origin: dt.date) -> None:
    """The origin must lie inside the scenario's runs."""
    start = scenario["scenario.start_date"]
    end = start + dt.timedelta(days=scenario["scenario.horizon_days"])
    if not start <= origin < end:
        raise CalibrationError(f"--origin {origin}: expected a date from the scenario's day 0 "
                               f"({start}) to before its last day ({end})")


def fit_for(origin: dt.date, folder: Path, war: str | Path, params: list[str] | None,
            budget: float, workers: int | None, population: int, generations: int,
            seed: int | None, progress: bool, observations: str | Path | None = None,
            method: str = "smc", draws: int = DEFAULT_DRAWS, keep: int = DEFAULT_KEEP,
            force: bool = False, prior_from: str | Path | None = None,
            rest_from_prior: bool = False) -> Path:
    """Fit on the scenario `war`, reading only what was public by the origin; the fit's
    folder. ABC-SMC continues an unfinished fit in `folder`; rejection ABC fits afresh (a
    folder holding a fit is replaced only with `force`), marginalising every other
    assumption with `rest_from_prior`."""
    war_scenario = load_scenario(war)
    last = war_scenario["scenario.start_date"] + dt.timedelta(
        days=war_scenario["scenario.horizon_days"])
    until = min(origin, last + dt.timedelta(days=1))
    if method == "rejection":
        calibrate_rejection(war, folder, until, observations_file=observations, params=params,
                            draws=draws, keep=keep, workers=workers, seed=seed, force=force,
                            progress=progress, prior_from=prior_from,
                            rest_from_prior=rest_from_prior)
        return folder
    if prior_from is not None or rest_from_prior:
        raise CalibrationError(f"--{'prior-from' if prior_from else 'rest-from-prior'} with "
                               "--fit-on: only with --method rejection")
    calibrate(war, folder, until, observations_file=observations, params=params,
              budget=budget, workers=workers,
              population=population, generations=generations, seed=seed,
              resume=(folder / DB_FILE).exists(), progress=progress)
    return folder


def posterior_for(scenario: Scenario, origin: dt.date, posterior: str | Path | None) -> Path:
    """The fit to reuse: `posterior`, else the scenario's own; refused when it read anything
    published after the origin."""
    named = posterior or scenario["scenario.posterior"]
    if not named:
        raise CalibrationError(f"{scenario.path or scenario.name}: names no posterior; fit one "
                               "with --fit-on SCENARIO (e.g. scenarios/tripoli_offensive_2019.toml"
                               ") or pass --posterior DIR")
    cutoff = fit_cutoff(named)
    if cutoff > origin:
        raise CalibrationError(f"{named}: fitted to what was public by {cutoff}, after the "
                               f"origin {origin}; a forecast issued on {origin} cannot use it. "
                               "Fit on what was public by then (--fit-on)")
    return Path(named)


def forecast(scenario_path: str | Path, origin: dt.date, out: str | Path,
             posterior: str | Path | None = None, fit_on: str | Path | None = None,
             fit_out: str | Path | None = None, params: list[str] | None = None,
             runs: int | None = None, seed: int | None = None,
             budget: float = DEFAULT_BUDGET, workers: int | None = None,
             population: int = DEFAULT_POPULATION, generations: int = DEFAULT_GENERATIONS,
             resume: bool = False, force: bool = False, progress: bool = True,
             backend: Any = None, observations: str | Path | None = None,
             method: str = "smc", draws: int = DEFAULT_DRAWS,
             keep: int = DEFAULT_KEEP, rest_from_prior: bool = False,
             prior_from: str | Path | None = None) -> dict[str, Any]:
    """Fit (or reuse a fit), run and condition a forecast issued on `origin`; return
    forecast.json's content (without the weights)."""
    from libyasim.conditioning import condition
    from libyasim.draws import from_posterior
    from libyasim.ensemble import run_ensemble
    from libyasim.observations import load_observations
    from libyasim.validate import RESAMPLE_SEED, read_run

    out = Path(out)
    scenario = load_scenario(scenario_path)
    check_origin(scenario, origin)
    seed = scenario["scenario.seed"] if seed is None else seed
    if prior_from is not None and fit_on is None:
        raise CalibrationError("--prior-from: only with --fit-on (it is the prior of a new fit)")
    if fit_on is not None:
        folder = Path(fit_out) if fit_out else out.with_name(out.name + "-fit")
        fitted = fit_for(origin, folder, fit_on, params, budget, workers, population, generations,
                         seed, progress, observations, method, draws, keep, force, prior_from,
                         rest_from_prior)
        posterior = fitted
    chosen = posterior_for(scenario, origin, posterior).resolve()
    issued = scenario.with_overrides({"scenario.information_cutoff": origin,
                                      "scenario.posterior": str(chosen)}, source="forecast")
    runs = runs or scenario["scenario.runs"]
    drawn = from_posterior(chosen, rest_from_prior=rest_from_prior)
    run_ensemble(issued, out, runs=runs, seed=seed, resume=resume, progress=progress,
                 force=force, draws=drawn, backend=backend)
    view, _ = read_run(out)
    record: dict[str, Any] = {
        "origin": origin.isoformat(), "scenario": str(scenario_path), "runs": runs,
        "seed": seed, "posterior": str(chosen), "posterior_cutoff": fit_cutoff(chosen).isoformat(),
        "posterior_not_kept": fit_not_kept(chosen),
        "fitted_here": fit_on is not None,
        "rest_from_prior": drawn.kind == "posterior+prior",
        "starts_from": ("the situation of the origin (the scenario's day 0)"
                        if origin == view.start_date else
                        f"the scenario's day 0 ({view.start_date}), conditioned on the origin"),
        "conditioning": None,
    }
    if origin > view.start_date:
        known = condition(view, load_observations(observations), origin)
        record["conditioning"] = known.summary()
        record["weights"] = [float(w) for w in known.weights]
        record["resampled_runs"] = ([int(i) for i in known.resample(seed=RESAMPLE_SEED)]
                                    if known.kept else [])
    atomic_write_text(json.dumps(record, indent=1), out / FORECAST_FILE)
    _note_in_manifest(out, record)
    return {k: v for k, v in record.items() if k not in ("weights", "resampled_runs")}


def situation_file(scenario: str | Path, origin: dt.date) -> Path | None:
    """The situation file of the origin beside the scenario (situation_DATE.toml), if any."""
    path = Path(scenario).parent / f"situation_{origin.isoformat()}.toml"
    return path if path.is_file() else None


def _note_in_manifest(out: Path, record: dict[str, Any]) -> None:
    """The manifest says which forecast the folder holds (origin, posterior, conditioning)."""
    manifest = read_manifest(out) or {}
    manifest["forecast"] = {k: v for k, v in record.items()
                            if k not in ("weights", "resampled_runs")}
    atomic_write_text(json.dumps(manifest, indent=1), out / MANIFEST_FILE)


# ---------------------------------------------------------------------------- CLI
def cmd_forecast(args: argparse.Namespace) -> int:
    from libyasim import analysis, plots
    from libyasim.results import Results
    from libyasim.validate import MIN_ESS

    from libyasim.screen import parameters_to_fit

    draws, keep = rejection_budget(args.method, args.draws, args.keep)
    params = parameters_to_fit(args.params, args.params_from)
    try:
        record = forecast(args.scenario, args.origin, args.out, args.posterior, args.fit_on,
                          args.fit_out, params, args.runs, args.seed, args.budget, args.workers,
                          args.population, args.generations, args.resume, args.force,
                          progress=not args.quiet, observations=args.observations,
                          method=args.method, draws=draws, keep=keep,
                          rest_from_prior=args.rest_from_prior, prior_from=args.prior_from)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished fit generations and runs are kept in {args.out}; "
              "the same command with --resume continues", file=sys.stderr)
        return 130
    paths = plots.save_all(analysis.analyse(Results.load(args.out)))
    print(f"forecast issued on {record['origin']}: {record['runs']} runs of {record['scenario']}"
          f" (seed {record['seed']}), parameters drawn from {record['posterior']} (fitted to "
          f"what was public by {record['posterior_cutoff']})")
    print(f"the runs start from {record['starts_from']}")
    if record["posterior_not_kept"]:
        print(f"warning: the fit does not keep {', '.join(record['posterior_not_kept'])} of what "
              f"it was fitted to (its posterior predictive check, {record['posterior']}/"
              "calibration.json): read the forecast with that in mind", file=sys.stderr)
    known = record["conditioning"]
    if known:
        print(f"conditioned on what was known on {record['origin']}: {known['kept']} of "
              f"{known['runs']} runs kept, effective sample size {known['ess']:.1f}")
        if known["ess"] < MIN_ESS:
            print(f"warning: the conditioned forecast rests on fewer than {MIN_ESS} runs' worth; "
                  "few runs reproduce what was known then: run more (--runs)", file=sys.stderr)
        situation = situation_file(args.scenario, args.origin)
        if situation is not None:
            print(f"a forecast that starts from the situation known on {record['origin']}: "
                  f"`libyasim forecast {situation} --origin {record['origin']}`")
    print(f"wrote {args.out}/{FORECAST_FILE}, the ensemble's files and {len(paths)} plots; "
          f"score it with `libyasim validate {args.out}`")
    return 0


def add_command(sub: Any) -> None:
    """Register `libyasim forecast`."""
    fc = sub.add_parser("forecast", help="a forecast issued on a date: fitted on what was "
                        "public by then, run, and conditioned on the situation known then")
    fc.add_argument("scenario", help="scenario file (TOML) of the forecast's runs")
    fc.add_argument("--origin", type=arguments.date, required=True, metavar="DATE",
                    help="the day the forecast is issued; nothing published later is used")
    fc.add_argument("--out", required=True, metavar="DIR", help="output folder")
    fc.add_argument("--observations", metavar="FILE",
                    help="observations CSV for the fit and the conditioning (default: the "
                    "shipped observations.csv); only rows public by --origin are read")
    fc.add_argument("--posterior", metavar="FIT",
                    help="reuse this fit (a `libyasim calibrate` folder; default: the "
                    "scenario's own posterior); refused if fitted after --origin")
    fc.add_argument("--fit-on", metavar="SCENARIO",
                    help="fit now on this scenario (e.g. scenarios/tripoli_offensive_2019.toml) "
                    "up to --origin")
    fc.add_argument("--fit-out", metavar="FIT", help="with --fit-on: the fit's folder "
                    "(default: the --out folder's name with -fit, beside it); an unfinished "
                    "fit there with the same settings is continued")
    fc.add_argument("--params-from", metavar="SCREEN",
                    help="with --fit-on: fit the parameters a screen chose "
                    "(`calibrate --screen`)")
    fc.add_argument("--params", nargs="+", metavar="NAME", help="with --fit-on: (more) "
                    "parameters to fit")
    fc.add_argument("--method", choices=METHODS, default="smc",
                    help="with --fit-on: smc (ABC-SMC, default) or rejection (the --keep "
                    "nearest of --draws runs from the priors; see `libyasim calibrate`)")
    fc.add_argument("--draws", type=arguments.whole(2, 10_000_000),
                    help=f"with --method rejection: draws from the priors (default "
                    f"{DEFAULT_DRAWS:,})")
    fc.add_argument("--keep", type=arguments.whole(2, 10_000_000),
                    help=f"with --method rejection: draws kept (default {DEFAULT_KEEP})")
    fc.add_argument("--prior-from", metavar="FIT",
                    help="with --fit-on and --method rejection: an earlier fit (e.g. on the 2019 "
                    "war) whose posterior is the prior of its parameters (sequential ABC; see "
                    "`libyasim calibrate`)")
    fc.add_argument("--budget", type=arguments.seconds, default=DEFAULT_BUDGET,
                    metavar="SECONDS", help=f"the fit's time budget (default {DEFAULT_BUDGET})")
    fc.add_argument("--population", type=arguments.whole(2, 100_000),
                    default=DEFAULT_POPULATION, help="the fit's particles per generation")
    fc.add_argument("--generations", type=arguments.whole(1, 1000),
                    default=DEFAULT_GENERATIONS, help="the fit's generations at most")
    fc.add_argument("--workers", type=arguments.positive_int, help="the fit's processes")
    fc.add_argument("--rest-from-prior", action="store_true",
                    help="draw every assumption the posterior does not hold from its prior "
                    "range as well (with --fit-on: the fit marginalises them too, see "
                    "`calibrate --rest-from-prior`); default: they keep the registry's values")
    fc.add_argument("--runs", type=arguments.runs, help="runs (default: the scenario's)")
    fc.add_argument("--seed", type=arguments.seed, help="root seed of the fit and the runs (default: the "
                    "scenario's)")
    fc.add_argument("--resume", action="store_true",
                    help="continue an interrupted fit and ensemble in --out")
    fc.add_argument("--force", action="store_true", help="replace the ensemble in --out (and, "
                    "with --method rejection, a fit in the fit's folder)")
    fc.add_argument("--quiet", action="store_true", help="no progress lines")
    fc.set_defaults(func=cmd_forecast)
