"""libyasim validate: per-observation scores, summary, references, files, CLI and report."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from libyasim import cli
from libyasim.ensemble import run_ensemble
from libyasim.observations import COLUMNS, SeriesView, load_observations, statistic
from libyasim.scenario import load_scenario
from libyasim.validate import (
    VALIDATION_CSV,
    VALIDATION_JSON,
    VALIDATION_PNG,
    calibration_warnings,
    crps,
    ess_warning,
    report_section,
    score,
    score_binary,
    score_numeric,
    select,
    validate,
)

DAY0 = dt.date(2020, 1, 10)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("val")
    scenario_file = folder / "short.toml"
    base = __import__("pathlib").Path(__file__).resolve().parents[1] / "scenarios/baseline.toml"
    scenario_file.write_text(f'[scenario]\nextends = "{base}"\nhorizon_days = 60\n'
                             "information_cutoff = 2020-01-10\n")
    out = run_ensemble(load_scenario(scenario_file), folder / "run", runs=24, seed=3, workers=1,
                       progress=False)
    return out


def _day(n):
    return (DAY0 + dt.timedelta(days=n)).isoformat()


def _observations(tmp_path, results, extra=()):
    """Observations placed on the ensemble's own median, far above it, and yes/no facts."""
    series = pd.read_parquet(results / "series.parquet")
    view = SeriesView.from_frame(series, DAY0)
    rows = [
        ["median_deaths", "total", "civilian_deaths", "", 0, "", "", _day(10), _day(40), _day(41)],
        ["far_violations", "total", "violations", "", 10**6, "", "", _day(5), _day(50), _day(51)],
        ["held_day_30", "state", "truce_state", "holding", 1, "", "", "", _day(30), _day(31)],
        ["settled_early", "occurs", "truce_state", "settled", 0, "", "", _day(1), _day(59),
         _day(59)],
        ["before_cutoff", "total", "violations", "", 5, "", "", "2019-05-01", "2019-06-01",
         "2019-06-02"],
        ["past_horizon", "state", "truce_state", "holding", 1, "", "", "", _day(200), _day(200)],
        *extra]
    frame = pd.DataFrame([[*r, "test"] for r in rows], columns=list(COLUMNS))
    path = tmp_path / "obs.csv"
    frame.to_csv(path, index=False)
    first = load_observations(path)[0]
    frame["value"] = frame["value"].astype(object)
    frame.loc[0, "value"] = float(np.median(statistic(first, view)))
    frame.to_csv(path, index=False)
    return path


def test_scores_summary_and_files(tmp_path, results):
    obs = _observations(tmp_path, results)
    summary = validate(results, obs, out=tmp_path / "v")
    table = pd.read_csv(tmp_path / "v" / VALIDATION_CSV).set_index("name")
    assert set(table.index) == {"median_deaths", "far_violations", "held_day_30", "settled_early"}
    assert table.loc["median_deaths", "in_50"] and table.loc["median_deaths", "in_90"]
    assert not table.loc["far_violations", "in_90"]
    assert table.loc["far_violations", "pit"] == 1.0
    assert table.loc["far_violations", "crps"] > table.loc["median_deaths", "crps"]
    assert 0 <= table.loc["held_day_30", "probability"] <= 1
    assert summary["coverage_90"] == {"covered": 1, "of": 2, "share": 0.5}
    # the strict hindcast: inside the 90% interval, or more than half the runs on the right side
    held = table.loc["held_day_30", "probability"] > 0.5
    settled = table.loc["settled_early", "probability"] < 0.5
    assert summary["hindcast"]["misses"] == [n for n, ok in [
        ("far_violations", False), ("held_day_30", held), ("settled_early", settled)] if not ok]
    assert summary["hindcast"]["right"] == 4 - len(summary["hindcast"]["misses"])
    skipped = {s["name"]: s["reason"] for s in summary["skipped"]}
    assert "after 2020-01-10" in skipped["before_cutoff"]
    assert "ends after" in skipped["past_horizon"]
    saved = json.loads((tmp_path / "v" / VALIDATION_JSON).read_text())
    assert saved["line"].startswith("from 2020-01-10: 90% intervals cover 1 of 2 numbers and "
                                    f"dates; hindcast {summary['hindcast']['right']} of 4 facts")
    assert (tmp_path / "v" / VALIDATION_PNG).stat().st_size > 10_000
    assert "Validation against observations" in report_section(tmp_path / "v")
    assert report_section(results) is None


