"""Observed facts about Libya (2019-2020) as data, and the same statistics computed from runs.

An observations file is a CSV with the columns of `COLUMNS` (see docs/observations.md). Each row
states one fact about a daily series column of the model, in one of four kinds:

- ``total``: the sum of `column` over the days [start, end]; `value` is the observed number;
- ``first_day``: the first date in [start, end] on which `column == equals`; `value` is a date;
  a run in which it never happens in the window counts as one day later than `end`;
- ``state``: whether `column == equals` on date `end`; `value` is 1 or 0;
- ``occurs``: whether `column == equals` on some day in [start, end]; `value` is 1 or 0.

A ``total`` with `low` set and `high` empty is a floor ("at least", "more than"): `floor`.

`statistics` computes, for every run of an ensemble, the number each observation describes.
Validation (validate.py) and calibration (calibrate.py) both use it, so a fit and its score
measure the same thing.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ("name", "kind", "column", "equals", "value", "low", "high", "start", "end",
           "known_on", "source")
KINDS = ("total", "first_day", "state", "occurs")
NUMERIC_KINDS = ("total", "first_day")  # scored as numbers (intervals, PIT, CRPS)
BINARY_KINDS = ("state", "occurs")  # scored as probabilities (Brier, log score)
MIN_COVERAGE = 0.8  # a total needs at least this share of its window inside the run
DEFAULT_FILE = "observations.csv"


class ObservationError(Exception):
    """An observations file is malformed; the message names the file, the row and the column."""


@dataclass(frozen=True)
class Observation:
    """One observed fact (a row of an observations file)."""

    name: str
    kind: str
    column: str
    equals: str | None
    value: float | dt.date
    low: float | dt.date | None
    high: float | dt.date | None
    start: dt.date
    end: dt.date
    known_on: dt.date
    source: str

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def floor(self) -> bool:
        """A count the source gives only as "at least N" (`low` set, `high` empty): the truth
        is `value` or more, so it is scored as censored (validate.py)."""
        return self.kind == "total" and self.low is not None and self.high is None

    @property
    def window_days(self) -> int:
        return (self.end - self.start).days + 1

    def observed(self) -> float:
        """The observed value as a number: a count, 0/1, or days after `start` for a date."""
        return self._as_number(self.value)

    def bounds(self) -> tuple[float, float]:
        """The source's range as numbers (the value itself where no range is given)."""
        low = self._as_number(self.low) if self.low is not None else self.observed()
        high = self._as_number(self.high) if self.high is not None else self.observed()
        return low, high

    def _as_number(self, value: float | dt.date) -> float:
        if isinstance(value, dt.date):
            return float((value - self.start).days)
        return float(value)

    def from_date(self, start: dt.date) -> Observation:
        """The observation asked from `start` on (first_day and occurs windows start later)."""
        if self.kind in ("first_day", "occurs") and start > self.start:
            return replace(self, start=start)
        return self


# ---------------------------------------------------------------------------- reading
def default_path() -> Path:
    """The observations shipped with libyasim (src/libyasim/data/observations.csv)."""
    return Path(str(resources.files("libyasim") / "data" / DEFAULT_FILE))


