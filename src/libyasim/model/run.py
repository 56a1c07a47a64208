"""A run of the model as arrays, without Mesa: the state (`state.State`), the parameters
(`config.Params`) and the compiled day (`day.run_days`), with the views a user reads (outcomes,
series, events). `simulate` and the ensemble's workers use `Run` directly, so that a worker
starts without importing Mesa; `LibyaModel` (Mesa's face) is built on the same pieces.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np

from libyasim.model import day as schedule
from libyasim.model.config import FACTION_SIDE, GNA, LNA, PLACE_KEYS, Config, Params, build_config, \
    params_for, params_for_kernel
from libyasim.model.orders import encode, validate
from libyasim.model.records import EV_CAPTURE, SERIES_COLUMNS, describe, lna_near_tripoli, totals
from libyasim.model.state import (
    DELIVERED,
    FIRST_COLLAPSE,
    FIRST_END,
    FIRST_START,
    HOLDER_LABELS,
    INTERDICTED,
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
from libyasim.params import BACKERS
from libyasim.scenario import Scenario, resolve_scenario

END_STATES = ("lna_takes_tripoli", "negotiated_settlement", "gna_pushes_back", "truce_holds",
              "frozen_front")
VIOLATION_COLUMNS = ("violations_gna", "violations_wag", "violations_lna")


class Views:
    """What a run shows: outcomes, the daily series, events, holders (for `Run` and
    `LibyaModel`, which set `spec`, `cfg`, `P`, `S`, `kernel`, `steps` and `horizon`)."""

    cfg: Config
    P: Params
    S: State
    kernel: tuple[Params, State]
    steps: int
    horizon: int
    start_date: dt.date
    _events: list[Event]

    def build(self, spec: Scenario, rng: np.random.Generator) -> None:
        """The run's parameters and state from a resolved scenario, and its day 0."""
        self.spec = spec
        self.params = spec.values  # for display; the submodels read `P`
        self.cfg = build_config(self.params)
        self.P = params_for(self.cfg)
        self.start_date = self.cfg.start_date
        self.horizon = self.cfg.horizon
        _say_if_compiling()
        self.S = new_state(self.P, rng, len(SERIES_COLUMNS))
        # the same arrays, as the compiled submodels take them: P, S = run.kernel
        self.kernel = (params_for_kernel(self.P), for_kernel(self.S))
        self._events = []
        schedule.run_days(*self.kernel, rng, 0, 0)  # day 0: the set-up

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

    @property
    def munitions(self) -> list[float]:
        """Munitions on hand, by side (fighter-equivalents)."""
        return [float(x) for x in self.S.munitions]

    def place_name(self, place: int) -> str:
        return self.cfg.map.names[place]

    @staticmethod
    def side_name(side: int) -> str:
        return "GNA side" if side == GNA else "LNA"

    def targets(self, side: int) -> list[tuple[float, int, int]]:
        """(odds, target, origin) of every place the side could attack now, as its leading
        faction (the GNA or the LNA) sees them."""
        from libyasim.model.combat import targets

        out = np.empty((self.cfg.map.n, 3))
        rows = targets(*self.kernel, FACTION_SIDE.index(side), out)
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
        delivered = [float(x) for x in S.backer_f[:, DELIVERED]]
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
            **{f"arms_delivered_{key}": x for key, x in zip(BACKERS, delivered)},
            "arms_interdicted_total": float(sum(float(x) for x in S.backer_f[:, INTERDICTED])),
            "foreign_fighters_gna_peak": float(S.contingents_peak[GNA]),
            "foreign_fighters_lna_peak": float(S.contingents_peak[LNA]),
            "places_captured": int((S.events[:int(S.i[N_EVENTS]), 1] == EV_CAPTURE).sum()),
            "red_lines_declared": int(S.declared.sum()),
            "end_state": self.end_state(),
            "days": day,
            **{f"holder_{k}": h for k, h in zip(PLACE_KEYS, self.place_holders())},
        }




class Run(Views):
    """One run without Mesa: `advance(days)` runs days in one compiled call."""

    def __init__(self, spec: Scenario, rng: np.random.Generator):
        self.rng = rng
        self.steps = 0
        self.running = True
        self._orders: dict[str, dict[str, Any]] = {}
        self.build(spec, rng)

    def advance(self, days: int = 1) -> None:
        last = min(self.steps + days, self.horizon)
        first, self.steps = self.steps + 1, last
        schedule.run_days(*self.kernel, self.rng, first, last)
        self.running = last < self.horizon

    def set_orders(self, actor: str, orders: dict[str, Any]) -> None:
        """A player's orders for an actor; they persist until replaced."""
        standing = self._orders.setdefault(actor, {})
        standing.update(validate(actor, orders))
        encode(actor, standing, self.S)


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
    model = Run(resolve_scenario(scenario, {}), np.random.default_rng(seed))
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
