"""Oil and money: the LNA side can close the oil terminals it holds; the GNA's revenue falls,
its reserves run down and, with them, the salaries that keep its armed groups supplied and in
line. Lifting the blockade is a bargaining chip of the economic track (see mediation)."""

from __future__ import annotations

import numpy as np

from libyasim.model import dice
from libyasim.model.config import (
    BLOCKADE_ENABLED,
    BLOCKADE_RATE,
    BLOCKADE_REVENUE,
    LNA,
    MEDIATION_ACTIVE,
    OIL,
    RESERVE_DAYS,
    SALARY_WEIGHT,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.records import EV_BLOCKADE, EV_TERMINALS_REOPEN, log
from libyasim.model.state import (
    BLOCKADE,
    BLOCKADE_SETTLED,
    ECONOMY_DICE,
    FUNDS,
    PAY,
    SETTLED,
    TRUCE,
    State,
)


@njit
def update(P: Params, S: State, rng: np.random.Generator) -> None:
    """Impose or lift the blockade; move funds toward revenue; set the share of pay."""
    holds_oil = S.owner[int(P.x[OIL])] == LNA
    settled = S.i[TRUCE] == SETTLED
    if S.i[BLOCKADE] and (not holds_oil or settled):
        S.i[BLOCKADE] = 0
        log(S, EV_TERMINALS_REOPEN, 0, 0, 0)
    elif (not S.i[BLOCKADE] and P.x[BLOCKADE_ENABLED] and holds_oil and P.x[MEDIATION_ACTIVE]
          and not S.i[BLOCKADE_SETTLED] and not settled
          and dice.uniform(S, ECONOMY_DICE, rng) < P.x[BLOCKADE_RATE]):
        S.i[BLOCKADE] = 1
        log(S, EV_BLOCKADE, 0, 0, 0)
    revenue = P.x[BLOCKADE_REVENUE] if S.i[BLOCKADE] else 1.0
    S.f[FUNDS] += (revenue - S.f[FUNDS]) / P.x[RESERVE_DAYS]
    S.f[PAY] = 1.0 - P.x[SALARY_WEIGHT] * (1.0 - S.f[FUNDS])
