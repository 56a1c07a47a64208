"""Parameter uncertainty in every run: each run's parameter set drawn from a posterior or a prior.

`libyasim run SCENARIO --posterior DIR` gives run i a particle of the posterior in DIR (a
calibration's posterior.parquet), picked with probability equal to its weight (and, when the
fit marginalised what it did not fit, the rest from their priors); `--prior` draws
each assumption parameter from its prior range (low..high in the registry), with the registry's
judgment as its median: uniform on each side of it, in the logarithm for a `log_prior` entry
(uniform over the range when the judgment is at a bound; `calibrate.Prior`). Draw i
depends only on the root seed and i (its own random stream, separate from the run's seed), so
an ensemble reruns identically whatever the workers, and run i of every scenario of a
comparison gets the same draw with the same seed (common random numbers).

The drawn values go into runs.parquet as columns `param:NAME`; the manifest says where they come
from and holds a digest of them (`values_sha256`), which tells two ensembles' draws apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim.calibrate import (
    POSTERIOR_FILE,
    WEIGHT,
    CalibrationError,
    Prior,
    fit_marginalised,
    priors_for,
)
from libyasim.params import PARAMS

COLUMN_PREFIX = "param:"
DRAW_STREAM = 0x5EED_D4A7  # keeps draws' random numbers apart from the runs' seeds


@dataclass(frozen=True)
class Draws:
    """Where run parameter sets come from: a weighted table of particles, or the priors."""

    kind: str  # "posterior" or "prior"
    source: str
    particles: pd.DataFrame | None = None  # posterior: parameter columns and `weight`
    priors: tuple[Prior, ...] = ()

    @property
    def names(self) -> list[str]:
        fitted = ([c for c in self.particles.columns if c != WEIGHT]
                  if self.particles is not None else [])
        return fitted + [p.name for p in self.priors if p.name not in fitted]

    def draw(self, root_seed: int, run: int) -> dict[str, Any]:
        """Run `run`'s parameter values: the same for the same root seed and run index."""
        rng = np.random.default_rng(np.random.SeedSequence([DRAW_STREAM, root_seed],
                                                           spawn_key=(run,)))
        values: dict[str, Any] = {}
        if self.particles is not None:
            weights = self.particles[WEIGHT].to_numpy(dtype=float)
            row = self.particles.iloc[int(rng.choice(len(weights), p=weights / weights.sum()))]
            values = {name: _typed(name, row[name]) for name in self.particles.columns
                      if name != WEIGHT}
        for p in self.priors:  # the rest (or all, without particles) from their priors
            x = p.draw(rng)
            if p.name not in values:
                values[p.name] = x
        return values

    def table(self, root_seed: int, runs: int) -> pd.DataFrame:
        """One row per run (0..runs-1): `run` and a `param:NAME` column per drawn parameter."""
        rows = [{"run": i, **{COLUMN_PREFIX + k: v for k, v in self.draw(root_seed, i).items()}}
                for i in range(runs)]
        return pd.DataFrame(rows)

    def describe(self) -> dict[str, Any]:
        """For the manifest: what the draws come from."""
        out: dict[str, Any] = {"kind": self.kind, "source": self.source, "parameters": self.names}
        if self.particles is not None:
            out["particles"] = len(self.particles)
        if self.priors:
            out["priors"] = {p.name: [p.low, p.high] for p in self.priors}
            out["log_priors"] = [p.name for p in self.priors if p.log]  # uniform in the log
            out["prior_medians"] = {p.name: p.median for p in self.priors
                                    if p.median is not None}  # the judgments
        return out


def _typed(name: str, value: Any) -> Any:
    kind = PARAMS[name].type
    return round(float(value)) if kind is int else float(value)


def from_posterior(path: str | Path, rest_from_prior: bool = False) -> Draws:
    """Draws from a calibration folder (or its posterior.parquet); with `rest_from_prior`,
    or when the fit marginalised the assumptions it did not fit (`calibrate
    --rest-from-prior`), every assumption the particles do not hold is drawn from its prior
    range too (the data the fit read could not narrow them, so their posterior is their
    prior)."""
    path = Path(path)
    file = path / POSTERIOR_FILE if path.is_dir() else path
    if not file.is_file():
        raise CalibrationError(f"{path}: no {POSTERIOR_FILE}; expected a folder written by "
                               "`libyasim calibrate` or its posterior.parquet")
    try:
        table = pd.read_parquet(file)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise CalibrationError(f"{file}: not a posterior written by `libyasim calibrate` "
                               f"({str(exc)[:120]})") from None
    if WEIGHT not in table.columns or len(table) == 0:
        raise CalibrationError(f"{file}: expected particles with a '{WEIGHT}' column")
    for name in table.columns:
        if name != WEIGHT and name not in PARAMS:
            raise CalibrationError(f"{file}: column {name!r} is not a model parameter")
    weights = table[WEIGHT].to_numpy(dtype=float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise CalibrationError(f"{file}: weights must be non-negative numbers, not all zero")
    if rest_from_prior or fit_marginalised(file):
        return Draws("posterior+prior", f"{file} and the registry's prior ranges",
                     table.reset_index(drop=True), tuple(priors_for(None)[0]))
    return Draws("posterior", str(file), table.reset_index(drop=True))


def from_prior(names: Sequence[str] | None = None) -> Draws:
    """Draws from the assumptions' priors (all, or the named ones)."""
    priors, _ = priors_for(names)
    return Draws("prior", "registry prior ranges", priors=tuple(priors))


def prior_ranges(names: Sequence[str] | None = None) -> dict[str, tuple[float, float]]:
    """The same prior ranges as NAME -> (low, high), e.g. for `libyasim sensitivity`."""
    return {p.name: (p.low, p.high) for p in priors_for(names)[0]}


def run_overrides(table: pd.DataFrame, run: int) -> Mapping[str, Any]:
    """Scenario overrides of one run from a draws table (`param:NAME` columns)."""
    row = table.loc[table["run"] == run]
    if row.empty:
        return {}
    return {c[len(COLUMN_PREFIX):]: row.iloc[0][c] for c in table.columns
            if c.startswith(COLUMN_PREFIX)}


def resolve(scenario: Any, posterior: str | Path | None = None, prior: bool = False,
            off: bool = False) -> Draws | None:
    """The draws a run uses: `--posterior DIR`, `--prior`, else the scenario's own
    `scenario.posterior` setting; None with `off` (`--no-draws`) or when nothing is named."""
    if off:
        return None
    if posterior is not None:
        return from_posterior(posterior)
    if prior:
        return from_prior()
    named = scenario["scenario.posterior"] if "scenario.posterior" in scenario.values else ""
    return from_posterior(named) if named else None


def digest(values: Sequence[tuple[tuple[str, Any], ...]]) -> str:
    """A SHA-256 of every run's drawn values, in run order: the same draws, the same digest."""
    text = json.dumps([dict(v) for v in values], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_values(draws: Draws | None, scenario: Any, root_seed: int, run: int
               ) -> tuple[tuple[str, Any], ...]:
    """Run `run`'s drawn values as (name, value) pairs, leaving out any parameter the scenario
    file sets itself (a counterfactual that fixes a parameter keeps it)."""
    if draws is None:
        return ()
    return tuple((k, v) for k, v in draws.draw(root_seed, run).items()
                 if k not in scenario.overrides)
