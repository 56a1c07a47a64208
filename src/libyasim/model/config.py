"""The model's parameters, built once from a resolved scenario: typed, frozen sections
(`Config`, read by the Python side: names, dates, the agents) and the same values as arrays
(`Params`, read by the compiled submodels).

This module is the only place where registry names meet the code. Derived constants (day
indices, place indices, road links, backers' interests and bases) are computed here once, so that the daily step
does no lookups. `Params.x` is a flat vector of scalars with named indices (`P.x[BASE_LOGIT]`);
places, factions, backers, contingents and mediators have their own small arrays.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numba.experimental import structref

from libyasim.model.jit import StructType, disabled, njit
from libyasim.geography import PLACES, ROADS, SUPPLY_HUBS, distance_km, place_keys, place_lists
from libyasim.params import BACKERS, DETERRING, FACTIONS, MEDIATORS, PARAMS

GNA, LNA, NONE = 0, 1, 2  # sides; NONE holds a place for neither side ("unaligned")
SIDE_OF = {"gna": GNA, "wag": GNA, "lna": LNA, "unaligned": NONE, "none": NONE}
FACTION_SIDE = (GNA, GNA, LNA)  # in FACTIONS order: gna, wag, lna
FACTION_HQ = {"gna": "tripoli", "wag": "misrata", "lna": "benghazi"}
BACKER_CLIENT = {"turkey": "gna", "qatar": "gna", "russia": "lna", "uae": "lna", "egypt": "lna"}
CONTINGENTS = ("syrians", "wagner", "sudanese")
CONTINGENT_BACKER = {"syrians": "turkey", "wagner": "russia", "sudanese": "uae"}
ROUTES = ("sea", "air", "land")
PLACE_KEYS: tuple[str, ...] = tuple(p.key for p in PLACES)
PLACE_INDEX = {k: i for i, k in enumerate(PLACE_KEYS)}
# places whose holder has local allies on day 0 (the registry's place.<p>.local_allies)
LOCAL_ALLIES = frozenset(k for k in PLACE_KEYS if f"place.{k}.local_allies" in PARAMS)


@dataclass(frozen=True, slots=True)
class MapConfig:
    """The network of places: who holds what on day 0, populations, roads and distances."""

    n: int
    keys: tuple[str, ...]
    names: tuple[str, ...]  # short names for sentences
    holder: tuple[int, ...]  # side on day 0
    contested: tuple[bool, ...]  # both sides present on day 0
    population: tuple[float, ...]
    population_share: tuple[float, ...]
    urban: tuple[bool, ...]
    neighbours: tuple[tuple[int, ...], ...]
    hops: tuple[tuple[int, ...], ...]  # road links between any two places
    hubs: tuple[tuple[int, ...], tuple[int, ...]]  # supply hubs of each side
    near_tripoli: tuple[int, ...]  # places within outcomes.tripoli_front_radius_km
    tripoli: int
    benghazi: int
    oil: int
    sirte: int


@dataclass(frozen=True, slots=True)
class TruceConfig:
    enabled: bool
    start_day: int | None  # negative: declared before day 0, in force on day 0
    broken_on_day0: bool  # the truce in force on day 0 (declared before it) is broken
    monitoring: bool
    monitor_day: int | None  # first day monitors can work
    base_logit: float
    advantage_weight: float
    reciprocity_weight: float
    forgiveness: float
    spoiler_rate: float
    violations_per_day_max: float
    intensity_per_violation: float
    war_intensity: float
    declare_over_probability: float
    declare_over_days: int
    redeclare_rate: float
    attribution_monitored: float
    attribution_unmonitored: float
    attribution_cost: float
    unclear_incidents: float


@dataclass(frozen=True, slots=True)
class CombatConfig:
    lethality: float
    engaged_share: float
    killed_share: float
    noise_cv: float
    urban_defence: float
    air_weight: float
    strength_gradient: float
    reach_floor: float
    break_ratio: float
    capture_rate: float
    capture_intensity: float
    advance_share: float
    civilian_harm: float
    urban_civilian_factor: float
    positional_intensity: float
    limited_intensity: float
    limited_ratio: float
    raid_propensity: float
    offensive_days: int
    attack_ratio: float
    culmination_share: float
    siege_escalation: float
    new_front_cost: float
    front_days0: float  # days the places contested on day 0 had been fought over by then
    town_defence: tuple[float, ...]  # the holder's multiplier at each place (towns only)
    exposure: tuple[float, ...]  # residents exposed to fighting at each place, in 100,000s
    switch_rate: float
    switching: tuple[bool, ...]  # places whose local armed groups may change sides


_COMBAT_NAMES = (
    "lethality", "engaged_share", "killed_share", "noise_cv", "urban_defence", "air_weight",
    "strength_gradient", "reach_floor", "break_ratio", "capture_rate", "capture_intensity",
    "advance_share", "civilian_harm", "urban_civilian_factor", "positional_intensity",
    "limited_intensity", "limited_ratio", "raid_propensity", "offensive_days", "attack_ratio",
    "new_front_cost", "culmination_share", "siege_escalation", "front_days0")


@dataclass(frozen=True, slots=True)
class AirConfig:
    drones: tuple[float, float]  # day 0, by side
    air_defence: tuple[float, float]
    wear: float
    shootdown_rate: float
    suppression_rate: float
    coverage_half: float
    advance_share: float
    interdiction: float
    sortie_loss: float  # drones lost a day at all-out fighting (0: off)


@dataclass(frozen=True, slots=True)
class ContingentConfig:
    key: str
    backer: int  # index in BACKERS
    faction: int  # client faction, index in FACTIONS
    initial: float
    daily: float
    cap: float
    tour_days: float
    start_day: int  # its first fighters arrive, all together (on or before day 0: present then)


@dataclass(frozen=True, slots=True)
class ForcesConfig:
    fighters: tuple[float, ...]  # by faction
    command_control: tuple[float, ...]
    front_share: float
    place_weight_floor: float
    redeploy_rate: float
    garrison_share: float
    presence: float
    recruitment_rate: float
    contingents: tuple[ContingentConfig, ...]


@dataclass(frozen=True, slots=True)
class BackerConfig:
    key: str
    faction: int  # client faction index
    side: int
    enabled: bool
    start_day: int
    daily: float  # materiel, fighter-equivalents a day at the usual rate
    drone_share: float
    air_defence_share: float
    routes: tuple[float, float, float]  # sea, air, land shares
    lanes: tuple[tuple[int, float], ...]  # (route, share) for the routes it uses


@dataclass(frozen=True, slots=True)
class ArmsConfig:
    delay: int
    shipment_size: float
    escalation: float
    escalation_cap: float
    enforcement: float  # on every route
    route_enforcement: tuple[float, ...]  # extra, by route (sea, air, land)
    without_consent: float
    rearm_during_truce: bool  # backers deliver and send fighters while a truce holds
    backers: tuple[BackerConfig, ...]


@dataclass(frozen=True, slots=True)
class DeterrenceConfig:
    strength: float
    credibility: float  # attackers' prior belief that a declared red line is enforced
    prior_weight: float  # that belief's weight, in tests
    learning: bool  # attackers update their beliefs when they test a line
    from_forces: bool  # a backer's will to intervene grows with its forces nearby
    threat_links: int
    presence_half: float
    interests: tuple[tuple[int, int], ...]  # (backer, place) of the deterring backers
    declared: tuple[tuple[int, int], ...]  # (backer, place): red lines declared before day 0
    standby: tuple[float, ...]  # by backer: forces it can commit from outside Libya
    proximity: tuple[tuple[float, ...], ...]  # [backer][place]: 1 at its base, 1/2 at reach_km
    air_share: tuple[float, ...]  # by backer: its share of its side's drones and air defence


@dataclass(frozen=True, slots=True)
class UnalignedConfig:
    fronts: bool  # sides can attack unaligned places next to theirs
    local: tuple[float, ...]  # local defenders of each place: an unaligned place's own armed
    # men, or the day-0 holder's local allies (place.<p>.local_allies)


@dataclass(frozen=True, slots=True)
class EconomyConfig:
    blockade_enabled: bool
    days_closed: int  # days the terminals had been closed by day 0 (0: open)
    blockade_rate: float
    blockade_revenue: float
    reserve_days: float
    wage_bill_share: float
    tripoli_share: tuple[float, ...]  # by faction: share of its wages paid from Tripoli's payroll
    pay_loyalty: tuple[float, ...]  # by faction
    loyalty_days: float
    defection_rate: float
    wages: bool  # wages set loyalty
    finance: tuple[float, ...]  # by backer: share of its client's wage bill it pays (0 when off)
    fiscal_pressure: bool
    pressure_weight: float


@dataclass(frozen=True, slots=True)
class CommitmentConfig:
    lookahead_days: float
    trend_keep: float  # daily keep of the smoothed trend
    credibility_weight: float
    verification: float


@dataclass(frozen=True, slots=True)
class MediatorConfig:
    key: str
    enabled: bool
    start_day: int  # at work from this day (on or before day 0: from day 0)
    leverage: float
    ties: tuple[float, ...]  # by backer


@dataclass(frozen=True, slots=True)
class MediationConfig:
    mediators: tuple[MediatorConfig, ...]
    conference_day: int
    violation_cost: float
    conference_talks_probability: float
    talks_rate: float
    stalemate_advantage: float
    stalemate_days: int
    settlement_rate: float
    leverage_decay: float
    military_rate: float
    economic_rate: float
    political_rate: float
    parallel_rate: float


@dataclass(frozen=True, slots=True)
class MoraleConfig:
    capture_gain: float
    loss_per_place: float
    casualty_sensitivity: float
    recovery: float
    desertion: float
    floor: float
    ceiling: float
    desertion_threshold: float
    memory_keep: float  # daily keep of running sums (1 - 1/memory.days)
    memory_days: float
    supply_base: float
    delivery_weight: float
    adjust_rate: float
    erosion: float


@dataclass(frozen=True, slots=True)
class StocksConfig:
    """Munitions as stocks that deliveries fill and fighting empties (ODD 7.14)."""

    enabled: bool
    munitions_share: float  # of ground materiel
    munitions_use: float  # per effective fighter engaged a day at full intensity
    munitions_days: tuple[float, float]  # day 0, by side, in days of all-out fighting
    ration_days: float
    offensive_days: float


@dataclass(frozen=True, slots=True)
class Config:
    """All sections; `cfg.<section>.<name>`."""

    start_date: dt.date
    horizon: int
    map: MapConfig
    truce: TruceConfig
    combat: CombatConfig
    air: AirConfig
    forces: ForcesConfig
    arms: ArmsConfig
    deterrence: DeterrenceConfig
    unaligned: UnalignedConfig
    economy: EconomyConfig
    commitment: CommitmentConfig
    mediation: MediationConfig
    morale: MoraleConfig
    stocks: StocksConfig


_LAST: list[tuple[Mapping[str, Any], Config]] = []  # the last values and their config


def build_config(v: Mapping[str, Any]) -> Config:
    """Typed sections from a scenario's resolved values (registry name -> value); the runs of
    an ensemble share one values mapping, so the last result is reused for the same object."""
    if _LAST and _LAST[0][0] is v:
        return _LAST[0][1]
    cfg = _build(v)
    _LAST[:] = [(v, cfg)]
    return cfg


def _build(v: Mapping[str, Any]) -> Config:
    start: dt.date = v["scenario.start_date"]

    def day(name: str) -> int:
        return (v[name] - start).days

    world = _map(v)
    truce_day = day("truce.start") if v["truce.enabled"] else None
    truce = TruceConfig(
        enabled=v["truce.enabled"], start_day=truce_day,
        broken_on_day0=v["truce.on_day0"] == "broken", monitoring=v["truce.monitoring"],
        monitor_day=(None if truce_day is None or not v["truce.monitoring"]
                     else truce_day + v["truce.monitor_deploy_days"]),
        base_logit=v["truce.base_logit"], advantage_weight=v["truce.advantage_weight"],
        reciprocity_weight=v["truce.reciprocity_weight"], forgiveness=v["truce.forgiveness"],
        spoiler_rate=v["truce.spoiler_rate"],
        violations_per_day_max=v["truce.violations_per_day_max"],
        intensity_per_violation=v["truce.intensity_per_violation"],
        war_intensity=v["truce.war_intensity"],
        declare_over_probability=v["truce.declare_over_probability"],
        declare_over_days=v["truce.collapse_window_days"],
        redeclare_rate=v["truce.redeclare_rate"],
        attribution_monitored=v["truce.attribution_monitored"],
        attribution_unmonitored=v["truce.attribution_unmonitored"],
        attribution_cost=v["truce.monitoring_effect"],
        unclear_incidents=v["truce.unclear_incidents"])
    combat = CombatConfig(
        **{name: v[f"combat.{name}"] for name in _COMBAT_NAMES},
        town_defence=tuple(v["combat.urban_defence"] if u else 1.0 for u in world.urban),
        exposure=tuple(p / 1e5 * (v["combat.urban_civilian_factor"] if u else 1.0)
                       for p, u in zip(world.population, world.urban)),
        switch_rate=v["combat.switch_rate"],
        switching=_listed(place_keys(v["combat.switching_places"])))
    air = AirConfig(
        drones=(v["forces.gna.air"], v["forces.lna.air"]),
        air_defence=(v["air.gna.air_defence"], v["air.lna.air_defence"]),
        wear=v["combat.air_attrition"], shootdown_rate=v["air.shootdown_rate"],
        suppression_rate=v["air.suppression_rate"], coverage_half=v["air.coverage_half"],
        advance_share=v["air.advance_share"], interdiction=v["air.interdiction"],
        sortie_loss=v["air.sortie_loss"])
    backers = tuple(_backer(v, key, start) for key in BACKERS)
    contingents = tuple(ContingentConfig(
        key=c, backer=BACKERS.index(CONTINGENT_BACKER[c]),
        faction=FACTIONS.index(BACKER_CLIENT[CONTINGENT_BACKER[c]]),
        initial=v[f"fighters.{c}.initial"], daily=v[f"fighters.{c}.monthly"] / 30.0,
        cap=v[f"fighters.{c}.cap"], tour_days=v[f"fighters.{c}.tour_days"],
        start_day=(v[f"fighters.{c}.start"] - start).days) for c in CONTINGENTS)
    forces = ForcesConfig(
        fighters=tuple(float(v[f"forces.{f}.fighters"]) for f in FACTIONS),
        command_control=tuple(v[f"forces.{f}.command_control"] for f in FACTIONS),
        front_share=v["forces.front_share"], place_weight_floor=v["forces.place_weight_floor"],
        redeploy_rate=v["forces.redeploy_rate"], garrison_share=v["forces.garrison_share"],
        presence=v["forces.presence_threshold"], recruitment_rate=v["forces.recruitment_rate"],
        contingents=contingents)
    arms = ArmsConfig(
        delay=v["arms.delivery_delay_days"], shipment_size=v["arms.shipment_size"],
        escalation=v["arms.escalation"], escalation_cap=v["arms.escalation_cap"],
        enforcement=v["arms.embargo_enforcement"],
        route_enforcement=tuple(v[f"arms.embargo.{r}"] for r in ROUTES),
        without_consent=v["arms.embargo.without_consent"],
        rearm_during_truce=v["arms.rearm_during_truce"], backers=backers)
    deterrence = _deterrence(v, world, backers)
    unaligned = UnalignedConfig(
        fronts=v["unaligned.fronts"],
        local=tuple(pop * v["unaligned.local_share"] if holder == NONE
                    else v[f"place.{k}.local_allies"] if k in LOCAL_ALLIES else 0.0
                    for k, pop, holder in zip(PLACE_KEYS, world.population, world.holder)))
    economy = _economy(v)
    commitment = CommitmentConfig(
        lookahead_days=v["commitment.lookahead_days"],
        trend_keep=1.0 - 1.0 / v["commitment.trend_days"],
        credibility_weight=v["commitment.credibility_weight"],
        verification=v["commitment.verification"])
    mediators = tuple(MediatorConfig(
        key=m, enabled=v[f"mediation.{m}.enabled"], start_day=day(f"mediation.{m}.start"),
        leverage=v[f"mediation.{m}.leverage"] if v[f"mediation.{m}.enabled"] else 0.0,
        ties=tuple(v[f"mediation.{m}.tie.{b}"] for b in BACKERS)) for m in MEDIATORS)
    mediation = MediationConfig(
        mediators=mediators, conference_day=max(1, day("mediation.conference_date")),
        **{name: v[f"mediation.{name}"] for name in (
            "violation_cost", "conference_talks_probability", "talks_rate",
            "stalemate_advantage", "stalemate_days", "settlement_rate", "leverage_decay",
            "military_rate", "economic_rate", "political_rate", "parallel_rate")})
    morale = MoraleConfig(
        **{name: v[f"morale.{name}"] for name in (
            "capture_gain", "loss_per_place", "casualty_sensitivity", "recovery", "desertion",
            "floor", "ceiling", "desertion_threshold")},
        memory_keep=1.0 - 1.0 / v["memory.days"], memory_days=v["memory.days"],
        supply_base=v["supply.base"], delivery_weight=v["supply.delivery_weight"],
        adjust_rate=v["supply.adjust_rate"], erosion=v["supply.erosion"])
    stocks = StocksConfig(
        enabled=v["stocks.enabled"], munitions_share=v["stocks.munitions_share"],
        munitions_use=v["stocks.munitions_use"],
        munitions_days=(v["stocks.gna.munitions_days"], v["stocks.lna.munitions_days"]),
        ration_days=v["stocks.ration_days"], offensive_days=v["stocks.offensive_days"])
    return Config(start, v["scenario.horizon_days"], world, truce, combat, air, forces, arms,
                  deterrence, unaligned, economy, commitment, mediation, morale, stocks)


def _map(v: Mapping[str, Any]) -> MapConfig:
    n = len(PLACES)
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in ROADS:
        neighbours[PLACE_INDEX[a]].append(PLACE_INDEX[b])
        neighbours[PLACE_INDEX[b]].append(PLACE_INDEX[a])
    hops = [_bfs(neighbours, i) for i in range(n)]
    population = tuple(float(v[f"place.{k}.population"]) for k in PLACE_KEYS)
    total = max(sum(population), 1.0)
    tripoli = PLACES[PLACE_INDEX["tripoli"]]
    radius = v["outcomes.tripoli_front_radius_km"]
    return MapConfig(
        n=n, keys=PLACE_KEYS, names=tuple(p.name.split(" (")[0] for p in PLACES),
        holder=tuple(SIDE_OF[v[f"place.{k}.holder"]] for k in PLACE_KEYS),
        contested=tuple(v[f"place.{k}.contested"] for k in PLACE_KEYS),
        population=population, population_share=tuple(p / total for p in population),
        urban=tuple(v[f"place.{k}.urban"] for k in PLACE_KEYS),
        neighbours=tuple(tuple(x) for x in neighbours), hops=tuple(tuple(h) for h in hops),
        hubs=(tuple(PLACE_INDEX[h] for h in SUPPLY_HUBS["gna"]),
              tuple(PLACE_INDEX[h] for h in SUPPLY_HUBS["lna"])),
        near_tripoli=tuple(i for i, p in enumerate(PLACES)
                           if distance_km(p.lat, p.lon, tripoli.lat, tripoli.lon) <= radius),
        tripoli=PLACE_INDEX["tripoli"], benghazi=PLACE_INDEX["benghazi"],
        oil=PLACE_INDEX["oil_crescent"], sirte=PLACE_INDEX["sirte"])


def _listed(places: tuple[str, ...]) -> tuple[bool, ...]:
    """For each place, in PLACE_KEYS order, whether it is among `places`."""
    return tuple(k in places for k in PLACE_KEYS)


def _bfs(neighbours: list[list[int]], source: int) -> list[int]:
    """Road links from `source` to every place (a large number where there is no road)."""
    far = 10 ** 6
    dist = [far] * len(neighbours)
    dist[source], frontier = 0, [source]
    while frontier:
        nxt = []
        for i in frontier:
            for j in neighbours[i]:
                if dist[j] == far:
                    dist[j] = dist[i] + 1
                    nxt.append(j)
        frontier = nxt
    return dist


def _backer(v: Mapping[str, Any], key: str, start: dt.date) -> BackerConfig:
    sea, land = v[f"arms.{key}.sea_share"], v[f"arms.{key}.land_share"]
    total = sea + land
    if total > 1.0:  # shares larger than the whole: scale them down, no air bridge
        sea, land = sea / total, land / total
    faction = BACKER_CLIENT[key]
    return BackerConfig(
        key=key, faction=FACTIONS.index(faction), side=SIDE_OF[faction],
        enabled=v[f"arms.{key}.enabled"], start_day=(v[f"arms.{key}.start"] - start).days,
        daily=v[f"arms.{key}.volume"] / 30.0, drone_share=v[f"arms.{key}.air_share"],
        air_defence_share=min(v[f"arms.{key}.air_defence_share"],
                              1.0 - v[f"arms.{key}.air_share"]),
        routes=(sea, max(0.0, 1.0 - sea - land), land),
        lanes=tuple((r, x) for r, x in enumerate((sea, max(0.0, 1.0 - sea - land), land))
                    if x > 0.0))


def _economy(v: Mapping[str, Any]) -> EconomyConfig:
    """Oil, wages and loyalty, backers' money, fiscal pressure towards talks."""
    finance = v["economy.backer_finance.enabled"]
    return EconomyConfig(
        blockade_enabled=v["economy.blockade.enabled"],
        days_closed=v["economy.blockade.days_closed"], blockade_rate=v["economy.blockade_rate"],
        blockade_revenue=v["economy.blockade_revenue"], reserve_days=v["economy.reserve_days"],
        wage_bill_share=v["economy.wage_bill_share"],
        tripoli_share=tuple(v[f"economy.{f}.tripoli_share"] for f in FACTIONS),
        pay_loyalty=tuple(v[f"economy.{f}.pay_loyalty"] for f in FACTIONS),
        loyalty_days=v["economy.loyalty_days"], defection_rate=v["economy.defection_rate"],
        wages=v["economy.wages.enabled"],
        finance=tuple(v[f"economy.{b}.finance"] if finance else 0.0 for b in BACKERS),
        fiscal_pressure=v["economy.fiscal_pressure.enabled"],
        pressure_weight=v["economy.pressure_weight"])


