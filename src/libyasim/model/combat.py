"""Combat: where the sides meet, stochastic Lanchester attrition, captures, the balance of power.

Engagements are roads between places held by opposing sides and contested places. Each day's
intensity on an engagement comes from the factions' decisions: a truce's incidents, positional
fighting at war, limited attacks or an offensive at one of its places.
"""

from __future__ import annotations

import math

from libyasim.model.agents import Faction
from libyasim.model.config import GNA, LNA, NONE, Config
from libyasim.model.state import FACTIONS_OF, State, Truce


# ------------------------------------------------------------------------- fronts
def update_fronts(s: State, cfg: Config, initial: bool = False) -> None:
    """Engagements, front flags and each side's reach from its supply hubs."""
    m, owner = cfg.map, s.owner
    if not initial:
        presence = cfg.forces.presence
        for p in range(m.n):
            s.contested[p] = (owner[p] != NONE and strength(s, GNA, p, raw=True) > presence
                              and strength(s, LNA, p, raw=True) > presence)
    else:
        s.contested = [c and o != NONE for c, o in zip(m.contested, owner)]
    pairs = []
    for a in range(m.n):
        for b in m.neighbours[a]:
            if owner[a] == GNA and owner[b] == LNA:
                pairs.append((a, b))
    pairs += [(p, p) for p in range(m.n) if s.contested[p]]
    s.pairs = pairs
    s.front = [[False] * m.n, [False] * m.n]
    for g, lp in pairs:
        s.front[GNA][g] = s.front[LNA][lp] = True
    c = cfg.combat
    for side in (GNA, LNA):
        hubs = [h for h in m.hubs[side] if owner[h] == side]
        if not hubs:
            s.reach[side] = [c.reach_floor] * m.n
        else:
            s.reach[side] = [max(c.reach_floor, 1.0 - c.strength_gradient
                                 * min(m.hops[h][p] for h in hubs)) for p in range(m.n)]
    s.map_dirty = False
    s.map_version += 1


def strength(s: State, side: int, place: int, raw: bool = False) -> float:
    """Effective fighters of a side at a place (morale x supply x reach), or the head count."""
    if raw:
        return sum(s.forces[f][place] for f in FACTIONS_OF[side])
    return sum(s.forces[f][place] * s.factor[f] for f in FACTIONS_OF[side]) * s.reach[side][place]


def _defence(s: State, cfg: Config, side: int, place: int) -> float:
    """The holder's advantage in a town."""
    return cfg.combat.urban_defence if (cfg.map.urban[place] and s.owner[place] == side) else 1.0


def attack_strength(s: State, cfg: Config, side: int, target: int) -> tuple[float, int]:
    """A side's effective strength against a target: its forces in the neighbouring places it
    holds and inside the target (if contested); and the strongest place it attacks from."""
    total = strength(s, side, target) if s.contested[target] else 0.0
    origin, most = target, total
    for p in cfg.map.neighbours[target]:
        if s.owner[p] == side:
            x = strength(s, side, p)
            total += x
            if x > most:
                origin, most = p, x
    return total, origin


def targets(s: State, cfg: Config, side: int) -> list[tuple[float, int, int]]:
    """(ratio, target, origin) for every place the side could attack: enemy-held places on its
    fronts and contested places; the ratio is the attacker's effective strength (all its
    neighbouring forces, with air power) over the defender's, as the attacker expects it (the
    defender's town and any red line that shields it)."""
    other = 1 - side
    w = cfg.combat.air_weight
    seen = set()
    out = []
    for g, lp in s.pairs:
        target = lp if side == GNA else g
        if target in seen:
            continue
        seen.add(target)
        attack, origin = attack_strength(s, cfg, side, target)
        defend = (strength(s, other, target) * (1.0 + w * s.air_share[other])
                  * _defence(s, cfg, other, target) * s.threat[target])
        out.append((attack * (1.0 + w * s.air_share[side]) / max(defend, 1.0), target, origin))
    return out


