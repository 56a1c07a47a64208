"""Red lines and deterrence: a backer intervenes directly when its client's core is attacked
(its air force and troops multiply the defenders' strength there), and attackers who expect
it (`deterrence.credibility`) seldom attack such places, which can freeze a front."""

from __future__ import annotations

from libyasim.model.config import DETERRENCE_CREDIBILITY, DETERRENCE_STRENGTH, Params
from libyasim.model.jit import njit
from libyasim.model.records import EV_INTERVENTION, EV_RED_LINE, log
from libyasim.model.state import N_PAIRS, OFFENSIVE, OWNER_VERSION, STANCE, TARGET, THREAT_VERSION, State


@njit
def assess(P: Params, S: State) -> None:
    """Expected shield of each place (what an attacker reckons with), and warnings when an
    enemy first stands at a red line."""
    lines = len(P.line_backer)
    if lines == 0 or S.i[THREAT_VERSION] == S.i[OWNER_VERSION]:
        return
    S.i[THREAT_VERSION] = S.i[OWNER_VERSION]
    strength = P.x[DETERRENCE_STRENGTH]
    expected = 1.0 + strength * P.x[DETERRENCE_CREDIBILITY]
    S.threat[:] = 1.0
    for k in range(lines):
        backer = P.line_backer[k]
        for place in range(len(S.owner)):
            if not P.line_places[k, place] or S.owner[place] != P.line_side[k]:
                continue
            S.threat[place] = 1.0 + strength if S.intervened[backer, place] else expected
            if _exposed(S, place) and not S.warned[backer, place]:
                S.warned[backer, place] = True
                log(S, EV_RED_LINE, backer, place, 0)


@njit
def _exposed(S: State, place: int) -> bool:
    """The place is at one end of a road between the sides."""
    for j in range(S.i[N_PAIRS]):
        g, lp = S.pairs[j, 0], S.pairs[j, 1]
        if g != lp and (g == place or lp == place):
            return True
    return False


@njit
def intervene(P: Params, S: State) -> None:
    """Where an offensive hits a red-line place, the backer intervenes today."""
    lines = len(P.line_backer)
    if lines == 0:
        return
    S.shield[:] = 1.0
    strength = P.x[DETERRENCE_STRENGTH]
    for f in range(3):
        place = S.faction_i[f, TARGET]
        if S.faction_i[f, STANCE] != OFFENSIVE or place < 0:
            continue
        for k in range(lines):
            side = P.line_side[k]
            if P.line_places[k, place] and S.owner[place] == side and side != P.faction_side[f]:
                backer = P.line_backer[k]
                S.shield[place] = 1.0 + strength
                S.threat[place] = 1.0 + strength  # a red line tested is a red line believed
                if not S.intervened[backer, place]:
                    S.intervened[backer, place] = True
                    log(S, EV_INTERVENTION, backer, place, 0)
