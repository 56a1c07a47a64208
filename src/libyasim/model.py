"""The Libya ceasefire model: one step is one day from day 0 (10 January 2020 by default)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from enum import IntEnum
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from libyasim.agents import GNA_SIDE, LNA_SIDE, NO_SIDE, Backer, Faction, Mediator
from libyasim.geography import PLACES, ROADS, SUPPLY_HUBS, distance_km
from libyasim.params import BACKERS, FACTIONS, MEDIATORS
from libyasim.scenario import Scenario, resolve_scenario

FACTION_SIDE = {"gna": GNA_SIDE, "wag": GNA_SIDE, "lna": LNA_SIDE}
FACTION_HQ = {"gna": "tripoli", "wag": "misrata", "lna": "benghazi"}
BACKER_CLIENT = {"turkey": "gna", "qatar": "gna", "russia": "lna", "uae": "lna", "egypt": "lna"}
HOLDER_SIDE = {"gna": GNA_SIDE, "wag": GNA_SIDE, "lna": LNA_SIDE, "none": NO_SIDE}
END_STATES = ("lna_takes_tripoli", "negotiated_settlement", "gna_pushes_back", "truce_holds",
              "frozen_front")


class Truce(IntEnum):
    """State of the ceasefire on a day."""

    NONE = 0  # no truce declared (yet)
    IN_FORCE = 1
    COLLAPSED = 2
    SETTLED = 3  # signed permanent ceasefire


# Columns of the daily series, in order.
SERIES_COLUMNS = (
    "control_gna", "control_lna", "control_unaligned", "control_contested",
    "population_gna", "population_lna", "population_unaligned", "population_contested",
    "forces_gna", "forces_wag", "forces_lna", "air_gna_side", "air_lna_side",
    "violations_gna", "violations_wag", "violations_lna",
    "battle_deaths", "civilian_deaths", "arms_delivered", "truce_state",
    "morale_gna", "morale_wag", "morale_lna",
    # 2.0 contract columns (see the CONTRACT): nominal violations, UCDP-style deaths, holders
    "violations", "conflict_deaths", *(f"holder_{place.key}" for place in PLACES),
)
_COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}
PLACE_KEYS = tuple(place.key for place in PLACES)
HOLDER_LABELS = ("gna", "lna", "unaligned", "contested")  # codes: GNA_SIDE, LNA_SIDE, NO_SIDE, 3
# Categorical series columns -> their labels (the series holds the code, an index into them).
SERIES_CATEGORIES: dict[str, tuple[str, ...]] = {
    "truce_state": ("none", "holding", "broken", "settled"),  # Truce codes, in order
    **{f"holder_{key}": HOLDER_LABELS for key in PLACE_KEYS},
}
VIOLATION_COLUMNS = ("violations_gna", "violations_wag", "violations_lna")


def _normalise_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Accept `truce.enabled` or `truce__enabled` (keyword-friendly, as batch_run passes them)."""
    return {k.replace("__", "."): v for k, v in overrides.items()}


