"""Combat: where the sides meet, stochastic Lanchester attrition, captures, the balance of power.

Engagements are roads between places held by opposing sides and contested places. Each day's
intensity on an engagement comes from the factions' decisions: a truce's incidents, positional
fighting at war, limited attacks or an offensive at one of its places.
"""

from __future__ import annotations

import numpy as np

from libyasim.model import deterrence, dice, stocks
from libyasim.model.config import (
    ADVANCE_SHARE,
    ATTACK_RATIO,
    AIR_ADVANCE_SHARE,
    AIR_WEIGHT,
    BREAK_RATIO,
    CAPTURE_INTENSITY,
    CAPTURE_RATE,
    CIVILIAN_HARM,
    ENGAGED_SHARE,
    GNA,
    INTENSITY_PER_VIOLATION,
    KILLED_SHARE,
    LETHALITY,
    LIMITED_INTENSITY,
    LNA,
    LOOKAHEAD_DAYS,
    MEMORY_KEEP,
    NOISE_SIGMA,
    NONE,
    POSITIONAL_INTENSITY,
    PRESENCE,
    REACH_FLOOR,
    SIEGE_ESCALATION,
    STRENGTH_GRADIENT,
    SWITCH_RATE,
    TREND_KEEP,
    TRIPOLI,
    UNALIGNED_FRONTS,
    Params,
)
from libyasim.model.jit import njit, total
from libyasim.model.records import EV_CAPTURE, log
from libyasim.model.state import (
    BATTLE_DEATHS,
    CIVILIAN_DEATHS,
    COMBAT_DICE,
    DAY,
    HOLDING,
    INTENSITY,
    LIMITED,
    MAP_DIRTY,
    MAP_VERSION,
    N_LOCAL_PAIRS,
    N_PAIRS,
    N_ROAD_PAIRS,
    OFFENSIVE,
    OWNER_VERSION,
    OWNERS_SEEN_SET,
    SETTLED,
    STANCE,
    TARGET,
    TRIPOLI_FALL_DAY,
    TRUCE,
    State,
)


# ------------------------------------------------------------------------- fronts
@njit
def at_war(S: State) -> bool:
    """No truce holds: fronts see at least positional fighting."""
    return S.i[TRUCE] == 0 or S.i[TRUCE] == 2


@njit
def update_fronts(P: Params, S: State, initial: bool) -> None:
    """Contested places, engagements, front flags and each side's reach from its hubs."""
    n, owner = len(S.owner), S.owner
    presence = P.x[PRESENCE]
    for p in range(n):
        if initial:
            S.contested[p] = P.contested0[p] and owner[p] != NONE
        else:
            S.contested[p] = (owner[p] != NONE and S.forces[0, p] + S.forces[1, p] > presence
                              and S.forces[2, p] > presence)
    if S.i[OWNERS_SEEN_SET] == 0 or not np.array_equal(S.owners_seen, owner):
        _engagements_and_reach(P, S)
    k = S.i[N_ROAD_PAIRS]
    S.pairs[:k] = S.road_pairs[:k]
    for p in range(n):
        if S.contested[p]:
            S.pairs[k, 0] = S.pairs[k, 1] = p
            k += 1
    S.i[N_PAIRS] = k
    S.front[:] = False
    count_g, count_l = np.zeros(n, np.int64), np.zeros(n, np.int64)
    for j in range(k):
        g, lp = S.pairs[j, 0], S.pairs[j, 1]
        S.front[GNA, g] = S.front[LNA, lp] = True
        count_g[g] += 1
        count_l[lp] += 1
    for j in range(k):
        S.pair_split[j, 0] = 1.0 / count_g[S.pairs[j, 0]]
        S.pair_split[j, 1] = 1.0 / count_l[S.pairs[j, 1]]
    S.i[MAP_DIRTY] = 0
    S.i[MAP_VERSION] += 1


@njit
def redraw_fronts(P: Params, S: State) -> None:
    """The fronts as the day's captures left them, before reserves move to them: a side that
    lost a place today no longer sends reinforcements into it."""
    if S.i[MAP_DIRTY]:
        update_fronts(P, S, False)