def _deterrence(v: Mapping[str, Any], world: MapConfig,
                backers: tuple[BackerConfig, ...]) -> DeterrenceConfig:
    """Who can declare red lines (deterrence.enabled, deterrence.<b>.enabled and arms.<b>.enabled),
    over which core interests, and what each backer has near each place."""
    deterring = [b for b in DETERRING if v["deterrence.enabled"] and v[f"deterrence.{b}.enabled"]
                 and v[f"arms.{b}.enabled"]]
    interests = _backer_places(v["deterrence.interests"], deterring)
    reach = v["deterrence.reach_km"]
    proximity = []
    for key in BACKERS:
        if key not in DETERRING:
            proximity.append((0.0,) * world.n)
            continue
        base = PLACES[PLACE_INDEX[v[f"deterrence.{key}.base"]]]
        proximity.append(tuple(1.0 / (1.0 + distance_km(base.lat, base.lon, p.lat, p.lon) / reach)
                               for p in PLACES))
    return DeterrenceConfig(
        strength=v["deterrence.intervention_strength"], credibility=v["deterrence.credibility"],
        prior_weight=v["deterrence.prior_weight"], learning=v["deterrence.learning"],
        from_forces=v["deterrence.credibility_from_forces"],
        threat_links=v["deterrence.threat_links"], presence_half=v["deterrence.presence_half"],
        interests=interests,
        declared=_backer_places(v["deterrence.declared"], deterring),
        standby=tuple(v[f"deterrence.{b}.standby"] if b in DETERRING else 0.0 for b in BACKERS),
        proximity=tuple(proximity), air_share=_air_shares(backers))


