"""Red lines declared in the run (extended deterrence, Schelling 1966).

No place is a red line in advance, unless a scenario that starts later says it was declared
before its day 0 (`deterrence.declared`). A backer declares one when an enemy advance threatens a
core interest of its client (`deterrence.interests`: bases, oil, borders): an enemy offensive
aimed at a client place within `deterrence.threat_links` road links of the interest, or the
enemy holding a place that close. The line is drawn where the threat is: at the place attacked,
or at the client's places next to the enemy's. When an offensive hits a declared line, the
backer intervenes (it multiplies the defenders' strength there) with a chance that grows with
the forces and air power it has nearby. Each attacking faction believes in each line with a
chance it learns by testing: a Beta belief, from the prior `deterrence.credibility`, updated
each time one of its offensives hits the line and the backer intervenes or stands aside.
Attackers weigh the intervention they expect in their odds, which can freeze a front.
"""

from __future__ import annotations

import numpy as np

from libyasim.model import dice
from libyasim.model.config import (
    DETERRENCE_CREDIBILITY,
    DETERRENCE_FROM_FORCES,
    DETERRENCE_LEARNING,
    DETERRENCE_PRIOR_WEIGHT,
    DETERRENCE_STRENGTH,
    PRESENCE_HALF,
    THREAT_LINKS,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.records import EV_INTERVENTION, EV_RED_LINE, EV_STANDS_ASIDE, SWITCHED, log
from libyasim.model.state import (
    DECIDE_DICE,
    OFFENSIVE,
    OFFENSIVE_SINCE,
    STANCE,
    TARGET,
    TEST_ANSWER,
    TEST_PLACE,
    TEST_SINCE,
    State,
)


@njit
def set_up(P: Params, S: State) -> None:
    """Day 0: the red lines declared before it (a later start), each a line of the log."""
    for b in range(P.declared0.shape[0]):
        for p in range(P.declared0.shape[1]):
            if P.declared0[b, p]:
                _declare(S, b, p, p)


@njit
def assess(P: Params, S: State) -> None:
    """Red lines declared where interests are threatened, and the intervention each faction
    expects at each place."""
    if len(P.interest_backer) == 0:
        return
    declare(P, S)
    expect(P, S)


@njit
def declare(P: Params, S: State) -> None:
    """Each deterring backer declares red lines at its client's threatened places near its
    interests (yesterday's offensives, today's holders)."""
    links = P.x[THREAT_LINKS]
    n = len(S.owner)
    for k in range(len(P.interest_backer)):
        b, interest = P.interest_backer[k], P.interest_place[k]
        side = P.backer_side[b]
        if S.owner[interest] != side:
            continue
        for enemy_place in range(n):  # the enemy holds a place within reach of the interest
            if S.owner[enemy_place] != 1 - side or P.hops[enemy_place, interest] > links:
                continue
            for p in P.neighbours[enemy_place]:
                if p >= 0 and S.owner[p] == side and P.hops[p, interest] <= links:
                    _declare(S, b, p, interest)
        for f in range(3):  # an enemy offensive is aimed at a place within reach of it
            target = S.faction_i[f, TARGET]
            if (P.faction_side[f] != side and S.faction_i[f, STANCE] == OFFENSIVE and target >= 0
                    and S.owner[target] == side and P.hops[target, interest] <= links):
                _declare(S, b, target, interest)


@njit
def _declare(S: State, backer: int, place: int, interest: int) -> None:
    if not S.declared[backer, place]:
        S.declared[backer, place] = True
        log(S, EV_RED_LINE, backer, place, interest)


@njit
def belief(P: Params, S: State, f: int, backer: int, place: int) -> float:
    """Faction f's belief that the backer enforces its red line at the place: the prior
    `deterrence.credibility` with the weight of `deterrence.prior_weight` tests, updated by
    the faction's own tests (Beta-binomial) when `deterrence.learning` is on."""
    prior = P.x[DETERRENCE_CREDIBILITY]
    if P.x[DETERRENCE_LEARNING] == 0.0:
        return prior
    weight = P.x[DETERRENCE_PRIOR_WEIGHT]
    yes, no = S.enforced[f, backer, place], S.unenforced[f, backer, place]
    if weight + yes + no <= 0.0:
        return prior
    return (weight * prior + yes) / (weight + yes + no)


@njit
def expect(P: Params, S: State) -> None:
    """The red-line multiplier each faction expects at each place: 1 + strength x its belief
    (the most credible line, where several backers declared one)."""
    strength = P.x[DETERRENCE_STRENGTH]
    S.threat[:] = 1.0
    for b in range(S.declared.shape[0]):
        side = P.backer_side[b]
        for p in range(len(S.owner)):
            if not S.declared[b, p] or S.owner[p] != side:
                continue
            for f in range(3):
                if P.faction_side[f] != side:
                    S.threat[f, p] = max(S.threat[f, p], 1.0 + strength * belief(P, S, f, b, p))


@njit
def nearby_forces(P: Params, S: State, backer: int, place: int) -> float:
    """What the backer has near the place, in fighter-equivalents: the forces it can commit
    from outside Libya, its contingents, and its share of its client side's drones and air
    defence, all discounted by the distance from its base (`deterrence.reach_km`)."""
    side = P.backer_side[backer]
    present = P.standby[backer] + P.backer_air_share[backer] * (S.drones[side]
                                                                + S.air_defence[side])
    for i in range(len(S.contingents)):
        if P.contingent_backer[i] == backer:
            present += S.contingents[i]
    return P.proximity[backer, place] * present


@njit
def credibility(P: Params, S: State, backer: int, place: int) -> float:
    """The chance that the backer intervenes when its red line at the place is attacked: its
    forces nearby over those plus `deterrence.presence_half` (1 when
    `deterrence.credibility_from_forces` is off: every declared line is enforced)."""
    if P.x[DETERRENCE_FROM_FORCES] == 0.0:
        return 1.0
    nearby = nearby_forces(P, S, backer, place)
    half = P.x[PRESENCE_HALF]
    return nearby / (nearby + half) if nearby + half > 0.0 else 0.0


@njit
def intervene(P: Params, S: State, rng: np.random.Generator) -> None:
    """Offensives on declared red lines test them: the backer decides once per offensive
    whether to intervene (then the defenders' strength there is multiplied by
    1 + `deterrence.intervention_strength` for as long as it lasts), and the attacker learns
    from the answer."""
    if len(P.interest_backer) == 0:
        return
    S.shield[:] = 1.0
    strength = P.x[DETERRENCE_STRENGTH]
    for f in range(3):
        target = S.faction_i[f, TARGET]
        if S.faction_i[f, STANCE] != OFFENSIVE or target < 0:
            continue
        since = S.faction_i[f, OFFENSIVE_SINCE]
        for b in range(S.declared.shape[0]):
            side = P.backer_side[b]
            if not S.declared[b, target] or S.owner[target] != side or side == P.faction_side[f]:
                continue
            if S.tests[f, b, TEST_SINCE] != since or S.tests[f, b, TEST_PLACE] != target:
                _test(P, S, rng, f, b, target, since)
            if S.tests[f, b, TEST_ANSWER] == 1:
                S.shield[target] = 1.0 + strength


@njit
def _test(P: Params, S: State, rng: np.random.Generator, f: int, backer: int, place: int,
          since: int) -> None:
    """A new offensive hits the backer's line: the backer intervenes or stands aside (once
    for the place: an ally's offensive already under way there sees the same answer), and the
    attacking faction counts the answer."""
    answer = _answer_there(S, f, backer, place)
    if answer < 0:
        answer = _decide(P, S, rng, backer, place, f)
    _count(S, f, backer, place, since, answer)


@njit
def _decide(P: Params, S: State, rng: np.random.Generator, backer: int, place: int,
            told: int) -> int:
    """The backer intervenes (1) or stands aside (0), with the chance its forces nearby give;
    the log names `told`: the faction, plus `SWITCHED` when its side's groups went over."""
    chance = credibility(P, S, backer, place)
    drawn = chance >= 1.0 or (chance > 0.0 and dice.uniform(S, DECIDE_DICE, rng) < chance)
    log(S, EV_INTERVENTION if drawn else EV_STANDS_ASIDE, backer, place, told)
    return 1 if drawn else 0


@njit
def _count(S: State, f: int, backer: int, place: int, since: int, answer: int) -> None:
    """Faction f's test of the backer's line at the place (`since`: the offensive's first day,
    -1 for groups going over), and what f learns from the answer."""
    S.tests[f, backer, TEST_SINCE], S.tests[f, backer, TEST_PLACE] = since, place
    S.tests[f, backer, TEST_ANSWER] = answer
    if answer:
        S.enforced[f, backer, place] += 1
    else:
        S.unenforced[f, backer, place] += 1


@njit
def most_hopeful(P: Params, S: State, side: int, place: int) -> int:
    """The side's faction that expects the least intervention at the place (its odds are the
    side's best there)."""
    best, least = -1, np.inf
    for f in range(3):
        if P.faction_side[f] == side and S.threat[f, place] < least:
            best, least = f, S.threat[f, place]
    return best


@njit
def holds_line(P: Params, S: State, rng: np.random.Generator, f: int, place: int) -> bool:
    """The place's groups would go over to faction f's side across a declared red line: the
    backer answers as it last did to f there (an offensive's test, or an earlier switch), or
    else decides as for an offensive, and f learns from the new answer. Intervening keeps the
    place (the groups stay). False, and no random number drawn, where no line is declared."""
    for b in range(S.declared.shape[0]):
        side = P.backer_side[b]
        if not S.declared[b, place] or S.owner[place] != side or side == P.faction_side[f]:
            continue
        if S.tests[f, b, TEST_PLACE] != place:  # not answered there yet: a new test
            _count(S, f, b, place, -1, _decide(P, S, rng, b, place, f + SWITCHED))
        if S.tests[f, b, TEST_ANSWER] == 1:
            return True
    return False


@njit
def _answer_there(S: State, f: int, backer: int, place: int) -> int:
    """The backer's answer to another faction's offensive under way at the place (-1: none)."""
    for g in range(3):
        if (g != f and S.faction_i[g, STANCE] == OFFENSIVE and S.faction_i[g, TARGET] == place
                and S.tests[g, backer, TEST_PLACE] == place
                and S.tests[g, backer, TEST_SINCE] == S.faction_i[g, OFFENSIVE_SINCE]):
            return S.tests[g, backer, TEST_ANSWER]
    return -1
