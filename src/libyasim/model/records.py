"""Records: the daily series (one row a day, named columns), the event log (integer codes,
written as sentences only when read) and the milestones read off them."""

from __future__ import annotations

import numpy as np

from libyasim.params import BACKERS
from libyasim.model.config import (
    BACKER_CLIENT,
    CONTINGENTS,
    FACTION_SIDE,
    GNA,
    LNA,
    PLACE_KEYS,
    PRESENCE,
    SIDE_OF,
    Config,
    MapConfig,
    Params,
)
from libyasim.model.forces import foreign_fighters
from libyasim.model.jit import njit
from libyasim.model.state import (
    ARMS_DELIVERED,
    BATTLE_DEATHS,
    BLOCKADE,
    CIVILIAN_DEATHS,
    DAY,
    FUNDS,
    HOLDER_LABELS,
    INTENSITY,
    LNA_WITHDRAW_DAY,
    MORALE,
    N_EVENTS,
    RIPENESS,
    SETTLEMENT_PATHS,
    TRACKS,
    TRUCE,
    TRUCE_LABELS,
    Event,
    State,
)

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
    "pay_gna", "pay_wag", "pay_lna", "loyalty_gna", "loyalty_wag", "loyalty_lna",
    "munitions_gna_side", "munitions_lna_side",
    *(f"foreign_fighters_{c}" for c in CONTINGENTS),
    *(f"holder_{k}" for k in PLACE_KEYS),
)
SERIES_CATEGORIES: dict[str, tuple[str, ...]] = {
    "truce_state": TRUCE_LABELS, **{f"holder_{k}": HOLDER_LABELS for k in PLACE_KEYS}}
COUNT_COLUMNS = ("violations_gna", "violations_wag", "violations_lna", "violations",
                 "violations_attributed", "battle_deaths", "civilian_deaths", "conflict_deaths")
FIRST_HOLDER_COLUMN = SERIES_COLUMNS.index(f"holder_{PLACE_KEYS[0]}")
MUNITIONS_COLUMN = SERIES_COLUMNS.index("munitions_gna_side")
CONTINGENT_COLUMN = SERIES_COLUMNS.index(f"foreign_fighters_{CONTINGENTS[0]}")

# ------------------------------------------------------------------------- events
(EV_TRUCE_CALLED, EV_TRUCE_NEW, EV_MONITORS, EV_OFFENSIVE, EV_AIR_GNA, EV_AIR_LNA, EV_RED_LINE,
 EV_INTERVENTION, EV_VIOLATIONS_ATTRIBUTED, EV_VIOLATIONS_BLAMED, EV_CAPTURE, EV_TRUCE_BROKEN,
 EV_TRUCE_OVER, EV_TERMINALS_REOPEN, EV_BLOCKADE, EV_TERMINALS_DEAL, EV_TALKS, EV_TRACK,
 EV_SETTLEMENT) = range(19)
EV_STANDS_ASIDE = 19  # a backer lets an attack on its red line pass (#15 part 4)
SWITCHED = 3  # added to the faction of a red-line answer: its side's groups went over, no attack


@njit
def log(S: State, code: int, a: int, b: int, c: int) -> None:
    """Something happened today: an event code and up to three numbers (see `describe`)."""
    k = S.i[N_EVENTS]
    if k < S.events.shape[0]:
        S.events[k, 0], S.events[k, 1] = S.i[DAY], code
        S.events[k, 2], S.events[k, 3], S.events[k, 4] = a, b, c
        S.i[N_EVENTS] = k + 1


_FACTION_KEYS = ("gna", "wag", "lna")
_SIDE_WORDS = {"gna": "The GNA", "wag": "The western armed groups", "lna": "The LNA"}
_TRACK_TEXT = {
    "military": "The joint military commission (five officers from each side) agrees on the "
                "terms of a ceasefire.",
    "economic": "The economic track agrees on sharing oil revenue; the oil terminals may reopen.",
    "political": "The political track agrees on a roadmap to a unified government.",
}


