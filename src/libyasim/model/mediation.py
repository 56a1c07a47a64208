"""Mediation: leverage through the backers (fading with time), talks on three tracks
(military, economic, political) that fiscal strain brings forward (`economy.talks_urgency`),
ripeness, the commitment problem, and the ways a war can end in a permanent ceasefire: a
mediated agreement, parallel declarations without mediators, or a decisive victory."""

from __future__ import annotations

import numpy as np

from libyasim.model import dice, economy
from libyasim.model.config import (
    B_DAILY,
    BENGHAZI,
    CONFERENCE_DAY,
    CONFERENCE_TALKS_PROBABILITY,
    CREDIBILITY_WEIGHT,
    ECONOMIC_RATE,
    GNA,
    LEVERAGE_KEEP,
    LNA,
    MILITARY_RATE,
    PARALLEL_RATE,
    POLITICAL_RATE,
    SETTLEMENT_RATE,
    STALEMATE_ADVANTAGE,
    STALEMATE_DAYS,
    TALKS_RATE,
    TRIPOLI,
    VERIFICATION,
    Params,
)
from libyasim.model.jit import njit, total
from libyasim.model.records import EV_SETTLEMENT, EV_TALKS, EV_TERMINALS_DEAL, EV_TRACK, log
from libyasim.model.state import (
    BLOCKADE,
    BLOCKADE_SETTLED,
    BROKEN,
    DAY,
    DECISIVE,
    ECONOMIC,
    FIRST_END,
    FIRST_START,
    GUARANTEES,
    HOLDING,
    JOINS_TALKS,
    MEDIATED,
    MEDIATION_DICE,
    MILITARY,
    MONITORS,
    ORDER_CONVENE,
    ORDER_GUARANTEES,
    ORDER_PRESS,
    PARALLEL,
    POLITICAL,
    RIPENESS,
    SETTLED,
    SETTLEMENT_DAY,
    SETTLEMENT_PATH,
    TALKS_DAY,
    TRUCE,
    State,
)

UNRIPE_SPEED = 0.25  # talks during fighting, before the stalemate is ripe, move at this pace


@njit
def press(P: Params, S: State) -> None:
    """Each side's mediation pressure today (leverage, fading, through ties to its backers)."""
    mediators = len(S.leverage)
    for m in range(mediators):
        decay(P, S, m)
    on = np.zeros((2, mediators))
    for side in range(2):
        for m in range(mediators):
            on[side, m] = pressure_on(P, S, m, side)
        S.pressure[side] = total(on[side])
    guarantees = False
    for m in range(mediators):
        guarantees = guarantees or S.mediator_orders[m, ORDER_GUARANTEES] == 1
    S.i[GUARANTEES] = guarantees


@njit
def decay(P: Params, S: State, m: int) -> None:
    """Leverage fades after the conference (attention moves on)."""
    if S.i[DAY] > P.x[CONFERENCE_DAY]:
        S.leverage[m] *= P.x[LEVERAGE_KEEP]


@njit
def pressure_on(P: Params, S: State, m: int, side: int) -> float:
    """Leverage over a side through the ties to its backers, weighted by their volumes (none
    before the mediator's start); a mediator that presses a backer doubles its tie to it."""
    if not economy.mediator_at_work(P, S, m):
        return 0.0  # disabled, or not yet started (`mediation.<m>.start`)
    pressed = S.mediator_orders[m, ORDER_PRESS]
    weights = ties = 0.0
    for b in range(len(P.backer_side)):
        if P.backer_side[b] != side:
            continue
        tie = P.ties[m, b] * (2.0 if b == pressed else 1.0)
        daily = P.backer[b, B_DAILY]
        weight = daily if daily != 0.0 else 1e-9
        ties += min(1.0, tie) * weight
        weights += weight
    return S.leverage[m] * (ties / weights if weights else 0.0)


@njit
def credibility(P: Params, S: State) -> float:
    """How far each side can trust a deal: shifting power makes promises incredible (a side in
    decline cannot commit its future self); monitors at work and guarantees restore part."""
    trust = max(0.0, 1.0 - P.x[CREDIBILITY_WEIGHT] * abs(S.trend[GNA]))
    if S.i[MONITORS] or S.i[GUARANTEES] or S.tracks[POLITICAL] >= 1.0:
        trust += P.x[VERIFICATION] * (1.0 - trust)
    return trust


