"""The truce: its nominal life (declared until formally ended or superseded) and its
effective life (until fighting resumes at war intensity); violations as monitors count them;
attribution of violations by monitors, which needs the watched side's consent."""

from __future__ import annotations

import numpy as np

from libyasim.model import dice
from libyasim.model.config import (
    ATTRIBUTION_MONITORED,
    ATTRIBUTION_UNMONITORED,
    DECLARE_OVER_DAYS,
    DECLARE_OVER_PROBABILITY,
    FORGIVENESS,
    GNA,
    LNA,
    MONITOR_DAY,
    MONITORING,
    NO_DAY,
    REDECLARE_RATE,
    TRUCE_BROKEN_ON_DAY0,
    TRUCE_START,
    UNCLEAR_INCIDENTS,
    WAR_INTENSITY,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.records import (
    EV_MONITORS,
    EV_TRUCE_BROKEN,
    EV_TRUCE_CALLED,
    EV_TRUCE_NEW,
    EV_TRUCE_OVER,
    EV_VIOLATIONS_ATTRIBUTED,
    EV_VIOLATIONS_BLAMED,
    log,
)
from libyasim.model.state import (
    BROKEN,
    BROKEN_SINCE,
    CONSENTS,
    DAY,
    FIRST_COLLAPSE,
    FIRST_END,
    FIRST_START,
    HOLDING,
    INTENSITY,
    MONITORS,
    NONE,
    OFFENSIVE,
    ORDER_PROPOSE_MONITORS,
    PERCEIVED,
    PROPENSITY,
    STANCE,
    TALKS_DAY,
    TRUCE,
    TRUCE_COUNT,
    TRUCE_DICE,
    TRUCE_STARTED,
    State,
)


@njit
def open_day(P: Params, S: State) -> None:
    """The calendar (the truce's start; one declared before day 0 is in force from day 0) and
    the monitors' presence and attribution."""
    start = int(P.x[TRUCE_START])
    if S.i[TRUCE] == NONE and S.i[FIRST_START] < 0 and start > NO_DAY and S.i[DAY] >= start:
        declare(S, EV_TRUCE_CALLED)
    proposed = False
    for m in range(S.mediator_orders.shape[0]):
        order = S.mediator_orders[m, ORDER_PROPOSE_MONITORS]
        proposed = proposed or (order == 1 if order >= 0 else P.x[MONITORING] != 0.0)
    nominal = S.i[TRUCE] == HOLDING or S.i[TRUCE] == BROKEN
    was = S.i[MONITORS]
    monitors = (proposed and nominal and S.i[TRUCE_STARTED] >= 0
                and S.i[DAY] >= S.i[TRUCE_STARTED] + deploy_days(P))
    S.i[MONITORS] = monitors
    if monitors and not was:
        log(S, EV_MONITORS, 0, 0, 0)
    for f in range(3):
        watched = monitors and S.faction_i[f, CONSENTS] != 0
        S.attribution[f] = P.x[ATTRIBUTION_MONITORED] if watched else P.x[ATTRIBUTION_UNMONITORED]


@njit
def deploy_days(P: Params) -> int:
    """Days from the truce's start until monitors can work."""
    start, monitor = int(P.x[TRUCE_START]), int(P.x[MONITOR_DAY])
    return 0 if monitor == NO_DAY or start == NO_DAY else monitor - start


@njit
def set_up(P: Params, S: State) -> None:
    """Day 0 of a scenario that starts after its truce was declared and broken: fighting has
    resumed under it (`truce.on_day0 = "broken"`)."""
    if P.x[TRUCE_BROKEN_ON_DAY0] and S.i[TRUCE] == HOLDING:
        break_truce(S)


@njit
def break_truce(S: State) -> None:
    """The truce's effective life ends: fighting has resumed at war intensity."""
    S.i[TRUCE] = BROKEN
    S.i[BROKEN_SINCE] = S.i[DAY]
    if S.i[FIRST_COLLAPSE] < 0 and S.i[TRUCE_COUNT] == 1:
        S.i[FIRST_COLLAPSE] = S.i[DAY]
    log(S, EV_TRUCE_BROKEN, 0, 0, 0)


@njit
def declare(S: State, event: int) -> None:
    """A (new) truce comes into force; it supersedes any earlier one."""
    if S.i[FIRST_START] >= 0 and S.i[FIRST_END] < 0:
        S.i[FIRST_END] = S.i[DAY]
    S.i[TRUCE] = HOLDING
    S.i[TRUCE_STARTED] = S.i[DAY]
    S.i[BROKEN_SINCE] = -1
    S.i[TRUCE_COUNT] += 1
    if S.i[FIRST_START] < 0:
        S.i[FIRST_START] = S.i[DAY]
    log(S, event, 0, 0, 0)


@njit
def attribute(P: Params, S: State, rng: np.random.Generator) -> None:
    """Monitors attribute violations; while the truce holds, each faction then remembers what it
    perceives the other side's leadership did (once the truce is broken, the sides are at war
    as they would be without one). Without attribution, violations by units outside the other
    leadership's control and incidents of unclear origin are answered as if that leadership
    had ordered them; attribution lowers such retaliation against the wrong target. Whatever
    the truce, grievances fade every day (`truce.forgiveness`): with no truce to keep, nothing
    new is added to them."""
    if S.i[TRUCE] != HOLDING and S.i[TRUCE] != BROKEN:
        forget(P, S)
        return
    by_side = np.zeros(2, np.int64)
    answered = np.zeros(2)  # violations by each side that the other side answers
    for f in range(3):
        n = S.violations[f]
        if not n:
            continue
        attributed = dice.count(S, TRUCE_DICE, rng, n * S.attribution[f])
        S.attributed[f] = attributed
        side = P.faction_side[f]
        by_side[side] += n
        rogue_known = S.rogue[f] * attributed / n  # attributed rogue acts
        answered[side] += n - rogue_known
    unclear = dice.poisson(S, TRUCE_DICE, rng, P.x[UNCLEAR_INCIDENTS])
    clear = P.x[ATTRIBUTION_MONITORED] if S.i[MONITORS] else P.x[ATTRIBUTION_UNMONITORED]
    misread = unclear * (1.0 - clear)
    if S.i[TRUCE] == HOLDING:  # at war, with or without a paper truce, nothing is answered
        for f in range(3):
            remember(P, S, f, answered[1 - P.faction_side[f]] + misread)
    else:
        forget(P, S)
    reported = by_side[0] + by_side[1]
    if reported and S.i[MONITORS]:
        blamed_gna = S.attributed[0] + S.attributed[1]
        log(S, EV_VIOLATIONS_ATTRIBUTED, reported, blamed_gna, S.attributed[2])
    elif reported:
        log(S, EV_VIOLATIONS_BLAMED, reported, 0, 0)


@njit
def remember(P: Params, S: State, f: int, perceived_today: float) -> None:
    """Reciprocity with forgiveness: the other side's recent violations a day, as an average in
    which each day's weight fades by `truce.forgiveness`."""
    S.faction[f, PERCEIVED] += P.x[FORGIVENESS] * (perceived_today - S.faction[f, PERCEIVED])


@njit
def forget(P: Params, S: State) -> None:
    """A day with nothing to answer: every faction's grievance fades."""
    for f in range(3):
        remember(P, S, f, 0.0)


@njit
def update(P: Params, S: State, rng: np.random.Generator) -> None:
    """End of the effective life (war intensity); formal end, declared by a side on the
    offensive once the truce has been broken for a while, unless talks keep it alive; or a new
    truce."""
    truce, day = S.i[TRUCE], S.i[DAY]
    if truce == HOLDING and S.f[INTENSITY] >= P.x[WAR_INTENSITY]:
        break_truce(S)
    elif (truce == BROKEN and S.i[TALKS_DAY] < 0 and S.i[BROKEN_SINCE] >= 0
          and day - S.i[BROKEN_SINCE] >= P.x[DECLARE_OVER_DAYS]):
        for f in range(3):
            if (S.faction_i[f, STANCE] == OFFENSIVE
                    and S.faction[f, PROPENSITY] > P.x[DECLARE_OVER_PROBABILITY]):
                S.i[TRUCE] = NONE
                if S.i[FIRST_END] < 0:
                    S.i[FIRST_END] = day
                log(S, EV_TRUCE_OVER, f, 0, 0)
                break
    elif (truce == NONE or truce == BROKEN) and S.i[FIRST_START] >= 0 and not _any_offensive(S):
        pressure = 0.5 * (S.pressure[GNA] + S.pressure[LNA])
        if dice.uniform(S, TRUCE_DICE, rng) < P.x[REDECLARE_RATE] * pressure:
            S.faction[:, PERCEIVED] = 0.0
            declare(S, EV_TRUCE_NEW)


@njit
def _any_offensive(S: State) -> bool:
    for f in range(3):
        if S.faction_i[f, STANCE] == OFFENSIVE:
            return True
    return False