@njit
def _engagements_and_reach(P: Params, S: State) -> None:
    """Who holds what changed: the roads between the sides, and each side's reach (strength
    falls by `combat.strength_gradient` a road link away from its nearest held supply hub)."""
    n, owner = len(S.owner), S.owner
    S.owners_seen[:] = owner
    S.i[OWNERS_SEEN_SET] = 1
    S.i[OWNER_VERSION] += 1
    k = 0
    for a in range(n):
        if owner[a] != GNA:
            continue
        for b in P.neighbours[a]:
            if b >= 0 and owner[b] == LNA:
                S.road_pairs[k, 0], S.road_pairs[k, 1] = a, b
                k += 1
    S.i[N_ROAD_PAIRS] = k
    _local_fronts(P, S)
    floor, gradient = P.x[REACH_FLOOR], P.x[STRENGTH_GRADIENT]
    for side in (GNA, LNA):
        links = np.full(n, -1, np.int64)
        for h in P.hubs[side]:
            if h >= 0 and owner[h] == side:
                for p in range(n):
                    if links[p] < 0 or P.hops[h, p] < links[p]:
                        links[p] = P.hops[h, p]
        for p in range(n):
            S.reach[side, p] = floor if links[p] < 0 else max(floor, 1.0 - gradient * links[p])


@njit
def _local_fronts(P: Params, S: State) -> None:
    """Roads from a side's places to unaligned places (when `unaligned.fronts` is on): a side
    can attack them there; their local forces fight only when attacked."""
    k = 0
    if P.x[UNALIGNED_FRONTS] != 0.0:
        for a in range(len(S.owner)):
            if S.owner[a] == NONE:
                continue
            for b in P.neighbours[a]:
                if b >= 0 and S.owner[b] == NONE:
                    S.local_pairs[k, 0], S.local_pairs[k, 1] = a, b
                    k += 1
    S.i[N_LOCAL_PAIRS] = k


@njit
def measure(P: Params, S: State) -> None:
    """Effective fighters of each side at each place: forces x morale x supply x air
    interdiction (`S.factor`) x reach from the side's supply hubs."""
    if S.i[MAP_DIRTY]:
        update_fronts(P, S, False)
    a, b, c = S.factor[0], S.factor[1], S.factor[2]
    for p in range(len(S.owner)):
        x, y, z = S.forces[0, p], S.forces[1, p], S.forces[2, p]
        S.eff[GNA, p] = (x * a + y * b) * S.reach[GNA, p]
        S.eff[LNA, p] = z * c * S.reach[LNA, p]
        S.raw[GNA, p] = x + y
        S.raw[LNA, p] = z
    for f in range(3):
        S.totals[f] = total(S.forces[f]) + S.reserve[f]


@njit
def town_defence(P: Params, S: State, side: int, place: int) -> float:
    """The holder's advantage in a town."""
    return P.town[place] if S.owner[place] == side else 1.0


@njit
def attack_strength(P: Params, S: State, side: int, target: int) -> tuple[float, int]:
    """A side's effective strength against a target: its forces in the neighbouring places it
    holds and inside the target (if contested); and the strongest place it attacks from."""
    strength = S.eff[side, target] if S.contested[target] else 0.0
    origin, most = target, strength
    for p in P.neighbours[target]:
        if p >= 0 and S.owner[p] == side:
            x = S.eff[side, p]
            strength += x
            if x > most:
                origin, most = p, x
    return strength, origin


@njit
def targets(P: Params, S: State, f: int, out: np.ndarray) -> int:
    """Rows (ratio, target, origin) in `out` for every place faction f could attack: enemy-held
    places on its side's fronts, contested places and unaligned places next to its side's;
    the ratio is the attacker's effective strength (all its side's forces next to and inside
    the target, with air power) over the defenders', as the faction expects it (the
    defender's town and the intervention it expects at a red line), each side's fire limited
    by its munitions on hand. The origin is the attacker's strongest place next to the
    target. Returns the number of rows."""
    side = P.faction_side[f]
    attack_air, defence_air = fire_multiplier(P, S, side), fire_multiplier(P, S, 1 - side)
    seen = np.zeros(len(S.owner), np.bool_)
    k = 0
    for j in range(S.i[N_PAIRS] + S.i[N_LOCAL_PAIRS]):
        if j < S.i[N_PAIRS]:
            target = S.pairs[j, 1] if side == GNA else S.pairs[j, 0]
        else:
            a, target = S.local_pairs[j - S.i[N_PAIRS], 0], S.local_pairs[j - S.i[N_PAIRS], 1]
            if S.owner[a] != side:
                continue
        if seen[target]:
            continue
        seen[target] = True
        strength, origin = attack_strength(P, S, side, target)
        defend = defence(P, S, 1 - side, target, defence_air) * S.threat[f, target]
        out[k, 0], out[k, 1], out[k, 2] = strength * attack_air / max(defend, 1.0), target, origin
        k += 1
    return k