def _backer_places(text: str, deterring: list[str]) -> tuple[tuple[int, int], ...]:
    """(backer, place) pairs of a 'backer: place, place; ...' text, for the deterring backers."""
    return tuple((BACKERS.index(b), PLACE_INDEX[p])
                 for b, places in place_lists(text, DETERRING).items()
                 if b in deterring for p in places)


def _air_shares(backers: tuple[BackerConfig, ...]) -> tuple[float, ...]:
    """Each backer's share of the drones and air defence its side's backers send (by volume)."""
    air = [b.daily * (b.drone_share + b.air_defence_share) if b.enabled else 0.0 for b in backers]
    side_total = [sum(a for a, b in zip(air, backers) if b.side == side) for side in (GNA, LNA)]
    return tuple(a / side_total[b.side] if side_total[b.side] > 0 else 0.0
                 for a, b in zip(air, backers))

(  # indices into the scalar parameter vector `P.x` (days are whole numbers, switches 0/1)
    # the truce
    TRUCE_START, MONITORING, MONITOR_DAY, BASE_LOGIT, ADVANTAGE_WEIGHT, RECIPROCITY_WEIGHT,
    FORGIVENESS, SPOILER_RATE, VIOLATIONS_MAX, INTENSITY_PER_VIOLATION, WAR_INTENSITY,
    DECLARE_OVER_PROBABILITY, DECLARE_OVER_DAYS, REDECLARE_RATE, ATTRIBUTION_MONITORED,
    ATTRIBUTION_UNMONITORED, ATTRIBUTION_COST, UNCLEAR_INCIDENTS,
    # combat
    LETHALITY, ENGAGED_SHARE, KILLED_SHARE, NOISE_SIGMA, AIR_WEIGHT, STRENGTH_GRADIENT, REACH_FLOOR,
    BREAK_RATIO, CAPTURE_RATE, CAPTURE_INTENSITY, ADVANCE_SHARE, CIVILIAN_HARM,
    POSITIONAL_INTENSITY, LIMITED_INTENSITY, LIMITED_RATIO, RAID_PROPENSITY, OFFENSIVE_DAYS,
    ATTACK_RATIO, CULMINATION_SHARE,
    # the air war
    AIR_WEAR, SHOOTDOWN_RATE, SUPPRESSION_RATE, COVERAGE_HALF, AIR_ADVANCE_SHARE, AIR_INTERDICTION,
    # forces
    PRESENCE, FRONT_SHARE, REDEPLOY_RATE, GARRISON_SHARE,
    # arms and the embargo
    DELAY, SHIPMENT_SIZE, ESCALATION, ESCALATION_CAP, ENFORCEMENT, WITHOUT_CONSENT,
    # deterrence
    DETERRENCE_STRENGTH, DETERRENCE_CREDIBILITY,
    # oil and money
    BLOCKADE_ENABLED, BLOCKADE_RATE, BLOCKADE_REVENUE, RESERVE_DAYS, WAGE_BILL_SHARE,
    # the commitment problem
    LOOKAHEAD_DAYS, TREND_KEEP, CREDIBILITY_WEIGHT, VERIFICATION,
    # mediation
    CONFERENCE_DAY, VIOLATION_COST, CONFERENCE_TALKS_PROBABILITY, TALKS_RATE, STALEMATE_ADVANTAGE,
    STALEMATE_DAYS, SETTLEMENT_RATE, LEVERAGE_KEEP, MILITARY_RATE, ECONOMIC_RATE, POLITICAL_RATE,
    PARALLEL_RATE,
    # morale and supply
    CAPTURE_GAIN, LOSS_PER_PLACE, CASUALTY_SENSITIVITY, RECOVERY, DESERTION, MORALE_FLOOR,
    MORALE_CEILING, DESERTION_THRESHOLD, MEMORY_KEEP, MEMORY_DAYS, SUPPLY_BASE, DELIVERY_WEIGHT,
    ADJUST_RATE, EROSION,
    # the run and the map
    HORIZON, TRIPOLI, BENGHAZI, OIL,
) = range(94)
(  # oil and money, 3.0 (wages and loyalty, backers' money, fiscal pressure towards talks)
    LOYALTY_DAYS, DEFECTION_RATE, WAGES_ENABLED, FISCAL_PRESSURE, PRESSURE_WEIGHT,
) = range(94, 99)
# red lines declared in the run, and unaligned fronts (#15 part 4)
(DETERRENCE_PRIOR_WEIGHT, DETERRENCE_LEARNING, DETERRENCE_FROM_FORCES, THREAT_LINKS,
 PRESENCE_HALF, UNALIGNED_FRONTS) = range(99, 105)