class LibyaModel(mesa.Model):
    """Factions, backers and mediators on a network of Libya's key places.

    Args:
        scenario: a scenario file path, a `Scenario`, or None for the defaults (the baseline).
        rng: seed or numpy Generator (Mesa's `rng=`).
        collect_every_step: collect the DataCollector every day (the browser view); otherwise
            it collects on day 0 and on the last day only, which is all `mesa.batch_run` needs.
        **overrides: parameters by name, as `truce__enabled=False` or `**{"truce.enabled": False}`.
    """

    def __init__(self, scenario: str | Path | Scenario | None = None, rng: Any = None,
                 collect_every_step: bool = False, **overrides: Any):
        super().__init__(rng=rng)
        self.scenario_spec = resolve_scenario(scenario, _normalise_overrides(overrides))
        self.params = p = self.scenario_spec.values
        self.start_date: dt.date = p["scenario.start_date"]
        self.horizon: int = p["scenario.horizon_days"]
        self.collect_every_step = collect_every_step
        self.delivery_delay: int = p["arms.delivery_delay_days"]
        self.memory_keep = 1.0 - 1.0 / p["memory.days"]
        self.presence: float = p["forces.presence_threshold"]
        self.truce_start_day = ((p["truce.start"] - self.start_date).days
                                if p["truce.enabled"] else None)
        # events on day 0 (the initial state) take effect with the first step
        self.conference_day = max(1, (p["mediation.conference_date"] - self.start_date).days)

        self._build_map()
        self.factions = [Faction(self, key, i, FACTION_SIDE[key], FACTION_HQ[key])
                         for i, key in enumerate(FACTIONS)]
        self.faction_side = np.array([f.side for f in self.factions])
        self._side_matrix = np.eye(2)[self.faction_side]  # factions x sides, one-hot
        self.backer_keys = BACKERS
        by_key = {f.key: f for f in self.factions}
        self.backers = [Backer(self, key, by_key[BACKER_CLIENT[key]]) for key in BACKERS]
        self.mediators = [Mediator(self, key) for key in MEDIATORS]
        self.pressure = [sum(m.pressure_on(side) for m in self.mediators)
                         for side in (GNA_SIDE, LNA_SIDE)]
        self._place_initial_forces()

        self.truce = Truce.IN_FORCE if self.truce_start_day == 0 else Truce.NONE
        self.truce_collapse_day: int | None = None
        self.talks_day: int | None = None
        self.settlement_day: int | None = None
        self.tripoli_fall_day: int | None = None
        self.lna_withdraw_day: int | None = None
        self.stalemate_days = 0
        self.violation_window = np.zeros(p["truce.collapse_window_days"], dtype=np.int64)
        self.advantage = [0.0, 0.0]
        self.recent_loss_signal = [0.0, 0.0]
        self.arrivals: dict[int, list[tuple[Backer, float]]] = defaultdict(list)
        self.pending = [0.0, 0.0]  # fighter-equivalents shipped but not yet arrived, by side
        self.delivered_month = [0.0, 0.0]  # ground deliveries of the last ~30 days, by side
        self.arriving = np.zeros(len(FACTIONS))  # today's ground deliveries, by faction
        self.series = np.zeros((self.horizon + 1, len(SERIES_COLUMNS)))
        self.events: list = []  # model 2.0 records what happened each day
        self._today = np.zeros(len(SERIES_COLUMNS))

        # shipments sent up to day 0 (from the backers' start dates) arrive from day 1 on
        for day in range(1 - self.delivery_delay, 1):
            for backer in self.backers:
                backer.ship(day)
        self._assess()
        self._record(0)

        self.datacollector = mesa.DataCollector(model_reporters={
            "day": "steps", "truce_state": lambda m: m.truce.name.lower(),
            "violations_total": lambda m: sum(m.so_far(*VIOLATION_COLUMNS)),
            "battle_deaths": lambda m: m.so_far("battle_deaths")[0],
            "civilian_deaths": lambda m: m.so_far("civilian_deaths")[0],
            "gna_population_share": lambda m: m.series[m.steps, _COL["population_gna"]],
            "lna_population_share": lambda m: m.series[m.steps, _COL["population_lna"]],
            "end_state": lambda m: m.end_state(),
        })
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ set-up
    def _build_map(self) -> None:
        p = self.params
        self.place_keys = [pl.key for pl in PLACES]
        self.place_index = {k: i for i, k in enumerate(self.place_keys)}
        graph = nx.Graph()
        graph.add_nodes_from(range(len(PLACES)))
        graph.add_edges_from((self.place_index[a], self.place_index[b]) for a, b in ROADS)
        positions = {i: (pl.lon, pl.lat) for i, pl in enumerate(PLACES)}
        self.grid = Network(graph, random=self.random, layout=positions)
        self.hops = np.array(nx.floyd_warshall_numpy(graph, nodelist=range(len(PLACES))))
        self.edges = np.array([(self.place_index[a], self.place_index[b]) for a, b in ROADS])
        self.population = np.array([p[f"place.{k}.population"] for k in self.place_keys], float)
        self._population_share = self.population / max(self.population.sum(), 1.0)
        self.urban = np.array([p[f"place.{k}.urban"] for k in self.place_keys])
        self.owner = np.array([HOLDER_SIDE[p[f"place.{k}.holder"]] for k in self.place_keys])
        self.contested_at_start = np.array([p[f"place.{k}.contested"] for k in self.place_keys])
        tlat, tlon = PLACES[self.place_index["tripoli"]].lat, PLACES[self.place_index["tripoli"]].lon
        radius = p["outcomes.tripoli_front_radius_km"]
        self.near_tripoli = np.array([distance_km(pl.lat, pl.lon, tlat, tlon) <= radius
                                      for pl in PLACES])
        self.forces = np.zeros((len(PLACES), len(FACTIONS)))
        self.air = [p["forces.gna.air"], p["forces.lna.air"]]
        self._pairs_dirty = True

    def _place_initial_forces(self) -> None:
        """Spread each faction's fighters over its side's places: a share at the fronts, the
        rest in the rear, each part in proportion to population (with a floor for bases)."""
        p = self.params
        self._update_pairs(initial=True)
        weight = self.population + p["forces.place_weight_floor"]
        for f in self.factions:
            present = (self.owner == f.side) | (self.contested_at_start & (self.owner != NO_SIDE))
            front = present & self.front[:, f.side]
            rear = present & ~front
            total = p[f"forces.{f.key}.fighters"]
            front_share = p["forces.front_share"] if rear.any() else 1.0
            for mask, share in ((front, front_share), (rear, 1.0 - front_share)):
                if mask.any():
                    self.forces[mask, f.index] += total * share * weight[mask] / weight[mask].sum()
        self.garrison = self.forces * p["forces.garrison_share"]

    # ------------------------------------------------------------------ daily step
    def step(self) -> None:
        """One day: truce calendar, decisions, combat, supply, morale, talks, records."""
        day = self.steps
        if self.truce == Truce.NONE and self.truce_start_day is not None \
                and day >= self.truce_start_day:
            self.truce = Truce.IN_FORCE
        self._today[:] = 0.0
        self._decide()
        self._fight(self._intensity())
        for backer in self.backers:
            backer.escalate()
            backer.ship(day)
        self._deliver(day)
        side_totals = self.side_totals()
        for faction in self.factions:
            faction.resupply(side_totals[faction.side])
            faction.update_morale()
            faction.erode()
        self._redeploy()
        self._assess()
        self._update_truce(day)
        self._negotiate(day)
        self._record(day)
        if day >= self.horizon:
            self.running = False
        if self.collect_every_step or not self.running:
            self.datacollector.collect(self)

    def _decide(self) -> None:
        """While a truce is in force, each faction chooses its violations; memories update."""
        if self.truce != Truce.IN_FORCE:
            for f in self.factions:
                f.violations_today = 0
            return
        for f in self.factions:
            f.decide_compliance()
        by_side = [0, 0]
        for f in self.factions:
            by_side[f.side] += f.violations_today
            self._today[_COL[f"violations_{f.key}"]] = f.violations_today
        for f in self.factions:
            f.remember(by_side[1 - f.side])

    def _intensity(self) -> float:
        """Fighting intensity today: open war, violations under a truce, or none."""
        if self.truce in (Truce.NONE, Truce.COLLAPSED):
            return 1.0
        if self.truce == Truce.SETTLED:
            return 0.0
        violations = sum(f.violations_today for f in self.factions)
        return min(1.0, self.params["truce.intensity_per_violation"] * violations)

    def _update_pairs(self, initial: bool = False) -> None:
        """Engagements: (GNA-side place, LNA-side place) pairs on roads and contested places."""
        owner = self.owner
        a, b = self.edges[:, 0], self.edges[:, 1]
        ab = (owner[a] == GNA_SIDE) & (owner[b] == LNA_SIDE)
        ba = (owner[a] == LNA_SIDE) & (owner[b] == GNA_SIDE)
        if initial:
            contested = np.flatnonzero(self.contested_at_start & (owner != NO_SIDE))
        else:
            contested = np.flatnonzero(self._contested())
        self.pair_gna = np.concatenate([a[ab], b[ba], contested])
        self.pair_lna = np.concatenate([b[ab], a[ba], contested])
        n = len(self.place_keys)
        self.front = np.zeros((n, 2), dtype=bool)
        self.front[self.pair_gna, GNA_SIDE] = True
        self.front[self.pair_lna, LNA_SIDE] = True
        self._update_reach()
        front_places = np.flatnonzero(self.front.any(axis=1))
        self._civilians_exposed = float(  # residents near fighting, in 100,000s
            (self.population[front_places] / 1e5 * np.where(
                self.urban[front_places], self.params["combat.urban_civilian_factor"], 1.0)).sum())
        urban = np.where(self.urban, self.params["combat.urban_defence"], 1.0)
        self._defence = (np.where(owner == GNA_SIDE, urban, 1.0),
                         np.where(owner == LNA_SIDE, urban, 1.0))
        # losses of the GNA side at pair_gna come from LNA fire, and the reverse; each
        # place's forces are split over the engagements it is in; defenders of towns gain
        engaged = self.params["combat.engaged_share"]
        pg, pl = self.pair_gna, self.pair_lna
        count_g, count_l = np.bincount(pg, minlength=n), np.bincount(pl, minlength=n)
        self._loss_index = np.concatenate([pg * 2, pl * 2 + 1])
        self._facing_index = np.concatenate([pl * 2 + 1, pg * 2])  # the enemy across
        rear = ~self.front[:, self.faction_side] if len(pg) else np.zeros_like(self.forces, bool)
        self._redeploy_rate = rear * self.params["forces.redeploy_rate"]
        self._fire_coef = engaged * np.concatenate([self._defence[1][pl] / count_l[pl],
                                                    self._defence[0][pg] / count_g[pg]])
        self._pairs_dirty = False

    def _side_strengths(self, at_reach: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Effective fighters per place by side (forces x morale x supply); with `at_reach`,
        also weakened with the distance from the side's supply hubs."""
        factor = np.array([f.strength_factor for f in self.factions])
        eff = self.forces * factor @ self._side_matrix
        if at_reach:
            eff *= self._reach
        return eff[:, 0], eff[:, 1]

    def _update_reach(self) -> None:
        """Strength kept at each place by each side, given the supply hubs it still holds."""
        p = self.params
        self._reach = np.empty((len(self.owner), 2))
        for side, key in ((GNA_SIDE, "gna"), (LNA_SIDE, "lna")):
            hubs = [self.place_index[h] for h in SUPPLY_HUBS[key]
                    if self.owner[self.place_index[h]] == side]
            if not hubs:  # cut off from all its hubs: the floor everywhere
                self._reach[:, side] = p["combat.reach_floor"]
                continue
            links = self.hops[:, hubs].min(axis=1)
            self._reach[:, side] = np.maximum(p["combat.reach_floor"],
                                              1.0 - p["combat.strength_gradient"] * links)

    def _air_multipliers(self) -> tuple[float, float]:
        weight, total = self.params["combat.air_weight"], self.air[0] + self.air[1]
        if total <= 0:
            return 1.0, 1.0
        return 1.0 + weight * self.air[0] / total, 1.0 + weight * self.air[1] / total

    def _fight(self, intensity: float) -> None:
        """Stochastic Lanchester attrition on every front; captures; civilian harm."""
        if self._pairs_dirty:
            self._update_pairs()
        if intensity <= 0.0 or len(self.pair_gna) == 0:
            return
        p, rng = self.params, self.rng
        pg, pl = self.pair_gna, self.pair_lna
        eff_gna, eff_lna = self._side_strengths(at_reach=True)
        air_gna, air_lna = self._air_multipliers()
        cv = p["combat.noise_cv"]
        k = p["combat.lethality"] * intensity
        if cv > 0:
            shape = 1.0 / (cv * cv)
            noise = rng.gamma(shape, 1.0 / shape, size=2 * len(pg))
        else:
            noise = np.ones(2 * len(pg))
        fire = np.concatenate([eff_lna[pl] * (air_lna * k), eff_gna[pg] * (air_gna * k)])
        n = len(self.owner)
        loss = np.bincount(self._loss_index, weights=fire * self._fire_coef * noise,
                           minlength=2 * n).reshape(n, 2)
        lost_by_side = self._apply_losses(loss)
        self._today[_COL["battle_deaths"]] = rng.poisson(p["combat.killed_share"]
                                                         * (lost_by_side[0] + lost_by_side[1]))
        fighters = self.side_totals()
        self.recent_loss_signal = [signal + lost / max(total, 1.0) for signal, lost, total
                                   in zip(self.recent_loss_signal, lost_by_side, fighters)]
        self._harm_civilians(intensity)
        if intensity >= p["combat.capture_intensity"]:
            self._capture(air_gna, air_lna, *self._defence, intensity)

    def side_totals(self) -> list[float]:
        """Fighters of each side, all places."""
        return (self.forces.sum(axis=0) @ self._side_matrix).tolist()

    def _apply_losses(self, loss: np.ndarray) -> tuple[float, float]:
        """Remove losses (places x sides) from each side's factions in proportion to their
        forces at the place; return the total lost by each side."""
        totals = self.forces @ self._side_matrix  # places x sides
        ratio = np.minimum(loss / np.maximum(totals, 1e-9), 1.0)
        taken = self.forces * ratio[:, self.faction_side]
        self.forces -= taken
        per_faction = taken.sum(axis=0)
        for f, lost in zip(self.factions, per_faction.tolist()):
            f.losses_today += lost
        by_side = per_faction @ self._side_matrix
        return float(by_side[0]), float(by_side[1])

    def _harm_civilians(self, intensity: float) -> None:
        """Civilian deaths grow with the population exposed to fighting (more in towns)."""
        mean = self.params["combat.civilian_harm"] * intensity * self._civilians_exposed
        self._today[_COL["civilian_deaths"]] = self.rng.poisson(mean)

    def _capture(self, air_gna: float, air_lna: float, own_g: np.ndarray,
                 own_l: np.ndarray, intensity: float) -> None:
        """Where defenders are weaker than the break ratio, they may break today and give way."""
        eff_gna, eff_lna = self._side_strengths(at_reach=True)
        p = self.params
        ratio, chance = p["combat.break_ratio"], p["combat.capture_rate"] * intensity
        strength = (eff_gna * air_gna * own_g, eff_lna * air_lna * own_l)
        pg, pl = self.pair_gna, self.pair_lna
        s_g, s_l = strength[0][pg], strength[1][pl]
        candidate = (self.rng.random(len(pg)) < chance) & ((s_l < ratio * s_g) | (s_g < ratio * s_l))
        for g, l in zip(pg[candidate].tolist(), pl[candidate].tolist()):
            if self.owner[l] == LNA_SIDE and strength[1][l] < ratio * strength[0][g]:
                self._take(l, by=GNA_SIDE, frm=g)
            elif self.owner[g] == GNA_SIDE and strength[0][g] < ratio * strength[1][l]:
                self._take(g, by=LNA_SIDE, frm=l)
            elif g == l and self.owner[g] == GNA_SIDE and strength[1][g] < ratio * strength[0][g]:
                self._retreat(g, LNA_SIDE)  # attackers in a held place break and pull out
            elif g == l and self.owner[g] == LNA_SIDE and strength[0][g] < ratio * strength[1][g]:
                self._retreat(g, GNA_SIDE)

    def _cols(self, side: int) -> list[int]:
        return [f.index for f in self.factions if f.side == side]

    def _take(self, place: int, by: int, frm: int) -> None:
        """`by` captures `place`; defenders fall back; attackers advance from `frm`."""
        loser = self.owner[place]
        if loser == by:
            return
        self._retreat(place, loser)
        if frm != place:
            moved = self.forces[frm, self._cols(by)] * self.params["combat.advance_share"]
            self.forces[frm, self._cols(by)] -= moved
            self.forces[place, self._cols(by)] += moved
        self.owner[place] = by
        for f in self.factions:
            if f.side == by:
                f.places_gained += 1
            elif f.side == loser:
                f.places_lost += 1
        self._pairs_dirty = True

    def _retreat(self, place: int, side: int) -> None:
        """Forces of `side` leave `place` for the nearest place their side holds (by road)."""
        cols = self._cols(side)
        leaving = self.forces[place, cols].copy()
        self.forces[place, cols] = 0.0
        held = np.flatnonzero((self.owner == side) & (np.arange(len(self.owner)) != place))
        if len(held):
            hops = self.hops[place, held]
            nearest = held[hops == hops.min()]
            target = nearest[np.argmax(self.forces[nearest][:, cols].sum(axis=1))]
            self.forces[target, cols] += leaving
        self._pairs_dirty = True

    def _threat_weights(self) -> np.ndarray:
        """Per place and faction: the share of that faction's reinforcements the place gets,
        in proportion to the enemy forces it faces (zero away from the fronts)."""
        if self._pairs_dirty:
            self._update_pairs()
        n = len(self.owner)
        if not len(self.pair_gna):
            return np.zeros_like(self.forces)
        facing = (self.forces @ self._side_matrix).ravel()[self._facing_index] + 1.0
        threat = np.bincount(self._loss_index, weights=facing, minlength=2 * n).reshape(n, 2)
        threat = threat[:, self.faction_side]
        return threat / threat.sum(axis=0)

    def _redeploy(self) -> None:
        """Rear forces above their garrison (a share a day) and new arrivals go to the fronts."""
        weights = self._threat_weights()
        movable = np.maximum(self.forces - self.garrison, 0.0)
        movable *= self._redeploy_rate  # zero at the fronts
        self.forces += weights * (movable.sum(axis=0) + self.arriving) - movable
        if not len(self.pair_gna):  # no front anywhere: new arrivals wait at home
            for f in self.factions:
                held = np.flatnonzero(self.owner == f.side)
                if self.arriving[f.index] > 0 and len(held):
                    hq = self.place_index[f.hq]
                    home = hq if self.owner[hq] == f.side else held[0]
                    self.forces[home, f.index] += self.arriving[f.index]
        self.arriving[:] = 0.0

    # ------------------------------------------------------------------ arms pipeline
    def send_delivery(self, backer: Backer, amount: float, arrival_day: int) -> None:
        self.arrivals[arrival_day].append((backer, amount))
        self.pending[backer.client.side] += amount

    def _deliver(self, day: int) -> None:
        for backer, amount in self.arrivals.pop(day, ()):
            backer.receive(amount)
            self.pending[backer.client.side] -= amount
            self._today[_COL["arms_delivered"]] += amount
        keep = 1.0 - self.params["combat.air_attrition"]
        self.air = [a * keep for a in self.air]
        self.delivered_month = [d * self.memory_keep for d in self.delivered_month]
        self.recent_loss_signal = [s * self.memory_keep for s in self.recent_loss_signal]

    # ------------------------------------------------------------------ truce and talks
    def _assess(self) -> None:
        """Each side's perceived advantage: its effective strength at the fronts (where it can
        bring it to bear, given the distance from its hubs), air power and arms en route."""
        if self._pairs_dirty:
            self._update_pairs()
        eff_gna, eff_lna = self._side_strengths(at_reach=True)
        if len(self.pair_gna):
            eff_gna, eff_lna = eff_gna[self.front[:, GNA_SIDE]], eff_lna[self.front[:, LNA_SIDE]]
        air_gna, air_lna = self._air_multipliers()
        s_gna = (eff_gna.sum() + self.pending[GNA_SIDE]) * air_gna
        s_lna = (eff_lna.sum() + self.pending[LNA_SIDE]) * air_lna
        total = s_gna + s_lna
        adv = (s_gna - s_lna) / total if total > 0 else 0.0
        self.advantage = [adv, -adv]
        hurting = min(self.recent_loss_signal) > self.params["mediation.hurting_losses"]
        even = abs(adv) < self.params["mediation.stalemate_advantage"]
        if not even:  # the balance shifted: whoever gains sees a reason to fight on
            self.stalemate_days = 0
        elif hurting:  # an even balance that hurts both (quiet days pause the count)
            self.stalemate_days += 1

    def _update_truce(self, day: int) -> None:
        """A truce collapses on sustained violations or a declaration; it may be re-declared."""
        p = self.params
        if self.truce == Truce.IN_FORCE:
            self.violation_window[day % len(self.violation_window)] = sum(
                f.violations_today for f in self.factions)
            declared = any(f.wants_truce_over() for f in self.factions)
            if declared or self.violation_window.sum() > p["truce.collapse_threshold"]:
                self.truce = Truce.COLLAPSED
                self.violation_window[:] = 0
                if self.truce_collapse_day is None:
                    self.truce_collapse_day = day
        elif self.truce == Truce.COLLAPSED:
            if self.random.random() < p["truce.redeclare_rate"] * self._mean_pressure():
                self.truce = Truce.IN_FORCE
                for f in self.factions:
                    f.remembered_violations = 0.0

    def _mean_pressure(self) -> float:
        return 0.5 * (self.pressure[0] + self.pressure[1])

    def _negotiate(self, day: int) -> None:
        """Mediators convene talks; a ripe stalemate during talks can end in a settlement."""
        p = self.params
        if self.truce == Truce.SETTLED:
            return
        pressure = self._mean_pressure()
        ripe = self.stalemate_days >= p["mediation.stalemate_days"]
        if self.talks_day is None and day >= self.conference_day and (
                self.truce == Truce.IN_FORCE or ripe):
            rate = (p["mediation.conference_talks_probability"] if day == self.conference_day
                    else p["mediation.talks_rate"])
            if self.random.random() < min(1.0, rate * pressure):
                self.talks_day = day
        elif self.talks_day is not None and ripe:
            if self.random.random() < p["mediation.settlement_rate"] * pressure:
                self.truce = Truce.SETTLED
                self.settlement_day = day

    # ------------------------------------------------------------------ records and outcomes
    def _record(self, day: int) -> None:
        """Write today's row of the daily series."""
        row = self._today
        category = np.where(self._contested(), 3, self.owner)
        row[0:4] = np.bincount(category, minlength=4) / len(category)
        row[4:8] = np.bincount(category, weights=self._population_share, minlength=4)
        row[8:11] = self.forces.sum(axis=0)
        row[11], row[12] = self.air
        row[_COL["truce_state"]] = int(self.truce)
        row[_COL["violations"]] = sum(row[_COL[c]] for c in VIOLATION_COLUMNS)
        row[_COL["conflict_deaths"]] = row[_COL["battle_deaths"]] + row[_COL["civilian_deaths"]]
        first_holder = _COL[f"holder_{self.place_keys[0]}"]
        row[first_holder:first_holder + len(category)] = category
        for f in self.factions:
            row[_COL[f"morale_{f.key}"]] = f.morale
        self.series[day] = row
        tripoli = self.place_index["tripoli"]
        if self.tripoli_fall_day is None and self.owner[tripoli] == LNA_SIDE:
            self.tripoli_fall_day = day
        if self.lna_withdraw_day is None and not self._lna_near_tripoli():
            self.lna_withdraw_day = day

    def _lna_near_tripoli(self) -> bool:
        near = self.near_tripoli
        return bool((self.owner[near] == LNA_SIDE).any()
                    or (self.forces[near, 2] > self.presence).any())

    def end_state(self) -> str:
        """The named end state at the current day (see END_STATES)."""
        if self.owner[self.place_index["tripoli"]] == LNA_SIDE:
            return "lna_takes_tripoli"
        if self.truce == Truce.SETTLED:
            return "negotiated_settlement"
        if not self._lna_near_tripoli():
            return "gna_pushes_back"
        if self.truce == Truce.IN_FORCE:
            return "truce_holds"
        return "frozen_front"

    def so_far(self, *columns: str) -> list[int]:
        """Totals of daily count columns from day 0 to today."""
        totals = self.series[: self.steps + 1, [_COL[c] for c in columns]].sum(axis=0)
        return [int(t) for t in totals]

    def outcomes(self) -> dict[str, Any]:
        """Per-run outcomes (brief, section 4) at the current day."""
        day = self.steps
        violations = self.so_far(*VIOLATION_COLUMNS)
        battle, civilian = self.so_far("battle_deaths", "civilian_deaths")
        start = self.truce_start_day
        declared = start is not None and start <= day
        collapse = self.truce_collapse_day
        return {
            "truce_declared": declared,
            "truce_start_day": start if declared else None,
            "truce_collapsed": collapse is not None,
            "truce_collapse_day": collapse,
            "truce_days": None if collapse is None or start is None else collapse - start,
            # 0.1: the first truce ends nominally when it collapses or a settlement supersedes it
            "truce_end_day": collapse if collapse is not None else (
                self.settlement_day if declared else None),
            "violations_total": sum(violations),
            "violations_gna": violations[0], "violations_wag": violations[1],
            "violations_lna": violations[2],
            "battle_deaths": battle,
            "civilian_deaths": civilian,
            "conflict_deaths": battle + civilian,
            "tripoli_fall_day": self.tripoli_fall_day,
            "lna_withdraw_day": self.lna_withdraw_day,
            "talks_day": self.talks_day,
            "settlement_day": self.settlement_day,
            "gna_population_share": float(self.series[day, _COL["population_gna"]]),
            "lna_population_share": float(self.series[day, _COL["population_lna"]]),
            "arms_delivered_total": float(sum(b.delivered for b in self.backers)),
            **{f"arms_delivered_{b.key}": float(b.delivered) for b in self.backers},
            "arms_interdicted_total": float(sum(b.interdicted for b in self.backers)),
            "foreign_fighters_gna_peak": 0.0,  # the 0.1 model has no separate foreign fighters
            "foreign_fighters_lna_peak": 0.0,
            "end_state": self.end_state(),
            "days": day,
            **{f"holder_{k}": h for k, h in zip(self.place_keys, self.place_holders())},
        }

    def _contested(self) -> np.ndarray:
        """Places held by a side where both sides have forces present."""
        by_side = self.forces @ self._side_matrix
        present = self.presence
        return (by_side[:, 0] > present) & (by_side[:, 1] > present) & (self.owner != NO_SIDE)

    def place_holders(self) -> list[str]:
        """Who holds each place now: "gna" (GNA side), "lna", "unaligned" or "contested"."""
        names = ("gna", "lna", "unaligned")
        return ["contested" if c else names[o]
                for o, c in zip(self.owner.tolist(), self._contested().tolist())]

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)


def simulate(scenario: Scenario, seed: int) -> tuple[dict[str, Any], np.ndarray]:
    """Run one replication to the horizon; return its outcomes and its daily series."""
    model = LibyaModel(scenario, rng=seed)
    while model.running:
        model.step()
    return model.outcomes(), model.series