@njit
def fire_multiplier(P: Params, S: State, side: int) -> float:
    """A side's strength multiplier in reckoning odds: its air power times the share of its
    fire its munitions sustain."""
    return (1.0 + P.x[AIR_WEIGHT] * S.air_share[side]) * stocks.sustainable(P, S, side)


@njit
def defence(P: Params, S: State, side: int, place: int, air: float) -> float:
    """The defenders' strength at a place against an attack by the other side: the side's
    effective fighters times its air multiplier `air`, plus its local allies there
    (`place.<p>.local_allies`, no air power), times its town advantage; at an unaligned place,
    its local forces with the town's advantage (they have no air power)."""
    if S.owner[place] == NONE:
        return S.local[place] * P.town[place]
    return (S.eff[side, place] * air + S.local[place]) * town_defence(P, S, side, place)


# ------------------------------------------------------------------------- fighting
@njit
def fight(P: Params, S: State, rng: np.random.Generator) -> None:
    """Attrition on every engagement at today's intensity, each side's fire limited by its
    munitions on hand (which the fighting spends); civilian harm; captures."""
    S.fighting[:] = 0.0
    pairs, local_pairs = S.i[N_PAIRS], S.i[N_LOCAL_PAIRS]
    if (pairs == 0 and local_pairs == 0) or S.i[TRUCE] == SETTLED:
        return
    n = len(S.owner)
    base = base_intensity(P, S) if pairs > 0 else 0.0
    attacked_by = np.full(n, -1, np.int64)  # side attacking each place in an offensive
    raided_by = np.full(n, -1, np.int64)  # side raiding each place it names
    raided = np.zeros(n, np.bool_)
    any_raid = False
    for f in range(3):
        stance, target, side = S.faction_i[f, STANCE], S.faction_i[f, TARGET], P.faction_side[f]
        if stance == OFFENSIVE and target >= 0:
            attacked_by[target] = side
        elif stance == LIMITED:
            if target >= 0:
                raided[target] = any_raid = True
                raided_by[target] = side
            else:  # a player's raids without a named target: every enemy place on its fronts
                for j in range(pairs):
                    for p in (S.pairs[j, 0], S.pairs[j, 1]):
                        if S.owner[p] != side:
                            raided[p] = any_raid = True
    air = (1.0 + P.x[AIR_WEIGHT] * S.air_share[GNA], 1.0 + P.x[AIR_WEIGHT] * S.air_share[LNA])
    noise = _noise(P, S, rng, 2 * pairs)
    scale = P.x[LETHALITY] * P.x[ENGAGED_SHARE]
    supplied = (stocks.sustainable(P, S, GNA), stocks.sustainable(P, S, LNA))
    shelling = 0.5 * (supplied[GNA] + supplied[LNA])  # civilians are harmed by the fire sustained
    engaged = np.zeros(2)  # intensity x effective fighters, by side
    loss = np.zeros((2, n))  # by side and place
    hit = np.zeros((2, n), np.int64)  # places hit, by side, in the order first hit
    hits = np.zeros(2, np.int64)
    was_hit = np.zeros((2, n), np.bool_)
    exposed = top = 0.0
    fought = np.zeros(n, np.bool_)  # places fought over today
    attacks = np.zeros((pairs + local_pairs, 3), np.int64)
    n_attacks = 0
    for k in range(pairs):
        g, lp = S.pairs[k, 0], S.pairs[k, 1]
        intensity = base
        if attacked_by[g] >= 0 or attacked_by[lp] >= 0:
            intensity = 1.0
            attacker = attacked_by[g] if attacked_by[g] >= 0 else attacked_by[lp]
            attacks[n_attacks, 0], attacks[n_attacks, 1], attacks[n_attacks, 2] = g, lp, attacker
            n_attacks += 1
        elif any_raid and (raided[g] or raided[lp]):
            intensity = max(intensity, P.x[LIMITED_INTENSITY])
        if intensity <= 0.0:
            continue
        top = max(top, intensity)
        scale_i = scale * intensity
        engaged[GNA] += intensity * S.eff[GNA, g] * S.pair_split[k, 0]
        engaged[LNA] += intensity * S.eff[LNA, lp] * S.pair_split[k, 1]
        fire_g = S.eff[GNA, g] * air[GNA] * S.shield[g] * S.pair_split[k, 0] * supplied[GNA]
        fire_l = S.eff[LNA, lp] * air[LNA] * S.shield[lp] * S.pair_split[k, 1] * supplied[LNA]
        defence_g = town_defence(P, S, GNA, g) * S.shield[g]
        defence_l = town_defence(P, S, LNA, lp) * S.shield[lp]
        _add_loss(loss, hit, hits, was_hit, GNA, g, scale_i * fire_l * noise[2 * k] / defence_g)
        _add_loss(loss, hit, hits, was_hit, LNA, lp, scale_i * fire_g * noise[2 * k + 1] / defence_l)
        exposure = residents_exposed(P, S, g) if g == lp else residents_exposed(P, S, g) + residents_exposed(P, S, lp)
        exposed += intensity * exposure * shelling
        fought[g] = fought[lp] = True
    fire = (air[GNA] * supplied[GNA], air[LNA] * supplied[LNA])  # air power and munitions
    local_top, local_exposed, local_lost, n_attacks = _fight_locals(
        P, S, rng, attacked_by, raided_by, fire, engaged, loss, hit, hits, was_hit, attacks,
        n_attacks, fought)
    for p in range(n):
        if fought[p]:
            S.fought[p] += 1.0
    S.f[INTENSITY] = max(top, local_top)
    exposed += local_exposed
    for side in (GNA, LNA):
        stocks.spend(P, S, side, engaged[side], supplied[side])
    lost = apply_losses(P, S, GNA, loss[GNA], hit[GNA, :hits[GNA]])
    lost += apply_losses(P, S, LNA, loss[LNA], hit[LNA, :hits[LNA]])
    lost += local_lost
    thin_contingents(P, S)
    S.i[BATTLE_DEATHS] = dice.count(S, COMBAT_DICE, rng, P.x[KILLED_SHARE] * lost)
    S.i[CIVILIAN_DEATHS] = dice.count(S, COMBAT_DICE, rng, P.x[CIVILIAN_HARM] * exposed)
    for k in range(n_attacks):
        maybe_capture(P, S, rng, attacks[k, 0], attacks[k, 1], attacks[k, 2], fire)


