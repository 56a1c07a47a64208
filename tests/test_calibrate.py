"""ABC calibration (ABC-SMC and rejection ABC): recovers known parameters, reads nothing after
--until, resumes, stops."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from libyasim import cli
from libyasim.calibrate import (
    CALIBRATION_FILE,
    POSTERIOR_FILE,
    PREDICTIVE_PLOT,
    PRIOR_PLOT,
    CalibrationError,
    calibrate,
    calibrate_rejection,
    priors_for,
)
from libyasim.model import simulate
from libyasim.observations import COLUMNS, SeriesView, load_observations, statistic
from libyasim.params import PARAMS
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
DAY0 = dt.date(2020, 1, 10)
TRUTH = -2.0  # where violations respond to it (below about -3 they barely do)
PRIOR = "truce.base_logit=-6:1"
WINDOWS = [(2, 6), (7, 11), (12, 16), (17, 21)]  # days after day 0: the truce's first weeks,
UNTIL = DAY0 + dt.timedelta(days=21)  # before the counts grow noisy as fighting resumes


def _row(name, kind, column, value, start, end, equals="", known_on=None):
    known_on = known_on or end
    return {"name": name, "kind": kind, "column": column, "equals": equals, "value": value,
            "low": "", "high": "", "start": start.isoformat(), "end": end.isoformat(),
            "known_on": known_on.isoformat(), "source": "synthetic: the model itself"}


def _write(path, rows):
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Observations produced by one run of the model at truce.base_logit = TRUTH."""
    folder = tmp_path_factory.mktemp("synthetic")
    scenario = load_scenario(BASELINE).with_overrides(
        {"truce.base_logit": TRUTH, "scenario.horizon_days": 21})
    _, series = simulate(scenario, 12345)
    view = SeriesView.from_array(series, DAY0)
    rows = []
    for a, b in WINDOWS:
        start, end = DAY0 + dt.timedelta(days=a), DAY0 + dt.timedelta(days=b)
        row = _row(f"violations_{a}_{b}", "total", "violations", 0, start, end)
        obs = load_observations(_write(folder / "one.csv", [row]))[0]
        row["value"] = float(statistic(obs, view)[0])
        rows.append(row)
    return folder, rows


COMMON = {"until": UNTIL, "params": [PRIOR], "workers": 1, "seed": 7, "progress": False}


def _calibrate(out, observations, **kw):
    return calibrate(BASELINE, out, **{**COMMON, "observations_file": observations,
                                       "population": 30, "generations": 3,
                                       "predictive_draws": 8, "min_acceptance": 0.1, **kw})


def test_synthetic_truth_inside_posterior_90(synthetic, tmp_path):
    folder, rows = synthetic
    file = _write(folder / "train.csv", rows)
    summary = _calibrate(tmp_path / "cal", file, population=40, generations=4)
    (param,) = summary["parameters"]
    assert param["posterior_q05"] <= TRUTH <= param["posterior_q95"]
    assert param["posterior_q95"] - param["posterior_q05"] < 0.6 * 7  # narrower than the prior
    posterior = pd.read_parquet(tmp_path / "cal" / POSTERIOR_FILE)
    assert list(posterior.columns) == ["truce.base_logit", "weight"]
    assert posterior["weight"].sum() == pytest.approx(1.0)
    for name in (CALIBRATION_FILE, PRIOR_PLOT, PREDICTIVE_PLOT):
        assert (tmp_path / "cal" / name).stat().st_size > 0
    saved = json.loads((tmp_path / "cal" / CALIBRATION_FILE).read_text())
    assert saved["cutoff"] == UNTIL.isoformat()
    assert len(saved["epsilon_schedule"]) == len(saved["acceptance_rates"]) == 4
    assert saved["epsilon_schedule"] == sorted(saved["epsilon_schedule"], reverse=True)
    assert [o["name"] for o in saved["observations_used"]] == [r["name"] for r in rows]


