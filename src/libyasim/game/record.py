"""The download of a whole game (JSON) and `libyasim replay`, which reruns it and compares.

The record holds what a rerun needs (scenario, seed, turn length, each turn's orders and the
day they were set, the last day played) and what it must reproduce (the daily series, the
outcomes, the events), plus the software version that played it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from libyasim import __version__
from libyasim.game.engine import ACTORS, SERIES_COLUMNS, GameRun, check_orders, replay
from libyasim.model import SERIES_CATEGORIES
from libyasim.scenario import Scenario, ScenarioError

if TYPE_CHECKING:
    from libyasim.game.rooms import Room

FORMAT, FORMAT_VERSION = "libyasim-game", 1


class RecordError(Exception):
    """A game file that cannot be replayed; the message names the file and the key."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def game_record(room: Room) -> dict[str, Any]:
    """Everything about a room's game, JSON-ready."""
    run = room.run
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "libyasim_version": __version__,
        "scenario": room.scenario.to_json(), "seed": room.seed, "turn_days": room.turn_days,
        "start_date": run.date_of(0).isoformat(), "last_day": run.day, "ended": room.ended,
        "class_actors": sorted({a for t in room.turns for a in t.orders},
                               key=list(ACTORS).index),
        "turns": [{"turn": i + 1, "day": t.day, "date": run.date_of(t.day).isoformat(),
                   "orders_from_day": t.day + 1, "orders": _jsonable(t.orders),
                   "events": [{"day": e.day, "date": run.date_of(e.day).isoformat(),
                               "kind": e.kind, "text": e.text, "actor": e.actor,
                               "place": e.place} for e in t.events]}
                  for i, t in enumerate(room.turns)],
        "outcomes": _jsonable(run.outcomes()),
        "series": {"columns": list(SERIES_COLUMNS), "categories": {k: list(v) for k, v in SERIES_CATEGORIES.items()},
                   "rows": run.series.tolist()},
    }


def dumps(record: dict[str, Any]) -> str:
    """The record as JSON text (floats written exactly, so a rerun can compare bit for bit)."""
    return json.dumps(record, indent=1, allow_nan=True)


MAX_SEED = 2**63 - 1  # as `libyasim run --seed` accepts


def load_record(path: str | Path) -> dict[str, Any]:
    """Read and check a game file; RecordError names what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(f"{path}: file not found; expected a game file downloaded from "
                          "`libyasim game`") from None
    except IsADirectoryError:
        raise RecordError(f"{path}: is a folder; expected a game file downloaded from "
                          "`libyasim game`") from None
    except RecursionError:
        raise RecordError(f"{path}: nested too deeply; expected a game file downloaded from "
                          "`libyasim game`") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: JSON, huge numbers
        raise RecordError(f"{path}: not a JSON game file ({str(exc)[:200]})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordError(f"{path}: format: expected \"{FORMAT}\" (a file downloaded from the "
                          "game's debrief)")
    expected = {"scenario": dict, "seed": int, "turn_days": int, "last_day": int,
                "turns": list, "series": dict, "outcomes": dict}
    for key, kind in expected.items():
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise RecordError(f"{path}: {key}: expected a {kind.__name__}, got "
                              f"{type(value).__name__}")
    for key, high in (("seed", MAX_SEED), ("turn_days", 100_000), ("last_day", 100_000)):
        if not 0 <= data[key] <= high:
            raise RecordError(f"{path}: {key}: expected a whole number from 0 to {high:,}")
    for i, turn in enumerate(data["turns"]):
        _check_turn(path, i, turn)
    _check_series(path, data["series"])
    return data


def _check_turn(path: Path, i: int, turn: Any) -> None:
    where = f"{path}: turns[{i}]"
    if not (isinstance(turn, dict) and isinstance(turn.get("day"), int)
            and not isinstance(turn.get("day"), bool) and isinstance(turn.get("orders"), dict)):
        raise RecordError(f"{where}: expected {{\"day\": N, \"orders\": {{...}}}}")
    for actor, orders in turn["orders"].items():
        if actor not in ACTORS or not isinstance(orders, dict):
            raise RecordError(f"{where}: orders: expected an actor ({', '.join(ACTORS)}) and "
                              f"its orders {{\"order\": value}}, got {actor!r}"[:300])
        try:
            check_orders(actor, orders)
        except ValueError as exc:
            raise RecordError(f"{where}: orders: {exc}"[:300]) from None


def _check_series(path: Path, series: dict[str, Any]) -> None:
    columns, rows = series.get("columns"), series.get("rows")
    if not isinstance(columns, list) or not isinstance(rows, list) or not all(
            isinstance(c, str) for c in columns):
        raise RecordError(f"{path}: series: expected \"columns\" (names) and \"rows\" lists")
    for day, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in row):
            raise RecordError(f"{path}: series: rows[{day}]: expected {len(columns)} numbers, "
                              "one per column")


def scenario_of(data: dict[str, Any], source: str) -> Scenario:
    try:
        return Scenario.from_json(data["scenario"])
    except (ScenarioError, KeyError, TypeError, ValueError, RecursionError) as exc:
        raise RecordError(f"{source}: scenario: expected the scenario as the game wrote it "
                          f"({type(exc).__name__}: {str(exc)[:200]})") from None


def rerun(data: dict[str, Any], source: str = "game file") -> GameRun:
    """Play the recorded game again from day 0."""
    scenario = scenario_of(data, source)
    turns = [(t["day"], t["orders"]) for t in data["turns"]]
    try:
        return replay(scenario, data["seed"], turns, data["last_day"])
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise RecordError(f"{source}: turns: {str(exc)[:300]}") from None


def differences(data: dict[str, Any], run: GameRun) -> list[str]:
    """What differs between a recorded game and its rerun (empty: identical)."""
    out: list[str] = []
    recorded_cols = list(data["series"]["columns"])
    if recorded_cols != list(SERIES_COLUMNS):
        missing = [c for c in recorded_cols if c not in SERIES_COLUMNS]
        extra = [c for c in SERIES_COLUMNS if c not in recorded_cols]
        out.append(f"series columns differ (only in the file: {missing or 'none'}; only in "
                   f"this version: {extra or 'none'})")
    recorded = np.array(data["series"]["rows"], dtype=float)
    rerun_series = run.series
    if recorded.shape[0] != rerun_series.shape[0]:
        out.append(f"series length: the file has {recorded.shape[0]} days, the rerun "
                   f"{rerun_series.shape[0]}")
    days = min(recorded.shape[0], rerun_series.shape[0])
    for name in recorded_cols:
        if name not in SERIES_COLUMNS or recorded.ndim != 2:
            continue
        a = recorded[:days, recorded_cols.index(name)]
        b = rerun_series[:days, SERIES_COLUMNS.index(name)]
        if not np.array_equal(a, b, equal_nan=True):
            bad = np.flatnonzero(~((a == b) | (np.isnan(a) & np.isnan(b))))
            first = int(bad[0])
            out.append(f"series {name}: {len(bad)} of {days} days differ, first on day {first} "
                       f"({run.date_of(first).isoformat()}): file {a[first]:g}, rerun "
                       f"{b[first]:g}")
    rerun_outcomes = _jsonable(run.outcomes())
    for key, value in data["outcomes"].items():
        if key not in rerun_outcomes:
            out.append(f"outcome {key}: in the file ({value!r}) but not produced by the rerun")
        elif json.dumps(rerun_outcomes[key]) != json.dumps(value):
            out.append(f"outcome {key}: file {value!r}, rerun {rerun_outcomes[key]!r}")
    return out
