"""Model invariants, reproducibility, Mesa tooling and the `run` command's files.

These are not statistical tests: each checks something that must hold in every run.
"""

from __future__ import annotations

import json
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import libyasim
from libyasim.cli import main
from libyasim.ensemble import run_seed
from libyasim.model import (
    END_STATES,
    HOLDER_LABELS,
    PLACE_KEYS,
    SERIES_CATEGORIES,
    SERIES_COLUMNS,
    LibyaModel,
    Truce,
    simulate,
)
from libyasim.model.state import DECISIVE, FUNDS, SETTLEMENT_PATH
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
ALL_FILES = sorted(SCENARIOS.glob("*.toml"))
HORIZON = 120
SEEDS = (1, 2, 3)
COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}

BACKERS = ("turkey", "russia", "uae", "egypt", "qatar")
OUTCOME_COLUMNS = (
    "truce_declared", "truce_start_day", "truce_collapse_day", "truce_days", "truce_collapsed",
    "truce_end_day", "violations_total", "violations_gna", "violations_wag", "violations_lna",
    "battle_deaths", "civilian_deaths", "conflict_deaths", "tripoli_fall_day",
    "lna_withdraw_day", "talks_day", "settlement_day", "gna_population_share",
    "lna_population_share", "arms_delivered_total", *(f"arms_delivered_{b}" for b in BACKERS),
    "arms_interdicted_total", "foreign_fighters_gna_peak", "foreign_fighters_lna_peak",
    "places_captured", "red_lines_declared", "end_state", "days", *(f"holder_{k}" for k in PLACE_KEYS))
DAY_OUTCOMES = ("truce_start_day", "truce_collapse_day", "truce_end_day", "tripoli_fall_day",
                "lna_withdraw_day", "talks_day", "settlement_day")
SERIES_NEEDED = (
    *(f"control_{h}" for h in HOLDER_LABELS), *(f"population_{h}" for h in HOLDER_LABELS),
    "forces_gna", "forces_wag", "forces_lna", "foreign_fighters_gna_side",
    "foreign_fighters_lna_side", "air_gna_side", "air_lna_side", "violations_gna",
    "violations_wag", "violations_lna", "violations", "battle_deaths", "civilian_deaths",
    "conflict_deaths", "arms_delivered", "truce_state", "morale_gna", "morale_wag", "morale_lna",
    *(f"holder_{k}" for k in PLACE_KEYS))


def _short(path: Path, horizon: int = HORIZON):
    return load_scenario(path).with_overrides({"scenario.horizon_days": horizon})


def _run_checked(scenario, seed):
    """Step a model to its horizon, checking the state every day; return the model."""
    model = LibyaModel(scenario, rng=seed)
    while model.running:
        model.step()
        S = model.S
        assert np.isfinite(model.forces).all()
        assert (model.forces >= 0).all(), f"negative forces on day {model.steps}"
        assert min(S.reserve) >= -1e-9, f"negative reserve on day {model.steps}"
        assert min(S.contingents) >= 0, f"negative foreign fighters on day {model.steps}"
        assert min(S.drones + S.air_defence) >= 0, f"negative air on day {model.steps}"
        assert 0 <= S.air_share[0] <= 1 and abs(sum(S.air_share) - 1) < 1e-9
        assert 0 < S.f[FUNDS] <= 1
        for faction in model.faction_list:
            assert faction.morale > 0 and 0 <= faction.supply <= 1
    assert model.steps == scenario["scenario.horizon_days"]  # day 0 is the initial state
    return model


@pytest.fixture(scope="module")
def runs():
    """(file, seed) -> finished model, for every scenario file and a few seeds."""
    return {(path.stem, seed): _run_checked(_short(path), seed)
            for path in ALL_FILES for seed in SEEDS}


CASES = [(path.stem, seed) for path in ALL_FILES for seed in SEEDS]
ids = [f"{name}-{seed}" for name, seed in CASES]


