"""The workers' side of an ensemble: simulate a chunk of runs and save its tables.

Run as `python -m libyasim.worker TASKS REPLIES`, this is a worker process of a local ensemble.
The ensemble starts each worker as a fresh Python process (no fork: it inherits no threads, and
it never re-runs the user's script, so a script without an `if __name__ == "__main__":` guard
works). The worker reads tasks from file descriptor TASKS, runs and saves each chunk
(`save_chunk`) and answers with a short report on REPLIES. Messages are pickles, each preceded
by its length. It stops when the ensemble closes TASKS, or when its parent dies.

The module imports only what a worker needs (the model, numpy and pyarrow; not pandas), so
that workers start quickly. Chunk files hold plain Arrow columns; the ensemble gives them the
layout pandas reads when it joins them.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from libyasim.files import atomic_write

if TYPE_CHECKING:
    from libyasim.scenario import Scenario

FOLDER_MARK = ".folder-id"  # in the chunk folder: lets a worker check it sees this very folder


@dataclass(frozen=True)
class Chunk:
    """A slice of consecutive runs, the unit of work and of saving.

    In a sweep, `point` is the index of the design point whose scenario the runs use.
    """

    start: int
    seeds: tuple[int, ...]
    point: int | None = None
    values: tuple[tuple[tuple[str, Any], ...], ...] = ()  # per run: drawn parameter values

    @property
    def name(self) -> str:
        return f"{self.start:09d}" if self.point is None else f"p{self.point:06d}-{self.start:09d}"


@dataclass(frozen=True)
class ChunkJob:
    """What the chunks of one ensemble share: the folder their files go to, the token in its
    FOLDER_MARK file (so that a worker elsewhere knows it sees this folder, not another one of
    the same name), and the daily series' layout (None: no series) with the labels of its
    categories."""

    folder: str
    token: str
    series_schema: pa.Schema | None
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class ChunkReport:
    """A worker's answer for one chunk: saved by the worker, or `tables` to save (runs,
    series) when the worker could not see the folder. `cpu_seconds` is the worker's own."""

    chunk: Chunk
    runs: int
    cpu_seconds: float
    tables: tuple[pa.Table, pa.Table | None] | None = field(default=None, repr=False)


ChunkResult = tuple[Chunk, list[dict[str, Any]], np.ndarray | None]


def run_chunk(scenario: Scenario, chunk: Chunk, with_series: bool = True) -> ChunkResult:
    """Simulate the runs of a chunk; return their outcomes and daily series (float32)."""
    from libyasim.model import simulate

    rows, series = [], []
    point = {} if chunk.point is None else {"point": chunk.point}
    for offset, seed in enumerate(chunk.seeds):
        drawn = dict(chunk.values[offset]) if chunk.values else {}
        outcome, daily = simulate(
            scenario.with_overrides(drawn, source="parameter draw") if drawn else scenario, seed)
        rows.append({"run": chunk.start + offset, **point, "seed": seed, **outcome,
                     **{f"param:{name}": value for name, value in drawn.items()}})
        if with_series:
            series.append(daily.astype(np.float32))
    return chunk, rows, (np.stack(series) if with_series else None)


def save_chunk(scenario: Scenario, chunk: Chunk, job: ChunkJob) -> ChunkReport:
    """Simulate a chunk and save its tables into the job's folder, or hand them back when this
    process cannot see that folder."""
    started = time.process_time()
    chunk, rows, series = run_chunk(scenario, chunk, job.series_schema is not None)
    tables = (runs_arrow(rows), None if series is None or job.series_schema is None else
              series_arrow(job, chunk.start, series, scenario["scenario.start_date"]))
    folder = Path(job.folder)
    # the reply names the chunk without its parameter draws: echoed back, they can outgrow the
    # pipe while the main process is still writing this worker's next task (a deadlock)
    named = replace(chunk, values=())
    if _sees(folder, job.token):
        write_chunk(folder, chunk, *tables)
        return ChunkReport(named, len(rows), time.process_time() - started)
    return ChunkReport(named, len(rows), time.process_time() - started, tables)


def _sees(folder: Path, token: str) -> bool:
    try:
        return (folder / FOLDER_MARK).read_text() == token
    except OSError:
        return False


def chunk_path(folder: Path, kind: str, chunk: Chunk) -> Path:
    """A chunk's file of `kind` ("runs" or "series"); its runs file means the chunk is done."""
    return folder / f"{kind}-{chunk.name}.parquet"


