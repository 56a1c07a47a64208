"""One owner per output folder: the rule every command that writes into a folder follows.

- A folder holding other results (another scenario, other settings, seed or number of runs) or
  files libyasim did not write is refused (`FolderError`, exit 2 on the command line) and left
  intact; `force` replaces the folder whole.
- Derived files (a report, a validation) belong to the runs beside them: they are removed
  whenever the runs change, never left to describe other runs.
- A complete folder for the same settings is reused, not rerun.
- File-system failures (read-only, missing, a file where a folder is expected) are one line.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from libyasim.files import FolderError, describe

__all__ = ["FolderError", "claim", "usable_folder", "refuse_other", "refuse_foreign",
           "replace_whole", "remove_derived", "read_manifest", "differences", "holds_complete",
           "writable"]

RUNS_FILE, SERIES_FILE, MANIFEST_FILE, CHUNK_DIR = (
    "runs.parquet", "series.parquet", "manifest.json", "chunks")
LOCK_FILE = ".lock"
REPORT_FILE = "report.html"
VALIDATION_FILES = ("validation.csv", "validation.json", "validation.png")
DERIVED_FILES = (REPORT_FILE, *VALIDATION_FILES)
# What makes two ensembles the same: the manifest's keys (the scenario by its name and values).
IDENTITY_KEYS = ("scenario", "root_seed", "runs", "shard", "points", "draws")
_KEY_NAMES = {"scenario": "scenario or settings", "root_seed": "seed", "runs": "number of runs",
              "shard": "shard", "points": "design points", "draws": "parameter draws"}


def writable(folder: Path) -> None:
    """Raise a one-line `FolderError` unless files can be created in `folder`."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FolderError(f"cannot write into {folder}: it is read-only; choose a folder you "
                          "can write to (--out)")


def usable_folder(out: Path) -> Path:
    """`out` as an output folder, made if missing: an error when it names a file (or lies
    under one), cannot be made, or cannot be written into."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FolderError(f"{out} is a file; expected a folder for the results "
                          "(a new or a results folder)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "a file is in the way" if exc.errno in (17, 20) else exc.strerror
        raise FolderError(f"cannot make the folder {out}: {reason}") from None
    writable(out)
    return out


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of a results folder, None when there is none (or it is unreadable)."""
    path = Path(out) / MANIFEST_FILE
    try:
        return json.loads(path.read_text()) if path.is_file() else None
    except ValueError:
        raise FolderError(f"{path}: not a readable libyasim manifest (broken JSON); remove "
                          "the folder or pass --force to replace it") from None


def _scenario_identity(manifest: Mapping[str, Any]) -> tuple[Any, Any]:
    scenario = manifest.get("scenario") or {}
    return scenario.get("name"), scenario.get("values")


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The identity keys in which two manifests differ (empty: the same ensemble)."""
    return [key for key in IDENTITY_KEYS if not same(old, new, key)]


def same(old: Mapping[str, Any], new: Mapping[str, Any], key: str) -> bool:
    """Whether two manifests agree on `key`; a scenario by its name and resolved values, not
    by the path it was read from (the same file typed another way is the same scenario)."""
    if key == "scenario":
        return _scenario_identity(old) == _scenario_identity(new)
    return bool(_normal(old.get(key)) == _normal(new.get(key)))


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))  # tuples as lists, dates as text


def _others(out: Path, own: Iterable[str] = ()) -> list[str]:
    keep = {LOCK_FILE, *own}
    return sorted(p.name for p in out.iterdir()
                  if p.name not in keep and not p.name.startswith("."))


def refuse_foreign(out: Path, own: Iterable[str], force: bool) -> None:
    """Refuse a folder that holds files other than `own` (what the command itself writes),
    unless `force`, which replaces the folder whole."""
    if not out.is_dir():
        return
    others = _others(out, own)
    if not others:
        return
    if force:
        replace_whole(out)
        return
    listed = ", ".join(others[:3]) + ("..." if len(others) > 3 else "")
    raise FolderError(f"{out} holds other files ({listed}), not libyasim results; nothing "
                      "was changed. Choose another --out folder, or pass --force to replace "
                      "the folder whole")


def refuse_other(out: Path, manifest: Mapping[str, Any], force: bool) -> None:
    """Refuse to write an ensemble into a folder that holds other results (another scenario,
    other settings, seed or number of runs) or other files, unless `force`, which replaces the
    folder whole."""
    out = Path(out)
    if not out.is_dir():
        return
    old = read_manifest(out)
    if old is None:
        refuse_foreign(out, (), force)
        return
    what = differences(old, manifest)
    if not what:
        return
    if force:
        replace_whole(out)
        return
    was, now = old.get("scenario") or {}, manifest.get("scenario") or {}
    detail = ", ".join(_KEY_NAMES[w] for w in what)
    raise FolderError(
        f"{out} holds the results of scenario '{was.get('name')}' ({old.get('runs')} runs, "
        f"root seed {old.get('root_seed')}); these ('{now.get('name')}', {manifest.get('runs')} "
        f"runs, seed {manifest.get('root_seed')}) differ in their {detail}. Nothing was changed. "
        "Choose another --out folder, or pass --force (overwrite=True) to replace them")


def replace_whole(out: Path) -> None:
    """Empty `out` (`--force`): everything in it goes, except a lock held by this process.
    Refused for the working folder, a folder that holds it, and the home folder."""
    here, target = Path.cwd().resolve(), out.resolve()
    if target == here or target in here.parents or target == Path.home().resolve():
        raise FolderError(f"refusing to empty {out}: it is the working folder, holds it, or is "
                          "the home folder; choose a subfolder as --out")
    for path in out.iterdir():
        if path.name == LOCK_FILE:
            continue
        try:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError as exc:
            raise FolderError(describe(exc, path)) from None


def remove_derived(out: Path, names: Iterable[str] = DERIVED_FILES) -> None:
    """Remove the files derived from a folder's runs (report, validation): called whenever the
    runs change, so none of them describes other runs."""
    for name in names:
        try:
            (Path(out) / name).unlink(missing_ok=True)
        except OSError as exc:
            raise FolderError(describe(exc, Path(out) / name)) from None


def holds_complete(out: Path, manifest: Mapping[str, Any], with_series: bool = True) -> bool:
    """Whether `out` holds a finished ensemble with the same identity as `manifest` (so it can
    be reused instead of rerun)."""
    out = Path(out)
    if not (out / RUNS_FILE).is_file() or (out / CHUNK_DIR).exists():
        return False
    if with_series and not (out / SERIES_FILE).is_file():
        return False
    try:
        old = read_manifest(out)
    except FolderError:
        return False
    return old is not None and not differences(old, manifest)


def claim(out: Path, manifest: Mapping[str, Any], force: bool,
          derived: Iterable[str] = DERIVED_FILES, with_series: bool = True) -> bool:
    """The whole rule for a command about to write the results described by `manifest` (its
    IDENTITY_KEYS) into `out`: made if missing; other results or foreign files refused unless
    `force` (which replaces the folder whole); files `derived` from other runs removed. Returns
    True when `out` already holds these results, complete: reuse them instead of running."""
    out = usable_folder(Path(out))
    refuse_other(out, manifest, force)
    complete = holds_complete(out, manifest, with_series)
    if not complete:
        remove_derived(out, derived)
    return complete
