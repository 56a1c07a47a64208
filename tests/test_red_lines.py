"""Red lines that arise in the run, and unaligned places that can be contested (ODD 7.6, 7.1):
unit tests of the kernel functions, invariants over whole runs, and directional tests with
paired seeds."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from libyasim.model import SERIES_COLUMNS, LibyaModel, combat, deterrence, simulate, stocks
from libyasim.model.config import GNA, LNA, NONE, PLACE_INDEX, PLACE_KEYS
from libyasim.model.state import (
    INTENSITY,
    N_LOCAL_PAIRS,
    OFFENSIVE,
    OFFENSIVE_SINCE,
    STANCE,
    TARGET,
)
from libyasim.params import BACKERS
from libyasim.scenario import ScenarioError, resolve_scenario

EGYPT, RUSSIA, TURKEY = (BACKERS.index(b) for b in ("egypt", "russia", "turkey"))
GNA_F, LNA_F = 0, 2  # the GNA's and the LNA's own factions
SIRTE, OIL, JUFRA = PLACE_INDEX["sirte"], PLACE_INDEX["oil_crescent"], PLACE_INDEX["jufra"]
BANI_WALID, TARHUNA = PLACE_INDEX["bani_walid"], PLACE_INDEX["tarhuna"]


def model(days: int = 30, **overrides) -> LibyaModel:
    """A fresh run at day 0 (set up, nothing decided yet)."""
    return LibyaModel(resolve_scenario(None, overrides), rng=1, scenario__horizon_days=days)


def aim(m: LibyaModel, f: int, target: int, since: int = 0) -> None:
    """Faction f's offensive on `target`, as its decision would leave it."""
    S = m.S
    S.faction_i[f, STANCE], S.faction_i[f, TARGET], S.faction_i[f, OFFENSIVE_SINCE] = \
        OFFENSIVE, target, since


# ------------------------------------------------------------------ declaring red lines
def test_no_place_is_a_red_line_before_a_threat():
    m = model()
    assert not m.S.declared.any()  # day 0: nothing declared in advance
    m.advance()
    declared = {(BACKERS[b], PLACE_KEYS[p]) for b, p in zip(*np.nonzero(m.S.declared))}
    # the LNA holds the southern Tripoli front, next to Tripoli (Turkey's client's seat);
    # the GNA side is nowhere near Egypt's interests in the east
    assert ("turkey", "tripoli") in declared
    assert not any(b == "egypt" for b, _ in declared)


def test_an_offensive_aimed_near_an_interest_makes_the_backer_declare_a_line_where_it_hits():
    m = model()
    aim(m, GNA_F, SIRTE)  # Sirte is one road link from the oil crescent
    deterrence.declare(*m.kernel)
    assert m.S.declared[EGYPT, SIRTE] and not m.S.declared[EGYPT, OIL]
    assert not m.S.declared[RUSSIA].any()  # Russia declares none (deterrence.russia.enabled)
    line = next(e for e in m.events if e.kind == "red_line" and e.place == "sirte")
    assert line.actor == "egypt" and "to protect Oil crescent" in line.text
    tight = model(**{"deterrence.threat_links": 0})  # only an attack on the interest itself
    aim(tight, GNA_F, SIRTE)
    deterrence.declare(*tight.kernel)
    assert not tight.S.declared[EGYPT].any()
    aim(tight, GNA_F, OIL)
    deterrence.declare(*tight.kernel)
    assert tight.S.declared[EGYPT, OIL]


def test_an_enemy_standing_near_an_interest_brings_a_line_at_the_places_facing_it():
    m = model(**{"deterrence.russia.enabled": True})
    m.S.owner[SIRTE] = GNA  # the GNA side holds Sirte, next to the oil crescent and al-Jufra
    deterrence.declare(*m.kernel)
    assert m.S.declared[EGYPT, OIL] and m.S.declared[RUSSIA, JUFRA]
    assert m.S.declared[EGYPT].sum() == 1  # Ajdabiya, behind the oil crescent, is not a line


def test_switched_off_backers_declare_nothing():
    for off in ({"deterrence.enabled": False}, {"deterrence.egypt.enabled": False},
                {"arms.egypt.enabled": False}):
        m = model(**off)
        m.S.owner[SIRTE] = GNA
        aim(m, GNA_F, OIL)
        deterrence.assess(*m.kernel)
        assert not m.S.declared[EGYPT].any(), off
        assert (m.S.threat[GNA_F] == 1.0).all(), off