@njit
def _fight_locals(P: Params, S: State, rng: np.random.Generator, attacked_by: np.ndarray,
                  raided_by: np.ndarray, air: tuple[float, float], engaged: np.ndarray,
                  loss: np.ndarray, hit: np.ndarray, hits: np.ndarray, was_hit: np.ndarray,
                  attacks: np.ndarray, n_attacks: int, fought: np.ndarray
                  ) -> tuple[float, float, float, int]:
    """Attrition on the fronts with unaligned places that a side attacks today (offensive or
    raid): the attacker's place and the local forces fire at each other as on any front
    (the attacker's forces split over their engagements, its fire limited by its munitions,
    which it spends in `engaged`; the locals' town advantage). Their
    noise comes after the other engagements' draws. Returns the top intensity, residents
    exposed, local fighters lost, and the attacks (with the unaligned place on the
    defender's column) added to `attacks`."""
    scale = P.x[LETHALITY] * P.x[ENGAGED_SHARE]
    top = exposed = lost = 0.0
    for k in range(S.i[N_LOCAL_PAIRS]):
        a, u = S.local_pairs[k, 0], S.local_pairs[k, 1]
        side = S.owner[a]
        if attacked_by[u] == side:
            intensity = 1.0
            attacks[n_attacks, 0], attacks[n_attacks, 1] = (a, u) if side == GNA else (u, a)
            attacks[n_attacks, 2] = side
            n_attacks += 1
        elif raided_by[u] == side:
            intensity = P.x[LIMITED_INTENSITY]
        else:
            continue
        top = max(top, intensity)
        committed = S.eff[side, a] / (_engagements_at(S, a) + 1)
        engaged[side] += intensity * committed
        fire = committed * air[side]
        hurt_side = dice.normal(S, COMBAT_DICE, rng, P.x[NOISE_SIGMA])
        hurt_local = dice.normal(S, COMBAT_DICE, rng, P.x[NOISE_SIGMA])
        _add_loss(loss, hit, hits, was_hit, side, a, scale * intensity * S.local[u] * hurt_side
                  / town_defence(P, S, side, a))
        taken = min(S.local[u], scale * intensity * fire * hurt_local / P.town[u])
        S.local[u] -= taken
        lost += taken
        exposed += intensity * (residents_exposed(P, S, a) + residents_exposed(P, S, u))
        fought[a] = fought[u] = True
    return top, exposed, lost, n_attacks