(  # materiel as stocks and rearmament during a truce (#15 part 2)
    STOCKS_ENABLED, MUNITIONS_SHARE, MUNITIONS_USE, RATION_DAYS, OFFENSIVE_STOCK_DAYS,
    SORTIE_LOSS, REARM_DURING_TRUCE,
) = range(105, 112)
# the situation on day 0 of a scenario that starts later (#16: forecasts from any origin)
TRUCE_BROKEN_ON_DAY0, BLOCKADE_DAYS_CLOSED = range(112, 114)
# civilian harm growing with the days a place has been fought over, and those days on day 0
SIEGE_ESCALATION, FRONT_DAYS0 = range(114, 116)
# each faction replaces its losses from its own people
RECRUITMENT_RATE = 116
# local armed groups who go over to the side that could take their town
SWITCH_RATE = 117
# a side opens a new front only with better odds than it needs on a front already open
NEW_FRONT_COST = 118
N_PARAMS = 119
NO_DAY = -1_000_000  # a day that never comes (no truce, no monitors)
# columns of the small per-actor matrices
C_INITIAL, C_DAILY, C_CAP, C_TOUR_DAYS, C_START = range(5)  # P.contingent
B_DAILY, B_DRONE_SHARE, B_AIR_DEFENCE_SHARE = range(3)  # P.backer


