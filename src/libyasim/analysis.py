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
# a median is unstable when survival stays flat for this many days within 0.5 +/-
# 1/sqrt(truces) (at least the minimum band)
MIN_UNSTABLE_BAND, UNSTABLE_DAYS = 0.02, 7
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


def survival_quantile(survival: pd.DataFrame, collapsed: float = 0.5
                      ) -> tuple[float | None, float | None, float | None]:
    """The day by which a share `collapsed` of truces had collapsed (Kaplan-Meier: the first day
    survival <= 1 - collapsed) and its confidence interval (the days the band's lower and upper
    edges cross that level); None where a curve never reaches it."""
    level = 1.0 - collapsed

    def first(column: str) -> float | None:
        below = survival.loc[survival[column] <= level + 1e-9, "day"]  # the level, rounded
        return None if below.empty else float(below.iloc[0])

    return first("survival"), first("low"), first("high")


def median_survival(survival: pd.DataFrame) -> tuple[float | None, float | None, float | None]:
    """Median truce length and its confidence interval (see `survival_quantile`)."""
    return survival_quantile(survival, 0.5)


def flat_near_half(survival: pd.DataFrame) -> tuple[int, int] | None:
    """The days (first, last) over which the survival curve is flat (no collapse for at least
    UNSTABLE_DAYS days) within sampling noise of one half (two standard errors of a share of
    one half, 1/sqrt(truces)): there the median is unstable, as another seed moves the curve
    across one half anywhere along the flat stretch. None when the median is stable."""
    if survival.empty:
        return None
    band = max(MIN_UNSTABLE_BAND, 1.0 / np.sqrt(max(int(survival["at_risk"].iloc[0]), 1)))
    values, days = survival["survival"].to_numpy(float), survival["day"].to_numpy(int)
    starts = np.flatnonzero(np.r_[True, np.diff(values) != 0])  # each flat stretch's first day
    ends = np.r_[starts[1:] - 1, len(values) - 1]
    flat = [(days[a], days[b]) for a, b in zip(starts, ends)
            if days[b] - days[a] >= UNSTABLE_DAYS and abs(values[a] - 0.5) <= band]
    return (int(flat[0][0]), int(flat[-1][1])) if flat else None


def restricted_mean(durations: pd.DataFrame, tau: float, confidence: float = 0.95
                    ) -> tuple[float, float, float]:
    """Restricted mean truce length up to `tau` days (the area under the Kaplan-Meier curve:
    censored truces count as long as they were followed, never as observed), with a
    Greenwood-variance normal interval."""
    days = durations["days"].to_numpy(float)
    collapsed = durations["collapsed"].to_numpy(bool)
    if not len(days):
        return np.nan, np.nan, np.nan
    grid = np.arange(int(tau))
    event_days, deaths = np.unique(days[collapsed & (days < tau)], return_counts=True)
    at_risk = np.array([(days >= t).sum() for t in event_days], float)
    surv = np.ones_like(grid, dtype=float)
    for t, d, n in zip(event_days, deaths, at_risk):
        surv[int(t):] *= 1.0 - d / n
    mean = float(surv.sum())
    tail = np.cumsum(surv[::-1])[::-1]  # area from each day to tau
    safe = at_risk > deaths
    area = tail[event_days.astype(int)]
    var = float(np.sum(area[safe] ** 2 * deaths[safe] / (at_risk[safe] * (at_risk[safe]
                                                                           - deaths[safe]))))
    z = stats.norm.ppf(0.5 + confidence / 2)
    half = z * np.sqrt(var)
    return mean, max(0.0, mean - half), min(float(tau), mean + half)


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """Share k/n with its Wilson score interval; NaN when n is 0."""
    if n == 0:
        return np.nan, np.nan, np.nan
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return k / n, float(ci.low), float(ci.high)


def percent(share: float) -> str:
    """The one rounding rule for shares: whole percent, but a share strictly between 0 and 1%
    (or 99% and 100%) is "<1%" (">99%"), never a misleading 0% or 100%; a dash for no value."""
    if share is None or not np.isfinite(share):
        return "\u2014"
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