@njit
def negotiate(P: Params, S: State, rng: np.random.Generator) -> None:
    """Talks, tracks, ripeness and settlement."""
    if S.i[TRUCE] == SETTLED or _decisive_victory(P, S):
        return
    day, truce = S.i[DAY], S.i[TRUCE]
    # ripeness: days on which neither side expects to gain by fighting on; quiet days count
    if abs(S.projected[GNA]) < P.x[STALEMATE_ADVANTAGE]:
        S.i[RIPENESS] += 1
    else:
        S.i[RIPENESS] = 0
    ripe = S.i[RIPENESS] >= P.x[STALEMATE_DAYS]
    pressure = 0.5 * (S.pressure[GNA] + S.pressure[LNA])
    willing = S.faction_i[0, JOINS_TALKS] and S.faction_i[1, JOINS_TALKS] \
        and S.faction_i[2, JOINS_TALKS]
    if S.i[TALKS_DAY] < 0:
        if (_convened(P, S) and willing and day >= P.x[CONFERENCE_DAY]
                and (truce == HOLDING or truce == BROKEN or ripe)):
            conference = day == P.x[CONFERENCE_DAY]
            rate = P.x[CONFERENCE_TALKS_PROBABILITY] if conference else P.x[TALKS_RATE]
            rate *= economy.talks_urgency(P, S)  # unpaid wages push towards the table
            if dice.uniform(S, MEDIATION_DICE, rng) < min(1.0, rate * pressure):
                S.i[TALKS_DAY] = day
                log(S, EV_TALKS, 0, 0, 0)
    elif willing:
        trust = credibility(P, S)
        # talks move at full speed while the stalemate is ripe or the guns are quiet
        speed = 1.0 if ripe or truce == HOLDING else UNRIPE_SPEED
        rates = (P.x[MILITARY_RATE], P.x[ECONOMIC_RATE] * economy.talks_urgency(P, S),
                 P.x[POLITICAL_RATE])
        for track in range(3):
            if S.tracks[track] < 1.0:
                S.tracks[track] += rates[track] * pressure * trust * speed
                if S.tracks[track] >= 1.0:
                    log(S, EV_TRACK, track, 0, 0)
                    if track == ECONOMIC and S.i[BLOCKADE]:
                        S.i[BLOCKADE], S.i[BLOCKADE_SETTLED] = 0, 1
                        log(S, EV_TERMINALS_DEAL, 0, 0, 0)
        # a signature needs a ripe stalemate, or a truce that holds; the commitment problem
        # (trust) discounts it, which monitors and guarantees partly repair
        if ((ripe or truce == HOLDING) and S.tracks[MILITARY] >= 1.0 and
                dice.uniform(S, MEDIATION_DICE, rng) < P.x[SETTLEMENT_RATE] * pressure * trust):
            settle(S, MEDIATED, 0)
            return
    if ripe and dice.uniform(S, MEDIATION_DICE, rng) < P.x[PARALLEL_RATE] * credibility(P, S):
        settle(S, PARALLEL, 0)


@njit
def _convened(P: Params, S: State) -> bool:
    """Some enabled mediator at work convenes talks."""
    for m in range(len(S.leverage)):
        if economy.mediator_at_work(P, S, m) and S.mediator_orders[m, ORDER_CONVENE] != 0:
            return True
    return False


@njit
def _decisive_victory(P: Params, S: State) -> bool:
    """The fall of one side's seat ends the war on the winner's terms."""
    if S.owner[int(P.x[TRIPOLI])] == LNA:
        settle(S, DECISIVE, LNA)
        return True
    if S.owner[int(P.x[BENGHAZI])] == GNA:
        settle(S, DECISIVE, GNA)
        return True
    return False


@njit
def settle(S: State, path: int, winner: int) -> None:
    """A permanent ceasefire, by `path` (MEDIATED, PARALLEL or DECISIVE, won by `winner`)."""
    S.i[TRUCE] = SETTLED
    S.i[SETTLEMENT_DAY], S.i[SETTLEMENT_PATH] = S.i[DAY], path
    if S.i[FIRST_START] >= 0 and S.i[FIRST_END] < 0:
        S.i[FIRST_END] = S.i[DAY]
    S.i[BLOCKADE] = 0
    log(S, EV_SETTLEMENT, path, winner, 0)
