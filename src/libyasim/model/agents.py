"""Agents: the warring factions, their foreign backers and the mediators.

Each agent's variables live in the model's state arrays (the compiled day reads and writes
them there); the agents are their readable face: attributes are views on those arrays, verb
methods run the agent's own submodel for today, and `orders` (a human player's, in the
classroom game) replace the agent's own rule for that choice until cleared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa

from libyasim.model import arms, decisions, mediation, morale, truce
from libyasim.model.config import FACTION_SIDE
from libyasim.model.orders import encode
from libyasim.model.state import (
    CONSENTS,
    DELIVERED,
    ESCALATION_NOW,
    INTERDICTED,
    JOINS_TALKS,
    MORALE,
    OFFENSIVE_SINCE,
    ORIGIN,
    PERCEIVED,
    PROPENSITY,
    STANCE,
    STANCES,
    SUPPLY,
    TARGET,
)

if TYPE_CHECKING:
    from libyasim.model.config import BackerConfig, MediatorConfig
    from libyasim.model.model import LibyaModel


class Faction(mesa.Agent):
    """A warring faction: chooses each day its stance, its target and how far to keep a truce."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, index: int, key: str):
        super().__init__(model)
        self.key, self.index, self.side = key, index, FACTION_SIDE[index]
        self.command_control = model.cfg.forces.command_control[index]
        self.orders: dict[str, Any] = {}

    # the faction's variables, as the compiled day left them
    def _real(self, column: int) -> float:
        return float(self.model.S.faction[self.index, column])

    def _whole(self, column: int) -> int:
        return int(self.model.S.faction_i[self.index, column])

    morale = property(lambda self: self._real(MORALE))
    supply = property(lambda self: self._real(SUPPLY))
    perceived = property(lambda self: self._real(PERCEIVED))  # the other side's violations
    propensity = property(lambda self: self._real(PROPENSITY))  # daily chance of violating
    stance = property(lambda self: STANCES[self._whole(STANCE)])
    target = property(lambda self: self._whole(TARGET))  # place attacked, -1 for none
    origin = property(lambda self: self._whole(ORIGIN))
    offensive_since = property(lambda self: self._whole(OFFENSIVE_SINCE))
    consents = property(lambda self: bool(self._whole(CONSENTS)))  # to monitors watching it
    joins_talks = property(lambda self: bool(self._whole(JOINS_TALKS)))
    pay = property(lambda self: float(self.model.S.pay[self.index]))  # share of wages paid
    loyalty = property(lambda self: float(self.model.S.loyalty[self.index]))  # to its patron
    munitions = property(lambda self: float(self.model.S.munitions[self.side]))  # its side's

    # today's verbs (the model's day runs them in the ODD's order)
    def decide(self) -> None:
        """Stance, target, consent and violations (the decisions submodel)."""
        m = self.model
        decisions.decide(*m.kernel, m.rng, self.index)

    def remember(self, perceived_today: float) -> None:
        """Reciprocity with forgiveness (the truce submodel's memory)."""
        truce.remember(*self.model.kernel, self.index, perceived_today)

    def recover(self) -> None:
        """Supply, morale and erosion (the morale and supply submodel)."""
        morale.recover(*self.model.kernel, self.index)

    def give(self, orders: dict[str, Any]) -> None:
        """A player's orders, written where the compiled day reads them."""
        self.orders.update(orders)
        encode(self.key, self.orders, self.model.S)


class Backer(mesa.Agent):
    """A foreign state that sends fighters, materiel and drones to a client faction."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, index: int, cfg: BackerConfig):
        super().__init__(model)
        self.key, self.index, self.cfg = cfg.key, index, cfg
        self.side = cfg.side
        self.orders: dict[str, Any] = {}

    escalation = property(lambda self: float(self.model.S.backer_f[self.index, ESCALATION_NOW]))
    delivered = property(lambda self: float(self.model.S.backer_f[self.index, DELIVERED]))
    interdicted = property(lambda self: float(self.model.S.backer_f[self.index, INTERDICTED]))

    @property
    def active(self) -> bool:
        return self.cfg.enabled and self.model.steps >= self.cfg.start_day

    def rate(self, what: str) -> float:
        """The multiple of the usual rate ordered for fighters, materiel or drones."""
        return float(self.orders.get(what, 1.0))

    @property
    def lets_inspectors_in(self) -> bool:
        return bool(self.orders.get("inspectors", False))

    def escalate(self) -> None:
        """Send more when the client is losing fighters or places."""
        arms.escalate(*self.model.kernel, self.index)

    def give(self, orders: dict[str, Any]) -> None:
        self.orders.update(orders)
        encode(self.key, self.orders, self.model.S)


class Mediator(mesa.Agent):
    """A mediation process: presses the factions through their backers, convenes talks."""

    model: LibyaModel

    def __init__(self, model: LibyaModel, index: int, cfg: MediatorConfig):
        super().__init__(model)
        self.key, self.index, self.cfg = cfg.key, index, cfg
        self.orders: dict[str, Any] = {}

    leverage = property(lambda self: float(self.model.S.leverage[self.index]))

    def decay(self) -> None:
        """Leverage fades after the conference (attention moves on)."""
        mediation.decay(*self.model.kernel, self.index)

    def pressure_on(self, side: int) -> float:
        """Leverage over a side through the ties to its backers."""
        return float(mediation.pressure_on(*self.model.kernel, self.index, side))

    def give(self, orders: dict[str, Any]) -> None:
        self.orders.update(orders)
        encode(self.key, self.orders, self.model.S)

