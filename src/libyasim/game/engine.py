"""The game's only contact with the model: actors, their options, one run played turn by turn.

A `GameRun` is one model run (a scenario and a seed) that the class plays: a turn starts on the
day the class sees (day t, after t steps); the human players' orders are set on the model
(`set_orders`), then the model steps the turn's days, t+1 to t+D. The orders thus take effect
from day t+1, which is how the model's own `simulate(scenario, seed, orders)` reads
`orders[t + 1]` (see `orders_by_day`): `replay` and `simulate` rerun a game to the same series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from libyasim.geography import PLACES
from libyasim.params import PARAMS
from libyasim.scenario import Scenario

try:  # model 2.0: a package that takes orders and reports events
    from libyasim.model import PLACE_KEYS, SERIES_COLUMNS, Event, LibyaModel
    from libyasim.model.orders import ACTOR_OPTIONS, Option
    TAKES_ORDERS = True
except ImportError:  # the 0.1 model: orders are recorded but not applied; events are derived
    from libyasim.model import SERIES_COLUMNS, LibyaModel
    PLACE_KEYS = tuple(p.key for p in PLACES)
    TAKES_ORDERS = False

    @dataclass(frozen=True)
    class Event:  # type: ignore[no-redef]
        """Something that happened on a day, in a plain sentence (without the date)."""

        day: int
        kind: str
        text: str
        actor: str | None = None
        place: str | None = None

    @dataclass(frozen=True)
    class Option:  # type: ignore[no-redef]
        """One choice an actor makes each turn (the model's ACTOR_OPTIONS schema)."""

        key: str
        label: str
        choices: tuple[tuple[Any, str], ...]
        default: Any
        consequence: str
        params: tuple[str, ...] = ()

    ACTOR_OPTIONS: dict[str, list[Option]] = {}  # type: ignore[no-redef]

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
PLACE_NAMES = {p.key: p.name for p in PLACES}
COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}


def _fallback_options() -> dict[str, list[Option]]:
    """The contract's options, for the 0.1 model, which cannot apply them."""
    note = " (This model version records the choice but does not apply it yet.)"
    yes_no = ((True, "yes"), (False, "no"))
    fronts = (("", "no offensive"), *((p.key, p.name) for p in PLACES))
    faction = [
        Option("stance", "Stance on the truce",
               (("hold", "hold the truce"), ("reciprocate", "answer violations in kind"),
                ("limited", "limited attacks"), ("offensive", "an offensive")), "reciprocate",
               "How often your forces break the truce." + note,
               ("truce.reciprocity_weight", "truce.advantage_weight")),
        Option("target", "Front of an offensive", fronts, "",
               "Where an offensive is aimed." + note, ("combat.capture_rate",)),
        Option("monitors", "Accept ceasefire monitors", yes_no, False,
               "Monitors watch your side's compliance." + note, ("truce.monitoring_effect",)),
        Option("talks", "Join talks", yes_no, True,
               "Talks can lead to a signed ceasefire." + note, ("mediation.talks_rate",)),
    ]
    levels = ((0.0, "none"), (0.5, "half the usual"), (1.0, "the usual"), (2.0, "double"))

    def backer(key: str) -> list[Option]:
        return [Option(name, f"Send {name}", levels, 1.0,
                       f"Shipments of {name} to your client." + note, (f"arms.{key}.volume",))
                for name in ("fighters", "materiel", "drones")] + [
            Option("inspectors", "Let embargo inspectors check your route", yes_no, False,
                   "Inspectors stop part of your shipments." + note,
                   ("arms.embargo_enforcement",))]

    mediator = [
        Option("convene_talks", "Convene talks", yes_no, True,
               "Talks can lead to a signed ceasefire." + note, ("mediation.talks_rate",)),
        Option("propose_monitors", "Propose ceasefire monitors", yes_no, False,
               "Monitors need the consent of the sides." + note, ("truce.monitoring_effect",)),
        Option("press", "Press a backer", (("", "nobody"), ("turkey", "Turkey"),
                                           ("russia", "Russia"), ("uae", "the UAE"),
                                           ("egypt", "Egypt")), "",
               "Pressure to send less." + note, ("mediation.berlin.leverage",)),
        Option("guarantees", "Offer guarantees", yes_no, False,
               "Guarantees make a deal more credible." + note, ("mediation.settlement_rate",)),
    ]
    return {"lna": faction, "gna": faction, "wag": faction,
            **{b: backer(b) for b in ("turkey", "russia", "uae", "egypt")}, "berlin": mediator}


