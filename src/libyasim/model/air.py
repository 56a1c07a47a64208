"""The air war: drones against air defence. Each side's drones are shot down by the other's
air defence, and hunt it in turn; the surviving, unopposed drone power gives each side its
share of air superiority, which multiplies strength and decides who can advance."""

from __future__ import annotations

from libyasim.model.config import GNA, Config
from libyasim.model.state import State

SUPERIORITY = 0.6  # a side with this share of the sky "has" air superiority (events only)


def duel(s: State, cfg: Config) -> None:
    """One day of the air war."""
    a = cfg.air
    half = a.coverage_half
    cover_ad = [x / (x + half) for x in s.air_defence]
    cover_dr = [x / (x + half) for x in s.drones]
    drones = [s.drones[i] * (1.0 - a.wear - a.shootdown_rate * cover_ad[1 - i]) for i in (0, 1)]
    defence = [s.air_defence[i] * (1.0 - a.wear - a.suppression_rate * cover_dr[1 - i])
               for i in (0, 1)]
    s.drones = [max(0.0, x) for x in drones]
    s.air_defence = [max(0.0, x) for x in defence]
    free = [s.drones[i] * (1.0 - cover_ad[1 - i]) for i in (0, 1)]
    total = free[0] + free[1]
    before = s.air_share[GNA]
    share = free[GNA] / total if total > 0.0 else 0.5
    s.air_share = [share, 1.0 - share]
    if before < SUPERIORITY <= share:
        s.log("air", "The GNA side gains air superiority: its drones fly over the fronts "
              "largely unopposed.", "gna")
    elif before > 1.0 - SUPERIORITY >= share:
        s.log("air", "The LNA gains air superiority over the fronts.", "lna")
