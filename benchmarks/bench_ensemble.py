"""Ensemble speed: runs per second, the main process's share of the CPU, the join's cost
(run by hand, not by the tests).

    .venv/bin/python benchmarks/bench_ensemble.py [--runs 1000] [--against ROOT]
        [--batch-run] [--memory-runs 1000 20000] [--memory-horizon 40]

Measures `run_ensemble` on a `--runs`-run 365-day baseline (with daily series, as `libyasim
run`), each in a fresh process, end to end (worker start included):
- runs per second on 1 and 2 workers, and the parallel efficiency on 2 workers
  (rate on 2 / twice the rate on 1);
- CPU seconds per run of the main process and of the workers, and the main process's share.
  Workers are this process's own children, so `getrusage(RUSAGE_CHILDREN)` counts them once
  they have exited (start-up included); each worker also reports the CPU its chunks took;
- the final join's cost per run: copying the series' row groups (what the engine does) against
  re-encoding them through pyarrow (what it did), on the same chunk files;
- the start cost of one worker process (a fresh Python importing the engine and the model).
`--against ROOT` times the same ensembles with another checkout's `src` and baseline (e.g.
2.0.0's: `mkdir /tmp/v200 && git archive 768cd13 src scenarios | tar -x -C /tmp/v200`) and
prints the ratios. `--batch-run` adds
`mesa.batch_run` on the same model and seeds; `--memory-runs` the peak memory of larger
ensembles on a shorter horizon (memory per chunk does not depend on the number of runs).

Wall-clock figures depend on what else runs on the machine (the load average is printed);
CPU seconds per run barely do.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
BASELINE = ROOT / "scenarios" / "baseline.toml"
TARGETS = {"efficiency": 0.90, "main_share": 0.05}

ENSEMBLE = """
import inspect, json, resource, time
from libyasim import ensemble
from libyasim.scenario import load_scenario

class Counted:
    '''The local backend, adding up the CPU seconds the workers report for their chunks.'''

    def __init__(self, workers):
        self.local, self.workers, self.chunk_cpu = ensemble.LocalBackend(workers), workers, 0.0

    def __call__(self, tasks, job):
        for report in self.local(tasks, job):
            self.chunk_cpu += report.cpu_seconds
            yield report

joins = {{"join": 0.0, "copy": 0.0, "reencode": 0.0, "extra": 0.0, "extra_cpu": 0.0}}
finalize = ensemble.finalize

def timed(name, join, parts, path):
    t = time.perf_counter()
    join(parts, path)
    joins[name] = time.perf_counter() - t
    path.unlink()

def timed_finalize(out, chunks, with_series):
    '''The engine's join, timed; before it, the series chunks joined by copying their row
    groups and by re-encoding them (as 2.0 did), each timed (and left out of the totals).'''
    parts = [ensemble.chunk_path(out / ensemble.CHUNK_DIR, "series", c) for c in chunks]
    t, cpu = time.perf_counter(), time.process_time()
    timed("reencode", ensemble._join_parquet, parts, out / "reencoded.parquet")
    timed("copy", ensemble._copy_row_groups, parts, out / "copied.parquet")
    joins["extra"], joins["extra_cpu"] = time.perf_counter() - t, time.process_time() - cpu
    t = time.perf_counter()
    finalize(out, chunks, with_series)
    joins["join"] = time.perf_counter() - t

engine = hasattr(ensemble, "save_chunk")  # False for 2.0.0 and older
if engine:
    ensemble.finalize = timed_finalize
backend = Counted({workers}) if engine else ensemble.LocalBackend({workers})
scenario = load_scenario({baseline!r})
# the scenario's own values in every run (older engines have no parameter draws)
fixed = {{"draws": None}} if "draws" in inspect.signature(ensemble.run_ensemble).parameters else {{}}
with __import__("tempfile").TemporaryDirectory() as out:
    t, cpu = time.perf_counter(), time.process_time()
    ensemble.run_ensemble(scenario, out, runs={runs}, seed={seed}, backend=backend,
                          progress=False, **fixed)
    wall = time.perf_counter() - t - joins["extra"]
    main_cpu = time.process_time() - cpu - joins["extra_cpu"]
if engine:
    ensemble.close_workers()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"wall": wall, "main_cpu": main_cpu,
                  "worker_cpu": children.ru_utime + children.ru_stime,
                  "chunk_cpu": getattr(backend, "chunk_cpu", 0.0), "engine": engine,
                  "join": joins["join"], "series_copy": joins["copy"],
                  "series_reencode": joins["reencode"]}}))
