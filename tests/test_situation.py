"""A scenario can start from a later situation (a truce already broken, the terminals already
closed, the map of that day); a forecast issued from such a file starts there, unconditioned;
`validate` scores forecasts issued on different days in one skill table."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from libyasim import cli
from libyasim.forecast import FORECAST_FILE, forecast
from libyasim.model import simulate
from libyasim.model.records import SERIES_COLUMNS
from libyasim.model.state import HOLDER_LABELS
from libyasim.model.state import BROKEN, HOLDING, NONE
from libyasim.observations import COLUMNS
from libyasim.scenario import ScenarioError, load_scenario
from libyasim.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SITUATIONS = sorted((ROOT / "scenarios").glob("situation_*.toml"))
POSTERIOR = ROOT / "scenarios" / "posterior" / "forecast_2020-01-10"
COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}
LNA = HOLDER_LABELS.index("lna")


def _day0(path, **overrides):
    """Day 0's row and the whole series of one run."""
    scenario = load_scenario(path)
    if overrides:
        scenario = scenario.with_overrides(overrides, source="test")
    _, series = simulate(scenario, 11)
    return series[0], series


def test_shipped_situations_start_on_their_origin_with_nothing_published_later():
    assert [p.stem for p in SITUATIONS] == ["situation_2020-03-31", "situation_2020-06-30"]
    for path in SITUATIONS:
        s = load_scenario(path)
        origin = dt.date.fromisoformat(path.stem.split("_")[1])
        assert s["scenario.start_date"] == s["scenario.information_cutoff"] == origin
        assert cli.main(["check", str(path)]) == 0
        # the mechanisms and their posterior are the baseline's: only the situation differs
        assert s["scenario.posterior"] == load_scenario(ROOT / "scenarios" /
                                                        "baseline.toml")["scenario.posterior"]


@pytest.mark.parametrize("path", SITUATIONS, ids=lambda p: p.stem)
def test_a_situation_starts_with_the_truce_broken_and_the_terminals_closed(path):
    day0, series = _day0(path)
    assert day0[COL["truce_state"]] == BROKEN
    assert day0[COL["oil_blockade"]] == 1
    assert day0[COL["gna_funds"]] < 1.0          # the months of closure have cost Tripoli
    assert (series[:, COL["forces_gna"]] >= 0).all() and (series[:, COL["forces_lna"]] >= 0).all()
    shares = series[:, [COL[c] for c in ("control_gna", "control_lna", "control_unaligned",
                                         "control_contested")]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0, atol=1e-9)


def test_the_longer_the_terminals_were_closed_the_poorer_tripoli_starts():
    base = ROOT / "scenarios" / "situation_2020-03-31.toml"
    funds = [_day0(base, **{"economy.blockade.days_closed": d})[0][COL["gna_funds"]]
             for d in (0, 30, 164)]
    assert funds[0] == 1.0 and funds[0] > funds[1] > funds[2]
    open_day0, _ = _day0(base, **{"economy.blockade.days_closed": 0})
    assert open_day0[COL["oil_blockade"]] == 0


def test_a_truce_declared_before_day_0_holds_or_is_broken_as_the_file_says():
    base = ROOT / "scenarios" / "situation_2020-03-31.toml"
    holding, _ = _day0(base, **{"truce.on_day0": "holding"})
    assert holding[COL["truce_state"]] == HOLDING
    baseline, _ = _day0(ROOT / "scenarios" / "baseline.toml")
    assert baseline[COL["truce_state"]] == NONE  # called for 12 January, not yet in force


def test_a_truce_in_force_on_day_0_must_have_been_declared_before_it(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nextends = "%s"\n[truce]\non_day0 = "broken"\n'
                   % (ROOT / "scenarios" / "baseline.toml").as_posix())
    with pytest.raises(ScenarioError):
        load_scenario(bad)
    assert cli.main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "truce.on_day0" in err and "before scenario.start_date" in err


@pytest.fixture(scope="module")
def forecasts(tmp_path_factory):
    """Two short forecasts: one issued from the baseline's day 0, one from the situation of 31
    March (a shortened copy), each with its own observations after the origin."""
    folder = tmp_path_factory.mktemp("situations")
    made = {}
    for name, path in (("jan", ROOT / "scenarios" / "baseline.toml"), ("mar", SITUATIONS[0])):
        short = folder / f"{name}.toml"
        short.write_text(f'[scenario]\nextends = "{path.as_posix()}"\nname = "{name}"\n'
                         'horizon_days = 40\nruns = 6\n')
        origin = load_scenario(short)["scenario.start_date"]
        out = folder / name
        forecast(short, origin, out, posterior=POSTERIOR, progress=False)
        made[name] = (out, origin)
    rows = []
    for name, (_, origin) in made.items():
        start, end = origin + dt.timedelta(days=5), origin + dt.timedelta(days=30)
        rows.append({"name": f"deaths_{name}", "kind": "total", "column": "conflict_deaths",
                     "equals": "", "value": 100, "low": "", "high": "",
                     "start": start.isoformat(), "end": end.isoformat(),
                     "known_on": end.isoformat(), "source": "synthetic"})
    observations = folder / "obs.csv"
    import pandas as pd

    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(observations, index=False)
    return made, observations