@pytest.mark.parametrize("method", ["smc", "rejection", "marginalised"])
def test_observations_after_until_are_never_read(synthetic, tmp_path, method):
    folder, rows = synthetic
    train = _write(folder / f"train-{method}.csv", rows)
    later = DAY0 + dt.timedelta(days=45)
    planted = rows + [
        # would pull the fit hard towards many violations, were it read
        _row("planted_after", "total", "violations", 5000, DAY0 + dt.timedelta(days=2), later),
        # ends in time but was published after --until
        _row("planted_late_news", "total", "violations", 5000, DAY0 + dt.timedelta(days=2),
             DAY0 + dt.timedelta(days=20), known_on=later)]
    with_planted = _write(folder / f"planted-{method}.csv", planted)
    fit = {"smc": lambda out, file: _calibrate(out, file, generations=2), "rejection": _reject,
           "marginalised": lambda out, file: _reject(out, file, rest_from_prior=True)}[method]
    a, b = fit(tmp_path / "a", train), fit(tmp_path / "b", with_planted)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / POSTERIOR_FILE),
                                  pd.read_parquet(tmp_path / "b" / POSTERIOR_FILE))
    assert a["observations_used"] == b["observations_used"]
    schedule = "epsilon_schedule" if method == "smc" else "acceptance_distance"
    assert a[schedule] == b[schedule]
    reasons = {x["name"]: x["reason"] for x in b["observations_not_used"]}
    assert "ends after" in reasons["planted_after"]
    assert "published" in reasons["planted_late_news"]


def _reject(out, observations, **kw):
    return calibrate_rejection(BASELINE, out, **{**COMMON, "observations_file": observations,
                                                 "draws": 40, "keep": 8,
                                                 "predictive_draws": 4, **kw})


def test_rejection_keeps_the_nearest_equally_weighted(synthetic, tmp_path):
    folder, rows = synthetic
    file = _write(folder / "reject.csv", rows)
    summary = _reject(tmp_path / "r", file, draws=60, keep=12)
    posterior = pd.read_parquet(tmp_path / "r" / POSTERIOR_FILE)
    assert list(posterior.columns) == ["truce.base_logit", "weight"] and len(posterior) == 12
    assert (posterior["weight"] == 1 / 12).all()
    assert summary["effective_sample_size"] == 12 and summary["accepted"] == 12
    assert summary["draws"] == 60 and summary["method"].startswith("rejection ABC")
    assert summary["acceptance_distance"] <= summary["distance_quantiles_of_draws"]["q50"]
    low, high = posterior["truce.base_logit"].agg(["min", "max"])
    assert -6 <= low and high <= 1
    for name in (CALIBRATION_FILE, PRIOR_PLOT, PREDICTIVE_PLOT):
        assert (tmp_path / "r" / name).stat().st_size > 0
    check = summary["posterior_predictive"]  # saved with the fit, one row per observation
    assert [r["name"] for r in check["observations"]] == [r["name"] for r in rows]
    assert all(0 <= r["agree"] <= 1 for r in check["observations"]) and check["runs"] == 4
    # a scenario's runs read it as any posterior
    from libyasim.draws import from_posterior

    drawn = from_posterior(tmp_path / "r").table(3, 50)["param:truce.base_logit"]
    assert set(drawn) <= set(posterior["truce.base_logit"])


def test_a_fit_can_start_from_an_earlier_fits_posterior(synthetic, tmp_path):
    """Sequential ABC: the earlier fit's particles are the prior of its parameters (carried
    whole, by weight), the new parameters are drawn from their ranges; a fit that read later
    information, or one that leaves nothing new to fit, is refused."""
    folder, rows = synthetic
    file = _write(folder / "sequential.csv", rows)
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    pd.DataFrame({"truce.spoiler_rate": [0.02, 0.25], "weight": [1.0, 0.0]}).to_parquet(
        earlier / POSTERIOR_FILE)
    (earlier / CALIBRATION_FILE).write_text(json.dumps({"cutoff": "2020-01-10"}))
    summary = _reject(tmp_path / "seq", file, prior_from=earlier)
    posterior = pd.read_parquet(tmp_path / "seq" / POSTERIOR_FILE)
    assert set(posterior.columns) == {"truce.base_logit", "truce.spoiler_rate", "weight"}
    assert set(posterior["truce.spoiler_rate"]) == {0.02}  # weight 0 is never carried
    assert summary["prior_from"]["parameters"] == ["truce.spoiler_rate"]
    assert [p["name"] for p in summary["parameters"]] == ["truce.base_logit"]
    (earlier / CALIBRATION_FILE).write_text(json.dumps({"cutoff": "2020-02-01"}))
    with pytest.raises(CalibrationError, match="after --until"):
        _reject(tmp_path / "late", file, prior_from=earlier)
    (earlier / CALIBRATION_FILE).write_text(json.dumps({"cutoff": "2020-01-10"}))
    pd.DataFrame({"truce.base_logit": [-2.0], "weight": [1.0]}).to_parquet(
        earlier / POSTERIOR_FILE)
    with pytest.raises(CalibrationError, match="nothing new|every parameter"):
        _reject(tmp_path / "none", file, prior_from=earlier)


