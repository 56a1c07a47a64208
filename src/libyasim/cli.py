"""Command line: `libyasim run | check | params`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from libyasim.ensemble import EnsembleError
from libyasim.params import PARAMS
from libyasim.scenario import ScenarioError, load_scenario

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


def cmd_check(args: argparse.Namespace) -> int:
    for path in args.scenarios:
        scenario = load_scenario(path)
        print(f"{path}: ok ({scenario.name}: {len(scenario.overrides)} settings, "
              f"{scenario['scenario.horizon_days']} days, {scenario['scenario.runs']} runs)")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    rows = []
    for name, param in PARAMS.items():
        value = scenario[name]
        rows.append({"name": name, "value": value.isoformat() if isinstance(value, dt.date) else value,
                     "kind": param.kind, "source": param.source, "reason": param.reason,
                     "set_by_scenario": name in scenario.overrides})
    if args.format == "json":
        print(json.dumps([{k: r[k] for k in ("name", "value", "kind", "source", "reason")}
                          for r in rows], indent=1))
        return 0
    import pandas as pd

    table = pd.DataFrame(rows)
    table["name"] = [f"{n}{' *' if s else ''}" for n, s in zip(table["name"], table["set_by_scenario"])]
    table["value"] = [_shorten(str(v), 24) for v in table["value"]]
    table["source"] = [_shorten(s, 90) for s in table["source"]]
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 90,
                           "display.width", 250, "display.colheader_justify", "left"):
        print(table[["name", "value", "kind", "source"]].to_string(
            index=False, formatters={c: f"{{:<{table[c].str.len().max()}}}".format
                                     for c in ("name", "value", "kind", "source")}))
    print("\n* set by the scenario file; others are defaults. `--format json` adds the reasons.")
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
        run_ensemble(scenario, out, runs=runs, seed=seed, workers=args.workers,
                     resume=args.resume, progress=not quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved in {out}; complete them with "
              f"`libyasim run {args.scenario} --out {out} --runs {runs} --seed {seed} --resume`",
              file=sys.stderr)
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
    run.add_argument("--workers", type=_positive_int, default=os.cpu_count(),
                     help="parallel worker processes (default: all cores)")
    run.add_argument("--resume", action="store_true",
                     help="complete an interrupted ensemble in the same --out folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser("check", help="validate scenario files without running them")
    check.add_argument("scenarios", nargs="+", metavar="FILE")
    check.set_defaults(func=cmd_check)

    params = sub.add_parser("params", help="the resolved parameters of a scenario and their sources")
    params.add_argument("scenario")
    params.add_argument("--format", choices=("table", "json"), default="table")
    params.set_defaults(func=cmd_params)
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


if __name__ == "__main__":
    sys.exit(main())