def test_a_forecast_from_a_situation_starts_there_and_is_not_conditioned(forecasts):
    made, _ = forecasts
    record = json.loads((made["mar"][0] / FORECAST_FILE).read_text())
    assert record["origin"] == "2020-03-31" and record["conditioning"] is None
    assert "situation of the origin" in record["starts_from"]


def test_validate_scores_forecasts_of_several_origins_in_one_table(forecasts, tmp_path):
    made, observations = forecasts
    (jan, _), (mar, _) = made["jan"], made["mar"]
    summary = validate([jan, mar], observations, out=tmp_path / "scores",
                       reference=[jan, mar])
    assert [o["from"] for o in summary["origins"]] == ["2020-01-10", "2020-03-31"]
    assert [o["scenario"] for o in summary["origins"]] == ["jan", "mar"]
    assert all(o["conditioning"] is None for o in summary["origins"])
    assert {r["origin"] for r in summary["skill_table"]} == {"2020-01-10", "2020-03-31"}
    # each forecast is scored on what came after its own origin, inside its own runs
    table = __import__("pandas").read_csv(tmp_path / "scores" / "validation.csv")
    assert sorted(zip(table["origin"], table["name"])) == [("2020-01-10", "deaths_jan"),
                                                           ("2020-03-31", "deaths_mar")]


def test_several_folders_need_an_out_folder_and_one_reference_each(forecasts, tmp_path, capsys):
    made, observations = forecasts
    folders = [str(made["jan"][0]), str(made["mar"][0])]
    assert cli.main(["validate", *folders, "--observations", str(observations)]) == 2
    assert "--out" in capsys.readouterr().err
    assert cli.main(["validate", *folders, "--observations", str(observations),
                     "--reference", folders[0], "--out", str(tmp_path / "v")]) == 2
    assert "one reference per results folder" in capsys.readouterr().err


def test_red_lines_declared_before_day_0_stand_from_day_0():
    later = ROOT / "scenarios" / "situation_2020-06-30.toml"
    assert load_scenario(later)["deterrence.declared"] == "egypt: sirte, jufra"
    from libyasim.model import LibyaModel

    model = LibyaModel(later, rng=3)
    model.step()
    day0 = [e for e in model.events if e.kind == "red_line" and e.day == 0]
    assert sorted(e.place for e in day0) == ["jufra", "sirte"]
    assert all(e.actor == "egypt" for e in day0)
    # no line before day 0 in the baseline: red lines arise in the run
    baseline = LibyaModel(ROOT / "scenarios" / "baseline.toml", rng=3)
    baseline.step()
    assert not [e for e in baseline.events if e.kind == "red_line" and e.day == 0]


def test_a_declared_red_line_holds_the_front_more_often():
    """Paired seeds from the situation of 30 June, with a weak LNA (so that the GNA side
    attacks): with Egypt's line at Sirte and al-Jufra the LNA keeps them in more runs than
    without it (deterrence, not the map, makes the difference)."""
    later = load_scenario(ROOT / "scenarios" / "situation_2020-06-30.toml").with_overrides(
        {"forces.lna.fighters": 10000}, source="test")
    undeclared = later.with_overrides({"deterrence.declared": ""}, source="test")
    held = {True: 0, False: 0}
    for seed in range(40):
        for declared, scenario in ((True, later), (False, undeclared)):
            _, series = simulate(scenario, seed)
            last = series[-1]
            held[declared] += sum(int(last[COL[f"holder_{p}"]] == LNA) for p in ("sirte", "jufra"))
    assert held[True] > held[False] + 10, held  # 63 against 34 of 80 when written


def test_a_red_line_at_an_unknown_place_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad_line.toml"
    bad.write_text('[scenario]\nextends = "%s"\n[deterrence]\ndeclared = "egypt: sirt"\n'
                   % (ROOT / "scenarios" / "baseline.toml").as_posix())
    assert cli.main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad_line.toml" in err and "deterrence.declared" in err and "'sirt'" in err


def test_a_conditioned_forecast_names_the_situation_file_of_its_origin():
    from libyasim.forecast import situation_file

    baseline = ROOT / "scenarios" / "baseline.toml"
    assert situation_file(baseline, dt.date(2020, 3, 31)) == SITUATIONS[0]
    assert situation_file(baseline, dt.date(2020, 3, 30)) is None


def test_a_forecast_draws_what_its_posterior_does_not_hold_from_the_priors(forecasts):
    """The shipped fit marginalised what it did not fit: each run of a forecast takes a whole
    particle (fitted and marginalised values alike), draws what the particles do not hold
    (what the 2019 scenario set itself) from its prior, and keeps what the situation sets."""
    import pandas as pd

    made, _ = forecasts
    out = made["mar"][0]
    assert json.loads((out / FORECAST_FILE).read_text())["rest_from_prior"] is True
    runs = pd.read_parquet(out / "runs.parquet")
    particles = pd.read_parquet(POSTERIOR / "posterior.parquet")
    for name in ("combat.lethality", "truce.spoiler_rate"):  # fitted on 2019; marginalised
        assert set(runs[f"param:{name}"]) <= set(particles[name])
    assert "air.gna.air_defence" not in particles            # the 2019 scenario sets it
    assert runs["param:air.gna.air_defence"].nunique() == len(runs)  # so: from its prior
    assert "param:fighters.syrians.initial" not in runs      # the situation's own