def test_a_fit_can_marginalise_every_other_assumption(synthetic, tmp_path):
    """`rest_from_prior`: each draw takes every other assumption from its prior too, and the
    posterior keeps them beside the fitted one; the scenario's own settings are not drawn; a
    later fit carries only what was fitted, and draws the marginalised ones again."""
    folder, rows = synthetic
    file = _write(folder / "marginal.csv", rows)
    summary = _reject(tmp_path / "m", file, rest_from_prior=True)
    posterior = pd.read_parquet(tmp_path / "m" / POSTERIOR_FILE)
    rest = summary["marginalised"]
    assert [p["name"] for p in summary["parameters"]] == ["truce.base_logit"]
    assert "truce.base_logit" not in rest and len(rest) > 50
    assert "arms.embargo.sea" not in rest  # baseline.toml sets it: the scenario's choice
    assert set(posterior.columns) == {"truce.base_logit", "weight", *rest}
    low, high = PARAMS["truce.spoiler_rate"].prior
    spoilers = posterior["truce.spoiler_rate"]
    assert spoilers.between(low, high).all() and spoilers.nunique() == len(posterior)
    assert "marginalised" in summary["method"]
    later = _reject(tmp_path / "later", file, params=["truce.spoiler_rate"],
                    prior_from=tmp_path / "m", rest_from_prior=True)
    assert later["prior_from"]["parameters"] == ["truce.base_logit"]
    assert "truce.spoiler_rate" not in later["marginalised"]
    again = pd.read_parquet(tmp_path / "later" / POSTERIOR_FILE)
    # the marginalised values are drawn again, not carried from the earlier particles
    assert not set(again["truce.forgiveness"]) <= set(posterior["truce.forgiveness"])
    plain = _reject(tmp_path / "plain", file)
    assert plain["marginalised"] == [] and "marginalised" not in plain["method"]


def test_a_dated_event_known_by_until_is_fitted_with_its_window_cut_there(tmp_path):
    from libyasim.calibrate import training_set

    scenario = load_scenario(BASELINE)
    day = dt.date(2020, 4, 13)
    rows = [_row("taken", "first_day", "holder_sabratha", day.isoformat(), DAY0,
                 dt.date(2020, 12, 31), equals="gna", known_on=day),
            _row("taken_later", "first_day", "holder_surman", "2020-07-01", DAY0,
                 dt.date(2020, 12, 31), equals="gna", known_on=dt.date(2020, 7, 1)),
            _row("reported_later", "first_day", "holder_watiya", day.isoformat(), DAY0,
                 dt.date(2020, 12, 31), equals="gna", known_on=dt.date(2020, 7, 1))]
    observations = load_observations(_write(tmp_path / "o.csv", rows))
    used, left = training_set(observations, scenario, dt.date(2020, 6, 30))
    assert [(o.name, o.end) for o in used] == [("taken", dt.date(2020, 6, 30))]
    assert {x["name"] for x in left} == {"taken_later", "reported_later"}