def test_series_columns_include_the_contract_list():
    assert set(SERIES_NEEDED) <= set(SERIES_COLUMNS)
    assert len(set(SERIES_COLUMNS)) == len(SERIES_COLUMNS)
    assert SERIES_CATEGORIES["truce_state"] == ("none", "holding", "broken", "settled")
    for key in PLACE_KEYS:
        assert SERIES_CATEGORIES[f"holder_{key}"] == HOLDER_LABELS


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_daily_series_invariants(runs, case):
    model = runs[case]
    s = model.series
    assert s.shape == (HORIZON + 1, len(SERIES_COLUMNS))
    assert np.isfinite(s).all()
    control = s[:, [COL[c] for c in SERIES_COLUMNS if c.startswith("control_")]]
    population = s[:, [COL[c] for c in SERIES_COLUMNS if c.startswith("population_")]]
    assert np.allclose(control.sum(axis=1), 1.0)
    assert np.allclose(population.sum(axis=1), 1.0)
    assert (control >= 0).all() and (population >= 0).all()
    forces = s[:, [COL["forces_gna"], COL["forces_wag"], COL["forces_lna"],
                   COL["foreign_fighters_gna_side"], COL["foreign_fighters_lna_side"]]]
    assert (forces >= 0).all()
    contingents = {c: s[:, COL[f"foreign_fighters_{c}"]] for c in ("syrians", "wagner", "sudanese")}
    assert all((x >= 0).all() for x in contingents.values())
    assert np.allclose(contingents["syrians"], s[:, COL["foreign_fighters_gna_side"]])
    assert np.allclose(contingents["wagner"] + contingents["sudanese"],
                       s[:, COL["foreign_fighters_lna_side"]])
    for col in ("battle_deaths", "civilian_deaths", "conflict_deaths", "violations_gna",
                "violations_wag", "violations_lna", "violations", "arms_delivered"):
        daily = s[:, COL[col]]
        assert (daily >= 0).all(), col
        if col != "arms_delivered":
            assert np.array_equal(daily, np.round(daily)), f"{col} is not a count"
    assert np.array_equal(s[:, COL["conflict_deaths"]],
                          s[:, COL["battle_deaths"]] + s[:, COL["civilian_deaths"]])
    assert np.array_equal(s[:, COL["violations"]], s[:, COL["violations_gna"]]
                          + s[:, COL["violations_wag"]] + s[:, COL["violations_lna"]])
    for col, labels in SERIES_CATEGORIES.items():
        assert set(np.unique(s[:, COL[col]])) <= set(range(len(labels))), col
    # the holder columns agree with the control shares, every day
    holders = s[:, [COL[f"holder_{k}"] for k in PLACE_KEYS]].astype(int)
    for code, label in enumerate(HOLDER_LABELS):
        assert np.allclose((holders == code).mean(axis=1), s[:, COL[f"control_{label}"]])


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_truce_states_follow_the_calendar(runs, case):
    model = runs[case]
    states = model.series[:, COL["truce_state"]].astype(int)
    p = model.params
    violations = model.series[:, COL["violations"]]
    nominal = np.isin(states, [Truce.HOLDING, Truce.BROKEN])
    in_force = nominal.copy()  # nominal at some time of the day: at its start or at its end
    in_force[1:] |= nominal[:-1]
    assert violations[~in_force].sum() == 0  # counted on the days of the nominal life only
    out = model.outcomes()
    if not p["truce.enabled"]:
        assert not nominal.any() and not out["truce_declared"]
        assert model.truce_collapse_day is None
    else:
        start = (p["truce.start"] - p["scenario.start_date"]).days
        if p["truce.on_day0"] != "scheduled":  # declared before day 0: in force from day 0
            assert start < 0
            start = 0
        assert (states[:start] == Truce.NONE).all()
        assert out["truce_start_day"] == start and states[start] != Truce.NONE
    settled = np.flatnonzero(states == Truce.SETTLED)
    if len(settled):  # a permanent ceasefire is final, and nothing is violated after it
        assert (states[settled[0]:] == Truce.SETTLED).all()
        assert settled[0] == model.settlement_day
        assert violations[settled[0] + 1:].sum() == 0
    else:
        assert model.settlement_day is None
    collapse = model.truce_collapse_day
    if p["truce.enabled"] and p["truce.on_day0"] == "broken":  # broken before day 0
        assert collapse == 0 and states[0] == Truce.BROKEN
    elif collapse is not None:  # the effective life ends on a day of war intensity
        assert states[collapse] in (Truce.BROKEN, Truce.NONE, Truce.SETTLED)
        assert model.series[collapse, COL["intensity"]] >= p["truce.war_intensity"]
        assert (states[out["truce_start_day"]:collapse] == Truce.HOLDING).all()
    if out["truce_end_day"] is not None:  # the nominal life ends after it began
        assert out["truce_end_day"] >= out["truce_start_day"]
        if collapse is not None:
            assert out["truce_end_day"] >= collapse


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_outcomes_are_complete_and_consistent(runs, case):
    model = runs[case]
    out = model.outcomes()
    assert set(OUTCOME_COLUMNS) <= set(out)
    assert out["end_state"] in END_STATES
    assert out["truce_collapsed"] == (out["truce_collapse_day"] is not None)
    if out["truce_collapsed"]:
        assert out["truce_days"] == out["truce_collapse_day"] - out["truce_start_day"] >= 0
    else:
        assert out["truce_days"] is None
    for col in DAY_OUTCOMES:
        day = out[col]
        assert day is None or (isinstance(day, int) and 0 <= day <= HORIZON), (col, day)
    s = model.series
    assert out["battle_deaths"] == int(s[:, COL["battle_deaths"]].sum()) >= 0
    assert out["civilian_deaths"] == int(s[:, COL["civilian_deaths"]].sum()) >= 0
    assert out["conflict_deaths"] == out["battle_deaths"] + out["civilian_deaths"]
    assert out["violations_total"] == int(s[:, COL["violations"]].sum()) == (
        out["violations_gna"] + out["violations_wag"] + out["violations_lna"])
    assert out["foreign_fighters_gna_peak"] >= s[:, COL["foreign_fighters_gna_side"]].max() - 1e-6
    for key, holder in zip(PLACE_KEYS, model.place_holders()):
        assert out[f"holder_{key}"] == holder == HOLDER_LABELS[int(s[-1, COL[f"holder_{key}"]])]
    assert 0 <= out["gna_population_share"] <= 1 and 0 <= out["lna_population_share"] <= 1
    assert out["gna_population_share"] + out["lna_population_share"] <= 1 + 1e-9
    backers = sum(v for k, v in out.items()
                  if k.startswith("arms_delivered_") and k != "arms_delivered_total")
    assert out["arms_delivered_total"] == pytest.approx(backers)
    assert out["arms_delivered_total"] >= 0
    # the end state follows its priority order
    if out["tripoli_fall_day"] is not None and out["holder_tripoli"] == "lna":
        assert out["end_state"] == "lna_takes_tripoli"
    elif model.truce == Truce.SETTLED and model.S.i[SETTLEMENT_PATH] != DECISIVE:
        assert out["end_state"] == "negotiated_settlement"