def test_references_zero_last_value_conflictology_climatology_prior(tmp_path, results):
    extra = [["rate_2019q3", "total", "violations", "", 90, "", "", "2019-07-01", "2019-09-28",
              "2019-09-30"],
             ["rate_2019q4", "total", "violations", "", 30, "", "", "2019-10-01", "2019-12-29",
              "2019-12-30"],
             ["old_2018", "total", "violations", "", 900, "", "", "2018-01-01", "2018-03-31",
              "2018-04-01"],
             ["truce_by_day_40", "first_day", "truce_state", "holding", _day(2), "", "",
              _day(1), _day(40), _day(2)]]
    obs = _observations(tmp_path, results, extra)
    summary = validate(results, obs, out=tmp_path / "v", reference=results)
    table = pd.read_csv(tmp_path / "v" / VALIDATION_CSV).set_index("name")
    row = table.loc["far_violations"]  # 46 days from day 5 to day 50
    assert row["zero_forecast"] == 0 and row["zero_crps"] == pytest.approx(10**6)
    # the latest known record's daily rate: 30 in 90 days
    assert row["last_value_forecast"] == pytest.approx(46 / 3)
    # the records of the year before the origin, not 2018's: daily rates of 5/32 (May 2019),
    # 1 and 1/3, whose median is 1/3 a day (with 2018's 10 a day it would be (1 + 1/3) / 2)
    assert row["conflictology_forecast"] == pytest.approx(46 / 3)
    assert np.isnan(row["climatology_crps"])
    # a date: uniform over the window's 40 days, never "never"; no count references
    date = table.loc["truce_by_day_40"]
    assert date["climatology_forecast"] == pytest.approx(19.5)
    assert np.isnan(date["zero_crps"]) and np.isnan(date["last_value_crps"])
    # a yes/no fact: the state on the origin (no truce yet on day 0)
    assert table.loc["held_day_30", "last_value_forecast"] == 0.0
    assert table.loc["held_day_30", "last_value_brier"] == 1.0
    # the same ensemble as its own reference has no skill over it
    assert table.loc["far_violations", "prior_crps"] == pytest.approx(row["crps"])
    assert summary["skill"]["prior"]["crps"] == pytest.approx(0.0)
    refs = {(r["origin"], r["reference"]) for r in summary["skill_table"]}
    assert {("2020-01-10", "zero"), ("2020-01-10", "climatology")} <= refs


def test_floors_are_scored_as_censored():
    ensemble = np.arange(100.0, 200.0)
    below = score_numeric(50.0, ensemble, floor=True)  # every run reaches the floor
    assert below["crps"] == pytest.approx(0.0) and below["pit"] is None
    assert below["p_reach_floor"] == 1.0 and below["in_90"]
    exact = score_numeric(50.0, ensemble)  # the same number as an exact value is a miss
    assert exact["crps"] > 40 and not exact["in_90"]
    above = score_numeric(500.0, ensemble, floor=True)  # no run reaches it
    assert above["brier_floor"] == 1.0 and not above["in_90"]
    assert above["crps"] == pytest.approx(crps(500.0, ensemble, floor=True))
    assert crps(500.0, np.array([600.0]), floor=True) == pytest.approx(0.0)


