"""Unit tests of single mechanisms: each checked in isolation on a model built from the
baseline, without running a whole year."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from libyasim.model import LibyaModel, Truce, combat, decisions, forces, mediation, stocks
from libyasim.model.config import GNA, LNA, PLACE_INDEX
from libyasim.model.state import (
    DAY,
    DECIDE_DICE,
    DECISIVE,
    MAP_DIRTY,
    MEDIATED,
    MILITARY,
    OFFENSIVE,
    PERCEIVED,
    RECIPROCATE,
    RIPENESS,
    SETTLEMENT_DAY,
    SETTLEMENT_PATH,
    STANCE,
    STREAMS,
    TALKS_DAY,
    TRIPOLI_FALL_DAY,
    TRUCE,
)


def model(**overrides) -> LibyaModel:
    return LibyaModel(None, rng=3, **overrides)


def stepped(days: int = 30, **overrides) -> LibyaModel:
    m = model(**overrides)
    for _ in range(days):
        m.step()
    return m


def fighters(m: LibyaModel) -> list[float]:
    """Fighters of each faction, at places and in reserve."""
    S = m.S
    return [float(S.forces[f].sum() + S.reserve[f]) for f in range(3)]


# ------------------------------------------------------------------ fighters are conserved
def test_redeployment_moves_fighters_without_creating_or_losing_any():
    m = stepped(20, **{"forces.redeploy_rate": 0.5})
    S = m.S
    before, reserve = fighters(m), S.reserve.copy()
    combat.measure(*m.kernel)
    forces.redeploy(*m.kernel)
    assert fighters(m) == pytest.approx(before, rel=1e-12)
    assert (S.reserve < reserve).any()  # the reserves did move to the fronts
    assert S.forces.min() >= 0 and S.reserve.min() >= 0


def test_retreat_moves_a_sides_forces_to_a_place_it_holds():
    m = model()
    S, tripoli = m.S, PLACE_INDEX["tripoli"]
    before = fighters(m)
    held = S.forces[0].copy()
    S.i[MAP_DIRTY] = 0
    combat.retreat(*m.kernel, tripoli, GNA)
    assert S.forces[0, tripoli] == S.forces[1, tripoli] == 0.0
    gained = np.flatnonzero(S.forces[0] > held + 1e-9)
    assert len(gained) == 1 and S.owner[gained[0]] == GNA  # all to one place the GNA holds
    assert fighters(m) == pytest.approx(before, rel=1e-12)
    assert S.i[MAP_DIRTY]


def test_capture_changes_the_holder_and_conserves_fighters():
    m = model()
    S = m.S
    tripoli = PLACE_INDEX["tripoli"]
    origin = PLACE_INDEX["tripoli_south"]
    before = fighters(m)
    combat.take(*m.kernel, tripoli, LNA, origin, False)
    assert S.owner[tripoli] == LNA
    assert S.opened[tripoli] and all(S.opened[p] for p in m.P.neighbours[tripoli] if p >= 0)
    assert S.forces[0, tripoli] == S.forces[1, tripoli] == 0.0  # defenders fell back
    assert S.forces[2, tripoli] > 0.0  # part of the attackers moved in
    assert fighters(m) == pytest.approx(before, rel=1e-12)
    assert S.i[TRIPOLI_FALL_DAY] == S.i[DAY]
    assert any(e.kind == "capture" and e.place == "tripoli" for e in m.events)


# ------------------------------------------------------------------ the violation formula
GRID = 2000  # uniforms spread evenly over (0, 1): averages over them are expectations


def violations(m: LibyaModel, faction: str = "lna", **state) -> tuple[float, float]:
    """(violation probability, expected violations a day) of a faction in `m` while a truce
    holds. Each Poisson count inverts one of the decide stream's uniforms; setting them all to
    each point of an even grid in turn and averaging gives the expected count."""
    S = m.S
    f = next(f for f in m.faction_list if f.key == faction)
    S.i[TRUCE] = Truce.HOLDING
    projected = state.get("projected", 0.0)
    S.projected[f.side], S.projected[1 - f.side] = projected, -projected
    S.pressure[:] = state.get("pressure", [0.0, 0.0])
    S.attribution[f.index] = state.get("attribution", 0.0)
    S.faction[f.index, PERCEIVED] = state.get("perceived", 0.0)
    first, end = STREAMS[DECIDE_DICE, 0], STREAMS[DECIDE_DICE, 1]
    day = int(S.i[DAY])
    counts = []
    for k in range(GRID):
        S.uniforms[day, first:end] = (k + 0.5) / GRID
        S.cursor[DECIDE_DICE, 0] = first
        f.decide()
        assert S.cursor[DECIDE_DICE, 0] <= end  # no draw fell back to the run's generator
        counts.append(int(S.violations[f.index]))
    return f.propensity, float(np.mean(counts))


@pytest.mark.parametrize("name, low, high, state, direction", [
    ("truce.base_logit", -3.0, -1.0, {}, +1),
    ("truce.advantage_weight", 1.0, 8.0, {"projected": 0.3}, +1),
    ("truce.reciprocity_weight", 0.1, 0.5, {"perceived": 5.0}, +1),
    ("mediation.violation_cost", 0.5, 2.0, {"pressure": [1.0, 1.0]}, -1),
    ("truce.monitoring_effect", 0.2, 1.5, {"attribution": 0.8}, -1),
])
def test_violation_probability_moves_with_each_parameter(name, low, high, state, direction):
    p_low, _ = violations(model(**{name: low}), **state)
    p_high, _ = violations(model(**{name: high}), **state)
    assert (p_high - p_low) * direction > 0


def test_violation_probability_is_the_logistic_of_its_terms():
    m = model()
    t, cost = m.cfg.truce, m.cfg.mediation.violation_cost
    p, _ = violations(m, projected=0.2, perceived=1.5, pressure=[0.4, 0.7], attribution=0.3)
    logit = (t.base_logit + t.advantage_weight * 0.2 + t.reciprocity_weight * 1.5
             - cost * 0.7 - t.attribution_cost * 0.3)  # the LNA feels the LNA side's pressure
    assert p == pytest.approx(1 / (1 + math.exp(-logit)), rel=1e-9)


def test_attribution_lowers_the_probability():
    unseen, _ = violations(model(), attribution=0.0)
    seen, _ = violations(model(), attribution=0.8)
    assert seen < unseen


def test_violations_scale_with_the_daily_maximum_and_spoilers_set_a_floor():
    m = model(**{"truce.violations_per_day_max": 2.0})
    p, few = violations(m)
    _, many = violations(model(**{"truce.violations_per_day_max": 8.0}))
    assert few > 0 and many == pytest.approx(4 * few, rel=0.01)
    # a reciprocating leadership orders vmax x cc x p; its uncontrolled units add
    # vmax x (1 - cc) x max(p, spoiler rate)
    lna = m.faction_list[2]
    cc, spoilers = lna.command_control, m.cfg.truce.spoiler_rate
    assert lna.stance == "reciprocate"
    assert few == pytest.approx(2.0 * (cc * p + (1 - cc) * max(p, spoilers)), rel=0.01)
    # with a low violation probability, uncontrolled units spoil at the spoiler rate
    calm = {"truce.base_logit": -10.0, "forces.lna.command_control": 0.5}
    _, none = violations(model(**calm, **{"truce.spoiler_rate": 0.0}))
    _, some = violations(model(**calm, **{"truce.spoiler_rate": 0.2}))
    vmax = model().cfg.truce.violations_per_day_max
    assert none < 0.005 and some == pytest.approx(vmax * 0.5 * 0.2, rel=0.01)


def test_full_command_control_leaves_no_room_for_spoilers():
    calm = {"truce.base_logit": -10.0, "forces.lna.command_control": 1.0}
    _, quiet = violations(model(**calm, **{"truce.spoiler_rate": 0.5}))
    assert quiet < 0.005


@pytest.mark.parametrize("faction", ["wag", "lna"])
def test_disloyal_units_slip_out_of_control(faction):
    """A faction's command and control shrinks with its loyalty (unpaid wages, economy)."""
    calm = {"truce.base_logit": -10.0, "truce.spoiler_rate": 0.2}
    paid, unpaid = model(**calm), model(**calm)
    index = ("gna", "wag", "lna").index(faction)
    unpaid.S.loyalty[index] = 0.5
    cc, vmax = paid.faction_list[index].command_control, paid.cfg.truce.violations_per_day_max
    _, when_paid = violations(paid, faction)
    _, when_unpaid = violations(unpaid, faction)
    assert when_paid == pytest.approx(vmax * (1 - cc) * 0.2, rel=0.01)
    assert when_unpaid == pytest.approx(vmax * (1 - 0.5 * cc) * 0.2, rel=0.01)