# ------------------------------------------------------------------------- fighting
def fight(s: State, cfg: Config, factions: list[Faction]) -> None:
    """Attrition on every engagement at today's intensity; civilian harm; captures."""
    if s.map_dirty:
        update_fronts(s, cfg)
    if not s.pairs or s.truce == Truce.SETTLED:
        return
    c = cfg.combat
    base = _base_intensity(s, cfg)
    targets = {f.target: f.side for f in factions if f.stance == "offensive" and f.target >= 0}
    limited = {f.side for f in factions if f.stance == "limited"}
    n_g: dict[int, int] = {}
    n_l: dict[int, int] = {}
    for g, lp in s.pairs:
        n_g[g] = n_g.get(g, 0) + 1
        n_l[lp] = n_l.get(lp, 0) + 1
    air = (1.0 + c.air_weight * s.air_share[GNA], 1.0 + c.air_weight * s.air_share[LNA])
    sigma = math.sqrt(math.log1p(c.noise_cv * c.noise_cv))
    loss_g: dict[int, float] = {}
    loss_l: dict[int, float] = {}
    exposed = 0.0
    attacks = []
    for g, lp in s.pairs:
        intensity = base
        if limited:
            intensity = max(intensity, c.limited_intensity)
        attacker = targets.get(g, targets.get(lp))
        if attacker is not None and (g in targets or lp in targets):
            intensity = 1.0
            attacks.append((g, lp, attacker))
        if intensity <= 0.0:
            continue
        s.intensity = max(s.intensity, intensity)
        k = c.lethality * c.engaged_share * intensity
        eff_g = strength(s, GNA, g) * air[GNA] * s.shield[g] / n_g[g]
        eff_l = strength(s, LNA, lp) * air[LNA] * s.shield[lp] / n_l[lp]
        noise_g = math.exp(sigma * s.dice.normal() - 0.5 * sigma * sigma)
        noise_l = math.exp(sigma * s.dice.normal() - 0.5 * sigma * sigma)
        loss_g[g] = loss_g.get(g, 0.0) + k * eff_l * noise_g / (_defence(s, cfg, GNA, g) * s.shield[g])
        loss_l[lp] = loss_l.get(lp, 0.0) + k * eff_g * noise_l / (_defence(s, cfg, LNA, lp) * s.shield[lp])
        exposed += intensity * _exposure(cfg, g) + (intensity * _exposure(cfg, lp) if lp != g else 0.0)
    lost = _apply(s, cfg, GNA, loss_g) + _apply(s, cfg, LNA, loss_l)
    s.battle_deaths = s.dice.count(c.killed_share * lost)
    s.civilian_deaths = s.dice.count(c.civilian_harm * exposed)
    for g, lp, attacker in attacks:
        _maybe_capture(s, cfg, g, lp, attacker, air)


def _base_intensity(s: State, cfg: Config) -> float:
    """Fighting everywhere today: a truce's incidents, or positional fighting at war."""
    incidents = min(1.0, sum(s.violations) * cfg.truce.intensity_per_violation)
    if s.at_war():
        return max(cfg.combat.positional_intensity, incidents)
    return incidents if s.truce == Truce.HOLDING else 0.0


def _exposure(cfg: Config, place: int) -> float:
    """Residents near the fighting, in 100,000s, more where it is urban."""
    m = cfg.map
    return m.population[place] / 1e5 * (cfg.combat.urban_civilian_factor if m.urban[place] else 1.0)


def _apply(s: State, cfg: Config, side: int, losses: dict[int, float]) -> float:
    """Take losses from each of the side's factions at a place in proportion to its fighters;
    foreign contingents lose their share. Returns the fighters lost."""
    total, presence = 0.0, cfg.forces.presence
    for place, loss in losses.items():
        here = [s.forces[f][place] for f in FACTIONS_OF[side]]
        present = sum(here)
        if present <= 0.0:
            continue
        ratio = min(loss / present, 1.0)
        for f, x in zip(FACTIONS_OF[side], here):
            taken = x * ratio
            s.forces[f][place] = x - taken
            s.losses[f] += taken
            total += taken
        if s.contested[place] and present * (1.0 - ratio) <= presence:
            s.map_dirty = True  # one side is gone: the place is no longer contested
    for i, con in enumerate(s.contingent_faction):
        lost = s.losses[con]
        if lost > 0.0:
            before = s.faction_total(con) + lost
            s.contingents[i] *= max(0.0, 1.0 - lost / before)
    return total