"""


def ensemble_run(runs: int, workers: int, root: Path = ROOT, seed: int = 1) -> dict[str, float]:
    """One ensemble of the checkout at `root` (its src and baseline) in a fresh process."""
    code = ENSEMBLE.format(workers=workers, baseline=str(root / "scenarios" / "baseline.toml"),
                           runs=runs, seed=seed)
    return json.loads(_run([sys.executable, "-c", code], root / "src")[0])


def worker_start(src: Path = SRC) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of a fresh Python importing what a worker imports, with and
    without the model."""
    imports = {"worker without the model": "libyasim.worker, libyasim.scenario",
               "worker with the model": "libyasim.worker, libyasim.scenario, libyasim.model"}
    times = {}
    for name, modules in imports.items():
        t = time.perf_counter()
        _, cpu = _run([sys.executable, "-P", "-c", f"import {modules}; print(1)"], src)
        times[name] = time.perf_counter() - t, cpu
    return times


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
from libyasim.ensemble import close_workers, run_ensemble
from libyasim.scenario import load_scenario
s = load_scenario({str(BASELINE)!r}).with_overrides({{"scenario.horizon_days": {horizon}}})
with tempfile.TemporaryDirectory() as out:
    t = time.perf_counter()
    run_ensemble(s, out, runs={runs}, seed=1, workers={workers}, progress=False)
    seconds = time.perf_counter() - t
close_workers()
mb = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(json.dumps({{"parent_mb": mb(resource.RUSAGE_SELF), "worker_mb": mb(resource.RUSAGE_CHILDREN),
                  "seconds": seconds}}))
"""
    return json.loads(_run([sys.executable, "-c", code])[0])


def _run(command: list[str], src: Path = SRC) -> tuple[str, float]:
    """The last line a command prints, and the CPU seconds it and its children used."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(src), os.environ.get("PYTHONPATH")) if p)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(done.stderr)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return done.stdout.strip().splitlines()[-1], cpu


def report(name: str, runs: int, m: dict[str, float]) -> None:
    """One line per ensemble: speed and where the CPU went."""
    total = m["main_cpu"] + m["worker_cpu"]
    line = (f"  {name:<26} {m['wall']:7.1f} s {runs / m['wall']:8.1f} runs/s   CPU/run: main "
            f"{m['main_cpu'] / runs * 1e3:6.2f} ms")
    if m["engine"] and m["worker_cpu"]:
        line += (f", workers {m['worker_cpu'] / runs * 1e3:6.2f} ms (chunks "
                 f"{m['chunk_cpu'] / runs * 1e3:.2f}); main share {m['main_cpu'] / total:5.1%}")
    elif m["engine"]:
        line += f" (chunks {m['chunk_cpu'] / runs * 1e3:.2f} ms, in this process)"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs of each ensemble")
    parser.add_argument("--against", type=Path, metavar="ROOT",
                        help="another checkout (its src and scenarios), timed the same way")
    parser.add_argument("--batch-run", action="store_true",
                        help="also time mesa.batch_run (2 processes) on the same runs")
    parser.add_argument("--memory-runs", type=int, nargs="*", default=[])
    parser.add_argument("--memory-horizon", type=int, default=40)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before "
          "starting (other work on the machine slows every wall-clock figure)")
    for name, (wall, cpu) in worker_start().items():
        print(f"start of a {name} (a fresh Python importing it): {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU")
    n = args.runs
    print(f"\n365-day baseline, {n} runs with daily series, end to end:")
    one, two = ensemble_run(n, 1), ensemble_run(n, 2)
    report("1 worker", n, one)
    report("2 workers", n, two)
    efficiency = one["wall"] / (2 * two["wall"])
    main_share = two["main_cpu"] / (two["main_cpu"] + two["worker_cpu"])
    print(f"  parallel efficiency on 2 workers: {efficiency:.1%}")
    for m, name in ((one, "1 worker"), (two, "2 workers")):
        print(f"  join ({name}): {m['join'] / n * 1e3:.3f} ms/run in all; of the series alone, "
              f"copying row groups {m['series_copy'] / n * 1e3:.3f} ms/run, re-encoding them "
              f"{m['series_reencode'] / n * 1e3:.3f} ms/run")
    checks = {"parallel efficiency, 2 workers": (efficiency, TARGETS["efficiency"], True),
              "main process's share of the CPU": (main_share, TARGETS["main_share"], False)}
    if args.against:
        print(f"\nthe same with {args.against}:")
        old_one, old_two = ensemble_run(n, 1, args.against), ensemble_run(n, 2, args.against)
        report("1 worker", n, old_one)
        report("2 workers", n, old_two)
        print(f"  this checkout is {old_one['wall'] / one['wall']:.1f}x as fast on 1 worker, "
              f"{old_two['wall'] / two['wall']:.1f}x on 2 workers")
    if args.batch_run:
        batch = batch_run_seconds(n)[0]
        print(f"\nmesa.batch_run, 2 processes, last day only: {batch:.1f} s "
              f"({n / batch:.1f} runs/s); the engine is {batch / two['wall']:.1f}x as fast")
    if args.memory_runs:
        print(f"\npeak memory ({args.memory_horizon}-day horizon, 2 workers):")
        for runs in args.memory_runs:
            m = peak_memory(runs, args.memory_horizon)
            print(f"  {runs:>7} runs: parent {m['parent_mb']:6.0f} MB, largest worker "
                  f"{m['worker_mb']:6.0f} MB ({m['seconds']:.0f} s)")
    print("\ntargets:")
    for name, (value, target, higher) in checks.items():
        ok = value >= target if higher else value <= target
        print(f"  {name:<34} {value:6.1%}  target {'>=' if higher else '<='} {target:.0%}  "
              f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
