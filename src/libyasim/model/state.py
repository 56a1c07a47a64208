"""The world the submodels share, as arrays (see the ODD, section 2): places, holders, forces,
air, truce, talks, money, the agents' own variables and orders, the run's random numbers and
its records.

`State` is a named tuple of numpy arrays, which the compiled submodels read and write in place.
Scalars live in two small vectors with named indices: whole numbers in `S.i` (days, codes,
counters; -1 stands for "not yet"), real numbers in `S.f`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba.experimental import structref

from libyasim.model.config import (
    C_INITIAL,
    C_START,
    DELAY,
    FRONT_DAYS0,
    HORIZON,
    NOISE_SIGMA,
    Params,
)
from libyasim.model.jit import StructType, disabled, njit
from libyasim.params import BACKERS, MEDIATORS

HOLDER_LABELS = ("gna", "lna", "unaligned", "contested")  # codes 0..3 of holder_<place>


class Truce(IntEnum):
    """State of the ceasefire on a day (truce_state codes)."""

    NONE = 0  # no truce in force (none declared yet, or formally ended)
    HOLDING = 1  # in force and holding
    BROKEN = 2  # nominally in force, but fighting has resumed at war intensity
    SETTLED = 3  # permanent ceasefire (signed, declared in parallel, or after a decisive victory)
    IN_FORCE = 1  # 0.1 names, kept for older callers
    COLLAPSED = 2


TRUCE_LABELS = tuple(t.name.lower() for t in Truce)  # none, holding, broken, settled
NONE, HOLDING, BROKEN, SETTLED = 0, 1, 2, 3  # Truce as plain numbers, for the compiled code


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened on a day, in a plain sentence without the date."""

    day: int
    kind: str
    text: str
    actor: str | None = None
    place: str | None = None


(  # whole-number scalars, S.i
    DAY, TRUCE, TRUCE_COUNT, TRUCE_STARTED, FIRST_START, FIRST_COLLAPSE, FIRST_END, BROKEN_SINCE,
    MONITORS, MAP_DIRTY, MAP_VERSION, OWNER_VERSION, N_LOCAL_PAIRS, OWNERS_SEEN_SET,
    BLOCKADE, BLOCKADE_SETTLED, TALKS_DAY, RIPENESS, SETTLEMENT_DAY, SETTLEMENT_PATH, GUARANTEES,
    TRIPOLI_FALL_DAY, LNA_WITHDRAW_DAY, BATTLE_DEATHS, CIVILIAN_DEATHS, N_PAIRS, N_ROAD_PAIRS,
    N_EVENTS,
) = range(28)
N_INTS = 28
INTENSITY, FUNDS, PAY, ARMS_DELIVERED = range(4)  # real scalars, S.f
# (FUNDS: Tripoli's funds against its spending; PAY: the share of Tripoli's payroll it pays)
N_FLOATS = 4
MORALE, SUPPLY, PERCEIVED, PROPENSITY = range(4)  # S.faction[f, ...]
STANCE, TARGET, ORIGIN, OFFENSIVE_SINCE, CONSENTS, JOINS_TALKS = range(6)  # S.faction_i[f, ...]
TEST_SINCE, TEST_PLACE, TEST_ANSWER = range(3)  # S.tests[f, b, ...]
HOLD, RECIPROCATE, LIMITED, OFFENSIVE = range(4)  # stances
STANCES = ("hold", "reciprocate", "limited", "offensive")
ESCALATION_NOW, DELIVERED, INTERDICTED = range(3)  # S.backer_f[b, ...]
# orders given by players: -1 where none is given (the agent's own rule decides)
ORDER_STANCE, ORDER_TARGET, ORDER_MONITORS, ORDER_TALKS = range(4)  # S.faction_orders
ORDER_FIGHTERS, ORDER_MATERIEL, ORDER_DRONES, ORDER_INSPECTORS = range(4)  # S.backer_orders
ORDER_CONVENE, ORDER_PROPOSE_MONITORS, ORDER_PRESS, ORDER_GUARANTEES = range(4)  # mediator_orders
MILITARY, ECONOMIC, POLITICAL = range(3)  # talks' tracks
TRACKS = ("military", "economic", "political")
MEDIATED, PARALLEL, DECISIVE = range(3)  # settlement paths
SETTLEMENT_PATHS = ("mediated", "parallel_declarations", "decisive_victory")