# ------------------------------------------------------------------ end states and settlement
def test_end_state_branches_in_their_order():
    m = stepped(5)
    S, P = m.S, m.P
    tripoli = PLACE_INDEX["tripoli"]
    near = np.flatnonzero(P.near_tripoli)
    S.i[TRUCE] = Truce.HOLDING
    S.forces[2, near[0]] = 1e4  # the LNA at the Tripoli front
    assert m.end_state() == "truce_holds"
    S.i[TRUCE] = Truce.BROKEN
    assert m.end_state() == "frozen_front"
    S.i[TRUCE], S.i[SETTLEMENT_PATH] = Truce.SETTLED, MEDIATED
    assert m.end_state() == "negotiated_settlement"
    S.i[SETTLEMENT_PATH] = DECISIVE  # a decisive victory is no negotiated settlement
    assert m.end_state() == "frozen_front"
    S.i[TRUCE] = Truce.BROKEN
    for p in near:
        if S.owner[p] == LNA:
            S.owner[p] = GNA
        S.forces[2, p] = 0.0
    assert m.end_state() == "gna_pushes_back"
    S.owner[tripoli] = LNA
    assert m.end_state() == "lna_takes_tripoli"  # first in the order, whatever the truce


def test_a_mediated_settlement_needs_talks_an_agreed_military_track_and_ripeness():
    m = stepped(5, **{"mediation.settlement_rate": 1.0, "mediation.parallel_rate": 0.0})
    S, cfg = m.S, m.cfg
    ripe = cfg.mediation.stalemate_days
    S.i[TRUCE] = Truce.BROKEN
    S.projected[:] = S.trend[:] = 0.0
    S.pressure[:] = 5.0  # certain once ripe

    def negotiate() -> None:
        mediation.negotiate(*m.kernel, m.rng)

    S.i[TALKS_DAY], S.i[RIPENESS] = -1, ripe
    S.i[DAY] = cfg.mediation.conference_day - 1  # no talks can start today
    negotiate()
    assert S.i[SETTLEMENT_DAY] < 0 and S.i[TALKS_DAY] < 0  # no talks: no deal
    S.i[TALKS_DAY], S.i[RIPENESS] = 3, ripe - 2
    S.tracks[MILITARY] = 1.0
    negotiate()
    assert S.i[SETTLEMENT_DAY] < 0  # talks and an agreed track, but not yet ripe
    negotiate()
    assert S.i[TRUCE] == Truce.SETTLED and S.i[SETTLEMENT_PATH] == MEDIATED
    assert m.outcomes()["settlement_day"] == S.i[DAY]


