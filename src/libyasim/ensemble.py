"""Monte Carlo ensembles: seeds, parallel chunks, files that survive interruption.

Run i of an ensemble always gets the same seed (from the root seed through numpy's
SeedSequence), whatever the backend, the number of workers or the order in which chunks finish,
so results are identical for any of them. Work is split into chunks of consecutive runs; a
backend (local worker processes, or a Dask cluster) runs them, and each worker writes its
chunk's tables itself, atomically, under `DIR/chunks/` (Arrow tables, no pandas); this process
only keeps count. `resume=True` skips chunks already there. When all chunks are in, they are
joined into `series.parquet` by copying their row groups' bytes (nothing is decoded) and into
`runs.parquet` by streaming, so memory stays flat as the number of runs grows.

Dask workers write into the same folder, which assumes a file system they share with this
process (as on one machine, or a cluster's shared disk); a worker that cannot see the folder
hands its tables back and this process writes them.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import platform
import selectors
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from libyasim import __version__, outcomes, rowgroups, worker
from libyasim.arguments import MAX_RUNS
from libyasim.worker import (FOLDER_MARK, Chunk, ChunkJob, ChunkReport, chunk_path,
                             save_chunk, write_chunk)
from libyasim.files import FolderError, atomic_write, atomic_write_text
from libyasim.folders import (CHUNK_DIR, LOCK_FILE, MANIFEST_FILE, RUNS_FILE, SERIES_FILE,
                              holds_complete, read_manifest, refuse_other, remove_derived,
                              same, usable_folder)
from libyasim.folders import REPORT_FILE  # noqa: F401  (importable from here, as before)
from libyasim import draws as draw_module
from libyasim.draws import Draws
from libyasim.model import SERIES_CATEGORIES, SERIES_COLUMNS
from libyasim.scenario import Scenario

ROW_GROUP_BYTES = 4 << 20  # in memory, before encoding
RESUME_KEYS = ("scenario", "runs", "root_seed", "chunk_size", "shard", "points", "draws",
               "point_seeds")


class EnsembleError(FolderError):
    """An output folder cannot be used as asked (for example, resuming a different ensemble)."""


def run_seed(root_seed: int, run: int) -> int:
    """The seed of run `run`: depends only on the root seed and the run's index."""
    state = np.random.SeedSequence(root_seed, spawn_key=(run,)).generate_state(2, np.uint32)
    return int(state[0]) << 32 | int(state[1])


Task = tuple[Scenario, Chunk]
# A backend saves the tasks' chunks (`worker.save_chunk`) and yields their reports as they
# finish, in any order.
Backend = Callable[[Sequence[Task], ChunkJob], Iterable[ChunkReport]]


@functools.cache
def series_schema() -> pa.Schema:
    """The daily series' Arrow layout, with what pandas needs to read `series_table` back."""
    sample = series_table(0, np.zeros((1, 1, len(SERIES_COLUMNS)), np.float32), dt.date(2020, 1, 1))
    return pa.Schema.from_pandas(sample, preserve_index=False)


def runs_schema(part: Path) -> pa.Schema:
    """The runs table's layout as pandas reads it back (types from the outcome registry, e.g.
    nullable day columns), worked out from a chunk file of plain Arrow columns."""
    sample = outcomes.typed_runs(pq.read_table(part).slice(0, 1).to_pandas())
    return pa.Schema.from_pandas(sample, preserve_index=False)


def series_table(first_run: int, series: np.ndarray, start_date: dt.date) -> pd.DataFrame:
    """Daily series of several runs, one row per run and day (the layout users read)."""
    n_runs, n_days, _ = series.shape
    flat = series.reshape(n_runs * n_days, -1)
    df = pd.DataFrame(flat, columns=list(SERIES_COLUMNS))
    df.insert(0, "run", np.repeat(np.arange(first_run, first_run + n_runs), n_days))
    days = np.tile(np.arange(n_days), n_runs)
    df.insert(1, "day", days)
    df.insert(2, "date", pd.to_datetime(start_date) + pd.to_timedelta(days, unit="D"))
    for col in SERIES_COLUMNS:
        kind = outcomes.daily_kind(col)
        if kind == "count":
            df[col] = df[col].astype(np.int32)
        elif kind == "category":
            df[col] = pd.Categorical.from_codes(df[col].to_numpy(np.int8),
                                                categories=pd.Index(SERIES_CATEGORIES[col]))
    return df