def write_chunk(folder: Path, chunk: Chunk, runs: pa.Table, series: pa.Table | None) -> None:
    """Write a chunk's tables, each whole or not at all, the runs last."""
    if series is not None:
        write_arrow(series, chunk_path(folder, "series", chunk))
    write_arrow(runs, chunk_path(folder, "runs", chunk))


DICTIONARY_COLUMNS = ("run", "day", "date")  # and categories: few values, repeated


def write_arrow(table: pa.Table, path: Path) -> None:
    """Write a table whole or not at all. Only columns with few values repeated are dictionary
    encoded: daily numbers vary too much for it to pay (the files are a sixth smaller)."""
    repeated = [f.name for f in table.schema
                if f.name in DICTIONARY_COLUMNS or pa.types.is_dictionary(f.type)]
    atomic_write(path, lambda tmp: pq.write_table(table, tmp, use_dictionary=repeated))


def runs_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Per-run outcomes as plain Arrow columns (the ensemble types them when it joins)."""
    return pa.table({name: pa.array([row[name] for row in rows],
                                    pa.uint64() if name == "seed" else None)  # 64-bit seeds
                     for name in rows[0]})


def series_arrow(job: ChunkJob, first_run: int, series: np.ndarray,
                 start_date: dt.date) -> pa.Table:
    """Daily series of several runs (runs x days x columns) as an Arrow table of the job's
    layout: run, day, date, then one column per series column, typed as the layout says
    (whole counts, categories by their codes, or numbers)."""
    schema = job.series_schema
    assert schema is not None
    n_runs, n_days, _ = series.shape
    days = np.tile(np.arange(n_days, dtype=np.int64), n_runs)
    columns: list[Any] = [np.repeat(np.arange(first_run, first_run + n_runs, dtype=np.int64),
                                    n_days), days,
                          np.datetime64(start_date, "D") + days.astype("timedelta64[D]")]
    flat = series.reshape(n_runs * n_days, -1)
    for i, kind in enumerate(schema.types[3:]):
        if pa.types.is_dictionary(kind):
            labels = pa.array(job.categories[schema.names[3 + i]], kind.value_type)
            columns.append(pa.DictionaryArray.from_arrays(flat[:, i].astype(np.int8), labels))
        else:
            columns.append(flat[:, i].astype(kind.to_pandas_dtype(), copy=False))
    arrays = [pa.array(c) if isinstance(c, np.ndarray) else c for c in columns]
    return pa.Table.from_arrays([a.cast(f.type) for a, f in zip(arrays, schema)], schema=schema)


HEADER = struct.Struct("<Q")


def send(fd: int, message: Any) -> None:
    """Write one message (a pickle with its length) to a pipe."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int) -> Any:
    """Read one message from a pipe; EOFError when the other end has closed it."""
    size = HEADER.unpack(_read_exactly(fd, HEADER.size))[0]
    return pickle.loads(_read_exactly(fd, size))


def _read_exactly(fd: int, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            raise EOFError("the pipe was closed")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _exit_with_parent() -> None:
    """Exit when the parent dies (e.g. killed), even in the middle of a chunk."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _failure(exc: BaseException) -> tuple[str, tuple[Any, ...]]:
    """An error to hand back to the parent: its class (by name), arguments and attributes,
    which rebuild it there even when the error itself does not pickle; and the traceback."""
    state = (type(exc), exc.args, vars(exc), traceback.format_exc())
    try:
        pickle.loads(pickle.dumps(state))
    except Exception:
        state = (RuntimeError, (f"{type(exc).__name__}: {exc}",), {}, state[3])
    return "error", state


def rebuild_error(state: tuple[Any, ...]) -> BaseException:
    """The error a worker sent (`_failure`), as itself, with the worker's traceback noted."""
    kind, args, attributes, text = state
    exc = kind.__new__(kind)
    exc.args = args
    exc.__dict__.update(attributes)
    exc.add_note(f"in a worker process:\n{text}")
    return exc


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _exit_with_parent()
    tasks, replies = int(argv[0]), int(argv[1])
    while True:
        try:
            scenario, chunk, job = receive(tasks)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", save_chunk(scenario, chunk, job))
        except Exception as exc:
            reply = _failure(exc)
        send(replies, reply)


if __name__ == "__main__":
    from libyasim import worker  # this module under its own name, so that replies unpickle

    worker.main(sys.argv[1:])
