"""Every outcome once: its name, label, unit, kind, censoring and when it means something.

The registry is the only list of outcomes in libyasim. The ensemble reads it to type the columns
it saves, analysis and compare to choose statistics, sweeps and sensitivity to turn outcomes into
numbers, plots and reports for labels, and the README's outcome table is generated from it
(`outcome_table_markdown`; a test checks that they agree). It follows the idea of EMA
Workbench's `ScalarOutcome`: an outcome is a named, typed quantity read from each run.

Kinds:
    count     whole number per run (deaths, violations)
    amount    a quantity that need not be whole (fighter-equivalents of arms)
    share     a fraction between 0 and 1
    day       a day index since day 0 when something first happened; empty if it never did
    duration  a number of days; empty when the period had not ended by the horizon
    event     yes or no
    category  one label out of a fixed set

Censoring (for day and duration outcomes, whose value is empty when the event had not happened
by the horizon): "horizon" (the run saw days 0..horizon: censored at the horizon) or
"truce_start" (counted from the truce's own start: censored at horizon - truce_start_day, and
runs in which no truce was declared are left out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from libyasim.model import END_STATES, HOLDER_LABELS, PLACE_KEYS, SERIES_CATEGORIES
from libyasim.params import BACKERS

Kind = Literal["count", "amount", "share", "day", "duration", "event", "category"]
Censoring = Literal["", "horizon", "truce_start"]
Values = Mapping[str, Any]  # a resolved scenario's parameter values (Scenario.values)

END_STATE_LABELS = {
    "lna_takes_tripoli": "LNA takes Tripoli",
    "negotiated_settlement": "Negotiated settlement",
    "gna_pushes_back": "GNA pushes the LNA back",
    "truce_holds": "Truce holds",
    "frozen_front": "Fighting, front frozen",
}
HOLDER_NAMES = {"gna": "GNA side", "lna": "LNA", "unaligned": "unaligned",
                "contested": "contested"}


def _truce_scheduled(values: Values) -> bool:
    """A truce is called within the horizon."""
    if not values.get("truce.enabled", True):
        return False
    start, day0 = values.get("truce.start"), values.get("scenario.start_date")
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    if isinstance(day0, str):
        day0 = dt.date.fromisoformat(day0)
    if start is None or day0 is None:
        return True
    return (start - day0).days <= int(values.get("scenario.horizon_days", 0))


def _always(values: Values) -> bool:
    return True


@dataclass(frozen=True)
class Outcome:
    """One per-run outcome (a column of runs.parquet)."""

    name: str
    label: str  # plain words, for tables and axes
    unit: str  # "" for events and categories
    kind: Kind
    meaning: str  # one sentence, for the README's table
    censoring: Censoring = ""
    applies: Callable[[Values], bool] = field(default=_always, compare=False)
    categories: tuple[str, ...] = ()
    event: str = ""  # for day outcomes: what happened, e.g. "Tripoli falls to the LNA"
    key: bool = False  # shown in summaries and compared between scenarios

    @property
    def needs_truce(self) -> bool:
        return self.applies is _truce_scheduled

    def applies_to(self, values: Values) -> bool:
        """Whether the outcome means something in a scenario (e.g. no truce: no truce length)."""
        return bool(self.applies(values))


def _o(*args: Any, **kwargs: Any) -> Outcome:
    return Outcome(*args, **kwargs)


_TRUCE = {"applies": _truce_scheduled}
_OUTCOMES: list[Outcome] = [
    _o("truce_declared", "a truce is declared", "", "event",
       "whether a truce was declared within the horizon", **_TRUCE),
    _o("truce_start_day", "day the truce starts", "day", "day",
       "day (since day 0) the first truce was declared; empty if none was",
       censoring="horizon", event="a truce is declared", **_TRUCE),
    _o("truce_collapsed", "the first truce collapses", "", "event",
       "whether the first truce collapsed (fighting resumed at war intensity) within the horizon",
       key=True, **_TRUCE),
    _o("truce_collapse_day", "day the truce collapses", "day", "day",
       "day (since day 0) the first truce's effective life ended; empty when it held",
       censoring="horizon", event="the first truce collapses", **_TRUCE),
    _o("truce_days", "days the truce held", "days", "duration",
       "truce_collapse_day minus truce_start_day: how long the first truce held from its own "
       "start; empty when it held to the horizon (censored at horizon minus its start)",
       censoring="truce_start", key=True, **_TRUCE),
    _o("truce_end_day", "day the truce ends nominally", "day", "day",
       "day the first truce formally ended or was superseded (its nominal life); empty if it "
       "had not", censoring="horizon", event="the first truce ends nominally", **_TRUCE),
    _o("violations_total", "truce violations", "incidents", "count",
       "truce violations on every day of the truce's nominal life, as monitors count them",
       key=True),
    *(_o(f"violations_{f}", f"truce violations by the {name}", "incidents", "count",
         f"violations by the {name}")
      for f, name in (("gna", "GNA"), ("wag", "western armed groups"), ("lna", "LNA"))),
    _o("battle_deaths", "battle deaths", "people", "count",
       "combatants killed", key=True),
    _o("civilian_deaths", "civilian deaths", "people", "count",
       "civilians killed in the fighting", key=True),
    _o("conflict_deaths", "conflict deaths", "people", "count",
       "battle_deaths + civilian_deaths (UCDP's battle-related deaths)", key=True),
    _o("tripoli_fall_day", "day Tripoli falls", "day", "day",
       "first day the LNA held Tripoli's centre; empty if never", censoring="horizon",
       event="Tripoli falls to the LNA", key=True),
    _o("lna_withdraw_day", "day the LNA leaves the Tripoli front", "day", "day",
       "first day the LNA held no place near Tripoli (it left the Tripoli front); empty if "
       "never", censoring="horizon", event="the LNA leaves the Tripoli front"),
    _o("talks_day", "day talks start", "day", "day",
       "day talks between the parties started; empty if never", censoring="horizon",
       event="talks start"),
    _o("settlement_day", "day of the settlement", "day", "day",
       "day a permanent ceasefire was signed; empty if never", censoring="horizon",
       event="a permanent ceasefire is signed", key=True),
    _o("gna_population_share", "population held by the GNA side", "share of the population",
       "share", "share of the key places' population the GNA side holds at the horizon "
       "(contested places count for neither)", key=True),
    _o("lna_population_share", "population held by the LNA", "share of the population",
       "share", "share of the key places' population the LNA holds at the horizon"),
    _o("arms_delivered_total", "arms delivered", "fighter-equivalents", "amount",
       "fighters and materiel delivered by all backers", key=True),
    *(_o(f"arms_delivered_{b}", f"arms delivered by {b.upper() if b == 'uae' else b.title()}",
         "fighter-equivalents", "amount", f"delivered by {b}") for b in BACKERS),
    _o("arms_interdicted_total", "arms interdicted", "fighter-equivalents", "amount",
       "shipments stopped by the embargo"),
    _o("foreign_fighters_gna_peak", "foreign fighters on the GNA side (peak)", "fighters",
       "amount", "most foreign fighters on the GNA side on any day"),
    _o("foreign_fighters_lna_peak", "foreign fighters on the LNA side (peak)", "fighters",
       "amount", "most foreign fighters on the LNA side on any day"),
    _o("places_captured", "places captured", "places", "count",
       "captures of a place by either side (a place taken twice counts twice; unaligned "
       "places taken count too)"),
    _o("red_lines_declared", "red lines declared", "places", "count",
       "red lines declared by backers during the run (a backer and a place each)"),
    _o("end_state", "end state", "", "category",
       "one of " + ", ".join(f"`{s}`" for s in END_STATES) + " (checked in this order at the "
       "horizon; `truce_holds`: a truce, the first or a later one, is in force and unbroken "
       "at the horizon)", categories=tuple(END_STATES), key=True),
    _o("days", "days simulated", "days", "count", "the horizon in days"),
    *(_o(f"holder_{p}", f"holder of {p.replace('_', ' ').title()}", "", "category",
         f"who holds {p} at the horizon", categories=HOLDER_LABELS) for p in PLACE_KEYS),
]
OUTCOMES: dict[str, Outcome] = {o.name: o for o in _OUTCOMES}
ID_COLUMNS = ("run", "point", "seed")


def get(name: str) -> Outcome:
    """The registry entry of `name`; KeyError names the known outcomes."""
    try:
        return OUTCOMES[name]
    except KeyError:
        raise KeyError(f"unknown outcome {name!r}; expected one of {', '.join(OUTCOMES)}"
                       ) from None


def key_outcomes() -> list[Outcome]:
    """The outcomes shown in summaries and compared between scenarios, in registry order."""
    return [o for o in OUTCOMES.values() if o.key]


def of_kind(*kinds: str) -> list[str]:
    return [o.name for o in OUTCOMES.values() if o.kind in kinds]


def label(name: str) -> str:
    """Label with unit, for axes: 'battle deaths (people)'; `end_state=X` as a probability."""
    if name.startswith("end_state="):
        state = name.split("=", 1)[1]
        return f"share of runs ending: {END_STATE_LABELS.get(state, state)}"
    o = OUTCOMES.get(name)
    if o is None:
        return name
    if o.kind == "event":
        return f"{o.label} (share of runs)"
    return f"{o.label} ({o.unit})" if o.unit else o.label


# ---------------------------------------------------------------------------- per-run values
def typed_runs(df: pd.DataFrame) -> pd.DataFrame:
    """Give the per-run table the types the registry declares (in place; returned)."""
    if "seed" in df:
        df["seed"] = df["seed"].astype(np.uint64)  # 64-bit seeds: one type whatever their values
    for o in OUTCOMES.values():
        if o.name not in df:
            continue
        if o.kind in ("day", "duration"):
            df[o.name] = df[o.name].astype("Int64")
        elif o.kind == "event":
            df[o.name] = df[o.name].astype(bool)
    return df


def _horizons(runs: pd.DataFrame, horizon: int) -> pd.Series:
    """Each run's last day: its `days` outcome where saved (a sweep may vary the horizon)."""
    if "days" in runs:
        return runs["days"].astype(float)
    return pd.Series(float(horizon), index=runs.index)