OPTIONS: dict[str, list[Option]] = (
    {a: list(ACTOR_OPTIONS[a]) for a in ACTORS} if TAKES_ORDERS else _fallback_options())


def default_orders(actor: str) -> dict[str, Any]:
    """The choices a form starts with."""
    return {o.key: o.default for o in OPTIONS[actor]}


def check_orders(actor: str, orders: Mapping[str, Any]) -> dict[str, Any]:
    """Orders completed with defaults; ValueError with a plain message when one is unknown."""
    if actor not in OPTIONS:
        raise ValueError(f"unknown actor {actor!r}; expected one of {', '.join(OPTIONS)}")
    by_key = {o.key: o for o in OPTIONS[actor]}
    out = default_orders(actor)
    for key, value in orders.items():
        if key not in by_key:
            raise ValueError(f"{actor}: unknown order {key!r}; expected one of "
                             f"{', '.join(by_key)}")
        allowed = [v for v, _ in by_key[key].choices]
        if value not in allowed or type(value) is not type(by_key[key].default):
            raise ValueError(f"{actor}: {key} = {value!r}; expected one of {allowed}")
        out[key] = value
    return out


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
        self.events: list[Event] = list(self.model.events) if TAKES_ORDERS else []
        self._holders = self.model.place_holders()

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
        if TAKES_ORDERS:
            for actor, chosen in orders.items():
                self.model.set_orders(actor, dict(chosen))
        first = len(self.events)
        for _ in range(min(days, self.horizon - self.day)):
            self.model.step()
            if not TAKES_ORDERS:
                self.events.extend(self._derived_events())
        if TAKES_ORDERS:
            self.events = list(self.model.events)
        return self.events[first:]

    def _derived_events(self) -> list[Event]:
        """Today's events read off the 0.1 model's state (it keeps no event list)."""
        day, m = self.day, self.model
        events = []
        row = m.series[day]
        previous = m.series[day - 1]
        truce_texts = {1: "The truce comes into force", 2: "The truce collapses: fighting "
                       "resumes at war intensity", 3: "A permanent ceasefire is signed"}
        state = int(row[COL["truce_state"]])
        if state != int(previous[COL["truce_state"]]) and state in truce_texts:
            events.append(Event(day, "truce", truce_texts[state]))
        for key in ("gna", "wag", "lna"):
            count = int(row[COL[f"violations_{key}"]])
            if count:
                events.append(Event(day, "violation", f"{SHORT_NAMES[key]} forces break the "
                                    f"truce {count} time{'s' if count > 1 else ''}", key))
        if m.talks_day == day:
            events.append(Event(day, "talks", "Talks between the two sides begin"))
        holders = m.place_holders()
        words = {"gna": "The GNA side takes", "lna": "The LNA takes",
                 "contested": "Fighting reaches", "unaligned": "Local forces hold"}
        for place, before, now in zip(PLACES, self._holders, holders):
            if now != before:
                events.append(Event(day, "control", f"{words[now]} {place.name}", None,
                                    place.key))
        self._holders = holders
        return events


def orders_by_day(turns: list[tuple[int, Mapping[str, Mapping[str, Any]]]]
                  ) -> dict[int, dict[str, dict[str, Any]]]:
    """Turns' (start day, orders) as the model's `orders` argument: the day they take effect
    (the first day the turn steps) -> actor -> orders."""
    return {day + 1: {a: dict(o) for a, o in orders.items()} for day, orders in turns if orders}


def replay(scenario: Scenario, seed: int, turns: list[tuple[int, Mapping[str, Mapping[str, Any]]]],
           last_day: int) -> GameRun:
    """Rerun a game from day 0: each turn's orders set on its day, stepping to `last_day`."""
    run = GameRun(scenario, seed)
    starts = [day for day, _ in turns] + [last_day]
    for (day, orders), end in zip(turns, starts[1:]):
        if run.day != day:
            raise ValueError(f"a turn starts on day {day} but the run is at day {run.day}")
        run.play(orders, end - day)
    if run.day < last_day:
        run.play({}, last_day - run.day)
    return run