def test_switched_off_mechanisms_still_run(runs):
    for seed in SEEDS:
        no_arms = runs[("no_foreign_arms", seed)].outcomes()
        assert no_arms["arms_delivered_total"] == 0
        assert no_arms["arms_interdicted_total"] == 0
        no_truce = runs[("no_truce", seed)].outcomes()
        assert no_truce["violations_total"] == 0 and not no_truce["truce_collapsed"]
        assert not no_truce["truce_declared"]
        no_mediation = runs[("no_mediation", seed)].outcomes()
        assert no_mediation["talks_day"] is None
        no_turkey = runs[("no_turkish_deployment", seed)].outcomes()
        assert no_turkey["arms_delivered_turkey"] == 0


# ------------------------------------------------------------------ reproducibility
def test_same_scenario_and_seed_give_identical_results():
    scenario = _short(SCENARIOS / "baseline.toml")
    out_a, series_a = simulate(scenario, 42)
    out_b, series_b = simulate(scenario, 42)
    assert out_a == out_b
    assert np.array_equal(series_a, series_b)


def test_different_seeds_give_different_results():
    scenario = _short(SCENARIOS / "baseline.toml")
    results = [simulate(scenario, seed) for seed in (11, 12, 13)]
    series = [s for _, s in results]
    assert not np.array_equal(series[0], series[1])
    assert not np.array_equal(series[1], series[2])
    deaths = {o["battle_deaths"] for o, _ in results}
    assert len(deaths) > 1


def test_reloading_the_scenario_gives_identical_results():
    path = SCENARIOS / "no_truce.toml"
    a = simulate(_short(path), 5)
    b = simulate(_short(path), 5)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])