def _truce_held(runs: pd.DataFrame, horizon: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per run: (days the first truce held, counting a truce that held as its whole window;
    whether it collapsed; its window = horizon - start). NaN where no truce was declared."""
    declared = runs["truce_declared"].astype(bool)
    start = runs["truce_start_day"].astype(float)
    window = (_horizons(runs, horizon) - start).where(declared)
    days = runs["truce_days"].astype(float)
    collapsed = days.notna() & declared
    return days.fillna(window).where(declared), collapsed, window


def durations(runs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The first truce's life in each run in which a truce was declared, from its own start.

    Columns: run, days (to the collapse, or to the horizon when censored), collapsed (bool),
    window (horizon - start: the longest it could have held). Runs without a declared truce are
    left out. The one place where truce durations and their censoring are computed.
    """
    days, collapsed, window = _truce_held(runs, horizon)
    keep = days.notna()
    return pd.DataFrame({"run": runs.loc[keep, "run"].to_numpy(),
                         "days": days[keep].to_numpy(float),
                         "collapsed": collapsed[keep].to_numpy(bool),
                         "window": window[keep].to_numpy(float)})


def values(runs: pd.DataFrame, name: str, horizon: int) -> pd.Series:
    """One number per run for `name`, by the registry's rules, aligned with `runs`' index.

    Counts, amounts and shares as they are; events as 0/1; day outcomes as the day, a run in
    which it never happened counting as its horizon (a restricted mean); `truce_days` as the
    days held from the truce's start, a truce that held counting as its whole window, NaN where
    no truce was declared; `end_state=NAME` as 0/1. Raises KeyError for other names.
    """
    if name.startswith("end_state="):
        state = name.split("=", 1)[1]
        if state not in END_STATES:
            raise KeyError(f"unknown end state {state!r}; expected one of "
                           f"{', '.join(END_STATES)}")
        return (runs["end_state"] == state).astype(float)
    o = get(name)
    if o.kind == "category":
        raise KeyError(f"{name} is a category; expected a numeric outcome or end_state=NAME")
    if o.censoring == "truce_start":
        return _truce_held(runs, horizon)[0]
    column = runs[name]
    if o.kind == "day":
        return column.astype(float).fillna(_horizons(runs, horizon))
    return column.astype(float)


def numeric_names() -> list[str]:
    """Outcomes that `values` turns into numbers."""
    return [o.name for o in OUTCOMES.values() if o.kind != "category"]


# ---------------------------------------------------------------------------- daily series
_DAILY_COUNTS = ("violations", "violations_gna", "violations_wag", "violations_lna",
                 "battle_deaths", "civilian_deaths", "conflict_deaths")


def daily_kind(column: str) -> str:
    """How a daily series column is stored: "category", "count" (int32) or "number"."""
    if column in SERIES_CATEGORIES:
        return "category"
    return "count" if column in _DAILY_COUNTS else "number"


# ---------------------------------------------------------------------------- documentation
def outcome_table_markdown() -> str:
    """The README's table of per-run outcomes, generated from the registry."""
    rows = ["| column | kind | unit | meaning |", "|---|---|---|---|",
            "| `run`, `seed` | | | the run's index in the ensemble and its own seed |"]
    holders = [o for o in OUTCOMES.values() if o.name.startswith("holder_")]
    arms = [o for o in OUTCOMES.values() if o.name.startswith("arms_delivered_")
            and o.name != "arms_delivered_total"]
    grouped = {o.name for o in holders + arms}
    for o in OUTCOMES.values():
        if o.name in grouped:
            continue
        rows.append(f"| `{o.name}` | {o.kind} | {o.unit} | {o.meaning} |")
        if o.name == "arms_delivered_total":
            names = ", ".join(f"`{a.name}`" for a in arms)
            rows.append(f"| {names} | amount | fighter-equivalents | delivered by each backer |")
    rows.append(f"| `holder_PLACE` ({len(holders)} places) | category | | who holds each place "
                "at the horizon: " + ", ".join(f"`{h}`" for h in HOLDER_LABELS) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(outcome_table_markdown())
