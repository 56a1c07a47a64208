"""Arms and the embargo: materiel (ground supplies, drones, air defence) shipped by sea, by the
air bridge or over land; each route is enforced separately; deliveries arrive after a delay."""

from __future__ import annotations

import math

from libyasim.model.agents import Backer
from libyasim.model.config import Config
from libyasim.model.state import State


def interdiction(cfg: Config, backer: Backer, route: int) -> float:
    """Chance that a shipment of this backer on this route is stopped: the embargo's general
    enforcement plus the route's own, of which only a part works without the backer's consent
    to inspections."""
    a = cfg.arms
    extra = a.route_enforcement[route] * (1.0 if backer.lets_inspectors_in else a.without_consent)
    return 1.0 - (1.0 - a.enforcement) * (1.0 - extra)


def ship(s: State, cfg: Config, backers: list[Backer], day: int | None = None) -> None:
    """Today's shipments of `arms.shipment_size`, by backer and route, at the backer's ordered
    rates and its escalation (more when its client is losing). Shipments on each route form a
    Poisson process: a route's clock runs down by the day's expected count and a shipment
    leaves each time it reaches zero (then it is wound up by an exponential draw)."""
    a = cfg.arms
    day = s.day if day is None else day
    for b in backers:
        c = b.cfg
        if not c.enabled or day < c.start_day or c.daily <= 0.0:
            continue
        b.escalate()
        orders = b.orders
        drones, materiel = orders.get("drones", 1.0), orders.get("materiel", 1.0)
        mix = c.drone_share * drones + (1.0 - c.drone_share) * materiel
        if mix <= 0.0:
            continue
        dice = s.dice.arms[b.index]
        if not b.clocks:
            b.clocks = [-math.log(1.0 - dice.uniform()) for _ in c.lanes]
        mean = c.daily * mix * b.escalation / a.shipment_size
        sent = 0.0
        for k, (route, share) in enumerate(c.lanes):
            clock = b.clocks[k] - mean * share
            n = 0
            while clock <= 0.0:
                n += 1
                clock -= math.log(1.0 - dice.uniform())
            b.clocks[k] = clock
            if n == 0:
                continue
            p = interdiction(cfg, b, route)
            stopped = sum([dice.uniform() < p for _ in range(n)]) if p > 0.0 else 0
            b.interdicted += stopped * a.shipment_size
            sent += (n - stopped) * a.shipment_size
        if sent > 0.0:
            s.in_transit.setdefault(day + a.delay, []).append((b.index, sent, drones / mix))
            s.pending[c.side] += sent


def deliver(s: State, cfg: Config, backers: list[Backer]) -> None:
    """Shipments due today reach the client: drones and air defence to its side's air war,
    ground materiel to its supplies."""
    keep = cfg.morale.memory_keep
    s.delivered_month = [x * keep for x in s.delivered_month]
    for index, amount, drone_boost in s.in_transit.pop(s.day, ()):
        b = backers[index]
        c = b.cfg
        b.delivered += amount
        s.arms_delivered += amount
        s.pending[c.side] -= amount
        drones = amount * c.drone_share * drone_boost
        air_defence = amount * c.air_defence_share
        s.drones[c.side] += drones
        s.air_defence[c.side] += air_defence
        s.delivered_month[c.side] += max(0.0, amount - drones - air_defence)
