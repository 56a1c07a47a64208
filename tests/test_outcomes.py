"""The outcome registry: the one list of outcomes, matching what the model produces and the
README's table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from libyasim import outcomes
from libyasim.model import SERIES_CATEGORIES, SERIES_COLUMNS, simulate
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_readme_outcome_table_is_generated_from_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- outcome table:")
    block = readme[readme.index("\n", start) + 1:readme.index("<!-- end of outcome table -->")]
    assert block.strip() == outcomes.outcome_table_markdown().strip(), (
        "README's outcome table is out of date: paste `python -m libyasim.outcomes` into it")


def test_registry_covers_every_outcome_of_the_model(short):
    result, series = simulate(load_scenario(short), 1)
    assert set(result) == set(outcomes.OUTCOMES)
    for name, value in result.items():
        o = outcomes.OUTCOMES[name]
        if value is None:
            assert o.kind in ("day", "duration"), name
        elif o.kind == "category":
            assert value in o.categories, name
        elif o.kind == "event":
            assert isinstance(value, bool), name
    assert series.shape[1] == len(SERIES_COLUMNS)
    for column, labels in SERIES_CATEGORIES.items():
        codes = series[:, SERIES_COLUMNS.index(column)]
        assert set(np.unique(codes)) <= set(range(len(labels))), column


def test_truce_days_count_from_the_start_and_no_truce_is_left_out():
    runs = pd.DataFrame({"run": [0, 1, 2], "truce_declared": [True, True, False],
                         "truce_start_day": pd.array([80, 80, None], dtype="Int64"),
                         "truce_days": pd.array([12, None, None], dtype="Int64")})
    d = outcomes.durations(runs, horizon=100)
    assert d["run"].tolist() == [0, 1]
    assert d["days"].tolist() == [12.0, 20.0] and d["collapsed"].tolist() == [True, False]
    values = outcomes.values(runs, "truce_days", 100)
    assert values.iloc[:2].tolist() == [12.0, 20.0] and np.isnan(values.iloc[2])


def test_truce_outcomes_apply_only_where_a_truce_is_called():
    with_truce = {"truce.enabled": True, "truce.start": "2020-01-12",
                  "scenario.start_date": "2020-01-10", "scenario.horizon_days": 365}
    assert outcomes.get("truce_days").applies_to(with_truce)
    assert not outcomes.get("truce_days").applies_to({**with_truce, "truce.enabled": False})
    assert not outcomes.get("truce_days").applies_to({**with_truce, "truce.start": "2021-02-01"})
    assert outcomes.get("battle_deaths").applies_to({**with_truce, "truce.enabled": False})


def test_unknown_outcomes_are_named():
    with pytest.raises(KeyError, match="unknown outcome 'battle_death'"):
        outcomes.get("battle_death")
    assert outcomes.label("end_state=truce_holds").endswith("Truce holds")
    assert outcomes.label("conflict_deaths") == "conflict deaths (people)"
