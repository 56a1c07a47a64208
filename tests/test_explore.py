"""Scenario discovery (`libyasim explore`): the case language and its censoring rule, the
design, PRIM on a planted case, the saved tables and figures, and bad input refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

from libyasim import discovery as explore  # noqa: E402
from libyasim.cli import main  # noqa: E402
from libyasim.ensemble import EnsembleError  # noqa: E402
from libyasim.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


# ---------------------------------------------------------------------------- the case
@pytest.mark.parametrize("text, outcomes", [
    ("truce_days >= 60", ["truce_days"]),
    ("settlement_day <= 365", ["settlement_day"]),
    ("holder_sirte == gna", ["holder_sirte"]),
    ("end_state == 'truce_holds' or not truce_collapsed", ["end_state", "truce_collapsed"]),
    ("30 <= truce_days < 200 and conflict_deaths < 1000", ["truce_days", "conflict_deaths"]),
])
def test_cases_parse_against_the_registry(text, outcomes):
    assert explore.parse_case(text).outcomes == outcomes


@pytest.mark.parametrize("text, message", [
    ("truce_dayz >= 60", "did you mean 'truce_days'"),
    ("holder_sirte == gan", "did you mean 'gna'"),
    ("holder_sirte >= gna", "category; use == or !="),
    ("truce_days >= 'long'", "expected a number"),
    ("__import__('os').system('true')", "is not a condition"),
    ("truce_days.real >= 1", "expected an outcome name"),
    ("truce_days >= 60 +", "cannot be read"),
    ("conflict_deaths", "compare it with a value"),
    ("truce_days in [1, 2]", "not allowed"),
])
def test_bad_cases_are_refused_with_a_reason(text, message):
    with pytest.raises(explore.CaseError, match=message.replace("(", r"\(")):
        explore.parse_case(text)


def _runs() -> pd.DataFrame:
    """Four runs of a 365-day horizon, truce from day 2: it collapses on day 10 (held 8 days);
    it holds to the horizon (censored: held at least 363); none declared; collapses on day 302."""
    return pd.DataFrame({
        "run": range(4), "days": [365] * 4,
        "truce_declared": [True, True, False, True],
        "truce_start_day": pd.array([2, 2, None, 2], dtype="Int64"),
        "truce_days": pd.array([8, None, None, 300], dtype="Int64"),
        "settlement_day": pd.array([None, 100, None, 365], dtype="Int64"),
        "holder_sirte": ["gna", "lna", "lna", "contested"],
    })


@pytest.mark.parametrize("text, expected", [
    ("truce_days >= 60", [False, True, False, True]),  # the censored truce held >= 363 days
    ("truce_days < 60", [True, False, False, False]),  # no truce: no truce to break early
    ("not truce_days >= 60", [True, False, True, False]),
    ("truce_days >= 363", [False, True, False, False]),  # its whole window counts
    ("settlement_day <= 365", [False, True, False, True]),  # never signed: not by day 365
    ("settlement_day > 200", [True, False, True, True]),  # never signed by 365: after 200
    ("holder_sirte != lna", [True, False, False, True]),
])
def test_censored_values_follow_the_registry(text, expected):
    assert explore.parse_case(text).evaluate(_runs(), 365).tolist() == expected


def test_a_threshold_beyond_what_a_run_saw_is_refused_not_guessed():
    with pytest.raises(explore.CaseError, match="cannot be decided.*at most 363"):
        explore.parse_case("truce_days >= 364").evaluate(_runs(), 365)
    scenario = load_scenario(BASELINE)
    problems = explore.case_problems(explore.parse_case("settlement_day <= 400"), scenario, {})
    assert len(problems) == 1 and "at most 365" in problems[0]


# ---------------------------------------------------------------------------- design
def test_design_is_space_filling_and_reproducible():
    inputs, problems = explore.choose_inputs(["truce.monitoring", "arms.embargo_enforcement"],
                                             ["forces.wag.command_control"])
    assert not problems
    a = explore.design(inputs, 40, "lhs", seed=3)
    assert a.equals(explore.design(inputs, 40, "lhs", seed=3))
    assert not a.equals(explore.design(inputs, 40, "lhs", seed=4))
    assert a["truce.monitoring"].sum() == 20  # a Latin hypercube: half off, half on
    lows = np.floor(a["arms.embargo_enforcement"] / 0.8 * 40)
    assert sorted(lows) == list(range(40))  # one experiment in each of 40 strata
    assert a["forces.wag.command_control"].between(0.2, 0.8).all()  # its prior range


def test_default_uncertainties_are_every_assumption_prior():
    inputs, problems = explore.choose_inputs(None, None)
    assert not problems and len(inputs) > 100
    assert all(i.role == "uncertainty" for i in inputs.values())
    assert "scenario.horizon_days" not in inputs  # a setting of the run, not an uncertainty
    assert "truce.base_logit" in inputs  # a judgment with a prior range
    levers_only, _ = explore.choose_inputs([], ["none"])
    assert list(levers_only) == list(explore.LEVERS)


# ---------------------------------------------------------------------------- planted case
def test_prim_finds_a_planted_threshold_on_one_lever_and_little_else():
    rng = np.random.default_rng(11)
    n = 1500
    x = pd.DataFrame({"arms.embargo_enforcement": rng.uniform(0, 0.8, n),
                      "truce.monitoring": (rng.uniform(size=n) < 0.5).astype(float),
                      **{f"noise_{k}": rng.uniform(size=n) for k in range(8)}})
    y = (x["arms.embargo_enforcement"] > 0.5).to_numpy()
    trajectory, boxes = explore.discover(x, y, explore.Settings(resamples=5, seed=1))
    chosen = explore.choose_box(trajectory)
    limits = boxes[boxes["box"] == chosen].set_index("input")
    assert list(limits.index) == ["arms.embargo_enforcement"]
    assert limits.loc["arms.embargo_enforcement", "low"] == pytest.approx(0.5, abs=0.02)
    assert limits.loc["arms.embargo_enforcement", "qp"] < 1e-6
    assert limits.loc["arms.embargo_enforcement", "recurs"] == 1.0
    row = trajectory.iloc[chosen]
    assert row.coverage > 0.95 and row.density > 0.95
    assert chosen < len(trajectory) - 1 or row.coverage == 1.0  # not the over-restricted end


# ---------------------------------------------------------------------------- end to end
PLANTED = ["--vary", "scenario.horizon_days=30:90", "--vary", "truce.monitoring_effect",
           "--levers", "truce.monitoring", "--case", "days >= 60", "--samples", "40",
           "--resamples", "3", "--workers", "1", "--quiet"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """A planted case through the engine: `days` is the horizon, an input."""
    out = tmp_path_factory.mktemp("explore") / "planted"
    assert main(["explore", str(BASELINE), *PLANTED, "--out", str(out)]) == 0
    return out


def test_explore_writes_experiments_boxes_and_figures(planted):
    experiments = pd.read_parquet(planted / explore.EXPERIMENTS_FILE)
    assert len(experiments) == 40 and list(experiments.columns) == [
        "experiment", "truce.monitoring", "scenario.horizon_days", "truce.monitoring_effect"]
    runs = pd.read_parquet(planted / "runs.parquet")
    assert runs["seed"].nunique() == 40  # each experiment its own seed
    trajectory = pd.read_csv(planted / explore.TRAJECTORY_FILE)
    assert {"box", "coverage", "density", "mass", "res_dim", "restricted"} <= set(trajectory)
    assert trajectory["chosen"].sum() == 1
    boxes = pd.read_csv(planted / explore.BOXES_FILE)
    assert {"box", "input", "low", "high", "coverage", "density", "qp"} <= set(boxes)
    chosen = int(trajectory.loc[trajectory["chosen"], "box"].iloc[0])
    limits = boxes[boxes["box"] == chosen]
    assert limits["input"].tolist() == ["scenario.horizon_days"]
    assert 55 <= limits["low"].iloc[0] <= 60  # the planted threshold, between sampled values
    for name in explore.PLOTS:
        assert (planted / "plots" / f"{name}.png").stat().st_size > 10_000
    record = json.loads((planted / explore.SETTINGS_FILE).read_text())
    assert record["case"] == "days >= 60" and record["chosen_box"] == chosen
    assert len(pd.read_csv(planted / explore.SCORES_FILE)) == 3


def test_the_same_command_reuses_the_runs_and_gives_the_same_boxes(planted):
    before = (planted / explore.BOXES_FILE).read_text()
    stamp = (planted / "runs.parquet").stat().st_mtime_ns
    assert main(["explore", str(BASELINE), *PLANTED, "--out", str(planted)]) == 0
    assert (planted / "runs.parquet").stat().st_mtime_ns == stamp
    assert (planted / explore.BOXES_FILE).read_text() == before


def test_another_case_needs_force_and_box_k_is_checked(planted, capsys):
    other = [*PLANTED[:6], "--case", "days >= 45", *PLANTED[8:]]
    assert main(["explore", str(BASELINE), *other, "--out", str(planted)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert main(["explore", str(BASELINE), *PLANTED, "--out", str(planted), "--box",
                 "999"]) == 2
    assert "expected a box of the peeling trajectory" in capsys.readouterr().err


def test_api_and_report_read_an_explore_folder(planted):
    import libyasim as ly
    from libyasim.report import write_report

    found = ly.load_exploration(planted)
    assert "days >= 60" in repr(found) and "box" in repr(found)
    assert found.box_table()["input"].tolist() == ["scenario.horizon_days"]
    picked = found.select(0)
    assert picked.box_table().empty and picked.chosen == 0
    page = write_report(planted).read_text()
    assert "Scenario discovery" in page and page.count("<img") == 4


def test_bad_input_is_listed_line_by_line_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "never"
    code = main(["explore", str(BASELINE), "--levers", "truce.monitorng", "--vary",
                 "truce.spoiler_rate=0.5:0.1", "--case", "truce_dayz >= 60", "--samples", "16",
                 "--design", "sobol", "--mass-min", "0.9", "--out", str(out)])
    assert code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4, errors
    assert any("did you mean 'truce.monitoring'" in e for e in errors)
    assert any("did you mean 'truce_days'" in e for e in errors)
    assert any("LOW < HIGH" in e for e in errors)
    assert any("--mass-min" in e for e in errors)
    assert not out.exists()


def test_a_bad_scenario_file_is_reported_like_check(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[truce]\nmonitorng = true\n")
    assert main(["explore", str(bad), "--case", "truce_days >= 60", "--out",
                 str(tmp_path / "o")]) == 2
    assert "did you mean 'truce.monitoring'" in capsys.readouterr().err


def test_explore_refuses_a_folder_of_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(EnsembleError, match="other files"):
        explore.explore(load_scenario(BASELINE), "days >= 60", tmp_path, levers=[],
                        vary=["none"], samples=10)
    assert (tmp_path / "notes.txt").read_text() == "mine" and len(list(tmp_path.iterdir())) == 1


def test_a_missing_extra_is_named_before_anything_runs(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "ema_workbench" else real(name, *args))
    chosen, problems = explore.plan(load_scenario(BASELINE), "truce_days >= 60", [], ["none"])
    assert chosen is None and problems == [
        "scenario discovery (libyasim explore) needs the [discovery] extra (ema_workbench is "
        "not installed); install it with: pip install 'libyasim[discovery]'"]


def test_out_naming_a_file_is_a_clear_error(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("mine")
    assert main(["explore", str(BASELINE), "--levers", "--vary", "none", "--case",
                 "truce_days >= 60", "--out", str(target)]) == 2
    assert "is a file; expected a folder" in capsys.readouterr().err
    assert target.read_text() == "mine"


def test_a_switch_in_a_box_reads_as_on_or_off():
    rng = np.random.default_rng(5)
    n = 800
    x = pd.DataFrame({"truce.monitoring": (rng.uniform(size=n) < 0.5).astype(float),
                      "arms.turkey.enabled": (rng.uniform(size=n) < 0.5).astype(float),
                      "truce.monitoring_effect": rng.uniform(0, 1.5, n)})
    y = ((x["truce.monitoring"] == 1) & (x["arms.turkey.enabled"] == 0)).to_numpy()
    trajectory, boxes = explore.discover(x, y, explore.Settings(resamples=0))
    inputs, _ = explore.choose_inputs(["truce.monitoring", "arms.turkey.enabled"],
                                      ["truce.monitoring_effect"])
    found = explore.Exploration("test", "planted", inputs, x, x, y, trajectory, boxes,
                                explore.choose_box(trajectory), "rule", pd.DataFrame(),
                                pd.DataFrame({"input": list(x.columns), "score": [0.5, 0.4, 0.1]}))
    assert found.limit_texts() == ["truce.monitoring on", "arms.turkey.enabled off"]
    assert found.box_table()["box"].tolist() == ["on", "off"]
