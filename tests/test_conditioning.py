"""Conditioning an ensemble on what was known at a forecast origin (synthetic runs)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from libyasim.calibrate import DATE_CAP

from libyasim.conditioning import condition, map_at
from libyasim.observations import COLUMNS, SeriesView, load_observations

DAY0 = dt.date(2020, 1, 10)
LABELS = {"holder_sirte": ("gna", "lna", "unaligned", "contested"), "civilian_deaths": None}
RUNS, DAYS = 10, 40


def _day(n):
    return (DAY0 + dt.timedelta(days=n)).isoformat()


def _view():
    """Runs 0-4 see the GNA take Sirte on day 5; runs 5-9 never. Run i has i deaths a day."""
    holder = np.ones((RUNS, DAYS))  # lna
    holder[:5, 5:] = 0  # gna from day 5
    deaths = np.repeat(np.arange(RUNS, dtype=float)[:, None], DAYS, axis=1)
    return SeriesView({"holder_sirte": holder, "civilian_deaths": deaths}, DAY0, LABELS)


def _records(tmp_path, rows):
    frame = pd.DataFrame([[*r, "synthetic"] for r in rows], columns=list(COLUMNS))
    frame.to_csv(tmp_path / "obs.csv", index=False)
    return load_observations(tmp_path / "obs.csv", columns=LABELS)


CAPTURE = ["gna_takes_sirte", "first_day", "holder_sirte", "gna", _day(5), "", "", _day(0),
           _day(39), _day(5)]


def test_the_known_map_filters_runs_that_contradict_it(tmp_path):
    view, records = _view(), _records(tmp_path, [CAPTURE])
    origin = DAY0 + dt.timedelta(days=10)
    assert map_at("holder_sirte", view, records, origin) == 0.0  # gna since day 5
    strict = condition(view, records, origin, map_mismatch=0.0)
    assert strict.kept == 5 and strict.ess == pytest.approx(5.0)
    assert set(np.flatnonzero(strict.weights)) == {0, 1, 2, 3, 4}
    # the capture's date weighs in too: a run that never saw it is as far off as one
    # DATE_CAP scales late (a Gaussian of 14 days' spread), on top of its wrong map, however
    # near the origin the capture was (here 6 days before it)
    dated = condition(view, records, origin)
    assert dated.kept == 10
    assert dated.weights[9] / dated.weights[0] == pytest.approx(0.05 * np.exp(-0.5 * DATE_CAP ** 2))
    # with no fact but the day-0 map (LNA), a wrong place keeps a little weight
    soft = condition(view, [], origin)
    assert soft.kept == 10 and 5 < soft.ess < 6
    assert soft.weights[0] == pytest.approx(soft.weights[9] * 0.05)
    # before day 5 the record still had Sirte with the LNA: the other runs are the right ones
    early = condition(view, records, DAY0 + dt.timedelta(days=3), map_mismatch=0.0)
    assert early.kept == 10


def test_counts_reweight_and_floors_only_penalise_runs_below(tmp_path):
    view = _view()
    exact = ["deaths", "total", "civilian_deaths", "", 50, "", "", _day(0), _day(9), _day(9)]
    floor = ["deaths_floor", "total", "civilian_deaths", "", 50, 50, "", _day(0), _day(9),
             _day(9)]
    origin = DAY0 + dt.timedelta(days=10)
    weighted = condition(view, _records(tmp_path, [exact]), origin, map_columns=[])
    assert np.argmax(weighted.weights) == 5  # 5 a day for 10 days: 50
    assert weighted.weights[5] > weighted.weights[3] > weighted.weights[0]
    floored = condition(view, _records(tmp_path, [floor]), origin, map_columns=[])
    assert floored.weights[9] == pytest.approx(floored.weights[5])  # 90 and 50 both agree
    assert floored.weights[9] > floored.weights[3]


def test_a_later_observation_changes_nothing(tmp_path):
    """Hold-out: a fact published after the origin must not move a single weight."""
    view = _view()
    origin = DAY0 + dt.timedelta(days=10)
    before = condition(view, _records(tmp_path, [CAPTURE]), origin)
    planted = [CAPTURE,
               ["late_news", "total", "civilian_deaths", "", 5000, "", "", _day(0), _day(9),
                _day(30)],  # window before the origin, published after it
               ["after", "state", "holder_sirte", "lna", 1, "", "", "", _day(20), _day(20)]]
    after = condition(view, _records(tmp_path, planted), origin)
    assert np.array_equal(before.weights, after.weights) and before.facts == after.facts


def test_resampling_follows_the_weights_reproducibly(tmp_path):
    view, records = _view(), _records(tmp_path, [CAPTURE])
    conditioned = condition(view, records, DAY0 + dt.timedelta(days=10), map_mismatch=0.0)
    picks = conditioned.resample(seed=1)
    assert len(picks) == RUNS and set(picks) <= {0, 1, 2, 3, 4}
    assert np.array_equal(picks, conditioned.resample(seed=1))
    resampled = view.take(picks)
    assert resampled.runs == RUNS and np.all(resampled.column("holder_sirte")[:, 10] == 0)
    summary = conditioned.summary()
    assert summary["kept"] == 5 and summary["contradicted"] == {
        f"holder_sirte = gna on {_day(10)}": 5}


def test_no_run_left_and_an_origin_outside_the_runs(tmp_path):
    view = _view()
    never = ["never_lna", "occurs", "holder_sirte", "lna", 0, "", "", _day(0), _day(9), _day(9)]
    none_left = condition(view, _records(tmp_path, [never]), DAY0 + dt.timedelta(days=10))
    assert none_left.kept == 0 and none_left.ess == 0.0
    with pytest.raises(ValueError, match="no run is consistent"):
        none_left.resample()
    with pytest.raises(ValueError, match="outside the runs"):
        condition(view, [], DAY0 + dt.timedelta(days=100))
