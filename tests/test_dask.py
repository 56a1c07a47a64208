"""The Dask backend: a real scheduler and workers on 127.0.0.1 give the local results exactly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from libyasim.cli import main
from libyasim.ensemble import ChunkJob, DaskBackend, load_results, plan_chunks, run_ensemble, save_chunk
from libyasim.scenario import load_scenario

distributed = pytest.importorskip("distributed")
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([str(DASK), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker(address: str, *extra: str) -> subprocess.Popen:
    return start("worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--death-timeout", "60", *extra)


def wait_for_workers(address: str, count: int) -> None:
    with distributed.Client(address, timeout="30s") as client:
        client.wait_for_workers(count, timeout=90)


@pytest.fixture(scope="module")
def cluster():
    """`dask scheduler` and two `dask worker` processes; yields the scheduler address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [start("scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard")]
    try:
        processes += [worker(address), worker(address)]
        wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


def test_dask_cluster_equals_local(cluster, short, tmp_path):
    scenario = load_scenario(short)
    run_ensemble(scenario, tmp_path / "local", runs=24, seed=9, chunk_size=3, workers=2,
                 progress=False)
    run_ensemble(scenario, tmp_path / "dask", runs=24, seed=9, chunk_size=3,
                 backend=DaskBackend(cluster), progress=False)
    local, dask = load_results(tmp_path / "local"), load_results(tmp_path / "dask")
    pd.testing.assert_frame_equal(local[0], dask[0])
    pd.testing.assert_frame_equal(local[1], dask[1])


def test_cli_dask_shards_merge_to_the_local_run(cluster, short, tmp_path, monkeypatch):
    monkeypatch.setattr("libyasim.plots.save_all", lambda *args, **kwargs: [])
    common = [str(short), "--runs", "10", "--seed", "3", "--quiet"]
    assert main(["run", *common, "--out", str(tmp_path / "local"), "--workers", "1"]) == 0
    for i in range(2):
        assert main(["run", *common, "--out", str(tmp_path / f"s{i}"), "--shard", f"{i}/2",
                     "--backend", "dask", "--scheduler", cluster, "--workers", "1"]) == 0
    assert main(["merge", str(tmp_path / "s0"), str(tmp_path / "s1"),
                 "--out", str(tmp_path / "merged")]) == 0
    local, merged = load_results(tmp_path / "local"), load_results(tmp_path / "merged")
    pd.testing.assert_frame_equal(local[0], merged[0])
    pd.testing.assert_frame_equal(local[1], merged[1])


def test_scheduler_needs_dask_backend(short, tmp_path, capsys):
    assert main(["run", str(short), "--runs", "2", "--out", str(tmp_path),
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--backend dask" in capsys.readouterr().err


def test_local_cluster_when_no_address(short, tmp_path):
    scenario = load_scenario(short)
    run_ensemble(scenario, tmp_path / "dask", runs=4, seed=2, chunk_size=2,
                 backend=DaskBackend(workers=2), with_series=False, progress=False)
    run_ensemble(scenario, tmp_path / "local", runs=4, seed=2, workers=1, with_series=False,
                 progress=False)
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask")[0],
                                  load_results(tmp_path / "local")[0])


def test_lost_worker_loses_no_run(cluster, short):
    """A worker killed while it holds tasks: the scheduler reruns them elsewhere."""
    scenario = load_scenario(short)
    chunks = plan_chunks(5, 60, 2)
    doomed = worker(cluster, "--no-nanny", "--name", "doomed")
    try:
        wait_for_workers(cluster, 3)
        job = ChunkJob("/nonexistent", "token", series_schema=None)  # tables come back
        results = iter(DaskBackend(cluster)([(scenario, c) for c in chunks], job))
        got = [next(results)]
        with distributed.Client(cluster, timeout="30s") as client:
            address = next(a for a, w in client.scheduler_info()["workers"].items()
                           if w["name"] == "doomed")
            deadline = time.monotonic() + 30
            while not client.processing()[address] and time.monotonic() < deadline:
                time.sleep(0.01)
            assert client.processing()[address], "the extra worker got no task"
            doomed.kill()
            doomed.wait()
        got += list(results)
    finally:
        stop(doomed)
    assert sorted(r.chunk.start for r in got) == [c.start for c in chunks]
    expected = {c.start: save_chunk(scenario, c, job).tables[0] for c in chunks[:3]}
    for report in got:
        if report.chunk.start in expected:
            assert report.tables[0].equals(expected[report.chunk.start])