def describe(row: np.ndarray, cfg: Config) -> Event:
    """The event of a row of `State.events`, as a sentence (without the date)."""
    day, code, a, b, c = (int(x) for x in row)
    m = cfg.map
    if code == EV_TRUCE_CALLED:
        return Event(day, "truce", "The truce called by Russia and Turkey comes into force.")
    if code == EV_TRUCE_NEW:
        return Event(day, "truce", "The sides agree to a new truce.")
    if code == EV_MONITORS:
        return Event(day, "monitors", "Ceasefire monitors begin to verify and attribute "
                     "violations.", "berlin")
    if code == EV_OFFENSIVE:
        side = "GNA side" if FACTION_SIDE[a] == GNA else "LNA"
        return Event(day, "offensive", f"The {side} launches an offensive on {m.names[b]}.",
                     _FACTION_KEYS[a], m.keys[b])
    if code == EV_AIR_GNA:
        return Event(day, "air", "The GNA side gains air superiority: its drones fly over the "
                     "fronts largely unopposed.", "gna")
    if code == EV_AIR_LNA:
        return Event(day, "air", "The LNA gains air superiority over the fronts.", "lna")
    if code in (EV_RED_LINE, EV_INTERVENTION, EV_STANDS_ASIDE):
        return _red_line_event(day, code, BACKERS[a], b, c, m)
    if code == EV_VIOLATIONS_ATTRIBUTED:
        return Event(day, "violations", f"{a} violations reported; monitors attribute {b} to the "
                     f"GNA side and {c} to the LNA.")
    if code == EV_VIOLATIONS_BLAMED:
        return Event(day, "violations", f"{a} violations reported; each side blames the other.")
    if code == EV_CAPTURE:
        side = "GNA side" if a == GNA else "LNA"
        text = (f"{m.names[b]}'s local armed groups go over to the {side}." if c else
                f"{'GNA-side' if a == GNA else 'LNA'} forces take {m.names[b]}.")
        return Event(day, "capture", text, "gna" if a == GNA else "lna", m.keys[b])
    if code == EV_TRUCE_BROKEN:
        return Event(day, "truce_broken", "Fighting resumes at full intensity; the truce exists "
                     "only on paper.")
    if code == EV_TRUCE_OVER:
        key = _FACTION_KEYS[a]
        return Event(day, "truce_over", f"{_SIDE_WORDS[key]} declares the truce over.", key)
    if code == EV_TERMINALS_REOPEN:
        return Event(day, "blockade", "The oil terminals reopen.", "lna", "oil_crescent")
    if code == EV_BLOCKADE:
        return Event(day, "blockade", "LNA-aligned groups close the oil terminals; the GNA's oil "
                     "revenue collapses.", "lna", "oil_crescent")
    if code == EV_TERMINALS_DEAL:
        return Event(day, "blockade", "The oil terminals reopen under the economic deal.", "lna",
                     "oil_crescent")
    if code == EV_TALKS:
        return Event(day, "talks", "The two sides' delegations begin talks under the mediators.")
    if code == EV_TRACK:
        return Event(day, "track", _TRACK_TEXT[TRACKS[a]])
    if code == EV_SETTLEMENT:
        path = SETTLEMENT_PATHS[a]
        if path == "mediated":
            text = "The sides sign a permanent ceasefire agreement."
        elif path == "parallel_declarations":
            text = ("Both sides declare a ceasefire in parallel statements, without a signed "
                    "agreement.")
        elif b == LNA:
            text = "With Tripoli lost, the GNA side sues for peace."
        else:
            text = "With Benghazi lost, the LNA sues for peace."
        return Event(day, "settlement", text)
    raise ValueError(f"unknown event code {code}")


