"""The world the submodels share: places, holders, forces, air, truce, talks, money, records.

Plain Python lists and small values (the daily step touches a handful of numbers; numpy calls
would cost more than they save). No behaviour here beyond derived views and random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from libyasim.model.config import GNA, LNA, NONE, Config
from libyasim.params import BACKERS

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


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened on a day, in a plain sentence without the date."""

    day: int
    kind: str
    text: str
    actor: str | None = None
    place: str | None = None


class Stream:
    """Random numbers for one submodel: a fixed slice of each day's row of draws.

    A scenario variant then uses the same numbers on the same day for the same purpose as the
    baseline (common random numbers), even where it consumes a different count of them
    elsewhere; a day that needs more draws than its slice holds falls back to `rng`.
    """

    def __init__(self, rng: np.random.Generator, start: int, size: int, zstart: int, zsize: int):
        self.rng = rng
        self.sigma: float | None = None  # set: normals are lognormal multipliers (combat noise)
        self._start, self._end, self._zstart, self._zend = start, start + size, zstart, zstart + zsize
        self._urow: list[float] = []
        self._zrow: list[float] = []
        self._ui, self._zi = start, zstart

    def day(self, urow: list[float], zrow: list[float]) -> None:
        self._urow, self._zrow = urow, zrow
        self._ui, self._zi = self._start, self._zstart

    def uniform(self) -> float:
        i = self._ui
        if i < self._end:
            self._ui = i + 1
            return self._urow[i]
        return float(self.rng.random())

    def normal(self) -> float:
        i = self._zi
        if i < self._zend:
            self._zi = i + 1
            return self._zrow[i]
        z = float(self.rng.standard_normal())
        return z if self.sigma is None else math.exp(self.sigma * z - 0.5 * self.sigma ** 2)

    def normals(self, n: int) -> list[float]:
        """The next `n` normals (lognormal multipliers for combat)."""
        i = self._zi
        if i + n <= self._zend:
            self._zi = i + n
            return self._zrow[i:i + n]
        return [self.normal() for _ in range(n)]

    def poisson(self, mean: float) -> int:
        """A Poisson count by inversion (normal approximation above a mean of 30)."""
        if mean <= 0.0:
            return 0
        if mean > 30.0:
            return max(0, round(mean + math.sqrt(mean) * self.normal()))
        u, k = self.uniform(), 0
        p = c = math.exp(-mean)
        while u > c and k < 200:
            k += 1
            p *= mean / k
            c += p
        return k

    def count(self, expected: float) -> int:
        """A whole number with the given expectation (stochastic rounding)."""
        whole = math.floor(expected)
        return whole + (self.uniform() < expected - whole)


# uniforms and normals a day, by stream (arms: per backer)
_SIZES = {"decide": (8, 0), "truce": (6, 0), "combat": (12, 24), "economy": (2, 0),
          "mediation": (6, 0), **{f"arms_{b}": (6, 0) for b in BACKERS}}


class Dice:
    """One stream of random numbers per submodel, all drawn up front from the model's `rng`."""

    def __init__(self, rng: np.random.Generator, days: int, noise_cv: float = 0.0):
        streams, u, z = {}, 0, 0
        for name, (nu, nz) in _SIZES.items():
            streams[name] = Stream(rng, u, nu, z, nz)
            u, z = u + nu, z + nz
        uniforms = rng.random((days + 1, u))
        normals = rng.standard_normal((days + 1, z))
        # the combat stream's normals become lognormal multipliers of mean 1 and the given
        # coefficient of variation (the noise of daily losses)
        sigma = math.sqrt(math.log1p(noise_cv * noise_cv))
        combat = streams["combat"]
        block = normals[:, combat._zstart:combat._zend]
        normals[:, combat._zstart:combat._zend] = np.exp(sigma * block - 0.5 * sigma * sigma)
        combat.sigma = sigma
        self._all = tuple(streams.values())
        self._urows, self._zrows = uniforms.tolist(), normals.tolist()  # one row a day
        self.decide, self.truce, self.combat = streams["decide"], streams["truce"], streams["combat"]
        self.economy, self.mediation = streams["economy"], streams["mediation"]
        self.arms = [streams[f"arms_{b}"] for b in BACKERS]  # one per backer
        self.day(0)

    def day(self, day: int) -> None:
        urow, zrow = self._urows[day], self._zrows[day]
        for stream in self._all:
            stream.day(urow, zrow)