class Params(NamedTuple):
    """The parameters as arrays for the compiled submodels (see `build_params`)."""

    x: np.ndarray  # float64[N_PARAMS]: the scalars, by the indices above
    holder0: np.ndarray  # int64[place]: side holding each place on day 0
    contested0: np.ndarray  # bool[place]: both sides present on day 0
    town: np.ndarray  # float64[place]: the holder's defence multiplier (towns only)
    exposure: np.ndarray  # float64[place]: residents exposed to fighting, in 100,000s
    switching: np.ndarray  # bool[place]: its local armed groups may change sides
    population_share: np.ndarray  # float64[place]
    placement_weight: np.ndarray  # float64[place]: residents + forces.place_weight_floor
    neighbours: np.ndarray  # int64[place, k]: road neighbours, -1 after the last
    hops: np.ndarray  # int64[place, place]: road links between two places
    hubs: np.ndarray  # int64[side, k]: supply hubs, -1 after the last
    near_tripoli: np.ndarray  # bool[place]: within outcomes.tripoli_front_radius_km
    faction_side: np.ndarray  # int64[faction]
    fighters: np.ndarray  # float64[faction], day 0
    command_control: np.ndarray  # float64[faction]
    contingent: np.ndarray  # float64[contingent, C_*]
    contingent_backer: np.ndarray  # int64[contingent]
    contingent_faction: np.ndarray  # int64[contingent]
    backer: np.ndarray  # float64[backer, B_*]
    backer_enabled: np.ndarray  # bool[backer]
    backer_start: np.ndarray  # int64[backer]: first day of deliveries
    backer_side: np.ndarray  # int64[backer]: the client's side
    lane_route: np.ndarray  # int64[backer, k]: routes it ships on (sea 0, air 1, land 2), -1 after
    lane_share: np.ndarray  # float64[backer, k]
    route_enforcement: np.ndarray  # float64[route]
    drones0: np.ndarray  # float64[side]
    air_defence0: np.ndarray  # float64[side]
    mediator_enabled: np.ndarray  # bool[mediator]
    mediator_start: np.ndarray  # int64[mediator]: first day at work
    leverage0: np.ndarray  # float64[mediator]
    ties: np.ndarray  # float64[mediator, backer]
    # oil and money, 3.0
    tripoli_share: np.ndarray  # float64[faction]: share of its wages paid from Tripoli's payroll
    pay_loyalty: np.ndarray  # float64[faction]: loss of loyalty per unpaid share of wages
    finance: np.ndarray  # float64[backer]: share of its client's wage bill it pays
    # red lines declared in the run, and unaligned fronts (#15 part 4)
    interest_backer: np.ndarray  # int64[interest]: a deterring backer...
    interest_place: np.ndarray  # int64[interest]: ...and a core interest of its client
    standby: np.ndarray  # float64[backer]: forces it can commit from outside Libya
    proximity: np.ndarray  # float64[backer, place]: nearness to its base
    backer_air_share: np.ndarray  # float64[backer]: its share of its side's air power
    local0: np.ndarray  # float64[place]: local defenders on day 0 (unaligned, or allied)
    declared0: np.ndarray  # bool[backer, place]: red lines declared before day 0
    munitions_days0: np.ndarray  # float64[side]: munitions on day 0, days of all-out fighting