@njit
def residents_exposed(P: Params, S: State, place: int) -> float:
    """Residents exposed to the fighting at a place, in 100,000s, growing by
    `combat.siege_escalation` for every 100 days it has been fought over since it last changed
    hands: a front that stands still turns to shelling and air strikes on the town around it."""
    return P.exposure[place] * (1.0 + P.x[SIEGE_ESCALATION] * S.fought[place] / 100.0)


@njit
def _engagements_at(S: State, place: int) -> int:
    """Engagements between the sides at one end of which the place stands."""
    count = 0
    for j in range(S.i[N_PAIRS]):
        count += (S.pairs[j, 0] == place) + (S.pairs[j, 1] == place)
    return count


@njit
def _noise(P: Params, S: State, rng: np.random.Generator, count: int) -> np.ndarray:
    """The next `count` lognormal multipliers of the combat stream (mean 1)."""
    out = np.empty(count)
    for k in range(count):
        out[k] = dice.normal(S, COMBAT_DICE, rng, P.x[NOISE_SIGMA])
    return out


@njit
def _add_loss(loss: np.ndarray, hit: np.ndarray, hits: np.ndarray, was_hit: np.ndarray,
              side: int, place: int, amount: float) -> None:
    if not was_hit[side, place]:
        was_hit[side, place] = True
        hit[side, hits[side]] = place
        hits[side] += 1
    loss[side, place] += amount


@njit
def base_intensity(P: Params, S: State) -> float:
    """Fighting on every engagement today: a holding truce's incidents, spread over the fronts,
    or positional fighting at war. A holding truce is never more violent than the war's
    positional fighting at the same places (its incidents are that fighting, thinned out);
    raids and offensives, which break it, come on top as at war. A truce broken to war
    intensity exists only on paper: the violations monitors still count are the war's own
    incidents and add no fighting beyond the war's, so a broken truce is exactly as violent as
    no truce."""
    war = P.x[POSITIONAL_INTENSITY]
    if at_war(S):
        return war
    if S.i[TRUCE] != HOLDING:
        return 0.0
    violations = S.violations[0] + S.violations[1] + S.violations[2]
    return min(war, violations * P.x[INTENSITY_PER_VIOLATION] / S.i[N_PAIRS])


@njit
def apply_losses(P: Params, S: State, side: int, loss: np.ndarray, places: np.ndarray) -> float:
    """Take losses from each of the side's factions at a place in proportion to its fighters,
    place by place in `places`' order. Returns the fighters lost."""
    presence = P.x[PRESENCE]
    lost = np.zeros(3)
    for place in places:
        present = 0.0
        for f in range(3):
            if P.faction_side[f] == side:
                present += S.forces[f, place]
        if present <= 0.0:
            continue
        ratio = loss[place] / present if loss[place] < present else 1.0
        for f in range(3):
            if P.faction_side[f] == side:
                taken = S.forces[f, place] * ratio
                S.forces[f, place] -= taken
                lost[f] += taken
        if S.contested[place] and present * (1.0 - ratio) <= presence:
            S.i[MAP_DIRTY] = 1  # one side is gone: the place is no longer contested
    out = 0.0
    for f in range(3):
        if P.faction_side[f] == side:
            S.losses[f] += lost[f]
            out += lost[f]
    return out


