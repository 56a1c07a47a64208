"""Where the classroom server keeps its rooms: one SQLite file in a data folder.

Every room is one row (its code, its state as JSON, when it was saved), written whenever the
room changes, so a server killed mid-lesson loses nothing a student had done. SQLite commits
each write whole (write-ahead log), so a crash leaves the last saved state, never half of one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

GAMES_FILE = "games.sqlite"


def default_data_dir() -> Path:
    """The per-user data folder: $XDG_DATA_HOME/libyasim/games (~/.local/share/... unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "libyasim" / "games"


class StoreError(Exception):
    """The data folder or its database cannot be used; the message says why."""


class Store:
    """The rooms saved in `folder/games.sqlite`; safe to use from many threads."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / GAMES_FILE
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # it holds sessions
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, "
                            "state TEXT NOT NULL, saved REAL NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot keep games there ({exc})") from None
        self.lock = threading.Lock()

    def save(self, code: str, state: dict[str, Any]) -> None:
        text = json.dumps(state, separators=(",", ":"))
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO rooms (code, state, saved) VALUES (?, ?, ?)",
                            (code, text, time.time()))

    def delete(self, code: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM rooms WHERE code = ?", (code,))

    def load(self) -> Iterator[tuple[str, Any]]:
        """(code, state) of every saved room; a state that is not JSON comes as its error."""
        with self.lock:
            rows = self.db.execute("SELECT code, state FROM rooms ORDER BY saved").fetchall()
        for code, text in rows:
            try:
                yield str(code), json.loads(text)
            except (TypeError, ValueError, RecursionError) as exc:
                yield str(code), exc

    def close(self) -> None:
        with self.lock:
            self.db.close()