def _write_parquet_parts(parts: Iterable[Callable[[], Any]], path: Path,
                         schema: pa.Schema | None = None) -> None:
    """Stream tables (each made by a callable, one at a time) into one parquet file, atomically.

    Consecutive tables that continue each other's runs are gathered into row groups of up to
    about ROW_GROUP_BYTES: few row groups keep the writer's metadata small, small ones keep its
    buffers small, and each row group holds consecutive runs, which `merge_shards` relies on.
    """
    def write(tmp: Path) -> None:
        writer: pq.ParquetWriter | None = None
        group: list[pa.Table] = []
        size, last_run = 0, None

        def flush() -> None:
            if group and writer is not None:
                table = pa.concat_tables(group)
                writer.write_table(table, row_group_size=len(table))
                group.clear()

        try:
            for make in parts:
                table = make()
                if writer is None:
                    writer = pq.ParquetWriter(tmp, schema or table.schema)
                runs = table.column("run")
                follows = last_run is not None and runs[0].as_py() == last_run + 1
                if size + table.nbytes > ROW_GROUP_BYTES or not follows:
                    flush()
                    size = 0
                group.append(table.cast(writer.schema))
                size += table.nbytes
                last_run = runs[-1].as_py()
            if writer is None:
                raise EnsembleError(f"no finished runs to join into {path}")
            flush()
        finally:
            if writer is not None:
                writer.close()

    atomic_write(path, write)


def _join_parquet(parts: Sequence[Path], path: Path, schema: pa.Schema | None = None) -> None:
    """Stream several parquet files into one, a file at a time (flat memory), atomically, in
    `schema` (default: the first file's)."""
    _write_parquet_parts((functools.partial(_read_whole, part) for part in parts), path, schema)


def _copy_row_groups(parts: Sequence[Path], path: Path) -> None:
    """Join parquet files of one schema by copying their row groups (see rowgroups.py),
    atomically; by re-encoding if their schemas differ."""
    try:
        atomic_write(path, lambda tmp: _copy_into(parts, tmp))
    except rowgroups.JoinError:
        _join_parquet(parts, path)


def _copy_into(parts: Sequence[Path], tmp: Path) -> None:
    with open(tmp, "wb") as handle:
        rowgroups.join(parts, handle)


def _read_whole(path: Path) -> pa.Table:
    return pq.ParquetFile(path).read(use_threads=False)


# ---------------------------------------------------------------------------- backends
def plan_chunks(root_seed: int, runs: int, chunk_size: int,
                shard: tuple[int, int] | None = None, point: int | None = None,
                values: Sequence[tuple[tuple[str, Any], ...]] = (),
                first_seed: int = 0) -> list[Chunk]:
    """Split runs 0..runs-1 into chunks; a shard (i, n) keeps every n-th chunk from i.
    `values` gives each run's drawn parameter values (see draws.py), if any; run r gets the
    seed of run `first_seed + r` of the root seed."""
    chunks = [Chunk(s, tuple(run_seed(root_seed, first_seed + r)
                             for r in range(s, min(s + chunk_size, runs))),
                    point, tuple(values[s:s + chunk_size]))
              for s in range(0, runs, chunk_size)]
    if shard is not None:
        index, count = shard
        chunks = chunks[index::count]
    return chunks


