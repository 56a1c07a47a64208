"""Where a run of the 365-day baseline spends its time (run by hand).

    .venv/bin/python benchmarks/profile_step.py [--runs 10] [--top 25]

Profiles `simulate` with cProfile and prints the functions with the most own time, then the
share of the run spent in each model method (time including callees).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from libyasim.model import simulate
from libyasim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    scenario = load_scenario(BASELINE)
    simulate(scenario, 0)  # warm caches and imports
    start = time.perf_counter()
    for seed in range(args.runs):
        simulate(scenario, seed)
    plain = (time.perf_counter() - start) / args.runs
    profile = cProfile.Profile()
    profile.enable()
    for seed in range(args.runs):
        simulate(scenario, seed)
    profile.disable()
    stats = pstats.Stats(profile)
    print(f"one 365-day run: {plain * 1000:.0f} ms without the profiler\n")
    stats.sort_stats("tottime").print_stats(args.top)
    total = stats.total_tt
    rows = [(func[2], cum) for func, (_, _, _, cum, _) in stats.stats.items()
            if "libyasim" in func[0] or "mesa" in func[0]]
    print("share of run time, including callees (calls overlap, shares do not add up):")
    for name, cum in sorted(rows, key=lambda r: -r[1])[: args.top]:
        print(f"  {name:<32} {cum / total:6.1%}")


if __name__ == "__main__":
    main()