# ------------------------------------------------------------------ Mesa tooling
def test_keyword_parameters_in_both_spellings():
    a = LibyaModel(rng=3, scenario__horizon_days=15, truce__enabled=False)
    b = LibyaModel(rng=3, **{"scenario.horizon_days": 15, "truce.enabled": False})
    assert a.horizon == b.horizon == 15
    assert a.params["truce.enabled"] is False and b.params["truce.enabled"] is False
    for m in (a, b):
        while m.running:
            m.step()
    assert np.array_equal(a.series, b.series)


def test_datacollector_collects_every_day_when_asked():
    model = LibyaModel(rng=4, collect_every_step=True, scenario__horizon_days=20)
    while model.running:
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 21
    assert list(df["day"]) == list(range(21))
    assert df["end_state"].isin(END_STATES).all()
    assert df["battle_deaths"].is_monotonic_increasing
    assert df["civilian_deaths"].is_monotonic_increasing
    assert df["violations_total"].is_monotonic_increasing
    last = df.iloc[-1]
    out = model.outcomes()
    for col in ("battle_deaths", "civilian_deaths", "violations_total", "end_state"):
        assert last[col] == out[col]


def test_batch_run_drives_the_model():
    kwargs = {"parameters": {"scenario__horizon_days": 30, "truce__enabled": [True, False]},
              "rng": [1, 2], "number_processes": 1, "display_progress": False, "max_steps": 1000}
    results = pd.DataFrame(mesa.batch_run(LibyaModel, **kwargs))
    assert len(results) == 4  # 2 seeds x 2 truce settings, collected at the end
    assert (results["Step"] == 30).all() and (results["day"] == 30).all()
    for col in ("violations_total", "battle_deaths", "civilian_deaths",
                "gna_population_share", "lna_population_share", "end_state", "truce_state"):
        assert col in results
    assert results["end_state"].isin(END_STATES).all()
    off = results[~results["truce__enabled"]]
    assert (off["violations_total"] == 0).all() and (off["truce_state"] == "none").all()
    # the same seeds give the same table again
    again = pd.DataFrame(mesa.batch_run(LibyaModel, **kwargs))
    pd.testing.assert_frame_equal(results, again)
    # and each row matches a direct run with that seed
    row = results[(results["rng"] == 2) & results["truce__enabled"]].iloc[0]
    direct = LibyaModel(rng=2, scenario__horizon_days=30)
    while direct.running:
        direct.step()
    assert row["battle_deaths"] == direct.outcomes()["battle_deaths"]


def test_batch_run_with_a_scenario_file():
    results = mesa.batch_run(LibyaModel, parameters={
        "scenario": str(SCENARIOS / "no_mediation.toml"), "scenario__horizon_days": 20},
        rng=[7], number_processes=1, display_progress=False)
    assert len(results) == 1 and results[0]["day"] == 20


# ------------------------------------------------------------------ `libyasim run`
RUN_SEED = 8


def _cli_run(out: Path, seed: int = RUN_SEED, runs: int = 2) -> None:
    code = main(["run", str(SCENARIOS / "baseline.toml"), "--runs", str(runs), "--seed",
                 str(seed), "--out", str(out), "--workers", "1", "--quiet"])
    assert code == 0


@pytest.fixture(scope="module")
def two_cli_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    _cli_run(base / "a")
    _cli_run(base / "b")
    return base / "a", base / "b"


