"""The Libya ceasefire model: one step is one day from day 0 (10 January 2020 by default).

`LibyaModel` is the model's face (Mesa's `Model`, with factions, backers and mediators as
agents); its state is a set of arrays (`state.State`) that the compiled day (`day.run_days`,
the ODD's schedule, one line per submodel) advances: one day per `step()`, or many in one call
(`advance`). Outcomes, series and events are read as in a Mesa-free `run.Run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa

from libyasim.model import day as schedule
from libyasim.model.agents import Backer, Faction, Mediator
from libyasim.model.config import PLACE_INDEX, PLACE_KEYS
from libyasim.model.orders import ACTOR_OPTIONS, validate
from libyasim.model.run import _COL, VIOLATION_COLUMNS, Views
from libyasim.params import FACTIONS
from libyasim.scenario import Scenario, resolve_scenario


def _normalise_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Accept `truce.enabled` or `truce__enabled` (keyword-friendly, as batch_run passes them)."""
    return {k.replace("__", "."): v for k, v in overrides.items()}


class LibyaModel(Views, mesa.Model):
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
        mesa.Model.__init__(self, rng=rng)
        self.collect_every_step = collect_every_step
        self.place_keys, self.place_index = PLACE_KEYS, PLACE_INDEX
        spec = resolve_scenario(scenario, _normalise_overrides(overrides))
        self.build(spec, self.rng)
        cfg = self.cfg
        self.faction_list = [Faction(self, i, key) for i, key in enumerate(FACTIONS)]
        self.backer_list = [Backer(self, i, b) for i, b in enumerate(cfg.arms.backers)]
        self.mediator_list = [Mediator(self, i, m) for i, m in enumerate(cfg.mediation.mediators)]
        self.factions = self.agents_by_type[Faction]
        self.backers = self.agents_by_type[Backer]
        self.mediators = self.agents_by_type[Mediator]
        actors: list[Faction | Backer | Mediator] = [
            *self.faction_list, *self.backer_list, *self.mediator_list]
        self._actors = {a.key: a for a in actors}
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
        """`days` days in one compiled call, without Mesa's event clock (the same results as
        as many `step`s)."""
        today = self.steps
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
        if self.collect_every_step or not self.running:
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
