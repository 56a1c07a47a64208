"""Time `compare A B --explain` and `libyasim counterfactuals` (run by hand, not by the tests).

    .venv/bin/python benchmarks/bench_explain.py [--runs 200] [--workers 2] [--pages]

Times, into a fresh temporary folder, the explanation of `no_truce` against the baseline: both
scenarios run as they are and with each mechanism of the mechanisms table switched off (the
engine's workers, no daily series), then the table's statistics and its figure; and once more
with every run reused (the statistics and figure alone). `--pages` also times the whole
counterfactuals page (every shipped scenario against the baseline) into a temporary folder.
Wall-clock figures depend on what else runs on the machine (the load average is printed).

Last measured (7 December 2026, 2 cores shared with other agents' work, load average 3.5 to
6.7, 22 mechanisms, 200 runs, 2 workers): explaining no_truce against the baseline (44
variants, 8,800 runs) took 19.3 s fresh and 2.6 s with every run reused; the whole page (10
scenarios run, 9 pairs explained, about 44,000 runs) took 283 s fresh.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from libyasim import counterfactuals
from libyasim import explanation as explain
from libyasim.mechanisms import read_mechanisms
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--pages", action="store_true")
    args = parser.parse_args()
    a = load_scenario(ROOT / "scenarios" / "baseline.toml")
    b = load_scenario(ROOT / "scenarios" / "no_truce.toml")
    mechanisms = read_mechanisms()
    variants = sum(1 + sum(not m.is_off_in(s) for m in mechanisms) for s in (a, b))
    print(f"load average {os.getloadavg()[0]:.2f}; {len(mechanisms)} mechanisms; "
          f"{variants} variants x {args.runs} runs = {variants * args.runs:,} runs")
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("fresh", "reused"):
            started = time.perf_counter()
            explain.explain(a, b, tmp, args.runs, a["scenario.seed"], mechanisms,
                            workers=args.workers)
            print(f"explain no_truce - baseline, {label}: {time.perf_counter() - started:.1f} s")
    if args.pages:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            counterfactuals.generate(ROOT / "scenarios", Path(tmp) / "page.md",
                                     Path(tmp) / "results", runs=args.runs, workers=args.workers)
            print(f"counterfactuals page, fresh: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
