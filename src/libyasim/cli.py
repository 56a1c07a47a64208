"""Command line: `libyasim run | check | params | compare | counterfactuals | report | app |
merge | sweep | sensitivity | calibrate | forecast | validate | explore | exercises | game |
replay`."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

from libyasim import __version__, arguments
from libyasim.calibrate import CalibrationError
from libyasim.check import load_checked
from libyasim.ensemble import interruption_note
from libyasim.extras import MissingExtra
from libyasim.files import FolderError, describe
from libyasim.mechanisms import MechanismError
from libyasim.observations import ObservationError
from libyasim.params import PARAMS, Param
from libyasim.scenario import (Scenario, ScenarioError, default_scenario, load_scenario,
                               not_public_by)

EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130


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
    parser.add_argument("--workers", type=arguments.positive_int, default=os.cpu_count(),
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
    from libyasim.check import problems

    bad = 0
    for path in args.scenarios:
        found = problems(path)
        if found:
            bad += 1
            for problem in found:
                print(f"error: {problem}", file=sys.stderr)
            continue
        scenario = load_scenario(path)
        print(f"{path}: ok ({scenario.name}: {len(scenario.overrides)} settings, "
              f"{scenario['scenario.horizon_days']} days, {scenario['scenario.runs']} runs)")
    if bad and len(args.scenarios) > 1:
        print(f"{bad} of {len(args.scenarios)} files have problems", file=sys.stderr)
    return EXIT_BAD_INPUT if bad else 0


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _text(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(_iso(value)) if value is not None else ""


def _param_range(param: Param) -> str:
    """The range shown: the prior of a judged or fitted value ("(log)" when it is drawn
    uniformly in its logarithm), else the allowed range."""
    if param.choices:
        return " | ".join(param.choices)
    if param.type is bool:
        return "true | false"
    low, high = param.range
    if low is None and high is None:
        return "on/after day 0" if param.on_or_after_start else ""
    lo, hi = _text(low), _text(high)
    if lo and hi:
        return f"{lo} to {hi}" + (" (log)" if param.log_prior else "")
    return f">= {lo}" if lo else f"<= {hi}"


def params_rows(scenario: Scenario, shown: list[Param] | None = None) -> list[dict[str, str]]:
    """The rows of the `params` table: name (* when the scenario sets it), value, range, kind,
    known_on, source (an article entry with its quote). Extend here to show more fields."""
    rows = []
    for p in PARAMS.values() if shown is None else shown:
        rows.append({"name": p.name + (" *" if p.name in scenario.overrides else ""),
                     "value": _text(scenario[p.name]), "range": _param_range(p),
                     "kind": p.kind, "known_on": _text(p.known_on), "source": p.citation})
    return rows


def params_table(scenario: Scenario, width: int | None = None,
                 shown: list[Param] | None = None) -> str:
    """The `params` table as text: every cell in full, long cells wrapped (the source to the
    terminal's width, values and ranges to at most 24 characters). On a terminal too narrow
    for six columns, kind, known_on and source go on an indented line under each row."""
    rows = params_rows(scenario, shown)
    columns = ["name", "value", "range", "kind", "known_on", "source"]
    width = width or shutil.get_terminal_size((120, 24)).columns
    limit = {"value": 24, "range": 24}
    fixed = {c: min(limit.get(c, 10**6), max(len(c), *(len(r[c]) for r in rows)))
             for c in columns[:-1]}
    if sum(fixed.values()) + 2 * len(fixed) + 30 > width:
        return _params_table_narrow(rows, fixed, width)
    fixed[columns[-1]] = width - sum(fixed.values()) - 2 * len(fixed)
    lines = []
    for row in [dict(zip(columns, columns)), *rows]:
        cells = [textwrap.wrap(row[c], fixed[c], break_on_hyphens=False) or [""] for c in columns]
        for parts in itertools.zip_longest(*cells, fillvalue=""):
            lines.append("  ".join(p.ljust(fixed[c]) for p, c in zip(parts, columns)).rstrip())
    return "\n".join(lines)


def _params_table_narrow(rows: list[dict[str, str]], fixed: dict[str, int], width: int) -> str:
    """name, value and range on one line; kind, known_on and source wrapped under it."""
    columns = ["name", "value", "range"]
    lines = ["  ".join(c.ljust(fixed[c]) for c in columns).rstrip(),
             "    kind, known on: source"]
    for row in rows:
        cells = [textwrap.wrap(row[c], fixed[c], break_on_hyphens=False) or [""] for c in columns]
        for parts in itertools.zip_longest(*cells, fillvalue=""):
            lines.append("  ".join(p.ljust(fixed[c]) for p, c in zip(parts, columns)).rstrip())
        known = f", known {row['known_on']}" if row["known_on"] else ""
        lines += textwrap.wrap(f"{row['kind']}{known}: {row['source']}", max(40, width - 4),
                               initial_indent="    ", subsequent_indent="    ",
                               break_on_hyphens=False)
    return "\n".join(lines)


def cmd_params(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    shown = (not_public_by(scenario, args.known_by) if args.known_by
             else list(PARAMS.values()))
    if args.format == "json":
        rows = [{"name": p.name, "value": _iso(scenario[p.name]), "kind": p.kind,
                 "source": p.source, "reason": p.reason, "low": p.range[0], "high": p.range[1],
                 "log_prior": p.log_prior, "known_on": _iso(p.known_on),
                 "informed_by": _iso(p.informed_by), "quote": p.quote} for p in shown]
        print(json.dumps(rows, indent=1))
        return 0
    if args.known_by and not shown:
        print(f"every value {scenario.name} uses was public by {args.known_by.isoformat()}")
        return 0
    if args.known_by:
        print(f"the values {scenario.name} uses that were not public by "
              f"{args.known_by.isoformat()}:\n")
    print(params_table(scenario, shown=shown))
    print("\n* set by the scenario file; others are defaults.\n"
          "`--format json` adds the reasons, ranges and quotes. A prior's median is the "
          "value (unless it is at a bound);\n(log): drawn uniformly in its logarithm on "
          "each side of it.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from libyasim import analysis, plots
    from libyasim.ensemble import run_ensemble
    from libyasim.folders import read_manifest
    from libyasim.results import Results

    loaded = load_checked([args.scenario])
    if loaded is None:
        return EXIT_BAD_INPUT
    scenario = loaded[0]
    out = Path(args.out or Path("results") / Path(args.scenario).stem)
    runs = args.runs or scenario["scenario.runs"]
    seed = scenario["scenario.seed"] if args.seed is None else args.seed
    quiet = args.quiet
    if not quiet:
        print(f"running {runs} runs of '{scenario.name}' (seed {seed}) into {out}", file=sys.stderr)
    from libyasim.draws import resolve

    draws = resolve(scenario, args.posterior, args.prior, args.no_draws)
    if draws is not None and not quiet:
        print(f"each run draws {len(draws.names)} parameters from the {draws.kind} "
              f"({draws.source})", file=sys.stderr)
    before = (read_manifest(out) or {}).get("created") if out.is_dir() else None
    try:
        run_ensemble(scenario, out, runs=runs, seed=seed, resume=args.resume,
                     progress=not quiet, shard=args.shard, backend=_backend(args),
                     force=args.force, draws=draws)
    except KeyboardInterrupt:
        shard = f" --shard {args.shard[0]}/{args.shard[1]}" if args.shard else ""
        print("\n" + interruption_note(
            out, f"complete them with `libyasim run {args.scenario} --out {out} --runs "
            f"{runs} --seed {seed}{shard} --resume`"), file=sys.stderr)
        return EXIT_INTERRUPTED
    reused = before is not None and (read_manifest(out) or {}).get("created") == before
    if reused and not quiet:
        print(f"{out} already holds these {runs} runs (same scenario, settings and seed): "
              "reused, not rerun; --force runs them again", file=sys.stderr)
    results = analysis.analyse(Results.load(out))
    paths = plots.save_all(results)
    if not quiet:
        print(analysis.format_summary(results))
        if results.table("truce").iloc[0]["truce_runs"] == 0:
            print(f"\ntruce: {analysis.NO_TRUCE_NOTE}")
        print("\nend states (share of runs, 95% interval):")
        for _, row in results.table("end_states").iterrows():
            print(f"  {row.end_state:<22} {analysis.share_text(row.probability, row.low, row.high)}")
        print(f"\nwrote {out}/runs.parquet, series.parquet, manifest.json, the tables "
              f"(summary.csv, truce.csv, end_states.csv, survival.csv, ...) and {len(paths)} "
              f"plots in {out}/plots")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from libyasim import comparison as compare
    from libyasim import plots
    from libyasim.results import load_comparison

    if len(args.scenarios) < 2:
        print("error: compare needs at least two scenario files", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.explain and len(args.scenarios) != 2:
        print(f"error: --explain explains the difference between two scenarios (A B); got "
              f"{len(args.scenarios)} files", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.mechanism and not args.explain:
        print("error: --mechanism names the mechanisms --explain switches off; add --explain",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    mechanisms = _mechanisms(args.mechanism) if args.explain else []
    scenarios = load_checked(args.scenarios)
    if scenarios is None:
        return EXIT_BAD_INPUT
    runs = args.runs or scenarios[0]["scenario.runs"]
    seed = scenarios[0]["scenario.seed"] if args.seed is None else args.seed
    out = Path(args.out or Path("results") / ("compare-" + "-".join(
        Path(p).stem for p in args.scenarios))[:120])
    log = None if args.quiet else (lambda text: print(text, file=sys.stderr))
    if log:
        log(f"comparing {len(scenarios)} scenarios, {runs} runs each with root seed {seed}, "
            f"into {out}")
    try:
        results = compare.run_comparison(scenarios, out, runs, seed, workers=args.workers,
                                         progress=not args.quiet, log=log,
                                         command=_command_line(), force=args.force)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished scenarios are saved in {out}/scenarios; the same "
              f"command (`{_command_line()}`) reuses them and runs the rest", file=sys.stderr)
        return EXIT_INTERRUPTED
    tables = compare.write_tables(results, out)
    paths = plots.save_comparison(load_comparison(out))
    if not args.quiet:
        for warning in compare.like_for_like(results):
            print(f"warning: {warning}", file=sys.stderr)
        print(compare.format_summary(tables["summary"]))
        print()
        print(compare.format_differences(tables["differences"], results[0].name))
        tests = tables["logrank"]
        print("\ntruce survival from each truce's start, log-rank test against "
              + results[0].name + ":")
        for _, row in tests.iterrows():
            text = row.note or f"z = {row.statistic:+.2f}, p = {row.pvalue:.3g}"
            print(f"  {row.scenario:<24} {text}")
        print(f"\nwrote {out}/summary.csv, differences.csv, logrank.csv, end_states.csv, "
              f"survival.csv, outcomes.csv and {len(paths)} plots in {out}/plots")
    if args.explain:
        return _explain(args, scenarios, mechanisms, out, runs, seed)
    return 0


def _mechanisms(names: list[str] | None) -> list:
    """The mechanisms `--mechanism` names (all when none), checked before anything runs."""
    from libyasim.mechanisms import select

    return select(names)


def _explain(args: argparse.Namespace, scenarios: list[Scenario], mechanisms: list, out: Path,
             runs: int, seed: int) -> int:
    """`compare A B --explain`: rerun the pair with each mechanism off; print and save the
    table and its figure."""
    from libyasim import explanation as explain

    if not args.quiet:
        print(f"\nexplaining: both scenarios rerun with each of {len(mechanisms)} mechanisms "
              f"off ({runs} runs each, the same seeds), into {out}/{explain.EXPLAIN_DIR}",
              file=sys.stderr)
        for note in explain.draws_notes(scenarios):
            print(f"note: {note}", file=sys.stderr)
    try:
        table = explain.explain(scenarios[0], scenarios[1], out, runs, seed, mechanisms,
                                workers=args.workers, progress=not args.quiet,
                                command=_command_line())
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved in {out}/{explain.EXPLAIN_DIR}; the same "
              f"command (`{_command_line()}`) reuses them", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print("\n" + explain.format_table(table))
        print(f"\nwrote {out}/explain.csv, explain.parquet, explain.json and "
              f"{out}/plots/explain.png")
    return 0


def cmd_counterfactuals(args: argparse.Namespace) -> int:
    from libyasim.counterfactuals import generate

    log = None if args.quiet else (lambda text: print(text, file=sys.stderr))
    try:
        path = generate(args.scenarios, args.out, args.results, runs=args.runs, seed=args.seed,
                        reference=args.reference, workers=args.workers,
                        progress=not args.quiet, force=args.force, log=log)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved in {args.results}; the same command "
              "reuses them", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"wrote {path} (runs and the table counterfactuals.csv in {args.results})")
    return 0


def _command_line() -> str:
    return " ".join(["libyasim", *sys.argv[1:]])


def cmd_report(args: argparse.Namespace) -> int:
    from libyasim.report import write_report

    path = write_report(args.folder, args.output)
    print(f"wrote {path}")
    return 0




def cmd_app(args: argparse.Namespace) -> int:
    from libyasim.extras import require

    require("solara", "app", "libyasim app")
    from libyasim.serve import SCENARIO_ENV, serve

    env = {k: v for k, v in os.environ.items() if k != SCENARIO_ENV}
    if args.scenario:
        if load_checked([args.scenario]) is None:  # what `check` rejects is not served
            return EXIT_BAD_INPUT
        env[SCENARIO_ENV] = str(Path(args.scenario).resolve())
    return serve("app", "libyasim.app", host=args.host, port=args.port, env=env)


def cmd_merge(args: argparse.Namespace) -> int:
    from libyasim import analysis, plots
    from libyasim.ensemble import merge_shards
    from libyasim.results import Results

    out = merge_shards(args.folders, args.out, force=args.force)
    results = analysis.analyse(Results.load(out))
    paths = plots.save_all(results)
    print(f"merged {len(args.folders)} shards ({len(results.runs)} runs) into {out}: "
          f"runs.parquet, {'series.parquet, ' if results.series is not None else ''}"
          "manifest.json, tables and "
          f"{len(paths)} plots in {out}/plots")
    return 0


def _ranges(args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    from libyasim.sweep import check_ranges, parse_param

    ranges = dict(parse_param(text) for text in args.param)
    return check_ranges(ranges)


def cmd_sweep(args: argparse.Namespace) -> int:
    from libyasim.sweep import DEFAULT_OUTCOMES, sweep

    loaded = load_checked([args.scenario])
    if loaded is None:
        return EXIT_BAD_INPUT
    scenario, ranges = loaded[0], _ranges(args)
    out = Path(args.out or Path("results") / f"sweep-{Path(args.scenario).stem}")
    outcomes = args.outcome or list(DEFAULT_OUTCOMES)
    try:
        table = sweep(scenario, ranges, out, design=args.design, levels=args.levels,
                      samples=args.samples, runs=args.runs, seed=args.seed, outcomes=outcomes,
                      backend=_backend(args), progress=not args.quiet, force=args.force)
    except KeyboardInterrupt:
        print("\n" + interruption_note(out, f"the same command (`{_command_line()}`) "
                                        "completes them"), file=sys.stderr)
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
    from libyasim.sweep import findings, save_sensitivity, sensitivity

    loaded = load_checked([args.scenario])
    if loaded is None:
        return EXIT_BAD_INPUT
    scenario, ranges = loaded[0], _ranges(args)
    out = Path(args.out or Path("results") / f"{args.method}-{Path(args.scenario).stem}")
    try:
        table = sensitivity(scenario, ranges, args.outcome, method=args.method,
                            samples=args.samples, runs=args.runs, seed=args.seed,
                            out=out, backend=_backend(args), progress=not args.quiet,
                            force=args.force)
    except KeyboardInterrupt:
        print("\n" + interruption_note(out / "runs", "the same command completes them"),
              file=sys.stderr)
        return EXIT_INTERRUPTED
    wrote = save_sensitivity(table, out)
    if not args.quiet:
        with __import__("pandas").option_context("display.width", 200,
                                                 "display.float_format", "{:,.3g}".format):
            print(table.to_string(index=False))
        print("\n" + "\n".join(findings(table)))
        for warning in table.attrs.get("warnings", []):
            print(f"warning: {warning}", file=sys.stderr)
        print(f"\nwrote {', '.join(f'{out}/{w}' for w in wrote)} and the runs in {out}/runs")
    return 0


def cmd_exercises(args: argparse.Namespace) -> int:
    from libyasim.exercises import render_keys, stale_keys, with_keys

    if not with_keys(args.folder):
        what = "not found" if not Path(args.folder).exists() else "holds no exercise with a key"
        print(f"error: {args.folder}: {what}; expected a folder of exercises, e.g. exercises",
              file=sys.stderr)
        return EXIT_BAD_INPUT
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
    parser.add_argument("--version", action="version", version=f"libyasim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a Monte Carlo ensemble of a scenario, with plots")
    run.add_argument("scenario", help="scenario file (TOML), e.g. scenarios/baseline.toml")
    run.add_argument("--runs", type=arguments.runs,
                     help=f"number of runs, 1 to {arguments.MAX_RUNS:,} (default: the scenario's)")
    run.add_argument("--seed", type=arguments.seed, help="root seed (default: the scenario's)")
    run.add_argument("--out", help="output folder (default: results/SCENARIO)")
    _add_engine_args(run)
    run.add_argument("--shard", type=_shard, metavar="I/N",
                     help="run only slice I of N (0-based), e.g. for a job array; join the "
                     "slices with `libyasim merge`")
    drawn = run.add_mutually_exclusive_group()
    drawn.add_argument("--posterior", metavar="DIR",
                       help="draw each run's parameter set from this calibration's posterior "
                       "(default: the posterior the scenario names, if any)")
    drawn.add_argument("--prior", action="store_true",
                       help="draw each run's assumption parameters from their prior ranges")
    drawn.add_argument("--no-draws", action="store_true",
                       help="run every run at the scenario's values, ignoring its posterior")
    run.add_argument("--resume", action="store_true",
                     help="complete an interrupted ensemble in the same --out folder")
    run.add_argument("--force", action="store_true",
                     help="run again, replacing what --out holds (the folder, whole)")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    run.set_defaults(func=cmd_run)

    merge = sub.add_parser("merge", help="join the shards of one ensemble (run with --shard)")
    merge.add_argument("folders", nargs="+", metavar="DIR", help="the shards' output folders")
    merge.add_argument("--out", required=True, help="output folder of the joined ensemble")
    merge.add_argument("--force", action="store_true",
                       help="replace other results or files in --out (the folder, whole)")
    merge.set_defaults(func=cmd_merge)

    param_help = ("numeric parameter and its range, e.g. truce.spoiler_rate=0.02:0.2, or a bare "
                  "NAME for its prior range in the registry (repeat for several; whole-number "
                  "parameters are rounded)")
    swp = sub.add_parser("sweep", help="run a scenario over a grid or Latin hypercube of "
                         "parameter values")
    swp.add_argument("scenario", help="scenario file (TOML) whose other parameters stay fixed")
    swp.add_argument("--param", action="append", required=True, metavar="NAME=LOW:HIGH",
                     help=param_help)
    swp.add_argument("--design", choices=("factorial", "lhs"), default="factorial",
                     help="full factorial grid (default) or Latin hypercube")
    swp.add_argument("--levels", type=arguments.levels, default=3,
                     help="values per parameter in a factorial design, 2 to 101 (default: 3)")
    swp.add_argument("--samples", type=arguments.samples, default=16,
                     help=f"design points of a Latin hypercube, at most {arguments.MAX_SAMPLES:,} "
                     "(default: 16)")
    swp.add_argument("--runs", type=arguments.runs, default=20,
                     help="runs per design point (default: 20); design points times runs may "
                     f"be at most {arguments.MAX_RUNS:,}")
    swp.add_argument("--seed", type=arguments.seed, help="root seed (default: the scenario's)")
    swp.add_argument("--outcome", action="append", metavar="NAME", type=arguments.outcome,
                     help="outcome to tabulate and plot (repeatable; default: a standard set); "
                     "a runs.parquet column or end_state=NAME")
    swp.add_argument("--out", help="output folder (default: results/sweep-SCENARIO)")
    _add_engine_args(swp)
    swp.add_argument("--force", action="store_true",
                     help="replace other results or files in --out (the folder, whole)")
    swp.add_argument("--quiet", action="store_true", help="no progress bar or table")
    swp.set_defaults(func=cmd_sweep)

    sens = sub.add_parser("sensitivity", help="global sensitivity analysis (Sobol or Morris) "
                          "of outcomes to parameters")
    sens.add_argument("scenario", help="scenario file (TOML) whose other parameters stay fixed")
    sens.add_argument("--param", action="append", required=True, metavar="NAME=LOW:HIGH",
                      help=param_help)
    sens.add_argument("--outcome", action="append", required=True, metavar="NAME",
                      type=arguments.outcome,
                      help="outcome to analyse (repeatable): a runs.parquet column such as "
                      "truce_days or conflict_deaths, or end_state=NAME")
    sens.add_argument("--method", choices=("sobol", "morris"), default="sobol")
    sens.add_argument("--samples", type=arguments.samples, default=64,
                      help="Sobol base samples (a power of 2) or Morris trajectories, at most "
                      f"{arguments.MAX_SAMPLES:,} (default: 64)")
    sens.add_argument("--runs", type=arguments.runs, default=10,
                      help="runs per design point (default: 10); design points times runs may "
                      f"be at most {arguments.MAX_RUNS:,}")
    sens.add_argument("--seed", type=arguments.seed, help="root seed (default: the scenario's)")
    sens.add_argument("--out", help="output folder (default: results/METHOD-SCENARIO)")
    _add_engine_args(sens)
    sens.add_argument("--force", action="store_true",
                      help="replace other results or files in --out (the folder, whole)")
    sens.add_argument("--quiet", action="store_true", help="no progress bar or table")
    sens.set_defaults(func=cmd_sensitivity)

    check = sub.add_parser("check", help="validate scenario files without running them; fail "
                           "a file that uses information published after its information_cutoff")
    check.add_argument("scenarios", nargs="+", metavar="FILE")
    check.set_defaults(func=cmd_check)

    params = sub.add_parser("params", help="the resolved parameters of a scenario and their sources")
    params.add_argument("scenario", nargs="?", help="scenario file (default: the model's defaults)")
    params.add_argument("--format", choices=("table", "json"), default="table")
    params.add_argument("--known-by", type=arguments.date, metavar="YYYY-MM-DD",
                        help="list only the values the scenario uses that were not public by "
                        "this date")
    params.set_defaults(func=cmd_params)

    comp = sub.add_parser("compare", help="run scenarios with the same seeds and compare them")
    comp.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                      help="two or more scenario files; the first is the reference")
    comp.add_argument("--runs", type=arguments.runs,
                      help="runs per scenario (default: the first scenario's)")
    comp.add_argument("--seed", type=arguments.seed,
                      help="root seed shared by all scenarios (default: the first scenario's)")
    comp.add_argument("--out", help="output folder (default: results/compare-A-B...)")
    comp.add_argument("--workers", type=arguments.positive_int, default=os.cpu_count(),
                      help="parallel worker processes (default: all cores)")
    comp.add_argument("--force", action="store_true",
                      help="replace another comparison (other scenarios or seed) in --out")
    comp.add_argument("--quiet", action="store_true", help="no progress or tables")
    comp.add_argument("--explain", action="store_true",
                      help="also rerun both scenarios with each mechanism switched off "
                      "(src/libyasim/data/mechanisms.csv) and report how much of each outcome's "
                      "difference it carries (explain.csv, plots/explain.png)")
    comp.add_argument("--mechanism", action="append", metavar="NAME",
                      help="with --explain: only this mechanism (repeatable; default: all)")
    comp.set_defaults(func=cmd_compare)

    cf = sub.add_parser("counterfactuals", help="write docs/counterfactuals.md: every shipped "
                        "scenario against the baseline, the mechanisms that carry each effect, "
                        "and what the literature says")
    cf.add_argument("--out", default="docs/counterfactuals.md",
                    help="Markdown page to write (default: docs/counterfactuals.md)")
    cf.add_argument("--scenarios", default="scenarios", metavar="DIR",
                    help="folder of the scenario files (default: scenarios)")
    cf.add_argument("--reference", default="baseline.toml", metavar="FILE",
                    help="the reference scenario in that folder (default: baseline.toml)")
    cf.add_argument("--runs", type=arguments.runs, default=200,
                    help="runs of every scenario and variant (default: 200)")
    cf.add_argument("--seed", type=arguments.seed,
                    help="root seed (default: the reference scenario's)")
    cf.add_argument("--results", default="results/counterfactuals", metavar="DIR",
                    help="folder for the runs and counterfactuals.csv (default: "
                    "results/counterfactuals); reused when run again")
    cf.add_argument("--workers", type=arguments.positive_int, default=os.cpu_count(),
                    help="parallel worker processes (default: all cores)")
    cf.add_argument("--force", action="store_true",
                    help="run everything again (after a change to the model's code), replacing "
                    "what --results holds and a page this command did not write")
    cf.add_argument("--quiet", action="store_true", help="no progress")
    cf.set_defaults(func=cmd_counterfactuals)

    report = sub.add_parser("report", help="one self-contained HTML page of a run or compare folder")
    report.add_argument("folder", help="a folder written by `libyasim run` or `libyasim compare`")
    report.add_argument("--output", help="HTML file to write (default: FOLDER/report.html)")
    report.set_defaults(func=cmd_report)

    app = sub.add_parser("app", help="serve the interactive classroom app and print its "
                         "address to open in a browser")
    app.add_argument("scenario", nargs="?", help="scenario file (default: the baseline)")
    app.add_argument("--port", type=arguments.port, default=8765, help="port (default: 8765)")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this computer only; "
                          "0.0.0.0 opens it to the network)")
    app.set_defaults(func=cmd_app)

    exercises = sub.add_parser("exercises", help="recompute the exercises' answer keys")
    exercises.add_argument("folder", nargs="?", default="exercises",
                           help="folder of exercise folders (default: exercises)")
    exercises.add_argument("--check", action="store_true",
                           help="write nothing; exit 1 if a committed key is out of date")
    exercises.add_argument("--workers", type=arguments.positive_int, default=os.cpu_count(),
                           help="parallel worker processes (default: all cores)")
    exercises.set_defaults(func=cmd_exercises)

    from libyasim import calibrate, discovery, forecast, validate
    from libyasim.game.cli import add_commands as add_game_commands

    validate.add_command(sub)
    calibrate.add_command(sub)
    forecast.add_command(sub)
    discovery.add_command(sub)
    add_game_commands(sub)  # game, replay
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MechanismError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (ScenarioError, FolderError, ObservationError, CalibrationError,
            MissingExtra) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except OSError as exc:  # read-only, missing, full: one line, never a traceback
        print(f"error: {describe(exc, action='use')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