def default_chunk_size(runs: int, workers: int) -> int:
    """Chunks big enough to amortise overhead, small enough to balance and save often."""
    return int(max(1, min(50, runs // (4 * max(workers, 1)) or 1)))


class LocalBackend:
    """Chunks on local worker processes, or in this process for one worker.

    Each worker is a fresh Python process (`libyasim.worker`): it inherits no threads, and a
    script that calls `run` at top level without an `if __name__ == "__main__":` guard works,
    because no worker re-runs it. Workers are kept between ensembles of the same process and
    closed when it exits.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def __call__(self, tasks: Sequence[Task], job: ChunkJob) -> Iterator[ChunkReport]:
        if self.workers <= 1 or len(tasks) <= 1:
            for scenario, chunk in tasks:
                yield save_chunk(scenario, chunk, job)
            return
        pool = WorkerPool.get(min(self.workers, len(tasks)))
        try:
            yield from pool.run(tasks, job)
        except BaseException:
            pool.close(now=True)  # Ctrl-C or an error: running chunks are dropped
            raise


IN_FLIGHT = 2  # tasks sent ahead to each worker, so that none waits for the next


class WorkerPool:
    """Worker processes talking to this one through pipes (see `libyasim.worker`)."""

    _open: dict[int, WorkerPool] = {}

    @classmethod
    def get(cls, count: int) -> WorkerPool:
        """A pool of `count` live workers: the one kept from an earlier ensemble, or a new one."""
        pool = cls._open.get(count)
        if pool is None or not pool.alive():
            for other in list(cls._open.values()):
                other.close()  # one pool at a time: workers are as many as the cores
            pool = cls._open[count] = cls(count)
        return pool

    def __init__(self, count: int):
        self.workers = [_Worker() for _ in range(count)]

    def alive(self) -> bool:
        return all(w.process.poll() is None for w in self.workers)

    def run(self, tasks: Sequence[Task], job: ChunkJob) -> Iterator[ChunkReport]:
        """Save the tasks' chunks on the workers; yield reports as they come, in any order.
        At most IN_FLIGHT tasks per worker are read ahead from `tasks`."""
        todo = iter(tasks)
        selector = selectors.DefaultSelector()
        for w in self.workers:
            selector.register(w.replies, selectors.EVENT_READ, w)
            for _ in range(IN_FLIGHT):
                w.feed(todo, job)
        try:
            while any(w.busy for w in self.workers):
                for key, _ in selector.select():
                    w = key.data
                    report = w.receive()
                    w.feed(todo, job)
                    yield report
        finally:
            selector.close()

    def close(self, now: bool = False) -> None:
        """Let the workers finish and exit (or stop them at once)."""
        type(self)._open = {k: p for k, p in self._open.items() if p is not self}
        for w in self.workers:
            w.stop(now)


class _Worker:
    """One worker process and its two pipes."""

    def __init__(self) -> None:
        task_read, self.tasks = os.pipe()
        self.replies, reply_write = os.pipe()
        self.busy = 0
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "libyasim.worker", str(task_read), str(reply_write)],
            pass_fds=(task_read, reply_write), stdin=subprocess.DEVNULL, env=_worker_env(),
            process_group=0)  # Ctrl-C at a terminal goes to this process only
        os.close(task_read)
        os.close(reply_write)

    def feed(self, todo: Iterator[Task], job: ChunkJob) -> None:
        task = next(todo, None)
        if task is not None:
            worker.send(self.tasks, (*task, job))
            self.busy += 1

    def receive(self) -> ChunkReport:
        try:
            status, value = worker.receive(self.replies)
        except EOFError:
            code = self.process.wait()
            raise EnsembleError(f"a worker process stopped unexpectedly (exit code {code}); "
                                "finished chunks are saved (rerun with --resume)") from None
        self.busy -= 1
        if status == "error":
            raise worker.rebuild_error(value)
        return value

    def stop(self, now: bool) -> None:
        with contextlib.suppress(OSError):
            os.close(self.tasks)  # the worker's signal to exit
        if now:
            self.process.terminate()
        try:
            self.process.wait(timeout=None if now else 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.replies)


def _worker_env() -> dict[str, str]:
    """The workers' environment: this libyasim first on the path; one thread per worker."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


@atexit.register
def close_workers() -> None:
    """Let the worker processes kept for later ensembles exit (done anyway at exit)."""
    for pool in list(WorkerPool._open.values()):
        pool.close()


class DaskBackend:
    """Chunks as tasks on a Dask distributed cluster.

    With `scheduler` ("tcp://HOST:PORT") it connects to a running cluster; without, it starts a
    local cluster of `workers` single-threaded processes. Tasks lost with a worker are rerun
    elsewhere by the scheduler; a task that fails is retried `retries` times.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 retries: int = 2):
        self.scheduler, self.retries = scheduler, retries
        self.workers = workers or os.cpu_count() or 1

    def __call__(self, tasks: Sequence[Task], job: ChunkJob) -> Iterator[ChunkReport]:
        from libyasim.extras import require

        require("distributed", "cluster", "--backend dask")
        from distributed import Client, LocalCluster, as_completed

        cluster = None
        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout="30s")
            except (OSError, ValueError) as exc:
                raise EnsembleError(f"cannot reach the Dask scheduler at {self.scheduler!r} "
                                    f"({exc}); expected a running scheduler's tcp://HOST:PORT"
                                    ) from None
        else:
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        todo = iter(tasks)
        running = as_completed()

        def submit(n: int) -> None:
            for scenario, chunk in _take(todo, n):
                running.add(client.submit(save_chunk, scenario, chunk, job, pure=False,
                                          retries=self.retries, key=f"libyasim-chunk-{chunk.name}"
                                          f"-{os.getpid()}-{time.monotonic_ns()}"))

        try:
            submit(max(16, 4 * _threads(client)))
            for future in running:
                result = future.result()
                future.release()
                submit(max(1, 4 * _threads(client) - running.count()))
                yield result
        finally:
            running.clear()
            client.close()
            if cluster is not None:
                cluster.close()


def _take(iterator: Iterator[Task], n: int) -> list[Task]:
    return [task for _, task in zip(range(n), iterator)]  # range first: takes exactly n


def _threads(client: Any) -> int:
    return sum(client.nthreads().values())


def make_backend(name: str = "local", workers: int | None = None,
                 scheduler: str | None = None) -> Backend:
    """The backend called `name` ("local" or "dask")."""
    if name == "dask":
        return DaskBackend(scheduler, workers)
    if name == "local":
        if scheduler:
            raise EnsembleError("--scheduler needs --backend dask")
        return LocalBackend(workers)
    raise EnsembleError(f"unknown backend {name!r}; expected 'local' or 'dask'")


# ---------------------------------------------------------------------------- the engine
def manifest_for(scenario: Scenario, runs: int, seed: int, chunk_size: int,
                 shard: tuple[int, int] | None,
                 points: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """What is needed to rerun an ensemble exactly, and what produced it."""
    import mesa

    manifest = {
        "libyasim_version": __version__,
        "scenario": scenario.to_json(),
        "runs": runs,
        "root_seed": seed,
        "chunk_size": chunk_size,
        "shard": list(shard) if shard else None,
        "run_seeds": [run_seed(seed, r) for r in range(runs)],
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "mesa_version": mesa.__version__,
        "command": command_line(),
    }
    if points is not None:
        manifest["points"] = [dict(p) for p in points]
    return manifest


def command_line() -> str:
    """This process's command as a user types it (`libyasim run ...`, not the script's path)."""
    if Path(sys.argv[0]).name in ("libyasim", "cli.py", "__main__.py"):
        return " ".join(["libyasim", *sys.argv[1:]])
    return " ".join(sys.argv)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder (released even if this process is killed);
    the lock file is removed when done."""
    usable_folder(out)
    path = out / LOCK_FILE
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(handle.fileno()).st_ino != os.stat(path).st_ino:
                raise BlockingIOError  # removed by its last holder meanwhile
        except (BlockingIOError, FileNotFoundError):
            raise EnsembleError(f"{out} is in use by another running ensemble; wait for it or "
                                "use another --out folder") from None
        try:
            yield
        finally:
            path.unlink(missing_ok=True)


def _prepare(out: Path, manifest: dict[str, Any], resume: bool | str) -> bool:
    """Make `out` ready for this ensemble; True when a resumed ensemble is already complete.

    `resume="auto"` resumes when the folder holds the same ensemble and starts afresh otherwise.
    """
    chunk_dir = out / CHUNK_DIR
    old = read_manifest(out)
    if resume == "auto":
        resume = old is not None and all(same(old, manifest, k) for k in RESUME_KEYS)
    if resume and old is not None:
        for key in RESUME_KEYS:
            if not same(old, manifest, key):
                raise EnsembleError(
                    f"{out}: cannot resume: its {key} differs from this run's; use another --out "
                    "folder, or the same scenario, --runs, --seed (and --shard, --param)")
        if (out / RUNS_FILE).exists() and not chunk_dir.exists():
            return True
    else:
        shutil.rmtree(chunk_dir, ignore_errors=True)
        for name in (RUNS_FILE, SERIES_FILE):
            (out / name).unlink(missing_ok=True)
        remove_derived(out)
    for leftover in [*out.glob(".*.tmp-*"), *out.glob(f".{CHUNK_DIR}-done-*")]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    chunk_dir.mkdir(exist_ok=True)
    for leftover in chunk_dir.glob(".*.tmp-*"):  # half-written by a killed run
        leftover.unlink()
    atomic_write_text(json.dumps(manifest, indent=1), out / MANIFEST_FILE)
    return False


def interruption_note(out: Path, resume: str) -> str:
    """The line to print when an ensemble into `out` was interrupted: how many finished runs
    are saved there and, if any are, `resume` (how to complete them)."""
    saved = sum(pq.read_metadata(p).num_rows for p in (out / CHUNK_DIR).glob("runs-*.parquet"))
    if not saved:
        return f"interrupted before any run finished: nothing was saved in {out}"
    runs = f"{saved:,} finished run{'s are' if saved > 1 else ' is'}"
    return f"interrupted: {runs} saved in {out}; {resume}"


def _execute(out: Path, tasks: Sequence[Task], backend: Backend, with_series: bool,
             progress: bool) -> None:
    """Run the tasks whose chunk is not saved yet; workers save their chunks themselves."""
    chunk_dir = out / CHUNK_DIR
    todo = [t for t in tasks if not chunk_path(chunk_dir, "runs", t[1]).exists()]
    total = sum(len(chunk.seeds) for _, chunk in tasks)
    token = uuid.uuid4().hex
    atomic_write_text(token, chunk_dir / FOLDER_MARK)
    job = ChunkJob(str(chunk_dir.resolve()), token, series_schema() if with_series else None,
                   dict(SERIES_CATEGORIES))
    bar = _progress_bar(total, total - sum(len(chunk.seeds) for _, chunk in todo), progress)
    try:
        for report in backend(todo, job):
            if report.tables is not None:  # the worker could not see the folder
                write_chunk(chunk_dir, report.chunk, *report.tables)
            if bar is not None:
                bar.update(report.runs)
    finally:
        if bar is not None:
            bar.close()


def finalize(out: Path, chunks: Sequence[Chunk], with_series: bool) -> None:
    """Join the saved chunks into the final tables, then remove the chunk folder.

    The series' row groups are copied as they are; the small runs tables are gathered into
    few row groups. The runs table is written last and the chunk folder is renamed away before
    it is deleted, so "runs.parquet present, no chunks folder" always means a complete ensemble.
    """
    chunk_dir = out / CHUNK_DIR
    if with_series:
        _copy_row_groups([chunk_path(chunk_dir, "series", c) for c in chunks], out / SERIES_FILE)
    runs = [chunk_path(chunk_dir, "runs", c) for c in chunks]
    _join_parquet(runs, out / RUNS_FILE, runs_schema(runs[0]))
    done = out / f".{CHUNK_DIR}-done-{os.getpid()}"
    os.replace(chunk_dir, done)
    shutil.rmtree(done)


def _chunk_size(out: Path, resume: bool | str, asked: int | None, runs: int,
                backend: Backend) -> int:
    """The chunk size asked for, else the one an ensemble being resumed started with."""
    old = read_manifest(out) if resume else None
    return asked or (old or {}).get("chunk_size") or default_chunk_size(
        runs, getattr(backend, "workers", 1))


def check_runs(runs: int) -> int:
    """`runs` if it is a number of runs the engine accepts (1 to MAX_RUNS), else an error."""
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)) \
            or not 1 <= runs <= MAX_RUNS:
        raise EnsembleError(f"runs: expected a whole number from 1 to {MAX_RUNS:,}, got {runs!r}")
    return int(runs)