def test_a_missed_event_costs_the_same_early_or_late_in_its_window(tmp_path):
    """The 2019 fit's artefact: a run in which an event of the window's last days never
    happened counted as a few days late, one in which an early event never happened as
    months late, so the fit bought the early event with the late one."""
    from libyasim.calibrate import DATE_CAP, distance, fit_statistic

    start, end = dt.date(2019, 4, 4), dt.date(2020, 1, 9)
    rows = [_row("early", "first_day", "holder_gharyan", "2019-06-26", start, end, "gna"),
            _row("late", "first_day", "holder_sirte", "2020-01-06", start, end, "lna"),
            _row("floor", "total", "civilian_deaths", 200, start, end)]
    rows[2]["low"] = 200
    early, late, floor = load_observations(_write(tmp_path / "o.csv", rows))
    never = float(early.window_days)  # `statistic` of a run in which it never happens
    missed = [distance(np.array([[fit_statistic(o, never)]]), [o])[0] for o in (early, late)]
    assert missed[0] == pytest.approx(missed[1]) == pytest.approx(DATE_CAP)
    assert distance(np.array([[fit_statistic(late, late.observed() - 10)]]), [late])[0] == \
        pytest.approx(10 / 14)  # within the cap, every day counts
    far = fit_statistic(early, early.observed() + 150)
    assert distance(np.array([[far]]), [early])[0] == pytest.approx(DATE_CAP)
    assert fit_statistic(floor, 350.0) == 200.0 and fit_statistic(floor, 120.0) == 120.0


def test_the_predictive_check_flags_a_training_fact_the_fit_traded_away(tmp_path):
    """The check that would have caught the 2019 fit keeping Sirte in 16% of its runs."""
    from libyasim.calibrate import predictive_check

    start, end = dt.date(2019, 4, 4), dt.date(2020, 1, 9)
    rows = [_row("sirte", "first_day", "holder_sirte", "2020-01-06", start, end, "lna"),
            _row("tarhuna", "state", "holder_tarhuna", 1, end, end, "lna"),
            _row("civilians", "total", "civilian_deaths", 200, start, end)]
    rows[2]["low"] = 200
    sirte, tarhuna, civilians = used = load_observations(_write(tmp_path / "o.csv", rows))
    never = sirte.window_days
    sims = pd.DataFrame({"sirte": [never] * 6 + [sirte.observed() - 3] * 3 + [40.0],
                         "tarhuna": [1.0] * 7 + [0.0] * 3,
                         "civilians": [250.0] * 4 + [150.0] * 6})
    check = predictive_check(sims, used)
    agree = {r["name"]: r["agree"] for r in check["observations"]}
    assert agree == {"sirte": 0.3, "tarhuna": 0.7, "civilians": 0.4}
    assert check["observations"][0]["happened"] == 0.4  # captured at all in 4 runs of 10
    assert check["observations"][0]["pit"] == 0.4  # 3 days early or in spring: below
    assert check["poorly_reproduced"] == ["sirte"] and check["runs"] == 10
    # a floor that almost no run reaches, a yes/no fact on the wrong side in most runs
    sims["civilians"], sims["tarhuna"] = 150.0, [1.0] * 4 + [0.0] * 6
    assert predictive_check(sims, used)["poorly_reproduced"] == ["sirte", "tarhuna", "civilians"]


def test_the_predictive_check_keeps_a_count_every_run_reproduces_however_narrow(tmp_path):
    """'About 300' Syrian fighters (scale 60): runs that all give 290 sit outside their own
    central 90% but reproduce the record within its uncertainty, so the fit keeps it; runs
    that all give 150 do not."""
    from libyasim.calibrate import predictive_check

    day = dt.date(2019, 12, 29)
    used = load_observations(_write(tmp_path / "o.csv", [
        _row("syrians", "total", "foreign_fighters_gna_side", 300, day, day)]))
    near = predictive_check(pd.DataFrame({"syrians": [290.0] * 10}), used)
    assert near["observations"][0]["pit"] == 1.0 and near["observations"][0]["agree"] == 1.0
    assert near["poorly_reproduced"] == []
    far = predictive_check(pd.DataFrame({"syrians": [150.0] * 10}), used)
    assert far["poorly_reproduced"] == ["syrians"]


@pytest.mark.parametrize("marginalise", [False, True])
def test_rejection_is_the_same_whatever_the_workers(synthetic, tmp_path, marginalise):
    folder, rows = synthetic
    file = _write(folder / "reject2.csv", rows)
    _reject(tmp_path / "one", file, workers=1, rest_from_prior=marginalise)
    _reject(tmp_path / "two", file, workers=2, rest_from_prior=marginalise)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / POSTERIOR_FILE),
                                  pd.read_parquet(tmp_path / "two" / POSTERIOR_FILE))
    _reject(tmp_path / "other", file, seed=8)
    assert not pd.read_parquet(tmp_path / "one" / POSTERIOR_FILE).equals(
        pd.read_parquet(tmp_path / "other" / POSTERIOR_FILE))


