"""Counterfactual signs that must come from mechanisms, not from artefacts of the code
(issue 15): a truce cannot be deadlier than war by accident, grievances fade after a truce
breaks, the embargo acts on the fighters who travel its routes and on the munitions both sides
fight with, and rearmament during a truce is a mechanism with its own switch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from libyasim.model import SERIES_COLUMNS, LibyaModel, simulate
from libyasim.model import combat
from libyasim.model.config import POSITIONAL_INTENSITY
from libyasim.model.state import HOLDING, PERCEIVED, TRUCE
from libyasim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
RUNS = 60


def _deaths(name: str, seeds: range) -> np.ndarray:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    return np.array([simulate(scenario, seed)[0]["conflict_deaths"] for seed in seeds])


def test_over_the_year_a_truce_is_not_deadlier_than_no_truce():
    """With common random numbers, the baseline's truce does not add deaths over the year
    (2.0 added ~340, from a frozen grudge and a truce's violence floor)."""
    seeds = range(RUNS)
    extra = _deaths("baseline", seeds) - _deaths("no_truce", seeds)
    test = stats.ttest_1samp(extra, 0.0, alternative="greater")
    assert test.pvalue > 0.01, f"the truce adds {extra.mean():.0f} deaths a year"


def test_a_holding_truce_is_never_more_violent_than_war():
    """Whatever the violations, a holding truce's fighting stays at or below the war's
    positional intensity at the same places."""
    model = LibyaModel(None, rng=4, **{"truce.intensity_per_violation": 1.0})
    model.S.i[TRUCE] = HOLDING
    model.S.violations[:] = 50
    assert combat.base_intensity(*model.kernel) == model.P.x[POSITIONAL_INTENSITY]
    model.S.violations[:] = 0
    assert combat.base_intensity(*model.kernel) == 0.0


def test_grievances_fade_after_a_truce_breaks():
    """Memory of the other side's violations decays every day, truce or not: months after
    the truce's collapse it is near zero (2.0 froze it at its last value)."""
    scenario = load_scenario(SCENARIOS / "baseline.toml").with_overrides(
        {"truce.redeclare_rate": 0.0, "truce.base_logit": 0.0})  # a fragile truce
    for seed in range(5):
        model = LibyaModel(scenario, rng=seed)
        model.advance(200)
        collapse = model.truce_collapse_day
        if collapse is not None and collapse < 100:
            assert np.abs(model.S.faction[:, PERCEIVED]).max() < 0.01
            return
    raise AssertionError("no early collapse in five seeds: pick other seeds")


def test_an_enforced_embargo_stops_foreign_fighters_too():
    """Fighters fly and sail on the backers' routes: enforcing the embargo leaves fewer
    foreign fighters on both sides over the year."""
    leaky = simulate(load_scenario(SCENARIOS / "baseline.toml"), 1)[1]
    enforced = simulate(load_scenario(SCENARIOS / "embargo_enforced.toml"), 1)[1]
    for side in ("gna", "lna"):
        column = SERIES_COLUMNS.index(f"foreign_fighters_{side}_side")
        assert enforced[:, column].mean() < leaky[:, column].mean()


def _paired(scenario, variant, outcome: str, seeds: range) -> np.ndarray:
    """Variant minus scenario, run by run on the same seeds (common random numbers)."""
    return np.array([simulate(variant, s)[0][outcome] - simulate(scenario, s)[0][outcome]
                     for s in seeds])


def test_an_enforced_embargo_cuts_battle_deaths():
    """At war, enforcing the embargo empties both sides' munitions stocks: they can sustain
    less fire and fewer offensives, so fewer fighters die (2.0: the embargo cost lives)."""
    war = load_scenario(SCENARIOS / "no_truce.toml").with_overrides(
        {"scenario.horizon_days": 180})
    enforced = war.with_overrides({"arms.embargo_enforcement": 0.8})
    fewer = _paired(war, enforced, "battle_deaths", range(20))
    test = stats.ttest_1samp(fewer, 0.0, alternative="less")
    assert test.pvalue < 0.01, f"the embargo changes battle deaths by {fewer.mean():+.0f}"


def test_rearmament_during_the_truce_carries_part_of_its_cost():
    """Backers who keep delivering while the truce holds fill their clients' stocks; fighting
    after a breakdown is heavier. Switched off (`arms.rearm_during_truce`), the baseline's
    truce costs fewer lives over the year and less materiel arrives."""
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    paused = baseline.with_overrides({"arms.rearm_during_truce": False})
    seeds = range(30)
    assert _paired(baseline, paused, "arms_delivered_total", seeds).max() < 0
    fewer = _paired(baseline, paused, "conflict_deaths", seeds)
    test = stats.ttest_1samp(fewer, 0.0, alternative="less")
    assert test.pvalue < 0.05, f"pausing deliveries changes deaths by {fewer.mean():+.0f}"
