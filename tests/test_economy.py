"""Oil and money (the ODD, 7.5): Tripoli's payroll, each faction's wages and loyalty, backers'
money, and fiscal pressure towards talks. Unit tests of the kernels, invariants over whole runs,
and directional checks with paired seeds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from libyasim.model import SERIES_COLUMNS, LibyaModel, Truce, economy, mediation, morale
from libyasim.model.state import (
    ECONOMIC,
    FUNDS,
    MEDIATION_DICE,
    RIPENESS,
    STREAMS,
    TALKS_DAY,
    TRUCE,
)

COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}
FACTIONS = ("gna", "wag", "lna")
BLOCKADE = {"economy.blockade_rate": 0.3}  # the terminals close within days (top of the range)
# ...and stay closed all year: no economic deal reopens them
ALL_YEAR = {**BLOCKADE, "mediation.economic_rate": 0.0}
PAY = [COL[f"pay_{f}"] for f in FACTIONS]
LOYALTY = [COL[f"loyalty_{f}"] for f in FACTIONS]


def model(**overrides) -> LibyaModel:
    return LibyaModel(None, rng=3, **overrides)


def run(days: int, seed: int = 3, **overrides) -> LibyaModel:
    m = LibyaModel(None, rng=seed, scenario__horizon_days=days, **overrides)
    m.advance(days)
    return m


# ------------------------------------------------------------------ kernels
def test_the_central_bank_pays_salaries_first():
    """The payroll is paid in full while the funds cover the wage bill, in proportion below."""
    assert economy.payroll_paid(1.0, 0.55) == 1.0
    assert economy.payroll_paid(0.6, 0.55) == 1.0
    assert economy.payroll_paid(0.275, 0.55) == pytest.approx(0.5)
    assert economy.payroll_paid(-0.1, 0.55) == 0.0


def test_tripolis_payroll_reaches_each_faction_through_its_share():
    m = model(**{"economy.backer_finance.enabled": False})
    shares = m.cfg.economy.tripoli_share
    for f, share in enumerate(shares):
        assert economy.wages_paid(*m.kernel, f, 0.5) == pytest.approx(share * 0.5 + 1 - share)
        assert economy.wages_paid(*m.kernel, f, 1.0) == 1.0
    # the GNA lives on Tripoli's payroll; the LNA pays most of its wages itself
    assert economy.wages_paid(*m.kernel, 0, 0.5) < economy.wages_paid(*m.kernel, 2, 0.5) < 1.0


def test_backers_pay_what_their_clients_cannot_while_they_back_them():
    plain = model(**{"economy.backer_finance.enabled": False})
    funded = model(**{"economy.uae.finance": 0.2, "economy.qatar.finance": 0.1,
                      "economy.turkey.finance": 0.0})
    lna, gna = 2, 0
    assert economy.wages_paid(*funded.kernel, lna, 0.5) == pytest.approx(
        economy.wages_paid(*plain.kernel, lna, 0.5) + 0.2)
    assert economy.wages_paid(*funded.kernel, gna, 0.5) == pytest.approx(
        economy.wages_paid(*plain.kernel, gna, 0.5) + 0.1)
    assert economy.wages_paid(*funded.kernel, lna, 1.0) == 1.0  # nothing beyond full pay
    dropped = model(**{"economy.uae.finance": 0.2, "arms.uae.enabled": False})
    assert economy.wages_paid(*dropped.kernel, lna, 0.5) == pytest.approx(
        economy.wages_paid(*plain.kernel, lna, 0.5))


def test_loyalty_falls_with_unpaid_wages_by_each_factions_sensitivity():
    m = model()
    for f, k in enumerate(m.cfg.economy.pay_loyalty):
        assert economy.loyalty_target(m.kernel[0], f, 1.0) == 1.0
        assert economy.loyalty_target(m.kernel[0], f, 0.4) == pytest.approx(1 - 0.6 * k)


def test_loyalty_scales_the_strength_committed_and_unpaid_fighters_go_home():
    paid, unpaid = run(10), run(10)
    unpaid.S.loyalty[1] = 0.5
    before = paid.S.forces[1].sum()
    morale.recover(*paid.kernel, 1)
    morale.recover(*unpaid.kernel, 1)
    assert unpaid.S.factor[1] == pytest.approx(0.5 * paid.S.factor[1], rel=1e-12)
    usual = 1.0 - paid.S.forces[1].sum() / before  # erosion and desertion, paid in full
    leaving = 0.5 * paid.cfg.economy.defection_rate
    assert leaving > 0 and unpaid.S.forces[1].sum() == pytest.approx(
        before * (1.0 - usual - leaving), rel=1e-9)


def test_foreign_contingents_are_paid_by_their_backers():
    """Syrians with the GNA are paid by Turkey: the GNA's unpaid wages hold back only its own
    fighters."""
    m = run(60)
    S = m.S
    S.loyalty[0] = 0.5
    foreign = S.contingents[0]  # the Syrian contingent, with the GNA
    assert foreign > 0 and economy.own_share(*m.kernel, 0) == pytest.approx(
        1 - foreign / S.totals[0])
    assert 0.5 < economy.committed(*m.kernel, 0) < 1.0
    assert economy.committed(*m.kernel, 1) == 1.0  # the western armed groups: still paid
    assert economy.leaving(*m.kernel, 0) < 0.5 * m.cfg.economy.defection_rate


def test_fiscal_strain_on_either_side_speeds_the_talks():
    """Talks start sooner and the economic track moves faster in proportion to the strain."""
    def talks_start(strain: list[float], **overrides) -> bool:
        m = run(10, **overrides)
        S = m.S
        S.i[TRUCE], S.i[TALKS_DAY], S.i[RIPENESS] = Truce.HOLDING, -1, 0
        S.pressure[:], S.strain[:] = 1.0, strain
        rate = m.cfg.mediation.talks_rate
        first = STREAMS[MEDIATION_DICE, 0]
        S.uniforms[10, first:STREAMS[MEDIATION_DICE, 1]] = 1.25 * rate  # between the two rates
        S.cursor[MEDIATION_DICE, 0] = first
        mediation.negotiate(*m.kernel, m.rng)
        return S.i[TALKS_DAY] == 10

    assert not talks_start([0.0, 0.0])
    assert talks_start([0.5, 0.0]) and talks_start([0.0, 0.5])  # 1 + 1 x 0.5 times the rate
    assert not talks_start([0.5, 0.5], **{"economy.fiscal_pressure.enabled": False})

    def economic_progress(strain: list[float]) -> float:
        m = run(10)
        S = m.S
        S.i[TRUCE], S.i[TALKS_DAY] = Truce.HOLDING, 1
        S.pressure[:], S.strain[:], S.trend[:], S.tracks[:] = 1.0, strain, 0.0, 0.0
        mediation.negotiate(*m.kernel, m.rng)
        return float(S.tracks[ECONOMIC])

    assert economic_progress([0.3, 0.2]) == pytest.approx(1.5 * economic_progress([0.0, 0.0]))


# ------------------------------------------------------------------ invariants over runs
def test_money_and_loyalty_stay_within_their_bounds_under_a_blockade():
    m = run(365, **ALL_YEAR)
    series, e = m.series, m.cfg.economy
    funds = series[:, COL["gna_funds"]]
    assert funds.min() >= e.blockade_revenue - 1e-12 and funds.max() <= 1.0
    assert m.S.f[FUNDS] < e.wage_bill_share  # the blockade bit into the payroll
    pay, loyalty = series[:, PAY], series[:, LOYALTY]
    assert pay.min() >= 0.0 and pay.max() <= 1.0 and pay[-1, 0] < 1.0
    for f, k in enumerate(e.pay_loyalty):
        assert loyalty[:, f].max() <= 1.0 and loyalty[:, f].min() >= 1.0 - k - 1e-12
    assert loyalty[-1, 1] < 1.0
    assert (pay[:, 2] >= pay[:, 0]).all()  # the LNA loses only its share on Tripoli's payroll
    assert ((m.S.strain >= 0.0) & (m.S.strain <= 1.0)).all()
    assert [f.pay for f in m.faction_list] == pytest.approx(list(pay[-1]))
    assert [f.loyalty for f in m.faction_list] == pytest.approx(list(loyalty[-1]))


def test_with_wages_switched_off_loyalty_stays_whole():
    m = run(365, **ALL_YEAR, **{"economy.wages.enabled": False})
    assert (m.series[:, LOYALTY] == 1.0).all()
    assert m.series[-1, PAY[0]] < 1.0  # the pay still falls; it no longer matters


def test_without_a_blockade_money_changes_nothing():
    """Paid in full, no channel of money moves a run: each switch leaves it identical."""
    closed = {"economy.blockade.enabled": False}
    reference = run(365, **closed)
    assert (reference.series[:, PAY + LOYALTY] == 1.0).all()
    for switch in ("wages", "backer_finance", "fiscal_pressure"):
        other = run(365, **closed, **{f"economy.{switch}.enabled": False})
        assert np.array_equal(other.series, reference.series)


# ------------------------------------------------------------------ directions, paired seeds
SEEDS = range(20)


def paired(days: int, column: str, on: dict, off: dict) -> tuple[np.ndarray, np.ndarray]:
    """A column's last value (or its total, for counts) in runs paired by seed."""
    def value(m: LibyaModel) -> float:
        s = m.series[:, COL[column]]
        return float(s.sum() if column.endswith("deaths") else s[-1])
    return (np.array([value(run(days, seed, **on)) for seed in SEEDS]),
            np.array([value(run(days, seed, **off)) for seed in SEEDS]))


