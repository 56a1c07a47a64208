"""Oil and money (see the ODD, 7.5): the LNA side can close the oil terminals it holds; oil
is nearly all of the state's revenue, so Tripoli's funds run down and, once they no longer
cover the wage bill, so does the payroll the central bank pays nationwide, to the GNA's forces,
the western armed groups and part of the LNA alike (the LNA pays the rest through its parallel
central bank). Backers pay part of what their clients cannot. Each faction's loyalty follows
its wages: unpaid groups commit less strength to their patron's fight, obey less and leave
the front (`morale`, `decisions`). Unpaid wages on either side push towards talks (fiscal
pressure, read by `mediation`). Lifting the blockade is a bargaining chip of the economic
track."""

from __future__ import annotations

import numpy as np

from libyasim.model import dice, forces
from libyasim.model.config import (
    BLOCKADE_DAYS_CLOSED,
    BLOCKADE_ENABLED,
    BLOCKADE_RATE,
    BLOCKADE_REVENUE,
    DEFECTION_RATE,
    FISCAL_PRESSURE,
    LNA,
    LOYALTY_DAYS,
    OIL,
    PRESSURE_WEIGHT,
    RESERVE_DAYS,
    WAGE_BILL_SHARE,
    WAGES_ENABLED,
    Params,
)
from libyasim.model.jit import njit
from libyasim.model.records import EV_BLOCKADE, EV_TERMINALS_REOPEN, log
from libyasim.model.state import (
    BLOCKADE,
    BLOCKADE_SETTLED,
    DAY,
    ECONOMY_DICE,
    FUNDS,
    PAY,
    SETTLED,
    TRUCE,
    State,
)


@njit
def set_up(P: Params, S: State) -> None:
    """Day 0 of a scenario that starts while the terminals are closed: they stay closed, and
    Tripoli's funds, wages and loyalty are those that `economy.blockade.days_closed` days of
    closure leave (the daily equations below, run over those days)."""
    days = int(P.x[BLOCKADE_DAYS_CLOSED])
    if days <= 0 or S.owner[int(P.x[OIL])] != LNA:
        return
    S.i[BLOCKADE] = 1
    log(S, EV_BLOCKADE, 0, 0, 0)
    for _ in range(days):
        pay_wages(P, S)


@njit
def update(P: Params, S: State, rng: np.random.Generator) -> None:
    """The day's oil, money, wages and loyalty."""
    close_or_open_terminals(P, S, rng)
    pay_wages(P, S)


@njit
def pay_wages(P: Params, S: State) -> None:
    """Tripoli's funds follow its revenue; the payroll, each faction's wages and loyalty, and
    each side's fiscal strain follow the funds."""
    revenue = P.x[BLOCKADE_REVENUE] if S.i[BLOCKADE] else 1.0
    S.f[FUNDS] += (revenue - S.f[FUNDS]) / P.x[RESERVE_DAYS]
    S.f[PAY] = payroll_paid(S.f[FUNDS], P.x[WAGE_BILL_SHARE])
    for f in range(3):
        S.pay[f] = wages_paid(P, S, f, S.f[PAY])
        if P.x[WAGES_ENABLED]:
            S.loyalty[f] += (loyalty_target(P, f, S.pay[f]) - S.loyalty[f]) / P.x[LOYALTY_DAYS]
    for side in range(2):
        S.strain[side] = strain(P, S, side)


@njit
def close_or_open_terminals(P: Params, S: State, rng: np.random.Generator) -> None:
    """The LNA side closes the terminals it holds as a bargaining chip while mediators are
    at work (as in 2018: from each one's start, `mediation.<m>.start`); they reopen when it
    loses the oil crescent or at a settlement."""
    holds_oil = S.owner[int(P.x[OIL])] == LNA
    settled = S.i[TRUCE] == SETTLED
    if S.i[BLOCKADE] and (not holds_oil or settled):
        S.i[BLOCKADE] = 0
        log(S, EV_TERMINALS_REOPEN, 0, 0, 0)
    elif (not S.i[BLOCKADE] and P.x[BLOCKADE_ENABLED] and holds_oil and mediators_at_work(P, S)
          and not S.i[BLOCKADE_SETTLED] and not settled
          and dice.uniform(S, ECONOMY_DICE, rng) < P.x[BLOCKADE_RATE]):
        S.i[BLOCKADE] = 1
        log(S, EV_BLOCKADE, 0, 0, 0)


