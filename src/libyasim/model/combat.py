"""Combat: where the sides meet, stochastic Lanchester attrition, captures, the balance of power.

Engagements are roads between places held by opposing sides and contested places. Each day's
intensity on an engagement comes from the factions' decisions: a truce's incidents, positional
fighting at war, limited attacks or an offensive at one of its places.
"""

from __future__ import annotations

from libyasim.model.agents import Faction
from libyasim.model.config import GNA, LNA, NONE, Config
from libyasim.model.state import FACTIONS_OF, State, Truce


# ------------------------------------------------------------------------- fronts
def update_fronts(s: State, cfg: Config, initial: bool = False) -> None:
    """Contested places, engagements, front flags and each side's reach from its hubs."""
    m, owner = cfg.map, s.owner
    if initial:
        s.contested = [c and o != NONE for c, o in zip(m.contested, owner)]
    else:
        presence = cfg.forces.presence
        gna, wag, lna = s.forces
        s.contested = [o != NONE and x + y > presence and z > presence
                       for o, x, y, z in zip(owner, gna, wag, lna)]
    if s.owners_seen != owner:  # who holds what changed: engagements and reach
        s.owners_seen = list(owner)
        s.owner_version += 1
        s.road_pairs = [(a, b) for a in range(m.n) if owner[a] == GNA
                        for b in m.neighbours[a] if owner[b] == LNA]
        c = cfg.combat
        for side in (GNA, LNA):
            hubs = [m.hops[h] for h in m.hubs[side] if owner[h] == side]
            if not hubs:
                s.reach[side] = [c.reach_floor] * m.n
            else:
                links = [min(col) for col in zip(*hubs)]
                s.reach[side] = [max(c.reach_floor, 1.0 - c.strength_gradient * k) for k in links]
    pairs = s.road_pairs + [(p, p) for p in range(m.n) if s.contested[p]]
    s.pairs = pairs
    front: list[list[bool]] = [[False] * m.n, [False] * m.n]
    count_g, count_l = [0] * m.n, [0] * m.n
    for g, lp in pairs:
        front[GNA][g] = front[LNA][lp] = True
        count_g[g] += 1
        count_l[lp] += 1
    s.front = front
    s.pair_split = [(1.0 / count_g[g], 1.0 / count_l[lp]) for g, lp in pairs]
    s.map_dirty = False
    s.map_version += 1


def strength(s: State, side: int, place: int, raw: bool = False) -> float:
    """Effective fighters of a side at a place (as of the last `measure`), or the head count."""
    if raw:
        return sum([s.forces[f][place] for f in FACTIONS_OF[side]])
    return s.eff[side][place]


def measure(s: State, cfg: Config) -> None:
    """Effective fighters of each side at each place: forces x morale x supply x air
    interdiction (`s.factor`) x reach from the side's supply hubs."""
    if s.map_dirty:
        update_fronts(s, cfg)
    g, w, lna = s.forces
    a, b, c = s.factor
    rg, rl = s.reach
    s.eff = [[(x * a + y * b) * r for x, y, r in zip(g, w, rg)],
             [z * c * r for z, r in zip(lna, rl)]]
    s.raw = [[x + y for x, y in zip(g, w)], list(lna)]
    s.totals = [sum(g) + s.reserve[0], sum(w) + s.reserve[1], sum(lna) + s.reserve[2]]


