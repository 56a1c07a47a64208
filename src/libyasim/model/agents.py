"""Agents: the warring factions, their foreign backers and the mediators.

Each agent owns its decisions and memories and has small verb methods; the model drives them
in a fixed order (`model.faction_list`, the order of Mesa's AgentSet `model.factions`).
Place-level quantities (forces by place, holders, air power by side) live in the shared
`State`. Orders given by human players (the classroom game) replace an agent's own rule for
that choice until they are cleared.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa

from libyasim.model.config import (
    FACTION_SIDE,
    GNA,
    LNA,
    BackerConfig,
    MediatorConfig,
    sigmoid,
)
from libyasim.model.state import Truce

if TYPE_CHECKING:
    from libyasim.model.model import LibyaModel



class Faction(mesa.Agent):
    """A warring faction: chooses each day its stance, its target and how far to keep a truce."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, index: int, key: str):
        super().__init__(model)
        cfg = model.cfg
        self.key, self.index, self.side = key, index, FACTION_SIDE[index]
        self.command_control = cfg.forces.command_control[index]
        self.morale = 1.0
        self.supply = cfg.morale.supply_base
        self.perceived = 0.0  # the other side's violations as this faction perceives them
        self.propensity = 0.0  # the leadership's daily chance of violating a truce
        self.stance = "reciprocate"
        self.target = -1  # place under attack (offensive), -1 for none
        self.origin = -1
        self.offensive_since = -1  # day the current offensive began (or last took a place)
        self.consents = True  # to monitors watching it
        self.joins_talks = True
        self.orders: dict[str, Any] = {}

    # ---------------------------------------------------------------- daily decisions
    def decide(self) -> None:
        """Stance (hold, reciprocate, limited, offensive), target, consent and violations."""
        s, cfg = self.model.state, self.model.cfg
        truce = s.truce
        if truce == Truce.SETTLED:
            self.stance, self.target, self.propensity = "hold", -1, 0.0
            return
        t, side = cfg.truce, self.side
        logit = (t.base_logit + t.advantage_weight * s.projected[side]
                 + t.reciprocity_weight * self.perceived
                 - cfg.mediation.violation_cost * s.pressure[side]
                 - t.attribution_cost * s.attribution[self.index])
        self.propensity = p = sigmoid(logit)
        at_war = truce == Truce.NONE or truce == Truce.BROKEN
        orders = self.orders
        order = orders.get("stance") if orders else None
        if order is None:
            if at_war or p > t.declare_over_probability:
                self._choose_offensive()
            else:
                self._stand_down("reciprocate")
        elif order == "offensive":
            self._choose_offensive(forced=True)
        else:
            self._stand_down(order)
        if orders:
            self.consents = orders.get("monitors", self.stance != "offensive")
            self.joins_talks = orders.get("talks", True)
        else:
            self.consents, self.joins_talks = self.stance != "offensive", True
        if truce != Truce.NONE:  # holding or broken: in force nominally
            self._violate(p)

    def _stand_down(self, stance: str) -> None:
        self.stance, self.target, self.origin = stance, -1, -1

    def _choose_offensive(self, forced: bool = False) -> None:
        """Keep attacking while the local odds hold; else pick the best target, if any is good
        enough (`combat.attack_ratio`) and the skies allow an advance (`air.advance_share`).
        At war without such odds, a side raids where its odds are fair (`combat.limited_ratio`)."""
        m = self.model
        c = m.cfg.combat
        wanted = self.orders.get("target") or ""
        best, best_ratio, origin = -1, 0.0, -1
        day = m.state.day
        going = self.stance == "offensive" and day - self.offensive_since < c.offensive_days
        for ratio, target, start in m.targets(self.side):
            if wanted and m.place_keys[target] != wanted:
                continue
            if going and target == self.target:
                ratio /= c.culmination_share  # an offensive under way keeps going a while
            if ratio > best_ratio:
                best, best_ratio, origin = target, ratio, start
        can_advance = m.state.air_share[self.side] >= m.cfg.air.advance_share
        if best >= 0 and (forced or (can_advance and best_ratio >= c.attack_ratio)):
            if not (going and best == self.target):
                self.offensive_since = day
                m.state.log("offensive", f"The {m.side_name(self.side)} launches an offensive "
                            f"on {m.place_name(best)}.", self.key, m.place_keys[best])
            self.stance, self.target, self.origin = "offensive", best, origin
        elif (m.state.at_war() and best_ratio >= c.limited_ratio
              and self.propensity >= c.raid_propensity):
            self.stance, self.target, self.origin = "limited", best, origin
        else:
            self._stand_down("reciprocate")

    def _violate(self, p: float) -> None:
        """Today's violations: the leadership's by stance, plus units outside its control."""
        t = self.model.cfg.truce
        lead = p if self.stance == "reciprocate" else _LEAD[self.stance]
        s = self.model.state
        cc = self.command_control * (s.pay if self.side == GNA else 1.0)
        ordered = s.dice.decide.poisson(t.violations_per_day_max * cc * lead)
        rogue = s.dice.decide.poisson(t.violations_per_day_max * (1.0 - cc) * max(lead, t.spoiler_rate))
        s.violations[self.index] = ordered + rogue
        s.rogue[self.index] = rogue

    def remember(self, perceived_today: float) -> None:
        """Reciprocity with forgiveness: the other side's recent violations a day, as an
        average in which each day's weight fades by `truce.forgiveness`."""
        f = self.model.cfg.truce.forgiveness
        self.perceived += f * (perceived_today - self.perceived)

    # ---------------------------------------------------------------- morale and supply
    def recover(self) -> None:
        """The day's supply, morale and erosion (the morale and supply submodel): supply moves
        toward what depots, recent deliveries and paid salaries sustain; losses and lost places
        lower morale, captures raise it, and it recovers slowly; forces without supply or
        morale melt away (desertion, breakdown)."""
        s, cfg = self.model.state, self.model.cfg
        m, i, side = cfg.morale, self.index, self.side
        # supply
        target = min(1.0, m.supply_base + m.delivery_weight * s.delivered_month[side]
                     / max(s.side_total(side), 1.0) / m.memory_days)
        if side == GNA:
            target *= s.pay
        supply = self.supply = self.supply + m.adjust_rate * (target - self.supply)
        # morale
        old = self.morale
        morale = old + (m.capture_gain * s.gained[i] - m.loss_per_place * s.lost[i]
                        - m.casualty_sensitivity * s.losses[i] / max(s.totals[i], 1.0)
                        + m.recovery * (1.0 - old))
        morale = self.morale = min(m.ceiling, max(m.floor, morale))
        s.gained[i] = s.lost[i] = 0
        s.factor[i] = morale * supply * (1.0 - cfg.air.interdiction * s.air_share[1 - side])
        # erosion
        rate = m.erosion * (1.0 - supply) + m.desertion * max(0.0, m.desertion_threshold - morale)
        if rate > 0.0:
            keep = 1.0 - min(rate, 1.0)
            s.forces[i] = [x * keep for x in s.forces[i]]
            s.reserve[i] *= keep


