"""Arms and the embargo: materiel (ground supplies and munitions, drones, air defence) shipped
by sea, by the air bridge or over land; each route is enforced separately; deliveries arrive
after a delay. Backers send more when their client is losing (escalation), and keep delivering
while a truce holds unless `arms.rearm_during_truce` is off."""

from __future__ import annotations

import math

import numpy as np

from libyasim.model import dice, stocks
from libyasim.model.config import (
    B_AIR_DEFENCE_SHARE,
    B_DAILY,
    B_DRONE_SHARE,
    DELAY,
    ENFORCEMENT,
    ESCALATION,
    ESCALATION_CAP,
    MEMORY_KEEP,
    REARM_DURING_TRUCE,
    SHIPMENT_SIZE,
    WITHOUT_CONSENT,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.state import (
    ARMS_DELIVERED,
    ARMS_DICE,
    DAY,
    DELIVERED,
    ESCALATION_NOW,
    HOLDING,
    INTERDICTED,
    ORDER_DRONES,
    ORDER_INSPECTORS,
    ORDER_MATERIEL,
    TRUCE,
    State,
)


@njit
def interdiction(P: Params, S: State, backer: int, route: int) -> float:
    """Chance that a shipment of this backer on this route is stopped: the embargo's general
    enforcement plus the route's own, of which only a part works without the backer's consent
    to inspections."""
    consent = 1.0 if S.backer_orders[backer, ORDER_INSPECTORS] != 0.0 else P.x[WITHOUT_CONSENT]
    extra = P.route_enforcement[route] * consent
    return 1.0 - (1.0 - P.x[ENFORCEMENT]) * (1.0 - extra)


@njit
def stopped_share(P: Params, S: State, backer: int) -> float:
    """The share of a backer's flights and ships that the embargo stops, over the routes it
    uses (foreign fighters travel the same routes as its materiel)."""
    stopped = 0.0
    for k in range(P.lane_route.shape[1]):
        route = P.lane_route[backer, k]
        if route >= 0:
            stopped += P.lane_share[backer, k] * interdiction(P, S, backer, route)
    return stopped


@njit
def paused(P: Params, S: State) -> bool:
    """Backers hold back materiel and fighters while a truce holds (only with
    `arms.rearm_during_truce` off: by default they rearm their clients during the pause)."""
    return P.x[REARM_DURING_TRUCE] == 0.0 and S.i[TRUCE] == HOLDING


@njit
def escalate(P: Params, S: State, backer: int) -> None:
    """A backer sends more when its client is losing fighters or places."""
    signal = S.loss_signal[P.backer_side[backer]]
    S.backer_f[backer, ESCALATION_NOW] = min(P.x[ESCALATION_CAP], 1.0 + P.x[ESCALATION] * signal)


@njit
def ship(P: Params, S: State, rng: np.random.Generator, day: int) -> None:
    """The day's shipments of `arms.shipment_size`, by backer and route, at the backer's ordered
    rates and its escalation. Shipments on each route form a Poisson process: a route's clock
    runs down by the day's expected count and a shipment leaves each time it reaches zero (then
    it is wound up by an exponential draw). Nothing leaves while backers pause (`paused`)."""
    if paused(P, S):
        return
    size = P.x[SHIPMENT_SIZE]
    for b in range(len(P.backer_enabled)):
        daily = P.backer[b, B_DAILY]
        if not P.backer_enabled[b] or day < P.backer_start[b] or daily <= 0.0:
            continue
        escalate(P, S, b)
        drones, materiel = S.backer_orders[b, ORDER_DRONES], S.backer_orders[b, ORDER_MATERIEL]
        share = P.backer[b, B_DRONE_SHARE]
        mix = share * drones + (1.0 - share) * materiel
        if mix <= 0.0:
            continue
        stream = ARMS_DICE + b
        lanes = P.lane_route[b]
        if not S.clocks_set[b]:
            S.clocks_set[b] = True
            for k in range(len(lanes)):
                if lanes[k] >= 0:
                    S.clocks[b, k] = -math.log(1.0 - dice.uniform(S, stream, rng))
        mean = daily * mix * S.backer_f[b, ESCALATION_NOW] / size
        sent = 0.0
        for k in range(len(lanes)):
            if lanes[k] < 0:
                continue
            clock = S.clocks[b, k] - mean * P.lane_share[b, k]
            n = 0
            while clock <= 0.0:
                n += 1
                clock -= math.log(1.0 - dice.uniform(S, stream, rng))
            S.clocks[b, k] = clock
            if n == 0:
                continue
            p = interdiction(P, S, b, lanes[k])
            stopped = 0
            if p > 0.0:
                for _ in range(n):
                    stopped += dice.uniform(S, stream, rng) < p
            S.backer_f[b, INTERDICTED] += stopped * size
            sent += (n - stopped) * size
        if sent > 0.0:
            arrival = day + int(P.x[DELAY]) - 1  # row 0 is the earliest arrival, day 1
            S.transit[arrival, b] = sent
            S.transit_boost[arrival, b] = drones / mix
            S.pending[P.backer_side[b]] += sent


@njit
def deliver(P: Params, S: State) -> None:
    """Shipments due today reach the client: drones and air defence to its side's air war,
    ground materiel to its munitions stock and its supplies (`stocks.stock_up`)."""
    keep = P.x[MEMORY_KEEP]
    S.delivered_month[0] *= keep
    S.delivered_month[1] *= keep
    row = S.i[DAY] - 1
    if row < 0:
        return
    for b in range(len(P.backer_enabled)):
        amount = S.transit[row, b]
        if amount <= 0.0:
            continue
        side = P.backer_side[b]
        S.backer_f[b, DELIVERED] += amount
        S.f[ARMS_DELIVERED] += amount
        S.pending[side] -= amount
        drones = amount * P.backer[b, B_DRONE_SHARE] * S.transit_boost[row, b]
        air_defence = amount * P.backer[b, B_AIR_DEFENCE_SHARE]
        S.drones[side] += drones
        S.air_defence[side] += air_defence
        S.delivered_month[side] += stocks.stock_up(P, S, side,
                                                   max(0.0, amount - drones - air_defence))
