"""A run or compare folder as typed results, loaded once.

A run folder (`libyasim run`) holds runs.parquet, series.parquet, manifest.json, the tables that
`analysis` computed (summary.csv, truce.csv, end_states.csv, survival.csv, holders.csv,
fans.csv) and plots/. A compare folder (`libyasim compare`) holds compare.json, one run folder
per scenario under scenarios/, and the comparison's tables (summary.csv, differences.csv,
logrank.csv, end_states.csv, survival.csv, outcomes.csv). Plots and reports draw and show these
saved tables; they compute nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import outcomes
from libyasim.ensemble import EnsembleError, load_results
from libyasim.scenario import Scenario

COMPARE_FILE = "compare.json"
SCENARIO_DIR = "scenarios"


@dataclass(frozen=True)
class Results:
    """The results of one ensemble: per-run outcomes, daily series, manifest, saved tables."""

    name: str
    runs: pd.DataFrame
    series: pd.DataFrame | None
    manifest: dict[str, Any]
    path: Path | None = None
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        """One line: a notebook shows what the results are, not every table."""
        where = f", path={str(self.path)!r}" if self.path is not None else ""
        series = "" if self.series is not None else ", no daily series"
        return (f"Results(name={self.name!r}, runs={len(self.runs)}, seed="
                f"{self.manifest.get('root_seed')}, horizon={self.horizon} days{series}{where})")

    def _repr_html_(self) -> str:
        import html

        return f"<code>{html.escape(repr(self))}</code>"

    @classmethod
    def load(cls, folder: str | Path) -> Results:
        """Read a `libyasim run` folder (or one scenario's folder of a comparison)."""
        runs, series, manifest = load_results(folder)
        return cls(manifest["scenario"]["name"], outcomes.typed_runs(runs), series, manifest,
                   Path(folder))

    @property
    def values(self) -> dict[str, Any]:
        """The resolved scenario's parameters, as saved (dates as ISO text)."""
        return self.manifest["scenario"]["values"]

    @property
    def scenario(self) -> Scenario:
        """The resolved scenario, rebuilt from the manifest."""
        return Scenario.from_json(self.manifest["scenario"])

    @property
    def horizon(self) -> int:
        return int(self.values["scenario.horizon_days"])

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.values["scenario.start_date"])

    @property
    def truce_enabled(self) -> bool:
        """Whether the scenario calls a truce within the horizon."""
        return outcomes.get("truce_days").applies_to(self.values)

    @property
    def seeds(self) -> np.ndarray:
        return self.runs.sort_values("run")["seed"].to_numpy(np.uint64)

    def applies(self, outcome: str) -> bool:
        """Whether an outcome means something in this scenario (see outcomes.Outcome)."""
        return outcomes.get(outcome).applies_to(self.values)

    def durations(self) -> pd.DataFrame:
        """The first truce's life per run with a declared truce (see outcomes.durations)."""
        return outcomes.durations(self.runs, self.horizon)

    def values_of(self, outcome: str) -> np.ndarray:
        """One number per run, in run order (see outcomes.values)."""
        ordered = self.runs.sort_values("run")
        return outcomes.values(ordered, outcome, self.horizon).to_numpy(float)

    def table(self, name: str) -> pd.DataFrame:
        """A saved table of this ensemble (computed and saved first when the folder predates
        it: these tables are cheap)."""
        if name not in self._tables:
            path = None if self.path is None else self.path / f"{name}.csv"
            if path is None or not path.is_file():
                from libyasim import analysis

                tables = analysis.run_tables(self.runs, self.series, self.horizon, self.values)
                if name not in tables:
                    raise EnsembleError(f"{self.path}: no table {name!r}")
                if self.path is not None:
                    analysis.write_tables(tables, self.path)
                self._tables.update(tables)
            else:
                self._tables[name] = read_table(path)
        return self._tables[name]


def read_table(path: Path) -> pd.DataFrame:
    """A saved CSV table, with its index where it was saved with one."""
    from libyasim.analysis import INDEXED

    return pd.read_csv(path, index_col=0 if path.stem in INDEXED else None)


@dataclass(frozen=True)
class Comparison:
    """A compare folder: each scenario's results (reference first) and the saved tables."""

    path: Path
    results: list[Results]
    record: dict[str, Any]

    def __repr__(self) -> str:
        names = ", ".join(r.name for r in self.results)
        return f"Comparison({names}; path={str(self.path)!r})"

    @property
    def reference(self) -> Results:
        return self.results[0]

    @property
    def command(self) -> str:
        return str(self.record.get("command", ""))

    def table(self, name: str) -> pd.DataFrame:
        path = self.path / f"{name}.csv"
        if not path.is_file():
            raise EnsembleError(f"{self.path}: no {name}.csv; run `libyasim compare` again "
                                "to compute the comparison's tables")
        return read_table(path)


def load_comparison(out: str | Path) -> Comparison:
    """A comparison folder written by `libyasim compare`."""
    out = Path(out)
    if not (out / COMPARE_FILE).is_file():
        raise EnsembleError(f"{out}: no {COMPARE_FILE}; is this a `libyasim compare` folder?")
    record = json.loads((out / COMPARE_FILE).read_text())
    results = [replace(Results.load(out / s["folder"]), name=s["name"])
               for s in record["scenarios"]]
    return Comparison(out, results, record)


def load(folder: str | Path) -> Results | Comparison:
    """A run folder as `Results`, a compare folder as `Comparison`."""
    folder = Path(folder)
    if (folder / COMPARE_FILE).is_file():
        return load_comparison(folder)
    return Results.load(folder)
