"""Agents: the warring factions, their foreign backers and the mediators.

Each agent has small verb methods that the model calls in a fixed daily order. Place-level
state (forces per place and faction, who holds what) lives in the model's arrays so that
combat can be computed for all fronts at once.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

if TYPE_CHECKING:
    from libyasim.model import LibyaModel

GNA_SIDE, LNA_SIDE, NO_SIDE = 0, 1, 2


class Faction(mesa.discrete_space.CellAgent):
    """A warring faction: decides each day how far to keep the truce; keeps morale and supply."""

    def __init__(self, model: LibyaModel, key: str, index: int, side: int, hq: str):
        super().__init__(model)
        self.key, self.index, self.side, self.hq = key, index, side, hq
        p = model.params
        self.command_control: float = p[f"forces.{key}.command_control"]
        self.morale = 1.0
        self.supply = p["supply.base"]
        self.remembered_violations = 0.0  # the other side's, with forgiveness
        self.violation_probability = 0.0
        self.violations_today = 0
        self.losses_today = 0.0
        self.places_gained = 0
        self.places_lost = 0
        self.cell = model.grid[model.place_index[hq]]

    @property
    def fighters(self) -> float:
        return float(self.model.forces[:, self.index].sum())

    @property
    def strength_factor(self) -> float:
        """How much of its nominal strength a faction brings: morale times supply."""
        return self.morale * self.supply

    def decide_compliance(self) -> None:
        """Choose today's violations of a truce in force (leadership plus uncontrolled units)."""
        m, p = self.model, self.model.params
        logit = (p["truce.base_logit"]
                 + p["truce.advantage_weight"] * m.advantage[self.side]
                 + p["truce.reciprocity_weight"] * self.remembered_violations
                 - p["mediation.violation_cost"] * m.pressure[self.side]
                 - (p["truce.monitoring_effect"] if p["truce.monitoring"] else 0.0))
        prob = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))  # clipped: no overflow
        self.violation_probability = prob
        cc = self.command_control
        rate = p["truce.violations_per_day_max"] * (
            cc * prob + (1.0 - cc) * max(prob, p["truce.spoiler_rate"]))
        self.violations_today = int(m.rng.poisson(rate))

    def wants_truce_over(self) -> bool:
        """The leadership declares the truce over when it would rather fight."""
        return self.violation_probability > self.model.params["truce.declare_over_probability"]

    def remember(self, other_side_violations: int) -> None:
        """Reciprocity with forgiveness: remembered violations decay and add up."""
        keep = 1.0 - self.model.params["truce.forgiveness"]
        self.remembered_violations = self.remembered_violations * keep + other_side_violations

    def resupply(self, side_fighters: float) -> None:
        """Supply moves toward what depots and recent deliveries can sustain."""
        p = self.model.params
        target = min(1.0, p["supply.base"] + p["supply.delivery_weight"]
                     * self.model.delivered_month[self.side] / max(side_fighters, 1.0)
                     / p["memory.days"])
        self.supply += p["supply.adjust_rate"] * (target - self.supply)

    def update_morale(self) -> None:
        """Losses and lost places lower morale, captures raise it; it recovers slowly."""
        p = self.model.params
        fighters = max(self.fighters, 1.0)
        self.morale += (p["morale.capture_gain"] * self.places_gained
                        - p["morale.loss_per_place"] * self.places_lost
                        - p["morale.casualty_sensitivity"] * self.losses_today / fighters
                        + p["morale.recovery"] * (1.0 - self.morale))
        self.morale = min(p["morale.ceiling"], max(p["morale.floor"], self.morale))
        self.places_gained = self.places_lost = 0
        self.losses_today = 0.0

    def erode(self) -> None:
        """Forces without supply or morale melt away (desertion, breakdown)."""
        p = self.model.params
        rate = (p["supply.erosion"] * (1.0 - self.supply)
                + p["morale.desertion"] * max(0.0, p["morale.desertion_threshold"] - self.morale))
        if rate > 0:
            self.model.forces[:, self.index] *= 1.0 - min(rate, 1.0)


class Backer(mesa.Agent):
    """A foreign state that ships fighters and materiel to a client faction."""

    def __init__(self, model: LibyaModel, key: str, client: Faction):
        super().__init__(model)
        p = model.params
        self.key, self.client = key, client
        self.enabled: bool = p[f"arms.{key}.enabled"]
        self.start_day: int = (p[f"arms.{key}.start"] - model.start_date).days
        self.monthly_volume: float = p[f"arms.{key}.volume"]
        self.air_share: float = p[f"arms.{key}.air_share"]
        self.delivered = 0.0  # arrived with the client, fighter-equivalents
        self.interdicted = 0.0
        self.escalation = 1.0

    def escalate(self) -> None:
        """Ship more when the client is losing fighters or places."""
        p = self.model.params
        signal = self.model.recent_loss_signal[self.client.side]
        self.escalation = min(p["arms.escalation_cap"], 1.0 + p["arms.escalation"] * signal)

    def ship(self, day: int) -> None:
        """Send today's shipments; the embargo stops some; the rest arrive after the delay."""
        if not self.enabled or day < self.start_day:
            return
        m, p = self.model, self.model.params
        size = p["arms.shipment_size"]
        sent = m.rng.poisson(self.monthly_volume * self.escalation / 30.0 / size)
        if sent == 0:
            return
        stopped = m.rng.binomial(sent, p["arms.embargo_enforcement"])
        self.interdicted += stopped * size
        if sent > stopped:
            m.send_delivery(self, (sent - stopped) * size, day + m.delivery_delay)

    def receive(self, amount: float) -> None:
        """Delivered materiel reaches the client: ground forces at its fronts, air to its side."""
        self.delivered += amount
        air = amount * self.air_share
        self.model.air[self.client.side] += air
        self.model.arriving[self.client.index] += amount - air
        self.model.delivered_month[self.client.side] += amount - air


class Mediator(mesa.Agent):
    """A mediation process: presses the factions through their backers, convenes talks."""

    def __init__(self, model: LibyaModel, key: str):
        super().__init__(model)
        p = model.params
        self.key = key
        self.enabled: bool = p[f"mediation.{key}.enabled"]
        self.leverage: float = p[f"mediation.{key}.leverage"] if self.enabled else 0.0
        self.ties = {b: p[f"mediation.{key}.tie.{b}"] for b in model.backer_keys}

    def pressure_on(self, side: int) -> float:
        """Leverage over a side, through the ties to that side's backers (weighted by volume)."""
        backers = [b for b in self.model.backers if b.client.side == side]
        total = sum(b.monthly_volume for b in backers)
        if total <= 0:
            return self.leverage * float(np.mean([self.ties[b.key] for b in backers] or [0.0]))
        return self.leverage * sum(self.ties[b.key] * b.monthly_volume for b in backers) / total
