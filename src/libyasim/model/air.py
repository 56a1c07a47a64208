"""The air war: drones against air defence. Each side's drones are shot down by the other's
air defence, and hunt it in turn; drones flying sorties over fighting fronts are lost in
proportion to how hard the side fought (`air.sortie_loss`); the surviving, unopposed drone
power gives each side its share of air superiority, which multiplies strength and decides who
can advance."""

from __future__ import annotations

import numpy as np

from libyasim.model.config import (
    AIR_WEAR,
    COVERAGE_HALF,
    GNA,
    SHOOTDOWN_RATE,
    SORTIE_LOSS,
    SUPPRESSION_RATE,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.records import EV_AIR_GNA, EV_AIR_LNA, log
from libyasim.model.state import State

SUPERIORITY = 0.6  # a side with this share of the sky "has" air superiority (events only)


@njit
def duel(P: Params, S: State) -> None:
    """One day of the air war."""
    half, wear = P.x[COVERAGE_HALF], P.x[AIR_WEAR]
    cover_ad = S.air_defence / (S.air_defence + half)  # each side's cover against drones
    cover_dr = S.drones / (S.drones + half)
    drones = np.empty(2)
    defence = np.empty(2)
    for i in range(2):
        drones[i] = S.drones[i] * (1.0 - wear - P.x[SHOOTDOWN_RATE] * cover_ad[1 - i]
                                   - P.x[SORTIE_LOSS] * S.fighting[i])
        defence[i] = S.air_defence[i] * (1.0 - wear - P.x[SUPPRESSION_RATE] * cover_dr[1 - i])
    for i in range(2):
        S.drones[i] = max(0.0, drones[i])
        S.air_defence[i] = max(0.0, defence[i])
    free_g = S.drones[0] * (1.0 - cover_ad[1])
    free_l = S.drones[1] * (1.0 - cover_ad[0])
    both = free_g + free_l
    before = S.air_share[GNA]
    share = free_g / both if both > 0.0 else 0.5
    S.air_share[0], S.air_share[1] = share, 1.0 - share
    if before < SUPERIORITY <= share:
        log(S, EV_AIR_GNA, 0, 0, 0)
    elif before > 1.0 - SUPERIORITY >= share:
        log(S, EV_AIR_LNA, 0, 0, 0)
