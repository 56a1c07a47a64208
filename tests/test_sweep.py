"""Sweeps and global sensitivity analysis over scenario parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from libyasim.cli import main
from libyasim.ensemble import load_results, run_seed
from libyasim.scenario import ScenarioError, load_scenario
from libyasim.sweep import (
    design_points,
    drivers,
    findings,
    outcome_values,
    sensitivity,
    sensitivity_figure,
    sweep,
)


def test_factorial_design_rounds_whole_numbers_and_drops_duplicates():
    points = design_points({"truce.collapse_window_days": (10, 11),
                            "truce.spoiler_rate": (0.0, 0.2)}, "factorial", levels=3)
    assert points["truce.collapse_window_days"].map(type).eq(int).all()
    assert sorted(set(points["truce.collapse_window_days"])) == [10, 11]  # 10.5 rounds to 10
    assert len(points) == 6 and not points.duplicated().any()
    assert sorted(set(points["truce.spoiler_rate"])) == [0.0, 0.1, 0.2]


def test_latin_hypercube_fills_each_stratum_once():
    points = design_points({"truce.spoiler_rate": (0.0, 0.2), "truce.forgiveness": (0.1, 0.5)},
                           "lhs", samples=10, seed=1)
    assert len(points) == 10
    for name, (low, high) in {"truce.spoiler_rate": (0.0, 0.2),
                              "truce.forgiveness": (0.1, 0.5)}.items():
        strata = np.floor((points[name] - low) / (high - low) * 10).astype(int)
        assert sorted(strata) == list(range(10))


@pytest.mark.parametrize("param, message", [
    ("truce.enabled=0:1", "is a switch"),
    ("truce.start=0:1", "is a date"),
    ("truce.spoiler_rat=0:0.1", "did you mean 'truce.spoiler_rate'"),
    ("truce.spoiler_rate=0:1.5", "expected a range within"),
    ("truce.spoiler_rate=0.2:0.1", "LOW < HIGH"),
    ("truce.enabled", "expected NAME=LOW:HIGH"),  # a bare NAME needs a prior range
])
def test_bad_parameters_exit_2_with_a_clear_message(short, param, message, capsys, tmp_path):
    assert main(["sweep", str(short), "--param", param, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "runs.parquet").exists()


def test_outcome_values_censor_days_at_the_horizon():
    runs = pd.DataFrame({"truce_collapse_day": pd.array([5, None], dtype="Int64"),
                         "truce_collapsed": [True, False], "battle_deaths": [3, 4],
                         "end_state": ["frozen_front", "truce_holds"]})
    assert outcome_values(runs, "truce_collapse_day", 30).tolist() == [5.0, 30.0]
    assert outcome_values(runs, "truce_collapsed", 30).tolist() == [1.0, 0.0]
    assert outcome_values(runs, "end_state=truce_holds", 30).tolist() == [0.0, 1.0]
    with pytest.raises(ScenarioError, match="unknown end state"):
        outcome_values(runs, "end_state=peace", 30)
    with pytest.raises(ScenarioError, match="is a category"):
        outcome_values(runs, "end_state", 30)


def test_sweep_applies_each_point_with_common_seeds(short, tmp_path):
    """Each point's runs use its parameter values (here: the horizon) and the same seeds."""
    table = sweep(load_scenario(short), {"scenario.horizon_days": (5, 15),
                                         "truce.spoiler_rate": (0.0, 0.3)},
                  tmp_path, levels=2, runs=3, seed=4, workers=2, progress=False,
                  outcomes=["battle_deaths", "truce_collapsed"])
    runs, _, manifest = load_results(tmp_path)
    assert len(table) == 4 and table["runs"].eq(3).all()
    assert len(runs) == 12
    merged = runs.merge(table[["point", "scenario.horizon_days"]], on="point")
    assert (merged["days"] == merged["scenario.horizon_days"]).all()
    for _, group in runs.groupby("point"):
        assert group["seed"].tolist() == [run_seed(4, r) for r in range(3)]
    means = runs.groupby("point")["battle_deaths"].mean().to_numpy()
    np.testing.assert_allclose(table["battle_deaths"], means)
    assert (tmp_path / "sweep.csv").exists() and (tmp_path / "sweep.png").stat().st_size > 0
    assert len(manifest["points"]) == 4