def test_rejection_cli_bad_arguments_exit_2(synthetic, tmp_path, capsys):
    folder, rows = synthetic
    file = str(_write(folder / "reject4.csv", rows))
    common = ["calibrate", str(BASELINE), "--until", UNTIL.isoformat(), "--observations", file,
              "--params", PRIOR, "--method", "rejection", "--workers", "1", "--quiet"]
    code = cli.main([*common, "--draws", "10", "--keep", "20", "--out", str(tmp_path / "k")])
    err = capsys.readouterr().err
    assert code == 2 and "--keep 20" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "k" / POSTERIOR_FILE).exists()
    code = cli.main([*common, "--draws", "10", "--keep", "3", "--resume",
                     "--out", str(tmp_path / "k")])
    err = capsys.readouterr().err
    assert code == 2 and "--resume" in err and len(err.strip().splitlines()) == 1
    assert cli.main([*common, "--draws", "10", "--keep", "3", "--out", str(tmp_path / "k")]) == 0
    out = capsys.readouterr().out
    assert "kept the 3 nearest of 10 draws" in out
    judgment = PARAMS[PRIOR.partition("=")[0]].default  # each prior's median is printed
    assert f"median {judgment:g}  posterior median" in out
    code = cli.main([*common, "--draws", "10", "--keep", "3", "--out", str(tmp_path / "k")])
    assert code == 2 and "--force" in capsys.readouterr().err  # never overwritten unasked
    assert cli.main([*common, "--draws", "12", "--keep", "3", "--force",
                     "--out", str(tmp_path / "k")]) == 0
    assert json.loads((tmp_path / "k" / CALIBRATION_FILE).read_text())["draws"] == 12


def test_resume_continues_and_budget_stops(synthetic, tmp_path, capfd):
    folder, rows = synthetic
    file = _write(folder / "train3.csv", rows)
    first = _calibrate(tmp_path / "c", file, generations=3, budget=0.01, progress=True)
    assert first["generations"] == 1 and first["stopped_by"] == "budget"
    err = capfd.readouterr().err
    assert "INFO" not in err  # pyabc's own log lines are silenced ...
    assert "generation 1: epsilon" in err  # ... for one progress line per generation
    with pytest.raises(CalibrationError, match="--resume"):
        _calibrate(tmp_path / "c", file, generations=3)
    resumed = _calibrate(tmp_path / "c", file, generations=2, resume=True)
    assert resumed["generations"] == 2
    assert resumed["epsilon_schedule"][0] == first["epsilon_schedule"][0]
    with pytest.raises(CalibrationError, match="population"):
        _calibrate(tmp_path / "c", file, generations=3, population=31, resume=True)


def test_priors_from_the_registry():
    priors, skipped = priors_for()
    names = {p.name for p in priors}
    assert "truce.base_logit" in names
    base = next(p for p in priors if p.name == "truce.base_logit")
    assert (base.low, base.high) == PARAMS["truce.base_logit"].prior
    assert not any(n.startswith("scenario.") for n in names)
    assert all(p.low < p.high for p in priors)
    assert any("switch" in s or "no prior range" in s for s in skipped)
    with pytest.raises(CalibrationError, match="kind"):
        priors_for(["truce.enabled"])
    with pytest.raises(CalibrationError, match="registry range"):
        priors_for(["truce.base_logit=-20:0"])