# ------------------------------------------------------------------ credibility from forces
def test_a_backer_with_more_forces_nearby_is_more_credible():
    m = model()
    S = m.S
    near, far = (deterrence.credibility(*m.kernel, EGYPT, p)
                 for p in (PLACE_INDEX["benghazi"], SIRTE))
    assert 0.0 < far < near < 1.0  # the same forces count less far from Egypt's border
    strong = model(**{"deterrence.egypt.standby": 10000.0})
    assert deterrence.credibility(*strong.kernel, EGYPT, SIRTE) > far
    # Turkey's contingent and drones count: without them its line at Tripoli is less credible
    tripoli = PLACE_INDEX["tripoli"]
    before = deterrence.credibility(*m.kernel, TURKEY, tripoli)
    S.contingents[:] = 0.0
    S.drones[GNA] = S.air_defence[GNA] = 0.0
    assert deterrence.credibility(*m.kernel, TURKEY, tripoli) < before
    # a backer with nothing nearby never intervenes; with the mechanism off, every line holds
    assert deterrence.credibility(*model(**{"deterrence.egypt.standby": 0.0,
                                            "arms.egypt.air_share": 0.0}).kernel,
                                  EGYPT, SIRTE) == 0.0
    assert deterrence.credibility(*model(**{"deterrence.credibility_from_forces": False}).kernel,
                                  EGYPT, SIRTE) == 1.0


# ------------------------------------------------------------------ learning by testing
def _test_line(m: LibyaModel, since: int = 0) -> None:
    """The GNA's offensive on Sirte, a declared Egyptian line, meets today's intervention."""
    m.S.declared[EGYPT, SIRTE] = True
    aim(m, GNA_F, SIRTE, since)
    deterrence.intervene(*m.kernel, m.rng)
    deterrence.expect(*m.kernel)


def test_attackers_learn_a_line_by_testing_it():
    prior, weight = 0.5, 2.0  # deterrence.credibility, deterrence.prior_weight
    strength = 2.0  # deterrence.intervention_strength
    enforced = model(**{"deterrence.credibility_from_forces": False})
    _test_line(enforced)
    S = enforced.S
    assert S.shield[SIRTE] == pytest.approx(1 + strength)
    believed = (weight * prior + 1) / (weight + 1)
    assert S.threat[GNA_F, SIRTE] == pytest.approx(1 + strength * believed)
    assert S.threat[1, SIRTE] == pytest.approx(1 + strength * prior)  # others have not tested it
    _test_line(enforced)  # the same offensive is one test, however long it lasts
    assert S.enforced[GNA_F, EGYPT, SIRTE] == 1
    assert any(e.kind == "intervention" and e.place == "sirte" for e in enforced.events)
    bluff = model(**{"deterrence.egypt.standby": 0.0, "arms.egypt.air_share": 0.0})
    _test_line(bluff)
    assert bluff.S.shield[SIRTE] == 1.0 and bluff.S.unenforced[GNA_F, EGYPT, SIRTE] == 1
    assert bluff.S.threat[GNA_F, SIRTE] == pytest.approx(1 + strength * weight * prior / (weight + 1))
    assert any(e.kind == "red_line_tested" for e in bluff.events)
    _test_line(bluff, since=5)  # a new offensive: a second test
    assert bluff.S.unenforced[GNA_F, EGYPT, SIRTE] == 2
    stubborn = model(**{"deterrence.egypt.standby": 0.0, "arms.egypt.air_share": 0.0,
                        "deterrence.learning": False})
    _test_line(stubborn)
    assert stubborn.S.threat[GNA_F, SIRTE] == pytest.approx(1 + strength * prior)


def test_allies_attacking_the_same_line_see_the_same_answer():
    m = model(**{"deterrence.egypt.standby": 1000.0})  # about even odds of an intervention
    for day in range(40):  # the GNA and the western armed groups attack Sirte together
        m.S.declared[EGYPT, SIRTE] = True
        aim(m, GNA_F, SIRTE, since=day)
        aim(m, 1, SIRTE, since=day)
        deterrence.intervene(*m.kernel, m.rng)
    S = m.S
    assert (S.enforced[GNA_F] == S.enforced[1]).all() and (S.unenforced[GNA_F] == S.unenforced[1]).all()
    assert 0 < S.enforced[GNA_F, EGYPT, SIRTE] < 40  # both answers happen...
    answers = [e for e in m.events if e.kind in ("intervention", "red_line_tested")]
    assert len(answers) == 40  # ...once a test, not once an attacker
    assert all(e.text.endswith("against the GNA's offensive.") for e in answers
               if e.kind == "intervention")


