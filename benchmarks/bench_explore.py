"""Scenario discovery speed (run by hand, not by the tests).

    .venv/bin/python benchmarks/bench_explore.py [--samples 10000] [--workers 2] [--runs 1]
    .venv/bin/python benchmarks/bench_explore.py --analysis-only [--samples 10000]

Runs `libyasim explore` on the 365-day baseline with every lever and three uncertain values (15
inputs), case "truce_days >= 60", and times its two parts separately: the experiments through
the ensemble engine (wall time, runs per second) and the analysis (PRIM with its reruns on half
the runs, CART, feature scores and the four figures). The goal of issue #17: 10,000 experiments
on 2 cores in under 5 minutes with the compiled core, the analysis in seconds. Wall-clock times
depend on what else runs on the machine. `--analysis-only` times the analysis alone on the
design with a synthetic case (monitors on and the embargo above 0.4, with 10% of the runs
flipped), for sizes the model cannot yet run quickly.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
UNCERTAIN = ["truce.monitoring_effect", "mediation.violation_cost", "forces.wag.command_control"]
GOAL_SECONDS = 300.0  # 10,000 experiments on 2 cores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--analysis-only", action="store_true")
    args = parser.parse_args()
    if args.analysis_only:
        analysis_only(args.samples)
        return

    import matplotlib

    matplotlib.use("Agg")
    from libyasim import discovery
    from libyasim.ensemble import LocalBackend, load_results, run_points
    from libyasim.scenario import load_scenario

    scenario = load_scenario(BASELINE)
    chosen, problems = discovery.plan(scenario, "truce_days >= 60", [], UNCERTAIN,
                                      args.samples, args.runs, seed=1)
    assert chosen is not None, problems
    with tempfile.TemporaryDirectory(prefix="bench-explore-") as tmp:
        out = Path(tmp)
        experiments = discovery.design(chosen.inputs, chosen.samples, chosen.method, chosen.seed)
        points = [{str(k): v for k, v in row.items() if k != "experiment"}
                  for row in experiments.to_dict("records")]
        start = time.perf_counter()
        run_points(scenario, points, out, runs=chosen.runs, seed=chosen.seed,
                   backend=LocalBackend(args.workers), progress=True, own_seeds=True)
        run_seconds = time.perf_counter() - start
        runs = load_results(out)[0]
        discovery._ema()  # the import (seconds) is not part of the analysis
        start = time.perf_counter()
        found = discovery.analyse(scenario, experiments, runs, chosen.inputs, chosen.case,
                                  chosen.settings)
        analysis_seconds = time.perf_counter() - start
        start = time.perf_counter()
        discovery.save(found, out)
        save_seconds = time.perf_counter() - start
    n = len(runs)
    print(f"experiments: {chosen.samples:,} x {chosen.runs} runs = {n:,} runs, "
          f"{len(chosen.inputs)} inputs, {args.workers} workers")
    print(f"runs:      {run_seconds:8.1f} s  ({n / run_seconds:,.1f} runs/s, "
          f"{1000 * run_seconds * args.workers / n:.1f} ms per run per worker)")
    print(f"analysis:  {analysis_seconds:8.1f} s  (PRIM with {chosen.settings.resamples} "
          "reruns, CART, feature scores)")
    print(f"save:      {save_seconds:8.1f} s  (tables and four figures)")
    projected = run_seconds / n * 10_000 * chosen.runs
    verdict = "meets" if projected + analysis_seconds <= GOAL_SECONDS else "misses"
    print(f"projected for 10,000 experiments: {projected:,.0f} s of runs "
          f"({verdict} the {GOAL_SECONDS:.0f} s goal with the analysis)")
    print("\n".join(found.findings()))


def analysis_only(samples: int) -> None:
    """PRIM (with reruns), CART and feature scores on `samples` experiments, synthetic case."""
    import numpy as np

    from libyasim import discovery

    inputs, _ = discovery.choose_inputs([], UNCERTAIN)
    experiments = discovery.design(inputs, samples, "lhs", seed=1)
    x = experiments[list(inputs)].astype(float)
    rng = np.random.default_rng(1)
    planted = ((x["truce.monitoring"] == 1) & (x["arms.embargo_enforcement"] > 0.4)).to_numpy()
    y = planted ^ (rng.uniform(size=len(planted)) < 0.1)
    discovery._ema()
    settings = discovery.Settings(seed=1)
    timings = {}
    start = time.perf_counter()
    trajectory, boxes = discovery.discover(x, y, replace(settings, resamples=0))
    timings["PRIM"] = time.perf_counter() - start
    start = time.perf_counter()
    discovery.recurrence(discovery._as_categories(x), y, trajectory, settings)
    timings[f"{settings.resamples} PRIM reruns"] = time.perf_counter() - start
    start = time.perf_counter()
    discovery.cart_boxes(x, y, settings.mass_min)
    timings["CART"] = time.perf_counter() - start
    start = time.perf_counter()
    discovery.feature_scores(x, y, 1)
    timings["feature scores"] = time.perf_counter() - start
    chosen = discovery.choose_box(trajectory)
    print(f"{samples:,} experiments, {len(inputs)} inputs, case in {y.mean():.0%}")
    for name, seconds in timings.items():
        print(f"{name:>18}: {seconds:6.1f} s")
    print(f"chosen box {chosen}: " + ", ".join(
        f"{r.input} {r.low:.2f} to {r.high:.2f}" for r in boxes[boxes["box"] == chosen].itertuples()))


if __name__ == "__main__":
    main()