def run_ensemble(scenario: Scenario, out: str | Path, runs: int | None = None,
                 seed: int | None = None, workers: int | None = None, resume: bool = False,
                 with_series: bool = True, chunk_size: int | None = None,
                 shard: tuple[int, int] | None = None, progress: bool = True,
                 backend: Backend | None = None, force: bool = False,
                 draws: Draws | None | str = "scenario") -> Path:
    """Run an ensemble into folder `out`; return the folder.

    Each run's parameter set is drawn from `draws` (a posterior or priors, see draws.py); by
    default from the posterior the scenario names (`scenario.posterior`), if any; None runs
    every run at the scenario's values.

    Finished chunks are saved as they come, so an interrupted run loses no finished run;
    `resume=True` completes an interrupted ensemble in the same folder (with the chunk size it
    started with). `backend` defaults to `workers` local processes (all cores). A folder that
    holds other results (another scenario, other settings, another seed) or other files is
    refused unless `force`.
    """
    runs = check_runs(scenario["scenario.runs"] if runs is None else runs)
    out = usable_folder(Path(out))
    seed = scenario["scenario.seed"] if seed is None else seed
    backend = backend or LocalBackend(workers)
    chunk_size = _chunk_size(out, resume, chunk_size, runs, backend)
    chosen = draw_module.resolve(scenario) if isinstance(draws, str) else draws
    values = [draw_module.run_values(chosen, scenario, seed, r) for r in range(runs)]
    manifest = manifest_for(scenario, runs, seed, chunk_size, shard)
    if chosen is not None:
        manifest["draws"] = {**chosen.describe(), "values_sha256": draw_module.digest(values)}
    with _locked(out):
        if not resume:
            refuse_other(out, manifest, force)
            if not force and holds_complete(out, manifest, with_series):
                return out  # the same ensemble, complete: reused, not rerun
        if not _prepare(out, manifest, resume):
            chunks = plan_chunks(seed, runs, chunk_size, shard, values=values)
            _execute(out, [(scenario, c) for c in chunks], backend, with_series, progress)
            finalize(out, chunks, with_series)
    return out


