"""Headline numbers that hold still: each outcome by the statistic that fits its kind, censored
truces never averaged as observed, an unstable median flagged, one rounding rule for shares,
comparisons that say when they are not like for like."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import libyasim as ly
from libyasim import analysis, comparison
from libyasim.outcomes import key_outcomes
from variants import baseline_variant



def _durations(days, collapsed, window=100) -> pd.DataFrame:
    return pd.DataFrame({"run": range(len(days)), "days": np.asarray(days, float),
                         "collapsed": np.asarray(collapsed, bool),
                         "window": float(window)})


def test_restricted_mean_without_censoring_is_the_plain_mean():
    days = [0, 3, 10, 40, 99]
    mean, low, high = analysis.restricted_mean(_durations(days, [True] * 5), 100)
    assert mean == pytest.approx(np.mean(days))
    assert low < mean < high


def test_a_censored_truce_is_never_averaged_as_if_it_had_ended():
    # two truces held to the end of a 100-day window; three collapsed early
    d = _durations([2, 4, 6, 100, 100], [True, True, True, False, False])
    mean = analysis.restricted_mean(d, 100)[0]
    assert mean == pytest.approx((2 + 4 + 6 + 100 + 100) / 5)  # followed for their window
    later = analysis.restricted_mean(d, 150)[0]  # the curve stays at 0.4 after day 100 ...
    assert later == pytest.approx(mean + 0.4 * 50)  # ... never dropping the censored as ended


def test_a_flat_curve_near_one_half_flags_the_median_as_unstable():
    # half collapse on day 1, the rest on days 30..40: survival sits at 0.5 for a month
    unstable = _durations([1] * 10 + list(range(30, 40)), [True] * 20)
    assert analysis.flat_near_half(analysis.truce_survival(unstable)) is not None
    steady = _durations(list(range(0, 40, 2)), [True] * 20)
    assert analysis.flat_near_half(analysis.truce_survival(steady)) is None


@pytest.mark.parametrize("share, text", [(0.0, "0%"), (0.004, "<1%"), (0.005, "<1%"),
                                         (0.345, "34%"), (0.99, "99%"), (0.996, ">99%"),
                                         (1.0, "100%"), (np.nan, "\u2014")])
def test_one_rounding_rule_for_shares(share, text):
    assert analysis.percent(share) == text


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    path = baseline_variant(folder, "small", horizon=20, runs=6)
    short = baseline_variant(folder, "short", horizon=12, runs=6)
    return (ly.run(path, out=folder / "r-small", workers=1),
            ly.run(short, out=folder / "r-short", workers=1))


def test_yes_no_outcomes_are_shares_with_wilson_intervals_never_medians(small):
    table = small[0].table("summary")
    events = [o.name for o in key_outcomes() if o.kind in ("event", "day") and o.name in table.index]
    assert events
    for name in events:
        row = table.loc[name]
        assert row["statistic"] == "share of runs" and row["unit"] == "share of runs"
        assert 0 <= row["low"] <= row["value"] <= row["high"] <= 1
        assert np.isnan(row["mean"]) and np.isnan(row["p05"])
    truce = table.loc["truce_days"]
    assert truce["statistic"] == "Kaplan-Meier median" and np.isnan(truce["mean"])
    assert "restricted mean" in table.loc["truce_days_restricted_mean", "statistic"]


def test_a_comparison_of_different_horizons_says_so(small, capsys):
    warned = comparison.like_for_like(list(small))
    assert len(warned) == 1 and "different horizons" in warned[0] and "20 days" in warned[0]
    assert comparison.like_for_like([small[0], small[0]]) == []
    with pytest.warns(UserWarning, match="different horizons"):
        ly.differences(list(small), n_resamples=50)


def test_results_show_in_one_line(small):
    text = repr(small[0])
    assert "\n" not in text and "runs=6" in text and len(text) < 200


def test_the_report_holds_no_absolute_local_path(small, monkeypatch):
    from libyasim.report import write_report

    monkeypatch.chdir(small[0].path.parent)
    page = write_report(small[0].path.name).read_text()
    assert str(small[0].path.parent) not in page and str(Path.home()) + "/" not in page


def test_a_validation_of_other_runs_is_left_out_of_the_report(small):
    from libyasim.report import validation_belongs

    folder = small[0].path
    (folder / "validation.json").write_text('{"scenario": "baseline", "runs": 200}')
    try:
        assert not validation_belongs(folder, small[0])
        (folder / "validation.json").write_text('{"scenario": "small", "runs": 6}')
        assert validation_belongs(folder, small[0])
    finally:
        (folder / "validation.json").unlink()


def test_two_results_of_the_same_name_stay_apart(small):
    twins = [small[0], replace(small[1], name="small")]
    assert len(ly.outcome_means(twins).columns) == 3  # unit + two scenarios


def test_seven_scenarios_of_fan_charts_stay_readable_and_end_at_the_horizon(small):
    import datetime as dt

    import matplotlib.dates as mdates

    from libyasim import plots

    seven = [replace(small[0], name=f"scenario {i}") for i in range(7)]
    fig = plots.compare_fan_figure(seven)
    assert fig.get_size_inches()[0] * 120 <= 2100  # pixels as saved (dpi 120)
    last = mdates.num2date(fig.axes[0].get_xlim()[1]).date()
    assert last == small[0].start + dt.timedelta(days=small[0].horizon)


def test_a_rare_holder_is_never_shown_as_zero_percent():
    from libyasim import maps

    key = maps.PLACES[0].key
    text = maps._label_text(key, {key: {"gna": 0.995, "contested": 0.005}})
    assert "contested <1%" in text and "GNA >99%" in text


def test_a_truce_on_the_last_day_draws_without_warnings(recwarn):
    from libyasim import plots

    surv = analysis.truce_survival(_durations([0, 0], [False, False], window=0))
    truce = pd.Series({**analysis.TRUCE_EMPTY, "runs": 2, "truce_runs": 2, "truce_window": 0,
                       "truce_collapsed": 0.0, "median_unstable": False})
    plots.survival_figure(surv, truce, "last day")
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_an_interrupted_compare_says_how_to_resume(tmp_path, monkeypatch, capsys):
    from libyasim import comparison as compare
    from libyasim.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(compare, "run_comparison", interrupted)
    a = baseline_variant(tmp_path, "a")
    b = baseline_variant(tmp_path, "b")
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c"), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "the same command" in err and "reuses them" in err
