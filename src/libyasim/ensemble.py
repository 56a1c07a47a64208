"""Monte Carlo ensembles: seeds, parallel chunks, files that survive interruption.

Run i of an ensemble always gets the same seed (from the root seed through numpy's
SeedSequence), whatever the number of workers or the order in which chunks finish, so results
are identical for any worker count. Each finished chunk is written at once (atomically) under
`DIR/chunks/`; `resume=True` skips chunks already there. When all chunks are in, they are joined
into `runs.parquet` and `series.parquet` by streaming, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from libyasim import __version__
from libyasim.model import SERIES_COLUMNS, Truce, simulate
from libyasim.scenario import Scenario

RUNS_FILE, SERIES_FILE, MANIFEST_FILE, CHUNK_DIR = (
    "runs.parquet", "series.parquet", "manifest.json", "chunks")
DAY_COLUMNS = ("truce_collapse_day", "tripoli_fall_day", "lna_withdraw_day", "talks_day",
               "settlement_day")
TRUCE_NAMES = {int(t): t.name.lower() for t in Truce}


class EnsembleError(Exception):
    """An output folder cannot be used as asked (for example, resuming a different ensemble)."""


def run_seed(root_seed: int, run: int) -> int:
    """The seed of run `run`: depends only on the root seed and the run's index."""
    state = np.random.SeedSequence(root_seed, spawn_key=(run,)).generate_state(2, np.uint32)
    return int(state[0]) << 32 | int(state[1])


@dataclass(frozen=True)
class Chunk:
    """A slice of consecutive runs, the unit of work and of saving."""

    start: int
    seeds: tuple[int, ...]

    @property
    def name(self) -> str:
        return f"{self.start:09d}"


def run_chunk(scenario: Scenario, chunk: Chunk, with_series: bool = True
              ) -> tuple[Chunk, list[dict[str, Any]], np.ndarray | None]:
    """Simulate the runs of a chunk; return their outcomes and daily series (float32)."""
    rows, series = [], []
    for offset, seed in enumerate(chunk.seeds):
        outcome, daily = simulate(scenario, seed)
        rows.append({"run": chunk.start + offset, "seed": seed, **outcome})
        if with_series:
            series.append(daily.astype(np.float32))
    return chunk, rows, (np.stack(series) if with_series else None)


# ---------------------------------------------------------------------------- tables
def runs_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Per-run outcomes as a DataFrame with nullable day columns."""
    df = pd.DataFrame(rows)
    for col in DAY_COLUMNS:
        df[col] = df[col].astype("Int64")
    return df


def series_table(first_run: int, series: np.ndarray, start_date: dt.date) -> pd.DataFrame:
    """Daily series of several runs, one row per run and day."""
    n_runs, n_days, _ = series.shape
    flat = series.reshape(n_runs * n_days, -1)
    df = pd.DataFrame(flat, columns=list(SERIES_COLUMNS))
    df.insert(0, "run", np.repeat(np.arange(first_run, first_run + n_runs), n_days))
    days = np.tile(np.arange(n_days), n_runs)
    df.insert(1, "day", days)
    df.insert(2, "date", pd.to_datetime(start_date) + pd.to_timedelta(days, unit="D"))
    for col in ("violations_gna", "violations_wag", "violations_lna", "battle_deaths",
                "civilian_deaths"):
        df[col] = df[col].astype(np.int32)
    df["truce_state"] = pd.Categorical.from_codes(
        df["truce_state"].astype(np.int8), categories=[TRUCE_NAMES[i] for i in range(len(Truce))])
    return df


# ---------------------------------------------------------------------------- atomic files
def atomic_write_parquet(df: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def atomic_write_text(text: str, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _join_parquet(parts: Sequence[Path], path: Path) -> None:
    """Stream several parquet files into one, a file at a time (flat memory), atomically."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    writer = None
    try:
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
        if writer is None:
            raise EnsembleError(f"no finished runs to join into {path}")
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, path)


# ---------------------------------------------------------------------------- the engine
def plan_chunks(root_seed: int, runs: int, chunk_size: int,
                shard: tuple[int, int] | None = None) -> list[Chunk]:
    """Split runs 0..runs-1 into chunks; a shard (i, n) keeps every n-th chunk from i."""
    chunks = [Chunk(s, tuple(run_seed(root_seed, r) for r in range(s, min(s + chunk_size, runs))))
              for s in range(0, runs, chunk_size)]
    if shard is not None:
        index, count = shard
        chunks = chunks[index::count]
    return chunks