def run_points(scenario: Scenario, points: Sequence[Mapping[str, Any]], out: str | Path,
               runs: int, seed: int, workers: int | None = None,
               resume: bool | str = False, progress: bool = True,
               chunk_size: int | None = None, backend: Backend | None = None,
               own_seeds: bool = False) -> Path:
    """Run `runs` runs at each design point (parameter overrides of `scenario`) into `out`.

    Every point uses the same run seeds (common random numbers), so differences between points
    come from the parameters, not from the draws; with `own_seeds` point i gets seeds of its
    own instead (those of runs i*runs .. i*runs+runs-1), as scenario discovery needs. `runs.parquet`
    gets a `point` column; no daily series are kept. `resume` as in `run_ensemble`, or "auto":
    reuse or complete the folder's runs when it holds the same design, start afresh otherwise.
    """
    out = Path(out)
    check_runs(runs * len(points))
    backend = backend or LocalBackend(workers)
    scenarios = [scenario.with_overrides(p, source="design point") for p in points]
    chunk_size = min(_chunk_size(out, resume, chunk_size, runs * len(points), backend), runs)
    manifest = manifest_for(scenario, runs, seed, chunk_size, None, points)
    if own_seeds:
        manifest["point_seeds"] = "own"
    with _locked(out):
        if not _prepare(out, manifest, resume):
            tasks = [(s, c) for i, s in enumerate(scenarios)
                     for c in plan_chunks(seed, runs, chunk_size, point=i,
                                          first_seed=i * runs if own_seeds else 0)]
            _execute(out, tasks, backend, False, progress)
            finalize(out, [c for _, c in tasks], False)
    return out


