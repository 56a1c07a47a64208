"""Explaining counterfactuals: the mechanisms table, `compare --explain` (`ly.explain`) and the
generated counterfactuals page. Few runs and short horizons: these check behaviour, not
findings."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from libyasim import cli, counterfactuals
from libyasim import explanation as explain
from libyasim.ensemble import run_seed
from libyasim.mechanisms import (MechanismError, read_literature, read_mechanisms, select)
from libyasim.model import simulate
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHORT = {"scenario.horizon_days": 45}


def short(name: str, **more):
    return load_scenario(SCENARIOS / f"{name}.toml").with_overrides({**SHORT, **more})


# ---------------------------------------------------------------------------- the tables
def test_shipped_tables_are_valid_and_each_mechanism_is_on_in_the_baseline():
    mechanisms = read_mechanisms()
    baseline = load_scenario(SCENARIOS / "baseline.toml")
    assert len(mechanisms) >= 15
    on = [m.name for m in mechanisms if not m.is_off_in(baseline)]
    # monitoring is the one mechanism the baseline itself leaves off
    assert set(m.name for m in mechanisms) - set(on) == {"monitors"}
    names = {m.name for m in mechanisms} | {load_scenario(p).name for p in SCENARIOS.glob("*.toml")}
    for reading in read_literature():
        assert reading.topic in names, reading


def test_bad_mechanism_rows_give_one_readable_line_each(tmp_path):
    table = tmp_path / "mechanisms.csv"
    table.write_text(
        "name,description,off,literature\n"
        "spoilers,Rogue units,truce.spoiler_rate=2,fortna2004\n"          # out of range
        "typo,A typo,truce.spoiler_rat=0,\n"                               # unknown parameter
        "spoilers,Again,truce.spoiler_rate=0,\n"                           # duplicate name
        "empty,,truce.reciprocity_weight=0,\n"                             # no description
        "unread,Unread,truce.reciprocity_weight=0,nobody1999\n"            # unknown key
        "noequals,No equals sign,truce.monitoring,\n"                      # not NAME=VALUE
        "good,Fine,truce.monitoring=false; commitment.credibility_weight=0,walter2002\n")
    with pytest.raises(MechanismError) as caught:
        read_mechanisms(table)
    problems = caught.value.problems
    assert len(problems) == 6
    assert all(p.startswith(f"{table}: row ") and "\n" not in p for p in problems)
    text = "\n".join(problems)
    assert "truce.spoiler_rate: got '2'; expected a number between 0 and 1" in text
    assert "did you mean 'truce.spoiler_rate'?" in text
    assert "used by an earlier row" in text
    assert "description: empty" in text
    assert "unknown key 'nobody1999'" in text
    assert "expected NAME=VALUE" in text


def test_unknown_mechanism_is_refused_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = cli.main(["compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "no_truce.toml"),
                     "--explain", "--mechanism", "spoiler", "--out", str(out), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: unknown mechanism 'spoiler'; expected one of "
                   f"{', '.join(m.name for m in read_mechanisms())}"]
    assert not out.exists()


# ---------------------------------------------------------------------------- the table
def by_hand(scenario, off, runs, seed, outcome):
    """Per-run outcome of `scenario` with `off` set, run by run with the ensemble's seeds."""
    variant = scenario.with_overrides(off)
    return np.array([simulate(variant, run_seed(seed, r))[0][outcome] for r in range(runs)],
                    float)


def test_explain_table_agrees_with_runs_made_by_hand(tmp_path):
    a, b = short("baseline"), short("embargo_enforced")
    mechanisms = select(["reciprocity", "arms_deliveries"])
    table = explain.explain(a, b, tmp_path, runs=6, seed=11, mechanisms=mechanisms, workers=1,
                            n_resamples=200)
    for m in mechanisms:
        row = table[(table.mechanism == m.name) & (table.outcome == "battle_deaths")].iloc[0]
        a_on, b_on = by_hand(a, {}, 6, 11, "battle_deaths"), by_hand(b, {}, 6, 11, "battle_deaths")
        a_off, b_off = (by_hand(a, m.off, 6, 11, "battle_deaths"),
                        by_hand(b, m.off, 6, 11, "battle_deaths"))
        assert row.difference == pytest.approx((b_on - a_on).mean())
        assert row.without == pytest.approx((b_off - a_off).mean())
        assert row.carried == pytest.approx((b_on - a_on).mean() - (b_off - a_off).mean())
        assert row.status == "rerun" and row.runs == 6
    saved = pd.read_csv(tmp_path / "explain.csv")
    assert set(saved.mechanism) == {"reciprocity", "arms_deliveries"}
    assert set(saved.root_seed) == {11}
    assert (tmp_path / "plots" / "explain.png").stat().st_size > 10_000


