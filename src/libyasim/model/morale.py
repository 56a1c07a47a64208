"""Morale and supply: each faction's supply moves toward what depots and deliveries sustain;
losses and lost places lower morale, captures raise it, and it recovers slowly; the strength a
faction commits to the fight is its morale x supply x the share its wages keep loyal (see
`economy`); forces without supply, morale or pay melt away (desertion, breakdown, going
home)."""

from __future__ import annotations

from libyasim.model import economy
from libyasim.model.combat import side_total
from libyasim.model.config import (
    ADJUST_RATE,
    AIR_INTERDICTION,
    CAPTURE_GAIN,
    CASUALTY_SENSITIVITY,
    DELIVERY_WEIGHT,
    DESERTION,
    DESERTION_THRESHOLD,
    EROSION,
    LOSS_PER_PLACE,
    MEMORY_DAYS,
    MORALE_CEILING,
    MORALE_FLOOR,
    RECOVERY,
    SUPPLY_BASE,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.state import MORALE, SUPPLY, State


@njit
def update(P: Params, S: State) -> None:
    """Resupply, then morale, then erosion, for every faction in turn."""
    for f in range(3):
        recover(P, S, f)


@njit
def recover(P: Params, S: State, f: int) -> None:
    """One faction's day: supply, morale and erosion."""
    side = P.faction_side[f]
    # supply
    target = min(1.0, P.x[SUPPLY_BASE] + P.x[DELIVERY_WEIGHT] * S.delivered_month[side]
                 / max(side_total(P, S, side), 1.0) / P.x[MEMORY_DAYS])
    supply = S.faction[f, SUPPLY] + P.x[ADJUST_RATE] * (target - S.faction[f, SUPPLY])
    S.faction[f, SUPPLY] = supply
    # morale
    old = S.faction[f, MORALE]
    morale = old + (P.x[CAPTURE_GAIN] * S.gained[f] - P.x[LOSS_PER_PLACE] * S.lost[f]
                    - P.x[CASUALTY_SENSITIVITY] * S.losses[f] / max(S.totals[f], 1.0)
                    + P.x[RECOVERY] * (1.0 - old))
    morale = min(P.x[MORALE_CEILING], max(P.x[MORALE_FLOOR], morale))
    S.faction[f, MORALE] = morale
    S.gained[f] = S.lost[f] = 0
    S.factor[f] = (morale * supply * (1.0 - P.x[AIR_INTERDICTION] * S.air_share[1 - side])
                   * economy.committed(P, S, f))
    # erosion
    rate = (P.x[EROSION] * (1.0 - supply)
            + P.x[DESERTION] * max(0.0, P.x[DESERTION_THRESHOLD] - morale)
            + economy.leaving(P, S, f))
    if rate > 0.0:
        keep = 1.0 - min(rate, 1.0)
        S.forces[f] *= keep
        S.reserve[f] *= keep
