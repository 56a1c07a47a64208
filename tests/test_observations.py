"""Observations files: the shipped facts, clear errors for bad files, the runs' statistics."""

import datetime as dt

import numpy as np
import pytest

from libyasim.observations import (
    COLUMNS,
    KINDS,
    ObservationError,
    SeriesView,
    load_observations,
    statistic,
    why_not_computable,
)

HEADER = ",".join(COLUMNS)
GOOD = "deaths,total,civilian_deaths,,64,64,,2020-01-01,2020-03-31,2020-05-01,UNSMIL"
LABELS = {"civilian_deaths": None, "violations": None, "truce_state": ("none", "holding",
          "broken", "settled"), "holder_sirte": ("gna", "lna", "unaligned", "contested")}


def _file(tmp_path, *rows, header=HEADER):
    path = tmp_path / "obs.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_shipped_observations_are_sourced_and_dated():
    rows = load_observations()
    assert len(rows) >= 15
    assert {r.kind for r in rows} == set(KINDS)
    for r in rows:
        assert r.source and r.known_on >= dt.date(2019, 4, 4)
        assert r.start <= r.end and r.known_on >= r.start
    ceasefire = next(r for r in rows if r.column == "truce_state" and r.equals == "settled")
    assert ceasefire.value == dt.date(2020, 10, 23)


@pytest.mark.parametrize("row, where", [
    ("x,totals,civilian_deaths,,1,,,2020-01-01,2020-01-31,2020-02-01,s", "column kind"),
    ("x,total,civilian_death,,1,,,2020-01-01,2020-01-31,2020-02-01,s", "column column"),
    ("x,total,civilian_deaths,,1,,,2020-01-01,2020-31-01,2020-02-01,s", "column end"),
    ("x,total,civilian_deaths,,many,,,2020-01-01,2020-01-31,2020-02-01,s", "column value"),
    ("x,state,holder_sirte,,1,,,,2020-12-31,2021-01-01,s", "column equals"),
    ("x,state,holder_sirte,turkey,1,,,,2020-12-31,2021-01-01,s", "column equals"),
    ("x,occurs,holder_sirte,gna,2,,,2020-01-01,2020-12-31,2021-01-01,s", "column value"),
    ("x,first_day,holder_sirte,gna,2021-02-01,,,2020-01-01,2020-12-31,2021-01-01,s",
     "column value"),
    ("x,total,civilian_deaths,,10,12,,2020-01-01,2020-01-31,2020-02-01,s", "column low"),
    ("x,total,civilian_deaths,,10,,,2020-02-01,2020-01-31,2020-02-01,s", "column start"),
    ("x,total,civilian_deaths,,10,,,2020-01-01,2020-01-31,,s", "column known_on"),
    ("x,total,civilian_deaths,,10,,,2020-01-01,2020-01-31,2020-02-01", "fields"),
])
def test_a_bad_row_is_named_with_its_column(tmp_path, row, where):
    path = _file(tmp_path, GOOD, row)
    with pytest.raises(ObservationError) as err:
        load_observations(path, LABELS)
    text = str(err.value)
    assert str(path) in text and "row 3" in text and where in text
    assert "\n" not in text


def test_header_and_duplicates(tmp_path):
    with pytest.raises(ObservationError, match="row 1.*missing source"):
        load_observations(_file(tmp_path, header=HEADER.replace(",source", "")), LABELS)
    with pytest.raises(ObservationError, match="row 3, column name.*twice"):
        load_observations(_file(tmp_path, GOOD, GOOD), LABELS)
    with pytest.raises(ObservationError, match="not found"):
        load_observations(tmp_path / "none.csv", LABELS)


def _view(days=10):
    deaths = np.array([[1.0] * days, [2.0] * days])
    truce = np.array([[0, 1, 1, 2, 2, 2, 3, 3, 3, 3], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]])[:, :days]
    return SeriesView({"civilian_deaths": deaths, "truce_state": truce.astype(float)},
                      dt.date(2020, 1, 10), LABELS)


def _obs(tmp_path, row):
    return load_observations(_file(tmp_path, row), LABELS)[0]


def test_statistics_of_each_kind(tmp_path):
    view = _view()
    total = _obs(tmp_path, "t,total,civilian_deaths,,5,,,2020-01-11,2020-01-15,2020-02-01,s")
    assert list(statistic(total, view)) == [5.0, 10.0]
    # a window starting 2 days before day 0 (80% inside): scaled up to its length
    early = _obs(tmp_path, "t,total,civilian_deaths,,5,,,2020-01-08,2020-01-17,2020-02-01,s")
    assert why_not_computable(early, view) is None
    assert list(statistic(early, view)) == [10.0, 20.0]
    too_early = _obs(tmp_path, "t,total,civilian_deaths,,5,,,2020-01-05,2020-01-14,2020-02-01,s")
    assert "only 5 of its 10 days" in why_not_computable(too_early, view)
    first = _obs(tmp_path, "f,first_day,truce_state,broken,2020-01-14,,,2020-01-11,2020-01-19,"
                 "2020-02-01,s")
    assert list(statistic(first, view)) == [2.0, 9.0]  # 9 = never in the window of 9 days
    state = _obs(tmp_path, "s,state,truce_state,settled,1,,,,2020-01-19,2020-02-01,s")
    assert list(statistic(state, view)) == [1.0, 0.0]
    occurs = _obs(tmp_path, "o,occurs,truce_state,broken,1,,,2020-01-10,2020-01-12,2020-02-01,s")
    assert list(statistic(occurs, view)) == [0.0, 0.0]
    late = _obs(tmp_path, "s,state,truce_state,settled,1,,,,2020-02-19,2020-02-01,s")
    assert "ends after" in why_not_computable(late, view)


