"""Condition an ensemble on what was known at a forecast origin, as a particle filter does.

A forecast issued on an origin date knows the map of that day, whether the oil blockade and the
truce stand, and the counts so far. Runs that contradict it should not earn credit for what
comes after. `condition` gives each run a weight from the facts public by the origin:

- the map at the origin: each place's holder as the runs' day 0 had it (the scenario's
  initial state, public record) changed by every `first_day` fact known by the origin; each
  place a run holds differently on the origin's day multiplies its weight by `map_mismatch`
  (soft: a run with one wrong small place keeps some weight, one with many keeps little;
  `map_mismatch=0` filters them out);
- yes/no facts (`state`, `occurs`) whose window ended by the origin: a run that contradicts
  one gets weight 0 (filtered);
- dates (`first_day`) that had happened by the origin and counts (`total`) whose window ended
  by it: a Gaussian likelihood of the run's value with the spread calibration allows
  (`calibrate.scale`: 14 days or the source's range for a date; at least 20% and the Poisson
  spread for a count); a floor ("at least") only penalises runs below it. A date is read as
  calibration reads it (`calibrate.fit_statistic`): at most `calibrate.DATE_CAP` scales off,
  and a run that never saw the event by the origin counts as that far late (weight e^-8).

The effective sample size, (sum w)^2 / sum w^2, says how many independent runs the weighted
ensemble is worth. `Conditioned.resample` draws a same-size ensemble by systematic resampling,
reproducibly, for scoring with the ordinary (unweighted) rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from libyasim.observations import (
    Observation,
    SeriesView,
    statistic,
    why_not_computable,
)

MAP_MISMATCH = 0.05  # weight factor for each place a run holds differently from the record


@dataclasses.dataclass(frozen=True)
class Conditioned:
    """Weights of an ensemble's runs given what was known at `origin`."""

    origin: dt.date
    weights: np.ndarray  # one per run, summing to 1 (all zero when every run contradicts)
    facts: tuple[str, ...]  # what the weights rest on, one plain line each
    contradicted: dict[str, int]  # fact -> runs it filtered out

    @property
    def runs(self) -> int:
        return len(self.weights)

    @property
    def kept(self) -> int:
        """Runs with a positive weight."""
        return int(np.count_nonzero(self.weights))

    @property
    def ess(self) -> float:
        """Effective sample size: (sum w)^2 / sum w^2 (0 when no run is left)."""
        total = float(self.weights.sum())
        return 0.0 if total == 0 else total ** 2 / float(np.sum(self.weights ** 2))

    def resample(self, size: int | None = None, seed: int = 0) -> np.ndarray:
        """Run indexes drawn by systematic resampling (the same for the same seed)."""
        if self.kept == 0:
            raise ValueError(f"no run is consistent with what was known on {self.origin}")
        size = self.runs if size is None else size
        offset = np.random.default_rng(seed).uniform()
        positions = (offset + np.arange(size)) / size
        return np.searchsorted(np.cumsum(self.weights), positions, side="left").clip(
            0, self.runs - 1)

    def summary(self) -> dict[str, object]:
        return {"origin": self.origin.isoformat(), "runs": self.runs, "kept": self.kept,
                "ess": round(self.ess, 1), "facts": list(self.facts),
                "contradicted": dict(self.contradicted)}


def known_by(observations: Sequence[Observation], origin: dt.date) -> list[Observation]:
    """Facts an analyst had on `origin`, published on or before it: windows that had ended,
    and dated events (`first_day`) that had happened, asked up to the origin."""
    known = []
    for o in observations:
        if o.known_on > origin:
            continue
        if o.end <= origin:
            known.append(o)
        elif o.kind == "first_day" and o.value <= origin:  # type: ignore[operator]
            known.append(dataclasses.replace(o, end=origin))
    return known


def map_at(column: str, view: SeriesView, observations: Sequence[Observation],
           origin: dt.date) -> float:
    """A holder (or other category) column's value on `origin` as the record had it: the
    runs' day-0 value (their most common one) changed by each `first_day` fact known by then."""
    state = float(pd.Series(view.column(column)[:, 0]).mode().iloc[0])
    changes = sorted((o for o in known_by(observations, origin)
                      if o.kind == "first_day" and o.column == column), key=lambda o: o.value)
    for change in changes:
        state = view.code(column, change.equals or "")
    return state


def condition(view: SeriesView, observations: Sequence[Observation], origin: dt.date,
              map_columns: Sequence[str] | None = None,
              map_mismatch: float = MAP_MISMATCH) -> Conditioned:
    """Weight each run of `view` by its agreement with what was known on `origin`.

    `map_columns`: the category columns whose value on the origin must match the record
    (default: every `holder_*` column the runs have). Facts the runs cannot compute (a window
    before day 0 or past the horizon) are left out.
    """
    weights = np.ones(view.runs)
    facts: list[str] = []
    contradicted: dict[str, int] = {}
    day = view.day(origin)
    if not 0 <= day < view.days:
        raise ValueError(f"origin {origin} lies outside the runs ({view.start_date} + "
                         f"{view.days - 1} days)")
    columns = ([c for c in view.arrays if c.startswith("holder_")] if map_columns is None
               else list(map_columns))
    for column in columns:
        expected = map_at(column, view, observations, origin)
        agree = np.isclose(view.column(column)[:, day], expected)
        facts.append(f"{column} = {_label(view, column, expected)} on {origin}")
        if np.any(~agree):
            contradicted[facts[-1]] = int(np.count_nonzero(~agree))
        weights *= np.where(agree, 1.0, map_mismatch)
    for obs in known_by(observations, origin):
        if why_not_computable(obs, view) is not None:
            continue
        values = statistic(obs, view)
        facts.append(_describe(obs))
        if obs.numeric:
            weights *= _likelihood(obs, values)
        else:
            _filter(weights, values == obs.observed(), facts[-1], contradicted)
    total = weights.sum()
    return Conditioned(origin, weights / total if total > 0 else weights, tuple(facts),
                       contradicted)


def _filter(weights: np.ndarray, agree: np.ndarray, fact: str,
            contradicted: dict[str, int]) -> None:
    dropped = int(np.count_nonzero((weights > 0) & ~agree))
    if dropped:
        contradicted[fact] = dropped
    weights[~agree] = 0.0


def _likelihood(obs: Observation, values: np.ndarray) -> np.ndarray:
    from libyasim.calibrate import fit_statistic, scale

    # at or above a floor agrees with it; a dated event missed by the origin is as far off as
    # one `calibrate.DATE_CAP` scales late, wherever it lies in the window
    gap = fit_statistic(obs, values) - obs.observed()
    return np.exp(-0.5 * (gap / scale(obs)) ** 2)


def _label(view: SeriesView, column: str, code: float) -> str:
    labels = view.labels.get(column)
    return labels[int(code)] if labels else f"{code:g}"


def _describe(obs: Observation) -> str:
    shown = obs.value.isoformat() if isinstance(obs.value, dt.date) else f"{obs.value:g}"
    floor = "at least " if obs.floor else ""
    return f"{obs.name}: {obs.kind} {obs.column} {obs.equals or ''} = {floor}{shown}".replace(
        "  ", " ")
