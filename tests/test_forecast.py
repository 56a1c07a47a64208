"""The Morris screen names what moves the fit's statistics; a forecast issued on an origin is
fitted and conditioned on what was public by then, and nothing later changes it."""

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from libyasim import cli
from libyasim.calibrate import CALIBRATION_FILE, POSTERIOR_FILE, CalibrationError
from libyasim.forecast import FORECAST_FILE, forecast
from libyasim.model import simulate
from libyasim.observations import COLUMNS, SeriesView, load_observations, statistic
from libyasim.scenario import load_scenario
from libyasim.screen import DUMMIES, SCREEN_CSV, SCREEN_JSON, SCREEN_PLOT, chosen_parameters, screen

ROOT = Path(__file__).resolve().parents[1]
DAY0 = dt.date(2020, 1, 10)
ORIGIN = DAY0 + dt.timedelta(days=14)
WINDOWS = [(2, 6), (7, 13)]  # days after day 0, both ended and published by the origin


def _row(name, value, start, end, known_on=None):
    return {"name": name, "kind": "total", "column": "violations", "equals": "",
            "value": value, "low": "", "high": "", "start": start.isoformat(),
            "end": end.isoformat(), "known_on": (known_on or end).isoformat(),
            "source": "synthetic: the model itself"}


def _write(path, rows):
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A short 'war' to fit on (the baseline's first 14 days), a 30-day forecast scenario, and
    violation counts from one run of the model."""
    folder = tmp_path_factory.mktemp("forecast")
    base = (ROOT / "scenarios" / "baseline.toml").as_posix()
    war = folder / "war.toml"
    war.write_text(f'[scenario]\nextends = "{base}"\nname = "war"\nhorizon_days = 14\n')
    issued = folder / "issued.toml"
    issued.write_text(f'[scenario]\nextends = "{base}"\nname = "issued"\nhorizon_days = 30\n'
                      'runs = 8\n')
    _, series = simulate(load_scenario(war), 4321)
    view = SeriesView.from_array(series, DAY0)
    rows = []
    for a, b in WINDOWS:
        row = _row(f"violations_{a}_{b}", 0, DAY0 + dt.timedelta(days=a),
                   DAY0 + dt.timedelta(days=b))
        obs = load_observations(_write(folder / "one.csv", [row]))[0]
        row["value"] = float(statistic(obs, view)[0])
        rows.append(row)
    return folder, war, issued, rows


def test_a_parameter_that_alone_decides_a_yes_no_fact_is_fitted():
    """A yes/no fact moves the distance by at most 1, so the norm over statistics misses a
    parameter that moves only such a fact while noisy counts set the floor (the 2019 war:
    `economy.blockade_rate` and the terminals that stayed open). The screen still chooses it,
    first; not one that flips the fact rarely or no more often than noise, nor one decisive
    for a count (counts reach the norm)."""
    from libyasim.screen import MAX_CHOSEN, _rank, choose, decisive

    rows = []
    for k, dummy in enumerate(DUMMIES):
        rows += [(dummy, "count", 2.0 + k * 0.1), (dummy, "terminals_open", 0.01),
                 (dummy, "coin_toss", 0.3)]
    rows += [("blockade_rate", "count", 0.3), ("blockade_rate", "terminals_open", 0.45),
             ("rare", "count", 0.1), ("rare", "terminals_open", 0.2),
             ("noisy", "count", 0.4), ("noisy", "terminals_open", 0.05),
             ("sharp_count", "count", 3.0), ("sharp_count", "terminals_open", 0.0),
             ("lucky", "coin_toss", 0.4)]  # flips a fact the seeds flip nearly as often
    rows += [(f"p{i}", "count", 40.0 + i) for i in range(MAX_CHOSEN)]
    table = pd.DataFrame(rows, columns=["param", "statistic", "mu_star"])
    table["mu_star_conf"], table["sigma"] = 0.0, 0.0
    ranking = _rank(table)
    assert ranking.loc[ranking["param"] == "blockade_rate", "effect"].item() < 1.0
    facts = ["terminals_open", "coin_toss"]
    assert decisive(table, facts) == {"blockade_rate": "terminals_open"}
    chosen = choose(ranking, table, facts)
    assert chosen[0] == "blockade_rate" and len(chosen) == MAX_CHOSEN
    assert not {"rare", "noisy", "sharp_count", "lucky", *DUMMIES} & set(chosen)
    assert "blockade_rate" not in choose(ranking, table)  # without yes/no facts: the norm only


def test_screen_names_the_parameters_that_move_the_statistics(world, tmp_path):
    folder, war, _, rows = world
    file = _write(folder / "screen.csv", rows)
    summary = screen(war, ORIGIN, tmp_path / "s", file, trajectories=4, runs=2, seed=3,
                     progress=False)
    for name in (SCREEN_CSV, SCREEN_JSON, SCREEN_PLOT):
        assert (tmp_path / "s" / name).stat().st_size > 0
    ranked = [r["param"] for r in summary["ranking"]]
    assert summary["parameters_screened"] > 100  # every prior range the scenario leaves free
    assert set(DUMMIES) <= set(ranked) and not set(DUMMIES) & set(summary["chosen"])
    noise = [r["effect"] for r in summary["ranking"] if r["param"] in DUMMIES]
    assert min(noise) > 0  # a step of any dummy is a step of the runs' seeds
    assert summary["noise_floor"] == pytest.approx(sorted(noise)[len(noise) // 2])
    # violations in the truce's first days are the truce's own business
    assert any(p.startswith("truce.") for p in summary["chosen"][:5])
    assert summary["chosen"] == chosen_parameters(tmp_path / "s")
    # the scenario's own settings (its situation) are not screened
    assert "truce.start" not in ranked and "arms.embargo.sea" not in ranked
    with pytest.raises(CalibrationError, match="holds a screen"):
        screen(war, ORIGIN, tmp_path / "s", file, trajectories=2, runs=1, progress=False)


def _forecast(world, out, observations, **kw):
    _, war, issued, _ = world
    args = {"fit_on": war, "params": ["truce.base_logit=-6:1", "truce.violations_per_day_max"],
            "population": 20, "generations": 2, "workers": 1, "seed": 5, "progress": False,
            "observations": observations}
    args.update(kw)
    return forecast(issued, ORIGIN, out, **args)


def test_a_planted_later_observation_changes_neither_fit_nor_forecast(world, tmp_path):
    folder, *_, rows = world
    later = ORIGIN + dt.timedelta(days=10)
    planted = rows + [
        _row("planted_after", 5000, DAY0 + dt.timedelta(days=15), later),  # after the origin
        _row("planted_late_news", 5000, DAY0 + dt.timedelta(days=2),  # ended, published late
             DAY0 + dt.timedelta(days=12), known_on=later)]
    a = _forecast(world, tmp_path / "a", _write(folder / "train.csv", rows))
    b = _forecast(world, tmp_path / "b", _write(folder / "planted.csv", planted))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a-fit" / POSTERIOR_FILE),
                                  pd.read_parquet(tmp_path / "b-fit" / POSTERIOR_FILE))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "runs.parquet"),
                                  pd.read_parquet(tmp_path / "b" / "runs.parquet"))
    fa, fb = (json.loads((tmp_path / x / FORECAST_FILE).read_text()) for x in "ab")
    assert fa["weights"] == fb["weights"] and a["conditioning"] == b["conditioning"]
    assert a["conditioning"]["origin"] == ORIGIN.isoformat()
    assert 0 < a["conditioning"]["ess"] <= 8
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["forecast"]["origin"] == ORIGIN.isoformat()
    assert manifest["forecast"]["posterior_cutoff"] == ORIGIN.isoformat()
    assert manifest["scenario"]["values"]["scenario.information_cutoff"] == ORIGIN.isoformat()
    assert manifest["root_seed"] == 5 and json.loads(
        (tmp_path / "a-fit" / CALIBRATION_FILE).read_text())["seed"] == 5


def test_a_fit_made_after_the_origin_is_refused(world, tmp_path, capsys):
    folder, war, issued, rows = world
    fit = tmp_path / "fit"
    fit.mkdir()
    (fit / CALIBRATION_FILE).write_text(json.dumps({"cutoff": "2020-03-31"}))
    with pytest.raises(CalibrationError, match="after the origin"):
        forecast(issued, ORIGIN, tmp_path / "f", posterior=fit, progress=False)
    code = cli.main(["forecast", str(issued), "--origin", "2020-01-24", "--posterior", str(fit),
                     "--out", str(tmp_path / "f")])
    assert code == 2 and "after the origin" in capsys.readouterr().err
    code = cli.main(["forecast", str(issued), "--origin", "2019-01-01", "--posterior", str(fit),
                     "--out", str(tmp_path / "f")])
    assert code == 2 and "day 0" in capsys.readouterr().err


def test_screen_then_fit_from_the_command_line(world, tmp_path, capsys):
    folder, war, _, rows = world
    file = str(_write(folder / "cli.csv", rows))
    common = [str(war), "--until", ORIGIN.isoformat(), "--observations", file, "--workers", "1",
              "--seed", "2", "--quiet"]
    assert cli.main(["calibrate", *common, "--screen", "--trajectories", "2",
                     "--runs-per-point", "1", "--out", str(tmp_path / "screen")]) == 0
    chosen = chosen_parameters(tmp_path / "screen")
    assert f"--params-from {tmp_path / 'screen'}" in capsys.readouterr().out
    assert cli.main(["calibrate", *common, "--params-from", str(tmp_path / "screen"),
                     "--population", "10", "--generations", "1",
                     "--out", str(tmp_path / "fit")]) == 0
    fitted = json.loads((tmp_path / "fit" / CALIBRATION_FILE).read_text())
    assert [p["name"] for p in fitted["parameters"]] == chosen
    capsys.readouterr()
    code = cli.main(["calibrate", *common, "--params-from", str(tmp_path / "fit"),
                     "--out", str(tmp_path / "fit2")])
    err = capsys.readouterr().err
    assert code == 2 and "no screen found" in err and len(err.strip().splitlines()) == 1


def test_a_forecast_can_fit_by_rejection_and_refuses_to_replace_that_fit_unasked(world,
                                                                                tmp_path):
    folder, *_, rows = world
    observations = _write(folder / "train.csv", rows)
    record = _forecast(world, tmp_path / "r", observations, method="rejection", draws=12,
                       keep=4)
    posterior = pd.read_parquet(tmp_path / "r-fit" / POSTERIOR_FILE)
    assert len(posterior) == 4 and posterior["weight"].nunique() == 1
    fit = json.loads((tmp_path / "r-fit" / CALIBRATION_FILE).read_text())
    assert fit["method"].startswith("rejection") and fit["draws"] == 12
    assert Path(record["posterior"]).resolve() == (tmp_path / "r-fit").resolve()
    with pytest.raises(CalibrationError, match="--force"):
        _forecast(world, tmp_path / "r2", observations, method="rejection", draws=12, keep=4,
                  fit_out=tmp_path / "r-fit")


def test_a_forecast_says_what_its_fit_does_not_keep(world, tmp_path, capsys):
    """The fit's posterior predictive check travels with the forecast: recorded, and a warning
    when the fit traded some of its training facts away."""
    folder, _, issued, rows = world
    observations = _write(folder / "keep.csv", rows)
    record = _forecast(world, tmp_path / "k", observations, method="rejection", draws=12,
                       keep=4)
    fit = tmp_path / "k-fit"
    check = json.loads((fit / CALIBRATION_FILE).read_text())["posterior_predictive"]
    assert record["posterior_not_kept"] == check["poorly_reproduced"]
    summary = json.loads((fit / CALIBRATION_FILE).read_text())
    summary["posterior_predictive"]["poorly_reproduced"] = [rows[0]["name"]]
    (fit / CALIBRATION_FILE).write_text(json.dumps(summary))
    capsys.readouterr()
    assert cli.main(["forecast", str(issued), "--origin", ORIGIN.isoformat(), "--posterior",
                     str(fit), "--runs", "4", "--workers", "1", "--out",
                     str(tmp_path / "k2"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"the fit does not keep {rows[0]['name']}" in err
    saved = json.loads((tmp_path / "k2" / FORECAST_FILE).read_text())
    assert saved["posterior_not_kept"] == [rows[0]["name"]]


def test_a_later_forecast_fits_on_from_an_earlier_posterior(world, tmp_path):
    """`forecast --fit-on WAR --prior-from FIT`: the earlier fit's particles are carried into
    the new fit (sequential ABC); without --fit-on the option is refused."""
    folder, *_, rows = world
    observations = _write(folder / "train-seq.csv", rows)
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    pd.DataFrame({"truce.spoiler_rate": [0.05], "weight": [1.0]}).to_parquet(
        earlier / POSTERIOR_FILE)
    (earlier / CALIBRATION_FILE).write_text(json.dumps({"cutoff": DAY0.isoformat()}))
    _forecast(world, tmp_path / "s", observations, method="rejection", draws=12, keep=4,
              prior_from=earlier)
    posterior = pd.read_parquet(tmp_path / "s-fit" / POSTERIOR_FILE)
    assert set(posterior["truce.spoiler_rate"]) == {0.05}
    fit = json.loads((tmp_path / "s-fit" / CALIBRATION_FILE).read_text())
    assert fit["prior_from"]["parameters"] == ["truce.spoiler_rate"]
    with pytest.raises(CalibrationError, match="--fit-on"):
        forecast(world[2], ORIGIN, tmp_path / "t", posterior=earlier, prior_from=earlier,
                 progress=False)


def test_a_forecast_can_marginalise_in_its_fit_and_draw_whole_particles(world, tmp_path):
    """`forecast --fit-on WAR --rest-from-prior`: the fit draws every other assumption from its
    prior and keeps it in the posterior; each run takes a whole particle, so a marginalised
    value is one the fit kept, never a fresh draw; ABC-SMC cannot marginalise."""
    folder, *_, rows = world
    observations = _write(folder / "train-marginal.csv", rows)
    record = _forecast(world, tmp_path / "m", observations, method="rejection", draws=12,
                       keep=4, rest_from_prior=True)
    fit = json.loads((tmp_path / "m-fit" / CALIBRATION_FILE).read_text())
    assert "truce.spoiler_rate" in fit["marginalised"] and record["rest_from_prior"] is True
    kept = set(pd.read_parquet(tmp_path / "m-fit" / POSTERIOR_FILE)["truce.spoiler_rate"])
    drawn = set(pd.read_parquet(tmp_path / "m" / "runs.parquet")["param:truce.spoiler_rate"])
    assert drawn <= kept and len(kept) == 4
    with pytest.raises(CalibrationError, match="rest-from-prior"):
        _forecast(world, tmp_path / "s2", observations, method="smc", rest_from_prior=True)