def _defence(s: State, cfg: Config, side: int, place: int) -> float:
    """The holder's advantage in a town."""
    return cfg.combat.town_defence[place] if s.owner[place] == side else 1.0


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
    forces next to and inside the target, with air power) over the defender's, as the attacker
    expects it (the defender's town and any red line that shields it). The origin is the
    attacker's strongest place next to the target."""
    other = 1 - side
    w = cfg.combat.air_weight
    own, enemy = s.eff[side], s.eff[other]
    owner, contested, threat, town = s.owner, s.contested, s.threat, cfg.combat.town_defence
    neighbours = cfg.map.neighbours
    attack_air, defence_air = 1.0 + w * s.air_share[side], 1.0 + w * s.air_share[other]
    seen: set[int] = set()
    out = []
    for g, lp in s.pairs:
        target = lp if side == GNA else g
        if target in seen:
            continue
        seen.add(target)
        total = own[target] if contested[target] else 0.0
        origin, most = target, total
        for p in neighbours[target]:
            if owner[p] == side:
                x = own[p]
                total += x
                if x > most:
                    origin, most = p, x
        defend = (enemy[target] * defence_air * (town[target] if owner[target] == other else 1.0)
                  * threat[target])
        out.append((total * attack_air / max(defend, 1.0), target, origin))
    return out


# ------------------------------------------------------------------------- fighting
def fight(s: State, cfg: Config, factions: list[Faction]) -> None:
    """Attrition on every engagement at today's intensity; civilian harm; captures."""
    if not s.pairs or s.truce == Truce.SETTLED:
        return
    c = cfg.combat
    base = _base_intensity(s, cfg)
    targets: dict[int, int] = {}
    raided: set[int] = set()
    for f in factions:
        if f.stance == "offensive" and f.target >= 0:
            targets[f.target] = f.side
        elif f.stance == "limited":
            if f.target >= 0:
                raided.add(f.target)
            else:  # a player's raids without a named target: every enemy place on its fronts
                raided.update(p for pair in s.pairs for p in pair if s.owner[p] != f.side)
    air_g = 1.0 + c.air_weight * s.air_share[GNA]
    air_l = 1.0 + c.air_weight * s.air_share[LNA]
    eff_g, eff_l = s.eff
    shield, owner, town, exposure = s.shield, s.owner, c.town_defence, c.exposure
    noise = s.dice.combat.normals(2 * len(s.pairs))  # lognormal, mean 1 (see Dice)
    scale = c.lethality * c.engaged_share
    loss_g: dict[int, float] = {}
    loss_l: dict[int, float] = {}
    exposed = top = 0.0
    attacks = []
    for k, ((g, lp), (split_g, split_l)) in enumerate(zip(s.pairs, s.pair_split)):
        intensity = base
        if g in targets or lp in targets:
            intensity = 1.0
            attacks.append((g, lp, targets.get(g, targets.get(lp, GNA))))
        elif raided and (g in raided or lp in raided):
            intensity = max(intensity, c.limited_intensity)
        if intensity <= 0.0:
            continue
        top = max(top, intensity)
        scale_i = scale * intensity
        fire_g = eff_g[g] * air_g * shield[g] * split_g
        fire_l = eff_l[lp] * air_l * shield[lp] * split_l
        defence_g = (town[g] if owner[g] == GNA else 1.0) * shield[g]
        defence_l = (town[lp] if owner[lp] == LNA else 1.0) * shield[lp]
        loss_g[g] = loss_g.get(g, 0.0) + scale_i * fire_l * noise[2 * k] / defence_g
        loss_l[lp] = loss_l.get(lp, 0.0) + scale_i * fire_g * noise[2 * k + 1] / defence_l
        exposed += intensity * (exposure[g] if g == lp else exposure[g] + exposure[lp])
    s.intensity = top
    lost = _apply(s, cfg, GNA, loss_g) + _apply(s, cfg, LNA, loss_l)
    _thin_contingents(s)
    s.battle_deaths = s.dice.combat.count(c.killed_share * lost)
    s.civilian_deaths = s.dice.combat.count(c.civilian_harm * exposed)
    air = (air_g, air_l)
    for g, lp, attacker in attacks:
        _maybe_capture(s, cfg, g, lp, attacker, air)


def _base_intensity(s: State, cfg: Config) -> float:
    """Fighting on every engagement today: a holding truce's incidents, spread over the fronts,
    or positional fighting at war. A truce broken to war intensity exists only on paper: the
    violations monitors still count are the war's own incidents and add no fighting beyond
    the war's, so a broken truce is exactly as violent as no truce."""
    if s.at_war():
        return cfg.combat.positional_intensity
    if s.truce != Truce.HOLDING:
        return 0.0
    return min(1.0, sum(s.violations) * cfg.truce.intensity_per_violation / len(s.pairs))


def _apply(s: State, cfg: Config, side: int, losses: dict[int, float]) -> float:
    """Take losses from each of the side's factions at a place in proportion to its fighters.
    Returns the fighters lost."""
    total, presence = 0.0, cfg.forces.presence
    factions = FACTIONS_OF[side]
    columns = [s.forces[f] for f in factions]
    lost = [0.0] * len(factions)
    for place, loss in losses.items():
        present = sum([column[place] for column in columns])
        if present <= 0.0:
            continue
        ratio = loss / present if loss < present else 1.0
        for k, column in enumerate(columns):
            taken = column[place] * ratio
            column[place] -= taken
            lost[k] += taken
        if s.contested[place] and present * (1.0 - ratio) <= presence:
            s.map_dirty = True  # one side is gone: the place is no longer contested
    for f, x in zip(factions, lost):
        s.losses[f] += x
        total += x
    return total


def _thin_contingents(s: State) -> None:
    """Foreign contingents lose fighters in proportion to their client faction's losses."""
    for i, f in enumerate(s.contingent_faction):
        lost = s.losses[f]
        if lost > 0.0:
            s.contingents[i] *= max(0.0, 1.0 - lost / max(s.totals[f], lost))


def _maybe_capture(s: State, cfg: Config, g: int, lp: int, attacker: int,
                   air: tuple[float, float]) -> None:
    """Outmatched defenders (below `combat.break_ratio` of the attacker) break with a daily
    chance that grows with how far they are outmatched; a side without enough of the sky
    cannot advance (`air.advance_share`)."""
    c = cfg.combat
    if s.air_share[attacker] < cfg.air.advance_share or s.intensity < c.capture_intensity:
        return
    defender = 1 - attacker
    target = lp if attacker == GNA else g
    if s.owner[target] == attacker:  # clearing a contested place it holds
        att = strength(s, attacker, target) * air[attacker] * _defence(s, cfg, attacker, target)
        dfn = strength(s, defender, target) * air[defender]
    else:
        att = attack_strength(s, cfg, attacker, target)[0] * air[attacker]
        dfn = (strength(s, defender, target) * air[defender] * _defence(s, cfg, defender, target)
               * s.shield[target])
    outmatched = c.break_ratio * att / max(dfn, 1e-9)  # above 1: the defenders may break
    if outmatched < 1.0 or s.dice.combat.uniform() >= c.capture_rate * outmatched:
        return
    if s.owner[target] == attacker:
        _retreat(s, cfg, target, defender)
    else:
        take(s, cfg, target, attacker, g if attacker == GNA else lp)


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
    measure(s, cfg)
    w, cm = cfg.combat.air_weight, cfg.commitment
    power = []
    for side in (GNA, LNA):
        front = sum([e for e, at in zip(s.eff[side], s.front[side]) if at])
        reserve = sum([s.reserve[f] * s.factor[f] for f in FACTIONS_OF[side]])
        power.append((front + 0.5 * reserve + s.pending[side]) * (1.0 + w * s.air_share[side]))
    total = power[0] + power[1]
    adv = (power[0] - power[1]) / total if total > 0 else 0.0
    change = (adv - s.advantage[GNA]) * 30.0 if s.day > 0 else 0.0
    trend = s.trend[GNA] * cm.trend_keep + change * (1.0 - cm.trend_keep)
    projected = max(-1.0, min(1.0, adv + trend * cm.lookahead_days / 30.0))
    s.advantage, s.trend, s.projected = [adv, -adv], [trend, -trend], [projected, -projected]
    keep = cfg.morale.memory_keep
    for side in (GNA, LNA):
        lost = sum([s.losses[f] for f in FACTIONS_OF[side]])
        s.loss_signal[side] = s.loss_signal[side] * keep + lost / max(s.side_total(side), 1.0)

