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
    report_section,
    score_binary,
    score_numeric,
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
    skipped = {s["name"]: s["reason"] for s in summary["skipped"]}
    assert "after 2020-01-10" in skipped["before_cutoff"]
    assert "ends after" in skipped["past_horizon"]
    saved = json.loads((tmp_path / "v" / VALIDATION_JSON).read_text())
    assert saved["line"].startswith("90% intervals cover 1 of 2 observations")
    assert (tmp_path / "v" / VALIDATION_PNG).stat().st_size > 10_000
    assert "Validation against observations" in report_section(tmp_path / "v")
    assert report_section(results) is None


def test_persistence_and_year_before_references(tmp_path, results):
    extra = [["rate_2019", "total", "violations", "", 30, "", "", "2019-10-01", "2019-12-29",
              "2019-12-30"]]
    obs = _observations(tmp_path, results, extra)
    validate(results, obs, out=tmp_path / "v")
    table = pd.read_csv(tmp_path / "v" / VALIDATION_CSV).set_index("name")
    # a count goes on at the latest known daily rate: 30 in 90 days -> 46 days x 1/3
    assert table.loc["far_violations", "persistence_forecast"] == pytest.approx(46 / 3)
    assert table.loc["far_violations", "year_before_forecast"] == pytest.approx(46 / 3)
    # the state at the cutoff (day 0: no truce yet) carries on
    assert table.loc["held_day_30", "persistence_forecast"] == 0.0
    assert table.loc["held_day_30", "persistence_brier"] == 1.0
    assert np.isnan(table.loc["median_deaths", "persistence_forecast"])


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
    assert "90% intervals cover" in page