# random numbers: one stream per submodel, a fixed slice of each day's row of draws, so that a
# scenario variant uses the same numbers on the same day for the same purpose as the baseline
# (common random numbers); a day that needs more than its slice falls back to the run's rng
STREAM_SIZES = (("decide", 8, 0), ("truce", 6, 0), ("combat", 12, 24), ("economy", 2, 0),
                ("mediation", 6, 0), *((f"arms_{b}", 6, 0) for b in BACKERS))
DECIDE_DICE, TRUCE_DICE, COMBAT_DICE, ECONOMY_DICE, MEDIATION_DICE, ARMS_DICE = range(6)
# (an arms stream per backer: ARMS_DICE + backer index)


def stream_slices() -> np.ndarray:
    """int64[stream, 4]: first and end column of its uniforms, then of its normals."""
    out, u, z = [], 0, 0
    for _, nu, nz in STREAM_SIZES:
        out.append((u, u + nu, z, z + nz))
        u, z = u + nu, z + nz
    return np.array(out, dtype=np.int64)


STREAMS = stream_slices()
EVENT_FIELDS = 5  # day, code, and three numbers (see records.EVENT_TEXT)


class State(NamedTuple):
    """Everything that changes during a run, as arrays the compiled submodels update."""

    i: np.ndarray  # int64[N_INTS]
    f: np.ndarray  # float64[N_FLOATS]
    # places and forces
    owner: np.ndarray  # int64[place]: GNA, LNA or NONE
    owners_seen: np.ndarray  # int64[place]: holders when engagements and reach were computed
    contested: np.ndarray  # bool[place]
    forces: np.ndarray  # float64[faction, place]
    reserve: np.ndarray  # float64[faction]: fighters away from any place
    pairs: np.ndarray  # int64[k, 2]: engagements (GNA-side place, LNA-side place)
    pair_split: np.ndarray  # float64[k, 2]: 1 / engagements of each end's place
    road_pairs: np.ndarray  # int64[k, 2]
    front: np.ndarray  # bool[side, place]
    reach: np.ndarray  # float64[side, place]
    eff: np.ndarray  # float64[side, place]: effective fighters (last measure)
    raw: np.ndarray  # float64[side, place]: head count (last measure)
    totals: np.ndarray  # float64[faction] (last measure)
    factor: np.ndarray  # float64[faction]: morale x supply x air interdiction
    # red lines declared in the run, and unaligned fronts (#15 part 4)
    threat: np.ndarray  # float64[faction, place]: red-line multiplier the attacker expects
    shield: np.ndarray  # float64[place]: red-line multiplier where a backer intervenes today
    declared: np.ndarray  # bool[backer, place]: red line declared
    enforced: np.ndarray  # int64[faction, backer, place]: tests the backer answered
    unenforced: np.ndarray  # int64[faction, backer, place]: tests it let pass
    tests: np.ndarray  # int64[faction, backer, TEST_*]: the offensive tested last, the answer
    local: np.ndarray  # float64[place]: local defenders (of unaligned places, or allies)
    local_pairs: np.ndarray  # int64[k, 2]: fronts with unaligned places (side's place, place)
    # foreign fighters, by contingent; peaks by side
    contingents: np.ndarray
    contingents_peak: np.ndarray
    # air war, by side
    drones: np.ndarray
    air_defence: np.ndarray
    air_share: np.ndarray
    # materiel stocks, by side (#15 part 2; ODD 7.14)
    munitions: np.ndarray  # float64[side]: on hand, fighter-equivalents
    fighting: np.ndarray  # float64[side]: the last fight's mean intensity over its fronts
    fought: np.ndarray  # float64[place]: days of fighting there since it last changed hands
    opened: np.ndarray  # bool[place]: a front open there (contested on day 0, attacked, or next to a capture)
    # arms: shipments by arrival day and backer
    transit: np.ndarray  # float64[day + delay, backer]: amount arriving
    transit_boost: np.ndarray  # float64[day + delay, backer]: multiple of the usual drone share
    pending: np.ndarray  # float64[side]: shipped, not yet arrived
    delivered_month: np.ndarray  # float64[side]
    loss_signal: np.ndarray  # float64[side]
    # balance of power, by side
    advantage: np.ndarray
    trend: np.ndarray
    projected: np.ndarray
    # truce, talks
    attribution: np.ndarray  # float64[faction]
    pressure: np.ndarray  # float64[side]
    tracks: np.ndarray  # float64[track]
    # today's counters, by faction
    violations: np.ndarray  # int64
    rogue: np.ndarray  # int64
    attributed: np.ndarray  # int64
    losses: np.ndarray  # float64
    gained: np.ndarray  # int64
    lost: np.ndarray  # int64
    # the agents' own variables and the players' orders
    faction: np.ndarray  # float64[faction, MORALE..PROPENSITY]
    faction_i: np.ndarray  # int64[faction, STANCE..JOINS_TALKS]
    faction_orders: np.ndarray  # int64[faction, ORDER_*]
    backer_f: np.ndarray  # float64[backer, ESCALATION_NOW..INTERDICTED]
    clocks: np.ndarray  # float64[backer, lane]: expected shipments until the next one
    clocks_set: np.ndarray  # bool[backer]
    backer_orders: np.ndarray  # float64[backer, ORDER_*]
    leverage: np.ndarray  # float64[mediator]
    mediator_orders: np.ndarray  # int64[mediator, ORDER_*]
    # random numbers, drawn up front
    uniforms: np.ndarray  # float64[day, column]
    normals: np.ndarray  # float64[day, column] (combat's are lognormal multipliers)
    streams: np.ndarray  # int64[stream, 4] (STREAMS)
    cursor: np.ndarray  # int64[stream, 2]: next uniform and normal today
    # records
    series: np.ndarray  # float64[day, column] (records.SERIES_COLUMNS)
    events: np.ndarray  # int64[k, EVENT_FIELDS]
    # oil and money, 3.0
    pay: np.ndarray  # float64[faction]: share of its wages paid
    loyalty: np.ndarray  # float64[faction]: share of its strength it commits to its patron
    strain: np.ndarray  # float64[side]: unpaid share of its wages (fighter-weighted)


