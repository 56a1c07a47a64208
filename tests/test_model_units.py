"""Unit tests of single mechanisms: each checked in isolation on a model built from the
baseline, without running a whole year."""

from __future__ import annotations

import datetime as dt

import pytest

from libyasim.model import LibyaModel, Truce, combat, forces, mediation
from libyasim.model.config import GNA, LNA, PLACE_INDEX


def model(**overrides) -> LibyaModel:
    return LibyaModel(None, rng=3, **overrides)


def stepped(days: int = 30, **overrides) -> LibyaModel:
    m = model(**overrides)
    for _ in range(days):
        m.step()
    return m


def fighters(m: LibyaModel) -> list[float]:
    """Fighters of each faction, at places and in reserve."""
    s = m.state
    return [sum(s.forces[f]) + s.reserve[f] for f in range(3)]


# ------------------------------------------------------------------ fighters are conserved
def test_redeployment_moves_fighters_without_creating_or_losing_any():
    m = stepped(20, **{"forces.redeploy_rate": 0.5})
    before = fighters(m)
    forces.redeploy(m.state, m.cfg, m.faction_list)
    assert fighters(m) == pytest.approx(before, rel=1e-12)
    assert min(min(row) for row in m.state.forces) >= 0 and min(m.state.reserve) >= 0


def test_retreat_moves_a_sides_forces_to_a_place_it_holds():
    m = model()
    s, tripoli = m.state, PLACE_INDEX["tripoli"]
    before = fighters(m)
    combat._retreat(s, m.cfg, tripoli, GNA)
    assert s.forces[0][tripoli] == s.forces[1][tripoli] == 0.0
    assert fighters(m) == pytest.approx(before, rel=1e-12)
    assert s.map_dirty


def test_capture_changes_the_holder_and_conserves_fighters():
    m = model()
    s = m.state
    tripoli = PLACE_INDEX["tripoli"]
    origin = PLACE_INDEX["tripoli_south"]
    before = fighters(m)
    combat.take(s, m.cfg, tripoli, by=LNA, origin=origin)
    assert s.owner[tripoli] == LNA
    assert s.forces[0][tripoli] == s.forces[1][tripoli] == 0.0  # defenders fell back
    assert fighters(m) == pytest.approx(before, rel=1e-12)
    assert any(e.kind == "capture" and e.place == "tripoli" for e in s.events)


# ------------------------------------------------------------------ the violation formula
class MeanDraw:
    """A stand-in for a random stream: a Poisson draw returns 1000 times its mean."""

    def poisson(self, mean: float) -> float:
        return 1000 * mean


def violations(m: LibyaModel, faction: str = "lna", **state) -> tuple[float, int]:
    """(violation probability, 1000 x expected violations a day) of a faction in `m`."""
    s = m.state
    f = next(f for f in m.faction_list if f.key == faction)
    s.truce = Truce.HOLDING
    projected = state.get("projected", 0.0)
    s.projected = [-projected, projected] if f.side == LNA else [projected, -projected]
    s.pressure = list(state.get("pressure", [0.0, 0.0]))
    s.attribution[f.index] = state.get("attribution", 0.0)
    f.perceived = state.get("perceived", 0.0)
    s.dice.decide = MeanDraw()  # type: ignore[assignment]
    f.decide()
    return f.propensity, s.violations[f.index]


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


def test_attribution_lowers_the_probability():
    unseen, _ = violations(model(), attribution=0.0)
    seen, _ = violations(model(), attribution=0.8)
    assert seen < unseen


def test_violations_scale_with_the_daily_maximum_and_spoilers_set_a_floor():
    _, few = violations(model(**{"truce.violations_per_day_max": 2.0}))
    _, many = violations(model(**{"truce.violations_per_day_max": 8.0}))
    assert many == pytest.approx(4 * few, rel=0.01)
    # with a low violation probability, uncontrolled units spoil at the spoiler rate
    calm = {"truce.base_logit": -10.0, "forces.lna.command_control": 0.5}
    _, none = violations(model(**calm, **{"truce.spoiler_rate": 0.0}))
    _, some = violations(model(**calm, **{"truce.spoiler_rate": 0.2}))
    vmax = model().cfg.truce.violations_per_day_max
    assert none < 5 and some == pytest.approx(1000 * vmax * 0.5 * 0.2, rel=0.01)


def test_full_command_control_leaves_no_room_for_spoilers():
    calm = {"truce.base_logit": -10.0, "forces.lna.command_control": 1.0}
    _, quiet = violations(model(**calm, **{"truce.spoiler_rate": 0.5}))
    assert quiet < 5


# ------------------------------------------------------------------ end states and settlement
def test_end_state_branches_in_their_order():
    m = stepped(5)
    s = m.state
    tripoli = PLACE_INDEX["tripoli"]
    near = m.cfg.map.near_tripoli
    s.truce = Truce.HOLDING
    s.forces[2][near[0]] = 1e4  # the LNA at the Tripoli front
    assert m.end_state() == "truce_holds"
    s.truce = Truce.BROKEN
    assert m.end_state() == "frozen_front"
    s.truce, s.settlement_path = Truce.SETTLED, "mediated"
    assert m.end_state() == "negotiated_settlement"
    s.truce = Truce.BROKEN
    for p in near:
        if s.owner[p] == LNA:
            s.owner[p] = GNA
        s.forces[2][p] = 0.0
    assert m.end_state() == "gna_pushes_back"
    s.owner[tripoli] = LNA
    assert m.end_state() == "lna_takes_tripoli"  # first in the order, whatever the truce


def test_a_mediated_settlement_needs_talks_an_agreed_military_track_and_ripeness():
    m = stepped(5, **{"mediation.settlement_rate": 1.0, "mediation.parallel_rate": 0.0})
    s, cfg = m.state, m.cfg
    ripe = cfg.mediation.stalemate_days
    s.truce, s.projected, s.trend = Truce.BROKEN, [0.0, 0.0], [0.0, 0.0]
    s.pressure = [5.0, 5.0]  # certain once ripe

    def negotiate() -> None:
        mediation.negotiate(s, cfg, m.mediator_list, m.faction_list)

    s.talks_day, s.ripeness = None, ripe
    s.day = cfg.mediation.conference_day - 1  # no talks can start today
    negotiate()
    assert s.settlement_day is None  # no talks: no deal
    s.talks_day, s.tracks["military"], s.ripeness = 3, 1.0, ripe - 2
    negotiate()
    assert s.settlement_day is None  # talks and an agreed track, but not yet ripe
    negotiate()
    assert s.truce == Truce.SETTLED and s.settlement_path == "mediated"
    assert m.outcomes()["settlement_day"] == s.day


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