class Backer(mesa.Agent):
    """A foreign state that sends fighters, materiel and drones to a client faction."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, index: int, cfg: BackerConfig):
        super().__init__(model)
        self.key, self.index, self.cfg = cfg.key, index, cfg
        self.side = cfg.side
        self.escalation = 1.0
        self.clocks: list[float] = []  # per route: expected shipments until the next one
        self.delivered = 0.0  # arrived with the client, fighter-equivalents
        self.interdicted = 0.0
        self.orders: dict[str, Any] = {}

    @property
    def active(self) -> bool:
        return self.cfg.enabled and self.model.state.day >= self.cfg.start_day

    def rate(self, what: str) -> float:
        """The multiple of the usual rate ordered for fighters, materiel or drones."""
        return float(self.orders.get(what, 1.0))

    @property
    def lets_inspectors_in(self) -> bool:
        return bool(self.orders.get("inspectors", False))

    def escalate(self) -> None:
        """Send more when the client is losing fighters or places."""
        a = self.model.cfg.arms
        signal = self.model.state.loss_signal[self.side]
        self.escalation = min(a.escalation_cap, 1.0 + a.escalation * signal)


class Mediator(mesa.Agent):
    """A mediation process: presses the factions through their backers, convenes talks."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, cfg: MediatorConfig):
        super().__init__(model)
        self.key, self.cfg = cfg.key, cfg
        self.leverage = cfg.leverage
        self.orders: dict[str, Any] = {}
        self._keep = math.exp(-model.cfg.mediation.leverage_decay)
        self._tie_key: str | None = None
        self._tie = (0.0, 0.0)

    def decay(self) -> None:
        """Leverage fades after the conference (attention moves on)."""
        cfg = self.model.cfg.mediation
        if self.model.state.day > cfg.conference_day:
            self.leverage *= self._keep

    def pressure_on(self, side: int) -> float:
        """Leverage over a side through the ties to its backers, weighted by their volumes; a
        mediator that presses a backer doubles its tie to it."""
        pressed = self.orders.get("press", "")
        if self._tie_key != pressed:
            self._tie_key, self._tie = pressed, (self._ties(GNA, pressed), self._ties(LNA, pressed))
        return self.leverage * self._tie[side]

    def _ties(self, side: int, pressed: str) -> float:
        weights = ties = 0.0
        for backer in self.model.backer_list:
            if backer.side != side:
                continue
            tie = self.cfg.ties[backer.index] * (2.0 if backer.key == pressed else 1.0)
            weight = backer.cfg.daily or 1e-9
            ties += min(1.0, tie) * weight
            weights += weight
        return ties / weights if weights else 0.0


_LEAD = {"hold": 0.0, "limited": 1.0, "offensive": 1.0}  # the leadership's violations by stance