def new_state(P: Params, rng: np.random.Generator, series_columns: int) -> State:
    """The state before day 0's set-up, with the run's random numbers drawn from `rng`."""
    n = len(P.holder0)
    days = int(P.x[HORIZON])
    nb, nm = len(BACKERS), len(MEDIATORS)
    uniforms, normals = _draws(P, rng, days)
    ints = np.full(N_INTS, -1, dtype=np.int64)
    for k in (TRUCE, TRUCE_COUNT, MONITORS, MAP_VERSION, OWNER_VERSION, OWNERS_SEEN_SET,
              BLOCKADE, BLOCKADE_SETTLED, RIPENESS, GUARANTEES, BATTLE_DEATHS, CIVILIAN_DEATHS,
              N_PAIRS, N_ROAD_PAIRS, N_LOCAL_PAIRS, N_EVENTS, DAY):
        ints[k] = 0
    ints[MAP_DIRTY] = 1
    floats = np.zeros(N_FLOATS)
    floats[FUNDS] = floats[PAY] = 1.0
    max_pairs = int((P.neighbours >= 0).sum()) + n
    faction = np.zeros((3, 4))
    faction[:, MORALE] = 1.0
    faction_i = np.full((3, 6), -1, dtype=np.int64)
    faction_i[:, STANCE] = RECIPROCATE
    faction_i[:, CONSENTS] = faction_i[:, JOINS_TALKS] = 1
    backer_f = np.zeros((nb, 3))
    backer_f[:, ESCALATION_NOW] = 1.0
    backer_orders = np.ones((nb, 4))
    backer_orders[:, ORDER_INSPECTORS] = 0.0
    return State(
        i=ints, f=floats,
        owner=P.holder0.copy(), owners_seen=np.full(n, -1, dtype=np.int64),
        contested=np.zeros(n, dtype=np.bool_), forces=np.zeros((3, n)), reserve=np.zeros(3),
        pairs=np.zeros((max_pairs, 2), dtype=np.int64), pair_split=np.zeros((max_pairs, 2)),
        road_pairs=np.zeros((max_pairs, 2), dtype=np.int64),
        front=np.zeros((2, n), dtype=np.bool_), reach=np.ones((2, n)),
        eff=np.zeros((2, n)), raw=np.zeros((2, n)), totals=np.zeros(3), factor=np.ones(3),
        threat=np.ones((3, n)), shield=np.ones(n), declared=np.zeros((nb, n), dtype=np.bool_),
        enforced=np.zeros((3, nb, n), dtype=np.int64),
        unenforced=np.zeros((3, nb, n), dtype=np.int64),
        tests=np.full((3, nb, 3), -1, dtype=np.int64),
        local=P.local0.copy(), local_pairs=np.zeros((max_pairs, 2), dtype=np.int64),
        contingents=np.where(P.contingent[:, C_START] <= 0, P.contingent[:, C_INITIAL], 0.0),
        contingents_peak=np.zeros(2),
        drones=P.drones0.copy(), air_defence=P.air_defence0.copy(), air_share=np.full(2, 0.5),
        munitions=np.zeros(2), fighting=np.zeros(2),
        fought=np.where(P.contested0, P.x[FRONT_DAYS0], 0.0), opened=P.contested0.copy(),
        transit=np.zeros((days + int(P.x[DELAY]) + 1, nb)),
        transit_boost=np.zeros((days + int(P.x[DELAY]) + 1, nb)),
        pending=np.zeros(2), delivered_month=np.zeros(2), loss_signal=np.zeros(2),
        advantage=np.zeros(2), trend=np.zeros(2), projected=np.zeros(2),
        attribution=np.zeros(3), pressure=np.zeros(2), tracks=np.zeros(3),
        violations=np.zeros(3, dtype=np.int64), rogue=np.zeros(3, dtype=np.int64),
        attributed=np.zeros(3, dtype=np.int64), losses=np.zeros(3),
        gained=np.zeros(3, dtype=np.int64), lost=np.zeros(3, dtype=np.int64),
        faction=faction, faction_i=faction_i,
        faction_orders=np.full((3, 4), -1, dtype=np.int64),
        backer_f=backer_f, clocks=np.zeros((nb, 3)), clocks_set=np.zeros(nb, dtype=np.bool_),
        backer_orders=backer_orders, leverage=P.leverage0.copy(),
        mediator_orders=np.full((nm, 4), -1, dtype=np.int64),
        uniforms=uniforms, normals=normals, streams=STREAMS,
        cursor=np.zeros((len(STREAMS), 2), dtype=np.int64),
        series=np.zeros((days + 1, series_columns)),
        events=np.zeros((16 * (days + 1) + 2 * nb * n, EVENT_FIELDS), dtype=np.int64),
        pay=np.ones(3), loyalty=np.ones(3), strain=np.zeros(2),
    )


