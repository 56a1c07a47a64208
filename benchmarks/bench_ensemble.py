"""Ensemble speed and memory, side by side in one run (run by hand, not by the tests).

    .venv/bin/python benchmarks/bench_ensemble.py [--runs 200] [--big 1000]
        [--memory-runs 1000 20000] [--memory-horizon 40] [--repeat 2]

Measures, on the 365-day baseline: runs per second of the ensemble engine on 1 and 2 workers;
the same runs (same model class and seeds) through `mesa.batch_run(number_processes=2)`, once
collecting only the last day and once collecting every day (what daily series need); the
time for `--big` runs on 2 workers; and the peak memory (parent and largest worker, in fresh
processes) of ensembles of `--memory-runs` runs. The memory ensembles use a shorter horizon
(`--memory-horizon` days) so that 20,000 runs finish in minutes: memory per chunk does not depend
on the number of runs, which is what the check is about.

Wall-clock timings depend on what else runs on the machine: each speed measurement is repeated
(`--repeat`, interleaved) and the best is kept, and the CPU seconds per run of each method
(which other work barely changes) are printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
TARGETS = {"vs_batch_run": 3.0, "two_vs_one": 1.8, "memory_ratio": 1.2, "big_seconds": 30.0}


def engine_seconds(runs: int, workers: int, seed: int = 1) -> tuple[float, float]:
    """Wall time of `run_ensemble` (with daily series, as `libyasim run`) in a fresh process."""
    code = f"""
import time, tempfile
from libyasim.ensemble import run_ensemble
from libyasim.scenario import load_scenario
s = load_scenario({str(BASELINE)!r})
with tempfile.TemporaryDirectory() as out:
    t = time.perf_counter()
    run_ensemble(s, out, runs={runs}, seed={seed}, workers={workers}, progress=False)
    print(time.perf_counter() - t)
"""
    out, cpu = _python(code)
    return float(out), cpu


def batch_run_seconds(runs: int, seed: int = 1, daily: bool = False) -> tuple[float, float]:
    """Wall time of `mesa.batch_run` on the same model class and run seeds, 2 processes.

    With `daily`, the DataCollector collects every day (`data_collection_period=1`), as is
    needed to get daily series like those the engine writes; otherwise only the last day."""
    params = {"collect_every_step": True} if daily else {}
    period = 1 if daily else -1
    expected = runs * 366 if daily else runs
    code = f"""
import time
import mesa
from libyasim.ensemble import run_seed
from libyasim.model import LibyaModel
seeds = [run_seed({seed}, r) for r in range({runs})]
if __name__ == "__main__":
    t = time.perf_counter()
    results = mesa.batch_run(LibyaModel, {params!r}, number_processes=2, rng=seeds,
                             data_collection_period={period}, display_progress=False)
    assert len(results) == {expected}, len(results)
    print(time.perf_counter() - t)
"""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)  # a file, not -c: batch_run spawns workers that re-import __main__
    try:
        out, cpu = _run([sys.executable, f.name])
        return float(out), cpu
    finally:
        os.unlink(f.name)


def peak_memory(runs: int, horizon: int, workers: int = 2) -> dict[str, float]:
    """Peak resident memory (MB) of the parent and of the largest worker, and the time."""
    code = f"""
import json, resource, tempfile, time
from libyasim.ensemble import run_ensemble
from libyasim.scenario import load_scenario
s = load_scenario({str(BASELINE)!r}).with_overrides({{"scenario.horizon_days": {horizon}}})
with tempfile.TemporaryDirectory() as out:
    t = time.perf_counter()
    run_ensemble(s, out, runs={runs}, seed=1, workers={workers}, progress=False)
    seconds = time.perf_counter() - t
mb = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(json.dumps({{"parent_mb": mb(resource.RUSAGE_SELF), "worker_mb": mb(resource.RUSAGE_CHILDREN),
                  "seconds": seconds}}))
"""
    return json.loads(_python(code)[0])


def _python(code: str) -> tuple[str, float]:
    return _run([sys.executable, "-c", code])


def _run(command: list[str]) -> tuple[str, float]:
    """The last line a command prints, and the CPU seconds it and its children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(done.stderr)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return done.stdout.strip().splitlines()[-1], cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per speed measurement")
    parser.add_argument("--big", type=int, default=1000, help="runs of the timed big ensemble")
    parser.add_argument("--memory-runs", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--memory-horizon", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=2, help="repeats of each speed measure")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before "
          "starting (other work on the machine slows every wall-clock figure)")
    methods = {"engine, 1 worker": lambda: engine_seconds(args.runs, 1),
               "engine, 2 workers": lambda: engine_seconds(args.runs, 2),
               "mesa.batch_run, 2 processes": lambda: batch_run_seconds(args.runs),
               "batch_run, daily data": lambda: batch_run_seconds(args.runs, daily=True)}
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    for _ in range(args.repeat):
        for name, measure in methods.items():
            timings[name].append(measure())
    best = {name: min(t[0] for t in times) for name, times in timings.items()}
    print(f"\n365-day baseline, {args.runs} runs (best of {args.repeat}):")
    for name, times in timings.items():
        cpu = min(t[1] for t in times) / args.runs * 1000
        print(f"  {name:<28} {best[name]:6.1f} s  {args.runs / best[name]:6.1f} runs/s   "
              f"CPU {cpu:5.0f} ms/run")
    one, two, batch, batch_daily = best.values()
    big, big_cpu = engine_seconds(args.big, 2, seed=2)
    print(f"  engine, 2 workers, {args.big} runs: {big:.1f} s ({args.big / big:.1f} runs/s, "
          f"CPU {big_cpu / args.big * 1000:.0f} ms/run)")
    memory = {n: peak_memory(n, args.memory_horizon) for n in args.memory_runs}
    print(f"\npeak memory ({args.memory_horizon}-day horizon, 2 workers):")
    for n, m in memory.items():
        print(f"  {n:>7} runs: parent {m['parent_mb']:6.0f} MB, largest worker "
              f"{m['worker_mb']:6.0f} MB ({m['seconds']:.0f} s)")
    small, large = (memory[n] for n in (min(memory), max(memory)))
    checks = {
        "engine (2 workers) vs batch_run": (batch / two, TARGETS["vs_batch_run"], "x", True),
        "engine vs batch_run with daily data": (batch_daily / two, TARGETS["vs_batch_run"], "x",
                                                True),
        "2 workers vs 1": (one / two, TARGETS["two_vs_one"], "x", True),
        "peak memory, largest / smallest ensemble": (
            large["parent_mb"] / small["parent_mb"], TARGETS["memory_ratio"], "x", False),
        f"{args.big} runs": (big, TARGETS["big_seconds"], " s", False),
    }
    print("\ntargets:")
    for name, (value, target, unit, higher) in checks.items():
        ok = value >= target if higher else value <= target
        print(f"  {name:<42} {value:6.2f}{unit}  target {'>=' if higher else '<='} "
              f"{target:g}{unit}  {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
