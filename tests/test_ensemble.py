"""The ensemble engine: seeds, worker counts, interruption, resume, shards, progress."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from libyasim import ensemble, worker
from libyasim.cli import main
from libyasim.ensemble import (CHUNK_DIR, EnsembleError, LocalBackend, load_results,
                               merge_shards, plan_chunks, run_ensemble, run_seed)
from libyasim.scenario import load_scenario

LIBYASIM = Path(sys.executable).with_name("libyasim")
RUNS, SEED = 300, 11


@pytest.fixture(scope="module")
def reference(short, tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An uninterrupted ensemble of RUNS runs on two workers."""
    out = tmp_path_factory.mktemp("ref")
    run_ensemble(load_scenario(short), out, runs=RUNS, seed=SEED, workers=2, progress=False)
    runs, series, _ = load_results(out)
    return runs, series


def assert_same(out: Path, reference: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    runs, series, _ = load_results(out)
    assert runs["run"].tolist() == list(range(RUNS))  # no duplicate, no missing run
    pd.testing.assert_frame_equal(runs, reference[0])
    pd.testing.assert_frame_equal(series, reference[1])


def test_run_seeds_depend_on_root_and_index_only():
    seeds = [run_seed(7, r) for r in range(1000)]
    assert len(set(seeds)) == 1000
    assert seeds[:5] == [run_seed(7, r) for r in range(5)]
    assert run_seed(8, 0) != seeds[0]
    chunks = plan_chunks(7, 10, 4)
    assert [c.start for c in chunks] == [0, 4, 8]
    assert [s for c in chunks for s in c.seeds] == seeds[:10]
    assert [c.start for c in plan_chunks(7, 10, 2, shard=(1, 2))] == [2, 6]


def test_results_identical_for_any_worker_count_and_chunk_size(short, tmp_path):
    scenario = load_scenario(short)
    run_ensemble(scenario, tmp_path / "a", runs=30, seed=3, workers=1, progress=False)
    run_ensemble(scenario, tmp_path / "b", runs=30, seed=3, workers=2, chunk_size=4,
                 progress=False)
    a, b = load_results(tmp_path / "a"), load_results(tmp_path / "b")
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert a[2]["run_seeds"] == [run_seed(3, r) for r in range(30)]
    assert not (tmp_path / "a" / CHUNK_DIR).exists()
    series = pq.ParquetFile(tmp_path / "b" / "series.parquet")
    assert series.num_row_groups == 8  # each chunk's row group copied as it was
    assert pq.ParquetFile(tmp_path / "b" / "runs.parquet").num_row_groups == 1  # gathered


def test_local_backend_keeps_a_bounded_queue(short, tmp_path):
    """Memory stays flat: the backend reads only a few chunks ahead of what it has returned."""
    scenario = load_scenario(short)
    taken = []

    def tasks():
        for chunk in plan_chunks(1, 40, 2):
            taken.append(chunk)
            yield scenario, chunk

    returned = []
    job = worker.ChunkJob(str(tmp_path), "token", series_schema=None)  # a folder workers miss
    for report in LocalBackend(2)(list_like(tasks()), job):
        # 2 x workers in flight, plus the one being handed back
        assert len(taken) - len(returned) <= 5
        assert report.tables is not None and report.tables[0].num_rows == 2
        returned.append(report.chunk.start)
    assert sorted(returned) == list(range(0, 40, 2))
    assert not list(tmp_path.iterdir())


class list_like(list):
    """A sequence that yields lazily, to watch how far the backend reads ahead."""

    def __init__(self, iterator):
        super().__init__()
        self.iterator = iterator

    def __iter__(self):
        return self.iterator

    def __len__(self):
        return 20


def _as_from_a_terminal() -> None:
    """In the child before exec: Ctrl-C as a shell's foreground job has it (default action,
    not blocked), whatever the test process inherited or a library set in it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def _start_run(short: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(LIBYASIM), "run", str(short), "--runs", str(RUNS), "--seed", str(SEED),
         "--out", str(out), "--workers", "2", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_from_a_terminal)


def _wait_for_chunks(out: Path, process: subprocess.Popen, count: int) -> None:
    chunks = out / CHUNK_DIR
    while not (chunks.exists() and len(list(chunks.glob("runs-*.parquet"))) >= count):
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)


def test_ctrl_c_is_clean_and_resume_completes_exactly(short, reference, tmp_path):
    out = tmp_path / "out"
    process = _start_run(short, out)
    _wait_for_chunks(out, process, 1)  # early: the last chunks come within a fraction of a second
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: to the whole process group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, (err, signal.getsignal(signal.SIGINT),
                                       signal.pthread_sigmask(signal.SIG_BLOCK, set()))
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "--resume" in err
    assert not (out / "runs.parquet").exists()
    saved = list((out / CHUNK_DIR).glob("runs-*.parquet"))
    assert 1 <= len(saved) < 9  # 300 runs make 9 chunks of up to 37
    assert f"{sum(pq.read_metadata(p).num_rows for p in saved)} finished runs are saved" in err
    assert main(["run", str(short), "--runs", str(RUNS), "--seed", str(SEED), "--out", str(out),
                 "--resume", "--quiet"]) == 0
    assert_same(out, reference)


def test_killed_run_leaves_only_complete_files_and_resumes(short, reference, tmp_path):
    out = tmp_path / "out"
    process = _start_run(short, out)
    _wait_for_chunks(out, process, 2)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    for path in out.rglob("*.parquet"):  # every file under its final name is whole
        assert pq.read_table(path).num_rows > 0
    deadline = time.monotonic() + 20  # orphaned workers notice their parent is gone and exit
    while True:
        try:
            with ensemble._locked(out):
                break
        except EnsembleError:
            assert time.monotonic() < deadline, "workers of the killed run did not exit"
            time.sleep(0.1)
    resumed = run_ensemble(load_scenario(short), out, runs=RUNS, seed=SEED, workers=1,
                           resume=True, progress=False)
    assert_same(resumed, reference)
    assert not list(out.rglob(".*.tmp-*"))


def test_resume_refuses_another_ensemble(short, tmp_path):
    scenario = load_scenario(short)
    run_ensemble(scenario, tmp_path, runs=4, seed=1, workers=1, progress=False)
    with pytest.raises(EnsembleError, match="root_seed differs"):
        run_ensemble(scenario, tmp_path, runs=4, seed=2, resume=True, progress=False)
    assert main(["run", str(short), "--runs", "5", "--seed", "1", "--out", str(tmp_path),
                 "--resume", "--quiet"]) == 2


def test_resume_of_finished_ensemble_runs_nothing(short, tmp_path, monkeypatch):
    scenario = load_scenario(short)
    run_ensemble(scenario, tmp_path, runs=4, seed=1, workers=1, progress=False)
    before = (tmp_path / "runs.parquet").stat().st_mtime_ns
    monkeypatch.setattr(worker, "run_chunk", None)  # would fail if called
    run_ensemble(scenario, tmp_path, runs=4, seed=1, workers=1, resume=True, progress=False)
    assert (tmp_path / "runs.parquet").stat().st_mtime_ns == before


def test_folder_in_use_is_refused(short, tmp_path):
    with ensemble._locked(tmp_path):
        with pytest.raises(EnsembleError, match="in use"):
            run_ensemble(load_scenario(short), tmp_path, runs=2, seed=1, workers=1,
                         progress=False)


def test_shards_merge_into_the_same_result_as_one_run(short, tmp_path):
    scenario = load_scenario(short)
    run_ensemble(scenario, tmp_path / "whole", runs=23, seed=4, chunk_size=3, workers=2,
                 progress=False)
    for i in range(3):
        run_ensemble(scenario, tmp_path / f"s{i}", runs=23, seed=4, chunk_size=3, shard=(i, 3),
                     workers=1, progress=False)
    merge_shards([tmp_path / f"s{i}" for i in (2, 0, 1)], tmp_path / "merged")
    whole, merged = load_results(tmp_path / "whole"), load_results(tmp_path / "merged")
    pd.testing.assert_frame_equal(whole[0], merged[0])
    pd.testing.assert_frame_equal(whole[1], merged[1])
    assert merged[2]["shard"] is None and merged[2]["run_seeds"] == whole[2]["run_seeds"]
    with pytest.raises(EnsembleError, match="exactly once"):
        merge_shards([tmp_path / "s0", tmp_path / "s1"], tmp_path / "bad")
    with pytest.raises(EnsembleError, match="not a shard"):
        merge_shards([tmp_path / "whole", tmp_path / "s1"], tmp_path / "bad")
    assert main(["merge", str(tmp_path / "s0"), "--out", str(tmp_path / "bad")]) == 2


def test_shard_argument_is_checked(short, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(short), "--shard", "3/3"])
    assert exc.value.code == 2
    assert "0 <= I < N" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert ensemble._progress_bar(10, 0, enabled=True) is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert ensemble._progress_bar(10, 0, enabled=False) is None
    bar = ensemble._progress_bar(10, 4, enabled=True)
    assert bar.total == 10 and bar.n == 4 and bar.unit == "run"
    bar.close()


def test_a_worker_that_cannot_see_the_folder_hands_its_tables_back(short, tmp_path):
    """As a Dask worker on another machine: the parent writes what the worker could not."""
    scenario = load_scenario(short)
    def remote(tasks, job):
        elsewhere = dataclasses.replace(job, folder="/nonexistent/chunks")
        for s, chunk in tasks:
            report = worker.save_chunk(s, chunk, elsewhere)
            assert report.tables is not None
            yield report

    run_ensemble(scenario, tmp_path / "remote", runs=6, seed=2, chunk_size=2, backend=remote,
                 progress=False)
    run_ensemble(scenario, tmp_path / "local", runs=6, seed=2, workers=1, progress=False)
    remote_results, local = load_results(tmp_path / "remote"), load_results(tmp_path / "local")
    pd.testing.assert_frame_equal(remote_results[0], local[0])
    pd.testing.assert_frame_equal(remote_results[1], local[1])


def test_row_groups_of_different_schemas_are_not_copied(tmp_path):
    import pyarrow as pa

    from libyasim import rowgroups

    pq.write_table(pa.table({"run": [0, 1]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"run": pa.array([2], pa.int32())}), tmp_path / "b.parquet")
    with open(tmp_path / "joined.parquet", "wb") as out, pytest.raises(rowgroups.JoinError):
        rowgroups.join([tmp_path / "a.parquet", tmp_path / "b.parquet"], out)
    ensemble._copy_row_groups([tmp_path / "a.parquet", tmp_path / "b.parquet"],
                              tmp_path / "joined.parquet")  # falls back to re-encoding
    assert pq.read_table(tmp_path / "joined.parquet").column("run").to_pylist() == [0, 1, 2]


SCRIPT = """
import sys
import libyasim as ly

results = ly.run(sys.argv[1], runs=6, seed=1, out=sys.argv[2], workers=2)
print("runs:", len(results.runs))
"""


def test_a_script_without_a_main_guard_runs_on_two_workers_without_fork_warnings(short,
                                                                                  tmp_path):
    """A plain script calling `run` at top level: no worker re-runs it, and nothing forks a
    process that has threads (PYTHONWARNINGS=always would show it)."""
    script = tmp_path / "plain.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONWARNINGS": "always",
           "PYTHONPATH": os.pathsep.join([str(Path(ensemble.__file__).parents[1]),
                                          os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script), str(short), str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "runs: 6" in done.stdout
    assert "fork" not in done.stderr and "Traceback" not in done.stderr


def test_absurd_runs_are_refused_before_any_work(short, tmp_path, capsys):
    for runs in ("10000001", "99999999999999999999", "0"):
        with pytest.raises(SystemExit) as exc:
            main(["run", str(short), "--runs", runs, "--out", str(tmp_path / "out")])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "--runs" in err and "between 1 and 10000000" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(EnsembleError, match="10,000,000"):
        run_ensemble(load_scenario(short), tmp_path / "out", runs=10_000_001, progress=False)
    assert not (tmp_path / "out").exists()


def test_ctrl_c_before_any_run_finished_says_nothing_was_saved(short, tmp_path, monkeypatch,
                                                              capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(worker, "run_chunk", interrupted)
    assert main(["run", str(short), "--runs", "4", "--out", str(tmp_path), "--workers", "1",
                 "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "nothing was saved" in err and "finished runs are saved" not in err
    assert not list((tmp_path / CHUNK_DIR).glob("runs-*"))


def test_an_error_in_a_worker_reaches_the_caller_as_itself(short, tmp_path):
    """A chunk that fails in a worker process raises the same error here, with the worker's
    traceback attached; the next ensemble gets fresh workers."""
    from libyasim.scenario import ScenarioError

    scenario = load_scenario(short)
    good = plan_chunks(1, 4, 2)
    bad = dataclasses.replace(good[1], values=((("no.such_parameter", 1.0),),) * 2)
    job = worker.ChunkJob(str(tmp_path), "token", series_schema=None)
    with pytest.raises(ScenarioError, match="no.such_parameter") as exc:
        list(LocalBackend(2)([(scenario, good[0]), (scenario, bad)], job))
    assert any("in a worker process" in note for note in exc.value.__notes__)
    reports = list(LocalBackend(2)([(scenario, c) for c in good], job))
    assert sorted(r.chunk.start for r in reports) == [0, 2]


def test_row_groups_are_copied_whole_whatever_their_number_and_columns(tmp_path):
    """Files of several row groups, with dictionaries, nulls and strings, join to their rows
    in order, each row group kept as it was."""
    import pyarrow as pa

    from libyasim import rowgroups

    def part(first: int) -> pa.Table:
        runs = list(range(first, first + 5))
        return pa.table({"run": runs, "day": [None if r % 2 else r for r in runs],
                         "label": pa.array(["a", "b", "a", "c", "b"]).dictionary_encode(),
                         "text": [f"run {r}" for r in runs]})

    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.parquet")
        pq.write_table(part(5 * i), paths[-1], row_group_size=2)  # 3 row groups each
    with open(tmp_path / "joined.parquet", "wb") as out:
        assert rowgroups.join(paths, out) == 15
    joined = pq.ParquetFile(tmp_path / "joined.parquet")
    assert joined.num_row_groups == 9
    assert joined.read().equals(pa.concat_tables([part(0), part(5), part(10)]))


def test_an_ensemble_drawing_every_prior_finishes_on_two_workers(short, tmp_path):
    """Each chunk carries its runs' parameter draws (hundreds of values a run with --prior);
    a worker's reply must stay small, or it fills its pipe while the main process is still
    writing that worker's next task and both wait for ever (seen with 300 runs)."""
    done = subprocess.run(
        [sys.executable, "-m", "libyasim.cli", "run", str(short), "--prior", "--runs", "300",
         "--workers", "2", "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(Path(ensemble.__file__).parents[1])})
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert len(runs) == 300 and runs.filter(like="param:").shape[1] > 100
    assert runs.filter(like="param:").nunique().min() > 1  # every run drew its own values
