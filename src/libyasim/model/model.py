"""The Libya ceasefire model: one step is one day from day 0 (10 January 2020 by default).

`LibyaModel.step` is the ODD's schedule, one line per submodel. Submodels read the typed
parameters (`cfg`) and the shared `state`, and drive the agents handed to them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from libyasim.model import (
    air,
    arms,
    combat,
    deterrence,
    economy,
    forces,
    mediation,
    morale,
    truce,
)
from libyasim.model.agents import Backer, Faction, Mediator
from libyasim.model.config import GNA, LNA, PLACE_INDEX, PLACE_KEYS, build_config
from libyasim.model.orders import ACTOR_OPTIONS, validate
from libyasim.model.records import SERIES_COLUMNS, Recorder, lna_near_tripoli, totals
from libyasim.model.state import HOLDER_LABELS, Event, State, Truce
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
        **overrides: parameters by name, as `truce__enabled=False` or `**{"truce.enabled": False}`.
    """

    def __init__(self, scenario: str | Path | Scenario | None = None, rng: Any = None,
                 collect_every_step: bool = False, **overrides: Any):
        super().__init__(rng=rng)
        self.spec = resolve_scenario(scenario, _normalise_overrides(overrides))
        self.params = self.spec.values  # for display; the submodels read `cfg`
        self.cfg = cfg = build_config(self.params)
        self.start_date: dt.date = cfg.start_date
        self.horizon: int = cfg.horizon
        self.collect_every_step = collect_every_step
        self.place_keys, self.place_index = PLACE_KEYS, PLACE_INDEX
        self.state = s = State(cfg, self.rng)
        self.faction_list = [Faction(self, i, key) for i, key in enumerate(FACTIONS)]
        self.backer_list = [Backer(self, i, b) for i, b in enumerate(cfg.arms.backers)]
        self.mediator_list = [Mediator(self, m) for m in cfg.mediation.mediators]
        self.factions = self.agents_by_type[Faction]
        self.backers = self.agents_by_type[Backer]
        self.mediators = self.agents_by_type[Mediator]
        actors: list[Faction | Backer | Mediator] = [
            *self.faction_list, *self.backer_list, *self.mediator_list]
        self._actors = {a.key: a for a in actors}
        self._recorder = Recorder(cfg, self.horizon)
        self._targets: list[list[tuple[float, int, int]]] = [[], []]
        self._targets_key: list[tuple[int, int, int] | None] = [None, None]
        self._mediation_active = any(m.cfg.enabled for m in self.mediator_list)

        combat.update_fronts(s, cfg, initial=True)
        forces.place_initial(s, cfg)
        for f in self.faction_list:
            s.factor[f.index] = f.morale * f.supply
        mediation.press(s, self.mediator_list)
        for day in range(1 - cfg.arms.delay, 1):  # shipments sent before day 0 arrive from day 1
            arms.ship(s, cfg, self.backer_list, day)
        air.duel(s, cfg)
        combat.assess(s, cfg)
        truce.open_day(s, cfg, self.mediator_list, self.faction_list)
        self._recorder.record(s, self.faction_list)

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
        self._day()

    def advance(self) -> None:
        """One day without Mesa's event clock (what `simulate` uses; the same results as
        `step`, without the scheduler's cost)."""
        self.steps += 1
        self.time = self.steps
        self._day()

    def _day(self) -> None:
        """One day, in the ODD's order (section 3)."""
        s, cfg = self.state, self.cfg
        s.begin_day(self.steps)
        mediation.press(s, self.mediator_list)                     # leverage and pressure
        truce.open_day(s, cfg, self.mediator_list, self.faction_list)  # calendar, monitors
        forces.rotate(s, cfg, self.backer_list)                    # foreign fighters
        arms.ship(s, cfg, self.backer_list)                        # materiel by route
        arms.deliver(s, cfg, self.backer_list)
        economy.update(s, cfg, self._mediation_active)            # oil, money
        air.duel(s, cfg)                                           # drones vs air defence
        deterrence.assess(s, cfg, self.backer_list)                # red lines expected
        for faction in self.faction_list:                          # stances, violations
            faction.decide()
        truce.attribute(s, cfg, self.faction_list)                 # monitors, reciprocity
        deterrence.intervene(s, cfg, self.faction_list, self.backer_list)
        combat.fight(s, cfg, self.faction_list)                    # attrition, captures
        forces.redeploy(s, cfg, self.faction_list)                 # reserves to the fronts
        morale.update(self.faction_list)                           # supply, morale, erosion
        combat.assess(s, cfg)                                      # balance of power
        truce.update(s, cfg, self.faction_list)                    # effective/nominal life
        mediation.negotiate(s, cfg, self.mediator_list, self.faction_list)  # talks, settlement
        self._recorder.record(s, self.faction_list)                # the day's row
        if self.steps >= self.horizon:
            self.running = False
        if self.collect_every_step or not self.running:
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ orders
    def set_orders(self, actor: str, orders: dict[str, Any]) -> None:
        """Give a human player's orders to an actor; they persist until replaced or cleared."""
        checked = validate(actor, orders)
        agent = self._actors.get(actor)
        if agent is None:
            raise ValueError(f"actor {actor!r} is not in this scenario")
        agent.orders.update(checked)

    def clear_orders(self, actor: str) -> None:
        """The model plays this actor again with its own rules."""
        if actor not in ACTOR_OPTIONS:
            raise ValueError(f"unknown actor {actor!r}; expected one of {', '.join(ACTOR_OPTIONS)}")
        self._actors[actor].orders.clear()

    # ------------------------------------------------------------------ views
    @property
    def series(self) -> np.ndarray:
        """Daily series, shape (horizon + 1, len(SERIES_COLUMNS)); row = day."""
        return self._recorder.series

    @property
    def events(self) -> list[Event]:
        return self.state.events

    @property
    def truce(self) -> Truce:
        return self.state.truce

    @property
    def truce_start_day(self) -> int | None:
        return self.cfg.truce.start_day

    @property
    def truce_collapse_day(self) -> int | None:
        return self.state.first_collapse

    @property
    def talks_day(self) -> int | None:
        return self.state.talks_day

    @property
    def settlement_day(self) -> int | None:
        return self.state.settlement_day

    @property
    def forces(self) -> np.ndarray:
        """Fighters by place (rows, PLACE_KEYS order) and faction (columns, FACTIONS order)."""
        return np.array(self.state.forces).T

    @property
    def air(self) -> list[float]:
        return list(self.state.drones)

    def place_name(self, place: int) -> str:
        return self.cfg.map.names[place]

    @staticmethod
    def side_name(side: int) -> str:
        return "GNA side" if side == GNA else "LNA"

    def targets(self, side: int) -> list[tuple[float, int, int]]:
        """(odds, target, origin) of every place the side could attack today (computed once a
        day for each side)."""
        key = (self.state.day, side, self.state.map_version)
        if self._targets_key[side] != key:
            self._targets_key[side] = key
            self._targets[side] = combat.targets(self.state, self.cfg, side)
        return self._targets[side]

    def place_holders(self) -> list[str]:
        """Who holds each place now: one of HOLDER_LABELS, in PLACE_KEYS order."""
        return [HOLDER_LABELS[self.state.holder_code(p)] for p in range(self.cfg.map.n)]

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def so_far(self, *columns: str) -> list[int]:
        """Totals of daily count columns from day 0 to today."""
        return totals(self.series, self.steps, *columns)

    def end_state(self) -> str:
        """The named end state at the current day (see END_STATES)."""
        s = self.state
        if s.owner[self.cfg.map.tripoli] == LNA:
            return "lna_takes_tripoli"
        if s.truce == Truce.SETTLED and s.settlement_path != "decisive_victory":
            return "negotiated_settlement"
        if not lna_near_tripoli(s, self.cfg):
            return "gna_pushes_back"
        if s.truce == Truce.HOLDING:
            return "truce_holds"
        return "frozen_front"

    def outcomes(self) -> dict[str, Any]:
        """Per-run outcomes at the current day (CONTRACT: per-run outcomes)."""
        s, day = self.state, self.steps
        violations = self.so_far(*VIOLATION_COLUMNS)
        battle, civilian = self.so_far("battle_deaths", "civilian_deaths")
        start, collapse = s.first_start, s.first_collapse
        return {
            "truce_declared": start is not None,
            "truce_start_day": start,
            "truce_collapsed": collapse is not None,
            "truce_collapse_day": collapse,
            "truce_days": None if collapse is None or start is None else collapse - start,
            "truce_end_day": s.first_end,
            "violations_total": sum(violations),
            "violations_gna": violations[0], "violations_wag": violations[1],
            "violations_lna": violations[2],
            "battle_deaths": battle, "civilian_deaths": civilian,
            "conflict_deaths": battle + civilian,
            "tripoli_fall_day": s.tripoli_fall_day,
            "lna_withdraw_day": s.lna_withdraw_day,
            "talks_day": s.talks_day,
            "settlement_day": s.settlement_day,
            "gna_population_share": float(self.series[day, _COL["population_gna"]]),
            "lna_population_share": float(self.series[day, _COL["population_lna"]]),
            "arms_delivered_total": float(sum(b.delivered for b in self.backer_list)),
            **{f"arms_delivered_{b.key}": float(b.delivered) for b in self.backer_list},
            "arms_interdicted_total": float(sum(b.interdicted for b in self.backer_list)),
            "foreign_fighters_gna_peak": float(s.contingents_peak[GNA]),
            "foreign_fighters_lna_peak": float(s.contingents_peak[LNA]),
            "end_state": self.end_state(),
            "days": day,
            **{f"holder_{k}": h for k, h in zip(PLACE_KEYS, self.place_holders())},
        }


_COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}


def simulate(scenario: Scenario | str | Path | None, seed: int,
             orders: dict[int, dict[str, dict[str, Any]]] | None = None,
             ) -> tuple[dict[str, Any], np.ndarray]:
    """Run one replication to the horizon; return its outcomes and its daily series.

    `orders` maps a day to {actor: orders}; they are given at the start of that day, before
    its step (orders for day 0 before the first step), and persist until replaced.
    """
    model = LibyaModel(scenario, rng=seed)
    orders = orders or {}
    while model.running:
        day = model.steps + 1
        for when in ((0, 1) if day == 1 else (day,)):
            for actor, given in orders.get(when, {}).items():
                model.set_orders(actor, given)
        model.advance()
    return model.outcomes(), model.series