def load_observations(path: str | Path | None = None,
                      columns: Mapping[str, Sequence[str] | None] | None = None
                      ) -> list[Observation]:
    """Read and check an observations file (default: the shipped one).

    `columns` maps the series columns the model has to their category labels (None for
    numeric columns); by default the model's own. Raises `ObservationError` naming the first
    bad row and column.
    """
    path = Path(path) if path is not None else default_path()
    columns = series_columns() if columns is None else columns
    if not path.is_file():
        raise ObservationError(f"{path}: file not found; expected an observations CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ObservationError(f"{path}: not a readable CSV text file ({exc})") from None
    if not rows:
        raise ObservationError(f"{path}: empty file; expected a header row: {', '.join(COLUMNS)}")
    header = [h.strip() for h in rows[0]]
    if sorted(header) != sorted(COLUMNS) or len(header) != len(COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        detail = "; ".join(([f"missing {', '.join(missing)}"] if missing else [])
                           + ([f"unexpected {', '.join(extra)}"] if extra else []))
        raise ObservationError(f"{path}: row 1 (header): {detail or 'repeated columns'}; "
                               f"expected exactly: {', '.join(COLUMNS)}")
    out: list[Observation] = []
    names: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ObservationError(f"{path}: row {number}: {len(row)} fields; expected "
                                   f"{len(header)} ({', '.join(header)}); quote texts that "
                                   "contain commas")
        cells = {h: cell.strip() for h, cell in zip(header, row)}
        obs = _parse_row(cells, columns, _Where(path, number))
        if obs.name in names:
            raise ObservationError(f"{path}: row {number}, column name: {obs.name!r} is used "
                                   "twice; expected a unique name per row")
        names.add(obs.name)
        out.append(obs)
    if not out:
        raise ObservationError(f"{path}: no observations after the header row")
    return out


@dataclass(frozen=True)
class _Where:
    path: Path
    row: int

    def error(self, column: str, message: str) -> ObservationError:
        return ObservationError(f"{self.path}: row {self.row}, column {column}: {message}")


def _parse_row(cells: dict[str, str], columns: Mapping[str, Sequence[str] | None],
               where: _Where) -> Observation:
    for key in ("name", "kind", "column", "start" if cells["kind"] != "state" else "end",
                "end", "value", "known_on", "source"):
        if not cells[key]:
            raise where.error(key, "empty; expected a value")
    kind = cells["kind"]
    if kind not in KINDS:
        raise where.error("kind", f"got {kind!r}; expected one of {', '.join(KINDS)}")
    column = cells["column"]
    if column not in columns:
        close = difflib.get_close_matches(column, list(columns), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise where.error("column", f"got {column!r}: not a daily series column of the "
                          f"model{hint}")
    labels = columns[column]
    equals = cells["equals"] or None
    if kind == "total":
        if equals is not None:
            raise where.error("equals", f"got {equals!r}; expected it empty for kind total")
        if labels is not None:
            raise where.error("column", f"{column!r} is a category column; a total needs a "
                              "numeric column")
    else:
        if equals is None:
            raise where.error("equals", f"empty; kind {kind} needs the value that {column} "
                              "takes")
        if labels is not None and equals not in labels:
            raise where.error("equals", f"got {equals!r}; expected one of "
                              f"{', '.join(labels)}")
        if labels is None:
            _number(equals, where, "equals")
    end = _date(cells["end"], where, "end")
    start = _date(cells["start"], where, "start") if cells["start"] else end
    if start > end:
        raise where.error("start", f"{start} is after end {end}; expected start <= end")
    if kind == "state" and start != end:
        start = end  # a state is read on `end` only
    known_on = _date(cells["known_on"], where, "known_on")
    value: float | dt.date
    low: float | dt.date | None
    high: float | dt.date | None
    if kind == "first_day":
        value = _date(cells["value"], where, "value")
        low = _date(cells["low"], where, "low") if cells["low"] else None
        high = _date(cells["high"], where, "high") if cells["high"] else None
        if not start <= value <= end:
            raise where.error("value", f"{value} lies outside the window {start}..{end}")
    else:
        value = _number(cells["value"], where, "value")
        low = _number(cells["low"], where, "low") if cells["low"] else None
        high = _number(cells["high"], where, "high") if cells["high"] else None
        if kind in BINARY_KINDS and value not in (0.0, 1.0):
            raise where.error("value", f"got {cells['value']!r}; expected 1 (true) or 0 (false)")
        if kind == "total" and float(value) < 0:
            raise where.error("value", f"got {value:g}; expected a count of at least 0")
    if kind in BINARY_KINDS and (low is not None or high is not None):
        raise where.error("low" if low is not None else "high",
                          f"expected empty for kind {kind} (a yes/no fact has no range)")
    if low is not None and low > value:  # type: ignore[operator]
        raise where.error("low", f"{cells['low']} is above the value {cells['value']}")
    if high is not None and high < value:  # type: ignore[operator]
        raise where.error("high", f"{cells['high']} is below the value {cells['value']}")
    return Observation(cells["name"], kind, column, equals, value, low, high, start, end,
                       known_on, cells["source"])


def _date(text: str, where: _Where, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise where.error(column, f"got {text!r}; expected a date YYYY-MM-DD") from None


def _number(text: str, where: _Where, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise where.error(column, f"got {text!r}; expected a number") from None
    if not math.isfinite(value):
        raise where.error(column, f"got {text!r}; expected a finite number")
    return value


# ---------------------------------------------------------------------------- the model's columns
def series_columns() -> dict[str, tuple[str, ...] | None]:
    """The model's daily series columns -> category labels (None for numeric columns)."""
    from libyasim.model import SERIES_CATEGORIES, SERIES_COLUMNS

    return {c: tuple(SERIES_CATEGORIES[c]) if c in SERIES_CATEGORIES else None
            for c in SERIES_COLUMNS}


# ---------------------------------------------------------------------------- runs' statistics
class SeriesView:
    """Daily series of one or more runs, read by column name as (runs, days) arrays.

    Category columns hold codes (indexes into their labels), as the model records them.
    """

    def __init__(self, arrays: Mapping[str, np.ndarray], start_date: dt.date,
                 labels: Mapping[str, Sequence[str] | None] | None = None):
        self.arrays = dict(arrays)
        self.start_date = start_date
        self.labels = dict(series_columns() if labels is None else labels)
        first = next(iter(self.arrays.values()))
        self.runs, self.days = first.shape

    @classmethod
    def from_array(cls, series: np.ndarray, start_date: dt.date,
                   columns: Sequence[str] | None = None) -> SeriesView:
        """From the model's array: (days, columns) for one run or (runs, days, columns)."""
        from libyasim.model import SERIES_COLUMNS

        columns = list(SERIES_COLUMNS if columns is None else columns)
        data = series[None] if series.ndim == 2 else series
        return cls({c: data[:, :, i] for i, c in enumerate(columns)}, start_date)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, start_date: dt.date) -> SeriesView:
        """From series.parquet rows (run, day, date and the columns), categories as labels."""
        frame = frame.sort_values(["run", "day"])
        runs = frame["run"].nunique()
        days = len(frame) // runs
        labels = series_columns()
        arrays = {}
        for column in frame.columns:
            if column in ("run", "day", "date", "point"):
                continue
            values = frame[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                known = labels.get(column) or tuple(values.cat.categories)
                codes = {label: i for i, label in enumerate(known)}
                values = values.astype(str).map(codes).astype(float)
            arrays[column] = values.to_numpy(dtype=float).reshape(runs, days)
        return cls(arrays, start_date, labels)

    def column(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def take(self, runs: np.ndarray) -> SeriesView:
        """The same columns for the runs at these indexes (repeats allowed: a resample)."""
        return SeriesView({c: a[runs] for c, a in self.arrays.items()}, self.start_date,
                          self.labels)

    def has(self, name: str) -> bool:
        return name in self.arrays

    def day(self, date: dt.date) -> int:
        return (date - self.start_date).days

    def code(self, column: str, label: str) -> float:
        labels = self.labels.get(column)
        return float(labels.index(label)) if labels else float(label)


def why_not_computable(obs: Observation, view: SeriesView) -> str | None:
    """None when the runs can give this observation's statistic; else the plain reason."""
    if not view.has(obs.column):
        return f"the runs have no series column {obs.column!r}"
    first, last = view.day(obs.start), view.day(obs.end)
    horizon = view.days - 1
    if obs.kind == "total":
        covered = min(last, horizon) - max(first, 0) + 1
        if covered < MIN_COVERAGE * obs.window_days:
            return (f"only {max(covered, 0)} of its {obs.window_days} days lie inside the "
                    f"runs ({view.start_date} + {horizon} days)")
        return None
    if last > horizon:
        return f"its window ends after the runs' last day ({view.start_date} + {horizon} days)"
    if last < 0:
        return f"its window ends before the runs' first day ({view.start_date})"
    return None


def statistic(obs: Observation, view: SeriesView) -> np.ndarray:
    """The number `obs` describes, for every run: one value per run.

    total: the sum over the window's days inside the runs, scaled up by the window's length
    over those days when the window starts before day 0 (at most 1 - MIN_COVERAGE of it);
    first_day: days after `start` (window length when it never happens: later than `end`);
    state, occurs: 1.0 or 0.0.
    """
    values = view.column(obs.column)
    first, last = max(view.day(obs.start), 0), min(view.day(obs.end), view.days - 1)
    window = values[:, first:last + 1]
    if obs.kind == "total":
        covered = last - first + 1
        return window.sum(axis=1) * (obs.window_days / covered)
    hit = np.isclose(window, view.code(obs.column, obs.equals or ""))
    if obs.kind == "state":
        return hit[:, -1].astype(float)
    if obs.kind == "occurs":
        return hit.any(axis=1).astype(float)
    offset = first - view.day(obs.start)  # days of the window before day 0
    days = np.where(hit.any(axis=1), hit.argmax(axis=1) + offset, obs.window_days)
    return days.astype(float)


def censor(obs: Observation, values: np.ndarray | float) -> np.ndarray | float:
    """What the record can tell apart: for a floor ("at least N"), any value above N is as good
    as N (min(value, N)); other observations unchanged. Calibration fits, conditioning weighs
    and validation scores floors through this rule."""
    return np.minimum(values, obs.observed()) if obs.floor else values


def statistics(observations: Sequence[Observation], view: SeriesView) -> np.ndarray:
    """(runs, observations) array of `statistic` for each observation."""
    return np.stack([statistic(o, view) for o in observations], axis=1)
