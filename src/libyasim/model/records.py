"""Records: the daily series (one row a day, named columns) and the milestones read off it."""

from __future__ import annotations

import numpy as np

from libyasim.model.agents import Faction
from libyasim.model.config import GNA, LNA, PLACE_KEYS, Config
from libyasim.model.state import HOLDER_LABELS, TRUCE_LABELS, State

SERIES_COLUMNS: tuple[str, ...] = (
    "control_gna", "control_lna", "control_unaligned", "control_contested",
    "population_gna", "population_lna", "population_unaligned", "population_contested",
    "forces_gna", "forces_wag", "forces_lna",
    "foreign_fighters_gna_side", "foreign_fighters_lna_side",
    "air_gna_side", "air_lna_side", "air_defence_gna_side", "air_defence_lna_side",
    "air_superiority_gna",
    "violations_gna", "violations_wag", "violations_lna", "violations",
    "violations_attributed",
    "battle_deaths", "civilian_deaths", "conflict_deaths", "arms_delivered",
    "truce_state", "morale_gna", "morale_wag", "morale_lna",
    "intensity", "oil_blockade", "gna_funds", "ripeness_days",
    *(f"holder_{k}" for k in PLACE_KEYS),
)
SERIES_CATEGORIES: dict[str, tuple[str, ...]] = {
    "truce_state": TRUCE_LABELS, **{f"holder_{k}": HOLDER_LABELS for k in PLACE_KEYS}}
COUNT_COLUMNS = ("violations_gna", "violations_wag", "violations_lna", "violations",
                 "violations_attributed", "battle_deaths", "civilian_deaths", "conflict_deaths")


class Recorder:
    """Keeps the day's row; the map part is recomputed only when holders change. Rows are
    copied into the series array when it is read (one copy for many days)."""

    def __init__(self, cfg: Config, days: int) -> None:
        self.cfg = cfg
        self._series = np.zeros((days + 1, len(SERIES_COLUMNS)))
        self._rows: list[list[float]] = []
        self._copied = 0
        self._version = -1
        self._control: list[float] = []
        self._holders: list[int] = []

    @property
    def series(self) -> np.ndarray:
        """The daily series so far (rows after today are zeros)."""
        if self._copied < len(self._rows):
            self._series[self._copied:len(self._rows)] = self._rows[self._copied:]
            self._copied = len(self._rows)
        return self._series

    def record(self, s: State, factions: list[Faction]) -> None:
        if self._version != s.map_version:
            self._map_part(s)
        violations = sum(s.violations)
        row = [
            *self._control,
            *s.totals, s.foreign_fighters(GNA), s.foreign_fighters(LNA),
            s.drones[GNA], s.drones[LNA], s.air_defence[GNA], s.air_defence[LNA], s.air_share[GNA],
            *s.violations, violations, sum(s.attributed),
            s.battle_deaths, s.civilian_deaths, s.battle_deaths + s.civilian_deaths,
            s.arms_delivered, int(s.truce), *[f.morale for f in factions],
            s.intensity, float(s.blockade), s.funds, s.ripeness,
            *self._holders,
        ]
        self._rows.append(row)
        if s.lna_withdraw_day is None and not lna_near_tripoli(s, self.cfg):
            s.lna_withdraw_day = s.day

    def _map_part(self, s: State) -> None:
        m = self.cfg.map
        codes = [s.holder_code(p) for p in range(m.n)]
        control = [0.0] * 4
        population = [0.0] * 4
        for code, share in zip(codes, m.population_share):
            control[code] += 1.0 / m.n
            population[code] += share
        self._control, self._holders = control + population, codes
        self._version = s.map_version


def lna_near_tripoli(s: State, cfg: Config) -> bool:
    """The LNA holds a place, or has fighters, within the Tripoli front's radius."""
    presence, owner, forces = cfg.forces.presence, s.owner, s.forces[2]
    for p in cfg.map.near_tripoli:
        if owner[p] == LNA or forces[p] > presence:
            return True
    return False


def totals(series, day: int, *columns: str) -> list[int]:
    """Sums of count columns from day 0 to `day`."""
    idx = [SERIES_COLUMNS.index(c) for c in columns]
    block = series[: day + 1]
    return [round(float(block[:, i].sum())) for i in idx]

