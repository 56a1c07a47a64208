"""Command line: `libyasim run | check | params | compare | report | app | merge | sweep |
sensitivity | exercises | game | replay`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from libyasim.ensemble import EnsembleError
from libyasim.params import PARAMS
from libyasim.scenario import (
    ScenarioError,
    cutoff_problems,
    default_scenario,
    load_scenario,
    not_public_by,
)

EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed between 0 and 2^63-1, got {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    try:
        shard = int(index), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N such as 0/4, got {text!r}") from None
    if not 0 <= shard[0] < shard[1]:
        raise argparse.ArgumentTypeError(f"expected I/N with 0 <= I < N, got {text!r}")
    return shard


def _add_engine_args(parser: argparse.ArgumentParser) -> None:
    """--workers, --backend, --scheduler: where the runs execute (every command that runs)."""
    parser.add_argument("--workers", type=_positive_int, default=os.cpu_count(),
                        help="parallel worker processes (default: all cores)")
    parser.add_argument("--backend", choices=("local", "dask"), default="local",
                        help="local processes (default) or a Dask cluster")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="Dask scheduler address (default with --backend dask: a local "
                        "cluster of --workers processes)")


def _backend(args: argparse.Namespace):
    from libyasim.ensemble import make_backend

    return make_backend(args.backend, args.workers, args.scheduler)


def cmd_check(args: argparse.Namespace) -> int:
    status = 0
    for path in args.scenarios:
        scenario = load_scenario(path)
        problems = cutoff_problems(scenario)
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        if problems:
            status = EXIT_BAD_INPUT
            continue
        print(f"{path}: ok ({scenario.name}: {len(scenario.overrides)} settings, "
              f"{scenario['scenario.horizon_days']} days, {scenario['scenario.runs']} runs)")
    return status


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def cmd_params(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    shown = (not_public_by(scenario, args.known_by) if args.known_by
             else list(PARAMS.values()))
    rows = [{"name": p.name, "value": _iso(scenario[p.name]), "kind": p.kind,
             "source": p.source, "reason": p.reason, "low": p.range[0], "high": p.range[1],
             "known_on": _iso(p.known_on), "quote": p.quote} for p in shown]
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return 0
    if args.known_by and not rows:
        print(f"every value {scenario.name} uses was public by {args.known_by.isoformat()}")
        return 0
    import pandas as pd

    table = pd.DataFrame(rows, columns=["name", "value", "kind", "known_on", "source"])
    table["name"] = [f"{n}{' *' if n in scenario.overrides else ''}" for n in table["name"]]
    table["value"] = [_shorten(str(v), 24) for v in table["value"]]
    table["known_on"] = [v or "" for v in table["known_on"]]
    table["source"] = [_shorten(p.citation, 90) for p in shown]
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 90,
                           "display.width", 250, "display.colheader_justify", "left"):
        print(table.to_string(index=False, formatters={
            c: f"{{:<{max(1, table[c].str.len().max())}}}".format for c in table.columns}))
    if args.known_by:
        print(f"\nthe values {scenario.name} uses that were not public by "
              f"{args.known_by.isoformat()}")
    print("\n* set by the scenario file; others are defaults. `--format json` adds the "
          "reasons, ranges and quotes.")
    return 0


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def cmd_run(args: argparse.Namespace) -> int:
    from libyasim import analysis, plots
    from libyasim.ensemble import load_results, run_ensemble

    scenario = load_scenario(args.scenario)
    out = Path(args.out or Path("results") / Path(args.scenario).stem)
    runs = args.runs or scenario["scenario.runs"]
    seed = scenario["scenario.seed"] if args.seed is None else args.seed
    quiet = args.quiet
    if not quiet:
        print(f"running {runs} runs of '{scenario.name}' (seed {seed}) into {out}", file=sys.stderr)
    try:
        run_ensemble(scenario, out, runs=runs, seed=seed, resume=args.resume,
                     progress=not quiet, shard=args.shard, backend=_backend(args))
    except KeyboardInterrupt:
        shard = f" --shard {args.shard[0]}/{args.shard[1]}" if args.shard else ""
        print(f"\ninterrupted: finished runs are saved in {out}; complete them with "
              f"`libyasim run {args.scenario} --out {out} --runs {runs} --seed {seed}{shard} "
              "--resume`", file=sys.stderr)
        return EXIT_INTERRUPTED
    runs_df, series, manifest = load_results(out)
    paths = plots.save_all(runs_df, series, manifest, out)
    if not quiet:
        table = analysis.summary(runs_df)
        with __import__("pandas").option_context("display.float_format", "{:,.2f}".format,
                                                 "display.width", 200):
            print(table.to_string())
        states = analysis.end_state_probabilities(runs_df)
        print("\nend states (share of runs, 95% interval):")
        for _, row in states.iterrows():
            print(f"  {row.end_state:<22} {row.probability:6.1%}  [{row.low:.1%}, {row.high:.1%}]")
        print(f"\nwrote {out}/runs.parquet, series.parquet, manifest.json and "
              f"{len(paths)} plots in {out}/plots")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from libyasim import compare, plots

    if len(args.scenarios) < 2:
        print("error: compare needs at least two scenario files", file=sys.stderr)
        return EXIT_BAD_INPUT
    scenarios = [load_scenario(path) for path in args.scenarios]
    runs = args.runs or scenarios[0]["scenario.runs"]
    seed = scenarios[0]["scenario.seed"] if args.seed is None else args.seed
    out = Path(args.out or Path("results") / ("compare-" + "-".join(
        Path(p).stem for p in args.scenarios))[:120])
    log = None if args.quiet else (lambda text: print(text, file=sys.stderr))
    if log:
        log(f"comparing {len(scenarios)} scenarios, {runs} runs each with root seed {seed}, "
            f"into {out}")
    results = compare.run_comparison(scenarios, out, runs, seed, workers=args.workers,
                                     progress=not args.quiet, log=log)
    tables = compare.write_tables(results, out)
    paths = plots.save_comparison(results, out, tables["differences"])
    if not args.quiet:
        print(compare.format_differences(tables["differences"], results[0].name))
        tests = tables["logrank"]
        print("\ntruce survival, log-rank test against " + results[0].name + ":")
        for _, row in tests.iterrows():
            text = row.note or f"z = {row.statistic:+.2f}, p = {row.pvalue:.3g}"
            print(f"  {row.scenario:<24} {text}")
        print(f"\nwrote {out}/differences.csv, logrank.csv, end_states.csv, outcomes.csv and "
              f"{len(paths)} plots in {out}/plots")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from libyasim.report import write_report

    path = write_report(args.folder, args.output)
    print(f"wrote {path}")
    return 0


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port between 1 and 65535, got {value}")
    return value


def cmd_app(args: argparse.Namespace) -> int:
    from libyasim.serve import SCENARIO_ENV, serve

    env = {k: v for k, v in os.environ.items() if k != SCENARIO_ENV}
    if args.scenario:
        load_scenario(args.scenario)  # a bad file fails here, with a clear message
        env[SCENARIO_ENV] = str(Path(args.scenario).resolve())
    return serve("app", "libyasim.app", host=args.host, port=args.port, env=env)


def cmd_merge(args: argparse.Namespace) -> int:
    from libyasim import plots
    from libyasim.ensemble import load_results, merge_shards

    out = merge_shards(args.folders, args.out)
    runs_df, series, manifest = load_results(out)
    paths = plots.save_all(runs_df, series, manifest, out)
    print(f"merged {len(args.folders)} shards ({len(runs_df)} runs) into {out}: runs.parquet, "
          f"{'series.parquet, ' if series is not None else ''}manifest.json and "
          f"{len(paths)} plots in {out}/plots")
    return 0


def _ranges(args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    from libyasim.sweep import check_ranges, parse_param

    ranges = dict(parse_param(text) for text in args.param)
    return check_ranges(ranges)


def cmd_sweep(args: argparse.Namespace) -> int:
    from libyasim.sweep import DEFAULT_OUTCOMES, sweep

    scenario = load_scenario(args.scenario)
    ranges = _ranges(args)
    out = Path(args.out or Path("results") / f"sweep-{Path(args.scenario).stem}")
    outcomes = args.outcome or list(DEFAULT_OUTCOMES)
    try:
        table = sweep(scenario, ranges, out, design=args.design, levels=args.levels,
                      samples=args.samples, runs=args.runs, seed=args.seed, outcomes=outcomes,
                      backend=_backend(args), resume=args.resume, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved in {out}; complete them by repeating "
              "the command with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        with __import__("pandas").option_context("display.width", 200, "display.max_columns", 40,
                                                 "display.float_format", "{:,.3g}".format):
            print(table[["point", *ranges, "runs", *outcomes]].to_string(index=False))
        print(f"\nwrote {out}/runs.parquet, sweep.csv and sweep.png")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from libyasim.sweep import sensitivity, sensitivity_figure

    scenario = load_scenario(args.scenario)
    ranges = _ranges(args)
    out = Path(args.out or Path("results") / f"{args.method}-{Path(args.scenario).stem}")
    try:
        table = sensitivity(scenario, ranges, args.outcome, method=args.method,
                            samples=args.samples, runs=args.runs, seed=args.seed,
                            out=out / "runs", backend=_backend(args), progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved in {out}/runs; the same command "
              "completes them", file=sys.stderr)
        return EXIT_INTERRUPTED
    table.to_csv(out / "sensitivity.csv", index=False)
    sensitivity_figure(table).savefig(out / "sensitivity.png", dpi=110)
    if not args.quiet:
        with __import__("pandas").option_context("display.width", 200,
                                                 "display.float_format", "{:,.3g}".format):
            print(table.to_string(index=False))
        print(f"\nwrote {out}/sensitivity.csv, sensitivity.png and the runs in {out}/runs")
    return 0


def cmd_exercises(args: argparse.Namespace) -> int:
    from libyasim.exercises import render_keys, stale_keys

    if args.check:
        stale = stale_keys(args.folder, workers=args.workers)
        for path in stale:
            print(f"stale: {path} (regenerate with `libyasim exercises {args.folder}`)")
        if not stale:
            print(f"{args.folder}: every answer key matches the model")
        return 1 if stale else 0
    for path in render_keys(args.folder, workers=args.workers):
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="libyasim", description="Ceasefire dynamics in Libya's civil war (January 2020 on): "
        "agent-based Monte Carlo simulation.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a Monte Carlo ensemble of a scenario, with plots")
    run.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/baseline.toml")
    run.add_argument("--runs", type=_positive_int, help="number of runs (default: the scenario's)")
    run.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    run.add_argument("--out", help="output folder (default: results/SCENARIO)")
    _add_engine_args(run)
    run.add_argument("--shard", type=_shard, metavar="I/N",
                     help="run only slice I of N (0-based), e.g. for a job array; join the "
                     "slices with `libyasim merge`")
    run.add_argument("--resume", action="store_true",
                     help="complete an interrupted ensemble in the same --out folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    run.set_defaults(func=cmd_run)

    merge = sub.add_parser("merge", help="join the shards of one ensemble (run with --shard)")
    merge.add_argument("folders", nargs="+", metavar="DIR", help="the shards' output folders")
    merge.add_argument("--out", required=True, help="output folder of the joined ensemble")
    merge.set_defaults(func=cmd_merge)

    param_help = ("numeric parameter and its range, e.g. truce.spoiler_rate=0.02:0.2 "
                  "(repeat for several; whole-number parameters are rounded)")
    swp = sub.add_parser("sweep", help="run a scenario over a grid or Latin hypercube of "
                         "parameter values")
    swp.add_argument("scenario", help="scenario file (TOML) whose other parameters stay fixed")
    swp.add_argument("--param", action="append", required=True, metavar="NAME=LOW:HIGH",
                     help=param_help)
    swp.add_argument("--design", choices=("factorial", "lhs"), default="factorial",
                     help="full factorial grid (default) or Latin hypercube")
    swp.add_argument("--levels", type=_positive_int, default=3,
                     help="values per parameter in a factorial design (default: 3)")
    swp.add_argument("--samples", type=_positive_int, default=16,
                     help="design points of a Latin hypercube (default: 16)")
    swp.add_argument("--runs", type=_positive_int, default=20,
                     help="runs per design point (default: 20)")
    swp.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    swp.add_argument("--outcome", action="append", metavar="NAME",
                     help="outcome to tabulate and plot (repeatable; default: a standard set); "
                     "a runs.parquet column or end_state=NAME")
    swp.add_argument("--out", help="output folder (default: results/sweep-SCENARIO)")
    _add_engine_args(swp)
    swp.add_argument("--resume", action="store_true",
                     help="complete an interrupted sweep in the same --out folder")
    swp.add_argument("--quiet", action="store_true", help="no progress bar or table")
    swp.set_defaults(func=cmd_sweep)

    sens = sub.add_parser("sensitivity", help="global sensitivity analysis (Sobol or Morris) "
                          "of outcomes to parameters")
    sens.add_argument("scenario", help="scenario file (TOML) whose other parameters stay fixed")
    sens.add_argument("--param", action="append", required=True, metavar="NAME=LOW:HIGH",
                      help=param_help)
    sens.add_argument("--outcome", action="append", required=True, metavar="NAME",
                      help="outcome to analyse (repeatable): a runs.parquet column such as "
                      "truce_collapse_day or battle_deaths, or end_state=NAME")
    sens.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    sens.add_argument("--samples", type=_positive_int, default=64,
                      help="Sobol base samples (a power of 2) or Morris trajectories "
                      "(default: 64)")
    sens.add_argument("--runs", type=_positive_int, default=10,
                      help="runs per design point (default: 10)")
    sens.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    sens.add_argument("--out", help="output folder (default: results/METHOD-SCENARIO)")
    _add_engine_args(sens)
    sens.add_argument("--quiet", action="store_true", help="no progress bar or table")
    sens.set_defaults(func=cmd_sensitivity)

    check = sub.add_parser("check", help="validate scenario files without running them; fail "
                           "a file that uses information published after its information_cutoff")
    check.add_argument("scenarios", nargs="+", metavar="FILE")
    check.set_defaults(func=cmd_check)

    params = sub.add_parser("params", help="the resolved parameters of a scenario and their sources")
    params.add_argument("scenario", nargs="?", help="scenario file (default: the model's defaults)")
    params.add_argument("--format", choices=("table", "json"), default="table")
    params.add_argument("--known-by", type=_date, metavar="YYYY-MM-DD",
                        help="list only the values the scenario uses that were not public by "
                        "this date")
    params.set_defaults(func=cmd_params)

    comp = sub.add_parser("compare", help="run scenarios with the same seeds and compare them")
    comp.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                      help="two or more scenario files; the first is the reference")
    comp.add_argument("--runs", type=_positive_int,
                      help="runs per scenario (default: the first scenario's)")
    comp.add_argument("--seed", type=_seed,
                      help="root seed shared by all scenarios (default: the first scenario's)")
    comp.add_argument("--out", help="output folder (default: results/compare-A-B...)")
    comp.add_argument("--workers", type=_positive_int, default=os.cpu_count(),
                      help="parallel worker processes (default: all cores)")
    comp.add_argument("--quiet", action="store_true", help="no progress or tables")
    comp.set_defaults(func=cmd_compare)

    report = sub.add_parser("report", help="one self-contained HTML page of a run or compare folder")
    report.add_argument("folder", help="a folder written by `libyasim run` or `libyasim compare`")
    report.add_argument("--output", help="HTML file to write (default: FOLDER/report.html)")
    report.set_defaults(func=cmd_report)

    app = sub.add_parser("app", help="the interactive classroom app in a browser")
    app.add_argument("scenario", nargs="?", help="scenario file (default: the baseline)")
    app.add_argument("--port", type=_port, default=8765, help="port (default: 8765)")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this computer only; "
                          "0.0.0.0 opens it to the network)")
    app.set_defaults(func=cmd_app)

    exercises = sub.add_parser("exercises", help="recompute the exercises' answer keys")
    exercises.add_argument("folder", nargs="?", default="exercises",
                           help="folder of exercise folders (default: exercises)")
    exercises.add_argument("--check", action="store_true",
                           help="write nothing; exit 1 if a committed key is out of date")
    exercises.add_argument("--workers", type=_positive_int, default=os.cpu_count(),
                           help="parallel worker processes (default: all cores)")
    exercises.set_defaults(func=cmd_exercises)

    from libyasim.game.cli import add_commands as add_game_commands

    add_game_commands(sub)  # game, replay
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, EnsembleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
