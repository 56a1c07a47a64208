"""One day of the model, in the ODD's order (section 3), compiled: `run_days` advances the
state over a stretch of days in one call (a whole run, or the days between two sets of a
player's orders); day 0 is the set-up (`set_up`)."""

from __future__ import annotations

import numpy as np

from libyasim.model import (
    air,
    arms,
    combat,
    decisions,
    deterrence,
    dice,
    economy,
    forces,
    mediation,
    morale,
    records,
    stocks,
    truce,
)
from libyasim.model.config import DELAY, SUPPLY_BASE, Params
from libyasim.model.jit import njit
from libyasim.model.state import (
    ARMS_DELIVERED,
    BATTLE_DEATHS,
    CIVILIAN_DEATHS,
    DAY,
    INTENSITY,
    MORALE,
    SUPPLY,
    State,
)


@njit
def set_up(P: Params, S: State, rng: np.random.Generator) -> None:
    """Day 0: the fronts, forces in place, mediation's pressure, shipments already under way
    (sent before day 0, arriving from day 1), the air war, the balance of power, munitions on
    hand, the terminals and the truce as a later start finds them, and day 0's row."""
    dice.new_day(S)
    combat.update_fronts(P, S, True)
    forces.place_initial(P, S)
    for f in range(3):
        S.faction[f, SUPPLY] = P.x[SUPPLY_BASE]
        S.factor[f] = S.faction[f, MORALE] * S.faction[f, SUPPLY]
    mediation.press(P, S)
    for day in range(1 - int(P.x[DELAY]), 1):
        arms.ship(P, S, rng, day)
    air.duel(P, S)
    combat.measure(P, S)
    economy.set_up(P, S)
    deterrence.set_up(P, S)
    stocks.set_up(P, S)
    combat.assess(P, S)
    truce.open_day(P, S)
    truce.set_up(P, S)
    records.record(P, S)


@njit
def run_days(P: Params, S: State, rng: np.random.Generator, first: int, last: int) -> None:
    """Days `first` to `last`, each in the ODD's order (day 0: the set-up)."""
    for day in range(first, last + 1):
        if day == 0:
            set_up(P, S, rng)
            continue
        begin_day(S, day)
        mediation.press(P, S)                # leverage and pressure
        truce.open_day(P, S)                 # calendar, monitors
        forces.rotate(P, S)                  # foreign fighters
        forces.recruit(P, S)                 # recruits replace losses
        arms.ship(P, S, rng, day)            # materiel by route
        arms.deliver(P, S)
        economy.update(P, S, rng)            # oil, money
        air.duel(P, S)                       # drones vs air defence
        deterrence.assess(P, S)              # red lines declared, expected
        for f in range(3):                   # stances, violations
            decisions.decide(P, S, rng, f)
        truce.attribute(P, S, rng)           # monitors, reciprocity
        deterrence.intervene(P, S, rng)      # red lines tested
        combat.fight(P, S, rng)              # attrition, captures
        combat.switch_sides(P, S, rng)       # local groups change sides
        combat.redraw_fronts(P, S)           # the fronts the captures left
        forces.redeploy(P, S)                # reserves to the fronts
        morale.update(P, S)                  # supply, morale, erosion
        combat.assess(P, S)                  # balance of power
        truce.update(P, S, rng)              # effective/nominal life
        mediation.negotiate(P, S, rng)       # talks, settlement
        records.record(P, S)                 # the day's row


@njit
def begin_day(S: State, day: int) -> None:
    """A new day: its random numbers, and today's counters back to zero."""
    S.i[DAY] = day
    dice.new_day(S)
    S.violations[:] = 0
    S.rogue[:] = 0
    S.attributed[:] = 0
    S.i[BATTLE_DEATHS] = S.i[CIVILIAN_DEATHS] = 0
    S.f[ARMS_DELIVERED] = 0.0
    S.losses[:] = 0.0
    S.f[INTENSITY] = 0.0