def test_cli_bad_input_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\nx,total\n")
    code = cli.main(["calibrate", str(BASELINE), "--until", "2020-03-31", "--observations",
                     str(bad), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "row 1" in err and "Traceback" not in err
    code = cli.main(["calibrate", str(BASELINE), "--until", "2020-03-31", "--params",
                     "no.such", "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine")
    capsys.readouterr()
    code = cli.main(["calibrate", str(BASELINE), "--until", "2020-03-31", "--out", str(notes),
                     "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "notes.txt" in err and len(err.strip().splitlines()) == 1
    assert (notes / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------------------- parameter draws
def test_draws_follow_the_weights_and_the_seed(tmp_path):
    from libyasim.draws import from_posterior, from_prior

    posterior = pd.DataFrame({"truce.base_logit": [-3.0, -1.0, 0.5],
                              "truce.collapse_window_days": [10, 20, 30],
                              "weight": [0.0, 0.75, 0.25]})
    posterior.to_parquet(tmp_path / POSTERIOR_FILE)
    draws = from_posterior(tmp_path)
    table = draws.table(root_seed=11, runs=400)
    assert set(table["param:truce.base_logit"]) == {-1.0, 0.5}  # weight 0 is never drawn
    assert (table["param:truce.base_logit"] == -1.0).mean() == pytest.approx(0.75, abs=0.07)
    assert table["param:truce.collapse_window_days"].dtype.kind == "i"
    # draw i depends only on the root seed and i
    assert draws.table(11, 10).equals(table.head(10))
    assert draws.draw(11, 7) == table.iloc[7].drop("run").rename(lambda c: c[6:]).to_dict()
    assert not draws.table(12, 50).equals(table.head(50))
    prior = from_prior(["truce.base_logit", "truce.collapse_window_days"]).table(3, 200)
    low, high = PARAMS["truce.base_logit"].prior
    assert prior["param:truce.base_logit"].between(low, high).all()
    assert prior["param:truce.collapse_window_days"].dtype.kind == "i"


def test_a_posterior_can_draw_every_other_assumption_from_its_prior(tmp_path):
    """The full posterior predictive: the fitted parameters from the particles, every other
    assumption from its prior range (the fit's data could not narrow it)."""
    from libyasim.draws import from_posterior, from_prior

    pd.DataFrame({"truce.base_logit": [-3.0, -1.0], "weight": [0.5, 0.5]}).to_parquet(
        tmp_path / POSTERIOR_FILE)
    full = from_posterior(tmp_path, rest_from_prior=True)
    table = full.table(root_seed=4, runs=60)
    assert set(table["param:truce.base_logit"]) == {-3.0, -1.0}  # never from its prior
    assert full.names[0] == "truce.base_logit" and len(full.names) == len(from_prior().names)
    low, high = PARAMS["truce.spoiler_rate"].prior
    spoilers = table["param:truce.spoiler_rate"]
    assert spoilers.between(low, high).all() and spoilers.nunique() == 60
    assert full.describe()["kind"] == "posterior+prior"
    # the fitted values and the draws of a plain posterior are the same, run by run
    plain = from_posterior(tmp_path).table(root_seed=4, runs=60)
    assert list(plain["param:truce.base_logit"]) == list(table["param:truce.base_logit"])
    # `--prior` draws are one uniform number per assumption, in order, taken through the
    # prior's quantiles (`Prior.at`)
    from libyasim.draws import DRAW_STREAM

    prior = from_prior()
    rng = np.random.default_rng(np.random.SeedSequence([DRAW_STREAM, 4], spawn_key=(0,)))
    expected = {p.name: p.at(rng.uniform()) for p in prior.priors}
    drawn = prior.draw(4, 0)
    assert drawn.keys() == expected.keys()
    assert all(drawn[k] == pytest.approx(expected[k], rel=1e-12) for k in drawn)
    assert any(p.log for p in prior.priors)


def test_scenario_posterior_is_relative_to_its_file(tmp_path):
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "a.toml").write_text(f'[scenario]\nextends = "{BASELINE}"\n'
                                   'posterior = "posterior/a"\n')
    (tmp_path / "b.toml").write_text('[scenario]\nextends = "scen/a.toml"\n')
    for name in ("scen/a.toml", "b.toml"):
        scenario = load_scenario(tmp_path / name)
        assert scenario["scenario.posterior"] == str((folder / "posterior" / "a").resolve())


def test_runs_draw_from_a_posterior_reproducibly(tmp_path):
    from libyasim.ensemble import run_ensemble

    pd.DataFrame({"truce.base_logit": [-3.5, -0.5], "truce.spoiler_rate": [0.02, 0.25],
                  "weight": [0.5, 0.5]}).to_parquet(tmp_path / POSTERIOR_FILE)
    short = tmp_path / "short.toml"
    short.write_text(f'[scenario]\nextends = "{BASELINE}"\nhorizon_days = 30\n'
                     f'posterior = "{tmp_path}"\n')
    scenario = load_scenario(short)
    one = run_ensemble(scenario, tmp_path / "one", runs=8, seed=5, workers=1, progress=False)
    two = run_ensemble(scenario, tmp_path / "two", runs=8, seed=5, workers=2, chunk_size=3,
                       progress=False)
    a, b = (pd.read_parquet(d / "runs.parquet") for d in (one, two))
    pd.testing.assert_frame_equal(a, b)
    assert set(a["param:truce.base_logit"]) == {-3.5, -0.5}
    manifest = json.loads((one / "manifest.json").read_text())
    assert manifest["draws"]["kind"] == "posterior"
    # the manifest identifies the draws by a digest of the values runs.parquet holds
    from libyasim.draws import digest

    drawn = [tuple((k[6:], row[k]) for k in a.columns if k.startswith("param:"))
             for _, row in a.iterrows()]
    assert manifest["draws"]["values_sha256"] == digest(drawn)
    other_seed = run_ensemble(scenario, tmp_path / "seed6", runs=8, seed=6, workers=1,
                              progress=False)
    assert json.loads((other_seed / "manifest.json").read_text())["draws"][
        "values_sha256"] != manifest["draws"]["values_sha256"]
    # the draws change the runs: the two particles give different violation counts on average
    by = a.groupby("param:truce.base_logit")["violations_total"].mean()
    assert by[-0.5] > by[-3.5]
    # a counterfactual that sets a drawn parameter keeps its own value; runs keep their draws
    fixed = tmp_path / "fixed.toml"
    fixed.write_text(f'[scenario]\nextends = "{short}"\n[truce]\nspoiler_rate = 0.1\n')
    other = run_ensemble(load_scenario(fixed), tmp_path / "fixed", runs=8, seed=5, workers=1,
                         progress=False)
    c = pd.read_parquet(other / "runs.parquet")
    assert "param:truce.spoiler_rate" not in c
    assert list(c["param:truce.base_logit"]) == list(a["param:truce.base_logit"])
    assert list(c["seed"]) == list(a["seed"])  # common random numbers
    none = run_ensemble(scenario, tmp_path / "none", runs=4, seed=5, workers=1, progress=False,
                        draws=None)
    assert not any(col.startswith("param:") for col in pd.read_parquet(none / "runs.parquet"))


def test_sensitivity_ranges_can_be_the_priors():
    from libyasim.draws import prior_ranges
    from libyasim.sweep import parse_param

    assert parse_param("truce.base_logit") == ("truce.base_logit",
                                               prior_ranges(["truce.base_logit"])["truce.base_logit"])
    assert parse_param("truce.base_logit=-1:0") == ("truce.base_logit", (-1.0, 0.0))


def test_many_parameters_stay_in_their_prior_ranges(synthetic, tmp_path):
    folder, rows = synthetic
    names = [p.name for p in priors_for()[0] if p.name.startswith(("truce.", "combat."))][:14]
    summary = _calibrate(tmp_path / "many", _write(folder / "many.csv", rows), params=names,
                         population=12, generations=2)
    assert "logit" in summary["method"]
    posterior = pd.read_parquet(tmp_path / "many" / POSTERIOR_FILE)
    for prior in priors_for(names)[0]:
        assert posterior[prior.name].between(prior.low, prior.high).all(), prior.name


def test_a_log_prior_spreads_its_draws_evenly_over_the_orders_of_magnitude():
    """`economy.blockade_rate` (a daily chance, judged only to its order of magnitude) is
    drawn uniformly in its logarithm on each side of its judgment (0.03), by the fit's Latin
    hypercube and by `--prior` alike: a quarter of the draws in each decade from 0.0003 to
    0.03 and half from 0.03 to 0.3, where a plain uniform prior would put 90% above 0.03."""
    from libyasim.calibrate import prior_design, priors_for
    from libyasim.draws import from_prior

    [rate] = priors_for(["economy.blockade_rate"])[0]
    assert rate.log and (rate.low, rate.high, rate.median) == (0.0003, 0.3, 0.03)
    assert rate.at(0.25) == pytest.approx(0.003) and rate.at(0.5) == pytest.approx(0.03)
    for values in ([d["economy.blockade_rate"] for d in prior_design([rate], 3000, 1)],
                   [from_prior([rate.name]).draw(5, i)[rate.name] for i in range(3000)]):
        decades = np.histogram(np.log10(values), bins=[-3.53, -2.52, -1.52, -0.52])[0]
        assert np.all(np.abs(decades / 3000 - [0.25, 0.25, 0.5]) < 0.04), decades
    assert "economy.blockade_rate" in from_prior().describe()["log_priors"]  # the manifest
    assert from_prior().describe()["prior_medians"]["economy.blockade_rate"] == 0.03


def test_every_prior_has_its_judgment_as_its_median():
    """The registry's value of a drawn assumption is the modeller's median: half the draws
    fall below it and half above, uniform on each side (in the logarithm for a `log_prior`
    range), so a judgment near the low end of a range from 0 is not drawn mostly above
    itself; a judgment at a bound ("none, or at most ...") leaves the range uniform."""
    from libyasim.calibrate import prior_design, priors_for

    priors = priors_for()[0]
    inside = [p for p in priors if p.median is not None]
    assert len(inside) > 150
    design = pd.DataFrame(prior_design(priors, 2000, 3))
    for p in inside:
        below, at_most = (design[p.name] < p.median).mean(), (design[p.name] <= p.median).mean()
        if p.integer:  # rounded: the judgment is still a median
            assert below <= 0.5 <= at_most, p.name
        else:
            assert below == pytest.approx(0.5, abs=0.03), p.name
        assert p.at(0.5) == pytest.approx(PARAMS[p.name].default), p.name
    # the mediators' political track: 0.01 of 0 to 0.3, drawn uniformly its median was 0.15
    [track] = priors_for(["mediation.political_rate"])[0]
    assert np.median(design["mediation.political_rate"]) == pytest.approx(0.01, rel=0.05)
    assert track.at(0.25) == pytest.approx(0.005) and track.at(0.75) == pytest.approx(0.155)
    # a judgment at a bound: uniform over the range
    [none] = priors_for(["arms.embargo.sea"])[0]
    assert none.median is None and none.at(0.5) == pytest.approx(0.1)
    # a narrowed range that leaves the judgment out is uniform over itself
    [narrow] = priors_for(["mediation.political_rate=0.1:0.3"])[0]
    assert narrow.median is None and narrow.at(0.5) == pytest.approx(0.2)


def test_the_forecast_draws_the_judgments_its_scenario_names_but_does_not_set():
    """The baseline (the forecast of 10 January 2020) and the situation files that extend it
    name the mediators' leverage, the embargo's enforcement and Turkey's flow of 2020 as
    judgments without setting them, so every run draws them (a value set in the file would
    hold every run at it); Turkey's flow is drawn uniformly in its logarithm, so that its
    median is the registry's judgment."""
    from libyasim.draws import from_prior, run_values

    judged = {"mediation.russia_turkey.leverage", "mediation.berlin.leverage",
              "arms.embargo_enforcement", "arms.turkey.volume"}
    for name in ("baseline.toml", "situation_2020-03-31.toml", "situation_2020-06-30.toml"):
        scenario = load_scenario(BASELINE.parent / name)
        assert not judged & set(scenario.overrides), name
        assert judged <= dict(run_values(from_prior(), scenario, 7, 0)).keys(), name
    volumes = [from_prior(["arms.turkey.volume"]).draw(3, i)["arms.turkey.volume"]
               for i in range(2000)]
    assert np.median(volumes) == pytest.approx(PARAMS["arms.turkey.volume"].default, rel=0.1)


def test_a_marginalised_posterior_draws_the_rest_from_the_priors(tmp_path):
    """A fit that marginalised what it did not fit says so in calibration.json; every run
    drawing from it (`run`, the scenario's own posterior, a forecast) then takes the
    assumptions its particles do not hold from their priors, as the fit did."""
    from libyasim.draws import from_posterior

    pd.DataFrame({"truce.base_logit": [-3.0, -1.0], "weight": [0.5, 0.5]}).to_parquet(
        tmp_path / POSTERIOR_FILE)
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"cutoff": "2020-01-10",
                                                         "marginalised": []}))
    assert from_posterior(tmp_path).kind == "posterior"
    (tmp_path / CALIBRATION_FILE).write_text(json.dumps({"cutoff": "2020-01-10",
                                                         "marginalised": ["truce.forgiveness"]}))
    drawn = from_posterior(tmp_path / POSTERIOR_FILE)
    assert drawn.kind == "posterior+prior"
    assert drawn.table(root_seed=3, runs=20)["param:truce.spoiler_rate"].nunique() == 20