def _draws(P: Params, rng: np.random.Generator, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Each day's row of uniforms and of normals; the combat stream's normals become lognormal
    multipliers of mean 1 (`combat.noise_cv`, the noise of daily losses)."""
    uniforms = rng.random((days + 1, int(STREAMS[-1, 1])))
    normals = rng.standard_normal((days + 1, int(STREAMS[:, 3].max())))
    sigma = float(P.x[NOISE_SIGMA])
    start, end = STREAMS[COMBAT_DICE, 2], STREAMS[COMBAT_DICE, 3]
    block = normals[:, start:end]
    normals[:, start:end] = np.exp(sigma * block - 0.5 * sigma * sigma)
    return uniforms, normals


# ------------------------------------------------------------------------- for the compiled day
@structref.register
class StateStructType(StructType):
    pass


class StateStruct(structref.StructRefProxy):
    """The state as the compiled day receives it: the same arrays, behind one pointer."""


structref.define_proxy(StateStruct, StateStructType, list(State._fields))


@njit
def _state_struct(S: State) -> StateStruct:
    return StateStruct(*S)


def for_kernel(S: State) -> State:
    """What the compiled submodels take: a structure over the same arrays (the named tuple
    itself when they run as plain Python)."""
    return S if disabled() else _state_struct(S)