def _maybe_capture(s: State, cfg: Config, g: int, lp: int, attacker: int,
                   air: tuple[float, float]) -> None:
    """Outmatched defenders break with a daily chance; a side without enough of the sky
    cannot advance (`air.advance_share`)."""
    c = cfg.combat
    if s.air_share[attacker] < cfg.air.advance_share or s.dice.uniform() >= c.capture_rate:
        return
    defender = 1 - attacker
    target = lp if attacker == GNA else g
    origin = g if attacker == GNA else lp
    if s.owner[target] == attacker:  # clearing a contested place it holds
        if strength(s, defender, target) * air[defender] < c.break_ratio * strength(
                s, attacker, target) * air[attacker] * _defence(s, cfg, attacker, target):
            _retreat(s, cfg, target, defender)
        return
    att = attack_strength(s, cfg, attacker, target)[0] * air[attacker]
    dfn = strength(s, defender, target) * air[defender] * _defence(s, cfg, defender, target) \
        * s.shield[target]
    if dfn < c.break_ratio * att:
        take(s, cfg, target, attacker, origin)


def take(s: State, cfg: Config, place: int, by: int, origin: int) -> None:
    """`by` captures `place`: its defenders fall back, part of the attackers move in."""
    loser = s.owner[place]
    if loser == by:
        return
    if loser != NONE:
        _retreat(s, cfg, place, loser)
    if origin != place:
        for f in FACTIONS_OF[by]:
            moved = s.forces[f][origin] * cfg.combat.advance_share
            s.forces[f][origin] -= moved
            s.forces[f][place] += moved
    s.owner[place] = by
    for f in FACTIONS_OF[by]:
        s.gained[f] += 1
    for f in FACTIONS_OF.get(loser, ()):
        s.lost[f] += 1
    s.map_dirty = True
    name = cfg.map.names[place]
    s.log("capture", f"{'GNA-side' if by == GNA else 'LNA'} forces take {name}.",
          "gna" if by == GNA else "lna", cfg.map.keys[place])
    if place == cfg.map.tripoli and by == LNA and s.tripoli_fall_day is None:
        s.tripoli_fall_day = s.day


def _retreat(s: State, cfg: Config, place: int, side: int) -> None:
    """The side's forces at `place` go to the nearest place it holds (or to its reserve)."""
    m = cfg.map
    held = [p for p in range(m.n) if s.owner[p] == side and p != place]
    target = min(held, key=lambda p: (m.hops[place][p], -strength(s, side, p, raw=True))) \
        if held else -1
    for f in FACTIONS_OF[side]:
        x = s.forces[f][place]
        s.forces[f][place] = 0.0
        if target >= 0:
            s.forces[f][target] += x
        else:
            s.reserve[f] += x
    s.map_dirty = True


# ------------------------------------------------------------------------- assessment
def assess(s: State, cfg: Config) -> None:
    """Each side's perceived advantage at the fronts (with air power, reserves and arms en
    route), its trend, and the advantage it projects (the commitment problem's look-ahead)."""
    if s.map_dirty:
        update_fronts(s, cfg)
    w, cm = cfg.combat.air_weight, cfg.commitment
    power = []
    for side in (GNA, LNA):
        front = sum(strength(s, side, p) for p in range(cfg.map.n) if s.front[side][p])
        reserve = sum(s.reserve[f] * s.factor[f] for f in FACTIONS_OF[side])
        power.append((front + 0.5 * reserve + s.pending[side]) * (1.0 + w * s.air_share[side]))
    total = power[0] + power[1]
    adv = (power[0] - power[1]) / total if total > 0 else 0.0
    change = (adv - s.advantage[GNA]) * 30.0 if s.day > 0 else 0.0
    trend = s.trend[GNA] * cm.trend_keep + change * (1.0 - cm.trend_keep)
    projected = max(-1.0, min(1.0, adv + trend * cm.lookahead_days / 30.0))
    s.advantage, s.trend, s.projected = [adv, -adv], [trend, -trend], [projected, -projected]
    keep = cfg.morale.memory_keep
    for side in (GNA, LNA):
        lost = sum(s.losses[f] for f in FACTIONS_OF[side])
        s.loss_signal[side] = s.loss_signal[side] * keep + lost / max(s.side_total(side), 1.0)

