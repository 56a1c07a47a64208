"""A worker process of a local ensemble: `python -m libyasim.worker TASKS REPLIES`.

The ensemble starts each worker as a fresh Python process (no fork: it inherits no threads, and
it never re-runs the user's script, so a script without an `if __name__ == "__main__":` guard
works). The worker reads tasks from file descriptor TASKS, runs and saves each chunk
(`ensemble.save_chunk`) and answers with a short report on REPLIES. Messages are pickles, each
preceded by its length. It stops when the ensemble closes TASKS, or when its parent dies.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from typing import Any

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


def _failure(exc: BaseException) -> tuple[str, BaseException]:
    """An error to hand back to the parent, picklable, with the worker's traceback."""
    text = traceback.format_exc()
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    exc.add_note(f"in a worker process:\n{text}")
    return "error", exc


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _exit_with_parent()
    tasks, replies = int(argv[0]), int(argv[1])
    from libyasim.ensemble import save_chunk

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
    main(sys.argv[1:])