@njit
def thin_contingents(P: Params, S: State) -> None:
    """Foreign contingents lose fighters in proportion to their client faction's losses."""
    for i in range(len(S.contingents)):
        f = P.contingent_faction[i]
        lost = S.losses[f]
        if lost > 0.0:
            S.contingents[i] *= max(0.0, 1.0 - lost / max(S.totals[f], lost))


@njit
def maybe_capture(P: Params, S: State, rng: np.random.Generator, g: int, lp: int, attacker: int,
                  air: tuple[float, float]) -> None:
    """Outmatched defenders (below `combat.break_ratio` of the attacker) break with a daily
    chance that grows with how far they are outmatched; a side without enough of the sky
    cannot advance (`air.advance_share`). `air` multiplies each side's strength (air power,
    and in combat the share of its fire its munitions sustain). At an unaligned place the
    defenders are its local forces; `g` and `lp` are the engagement's ends (GNA-side, LNA-side
    or unaligned)."""
    if S.air_share[attacker] < P.x[AIR_ADVANCE_SHARE] or S.f[INTENSITY] < P.x[CAPTURE_INTENSITY]:
        return
    defender = 1 - attacker
    target = lp if attacker == GNA else g
    if S.owner[target] == attacker:  # clearing a contested place it holds
        att = S.eff[attacker, target] * air[attacker] * town_defence(P, S, attacker, target)
        dfn = S.eff[defender, target] * air[defender]
    else:
        att = attack_strength(P, S, attacker, target)[0] * air[attacker]
        dfn = defence(P, S, defender, target, air[defender]) * S.shield[target]
    outmatched = P.x[BREAK_RATIO] * att / max(dfn, 1e-9)  # above 1: the defenders may break
    if outmatched < 1.0 or dice.uniform(S, COMBAT_DICE, rng) >= P.x[CAPTURE_RATE] * outmatched:
        return
    if S.owner[target] == attacker:
        retreat(P, S, target, defender)
    else:
        take(P, S, target, attacker, g if attacker == GNA else lp, False)


@njit
def switch_sides(P: Params, S: State, rng: np.random.Generator) -> None:
    """Local armed groups go over to the side that could take their town anyway
    (bandwagoning): at war, a town on `combat.switching_places`, held by one side, neither
    contested nor taken today, whose other side has the odds to launch an offensive on it (at
    least `combat.attack_ratio`, reckoned as `targets` does: with air power, munitions and the
    intervention its most hopeful faction expects at a red line), changes hands without a
    battle with a daily chance of `combat.switch_rate`, unless the place is behind a declared
    red line whose backer then intervenes (`deterrence.holds_line`: going over tests the line
    as an offensive does); the holder's forces fall back and the fronts around it open.
    Nothing happens, and no random number is drawn, at a rate of 0."""
    rate = P.x[SWITCH_RATE]
    if rate == 0.0 or not at_war(S):
        return
    fire = (fire_multiplier(P, S, GNA), fire_multiplier(P, S, LNA))
    for p in range(len(S.owner)):
        holder = S.owner[p]
        if (not P.switching[p] or holder == NONE or S.contested[p]
                or S.owners_seen[p] != holder):  # taken today: its groups do not turn at once
            continue
        other = 1 - holder
        strength, origin = attack_strength(P, S, other, p)
        if origin == p:
            continue  # the other side holds no neighbour
        hopeful = deterrence.most_hopeful(P, S, other, p)
        defend = defence(P, S, holder, p, fire[holder]) * S.threat[hopeful, p]
        odds = strength * fire[other] / max(defend, 1.0)
        if (odds >= P.x[ATTACK_RATIO] and dice.uniform(S, COMBAT_DICE, rng) < rate
                and not deterrence.holds_line(P, S, rng, hopeful, p)):
            take(P, S, p, other, origin, True)


