"""The Libya ceasefire model: one step is one day from day 0 (10 January 2020 by default).

`LibyaModel` is the model's face (Mesa's `Model`, with factions, backers and mediators as
agents); its state is a set of arrays (`state.State`) that the compiled day (`day.run_days`,
the ODD's schedule, one line per submodel) advances: one day per `step()`, or a whole run in
one call (`simulate`).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from libyasim.model import day as schedule
from libyasim.model.agents import Backer, Faction, Mediator
from libyasim.model.config import (
    GNA,
    LNA,
    PLACE_INDEX,
    PLACE_KEYS,
    Params,
    build_config,
    params_for,
    params_for_kernel,
)
from libyasim.model.orders import ACTOR_OPTIONS, validate
from libyasim.model.records import SERIES_COLUMNS, describe, lna_near_tripoli, totals
from libyasim.model.state import (
    FIRST_COLLAPSE,
    FIRST_END,
    FIRST_START,
    HOLDER_LABELS,
    LNA_WITHDRAW_DAY,
    N_EVENTS,
    SETTLEMENT_DAY,
    SETTLEMENT_PATH,
    SETTLEMENT_PATHS,
    TALKS_DAY,
    TRIPOLI_FALL_DAY,
    TRUCE,
    Event,
    State,
    Truce,
    for_kernel,
    new_state,
)
from libyasim.params import FACTIONS
from libyasim.scenario import Scenario, resolve_scenario

END_STATES = ("lna_takes_tripoli", "negotiated_settlement", "gna_pushes_back", "truce_holds",
              "frozen_front")
VIOLATION_COLUMNS = ("violations_gna", "violations_wag", "violations_lna")


def _normalise_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Accept `truce.enabled` or `truce__enabled` (keyword-friendly, as batch_run passes them)."""
    return {k.replace("__", "."): v for k, v in overrides.items()}