# ---------------------------------------------------------------------------- shards
def merge_shards(folders: Sequence[str | Path], target: str | Path, force: bool = False) -> Path:
    """Join the finished shards of one ensemble (`--shard I/N`) into `out`, as one run would.
    A folder holding other results or files is refused unless `force` (see `folders`).

    Rows are streamed one row group at a time, in run order, so memory stays flat.
    """
    dirs, out = [Path(d) for d in folders], Path(target)
    manifests = []
    for d in dirs:
        manifest = read_manifest(d)
        if manifest is None or not (d / RUNS_FILE).exists() or (d / CHUNK_DIR).exists():
            raise EnsembleError(f"{d}: not a finished shard (no {MANIFEST_FILE} or {RUNS_FILE}, "
                                "or unfinished chunks); complete it with `libyasim run ... "
                                "--resume`")
        if not manifest.get("shard"):
            raise EnsembleError(f"{d}: not a shard (it was run without --shard)")
        manifests.append(manifest)
    first = manifests[0]
    for d, m in zip(dirs[1:], manifests[1:]):
        for key in ("scenario", "runs", "root_seed", "chunk_size"):
            if not same(m, first, key):
                raise EnsembleError(f"{d}: its {key} differs from {dirs[0]}'s; "
                                    "shards of one ensemble share scenario, runs, seed and chunks")
    count = first["shard"][1]
    indexes = sorted(m["shard"][0] for m in manifests)
    if indexes != list(range(count)) or any(m["shard"][1] != count for m in manifests):
        raise EnsembleError(f"shards {indexes} of {count} given; expected each of 0..{count - 1} "
                            "exactly once")
    with_series = all((d / SERIES_FILE).exists() for d in dirs)
    with _locked(out):
        refuse_other(out, {**first, "shard": None}, force)
        for name in (RUNS_FILE, SERIES_FILE):
            (out / name).unlink(missing_ok=True)
        remove_derived(out)
        if with_series:
            _merge_file([d / SERIES_FILE for d in dirs], out / SERIES_FILE)
        _merge_file([d / RUNS_FILE for d in dirs], out / RUNS_FILE)
        manifest = {**first, "shard": None, "merged_from": [str(d) for d in dirs],
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "command": command_line()}
        atomic_write_text(json.dumps(manifest, indent=1), out / MANIFEST_FILE)
    return out