def test_origins_condition_on_what_was_known(tmp_path, results, capsys):
    obs = _observations(tmp_path, results)
    later = DAY0 + dt.timedelta(days=20)
    summary = validate(results, obs, start=[DAY0, later], out=tmp_path / "v")
    first, second = summary["origins"]
    assert first["from"] == "2020-01-10" and first["conditioning"] is None
    assert second["conditioning"]["origin"] == later.isoformat()
    assert 0 < second["conditioning"]["ess"] <= 24
    table = pd.read_csv(tmp_path / "v" / VALIDATION_CSV)
    assert set(table["origin"]) == {"2020-01-10", later.isoformat()}
    assert {r["origin"] for r in summary["skill_table"]} == {"2020-01-10", later.isoformat()}
    assert (ess_warning(second) is None) == (second["conditioning"]["ess"] >= 20)
    assert ess_warning({**second, "conditioning": {**second["conditioning"], "ess": 3.0}})
    code = cli.main(["validate", str(results), "--observations", str(obs), "--out",
                     str(tmp_path / "w"), "--from", "2020-01-10", "--from", later.isoformat()])
    out = capsys.readouterr().out
    assert code == 0 and "from 2020-01-30:" in out and "effective sample size" in out


def test_warns_when_scoring_what_the_calibration_used(tmp_path, results):
    obs = load_observations(_observations(tmp_path, results))
    view = SeriesView.from_frame(pd.read_parquet(results / "series.parquet"), DAY0)
    chosen, _ = select(obs, view, DAY0)
    scored = score(chosen, view, obs, DAY0)
    posterior = tmp_path / "posterior"
    posterior.mkdir()
    (posterior / "calibration.json").write_text(json.dumps(
        {"cutoff": _day(35), "observations_used": [{"name": "held_day_30"}]}))
    lines = calibration_warnings(scored, {"scenario.posterior": str(posterior)})
    named = {line.split(" ")[0]: line for line in lines}
    assert set(named) == {"held_day_30"}  # known on day 31; the others on day 41 or later
    assert "was fitted to it" in named["held_day_30"]
    assert calibration_warnings(scored, {"scenario.posterior": ""}) == []


def test_a_compare_folder_says_what_to_do(tmp_path, capsys):
    folder = tmp_path / "cmp"
    (folder / "scenarios" / "baseline").mkdir(parents=True)
    (folder / "compare.json").write_text("{}")
    code = cli.main(["validate", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "a compare folder" in err and "scenarios/baseline" in err


def test_from_date_and_overwrite(tmp_path, results, capsys):
    obs = _observations(tmp_path, results)
    summary = validate(results, obs, start=DAY0 + dt.timedelta(days=20), out=tmp_path / "v")
    assert "median_deaths" in {s["name"] for s in summary["skipped"]}  # window starts day 10
    code = cli.main(["validate", str(results), "--observations", str(obs), "--out",
                     str(tmp_path / "v")])
    assert code == 2 and "--force" in capsys.readouterr().err
    code = cli.main(["validate", str(results), "--observations", str(obs), "--out",
                     str(tmp_path / "v"), "--force"])
    assert code == 0 and "90% intervals cover" in capsys.readouterr().out


def test_malformed_file_exit_2(tmp_path, results, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(COLUMNS) + "\nx,total,violations,,ten,,,2020-01-12,2020-01-20,"
                   "2020-01-21,s\n")
    code = cli.main(["validate", str(results), "--observations", str(bad), "--out",
                     str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "row 2, column value" in err and "Traceback" not in err


def test_scoring_rules():
    ensemble = np.arange(1.0, 101.0)
    s = score_numeric(50.5, ensemble)
    assert s["in_50"] and s["pit"] == pytest.approx(0.5)
    assert score_numeric(50.5, np.full(10, 50.5))["crps"] == pytest.approx(0.0)
    assert score_numeric(1000, ensemble)["crps"] > score_numeric(60, ensemble)["crps"]
    assert score_binary(1, 1.0)["brier"] == 0.0 and score_binary(0, 1.0)["brier"] == 1.0
    assert np.isfinite(score_binary(0, 1.0)["log_score"])  # probabilities kept off 0 and 1


def test_report_includes_the_validation(tmp_path, results):
    import shutil

    from libyasim.report import write_report

    folder = tmp_path / "run"
    shutil.copytree(results, folder)
    assert "Validation against" not in write_report(folder).read_text()
    validate(folder, _observations(tmp_path, results))
    page = write_report(folder).read_text()
    assert "Validation against observations after 2020-01-10" in page
    assert "90% intervals cover" in page and "Skill per origin and reference" in page