def test_floors_and_the_2019_record():
    rows = {r.name: r for r in load_observations()}
    assert rows["who_deaths_2019_apr17"].floor  # "at least 205"
    assert not rows["who_deaths_2019_may08"].floor  # 443, as WHO gave it
    assert not rows["gna_retakes_gharyan"].floor  # only counts can be floors
    known_by_article = [r for r in rows.values()
                        if r.known_on <= dt.date(2020, 1, 10) and r.end <= dt.date(2020, 1, 10)]
    assert len(known_by_article) >= 10
    assert rows["gna_retakes_gharyan"].value == dt.date(2019, 6, 26)


def test_the_2019_war_ends_on_the_map_the_2020_scenarios_start_from():
    """The `map_2020_*` rows ask the 2019 war to end on the map of 10 January 2020: each
    names the holder the 2020 scenarios give the place on day 0 (the southern front: not the
    GNA side alone, since it is contested), dated the 2019 war's last day, known by then."""
    from libyasim.geography import PLACES
    from libyasim.model.config import SIDE_OF
    from libyasim.model.state import HOLDER_LABELS

    rows = {r.name: r for r in load_observations() if r.name.startswith("map_2020_")}
    assert len(rows) == 13
    for place in PLACES:
        row = rows.get(f"map_2020_{place.key}")
        if row is None:
            continue
        assert row.kind == "state" and row.column == f"holder_{place.key}"
        assert row.end == row.known_on == dt.date(2020, 1, 9)
        if place.contested:
            assert (row.equals, row.value) == ("gna", 0)
        else:
            assert (row.equals, row.value) == (HOLDER_LABELS[SIDE_OF[place.holder]], 1)


def test_calibration_reads_nothing_published_after_its_cutoff(tmp_path):
    """Hold-out: planting later rows leaves a calibration's training set unchanged."""
    from libyasim.calibrate import training_set
    from libyasim.scenario import load_scenario

    scenario = load_scenario(__import__("pathlib").Path(__file__).resolve().parents[1]
                             / "scenarios" / "tripoli_offensive_2019.toml")
    until = dt.date(2020, 1, 10)
    shipped = load_observations()
    used, _ = training_set(shipped, scenario, until)
    planted = _file(tmp_path, GOOD.replace("deaths,", "late,", 1).replace(
        "2020-01-01,2020-03-31,2020-05-01", "2019-05-01,2019-05-31,2020-01-11"),
        "later,total,civilian_deaths,,999,,,2019-12-01,2020-01-20,2020-01-21,s")
    more = shipped + load_observations(planted)
    used_with_planted, left = training_set(more, scenario, until)
    assert [o.name for o in used_with_planted] == [o.name for o in used]
    reasons = {item["name"]: item["reason"] for item in left}
    assert "published 2020-01-11" in reasons["late"] and "ends after" in reasons["later"]
    assert {o.name for o in used} >= {"who_deaths_2019_may08", "gna_retakes_gharyan"}


def test_floors_are_censored_for_fitting(tmp_path):
    from libyasim.calibrate import Simulator, priors_for
    from libyasim.observations import censor
    from libyasim.scenario import load_scenario

    floor, exact = load_observations(_file(
        tmp_path, "floor,total,violations,,1,1,,2020-01-12,2020-01-30,2020-01-31,s",
        "exact,total,violations,,1,,,2020-01-12,2020-01-30,2020-01-31,s"))
    assert list(censor(floor, np.array([0.0, 1.0, 90.0]))) == [0.0, 1.0, 1.0]
    assert list(censor(exact, np.array([0.0, 90.0]))) == [0.0, 90.0]
    scenario = load_scenario(__import__("pathlib").Path(__file__).resolve().parents[1]
                             / "scenarios" / "baseline.toml")
    priors, _ = priors_for(["truce.base_logit"])
    simulator = Simulator(scenario, priors, [floor, exact], dt.date(2020, 1, 31))
    np.random.seed(4)
    fitted = simulator({"truce.base_logit": 3.0})  # a truce that is violated often
    assert fitted["exact"] > 1 and fitted["floor"] == 1.0  # above the floor: as good as it