def test_run_twice_with_the_same_seed_gives_identical_tables(two_cli_runs):
    a, b = two_cli_runs
    for name in ("runs.parquet", "series.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))


def test_run_tables_have_the_issue_columns(two_cli_runs):
    runs = pd.read_parquet(two_cli_runs[0] / "runs.parquet")
    assert {"run", "seed", *OUTCOME_COLUMNS} <= set(runs.columns)
    assert list(runs["run"]) == [0, 1]
    assert runs["end_state"].isin(END_STATES).all()
    series = pd.read_parquet(two_cli_runs[0] / "series.parquet")
    assert {"run", "day", "date", *SERIES_NEEDED} <= set(series.columns)
    horizon = load_scenario(SCENARIOS / "baseline.toml")["scenario.horizon_days"]
    assert len(series) == 2 * (horizon + 1)
    first = series[series["run"] == 0]
    assert first["date"].iloc[0] == pd.Timestamp("2020-01-10")


def test_run_manifest(two_cli_runs):
    manifest = json.loads((two_cli_runs[0] / "manifest.json").read_text())
    assert {"scenario", "root_seed", "run_seeds", "libyasim_version"} <= set(manifest)
    assert manifest["root_seed"] == RUN_SEED
    assert manifest["libyasim_version"] == libyasim.__version__
    assert manifest["run_seeds"] == [run_seed(RUN_SEED, r) for r in range(2)]
    runs = pd.read_parquet(two_cli_runs[0] / "runs.parquet")
    assert [int(s) for s in runs["seed"]] == manifest["run_seeds"]
    assert manifest["scenario"]["name"] == "baseline"
    assert manifest["scenario"]["values"]["truce.start"] == "2020-01-12"
    other = json.loads((two_cli_runs[1] / "manifest.json").read_text())
    assert other["scenario"] == manifest["scenario"]
    assert other["run_seeds"] == manifest["run_seeds"]


def test_run_with_another_seed_differs(two_cli_runs, tmp_path):
    _cli_run(tmp_path / "c", seed=RUN_SEED + 10)
    a = pd.read_parquet(two_cli_runs[0] / "series.parquet")
    c = pd.read_parquet(tmp_path / "c" / "series.parquet")
    assert not a.equals(c)


def test_run_writes_tables_for_any_seed(tmp_path):
    """Run seeds are 64-bit unsigned; chunks whose seeds all fit int64 must still join with
    chunks that do not (seed 7: run 0's seed fits int64, runs 1 and 2 need uint64)."""
    _cli_run(tmp_path / "d", seed=7, runs=3)
    assert len(pd.read_parquet(tmp_path / "d" / "runs.parquet")) == 3


# ------------------------------------------------------------------ day 0 of the calendar
def test_every_shipment_due_by_the_horizon_arrives():
    """What was shipped is delivered on its due day or still under way: none is lost."""
    model = LibyaModel(rng=1, scenario__horizon_days=30)
    while model.running:
        model.step()
    S, day = model.S, model.steps
    shipped = S.transit.sum(axis=0)  # by backer; row r arrives on day r + 1
    due = S.transit[:day].sum(axis=0)
    assert due.sum() > 0 and shipped.sum() > due.sum()  # some arrived, some still under way
    delivered = np.array([b.delivered for b in model.backer_list])
    assert delivered == pytest.approx(due, rel=1e-12), "shipments never delivered by due day"
    side = np.array([b.side for b in model.backer_list])
    for s in (0, 1):
        assert S.pending[s] == pytest.approx((shipped - due)[side == s].sum(), abs=1e-9)


def test_truce_starting_on_day_0_is_in_force():
    scenario = load_scenario(SCENARIOS / "baseline.toml").with_overrides(
        {"scenario.horizon_days": 5, "truce.start": load_scenario(
            SCENARIOS / "baseline.toml")["scenario.start_date"]})
    model = LibyaModel(scenario, rng=1)
    assert model.truce == Truce.HOLDING
    assert model.series[0, COL["truce_state"]] == Truce.HOLDING
    model.step()
    assert model.truce != Truce.NONE


def test_a_manifest_is_enough_to_rerun(tmp_path):
    """The manifest carries the resolved scenario, the root seed and the runs: rebuilding the
    scenario from it and running again gives the same outcomes."""
    from libyasim.ensemble import load_results, run_ensemble
    from libyasim.scenario import Scenario

    scenario = load_scenario(SCENARIOS / "no_mediation.toml").with_overrides(
        {"scenario.horizon_days": 40})
    run_ensemble(scenario, tmp_path / "first", runs=4, seed=99, workers=1, progress=False)
    first, _, manifest = load_results(tmp_path / "first")
    rebuilt = Scenario.from_json(manifest["scenario"])
    assert rebuilt.values == scenario.values
    run_ensemble(rebuilt, tmp_path / "again", runs=manifest["runs"], seed=manifest["root_seed"],
                 workers=1, progress=False)
    again, _, _ = load_results(tmp_path / "again")
    pd.testing.assert_frame_equal(first, again)
