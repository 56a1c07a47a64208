"""Statistics of one ensemble, computed once and saved beside it: truce survival from the truce's
own start, end-state probabilities, a summary of the key outcomes, and fan bands of daily series.

`write_tables` saves them as CSV in the results folder; plots and reports read those files.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from libyasim import outcomes
from libyasim.files import atomic_write
from libyasim.model import END_STATES

if TYPE_CHECKING:
    from libyasim.results import Results

INDEXED = ("summary", "outcomes")  # tables saved with their index
NO_TRUCE_NOTE = "no truce declared"
# Daily series drawn as fan charts: (column, cumulative)
FAN_COLUMNS = (("population_gna", False), ("population_lna", False),
               ("population_contested", False), ("forces_gna", False), ("forces_wag", False),
               ("forces_lna", False), ("battle_deaths", True), ("civilian_deaths", True))


# ---------------------------------------------------------------------------- truce survival
def truce_survival(durations: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival of the first truce, in days since the truce's own start.

    `durations` is `outcomes.durations(runs, horizon)`: one row per run with a declared truce
    (days held, collapsed, window). A truce that held is right-censored at its window (horizon
    minus its start). Returns columns day, survival, low, high (pointwise band, log-log) for
    days 0 .. longest window; empty when no truce was declared in any run.
    """
    columns = ["day", "survival", "low", "high", "at_risk"]
    if durations.empty:
        return pd.DataFrame(columns=columns)
    days = durations["days"].to_numpy(float)
    collapsed = durations["collapsed"].to_numpy(bool)
    grid = np.arange(0, int(durations["window"].max()) + 1)
    at_risk = (days[None, :] >= grid[:, None]).sum(axis=1)
    if not collapsed.any():
        ones = np.ones_like(grid, dtype=float)
        return pd.DataFrame({"day": grid, "survival": ones, "low": ones, "high": ones,
                             "at_risk": at_risk})
    data = stats.CensoredData(uncensored=days[collapsed], right=days[~collapsed])
    sf = stats.ecdf(data).sf
    with warnings.catch_warnings():  # the band is undefined where survival is 1 or 0
        warnings.simplefilter("ignore", RuntimeWarning)
        band = sf.confidence_interval(confidence_level=confidence, method="log-log")
    surv = sf.evaluate(grid)
    bounds = pd.DataFrame({"low": band.low.evaluate(grid), "high": band.high.evaluate(grid)})
    bounds[surv >= 1.0] = 1.0
    bounds[surv <= 0.0] = 0.0
    bounds = bounds.ffill()  # after the last collapse, before censoring ends
    return pd.DataFrame({"day": grid, "survival": surv, "low": bounds["low"].fillna(0.0),
                         "high": bounds["high"].fillna(1.0), "at_risk": at_risk})


def median_survival(survival: pd.DataFrame) -> tuple[float | None, float | None, float | None]:
    """Median truce length (first day survival <= 0.5) and its confidence interval (the days
    the band's lower and upper edges cross 0.5); None where a curve never reaches 0.5."""
    def first(column: str) -> float | None:
        below = survival.loc[survival[column] <= 0.5 + 1e-9, "day"]  # exactly one half, rounded
        return None if below.empty else float(below.iloc[0])

    return first("survival"), first("low"), first("high")


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """Share k/n with its Wilson score interval; NaN when n is 0."""
    if n == 0:
        return np.nan, np.nan, np.nan
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return k / n, float(ci.low), float(ci.high)


def median_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Median with a distribution-free interval (binomial order statistics)."""
    x = np.sort(np.asarray(values, float))
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    lo = int(stats.binom.ppf((1 - confidence) / 2, n, 0.5))
    hi = int(stats.binom.ppf(1 - (1 - confidence) / 2, n, 0.5))
    return float(np.median(x)), float(x[max(lo - 1, 0)]), float(x[min(hi, n - 1)])


def truce_summary(runs: pd.DataFrame, horizon: int, confidence: float = 0.95) -> dict[str, Any]:
    """Per-scenario truce figures: runs with a truce, share collapsed (Wilson interval), median
    length from the truce's start (Kaplan-Meier, with interval), and a note."""
    d = outcomes.durations(runs, horizon)
    out: dict[str, Any] = {"runs": len(runs), "truce_runs": len(d)}
    if d.empty:
        out.update(truce_collapsed=np.nan, truce_collapsed_low=np.nan,
                   truce_collapsed_high=np.nan, median_truce_days=np.nan,
                   median_truce_days_low=np.nan, median_truce_days_high=np.nan,
                   truce_note=NO_TRUCE_NOTE)
        return out
    share, low, high = wilson(int(d["collapsed"].sum()), len(d), confidence)
    median, m_low, m_high = median_survival(truce_survival(d, confidence))
    window = int(d["window"].max())
    note = ""
    if len(d) < len(runs):
        note = f"{len(runs) - len(d)} runs without a declared truce left out"
    if median is None:
        note = "; ".join(filter(None, [note, f"median beyond {window} days (over half held)"]))
    out.update(truce_collapsed=share, truce_collapsed_low=low, truce_collapsed_high=high,
               median_truce_days=np.nan if median is None else median,
               median_truce_days_low=np.nan if m_low is None else m_low,
               median_truce_days_high=np.nan if m_high is None else m_high,
               truce_window=window, truce_note=note)
    return out