@njit
def take(P: Params, S: State, place: int, by: int, origin: int, switched: bool) -> None:
    """`by` captures `place` (`switched`: its local groups went over without a battle): its
    defenders fall back, part of the attackers move in."""
    loser = S.owner[place]
    if loser == by:
        return
    if loser != NONE:
        retreat(P, S, place, loser)
    S.local[place] = 0.0  # its local forces (unaligned, or the holder's allies) disperse
    if origin != place:
        for f in range(3):
            if P.faction_side[f] == by:
                moved = S.forces[f, origin] * P.x[ADVANCE_SHARE]
                S.forces[f, origin] -= moved
                S.forces[f, place] += moved
    S.owner[place] = by
    S.fought[place] = 0.0
    S.opened[place] = True  # the front moves on: the places next to it are open fronts
    for p in P.neighbours[place]:
        if p >= 0:
            S.opened[p] = True
    for f in range(3):
        if P.faction_side[f] == by:
            S.gained[f] += 1
        elif loser != NONE and P.faction_side[f] == loser:
            S.lost[f] += 1
    S.i[MAP_DIRTY] = 1
    log(S, EV_CAPTURE, by, place, int(switched))
    if place == int(P.x[TRIPOLI]) and by == LNA and S.i[TRIPOLI_FALL_DAY] < 0:
        S.i[TRIPOLI_FALL_DAY] = S.i[DAY]


@njit
def retreat(P: Params, S: State, place: int, side: int) -> None:
    """The side's forces at `place` go to the nearest place it holds (the strongest of the
    nearest), or to its reserve if it holds none."""
    target, best_hops, best_strength = -1, 0, 0.0
    for p in range(len(S.owner)):
        if S.owner[p] != side or p == place:
            continue
        strength = 0.0
        for f in range(3):
            if P.faction_side[f] == side:
                strength += S.forces[f, p]
        hops = P.hops[place, p]
        if target < 0 or hops < best_hops or (hops == best_hops and -strength < -best_strength):
            target, best_hops, best_strength = p, hops, strength
    for f in range(3):
        if P.faction_side[f] == side:
            x = S.forces[f, place]
            S.forces[f, place] = 0.0
            if target >= 0:
                S.forces[f, target] += x
            else:
                S.reserve[f] += x
    S.i[MAP_DIRTY] = 1


# ------------------------------------------------------------------------- assessment
@njit
def side_total(P: Params, S: State, side: int) -> float:
    """Fighters of a side (as of the last measure)."""
    out = 0.0
    for f in range(3):
        if P.faction_side[f] == side:
            out += S.totals[f]
    return out


@njit
def assess(P: Params, S: State) -> None:
    """Each side's perceived advantage at the fronts (with air power, reserves, arms en route
    and the fire its munitions sustain), its trend, and the advantage it projects (the
    commitment problem's look-ahead)."""
    measure(P, S)
    w = P.x[AIR_WEIGHT]
    power = np.zeros(2)
    for side in (GNA, LNA):
        front = total(S.eff[side][S.front[side]])
        reserve = 0.0
        for f in range(3):
            if P.faction_side[f] == side:
                reserve += S.reserve[f] * S.factor[f]
        power[side] = ((front + 0.5 * reserve + S.pending[side]) * (1.0 + w * S.air_share[side])
                       * stocks.sustainable(P, S, side))
    both = power[0] + power[1]
    adv = (power[0] - power[1]) / both if both > 0 else 0.0
    change = (adv - S.advantage[GNA]) * 30.0 if S.i[DAY] > 0 else 0.0
    keep = P.x[TREND_KEEP]
    trend = S.trend[GNA] * keep + change * (1.0 - keep)
    projected = max(-1.0, min(1.0, adv + trend * P.x[LOOKAHEAD_DAYS] / 30.0))
    S.advantage[0], S.advantage[1] = adv, -adv
    S.trend[0], S.trend[1] = trend, -trend
    S.projected[0], S.projected[1] = projected, -projected
    memory = P.x[MEMORY_KEEP]
    for side in (GNA, LNA):
        lost = 0.0
        for f in range(3):
            if P.faction_side[f] == side:
                lost += S.losses[f]
        S.loss_signal[side] = S.loss_signal[side] * memory + lost / max(side_total(P, S, side), 1.0)