def default_chunk_size(runs: int, workers: int) -> int:
    """Chunks big enough to amortise overhead, small enough to balance and save often."""
    return int(max(1, min(50, runs // (4 * max(workers, 1)) or 1)))


def _local_map(scenario: Scenario, chunks: Sequence[Chunk], workers: int, with_series: bool
               ) -> Iterator[tuple[Chunk, list[dict[str, Any]], np.ndarray | None]]:
    """Run chunks on local processes (or in this process for one worker), yield as they finish."""
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield run_chunk(scenario, chunk, with_series)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    try:
        pending = {pool.submit(run_chunk, scenario, c, with_series) for c in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


Executor = Callable[[Scenario, Sequence[Chunk], int, bool],
                    Iterable[tuple[Chunk, list[dict[str, Any]], np.ndarray | None]]]


def manifest_for(scenario: Scenario, runs: int, seed: int, chunk_size: int,
                 shard: tuple[int, int] | None) -> dict[str, Any]:
    """What is needed to rerun an ensemble exactly, and what produced it."""
    import mesa

    return {
        "libyasim_version": __version__,
        "scenario": scenario.to_json(),
        "runs": runs,
        "root_seed": seed,
        "chunk_size": chunk_size,
        "shard": list(shard) if shard else None,
        "run_seeds": [run_seed(seed, r) for r in range(runs)],
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "mesa_version": mesa.__version__,
        "command": " ".join(sys.argv),
    }


def _check_resume(out: Path, manifest: dict[str, Any]) -> None:
    old = json.loads((out / MANIFEST_FILE).read_text())
    for key in ("scenario", "runs", "root_seed", "chunk_size", "shard"):
        if old.get(key) != manifest.get(key):
            raise EnsembleError(
                f"{out}: cannot resume: its {key} differs from this run's; "
                "use another --out folder or the same scenario, --runs and --seed")


def run_ensemble(scenario: Scenario, out: str | Path, runs: int | None = None,
                 seed: int | None = None, workers: int | None = None, resume: bool = False,
                 with_series: bool = True, chunk_size: int | None = None,
                 shard: tuple[int, int] | None = None, progress: bool = True,
                 executor: Executor | None = None) -> Path:
    """Run an ensemble into folder `out`; return the folder.

    Finished chunks are saved as they come, so an interrupted run loses no finished run;
    `resume=True` completes an interrupted ensemble in the same folder.
    """
    runs = scenario["scenario.runs"] if runs is None else runs
    seed = scenario["scenario.seed"] if seed is None else seed
    workers = workers or os.cpu_count() or 1
    chunk_size = chunk_size or default_chunk_size(runs, workers)
    out = Path(out)
    chunk_dir = out / CHUNK_DIR
    manifest = manifest_for(scenario, runs, seed, chunk_size, shard)
    if (out / MANIFEST_FILE).exists():
        if not resume:
            if (out / RUNS_FILE).exists() or chunk_dir.exists():
                shutil.rmtree(chunk_dir, ignore_errors=True)
                for name in (RUNS_FILE, SERIES_FILE):
                    (out / name).unlink(missing_ok=True)
        else:
            _check_resume(out, manifest)
            if (out / RUNS_FILE).exists() and not chunk_dir.exists():
                return out  # already complete
    chunk_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(json.dumps(manifest, indent=1), out / MANIFEST_FILE)

    chunks = plan_chunks(seed, runs, chunk_size, shard)
    todo = [c for c in chunks if not (chunk_dir / f"runs-{c.name}.parquet").exists()]
    total = sum(len(c.seeds) for c in chunks)
    bar = _progress_bar(total, total - sum(len(c.seeds) for c in todo), progress)
    try:
        for chunk, rows, series in (executor or _local_map)(scenario, todo, workers, with_series):
            if series is not None:
                atomic_write_parquet(series_table(chunk.start, series, scenario["scenario.start_date"]),
                                     chunk_dir / f"series-{chunk.name}.parquet")
            atomic_write_parquet(runs_table(rows), chunk_dir / f"runs-{chunk.name}.parquet")
            if bar is not None:
                bar.update(len(rows))
    finally:
        if bar is not None:
            bar.close()
    finalize(out, chunks, with_series)
    return out


def finalize(out: Path, chunks: Sequence[Chunk], with_series: bool) -> None:
    """Join the saved chunks into the final tables and remove the chunk folder."""
    chunk_dir = out / CHUNK_DIR
    _join_parquet([chunk_dir / f"runs-{c.name}.parquet" for c in chunks], out / RUNS_FILE)
    if with_series:
        _join_parquet([chunk_dir / f"series-{c.name}.parquet" for c in chunks], out / SERIES_FILE)
    shutil.rmtree(chunk_dir)


def _progress_bar(total: int, done: int, enabled: bool):
    """A tqdm bar on a terminal (after 2 s), none when quiet or not interactive."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="run", delay=2.0, dynamic_ncols=True,
                desc="runs")


def load_results(out: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """Read a results folder: (runs, series or None, manifest)."""
    out = Path(out)
    if not (out / RUNS_FILE).exists():
        raise EnsembleError(f"{out}: no {RUNS_FILE}; is this a finished `libyasim run` folder?")
    runs = pd.read_parquet(out / RUNS_FILE)
    series = pd.read_parquet(out / SERIES_FILE) if (out / SERIES_FILE).exists() else None
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    return runs, series, manifest