def test_an_attacker_weighs_the_intervention_it_expects_in_its_odds():
    m = model()
    S = m.S
    out = np.empty((len(S.owner), 3))
    odds = {int(t): r for r, t, _ in out[:combat.targets(*m.kernel, GNA_F, out)]}
    S.declared[EGYPT, SIRTE] = True
    deterrence.expect(*m.kernel)
    after = {int(t): r for r, t, _ in out[:combat.targets(*m.kernel, GNA_F, out)]}
    assert after[SIRTE] == pytest.approx(odds[SIRTE] / S.threat[GNA_F, SIRTE])


# ------------------------------------------------------------------ unaligned places
def test_sides_can_attack_unaligned_neighbours_defended_by_local_forces():
    m = model()
    S = m.S
    assert S.owner[BANI_WALID] == NONE
    assert S.local[BANI_WALID] == pytest.approx(0.02 * 100_000)  # unaligned.local_share
    fronts = {tuple(int(x) for x in S.local_pairs[k]) for k in range(S.i[N_LOCAL_PAIRS])}
    assert fronts == {(TARHUNA, BANI_WALID), (JUFRA, BANI_WALID)}  # both LNA-held
    out = np.empty((len(S.owner), 3))
    lna = {int(t): r for r, t, _ in out[:combat.targets(*m.kernel, LNA_F, out)]}
    strength = combat.attack_strength(*m.kernel, LNA, BANI_WALID)[0]
    air = (1 + m.cfg.combat.air_weight * S.air_share[LNA]) * stocks.sustainable(*m.kernel, LNA)
    town = m.cfg.combat.urban_defence
    assert lna[BANI_WALID] == pytest.approx(strength * air / (S.local[BANI_WALID] * town))
    gna = {int(t) for _, t, _ in out[:combat.targets(*m.kernel, GNA_F, out)]}
    assert BANI_WALID not in gna  # the GNA side holds no place next to it
    off = model(**{"unaligned.fronts": False})
    assert off.S.i[N_LOCAL_PAIRS] == 0
    assert BANI_WALID not in {int(t) for _, t, _ in out[:combat.targets(*off.kernel, LNA_F, out)]}


def test_an_offensive_on_an_unaligned_place_fights_its_local_forces():
    m = model(**{"truce.enabled": False})
    m.set_orders("lna", {"stance": "offensive", "target": "bani_walid"})
    before = m.S.local[BANI_WALID]
    m.advance()
    assert m.S.local[BANI_WALID] < before  # the locals lose fighters
    assert m.S.f[INTENSITY] == 1.0
    quiet = model(**{"truce.enabled": False})
    quiet.set_orders("lna", {"stance": "hold"})
    quiet.advance()
    assert quiet.S.local[BANI_WALID] == before  # no positional fighting with a neutral town


def test_unaligned_places_are_captured_by_the_same_rules():
    m = model()
    S = m.S
    S.f[INTENSITY] = 1.0
    S.air_share[:] = [0.1, 0.9]
    locals_ = S.local[BANI_WALID]
    S.local[BANI_WALID] = 1e7
    assert _lna_attacks_bani_walid(m) == NONE  # outnumbered attackers do not take it
    S.local[BANI_WALID] = locals_
    S.forces[LNA_F, TARHUNA] = 1e6
    combat.measure(*m.kernel)
    S.air_share[:] = [0.9, 0.1]  # overwhelming numbers, but no sky
    assert _lna_attacks_bani_walid(m) == NONE
    S.air_share[:] = [0.1, 0.9]
    assert _lna_attacks_bani_walid(m) == LNA and S.local[BANI_WALID] == 0.0
    assert S.forces[LNA_F, BANI_WALID] > 0.0  # attackers move in
    capture = [e for e in m.events if e.kind == "capture"][-1]
    assert capture.place == "bani_walid" and capture.actor == "lna"
    assert m.place_holders()[BANI_WALID] == "lna"


def _lna_attacks_bani_walid(m: LibyaModel, days: int = 50) -> int:
    """The LNA's offensive from Tarhuna on Bani Walid, day after day; who holds it after."""
    for _ in range(days):
        combat.maybe_capture(*m.kernel, m.rng, BANI_WALID, TARHUNA, LNA, (1.0, 1.0))
    return int(m.S.owner[BANI_WALID])


