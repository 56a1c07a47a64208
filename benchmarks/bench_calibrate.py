"""Time the default calibration of the shipped baseline on this machine (run by hand).

    PYTHONPATH=src python benchmarks/bench_calibrate.py [--workers 2] [--budget 900]

Runs `libyasim calibrate scenarios/baseline.toml --until 2020-03-31` with the default
population, generations and budget (all assumption parameters, or those given with --params)
into a temporary folder, and prints the elapsed time, the number of simulations and their rate.
The target is the default finishing in under 20 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from libyasim.calibrate import (
    DEFAULT_BUDGET,
    DEFAULT_GENERATIONS,
    DEFAULT_POPULATION,
    calibrate,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=DEFAULT_BUDGET)
    parser.add_argument("--population", type=int, default=DEFAULT_POPULATION)
    parser.add_argument("--generations", type=int, default=DEFAULT_GENERATIONS)
    parser.add_argument("--params", nargs="+")
    parser.add_argument("--until", default="2020-03-31")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = calibrate(ROOT / "scenarios" / "baseline.toml", Path(tmp) / "cal",
                            dt.date.fromisoformat(args.until), params=args.params,
                            budget=args.budget, workers=args.workers,
                            population=args.population, generations=args.generations,
                            progress=False)
        elapsed = time.perf_counter() - start
    sims = sum(summary["simulations"])
    print(f"parameters fitted: {len(summary['parameters'])}; observations: "
          f"{len(summary['observations_used'])}")
    print(f"generations: {summary['generations']} (stopped by {summary['stopped_by']}); "
          f"epsilons: {', '.join(f'{e:.3g}' for e in summary['epsilon_schedule'])}")
    print(f"simulations: {sims} in {elapsed:.0f} s on {args.workers} workers "
          f"({sims / elapsed:.1f} per second); target: under 1200 s")


if __name__ == "__main__":
    main()