class State:
    """Everything that changes during a run (see the ODD, section 2)."""

    def __init__(self, cfg: Config, rng: np.random.Generator):
        m = cfg.map
        self.day = 0
        self.dice = Dice(rng, cfg.horizon, cfg.combat.noise_cv)
        # places and forces
        self.owner: list[int] = list(m.holder)
        self.forces: list[list[float]] = [[0.0] * m.n for _ in range(3)]  # faction x place
        self.reserve: list[float] = [0.0, 0.0, 0.0]  # fighters away from any place, by faction
        self.contested: list[bool] = [False] * m.n
        self.pairs: list[tuple[int, int]] = []  # engagements: (GNA-side place, LNA-side place)
        self.pair_split: list[tuple[float, float]] = []  # 1 / engagements of each end's place
        self.totals = [0.0, 0.0, 0.0]  # fighters by faction (as of the last measure)
        self.front: list[list[bool]] = [[False] * m.n, [False] * m.n]  # side x place
        self.reach: list[list[float]] = [[1.0] * m.n, [1.0] * m.n]  # side x place
        self.map_dirty = True  # holders changed: recompute pairs, reach, records
        self.owners_seen: list[int] = []  # holders when engagements and reach were computed
        self.road_pairs: list[tuple[int, int]] = []
        self.map_version = 0  # counts changes of holders or contested places
        self.owner_version = 0  # counts changes of holders
        self.threat_version = -1  # owner version the red-line threats were computed for
        # foreign fighters (people) by contingent
        self.contingents: list[float] = [c.initial for c in cfg.forces.contingents]
        self.contingent_faction = [c.faction for c in cfg.forces.contingents]
        self.contingents_of = [[i for i, c in enumerate(cfg.forces.contingents)
                                if FACTIONS_OF[GNA].count(c.faction)],
                               [i for i, c in enumerate(cfg.forces.contingents)
                                if FACTIONS_OF[LNA].count(c.faction)]]  # by side
        self.contingents_peak = [0.0, 0.0]  # by side
        # air war, by side
        self.drones = list(cfg.air.drones)
        self.air_defence = list(cfg.air.air_defence)
        self.air_share = [0.5, 0.5]
        # arms pipeline and flows
        # arrival day -> (backer, amount, multiple of the usual drone share)
        self.in_transit: dict[int, list[tuple[int, float, float]]] = {}
        self.pending = [0.0, 0.0]  # shipped, not yet arrived, by side
        self.delivered_month = [0.0, 0.0]  # ground materiel of the last ~month, by side
        self.loss_signal = [0.0, 0.0]  # recent losses as shares of fighters, by side
        # balance of power (perceived)
        self.advantage = [0.0, 0.0]
        self.trend = [0.0, 0.0]  # change of the advantage, a month's worth, smoothed
        self.projected = [0.0, 0.0]  # advantage expected at the commitment horizon
        self.threat = [1.0] * m.n  # red-line multiplier on the holder's strength, as expected
        self.shield = [1.0] * m.n  # red-line multiplier where a backer intervenes today
        self.factor = [1.0, 1.0, 1.0]  # morale x supply x air interdiction, by faction
        self.eff: list[list[float]] = [[0.0] * m.n, [0.0] * m.n]  # side x place, see combat
        self.raw: list[list[float]] = [[0.0] * m.n, [0.0] * m.n]  # head count, side x place
        self.intervening: set[tuple[int, int]] = set()  # (backer, place) interventions so far
        # truce
        self.truce = Truce.NONE
        self.truce_count = 0  # truces declared so far
        self.truce_started: int | None = None  # start of the current truce
        self.first_start: int | None = None
        self.first_collapse: int | None = None
        self.first_end: int | None = None
        self.broken_since: int | None = None
        self.monitors = False  # monitors at work today
        self.attribution = [0.0, 0.0, 0.0]  # chance a faction's violations are attributed to it
        self.intensity = 0.0  # highest fighting intensity on any front today
        # money
        self.blockade = False
        self.funds = 1.0  # the GNA's funds relative to normal
        self.pay = 1.0  # share of the GNA side's salaries paid
        self.blockade_settled = False  # the economic track lifted the blockade for good
        # mediation
        self.pressure = [0.0, 0.0]  # on each side
        self.leverage_factor = 1.0
        self.talks_day: int | None = None
        self.tracks = {"military": 0.0, "economic": 0.0, "political": 0.0}
        self.ripeness = 0  # days of stalemate so far (quiet days count too)
        self.settlement_day: int | None = None
        self.settlement_path: str | None = None
        self.guarantees = False
        # milestones
        self.tripoli_fall_day: int | None = None
        self.lna_withdraw_day: int | None = None
        # today's counters
        self.violations = [0, 0, 0]  # by faction
        self.rogue = [0, 0, 0]  # of which by units outside the leadership's control
        self.attributed = [0, 0, 0]
        self.battle_deaths = 0
        self.civilian_deaths = 0
        self.arms_delivered = 0.0
        self.losses = [0.0, 0.0, 0.0]  # fighters put out of action today, by faction
        self.gained = [0, 0, 0]  # places gained / lost today, by faction
        self.lost = [0, 0, 0]
        self.events: list[Event] = []

    def begin_day(self, day: int) -> None:
        self.day = day
        self.dice.day(day)
        self.violations = [0, 0, 0]
        self.rogue = [0, 0, 0]
        self.attributed = [0, 0, 0]
        self.battle_deaths = self.civilian_deaths = 0
        self.arms_delivered = 0.0
        self.losses = [0.0, 0.0, 0.0]
        self.intensity = 0.0

    def log(self, kind: str, text: str, actor: str | None = None,
            place: str | None = None) -> None:
        self.events.append(Event(self.day, kind, text, actor, place))

    # ---------------------------------------------------------------- derived views
    def foreign_fighters(self, side: int) -> float:
        return sum([self.contingents[i] for i in self.contingents_of[side]])

    def side_total(self, side: int) -> float:
        """Fighters of a side (as of the last measure)."""
        return sum([self.totals[f] for f in FACTIONS_OF[side]])

    def holder_code(self, place: int) -> int:
        """0 gna, 1 lna, 2 unaligned, 3 contested (HOLDER_LABELS)."""
        return 3 if self.contested[place] else self.owner[place]

    def at_war(self) -> bool:
        """No truce holds: fronts see at least positional fighting."""
        return self.truce in (Truce.NONE, Truce.BROKEN)


FACTIONS_OF = {GNA: (0, 1), LNA: (2,), NONE: ()}  # faction indices of each side