def test_a_mechanism_that_cannot_matter_carries_nothing(tmp_path):
    # without a truce, neither spoilers nor monitors have anything to act on
    a = short("no_truce")
    b = replace(a.with_overrides({"arms.embargo_enforcement": 0.8}), name="embargo_no_truce")
    mechanisms = select(["spoilers", "monitors"])
    table = explain.explain(a, b, tmp_path, runs=5, seed=3, mechanisms=mechanisms, workers=1,
                            n_resamples=200)
    deaths = table[table.outcome == "conflict_deaths"].set_index("mechanism")
    for name in ("spoilers", "monitors"):
        assert deaths.loc[name, "carried"] == 0
        assert deaths.loc[name, ["carried_low", "carried_high"]].tolist() == [0, 0]
        assert not deaths.loc[name, "clear"]
    assert deaths.loc["spoilers", "status"] == "rerun"
    assert deaths.loc["monitors", "status"].startswith("off in both scenarios")
    assert "truce_days" not in set(table.outcome)  # no truce: its length does not apply
    # the scenarios' own runs only: monitors were not rerun
    points = pd.read_parquet(tmp_path / explain.EXPLAIN_DIR / a.name / "runs.parquet")
    assert sorted(points["point"].unique()) == [0, 1]


# ---------------------------------------------------------------------------- the command
def test_compare_explain_refuses_to_overwrite_other_files(tmp_path, capsys):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code = cli.main(["compare", str(SCENARIOS / "baseline.toml"), str(SCENARIOS / "no_truce.toml"),
                     "--explain", "--mechanism", "spoilers", "--runs", "2", "--out", str(out),
                     "--quiet", "--workers", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--force" in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_explain_needs_exactly_two_scenarios(capsys):
    code = cli.main(["compare", *(str(SCENARIOS / f"{n}.toml") for n in
                                  ("baseline", "no_truce", "no_mediation")), "--explain"])
    assert code == 2
    assert "two scenarios" in capsys.readouterr().err


# ---------------------------------------------------------------------------- the page
def test_generator_writes_every_shipped_scenario(tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, folder)
    base = folder / "baseline.toml"
    base.write_text(base.read_text().replace("horizon_days = 365", "horizon_days = 30"))
    mechanisms = select(["reciprocity", "embargo"])
    monkeypatch.setattr(counterfactuals, "read_mechanisms", lambda: mechanisms)
    page = tmp_path / "counterfactuals.md"
    counterfactuals.generate(folder, page, tmp_path / "results", runs=3, workers=1,
                             n_resamples=100)
    text = page.read_text()
    assert text.startswith(counterfactuals.MARKER)
    for path in counterfactuals.shipped(folder, "baseline.toml"):
        assert f"\n## {load_scenario(path).name}\n" in text, path.name
    assert "Not set against the baseline: not like for like" in text  # the 2019 hindcast
    assert "Fortna, V. P. (2004)" in text and "## References" in text
    saved = pd.read_csv(tmp_path / "results" / counterfactuals.TABLE_FILE)
    assert set(saved.mechanism) == {"reciprocity", "embargo"}
    # run again: the runs are reused and the page, written by the command, replaced
    before = (tmp_path / "results" / "baseline" / "runs.parquet").stat().st_mtime_ns
    counterfactuals.generate(folder, page, tmp_path / "results", runs=3, workers=1,
                             n_resamples=100)
    assert (tmp_path / "results" / "baseline" / "runs.parquet").stat().st_mtime_ns == before


def test_generator_refuses_a_page_it_did_not_write(tmp_path, capsys):
    page = tmp_path / "mine.md"
    page.write_text("# my own notes\n")
    code = cli.main(["counterfactuals", "--out", str(page), "--results",
                     str(tmp_path / "results"), "--quiet"])
    assert code == 2
    assert "was not written by `libyasim counterfactuals`" in capsys.readouterr().err
    assert page.read_text() == "# my own notes\n"


def test_ly_explain_writes_beside_the_comparison_and_a_rerun_comparison_drops_it(tmp_path):
    import libyasim as ly

    a, b = short("baseline"), short("no_mediation")
    table = ly.explain(a, b, runs=3, seed=5, out=tmp_path, mechanisms=["military_track"],
                       workers=1)
    assert set(table.mechanism) == {"military_track"} and set(table.runs) == {3}
    assert (tmp_path / "compare.json").is_file() and (tmp_path / "explain.csv").is_file()
    assert ly.plot_explanation(table).axes
    assert "military_track" in set(ly.mechanism_table()["name"])
    from libyasim.report import write_report

    assert "Which mechanisms carry the differences" in write_report(tmp_path).read_text()
    ly.compare([a, b], runs=4, seed=5, out=tmp_path, workers=1, write=False)
    assert not (tmp_path / "explain.csv").exists()  # it described the 3-run comparison
    assert not (tmp_path / "plots" / "explain.png").exists()