def _merge_file(paths: Sequence[Path], out: Path) -> None:
    """Row groups of several parquet files, written in the order of their first run."""
    groups = []
    for path in paths:
        file = pq.ParquetFile(path)
        for g in range(file.num_row_groups):
            first_run = file.read_row_group(g, columns=["run"]).column(0)[0].as_py()
            groups.append((first_run, path, g))
    groups.sort(key=lambda item: item[0])
    _write_parquet_parts((functools.partial(_read_group, p, g) for _, p, g in groups), out)


def _read_group(path: Path, group: int) -> pa.Table:
    return pq.ParquetFile(path).read_row_group(group)


# ---------------------------------------------------------------------------- progress, results
def _progress_bar(total: int, done: int, enabled: bool):
    """A tqdm bar (runs, rate, time left) on a terminal after 2 s; none if quiet or piped."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=done, unit="run", delay=2.0, dynamic_ncols=True,
                desc="runs", smoothing=0.1)


def load_results(out: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any]]:
    """Read a results folder: (runs, series or None, manifest)."""
    out = Path(out)
    if not (out / RUNS_FILE).exists():
        raise EnsembleError(f"{out}: no {RUNS_FILE}; is this a finished `libyasim run` folder?")
    runs = pd.read_parquet(out / RUNS_FILE)
    series = pd.read_parquet(out / SERIES_FILE) if (out / SERIES_FILE).exists() else None
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    return runs, series, manifest