def build_params(cfg: Config) -> Params:
    """The arrays of one set of values (one scenario, or one draw of a posterior)."""
    m, t, c, a, fc, ar = cfg.map, cfg.truce, cfg.combat, cfg.air, cfg.forces, cfg.arms
    e, cm, md, mo, d = cfg.economy, cfg.commitment, cfg.mediation, cfg.morale, cfg.deterrence
    st = cfg.stocks
    x = np.zeros(N_PARAMS)
    scalars = {
        TRUCE_START: NO_DAY if t.start_day is None else t.start_day,
        TRUCE_BROKEN_ON_DAY0: t.broken_on_day0, MONITORING: t.monitoring,
        MONITOR_DAY: NO_DAY if t.monitor_day is None else t.monitor_day,
        BLOCKADE_DAYS_CLOSED: e.days_closed,
        BASE_LOGIT: t.base_logit, ADVANTAGE_WEIGHT: t.advantage_weight,
        RECIPROCITY_WEIGHT: t.reciprocity_weight, FORGIVENESS: t.forgiveness,
        SPOILER_RATE: t.spoiler_rate, VIOLATIONS_MAX: t.violations_per_day_max,
        INTENSITY_PER_VIOLATION: t.intensity_per_violation, WAR_INTENSITY: t.war_intensity,
        DECLARE_OVER_PROBABILITY: t.declare_over_probability,
        DECLARE_OVER_DAYS: t.declare_over_days, REDECLARE_RATE: t.redeclare_rate,
        ATTRIBUTION_MONITORED: t.attribution_monitored,
        ATTRIBUTION_UNMONITORED: t.attribution_unmonitored, ATTRIBUTION_COST: t.attribution_cost,
        UNCLEAR_INCIDENTS: t.unclear_incidents,
        LETHALITY: c.lethality, ENGAGED_SHARE: c.engaged_share, KILLED_SHARE: c.killed_share,
        NOISE_SIGMA: math.sqrt(math.log1p(c.noise_cv * c.noise_cv)), AIR_WEIGHT: c.air_weight,
        STRENGTH_GRADIENT: c.strength_gradient, REACH_FLOOR: c.reach_floor,
        BREAK_RATIO: c.break_ratio, CAPTURE_RATE: c.capture_rate,
        CAPTURE_INTENSITY: c.capture_intensity, ADVANCE_SHARE: c.advance_share,
        CIVILIAN_HARM: c.civilian_harm, POSITIONAL_INTENSITY: c.positional_intensity,
        LIMITED_INTENSITY: c.limited_intensity, LIMITED_RATIO: c.limited_ratio,
        RAID_PROPENSITY: c.raid_propensity, OFFENSIVE_DAYS: c.offensive_days,
        ATTACK_RATIO: c.attack_ratio, CULMINATION_SHARE: c.culmination_share,
        SIEGE_ESCALATION: c.siege_escalation, FRONT_DAYS0: c.front_days0,
        SWITCH_RATE: c.switch_rate, NEW_FRONT_COST: c.new_front_cost,
        AIR_WEAR: a.wear, SHOOTDOWN_RATE: a.shootdown_rate, SUPPRESSION_RATE: a.suppression_rate,
        COVERAGE_HALF: a.coverage_half, AIR_ADVANCE_SHARE: a.advance_share,
        AIR_INTERDICTION: a.interdiction,
        PRESENCE: fc.presence, FRONT_SHARE: fc.front_share, REDEPLOY_RATE: fc.redeploy_rate,
        GARRISON_SHARE: fc.garrison_share, RECRUITMENT_RATE: fc.recruitment_rate,
        DELAY: ar.delay, SHIPMENT_SIZE: ar.shipment_size, ESCALATION: ar.escalation,
        ESCALATION_CAP: ar.escalation_cap, ENFORCEMENT: ar.enforcement,
        WITHOUT_CONSENT: ar.without_consent,
        DETERRENCE_STRENGTH: d.strength, DETERRENCE_CREDIBILITY: d.credibility,
        DETERRENCE_PRIOR_WEIGHT: d.prior_weight, DETERRENCE_LEARNING: d.learning,
        DETERRENCE_FROM_FORCES: d.from_forces, THREAT_LINKS: d.threat_links,
        PRESENCE_HALF: d.presence_half, UNALIGNED_FRONTS: cfg.unaligned.fronts,
        BLOCKADE_ENABLED: e.blockade_enabled, BLOCKADE_RATE: e.blockade_rate,
        BLOCKADE_REVENUE: e.blockade_revenue, RESERVE_DAYS: e.reserve_days,
        WAGE_BILL_SHARE: e.wage_bill_share, LOYALTY_DAYS: e.loyalty_days,
        DEFECTION_RATE: e.defection_rate, WAGES_ENABLED: e.wages,
        FISCAL_PRESSURE: e.fiscal_pressure, PRESSURE_WEIGHT: e.pressure_weight,
        LOOKAHEAD_DAYS: cm.lookahead_days, TREND_KEEP: cm.trend_keep,
        CREDIBILITY_WEIGHT: cm.credibility_weight, VERIFICATION: cm.verification,
        CONFERENCE_DAY: md.conference_day, VIOLATION_COST: md.violation_cost,
        CONFERENCE_TALKS_PROBABILITY: md.conference_talks_probability,
        TALKS_RATE: md.talks_rate, STALEMATE_ADVANTAGE: md.stalemate_advantage,
        STALEMATE_DAYS: md.stalemate_days, SETTLEMENT_RATE: md.settlement_rate,
        LEVERAGE_KEEP: math.exp(-md.leverage_decay), MILITARY_RATE: md.military_rate,
        ECONOMIC_RATE: md.economic_rate, POLITICAL_RATE: md.political_rate,
        PARALLEL_RATE: md.parallel_rate,
        CAPTURE_GAIN: mo.capture_gain, LOSS_PER_PLACE: mo.loss_per_place,
        CASUALTY_SENSITIVITY: mo.casualty_sensitivity, RECOVERY: mo.recovery,
        DESERTION: mo.desertion, MORALE_FLOOR: mo.floor, MORALE_CEILING: mo.ceiling,
        DESERTION_THRESHOLD: mo.desertion_threshold, MEMORY_KEEP: mo.memory_keep,
        MEMORY_DAYS: mo.memory_days, SUPPLY_BASE: mo.supply_base,
        DELIVERY_WEIGHT: mo.delivery_weight, ADJUST_RATE: mo.adjust_rate, EROSION: mo.erosion,
        HORIZON: cfg.horizon, TRIPOLI: m.tripoli, BENGHAZI: m.benghazi, OIL: m.oil,
        STOCKS_ENABLED: st.enabled, MUNITIONS_SHARE: st.munitions_share,
        MUNITIONS_USE: st.munitions_use, RATION_DAYS: st.ration_days,
        OFFENSIVE_STOCK_DAYS: st.offensive_days, SORTIE_LOSS: a.sortie_loss,
        REARM_DURING_TRUCE: ar.rearm_during_truce,
    }
    assert len(scalars) == N_PARAMS, "every scalar parameter has a value"
    for index, value in scalars.items():
        x[index] = float(value)
    backers, contingents, mediators = ar.backers, fc.contingents, md.mediators
    return Params(
        x=x,
        holder0=np.array(m.holder, dtype=np.int64),
        contested0=np.array(m.contested, dtype=np.bool_),
        town=np.array(c.town_defence), exposure=np.array(c.exposure),
        switching=np.array(c.switching, dtype=np.bool_),
        population_share=np.array(m.population_share),
        placement_weight=np.array([p + fc.place_weight_floor for p in m.population]),
        neighbours=_padded(m.neighbours), hops=np.array(m.hops, dtype=np.int64),
        hubs=_padded(m.hubs),
        near_tripoli=np.array([p in m.near_tripoli for p in range(m.n)], dtype=np.bool_),
        faction_side=np.array(FACTION_SIDE, dtype=np.int64),
        fighters=np.array(fc.fighters), command_control=np.array(fc.command_control),
        contingent=np.array([[k.initial, k.daily, k.cap, k.tour_days, k.start_day]
                             for k in contingents]),
        contingent_backer=np.array([k.backer for k in contingents], dtype=np.int64),
        contingent_faction=np.array([k.faction for k in contingents], dtype=np.int64),
        backer=np.array([[b.daily, b.drone_share, b.air_defence_share] for b in backers]),
        backer_enabled=np.array([b.enabled for b in backers], dtype=np.bool_),
        backer_start=np.array([b.start_day for b in backers], dtype=np.int64),
        backer_side=np.array([b.side for b in backers], dtype=np.int64),
        lane_route=_padded(tuple(tuple(r for r, _ in b.lanes) for b in backers), width=3),
        lane_share=np.array([[s for _, s in b.lanes] + [0.0] * (3 - len(b.lanes))
                             for b in backers]),
        route_enforcement=np.array(ar.route_enforcement),
        drones0=np.array(a.drones, dtype=np.float64),
        air_defence0=np.array(a.air_defence, dtype=np.float64),
        mediator_enabled=np.array([mc.enabled for mc in mediators], dtype=np.bool_),
        mediator_start=np.array([mc.start_day for mc in mediators], dtype=np.int64),
        leverage0=np.array([mc.leverage for mc in mediators], dtype=np.float64),
        ties=np.array([mc.ties for mc in mediators], dtype=np.float64),
        tripoli_share=np.array(e.tripoli_share), pay_loyalty=np.array(e.pay_loyalty),
        finance=np.array(e.finance),
        interest_backer=np.array([b for b, _ in d.interests], dtype=np.int64),
        interest_place=np.array([p for _, p in d.interests], dtype=np.int64),
        standby=np.array(d.standby), proximity=np.array(d.proximity),
        backer_air_share=np.array(d.air_share), local0=np.array(cfg.unaligned.local),
        declared0=_declared(d.declared, len(BACKERS), m.n),
        munitions_days0=np.array(st.munitions_days, dtype=np.float64),
    )