# ---------------------------------------------------------------------------- other tables
def end_state_probabilities(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Share of runs in each end state with Wilson score intervals."""
    n = len(runs)
    counts = runs["end_state"].value_counts()
    rows = []
    for state in END_STATES:
        k = int(counts.get(state, 0))
        p, low, high = wilson(k, n, confidence)
        rows.append({"end_state": state, "runs": k, "probability": p, "low": low, "high": high})
    return pd.DataFrame(rows)


def summary(runs: pd.DataFrame, horizon: int, values: dict[str, Any] | None = None
            ) -> pd.DataFrame:
    """The key outcomes (registry): share of runs where it applies and happened, mean, median,
    5% and 95% quantiles. Day outcomes are summarised over the runs where the event happened;
    truce_days over runs with a declared truce, counting a truce that held as its window."""
    rows = []
    for o in outcomes.key_outcomes():
        if o.kind == "category" or (values is not None and not o.applies_to(values)):
            continue
        if o.kind == "day":
            present = runs[o.name].astype(float).dropna()
            share = len(present) / len(runs) if len(runs) else np.nan
        else:
            present = outcomes.values(runs, o.name, horizon).dropna()
            share = len(present) / len(runs) if len(runs) else np.nan
        rows.append({
            "outcome": o.name, "unit": o.unit or "share of runs", "share_of_runs": share,
            "mean": present.mean() if len(present) else np.nan,
            "median": present.median() if len(present) else np.nan,
            "p05": present.quantile(0.05) if len(present) else np.nan,
            "p95": present.quantile(0.95) if len(present) else np.nan,
        })
    return pd.DataFrame(rows).set_index("outcome")


def fan(series: pd.DataFrame, column: str, cumulative: bool = False) -> pd.DataFrame:
    """Median, 50% and 90% bands of a daily series column across runs, by day."""
    wide = series.pivot(index="day", columns="run", values=column).astype(float)
    if cumulative:
        wide = wide.cumsum()
    q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
    q.columns = ["p05", "p25", "median", "p75", "p95"]
    return q


def fans(series: pd.DataFrame) -> pd.DataFrame:
    """Fan bands of the FAN_COLUMNS, stacked: column, cumulative, day, p05 ... p95."""
    frames = [fan(series, col, cum).reset_index().assign(column=col, cumulative=cum)
              for col, cum in FAN_COLUMNS if col in series]
    return pd.concat(frames, ignore_index=True)


def holder_shares(runs: pd.DataFrame) -> pd.DataFrame:
    """Share of runs in which each holder holds each place at the horizon."""
    rows = []
    for col in [c for c in runs.columns if c.startswith("holder_")]:
        shares = runs[col].value_counts(normalize=True)
        rows.append({"place": col.removeprefix("holder_"),
                     **{h: float(shares.get(h, 0.0)) for h in outcomes.HOLDER_NAMES}})
    return pd.DataFrame(rows)


def run_tables(runs: pd.DataFrame, series: pd.DataFrame | None, horizon: int,
               values: dict[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Every table of one ensemble, by file stem."""
    tables = {
        "summary": summary(runs, horizon, values),
        "truce": pd.DataFrame([truce_summary(runs, horizon)]),
        "end_states": end_state_probabilities(runs),
        "survival": truce_survival(outcomes.durations(runs, horizon)),
        "holders": holder_shares(runs),
    }
    if series is not None:
        tables["fans"] = fans(series)
    return tables


def write_tables(tables: dict[str, pd.DataFrame], out: str | Path) -> None:
    """Save tables as CSV (`summary` and `outcomes` with their index) in `out`, atomically."""
    folder = Path(out)
    for name, table in tables.items():
        atomic_write(folder / f"{name}.csv", functools.partial(table.to_csv, index=name in INDEXED))


def analyse(results: Results) -> Results:
    """Compute every table of an ensemble and save them in its folder (replacing older ones);
    return the results with the tables loaded."""
    tables = run_tables(results.runs, results.series, results.horizon, results.values)
    if results.path is not None:
        write_tables(tables, results.path)
    results._tables.clear()
    results._tables.update(tables)
    return results
