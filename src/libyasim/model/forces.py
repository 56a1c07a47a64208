"""Forces: where each faction's fighters stand, reinforcements to the fronts, and foreign
fighters as people who arrive, serve a tour and leave (bounded by public estimates)."""

from __future__ import annotations

import numpy as np

from libyasim.model.arms import paused, stopped_share
from libyasim.model.config import (
    C_CAP,
    C_DAILY,
    C_INITIAL,
    C_START,
    C_TOUR_DAYS,
    FRONT_SHARE,
    GARRISON_SHARE,
    RECRUITMENT_RATE,
    REDEPLOY_RATE,
    Params,
)
from libyasim.model.jit import njit, total
from libyasim.model.state import (
    DAY,
    N_PAIRS,
    OFFENSIVE,
    ORDER_FIGHTERS,
    ORIGIN,
    STANCE,
    State,
)


@njit
def place_initial(P: Params, S: State) -> None:
    """Spread each faction's fighters over its side's places: a share at the fronts, a
    garrison in the rear (in proportion to residents, with a floor for bases), the rest in
    reserve. Foreign contingents present on day 0 join their client's reserve."""
    n = len(S.owner)
    weight = P.placement_weight
    for f in range(3):
        side, fighters = P.faction_side[f], P.fighters[f]
        present = np.array([p for p in range(n) if S.owner[p] == side or S.contested[p]])
        front = present[S.front[side][present]]
        rear = present[~S.front[side][present]]
        front_share = P.x[FRONT_SHARE] if len(rear) else 1.0
        placed = 0.0
        for places, share in ((front, front_share),
                              (rear, (1.0 - front_share) * P.x[GARRISON_SHARE])):
            w = total(weight[places])
            for p in places:
                x = fighters * share * weight[p] / w
                S.forces[f, p] += x
                placed += x
        S.reserve[f] = fighters - placed
    for i in range(len(S.contingents)):
        S.reserve[P.contingent_faction[i]] += S.contingents[i]
    track_peaks(P, S)


@njit
def rotate(P: Params, S: State) -> None:
    """Foreign fighters arrive at their backer's ordered rate from their contingent's start,
    less those the embargo stops on their routes, up to the cap (none while backers pause
    during a truce, `arms.paused`), and leave at the end of their tours; a contingent that
    starts after day 0 brings its first fighters all together on its start day. Arrivals join
    the client's reserve, leavers leave it (or the fronts)."""
    day = S.i[DAY]
    pause = paused(P, S)
    for i in range(len(S.contingents)):
        b, f = P.contingent_backer[i], P.contingent_faction[i]
        present = S.contingents[i]
        leaving = present / P.contingent[i, C_TOUR_DAYS]
        arriving = 0.0
        if P.backer_enabled[b]:
            start = P.contingent[i, C_START]
            wanted = P.contingent[i, C_INITIAL] if day == start else 0.0
            if day >= P.backer_start[b] and day >= start and not pause:
                wanted += P.contingent[i, C_DAILY] * S.backer_orders[b, ORDER_FIGHTERS]
            wanted *= 1.0 - stopped_share(P, S, b)
            arriving = max(0.0, min(wanted, P.contingent[i, C_CAP] - present + leaving))
        S.contingents[i] = present + arriving - leaving
        net = arriving - leaving
        if S.reserve[f] + net >= 0.0:
            S.reserve[f] += net
        else:
            remove(S, f, -net)
    track_peaks(P, S)


@njit
def recruit(P: Params, S: State) -> None:
    """Each faction replaces a share (`forces.recruitment_rate`) of the gap between its day-0
    strength, times its loyalty, and the Libyan fighters it has now; recruits join its
    reserve."""
    rate = P.x[RECRUITMENT_RATE]
    if rate <= 0.0:
        return
    for f in range(3):
        libyan = total(S.forces[f]) + S.reserve[f] - faction_foreign(P, S, f)
        gap = S.loyalty[f] * P.fighters[f] - libyan
        if gap > 0.0:
            S.reserve[f] += rate * gap


@njit
def faction_foreign(P: Params, S: State, f: int) -> float:
    """Foreign fighters with faction f (its contingents)."""
    foreign = 0.0
    for i in range(len(S.contingents)):
        if P.contingent_faction[i] == f:
            foreign += S.contingents[i]
    return foreign


@njit
def foreign_fighters(P: Params, S: State, side: int) -> float:
    """Foreign fighters with a side's factions."""
    return total(S.contingents[P.faction_side[P.contingent_faction] == side])


@njit
def track_peaks(P: Params, S: State) -> None:
    for side in range(2):
        S.contingents_peak[side] = max(S.contingents_peak[side], foreign_fighters(P, S, side))


@njit
def remove(S: State, f: int, amount: float) -> None:
    """Take `amount` fighters from a faction: from its reserve first, then from its places."""
    if amount <= 0.0:
        S.reserve[f] -= amount
        return
    from_reserve = min(amount, S.reserve[f])
    S.reserve[f] -= from_reserve
    rest = amount - from_reserve
    if rest > 0.0:
        placed = total(S.forces[f])
        if placed > 0.0:
            keep = max(0.0, 1.0 - rest / placed)
            S.forces[f] *= keep


@njit
def redeploy(P: Params, S: State) -> None:
    """A share of each faction's reserve goes to its side's fronts, in proportion to the enemy
    fighters each front place faces (and half of it to an offensive's starting place)."""
    pairs = S.i[N_PAIRS]
    if pairs == 0:
        return
    n = len(S.owner)
    facing = np.zeros((2, n))  # enemy head count faced, by side and front place, + 1
    order = np.zeros((2, n), np.int64)  # front places in the order first met
    count = np.zeros(2, np.int64)
    for j in range(pairs):
        for side in range(2):
            place, enemy = S.pairs[j, side], S.pairs[j, 1 - side]
            if facing[side, place] == 0.0:
                facing[side, place] = 1.0
                order[side, count[side]] = place
                count[side] += 1
            facing[side, place] += S.raw[1 - side, enemy]
    rate = P.x[REDEPLOY_RATE]
    for f in range(3):
        moving = S.reserve[f] * rate
        if moving <= 0.0:
            continue
        side = P.faction_side[f]
        places = order[side, :count[side]]
        threat = facing[side][places]
        all_threat = total(threat)
        origin = S.faction_i[f, ORIGIN]
        if S.faction_i[f, STANCE] == OFFENSIVE and origin >= 0 and facing[side, origin] > 0.0:
            S.forces[f, origin] += 0.5 * moving
            moving_front = 0.5 * moving
        else:
            moving_front = moving
        for k in range(len(places)):
            S.forces[f, places[k]] += moving_front * threat[k] / all_threat
        S.reserve[f] -= moving
