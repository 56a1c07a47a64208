"""Forces: where each faction's fighters stand, reinforcements to the fronts, and foreign
fighters as people who arrive, serve a tour and leave (bounded by public estimates)."""

from __future__ import annotations

from libyasim.model.agents import Backer, Faction
from libyasim.model.config import FACTION_SIDE, Config
from libyasim.model.state import State


def place_initial(s: State, cfg: Config) -> None:
    """Spread each faction's fighters over its side's places: a share at the fronts, a
    garrison in the rear (in proportion to residents, with a floor for bases), the rest in
    reserve. Foreign contingents present on day 0 join their client's reserve."""
    m, fc = cfg.map, cfg.forces
    weight = [p + fc.place_weight_floor for p in m.population]
    for f, total in enumerate(fc.fighters):
        side = FACTION_SIDE[f]
        present = [p for p in range(m.n) if s.owner[p] == side or s.contested[p]]
        front = [p for p in present if s.front[side][p]]
        rear = [p for p in present if not s.front[side][p]]
        front_share = fc.front_share if rear else 1.0
        placed = 0.0
        for places, share in ((front, front_share), (rear, (1.0 - front_share) * fc.garrison_share)):
            w = sum(weight[p] for p in places)
            for p in places:
                x = total * share * weight[p] / w
                s.forces[f][p] += x
                placed += x
        s.reserve[f] = total - placed
    for i, c in enumerate(cfg.forces.contingents):
        s.reserve[c.faction] += s.contingents[i]
    _track_peaks(s)


def rotate(s: State, cfg: Config, backers: list[Backer]) -> None:
    """Foreign fighters arrive at their backer's ordered rate up to the cap and leave at the
    end of their tours; arrivals join the client's reserve, leavers leave it (or the fronts)."""
    day = s.day
    for i, c in enumerate(cfg.forces.contingents):
        backer = backers[c.backer]
        present = s.contingents[i]
        leaving = present / c.tour_days
        arriving = 0.0
        if backer.cfg.enabled and day >= backer.cfg.start_day:
            arriving = max(0.0, min(c.daily * backer.orders.get("fighters", 1.0),
                                    c.cap - present + leaving))
        s.contingents[i] = present + arriving - leaving
        net = arriving - leaving
        if s.reserve[c.faction] + net >= 0.0:
            s.reserve[c.faction] += net
        else:
            _remove(s, c.faction, -net)
    _track_peaks(s)


def _track_peaks(s: State) -> None:
    peak = s.contingents_peak
    for side in (0, 1):
        total = s.foreign_fighters(side)
        peak[side] = max(peak[side], total)


def _remove(s: State, f: int, amount: float) -> None:
    """Take `amount` fighters from a faction (negative: add to its reserve)."""
    if amount <= 0.0:
        s.reserve[f] -= amount
        return
    from_reserve = min(amount, s.reserve[f])
    s.reserve[f] -= from_reserve
    rest = amount - from_reserve
    if rest > 0.0:
        placed = sum(s.forces[f])
        if placed > 0.0:
            keep = max(0.0, 1.0 - rest / placed)
            s.forces[f] = [x * keep for x in s.forces[f]]


def redeploy(s: State, cfg: Config, factions: list[Faction]) -> None:
    """A share of each faction's reserve goes to its side's fronts, in proportion to the enemy
    fighters each front place faces (and half of it to an offensive's starting place)."""
    if not s.pairs:
        return
    facing: tuple[dict[int, float], dict[int, float]] = ({}, {})
    raw_g, raw_l = s.raw  # as of the last measure
    for g, lp in s.pairs:
        facing[0][g] = facing[0].get(g, 1.0) + raw_l[lp]
        facing[1][lp] = facing[1].get(lp, 1.0) + raw_g[g]
    rate = cfg.forces.redeploy_rate
    for fac in factions:
        f = fac.index
        moving = s.reserve[f] * rate
        if moving <= 0.0:
            continue
        threat = facing[fac.side]
        total = sum(threat.values())
        if fac.stance == "offensive" and fac.origin in threat:
            s.forces[f][fac.origin] += 0.5 * moving
            moving_front = 0.5 * moving
        else:
            moving_front = moving
        for p, t in threat.items():
            s.forces[f][p] += moving_front * t / total
        s.reserve[f] -= moving

