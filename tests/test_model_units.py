"""Unit tests of single mechanisms of the 0.1 model: each checked in isolation on a model built
from the baseline, without running a whole year. (The model is being rewritten as a package;
these tests state behaviour the rewrite must keep, or be adapted with it.)"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from libyasim.agents import GNA_SIDE, LNA_SIDE
from libyasim.model import LibyaModel, Truce


def model(**overrides) -> LibyaModel:
    return LibyaModel(None, rng=3, **overrides)


def stepped(days: int = 30, **overrides) -> LibyaModel:
    m = model(**overrides)
    for _ in range(days):
        m.step()
    return m


# ------------------------------------------------------------------ fighters are conserved
def test_redeployment_moves_fighters_without_creating_or_losing_any():
    m = stepped(20, **{"forces.redeploy_rate": 0.5})
    before = m.forces.sum(axis=0).copy()
    m.arriving[:] = 0.0
    m._redeploy()
    np.testing.assert_allclose(m.forces.sum(axis=0), before, rtol=1e-12)
    assert (m.forces >= -1e-9).all()


def test_redeployment_adds_exactly_the_new_arrivals():
    m = stepped(20)
    before = m.forces.sum(axis=0).copy()
    m.arriving[:] = [100.0, 0.0, 50.0]
    m._redeploy()
    np.testing.assert_allclose(m.forces.sum(axis=0), before + [100.0, 0.0, 50.0], rtol=1e-12)


def test_retreat_moves_a_sides_forces_to_a_place_it_holds():
    m = model()
    place = m.place_index["tripoli"]
    before = m.forces.sum(axis=0).copy()
    m._retreat(place, GNA_SIDE)
    cols = m._cols(GNA_SIDE)
    assert (m.forces[place, cols] == 0).all()
    np.testing.assert_allclose(m.forces.sum(axis=0), before, rtol=1e-12)


def test_capture_changes_the_holder_and_conserves_fighters():
    m = model()
    gna_place = m.place_index["tripoli"]
    lna_place = int(np.flatnonzero(m.owner == LNA_SIDE)[0])
    before = m.forces.sum(axis=0).copy()
    m._take(gna_place, by=LNA_SIDE, frm=lna_place)
    assert m.owner[gna_place] == LNA_SIDE
    assert (m.forces[gna_place, m._cols(GNA_SIDE)] == 0).all()  # defenders fell back
    np.testing.assert_allclose(m.forces.sum(axis=0), before, rtol=1e-12)
    assert m._pairs_dirty


# ------------------------------------------------------------------ the violation formula
@dataclass
class MeanDraw:
    """A stand-in for the random generator: a Poisson draw returns 1000 times its mean."""

    def poisson(self, lam: float) -> float:
        return 1000 * lam


def violations(m: LibyaModel, faction: str = "lna", **state) -> tuple[float, int]:
    """(violation probability, 1000 x expected violations a day) of a faction in `m`."""
    f = next(f for f in m.factions if f.key == faction)
    m.advantage = list(state.get("advantage", [0.0, 0.0]))
    m.pressure = list(state.get("pressure", [0.0, 0.0]))
    f.remembered_violations = state.get("remembered", 0.0)
    m.rng = MeanDraw()  # type: ignore[assignment]
    f.decide_compliance()
    return f.violation_probability, f.violations_today


@pytest.mark.parametrize("name, low, high, state, direction", [
    ("truce.base_logit", -3.0, -1.0, {}, +1),
    ("truce.advantage_weight", 1.0, 8.0, {"advantage": [-0.3, 0.3]}, +1),
    ("truce.reciprocity_weight", 0.1, 0.5, {"remembered": 5.0}, +1),
    ("mediation.violation_cost", 0.5, 2.0, {"pressure": [1.0, 1.0]}, -1),
    ("truce.monitoring_effect", 0.2, 1.5, {}, -1),
])
def test_violation_probability_moves_with_each_parameter(name, low, high, state, direction):
    extra = {"truce.monitoring": True} if name == "truce.monitoring_effect" else {}
    p_low, _ = violations(model(**extra, **{name: low}), **state)
    p_high, _ = violations(model(**extra, **{name: high}), **state)
    assert (p_high - p_low) * direction > 0


def test_monitoring_lowers_the_probability_only_when_switched_on():
    off, _ = violations(model(**{"truce.monitoring": False}))
    on, _ = violations(model(**{"truce.monitoring": True}))
    assert on < off


def test_violations_scale_with_the_daily_maximum_and_spoilers_set_a_floor():
    _, few = violations(model(**{"truce.violations_per_day_max": 2.0}))
    _, many = violations(model(**{"truce.violations_per_day_max": 8.0}))
    assert many == pytest.approx(4 * few, rel=0.01)
    # with a low violation probability, uncontrolled units spoil at the spoiler rate
    calm = {"truce.base_logit": -10.0, "forces.lna.command_control": 0.5}
    _, none = violations(model(**calm, **{"truce.spoiler_rate": 0.0}))
    _, some = violations(model(**calm, **{"truce.spoiler_rate": 0.2}))
    vmax = 6.0
    assert none < 5 and some == pytest.approx(1000 * vmax * 0.5 * 0.2, rel=0.01)


def test_full_command_control_leaves_no_room_for_spoilers():
    calm = {"truce.base_logit": -10.0, "forces.lna.command_control": 1.0}
    _, quiet = violations(model(**calm, **{"truce.spoiler_rate": 0.5}))
    assert quiet < 5


# ------------------------------------------------------------------ end states and settlement
def test_end_state_branches_in_their_order():
    m = stepped(5)
    tripoli = m.place_index["tripoli"]
    m.truce = Truce.IN_FORCE
    m.forces[m.near_tripoli, 2] = 1e4  # the LNA at the Tripoli front
    assert m.end_state() == "truce_holds"
    m.truce = Truce.COLLAPSED
    assert m.end_state() == "frozen_front"
    m.truce = Truce.SETTLED
    assert m.end_state() == "negotiated_settlement"
    m.truce = Truce.COLLAPSED
    m.owner[m.near_tripoli & (m.owner == LNA_SIDE)] = GNA_SIDE
    m.forces[m.near_tripoli, 2] = 0.0
    assert m.end_state() == "gna_pushes_back"
    m.owner[tripoli] = LNA_SIDE
    assert m.end_state() == "lna_takes_tripoli"  # first in the order, whatever the truce


def test_settlement_needs_talks_and_a_ripe_stalemate():
    m = stepped(5, **{"mediation.settlement_rate": 1.0})
    m.pressure = [5.0, 5.0]  # certain once ripe
    ripe = m.params["mediation.stalemate_days"]
    m.talks_day, m.stalemate_days, m.truce = None, ripe, Truce.COLLAPSED
    m.conference_day = 10**6  # no talks can start today
    m._negotiate(6)
    assert m.truce == Truce.COLLAPSED and m.settlement_day is None  # no talks: no deal
    m.talks_day, m.stalemate_days = 3, ripe - 1
    m._negotiate(6)
    assert m.settlement_day is None  # talks, but not yet ripe
    m.stalemate_days = ripe
    m._negotiate(6)
    assert m.truce == Truce.SETTLED and m.settlement_day == 6
    outcome = m.outcomes()
    assert outcome["settlement_day"] == 6 and outcome["end_state"] in (
        "negotiated_settlement", "lna_takes_tripoli")


def test_truce_outcomes_count_from_the_truce_start():
    m = LibyaModel(None, rng=5, **{"truce.start": __import__("datetime").date(2020, 2, 1),
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