def test_truce_outcomes_count_from_the_truce_start():
    m = LibyaModel(None, rng=5, **{"truce.start": dt.date(2020, 2, 1),
                                   "scenario.horizon_days": 120})
    while m.running:
        m.step()
    out = m.outcomes()
    assert out["truce_declared"] and out["truce_start_day"] == 22
    if out["truce_collapsed"]:
        assert out["truce_days"] == out["truce_collapse_day"] - 22 >= 0
    else:
        assert out["truce_days"] is None
    assert out["conflict_deaths"] == out["battle_deaths"] + out["civilian_deaths"]


# ------------------------------------------------------------------ materiel stocks
def test_day_zero_munitions_are_days_of_all_out_fighting():
    m = model()
    K = m.kernel
    for side, days in zip((GNA, LNA), m.cfg.stocks.munitions_days):
        assert stocks.days_on_hand(*K, side) == pytest.approx(days)


def test_the_fire_a_side_sustains_rises_smoothly_with_its_munitions():
    m = model()
    K, S = m.kernel, m.S
    need = stocks.demand(*K, GNA)
    assert need > 0.0
    shares = []
    for days in (0.0, 1.0, 5.0, 20.0, 100.0):
        S.munitions[GNA] = days * need
        shares.append(stocks.sustainable(*K, GNA))
    assert shares[0] == 0.0 and (np.diff(shares) > 0).all() and shares[-1] > 0.99
    assert shares[2] == pytest.approx(1.0 - math.exp(-5.0 / m.cfg.stocks.ration_days))
    off = model(**{"stocks.enabled": False})
    off.S.munitions[:] = 0.0
    assert stocks.sustainable(*off.kernel, GNA) == 1.0


def test_deliveries_fill_the_stock_and_fighting_empties_it_never_below_zero():
    m = model()
    K, S = m.kernel, m.S
    S.munitions[LNA] = 10.0
    rest = stocks.stock_up(*K, LNA, 100.0)
    share = m.cfg.stocks.munitions_share
    assert S.munitions[LNA] == pytest.approx(10.0 + 100.0 * share)
    assert rest == pytest.approx(100.0 * (1.0 - share))
    front = stocks.front_strength(S, LNA)
    S.munitions[LNA] = 1000.0
    stocks.spend(*K, LNA, 0.5 * front, 0.8)  # half the front at full intensity, rationed
    assert S.fighting[LNA] == pytest.approx(0.5)
    assert S.munitions[LNA] == pytest.approx(1000.0 - 0.5 * 0.8 * stocks.demand(*K, LNA))
    stocks.spend(*K, LNA, 1e9, 1.0)
    assert S.munitions[LNA] == 0.0


def test_a_side_without_munitions_cannot_launch_an_offensive():
    m = model()
    K, S = m.kernel, m.S
    S.forces[1, PLACE_INDEX["zuwara"]] = 1e6  # overwhelming numbers next to Sabratha
    S.air_share[:] = [0.9, 0.1]
    combat.measure(*K)
    for munitions, launched in ((1e9, True), (0.0, False)):
        S.munitions[GNA] = munitions
        S.faction_i[1, STANCE] = RECIPROCATE
        decisions.choose_offensive(*K, 1, False)
        assert (S.faction_i[1, STANCE] == OFFENSIVE) == launched
    S.munitions[GNA] = 0.5 * m.cfg.stocks.offensive_days * stocks.demand(*K, GNA)
    decisions.choose_offensive(*K, 1, False)  # too little for an offensive's first days
    assert S.faction_i[1, STANCE] != OFFENSIVE