class LibyaModel(mesa.Model):
    """Factions, backers and mediators on a network of Libya's key places.

    Args:
        scenario: a scenario file path, a `Scenario`, or None for the defaults (the baseline).
        rng: seed or numpy Generator (Mesa's `rng=`); the model's only random stream.
        collect_every_step: collect the DataCollector every day (the browser view); otherwise
            it collects on day 0 and on the last day only, which is all `mesa.batch_run` needs.
        collect: keep a DataCollector at all (`simulate` reads outcomes and series directly).
        **overrides: parameters by name, as `truce__enabled=False` or `**{"truce.enabled": False}`.
    """

    def __init__(self, scenario: str | Path | Scenario | None = None, rng: Any = None,
                 collect_every_step: bool = False, collect: bool = True, **overrides: Any):
        super().__init__(rng=rng)
        self.spec = resolve_scenario(scenario, _normalise_overrides(overrides))
        self.params = self.spec.values  # for display; the submodels read `P`
        self.cfg = cfg = build_config(self.params)
        self.P: Params = params_for(cfg)
        self.start_date: dt.date = cfg.start_date
        self.horizon: int = cfg.horizon
        self.collect_every_step = collect_every_step
        self.place_keys, self.place_index = PLACE_KEYS, PLACE_INDEX
        _say_if_compiling()
        self.S: State = new_state(self.P, self.rng, len(SERIES_COLUMNS))
        # the same arrays, as the compiled submodels take them: P, S = model.kernel
        self.kernel = (params_for_kernel(self.P), for_kernel(self.S))
        self.faction_list = [Faction(self, i, key) for i, key in enumerate(FACTIONS)]
        self.backer_list = [Backer(self, i, b) for i, b in enumerate(cfg.arms.backers)]
        self.mediator_list = [Mediator(self, i, m) for i, m in enumerate(cfg.mediation.mediators)]
        self.factions = self.agents_by_type[Faction]
        self.backers = self.agents_by_type[Backer]
        self.mediators = self.agents_by_type[Mediator]
        actors: list[Faction | Backer | Mediator] = [
            *self.faction_list, *self.backer_list, *self.mediator_list]
        self._actors = {a.key: a for a in actors}
        self._events: list[Event] = []
        schedule.run_days(*self.kernel, self.rng, 0, 0)  # day 0: the set-up
        self.collect = collect
        if not collect:
            return
        self.datacollector = mesa.DataCollector(model_reporters={
            "day": "steps", "truce_state": lambda m: m.truce.name.lower(),
            "violations_total": lambda m: sum(m.so_far(*VIOLATION_COLUMNS)),
            "battle_deaths": lambda m: m.so_far("battle_deaths")[0],
            "civilian_deaths": lambda m: m.so_far("civilian_deaths")[0],
            "conflict_deaths": lambda m: m.so_far("conflict_deaths")[0],
            "gna_population_share": lambda m: m.series[m.steps, _COL["population_gna"]],
            "lna_population_share": lambda m: m.series[m.steps, _COL["population_lna"]],
            "end_state": lambda m: m.end_state(),
        })
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ the schedule
    def step(self) -> None:
        """One day (Mesa's step: Mesa counts `steps` and keeps its clock)."""
        self._days(self.steps)

    def advance(self, days: int = 1) -> None:
        """`days` days in one compiled call, without Mesa's event clock (what `simulate` uses;
        the same results as as many `step`s)."""
        today: int = self.steps  # type: ignore[has-type]
        last = min(today + days, self.horizon)
        first = today + 1
        self.steps = last
        self.time = self.steps
        self._days(first, last)

    def _days(self, first: int, last: int | None = None) -> None:
        last = first if last is None else last
        schedule.run_days(*self.kernel, self.rng, first, last)
        if last >= self.horizon:
            self.running = False
        if self.collect and (self.collect_every_step or not self.running):
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ orders
    def set_orders(self, actor: str, orders: dict[str, Any]) -> None:
        """Give a human player's orders to an actor; they persist until replaced or cleared."""
        checked = validate(actor, orders)
        agent = self._actors.get(actor)
        if agent is None:
            raise ValueError(f"actor {actor!r} is not in this scenario")
        agent.give(checked)

    def clear_orders(self, actor: str) -> None:
        """The model plays this actor again with its own rules."""
        if actor not in ACTOR_OPTIONS:
            raise ValueError(f"unknown actor {actor!r}; expected one of {', '.join(ACTOR_OPTIONS)}")
        agent = self._actors[actor]
        agent.orders.clear()
        agent.give({})

    # ------------------------------------------------------------------ views
    @property
    def series(self) -> np.ndarray:
        """Daily series, shape (horizon + 1, len(SERIES_COLUMNS)); row = day (rows after
        today are zeros)."""
        return self.S.series

    @property
    def events(self) -> list[Event]:
        """What happened so far, as sentences (written from the event codes when read)."""
        rows = self.S.events[len(self._events):int(self.S.i[N_EVENTS])]
        self._events.extend(describe(row, self.cfg) for row in rows)
        return self._events

    @property
    def truce(self) -> Truce:
        return Truce(int(self.S.i[TRUCE]))

    @property
    def truce_start_day(self) -> int | None:
        return self.cfg.truce.start_day

    @property
    def truce_collapse_day(self) -> int | None:
        return self._day_of(FIRST_COLLAPSE)

    @property
    def talks_day(self) -> int | None:
        return self._day_of(TALKS_DAY)

    @property
    def settlement_day(self) -> int | None:
        return self._day_of(SETTLEMENT_DAY)

    def _day_of(self, index: int) -> int | None:
        day = int(self.S.i[index])
        return None if day < 0 else day

    @property
    def forces(self) -> np.ndarray:
        """Fighters by place (rows, PLACE_KEYS order) and faction (columns, FACTIONS order)."""
        return self.S.forces.T.copy()

    @property
    def air(self) -> list[float]:
        return [float(x) for x in self.S.drones]

    def place_name(self, place: int) -> str:
        return self.cfg.map.names[place]

    @staticmethod
    def side_name(side: int) -> str:
        return "GNA side" if side == GNA else "LNA"

    def targets(self, side: int) -> list[tuple[float, int, int]]:
        """(odds, target, origin) of every place the side could attack now."""
        from libyasim.model.combat import targets

        out = np.empty((self.cfg.map.n, 3))
        rows = targets(*self.kernel, side, out)
        return [(float(r), int(t), int(o)) for r, t, o in out[:rows]]

    def place_holders(self) -> list[str]:
        """Who holds each place now: one of HOLDER_LABELS, in PLACE_KEYS order."""
        S = self.S
        return [HOLDER_LABELS[3 if S.contested[p] else int(S.owner[p])]
                for p in range(self.cfg.map.n)]

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def so_far(self, *columns: str) -> list[int]:
        """Totals of daily count columns from day 0 to today."""
        return totals(self.series, self.steps, *columns)

    def end_state(self) -> str:
        """The named end state at the current day (see END_STATES)."""
        S = self.S
        if S.owner[self.cfg.map.tripoli] == LNA:
            return "lna_takes_tripoli"
        if self.truce == Truce.SETTLED and SETTLEMENT_PATHS[int(S.i[SETTLEMENT_PATH])] \
                != "decisive_victory":
            return "negotiated_settlement"
        if not lna_near_tripoli(*self.kernel):
            return "gna_pushes_back"
        if self.truce == Truce.HOLDING:
            return "truce_holds"
        return "frozen_front"

    def outcomes(self) -> dict[str, Any]:
        """Per-run outcomes at the current day (CONTRACT: per-run outcomes)."""
        S, day = self.S, self.steps
        violations = self.so_far(*VIOLATION_COLUMNS)
        battle, civilian = self.so_far("battle_deaths", "civilian_deaths")
        start, collapse = self._day_of(FIRST_START), self._day_of(FIRST_COLLAPSE)
        delivered = [b.delivered for b in self.backer_list]
        return {
            "truce_declared": start is not None,
            "truce_start_day": start,
            "truce_collapsed": collapse is not None,
            "truce_collapse_day": collapse,
            "truce_days": None if collapse is None or start is None else collapse - start,
            "truce_end_day": self._day_of(FIRST_END),
            "violations_total": sum(violations),
            "violations_gna": violations[0], "violations_wag": violations[1],
            "violations_lna": violations[2],
            "battle_deaths": battle, "civilian_deaths": civilian,
            "conflict_deaths": battle + civilian,
            "tripoli_fall_day": self._day_of(TRIPOLI_FALL_DAY),
            "lna_withdraw_day": self._day_of(LNA_WITHDRAW_DAY),
            "talks_day": self.talks_day,
            "settlement_day": self.settlement_day,
            "gna_population_share": float(self.series[day, _COL["population_gna"]]),
            "lna_population_share": float(self.series[day, _COL["population_lna"]]),
            "arms_delivered_total": float(sum(delivered)),
            **{f"arms_delivered_{b.key}": x for b, x in zip(self.backer_list, delivered)},
            "arms_interdicted_total": float(sum(b.interdicted for b in self.backer_list)),
            "foreign_fighters_gna_peak": float(S.contingents_peak[GNA]),
            "foreign_fighters_lna_peak": float(S.contingents_peak[LNA]),
            "end_state": self.end_state(),
            "days": day,
            **{f"holder_{k}": h for k, h in zip(PLACE_KEYS, self.place_holders())},
        }


_COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}


def _say_if_compiling() -> None:
    """The first run on a machine compiles the model (about a minute); say so, once."""
    global _COMPILED
    if _COMPILED:
        return
    _COMPILED = True
    if hasattr(schedule.run_days, "signatures") and not schedule.run_days.signatures and \
            not _cache_present():
        print("libyasim: compiling the model (first run on this machine; later runs load it "
              "from the cache)...", file=sys.stderr, flush=True)


_COMPILED = False


def _cache_present() -> bool:
    """Whether numba's cache holds a compiled day."""
    import numba

    folder = Path(numba.config.CACHE_DIR)  # type: ignore[attr-defined]
    return folder.exists() and any(folder.rglob("day.run_days-*.nbi"))


def simulate(scenario: Scenario | str | Path | None, seed: int,
             orders: dict[int, dict[str, dict[str, Any]]] | None = None,
             ) -> tuple[dict[str, Any], np.ndarray]:
    """Run one replication to the horizon; return its outcomes and its daily series.

    `orders` maps a day to {actor: orders}; they are given at the start of that day, before
    its step (orders for day 0 before the first step), and persist until replaced. Between
    days with orders, the days run in one compiled call.
    """
    model = LibyaModel(scenario, rng=seed, collect=False)
    orders = orders or {}
    days = sorted(d for d in orders if d >= 1)
    for actor, given in orders.get(0, {}).items():
        model.set_orders(actor, given)
    for day in [*days, model.horizon + 1]:
        if day > model.steps + 1:
            model.advance(day - 1 - model.steps)
        if day > model.horizon:
            break
        for actor, given in orders.get(day, {}).items():
            model.set_orders(actor, given)
    return model.outcomes(), model.series
