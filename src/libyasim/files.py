"""Files written whole or not at all: a temporary file beside the target replaces it in one
step, so an interrupted run never leaves a half-written file. A write that fails (a read-only
or missing folder, a full disk) raises `FolderError`, one line naming the file."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not imported at run time: ensemble workers start without pandas
    import pandas as pd


class FolderError(Exception):
    """A folder or file cannot be used as asked: it holds other results or foreign files, or
    the file system refuses (read-only, missing, full, a file where a folder is expected)."""


def describe(exc: OSError, path: Path | str | None = None, action: str = "write") -> str:
    """One line for a file-system error: what could not be written (or read), and why."""
    where = path or exc.filename or "a file"
    why = exc.strerror or str(exc)
    hint = {errno.ENOSPC: "; free some space and run the command again",
            errno.EDQUOT: "; free some space and run the command again",
            errno.EACCES: "; choose a folder you can write to (--out)",
            errno.EPERM: "; choose a folder you can write to (--out)",
            errno.EROFS: "; choose a folder you can write to (--out)"}.get(exc.errno or 0, "")
    return f"cannot {action} {where}: {why}{hint}"


def temporary_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Write a file whole or not at all: `write(tmp)` writes a temporary file beside `path`,
    which then replaces `path` in one step (removed if writing fails). A file-system error
    becomes a `FolderError` naming `path`; cleaning up never hides it."""
    tmp = temporary_path(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise FolderError(describe(exc, path)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def atomic_write_parquet(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


def atomic_write_text(text: str, path: Path) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