def _declared(lines: tuple[tuple[int, int], ...], backers: int, places: int) -> np.ndarray:
    """bool[backer, place]: the red lines declared before day 0."""
    out = np.zeros((backers, places), dtype=np.bool_)
    for b, p in lines:
        out[b, p] = True
    return out


def _padded(rows: tuple[tuple[int, ...], ...], width: int | None = None) -> np.ndarray:
    """Ragged rows of indices as a matrix, -1 after each row's last."""
    width = width or max(1, max((len(r) for r in rows), default=1))
    out = np.full((len(rows), width), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row
    return out


_LAST_PARAMS: list[tuple[Config, Params]] = []


def params_for(cfg: Config) -> Params:
    """`build_params`, once for the runs that share a config (an ensemble's)."""
    if _LAST_PARAMS and _LAST_PARAMS[0][0] is cfg:
        return _LAST_PARAMS[0][1]
    params = build_params(cfg)
    _LAST_PARAMS[:] = [(cfg, params)]
    return params


@structref.register
class ParamsStructType(StructType):
    pass


class ParamsStruct(structref.StructRefProxy):
    """The parameters as the compiled day receives them: the same arrays, behind one pointer."""


structref.define_proxy(ParamsStruct, ParamsStructType, list(Params._fields))


@njit
def _params_struct(P: Params) -> ParamsStruct:
    return ParamsStruct(*P)


def params_for_kernel(P: Params) -> Params:
    """What the compiled submodels take (the named tuple itself when they run as Python)."""
    return P if disabled() else _params_struct(P)
