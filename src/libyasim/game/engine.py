"""The game's only contact with the model: actors, their options, one run played turn by turn.

A `GameRun` is one model run (a scenario and a seed) that the class plays: a turn starts on the
day the class sees (day t, after t steps); the human players' orders are set on the model
(`set_orders`), then the model steps the turn's days, t+1 to t+D. The orders thus take effect
from day t+1, which is how the model's own `simulate(scenario, seed, orders)` reads
`orders[t + 1]` (see `orders_by_day`): `replay` and `simulate` rerun a game to the same series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from libyasim.model import PLACE_KEYS, SERIES_COLUMNS, Event, LibyaModel
from libyasim.model.orders import ACTOR_OPTIONS, Option, validate
from libyasim.params import PARAMS
from libyasim.scenario import Scenario

# Actors a student can play, in the order the page lists them.
ACTORS: dict[str, str] = {
    "lna": "LNA (Haftar's Libyan National Army)",
    "gna": "GNA (Government of National Accord)",
    "wag": "Western armed groups",
    "turkey": "Turkey",
    "russia": "Russia",
    "uae": "United Arab Emirates",
    "egypt": "Egypt",
    "berlin": "UN mediator (Berlin process)",
}
SHORT_NAMES = {"lna": "LNA", "gna": "GNA", "wag": "western armed groups", "turkey": "Turkey",
               "russia": "Russia", "uae": "UAE", "egypt": "Egypt", "berlin": "UN mediator"}
COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}
OPTIONS: dict[str, list[Option]] = {a: list(ACTOR_OPTIONS[a]) for a in ACTORS}


def default_orders(actor: str) -> dict[str, Any]:
    """The choices a form starts with."""
    return {o.key: o.default for o in OPTIONS[actor]}


def check_orders(actor: str, orders: Mapping[str, Any]) -> dict[str, Any]:
    """The actor's full orders: the form's defaults, then the given ones, checked by the model
    (ValueError with a plain message for an unknown actor, order or value)."""
    checked = validate(actor, dict(orders))
    return {**default_orders(actor), **checked}


def choice_label(actor: str, key: str, value: Any) -> str:
    """The plain words of one chosen value."""
    option = next(o for o in OPTIONS[actor] if o.key == key)
    return next((label for v, label in option.choices if v == value), str(value))


def provenance(names: tuple[str, ...], scenario: Scenario) -> list[str]:
    """Where the numbers behind an option come from, one line per registry entry."""
    lines = []
    for name in names:
        param = PARAMS.get(name)
        if param is None:
            continue
        value = scenario[name] if name in scenario.values else param.default
        shown = value.isoformat() if isinstance(value, dt.date) else (
            f"{value:g}" if isinstance(value, float) else str(value))
        lines.append(f"{name} = {shown} ({param.kind.replace('_', ' ')}): {param.source}")
    return lines


class GameRun:
    """One model run played turn by turn."""

    def __init__(self, scenario: Scenario, seed: int):
        self.scenario, self.seed = scenario, seed
        self.model = LibyaModel(scenario, rng=seed)
        self.events: list[Event] = list(self.model.events)  # day 0: the situation

    @property
    def day(self) -> int:
        return int(self.model.steps)

    @property
    def horizon(self) -> int:
        return int(self.model.horizon)

    @property
    def finished(self) -> bool:
        return self.day >= self.horizon

    def date_of(self, day: int) -> dt.date:
        return self.model.date_of(day)

    def holders(self) -> dict[str, str]:
        return dict(zip(PLACE_KEYS, self.model.place_holders()))

    def outcomes(self) -> dict[str, Any]:
        out = dict(self.model.outcomes())
        out.setdefault("conflict_deaths", out["battle_deaths"] + out["civilian_deaths"])
        return out

    @property
    def series(self) -> np.ndarray:
        """The daily series from day 0 to today."""
        return np.array(self.model.series[: self.day + 1], copy=True)

    def play(self, orders: Mapping[str, Mapping[str, Any]], days: int) -> list[Event]:
        """Set the players' orders, then step up to `days` days; return the new events."""
        for actor, chosen in orders.items():
            self.model.set_orders(actor, dict(chosen))
        for _ in range(min(days, self.horizon - self.day)):
            self.model.step()
        first = len(self.events)
        self.events = list(self.model.events)
        return self.events[first:]


def orders_by_day(turns: list[tuple[int, Mapping[str, Mapping[str, Any]]]]
                  ) -> dict[int, dict[str, dict[str, Any]]]:
    """Turns' (start day, orders) as the model's `orders` argument: the day they take effect
    (the first day the turn steps) -> actor -> orders."""
    return {day + 1: {a: dict(o) for a, o in orders.items()} for day, orders in turns if orders}


def replay_turns(scenario: Scenario, seed: int,
                 turns: Sequence[tuple[int, Mapping[str, Mapping[str, Any]]]], last_day: int
                 ) -> tuple[GameRun, list[list[Event]]]:
    """Rerun a game from day 0: each turn's orders set on its day, stepping to `last_day`;
    the run and each turn's events (ValueError when the turns do not fit the run)."""
    run = GameRun(scenario, seed)
    if not 0 <= last_day <= run.horizon:
        raise ValueError(f"the last day {last_day} is outside the scenario (0 to {run.horizon})")
    starts = [day for day, _ in turns] + [last_day]
    events = []
    for (day, orders), end in zip(turns, starts[1:]):
        if run.day != day or end < day:
            raise ValueError(f"a turn starts on day {day} but the run is at day {run.day}")
        events.append(run.play(orders, end - day))
    if run.day < last_day:
        run.play({}, last_day - run.day)
    return run, events


def replay(scenario: Scenario, seed: int, turns: list[tuple[int, Mapping[str, Mapping[str, Any]]]],
           last_day: int) -> GameRun:
    """Rerun a game from day 0: each turn's orders set on its day, stepping to `last_day`."""
    return replay_turns(scenario, seed, turns, last_day)[0]