def fewer_in_most_pairs(a: np.ndarray, b: np.ndarray) -> bool:
    """A sign test over the seeds: `a` is below `b` in significantly more pairs than above."""
    below, above = int((a < b).sum()), int((a > b).sum())
    return stats.binomtest(below, below + above, alternative="greater").pvalue < 0.01


def test_unpaid_groups_fight_less_and_leave_the_front():
    """Under a blockade, wages that go unpaid cost the GNA side fighters and fighting."""
    unpaid = {**BLOCKADE}
    whole = {**BLOCKADE, "economy.wages.enabled": False}
    deaths_unpaid, deaths_whole = paired(200, "battle_deaths", unpaid, whole)
    assert fewer_in_most_pairs(deaths_unpaid, deaths_whole)
    wag_unpaid, wag_whole = paired(200, "forces_wag", unpaid, whole)
    assert fewer_in_most_pairs(wag_unpaid, wag_whole)


def test_economic_pain_raises_the_chance_of_talks():
    """With the payroll cut at once and the conference unlikely to open talks, fiscal strain
    brings talks forward: never later for the same seed, sooner for some."""
    pain = {**BLOCKADE, "economy.wage_bill_share": 1.0,
            "mediation.conference_talks_probability": 0.1}

    def talks_day(seed: int, **overrides) -> float:
        day = run(200, seed, **pain, **overrides).outcomes()["talks_day"]
        return np.inf if day is None else day

    felt = np.array([talks_day(seed) for seed in range(30)])
    unfelt = np.array([talks_day(seed, **{"economy.fiscal_pressure.enabled": False})
                       for seed in range(30)])
    assert (felt <= unfelt).all() and (felt < unfelt).sum() >= 3
