"""Helpers of the browser tests: headless Chromium with no route to any CDN, and a libyasim
page server (`app` or `game`) started on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # no route to any CDN: every name but the page's address fails to resolve
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args: list[str], port: int, log: Path, poll: float = 0.5
                 ) -> subprocess.Popen:
    """Start `libyasim ARGS` (a page server on `port`) and wait until it listens. The test
    fails, with the server's log, if it exits or does not listen within 2 minutes."""
    with log.open("a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "libyasim.cli", *args],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the server exited ({proc.returncode}):\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                stop(proc)
                pytest.fail(f"the server did not listen on {port}:\n{log.read_text()}")
            time.sleep(poll)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serving(args: list[str], port: int, log: Path, poll: float = 0.5) -> Iterator[str]:
    """Run `libyasim ARGS` (a page server on `port`) until the block ends; yield its address."""
    proc = start_server(args, port, log, poll)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)
