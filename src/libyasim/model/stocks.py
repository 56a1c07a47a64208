"""Materiel as stocks (ODD 7.14): each side's munitions on hand, filled by the ground materiel
its backers deliver (`arms.deliver`) and emptied by fighting (`combat.fight`). Counted in days
of all-out fighting at the side's fronts, what it has on hand limits the fire it can sustain
(commanders ration a dwindling stock) and whether it can launch or carry on an offensive.
Drones and air defence are the air war's stocks (`air.duel`): delivered, shot down, worn out
and lost on sorties.

With `stocks.enabled` off, fire and offensives ignore munitions and all ground materiel tops up
supply (7.11), as in model 2.0.
"""

from __future__ import annotations

import math

from libyasim.model.config import (
    ENGAGED_SHARE,
    MUNITIONS_SHARE,
    MUNITIONS_USE,
    OFFENSIVE_STOCK_DAYS,
    RATION_DAYS,
    STOCKS_ENABLED,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.state import State

NO_FRONT_DAYS = 1e9  # days on hand of a side without fronts: nothing to spend them on


@njit
def front_strength(S: State, side: int) -> float:
    """The side's effective fighters at its front places (as of the last measure)."""
    out = 0.0
    for p in range(len(S.owner)):
        if S.front[side, p]:
            out += S.eff[side, p]
    return out


@njit
def demand(P: Params, S: State, side: int) -> float:
    """Munitions a day of all-out fighting at the side's fronts would spend:
    `stocks.munitions_use` x `combat.engaged_share` x its effective fighters there."""
    return P.x[MUNITIONS_USE] * P.x[ENGAGED_SHARE] * front_strength(S, side)


@njit
def days_on_hand(P: Params, S: State, side: int) -> float:
    """The side's munitions in days of all-out fighting at its fronts."""
    need = demand(P, S, side)
    return S.munitions[side] / need if need > 0.0 else NO_FRONT_DAYS


@njit
def sustainable(P: Params, S: State, side: int) -> float:
    """Share of its full fire the side can sustain: 1 - exp(-days on hand /
    `stocks.ration_days`), 0 with empty depots, near 1 with weeks in hand (1 when stocks are
    off)."""
    if P.x[STOCKS_ENABLED] == 0.0:
        return 1.0
    return 1.0 - math.exp(-days_on_hand(P, S, side) / P.x[RATION_DAYS])


@njit
def can_attack(P: Params, S: State, side: int) -> bool:
    """The side has the munitions an offensive needs: `stocks.offensive_days` of all-out
    fighting on hand, and something on hand at all."""
    if P.x[STOCKS_ENABLED] == 0.0:
        return True
    return S.munitions[side] > 0.0 and days_on_hand(P, S, side) >= P.x[OFFENSIVE_STOCK_DAYS]


@njit
def set_up(P: Params, S: State) -> None:
    """Day 0: each side's munitions, `stocks.<side>.munitions_days` of all-out fighting at its
    day-0 fronts (after the forces are placed and measured)."""
    for side in range(2):
        S.munitions[side] = P.munitions_days0[side] * demand(P, S, side)


@njit
def stock_up(P: Params, S: State, side: int, ground: float) -> float:
    """Ground materiel delivered to a side: its munitions share (`stocks.munitions_share`) goes
    to the stock. Returns the rest, which tops up supply."""
    if P.x[STOCKS_ENABLED] == 0.0:
        return ground
    munitions = ground * P.x[MUNITIONS_SHARE]
    S.munitions[side] += munitions
    return ground - munitions


@njit
def spend(P: Params, S: State, side: int, engaged: float, sustained: float) -> None:
    """A day's fighting: `engaged` is the sum over the side's engagements of intensity x its
    effective fighters there, of which it could sustain the share `sustained`. Notes how hard
    the side fought (its mean intensity, for drone sorties) and spends its munitions, never
    more than it has."""
    front = front_strength(S, side)
    S.fighting[side] = engaged / front if front > 0.0 else 0.0
    if P.x[STOCKS_ENABLED] == 0.0:
        return
    used = P.x[MUNITIONS_USE] * P.x[ENGAGED_SHARE] * engaged * sustained
    S.munitions[side] = max(0.0, S.munitions[side] - used)