def share_text(share: float, low: float, high: float) -> str:
    """A share with its interval, by the one rounding rule: '34% [27%, 42%]'."""
    return f"{percent(share)} [{percent(low)}, {percent(high)}]"


def median_ci(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Median with a distribution-free interval (binomial order statistics)."""
    x = np.sort(np.asarray(values, float))
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan
    lo = int(stats.binom.ppf((1 - confidence) / 2, n, 0.5))
    hi = int(stats.binom.ppf(1 - (1 - confidence) / 2, n, 0.5))
    return float(np.median(x)), float(x[max(lo - 1, 0)]), float(x[min(hi, n - 1)])


TRUCE_EMPTY = {f"{key}{end}": np.nan for key in (
    "truce_collapsed", "median_truce_days", "q25_truce_days", "q75_truce_days",
    "mean_truce_days") for end in ("", "_low", "_high")}


def truce_summary(runs: pd.DataFrame, horizon: int, confidence: float = 0.95) -> dict[str, Any]:
    """Per-scenario truce figures, from each truce's own start: runs with a truce; share
    collapsed (Wilson interval); the days by which 25%, 50% and 75% of truces collapsed
    (Kaplan-Meier quantiles, with intervals); the restricted mean length over the window (with
    interval); whether the median is unstable (a flat curve near one half); and a note."""
    d = outcomes.durations(runs, horizon)
    out: dict[str, Any] = {"runs": len(runs), "truce_runs": len(d), **TRUCE_EMPTY,
                           "truce_window": np.nan, "median_unstable": False,
                           "truce_note": NO_TRUCE_NOTE}
    if d.empty:
        return out
    share, low, high = wilson(int(d["collapsed"].sum()), len(d), confidence)
    survival = truce_survival(d, confidence)
    window = int(d["window"].max())
    out.update(truce_collapsed=share, truce_collapsed_low=low, truce_collapsed_high=high,
               truce_window=window)
    for key, level in (("q25", 0.25), ("median", 0.5), ("q75", 0.75)):
        values = survival_quantile(survival, level)
        out.update({f"{key}_truce_days{end}": np.nan if v is None else v
                    for end, v in zip(("", "_low", "_high"), values)})
    mean, m_low, m_high = restricted_mean(d, window, confidence)
    out.update(mean_truce_days=mean, mean_truce_days_low=m_low, mean_truce_days_high=m_high)
    notes = []
    if len(d) < len(runs):
        notes.append(f"{len(runs) - len(d)} runs without a declared truce left out")
    if not np.isfinite(out["median_truce_days"]):
        notes.append(f"median beyond {window} days (over half held)")
    flat = flat_near_half(survival)
    if flat is not None:
        out["median_unstable"] = True
        notes.append(f"median unstable: the share still holding stays near one half from day "
                     f"{flat[0]} to day {flat[1]}; read the restricted mean and the quartiles")
    out["truce_note"] = "; ".join(notes)
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


SUMMARY_COLUMNS = ["label", "unit", "statistic", "value", "low", "high", "runs", "mean",
                   "p05", "p95", "note"]


def summary(runs: pd.DataFrame, horizon: int, values: dict[str, Any] | None = None,
            confidence: float = 0.95) -> pd.DataFrame:
    """The key outcomes (registry), each by the statistic that fits its kind, with a 95%
    interval (`low`, `high`) and the number of runs it counts:

    - yes/no outcomes, and dated events (did it happen within the horizon?): the share of runs,
      with a Wilson interval; never a median of zeros and ones;
    - truce_days: the Kaplan-Meier median from the truce's start (censored truces are never
      averaged as if they had ended) and, in its own row, the restricted mean over the window;
      the note says when the median is unstable;
    - counts, amounts and shares of the population: the median with a distribution-free
      interval, and the mean, 5% and 95% quantiles.
    """
    rows = []
    for o in outcomes.key_outcomes():
        if o.kind == "category" or (values is not None and not o.applies_to(values)):
            continue
        base = {"outcome": o.name, "label": o.label, "unit": o.unit or "share of runs"}
        if o.kind in ("event", "day"):
            happened = (runs[o.name].notna() if o.kind == "day"
                        else outcomes.values(runs, o.name, horizon).dropna().astype(bool))
            n = len(happened)
            share, low, high = wilson(int(happened.sum()), n, confidence)
            label = o.event if o.kind == "day" else o.label
            rows.append({**base, "label": label, "unit": "share of runs",
                         "statistic": "share of runs", "value": share, "low": low,
                         "high": high, "runs": n, "note": _day_note(runs, o)})
        elif o.kind == "duration":
            rows += _truce_rows(runs, horizon, base, confidence)
        else:
            present = outcomes.values(runs, o.name, horizon).dropna().to_numpy(float)
            median, low, high = median_ci(present, confidence)
            rows.append({**base, "statistic": "median", "value": median, "low": low,
                         "high": high, "runs": len(present),
                         "mean": present.mean() if len(present) else np.nan,
                         "p05": np.quantile(present, 0.05) if len(present) else np.nan,
                         "p95": np.quantile(present, 0.95) if len(present) else np.nan,
                         "note": ""})
    return pd.DataFrame(rows).set_index("outcome").reindex(columns=SUMMARY_COLUMNS)


def _day_note(runs: pd.DataFrame, o: outcomes.Outcome) -> str:
    if o.kind != "day":
        return ""
    days = runs[o.name].dropna().astype(float)
    if days.empty:
        return "never happened"
    return f"median day {days.median():.0f} in the {len(days)} runs where it happened"


def _truce_rows(runs: pd.DataFrame, horizon: int, base: dict[str, Any], confidence: float
                ) -> list[dict[str, Any]]:
    """truce_days as a Kaplan-Meier median and, in a second row, a restricted mean."""
    t = truce_summary(runs, horizon, confidence)
    if t["truce_runs"] == 0:
        return []
    window = int(t["truce_window"])
    quartiles = "; ".join(
        f"{share} collapsed by day {_count(t[f'{key}_truce_days'])}"
        for key, share in (("q25", "25%"), ("q75", "75%")) if np.isfinite(t[f"{key}_truce_days"]))
    median_note = "; ".join(filter(None, [
        "unstable: " + t["truce_note"].split("median unstable: ")[1]
        if t["median_unstable"] else "",
        f"over half held to day {window}" if not np.isfinite(t["median_truce_days"]) else "",
        quartiles]))
    return [
        {**base, "statistic": "Kaplan-Meier median", "value": t["median_truce_days"],
         "low": t["median_truce_days_low"], "high": t["median_truce_days_high"],
         "runs": t["truce_runs"], "note": median_note},
        {**base, "outcome": "truce_days_restricted_mean",
         "label": f"{base['label']}, restricted mean", "statistic":
         f"restricted mean over {window} days", "value": t["mean_truce_days"],
         "low": t["mean_truce_days_low"], "high": t["mean_truce_days_high"],
         "runs": t["truce_runs"], "note": "a truce that held counts as its whole window"},
    ]


def readable_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The summary table as text cells, for terminals and reports: outcome, estimate (with its
    95% interval; shares by the one rounding rule, `percent`), statistic, runs, note."""
    rows = []
    for _, row in table.iterrows():
        if row["unit"] in ("share of runs", "share of the population"):
            text = share_text(row["value"], row["low"], row["high"])
        else:
            text = (f"{_count(row['value'])} [{_count(row['low'])}, {_count(row['high'])}] "
                    f"{row['unit']}")
        rows.append({"outcome": row["label"], "estimate (95% interval)": text,
                     "statistic": row["statistic"], "runs": int(row["runs"]),
                     "note": row["note"] if isinstance(row["note"], str) else ""})
    return pd.DataFrame(rows)


def format_summary(results: Results) -> str:
    """The run's headline table as text (see `readable_summary`)."""
    table = readable_summary(results.table("summary"))
    lines = [f"{results.name}: {len(results.runs)} runs (95% intervals)"]
    width = max(len(label) for label in table["outcome"])
    for _, row in table.iterrows():
        notes = [] if row["statistic"] == "share of runs" else [row["statistic"]]
        notes += [row["note"]] if row["note"] else []
        lines.append(f"  {row['outcome']:<{width}}  {row['estimate (95% interval)']}"
                     + (f"  ({'; '.join(notes)})" if notes else ""))
    return "\n".join(lines)


def _count(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "\u2014"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.2g}"


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
