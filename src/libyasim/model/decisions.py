"""The factions' daily decisions: stance (hold, reciprocate, limited attacks, offensive),
target, consent to monitors and to talks, and the day's violations of a truce in force.
A player's orders (`S.faction_orders`) replace the faction's own rule for that choice."""

from __future__ import annotations

import numpy as np

from libyasim.model import dice, stocks
from libyasim.model.combat import at_war, targets
from libyasim.model.config import (
    ADVANTAGE_WEIGHT,
    AIR_ADVANCE_SHARE,
    ATTACK_RATIO,
    ATTRIBUTION_COST,
    BASE_LOGIT,
    CULMINATION_SHARE,
    DECLARE_OVER_PROBABILITY,
    LIMITED_RATIO,
    NEW_FRONT_COST,
    OFFENSIVE_DAYS,
    RAID_PROPENSITY,
    RECIPROCITY_WEIGHT,
    SPOILER_RATE,
    VIOLATION_COST,
    VIOLATIONS_MAX,
    Params,
)
from libyasim.model.jit import njit, sigmoid
from libyasim.model.records import EV_OFFENSIVE, log
from libyasim.model.state import (
    CONSENTS,
    DAY,
    DECIDE_DICE,
    HOLD,
    JOINS_TALKS,
    LIMITED,
    NONE,
    OFFENSIVE,
    OFFENSIVE_SINCE,
    ORDER_MONITORS,
    ORDER_STANCE,
    ORDER_TALKS,
    ORDER_TARGET,
    ORIGIN,
    PERCEIVED,
    PROPENSITY,
    RECIPROCATE,
    SETTLED,
    STANCE,
    TARGET,
    TRUCE,
    State,
)


@njit
def decide(P: Params, S: State, rng: np.random.Generator, f: int) -> None:
    """Stance (hold, reciprocate, limited, offensive), target, consent and violations."""
    truce = S.i[TRUCE]
    if truce == SETTLED:
        S.faction_i[f, STANCE], S.faction_i[f, TARGET] = HOLD, -1
        S.faction[f, PROPENSITY] = 0.0
        return
    side = P.faction_side[f]
    logit = (P.x[BASE_LOGIT] + P.x[ADVANTAGE_WEIGHT] * S.projected[side]
             + P.x[RECIPROCITY_WEIGHT] * S.faction[f, PERCEIVED]
             - P.x[VIOLATION_COST] * S.pressure[side]
             - P.x[ATTRIBUTION_COST] * S.attribution[f])
    p = sigmoid(logit)
    S.faction[f, PROPENSITY] = p
    order = S.faction_orders[f, ORDER_STANCE]
    if order < 0:
        if at_war(S) or p > P.x[DECLARE_OVER_PROBABILITY]:
            choose_offensive(P, S, f, False)
        else:
            stand_down(S, f, RECIPROCATE)
    elif order == OFFENSIVE:
        choose_offensive(P, S, f, True)
    else:
        stand_down(S, f, order)
    monitors, talks = S.faction_orders[f, ORDER_MONITORS], S.faction_orders[f, ORDER_TALKS]
    S.faction_i[f, CONSENTS] = monitors if monitors >= 0 else S.faction_i[f, STANCE] != OFFENSIVE
    S.faction_i[f, JOINS_TALKS] = talks if talks >= 0 else 1
    if truce != NONE:  # holding or broken: in force nominally
        violate(P, S, rng, f, p)


@njit
def stand_down(S: State, f: int, stance: int) -> None:
    S.faction_i[f, STANCE], S.faction_i[f, TARGET], S.faction_i[f, ORIGIN] = stance, -1, -1


@njit
def choose_offensive(P: Params, S: State, f: int, forced: bool) -> None:
    """Keep attacking while the local odds hold; else pick the best target, if any is good
    enough (`combat.attack_ratio`; on a quiet front, where no offensive has been and no place
    next to it has changed hands, the odds count `combat.new_front_cost` times less), the
    skies allow an advance (`air.advance_share`) and the side has the munitions
    (`stocks.offensive_days`).
    At war without such odds, a side raids where its odds are fair (`combat.limited_ratio`)."""
    side, day = P.faction_side[f], S.i[DAY]
    wanted = S.faction_orders[f, ORDER_TARGET]
    current = S.faction_i[f, TARGET]
    going = (S.faction_i[f, STANCE] == OFFENSIVE
             and day - S.faction_i[f, OFFENSIVE_SINCE] < P.x[OFFENSIVE_DAYS])
    options = np.empty((len(S.owner), 3))
    best, best_ratio, origin = -1, 0.0, -1
    for k in range(targets(P, S, f, options)):
        ratio, target, start = options[k, 0], int(options[k, 1]), int(options[k, 2])
        if wanted >= 0 and target != wanted:
            continue
        if going and target == current:
            ratio /= P.x[CULMINATION_SHARE]  # an offensive under way keeps going a while
        if not S.opened[target]:
            ratio /= P.x[NEW_FRONT_COST]  # a quiet front: opening it needs better odds
        if ratio > best_ratio:
            best, best_ratio, origin = target, ratio, start
    can_advance = S.air_share[side] >= P.x[AIR_ADVANCE_SHARE] and stocks.can_attack(P, S, side)
    if best >= 0 and (forced or (can_advance and best_ratio >= P.x[ATTACK_RATIO])):
        if not (going and best == current):
            S.faction_i[f, OFFENSIVE_SINCE] = day
            log(S, EV_OFFENSIVE, f, best, 0)
        S.opened[best] = True
        S.faction_i[f, STANCE], S.faction_i[f, TARGET], S.faction_i[f, ORIGIN] = \
            OFFENSIVE, best, origin
    elif (at_war(S) and best_ratio >= P.x[LIMITED_RATIO]
          and S.faction[f, PROPENSITY] >= P.x[RAID_PROPENSITY]):
        S.faction_i[f, STANCE], S.faction_i[f, TARGET], S.faction_i[f, ORIGIN] = \
            LIMITED, best, origin
    else:
        stand_down(S, f, RECIPROCATE)


@njit
def violate(P: Params, S: State, rng: np.random.Generator, f: int, p: float) -> None:
    """Today's violations: the leadership's by stance, plus units outside its control."""
    stance = S.faction_i[f, STANCE]
    lead = p if stance == RECIPROCATE else (0.0 if stance == HOLD else 1.0)
    cc = P.command_control[f] * S.loyalty[f]  # unpaid units slip out of control
    most = P.x[VIOLATIONS_MAX]
    ordered = dice.poisson(S, DECIDE_DICE, rng, most * cc * lead)
    rogue = dice.poisson(S, DECIDE_DICE, rng, most * (1.0 - cc) * max(lead, P.x[SPOILER_RATE]))
    S.violations[f] = ordered + rogue
    S.rogue[f] = rogue