@njit
def mediator_at_work(P: Params, S: State, m: int) -> bool:
    """Mediator m is enabled and has started (`mediation.<m>.start`); `mediation` reads it
    too (it already reads this module)."""
    return P.mediator_enabled[m] and S.i[DAY] >= P.mediator_start[m]


@njit
def mediators_at_work(P: Params, S: State) -> bool:
    """Some mediator is at work."""
    for m in range(len(P.mediator_start)):
        if mediator_at_work(P, S, m):
            return True
    return False


@njit
def payroll_paid(funds: float, wage_bill_share: float) -> float:
    """Share of Tripoli's payroll paid: the central bank pays salaries first, in full while
    its funds cover the wage bill, in proportion below it."""
    return min(1.0, max(0.0, funds) / wage_bill_share)


@njit
def wages_paid(P: Params, S: State, f: int, payroll: float) -> float:
    """Share of a faction's wages paid: its share on Tripoli's payroll at the payroll's rate,
    the rest from its own sources (the LNA's parallel central bank), and, for what is still
    missing, what its side's active backers pay (`economy.<backer>.finance`)."""
    share = P.tripoli_share[f]
    own = share * payroll + (1.0 - share)
    side, day = P.faction_side[f], S.i[DAY]
    backers = 0.0
    for b in range(len(P.finance)):
        if P.backer_side[b] == side and P.backer_enabled[b] and day >= P.backer_start[b]:
            backers += P.finance[b]
    return min(1.0, own + backers)


@njit
def loyalty_target(P: Params, f: int, pay: float) -> float:
    """The loyalty a faction's wages sustain: whole when paid, lower by
    `economy.<faction>.pay_loyalty` for each unpaid share."""
    return 1.0 - P.pay_loyalty[f] * (1.0 - pay)


@njit
def strain(P: Params, S: State, side: int) -> float:
    """A side's fiscal strain: the unpaid share of its wages, its factions weighted by their own
    fighters (as last measured; equally before the first measure)."""
    unpaid = weights = 0.0
    for f in range(3):
        if P.faction_side[f] == side:
            w = max(S.totals[f] * own_share(P, S, f), 1.0)
            unpaid += w * (1.0 - S.pay[f])
            weights += w
    return unpaid / weights


@njit
def own_share(P: Params, S: State, f: int) -> float:
    """Share of a faction's fighters on Libyan pay: foreign contingents are paid by their
    backers."""
    foreign = forces.faction_foreign(P, S, f)
    return 1.0 - min(1.0, foreign / S.totals[f]) if S.totals[f] > 0.0 else 1.0


@njit
def committed(P: Params, S: State, f: int) -> float:
    """Share of a faction's strength it commits to its patron's fight: its own fighters by
    their loyalty, foreign contingents in full."""
    return 1.0 - (1.0 - S.loyalty[f]) * own_share(P, S, f)


@njit
def leaving(P: Params, S: State, f: int) -> float:
    """Daily share of a faction's fighters who go home for want of pay (its own fighters)."""
    return P.x[DEFECTION_RATE] * (1.0 - S.loyalty[f]) * own_share(P, S, f)


@njit
def talks_urgency(P: Params, S: State) -> float:
    """How much faster talks start and the economic track moves under fiscal strain on
    either side (1: not at all)."""
    if not P.x[FISCAL_PRESSURE]:
        return 1.0
    return 1.0 + P.x[PRESSURE_WEIGHT] * (S.strain[0] + S.strain[1])
