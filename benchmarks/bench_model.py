"""Time the 365-day baseline, one process, against older versions side by side (run by hand).

    .venv/bin/python benchmarks/bench_model.py [--runs 20] [--rounds 3]
        [--old 0.1.0=fc640c9 --old 2.0.0=432f911] [--compile]

Exports the sources of each old version (`git archive`) to a temporary folder, then alternates
timing rounds of the old versions and the current model in fresh subprocesses (each imports
only its own sources), so that all see the same load on a shared machine. Each run is timed in
CPU time of its process (`time.process_time`), which other users' load disturbs far less than
wall time. Prints the median time per run of each and the ratios old / current.

`--compile` also times, in fresh processes, the first compile of the model (into an empty
numba cache) and a later process's cached load (import and first run).

Last measured (8 December 2026, stop 30, `--runs 20 --rounds 3 --old previous-stop=8deb093`):
the previous stop 2.26 ms, current 2.28 ms per run (1.0x; the kernel's one change, towns whose
groups reckon with and test red lines, does nothing at the baseline's registry switch rate of
0). Before that (7
December 2026, stop 29, `--old previous-stop=d312380`): the previous stop 2.17 ms, current
2.23 ms per run (1.0x; the kernel did not change). Before
that (7 December 2026, a later stop, `--runs 20 --rounds 3 --old 2.0.0=432f911
--old previous-stop=a70c387`, with a test run alongside): 2.0.0 61.76 ms, the previous stop
2.74 ms, current 2.65 ms per run: 23.3x faster than 2.0.0, and no slower than the previous
stop (1.0x; a later start's set-up adds work on day 0 only). Before that (7 December 2026,
2 cores under load from other work, `--runs 20 --rounds 3
--old 2.0.0=432f911 --old session-start=ee7e81a`, the model 3.0 baseline at its registry
values): 2.0.0 83.9 ms, the model before munitions, wages, red lines in the run and unaligned
fronts 3.47 ms, current 4.56 ms per run: 18.4x faster than 2.0.0, and 1.3x slower than before
those mechanisms (its baseline also fights on more days). Earlier, with little other load:
0.1.0 132.5 ms, 2.0.0 67.5 ms, the first model 3.0 2.58 ms (51.3x and 26.1x). First compile
55.8 s; a cached load 0.8 s per process beyond the imports 2.0 already had.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMER = """
import json, sys, time
from libyasim.model import simulate
from libyasim.scenario import load_scenario
scenario = load_scenario(sys.argv[1])
simulate(scenario, 0)  # warm up imports and caches
times = []
for seed in range(1, int(sys.argv[2]) + 1):
    start = time.process_time()
    simulate(scenario, seed)
    times.append(time.process_time() - start)
print(json.dumps(times))
"""
LOAD = """
import time
start = time.perf_counter()
from libyasim.model import simulate
simulate(None, 0)
print(time.perf_counter() - start)
"""


def export(commit: str, folder: Path) -> Path:
    """The `src` tree and scenarios of `commit`, extracted into `folder`."""
    archive = folder / f"{commit}.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--output", str(archive), commit,
                    "src", "scenarios"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / commit, filter="data")
    return folder / commit


def _env(src: Path, **extra: str) -> dict[str, str]:
    return {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/"),
            **extra}


def time_runs(src: Path, scenario: Path, runs: int) -> list[float]:
    out = subprocess.run([sys.executable, "-c", TIMER, str(scenario), str(runs)],
                         env=_env(src), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def load_time(cache: Path) -> float:
    """Seconds from a fresh process's start of import to the end of its first run."""
    out = subprocess.run([sys.executable, "-c", LOAD], check=True, capture_output=True,
                         text=True, env=_env(ROOT / "src", NUMBA_CACHE_DIR=str(cache)))
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per round and version")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old", action="append", metavar="NAME=COMMIT",
                        help="an old version to time beside this one (repeatable; default "
                             "0.1.0=fc640c9 and 2.0.0=432f911)")
    parser.add_argument("--compile", action="store_true",
                        help="also time the first compile and a cached load")
    args = parser.parse_args()
    olds = dict(o.split("=", 1) for o in args.old or ["0.1.0=fc640c9", "2.0.0=432f911"])
    with tempfile.TemporaryDirectory() as tmp:
        sources = {name: export(commit, Path(tmp)) for name, commit in olds.items()}
        sources["current"] = ROOT
        if args.compile:
            cache = Path(tmp) / "numba-cache"
            first = load_time(cache)
            cached = sorted(load_time(cache) for _ in range(3))[1]
            print(f"first compile (import + first run, empty cache): {first:6.1f} s")
            print(f"cached load (import + first run, median of 3):   {cached:6.2f} s")
        times: dict[str, list[float]] = {name: [] for name in sources}
        for _ in range(args.rounds):
            for name, folder in sources.items():
                times[name] += time_runs(folder / "src", folder / "scenarios" / "baseline.toml",
                                         args.runs)
    median = {name: statistics.median(t) for name, t in times.items()}
    for name, value in median.items():
        print(f"{name:>8}: {value * 1000:7.2f} ms per 365-day run "
              f"(median of {len(times[name])} runs)")
    for name in olds:
        print(f"   ratio: current is {median[name] / median['current']:.1f}x faster than {name}")


if __name__ == "__main__":
    main()