def _red_line_event(day: int, code: int, backer: str, place: int, other: int,
                    m: MapConfig) -> Event:
    """A red line declared (`other`: the interest it protects), enforced or let pass (`other`:
    the attacking faction, plus `SWITCHED` when the place's groups went over to its side)."""
    name, where = backer.capitalize(), m.names[place]
    if code == EV_RED_LINE:
        enemy = "the LNA" if SIDE_OF[BACKER_CLIENT[backer]] == GNA else "the GNA side"
        protects = "" if other == place else f", to protect {m.names[other]}"
        text = (f"{name} declares {where} a red line: it will intervene directly if {enemy} "
                f"attacks it{protects}.")
        return Event(day, "red_line", text, backer, m.keys[place])
    if other >= SWITCHED:
        side = "the LNA" if _FACTION_KEYS[other - SWITCHED] == "lna" else "the GNA side"
        if code == EV_INTERVENTION:
            return Event(day, "intervention", f"{name} intervenes directly: {where}'s local "
                         f"armed groups, about to go over to {side}, stay.", backer,
                         m.keys[place])
        return Event(day, "red_line_tested", f"{where}'s local armed groups go over to {side}; "
                     f"{name} does not intervene, despite its red line.", backer, m.keys[place])
    attacker = _SIDE_WORDS[_FACTION_KEYS[other]]
    if code == EV_INTERVENTION:
        whose = attacker[0].lower() + attacker[1:] + ("'" if attacker.endswith("s") else "'s")
        return Event(day, "intervention", f"{name} intervenes directly to defend {where} against "
                     f"{whose} offensive.", backer, m.keys[place])
    return Event(day, "red_line_tested", f"{attacker} attacks {where}; {name} does not "
                 "intervene, despite its red line.", backer, m.keys[place])


# ------------------------------------------------------------------------- the daily row
@njit
def record(P: Params, S: State) -> None:
    """Write the day's row of the series; note the day the LNA leaves the Tripoli front."""
    day, row = S.i[DAY], S.series[S.i[DAY]]
    n = len(S.owner)
    for k in range(8):
        row[k] = 0.0
    for p in range(n):
        code = 3 if S.contested[p] else S.owner[p]
        row[code] += 1.0 / n
        row[4 + code] += P.population_share[p]
        row[FIRST_HOLDER_COLUMN + p] = code
    row[8], row[9], row[10] = S.totals[0], S.totals[1], S.totals[2]
    row[11], row[12] = foreign_fighters(P, S, GNA), foreign_fighters(P, S, LNA)
    row[13], row[14] = S.drones[GNA], S.drones[LNA]
    row[15], row[16] = S.air_defence[GNA], S.air_defence[LNA]
    row[17] = S.air_share[GNA]
    row[18], row[19], row[20] = S.violations[0], S.violations[1], S.violations[2]
    row[21] = S.violations[0] + S.violations[1] + S.violations[2]
    row[22] = S.attributed[0] + S.attributed[1] + S.attributed[2]
    row[23], row[24] = S.i[BATTLE_DEATHS], S.i[CIVILIAN_DEATHS]
    row[25] = S.i[BATTLE_DEATHS] + S.i[CIVILIAN_DEATHS]
    row[26], row[27] = S.f[ARMS_DELIVERED], S.i[TRUCE]
    row[28], row[29], row[30] = S.faction[0, MORALE], S.faction[1, MORALE], S.faction[2, MORALE]
    row[31], row[32], row[33], row[34] = S.f[INTENSITY], S.i[BLOCKADE], S.f[FUNDS], S.i[RIPENESS]
    for f in range(3):
        row[35 + f], row[38 + f] = S.pay[f], S.loyalty[f]
    row[MUNITIONS_COLUMN], row[MUNITIONS_COLUMN + 1] = S.munitions[GNA], S.munitions[LNA]
    for i in range(len(S.contingents)):
        row[CONTINGENT_COLUMN + i] = S.contingents[i]
    if S.i[LNA_WITHDRAW_DAY] < 0 and not lna_near_tripoli(P, S):
        S.i[LNA_WITHDRAW_DAY] = day


@njit
def lna_near_tripoli(P: Params, S: State) -> bool:
    """The LNA holds a place, or has fighters, within the Tripoli front's radius."""
    presence = P.x[PRESENCE]
    for p in range(len(S.owner)):
        if P.near_tripoli[p] and (S.owner[p] == LNA or S.forces[2, p] > presence):
            return True
    return False


def totals(series: np.ndarray, day: int, *columns: str) -> list[int]:
    """Sums of count columns from day 0 to `day`."""
    idx = [SERIES_COLUMNS.index(c) for c in columns]
    block = series[: day + 1]
    return [round(float(block[:, i].sum())) for i in idx]