# ------------------------------------------------------------------ invariants over runs
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_red_lines_and_unaligned_places_stay_consistent_over_a_run(seed):
    m = LibyaModel(resolve_scenario(None, GNA_ADVANCES), rng=seed, scenario__horizon_days=365)
    P, S = m.P, m.S
    links = m.cfg.deterrence.threat_links
    while m.running:
        m.advance()
        for b, p in zip(*np.nonzero(S.declared)):  # a line only near one of the backer's interests
            assert any(ib == b and P.hops[ip, p] <= links
                       for ib, ip in m.cfg.deterrence.interests)
        assert (S.local >= 0.0).all() and not S.contested[S.owner == NONE].any()
        assert ((S.threat >= 1.0) & (S.shield >= 1.0)[None, :]).all()
    events = m.events
    declared = {(e.actor, e.place) for e in events if e.kind == "red_line"}
    tested = [(e.actor, e.place) for e in events if e.kind in ("intervention", "red_line_tested")]
    assert set(tested) <= declared  # only declared lines are tested
    assert not any(e.day == 0 for e in events if e.kind == "red_line")
    # allies attacking the same place see one answer: one event, a count for each attacker
    enforced = {(BACKERS[b], PLACE_KEYS[p]) for _, b, p in zip(*np.nonzero(S.enforced))}
    assert enforced == {(e.actor, e.place) for e in events if e.kind == "intervention"}
    assert int(S.enforced.sum()) >= sum(e.kind == "intervention" for e in events)
    outcomes = m.outcomes()
    assert outcomes["red_lines_declared"] == len(declared) == int(S.declared.sum())
    assert outcomes["places_captured"] == sum(e.kind == "capture" for e in events)
    holders = m.series[:, [i for i, c in enumerate(SERIES_COLUMNS) if c.startswith("holder_")]]
    assert set(np.unique(holders)) <= {0.0, 1.0, 2.0, 3.0}
    unaligned = m.series[:, SERIES_COLUMNS.index("control_unaligned")]
    assert (np.diff(unaligned) <= 1e-12).all()  # no place becomes unaligned again


# ------------------------------------------------------------------ directions, paired seeds
RUNS = 150
# A hypothetical war the GNA side is winning (no truce, a large Turkish flow, a small LNA), so
# that its advance reaches the LNA's core interests; no 2020 event is presupposed.
GNA_ADVANCES = {"truce.enabled": False, "arms.turkey.volume": 5000.0, "forces.lna.fighters": 12000}


@cache
def ensemble(**overrides) -> pd.DataFrame:
    scenario = resolve_scenario(None, {**GNA_ADVANCES, **overrides})
    return pd.DataFrame([simulate(scenario, seed)[0] for seed in range(RUNS)])


def gna_holds(runs: pd.DataFrame, place: str) -> int:
    return int(runs[f"holder_{place}"].eq("gna").sum())


def more_often(a: int, b: int) -> float:
    """One-sided Fisher p-value that a place is held in more of the runs of `a` than of `b`."""
    return stats.fisher_exact([[a, RUNS - a], [b, RUNS - b]], alternative="greater").pvalue


def test_switching_red_lines_off_lets_the_attacker_take_more_of_the_threatened_places():
    with_lines, without = ensemble(), ensemble(**{"deterrence.enabled": False})
    assert (without["red_lines_declared"] == 0).all() and (with_lines["red_lines_declared"] > 0).all()
    assert more_often(gna_holds(without, "oil_crescent"), gna_holds(with_lines, "oil_crescent")) < 0.01


def test_a_backer_with_no_forces_nearby_deters_less():
    """Egypt's lines with nothing behind them (no forces it could commit, no share of the
    LNA's air power): the GNA side gains more of the population in the same runs."""
    bluff = ensemble(**{"deterrence.egypt.standby": 0.0, "arms.egypt.air_share": 0.0})
    more = stats.wilcoxon(bluff["gna_population_share"], ensemble()["gna_population_share"],
                          alternative="greater")
    assert more.pvalue < 0.01


def test_unaligned_places_change_hands_only_when_they_can_be_contested():
    closed = ensemble(**{"unaligned.fronts": False})
    assert (closed["holder_bani_walid"] == "unaligned").all()
    assert (ensemble()["holder_bani_walid"] != "unaligned").any()


def test_a_misspelt_interest_is_a_one_line_error():
    with pytest.raises(ScenarioError, match=r"deterrence\.interests.*unknown place 'atlantis'"):
        resolve_scenario(None, {"deterrence.interests": "egypt: tobruk, atlantis"})
    with pytest.raises(ScenarioError, match=r"unknown name 'france'"):
        resolve_scenario(None, {"deterrence.interests": "france: tripoli"})


def test_a_scenario_setting_the_static_red_lines_of_2_0_is_told_what_replaced_them():
    with pytest.raises(ScenarioError, match=r"deterrence\.core_links.*declared during the run"):
        resolve_scenario(None, {"deterrence.core_links": 1})
