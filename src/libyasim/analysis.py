"""Statistics of an ensemble: truce survival, end-state probabilities, summaries, fan bands."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from libyasim.model import END_STATES

SUMMARY_OUTCOMES = ("truce_collapse_day", "violations_total", "battle_deaths", "civilian_deaths",
                    "tripoli_fall_day", "lna_withdraw_day", "talks_day", "settlement_day",
                    "gna_population_share", "lna_population_share", "arms_delivered_total")


def truce_survival(runs: pd.DataFrame, horizon: int, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival of the first truce, in days since day 0.

    Runs whose truce never collapsed are right-censored at the horizon. Returns columns
    day, survival, low, high (pointwise confidence band, log-log transformed). Empty when no
    run had a truce collapse, in which case survival is 1 throughout.
    """
    collapsed = runs["truce_collapsed"].to_numpy(bool)
    days = runs["truce_collapse_day"].astype("float").fillna(horizon).to_numpy()
    grid = np.arange(0, horizon + 1)
    if not collapsed.any():
        ones = np.ones_like(grid, dtype=float)
        return pd.DataFrame({"day": grid, "survival": ones, "low": ones, "high": ones})
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
                         "high": bounds["high"].fillna(1.0)})


def median_survival(survival: pd.DataFrame) -> float | None:
    """First day on which survival drops to 0.5 or below; None if it never does."""
    below = survival.loc[survival["survival"] <= 0.5, "day"]
    return None if below.empty else float(below.iloc[0])


def end_state_probabilities(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Share of runs in each end state with Wilson score intervals."""
    n = len(runs)
    counts = runs["end_state"].value_counts()
    rows = []
    for state in END_STATES:
        k = int(counts.get(state, 0))
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        rows.append({"end_state": state, "runs": k, "probability": k / n,
                     "low": ci.low, "high": ci.high})
    return pd.DataFrame(rows)


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, median, 5% and 95% quantiles and the share of runs where the outcome happened."""
    rows = []
    for col in SUMMARY_OUTCOMES:
        values = runs[col].astype("float")
        present = values.dropna()
        rows.append({
            "outcome": col,
            "share_of_runs": len(present) / len(values) if col.endswith("_day") else 1.0,
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