def test_sweep_cli_lhs(short, tmp_path):
    assert main(["sweep", str(short), "--param", "truce.spoiler_rate=0.0:0.3",
                 "--design", "lhs", "--samples", "3", "--runs", "2", "--out", str(tmp_path),
                 "--outcome", "battle_deaths", "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert list(table.columns) == ["point", "truce.spoiler_rate", "runs", "battle_deaths",
                                   "battle_deaths_ci"]
    assert len(table) == 3


@pytest.mark.parametrize("method, indexes, samples", [("sobol", ("S1", "ST"), 8),
                                                      ("morris", ("mu_star", "sigma"), 6)])
def test_inert_parameter_gets_zero_sensitivity(short, method, indexes, samples):
    """`scenario.runs` does not change a single run, so with common seeds its indices are 0."""
    df = sensitivity(load_scenario(short), {"scenario.runs": (1, 1000),
                                            "combat.lethality": (0.005, 0.05)},
                     ["battle_deaths", "end_state=frozen_front"], method=method,
                     samples=samples, runs=2, seed=1, workers=2)
    assert set(df["index"]) == set(indexes)
    analysed = set(df["outcome"])
    assert analysed | set(df.attrs["skipped"]) == {"battle_deaths", "end_state=frozen_front"}
    assert "battle_deaths" in analysed
    inert = df[(df["param"] == "scenario.runs") & (df["outcome"] == "battle_deaths")]
    np.testing.assert_allclose(inert["value"], 0.0, atol=1e-12)
    active = df[(df["param"] == "combat.lethality") & (df["outcome"] == "battle_deaths")
                & df["index"].isin(["ST", "mu_star"])]
    assert (active["value"] > 0.3 if method == "sobol" else active["value"] > 1.0).all()
    fig = sensitivity_figure(df)
    assert len(fig.axes) == len(analysed)  # one panel per analysed outcome


def test_sensitivity_cli_writes_indices_and_plot(short, tmp_path):
    assert main(["sensitivity", str(short), "--param", "truce.spoiler_rate=0.0:0.4",
                 "--param", "truce.forgiveness=0.1:0.5", "--outcome", "conflict_deaths",
                 "--method", "morris", "--samples", "4", "--runs", "2", "--out", str(tmp_path),
                 "--quiet"]) == 0
    df = pd.read_csv(tmp_path / "sensitivity.csv")
    assert set(df["param"]) == {"truce.spoiler_rate", "truce.forgiveness"}
    assert (tmp_path / "sensitivity.png").stat().st_size > 0
    assert main(["sensitivity", str(short), "--param", "truce.spoiler_rate=0.0:0.4",
                 "--outcome", "battle_deaths", "--samples", "6", "--out", str(tmp_path)]) == 2


def test_sensitivity_reuses_its_folder_only_for_the_same_design(short, tmp_path, monkeypatch):
    """The same design reuses its runs; another design is refused (the folder rule) unless
    `force`, which replaces the folder."""
    from libyasim.files import FolderError

    scenario = load_scenario(short)
    ranges = {"truce.spoiler_rate": (0.0, 0.4), "truce.forgiveness": (0.1, 0.5)}
    first = sensitivity(scenario, ranges, ["battle_deaths"], method="morris", samples=2, runs=2,
                        seed=3, out=tmp_path, workers=1)
    from libyasim import worker

    real = worker.run_chunk
    monkeypatch.setattr(worker, "run_chunk", None)  # fails if anything runs
    again = sensitivity(scenario, ranges, ["battle_deaths"], method="morris", samples=2, runs=2,
                        seed=3, out=tmp_path, workers=1)
    pd.testing.assert_frame_equal(first, again)
    monkeypatch.setattr(worker, "run_chunk", real)
    with pytest.raises(FolderError, match="design points"):
        sensitivity(scenario, ranges, ["battle_deaths"], method="morris", samples=3, runs=2,
                    seed=3, out=tmp_path, workers=1)
    assert len(load_results(tmp_path / "runs")[0]) == 2 * 3 * 2
    other = sensitivity(scenario, ranges, ["battle_deaths"], method="morris", samples=3, runs=2,
                        seed=3, out=tmp_path, workers=1, force=True)
    assert len(load_results(tmp_path / "runs")[0]) == 3 * 3 * 2 and len(other) == len(first)


def test_sensitivity_skips_an_outcome_without_variance_and_names_no_driver_in_noise(short):
    """An outcome that is the same in every run is skipped with a message; overlapping
    intervals name no driver."""
    df = sensitivity(load_scenario(short), {"scenario.runs": (1, 1000),
                                            "combat.lethality": (0.005, 0.05)},
                     ["days", "battle_deaths"], method="sobol", samples=8, runs=2, seed=1,
                     workers=1)
    assert set(df["outcome"]) == {"battle_deaths"}
    assert "same" in df.attrs["skipped"]["days"]
    lines = findings(df)
    assert any(line.startswith("days: skipped") for line in lines)
    noisy = pd.DataFrame({"outcome": "x", "param": ["a", "b"], "method": "sobol",
                          "index": "ST", "value": [0.5, 0.4], "conf": [0.2, 0.2]})
    assert drivers(noisy, "x") == []
    clear = noisy.assign(conf=[0.02, 0.02])
    assert drivers(clear, "x") == ["a"]
