"""Scenario files: the shipped ones are valid; malformed ones get one clear message and exit 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import datetime as dt
import json
from pathlib import Path

import pytest

from libyasim.cli import main
from libyasim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"
ALL_FILES = sorted(SCENARIOS.glob("*.toml"))
SITUATIONS = {"tripoli_offensive_2019.toml"}  # other start dates: their own map and backers
LATER = {"situation_2020-03-31.toml", "situation_2020-06-30.toml"}  # forecasts' later origins
VARIANTS = [f for f in ALL_FILES
            if f.name != "baseline.toml" and f.name not in SITUATIONS | LATER]
EXPECTED_VARIANTS = {"no_truce", "monitored_truce", "no_mediation", "embargo_enforced",
                     "no_turkish_deployment", "no_foreign_arms"}


def _flatten(data: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _check(capsys, *paths: Path) -> tuple[int, str, str]:
    """Run `libyasim check` in this process; return (exit code, stdout, stderr)."""
    code = main(["check", *map(str, paths)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------ the shipped scenarios
def test_all_issue_scenarios_are_shipped():
    names = {f.stem for f in ALL_FILES}
    assert {"baseline"} | EXPECTED_VARIANTS <= names


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_shipped_scenario_passes_check(path, capsys):
    code, out, err = _check(capsys, path)
    assert code == 0, err
    assert err == ""
    assert path.name in out and "ok" in out


def test_check_accepts_several_files_at_once(capsys):
    code, out, _ = _check(capsys, *ALL_FILES)
    assert code == 0
    assert len(out.strip().splitlines()) == len(ALL_FILES)


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.name)
def test_variant_extends_baseline_and_states_only_its_change(path):
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    flat = _flatten(raw)
    assert flat.get("scenario.extends") == "baseline.toml"
    settings = {k: v for k, v in flat.items()
                if k not in ("scenario.extends", "scenario.name", "scenario.description")}
    assert 1 <= len(settings) <= 5, f"{path.name} sets {sorted(settings)}"
    base = load_scenario(BASELINE)
    variant = load_scenario(path)
    # every setting the variant writes is a change from the baseline (no restated values)
    for key in settings:
        assert variant[key] != base[key], f"{path.name} restates {key} = {variant[key]!r}"
    # and nothing else differs
    changed = {k for k in base.values if base[k] != variant[k]}
    assert changed == set(settings)
    assert variant.name == path.stem


SITUATION_KEYS = ("scenario.", "place.", "fighters.", "truce.enabled", "truce.on_day0",
                  "mediation.conference_date", "economy.blockade.days_closed",
                  "deterrence.declared",
                  "forces.gna.air", "air.gna.air_defence", "combat.front_days0")
SITUATION_SUFFIXES = (".enabled", ".start", ".volume", ".air_share")


@pytest.mark.parametrize("name", sorted(SITUATIONS | LATER))
def test_another_start_date_changes_the_situation_not_the_mechanisms(name):
    """A scenario from another date shares every mechanism value with the 2020 scenarios."""
    base, other = load_scenario(BASELINE), load_scenario(SCENARIOS / name)
    changed = {k for k in base.values if base[k] != other[k]}
    mechanisms = {k for k in changed if not k.startswith(SITUATION_KEYS)
                  and not (k.startswith(("arms.", "mediation.", "deterrence."))
                           and k.endswith(SITUATION_SUFFIXES))}
    assert mechanisms == set(), f"{name} changes mechanism values: {sorted(mechanisms)}"
    if name in LATER:  # a later origin: what was public by then, and the baseline's fit
        assert other["scenario.start_date"] == other["scenario.information_cutoff"]
        assert other["scenario.start_date"] > base["scenario.start_date"]
        assert other["scenario.posterior"] == base["scenario.posterior"]
        return
    assert other["scenario.start_date"] < base["scenario.start_date"]
    assert other["scenario.information_cutoff"] <= dt.date(2020, 1, 10)
    assert other["scenario.posterior"] == ""  # no fit that read later data


def test_baseline_equals_the_model_defaults():
    from libyasim.params import defaults

    values = load_scenario(BASELINE).values
    # the forecast issued on day 0: its information cutoff is the start date, and its runs
    # draw from a posterior fitted on the 2019 war with what was public by then
    assert values["scenario.information_cutoff"] == values["scenario.start_date"]
    fit = json.loads((Path(values["scenario.posterior"]) / "calibration.json").read_text())
    assert fit["cutoff"] == values["scenario.start_date"].isoformat()
    assert "tripoli_offensive_2019" in fit["scenario"]
    assert {**values, "scenario.posterior": ""} == defaults()


# ------------------------------------------------------------------ malformed files
def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _assert_one_clear_error(code: int, err: str, *must_contain: str) -> str:
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one message, got:\n{err}"
    message = lines[0]
    for part in must_contain:
        assert part in message, f"{part!r} missing from: {message}"
    return message


CASES = {
    # name: (file text, parts the message must contain)
    "unknown_key": ("[arms]\nembargo_enforcment = 0.5\n",
                    ("arms.embargo_enforcment", "unknown key",
                     "did you mean 'arms.embargo_enforcement'")),
    "wrong_type_bool": ('[truce]\nenabled = "yes"\n',
                        ("truce.enabled", "'yes'", "expected true or false")),
    "wrong_type_int": ("[scenario]\nhorizon_days = 12.5\n",
                       ("scenario.horizon_days", "12.5", "expected a whole number")),
    "wrong_type_date": ('[truce]\nstart = "12 January"\n',
                        ("truce.start", "12 January", "expected a date")),
    "probability_above_one": ("[arms]\nembargo_enforcement = 1.5\n",
                              ("arms.embargo_enforcement", "1.5", "expected", "between 0 and 1")),
    "date_before_day_0": ("[truce]\nstart = 2020-01-01\n",
                          ("truce.start", "2020-01-01", "expected", "scenario.start_date")),
    "start_date_moved_after_truce": ("[scenario]\nstart_date = 2020-02-01\n",
                                ("truce.start", "2020-01-12", "scenario.start_date",
                                 "2020-02-01")),
    "negative_count": ("[forces.lna]\nfighters = -5\n",
                       ("forces.lna.fighters", "-5", "expected", "at least 0")),
    "zero_horizon": ("[scenario]\nhorizon_days = 0\n",
                     ("scenario.horizon_days", "0", "expected")),
    "infinite_number": ("[arms]\nescalation = inf\n", ("arms.escalation", "inf", "expected")),
    "not_a_number": ("[arms]\nescalation = nan\n", ("arms.escalation", "nan", "expected")),
    "bad_choice": ('[place.sirte]\nholder = "haftar"\n',
                   ("place.sirte.holder", "'haftar'", "one of")),
    "fixed_parameter": ("[place.tripoli]\nlat = 3.0\n", ("place.tripoli.lat", "fixed")),
    "table_for_value": ("[truce]\nstart = { day = 2 }\n", ("truce.start", "expected a date")),
    "syntax_error": ("[truce\nenabled = true\n", ("TOML syntax error", "line 1")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_file_gives_one_clear_message(case, tmp_path, capsys):
    text, parts = CASES[case]
    path = _write(tmp_path, f"{case}.toml", text)
    code, out, err = _check(capsys, path)
    message = _assert_one_clear_error(code, err, path.name, *parts)
    assert message.startswith("error: ")
    assert out == ""


def test_unknown_key_without_close_match_points_to_the_list(tmp_path, capsys):
    path = _write(tmp_path, "weird.toml", "[zzz]\nqqq = 1\n")
    code, _, err = _check(capsys, path)
    _assert_one_clear_error(code, err, path.name, "zzz.qqq", "unknown key", "libyasim params")


def test_unknown_meta_key_suggests_extends(tmp_path, capsys):
    path = _write(tmp_path, "meta.toml", '[scenario]\nextend = "baseline.toml"\n')
    code, _, err = _check(capsys, path)
    _assert_one_clear_error(code, err, path.name, "did you mean 'scenario.extends'")


def test_error_in_extended_file_names_that_file(tmp_path, capsys):
    _write(tmp_path, "parent.toml", "[arms]\nembargo_enforcement = 1.5\n")
    child = _write(tmp_path, "child.toml", '[scenario]\nextends = "parent.toml"\n')
    code, _, err = _check(capsys, child)
    message = _assert_one_clear_error(code, err, "parent.toml", "arms.embargo_enforcement", "1.5")
    assert "child.toml" not in message


def test_missing_extends_target(tmp_path, capsys):
    path = _write(tmp_path, "orphan.toml", '[scenario]\nextends = "nothere.toml"\n')
    code, _, err = _check(capsys, path)
    _assert_one_clear_error(code, err, "orphan.toml", "scenario.extends", "nothere.toml",
                            "not found", "expected")


def test_circular_extends(tmp_path, capsys):
    a = _write(tmp_path, "a.toml", '[scenario]\nextends = "b.toml"\n')
    _write(tmp_path, "b.toml", '[scenario]\nextends = "a.toml"\n')
    code, _, err = _check(capsys, a)
    _assert_one_clear_error(code, err, "scenario.extends", "circular", "a.toml", "b.toml",
                            "expected")


def test_file_extending_itself(tmp_path, capsys):
    path = _write(tmp_path, "loop.toml", '[scenario]\nextends = "loop.toml"\n')
    code, _, err = _check(capsys, path)
    _assert_one_clear_error(code, err, "loop.toml", "scenario.extends", "circular")


def test_nonexistent_file(tmp_path, capsys):
    path = tmp_path / "missing.toml"
    code, _, err = _check(capsys, path)
    _assert_one_clear_error(code, err, "missing.toml", "not found")


def test_variant_of_copied_baseline_is_valid(tmp_path, capsys):
    shutil.copy(BASELINE, tmp_path / "baseline.toml")
    posterior = "posterior/forecast_2020-01-10"  # the baseline's posterior, beside it
    shutil.copytree(BASELINE.parent / posterior, tmp_path / posterior)
    path = _write(tmp_path, "mine.toml",
                  '[scenario]\nextends = "baseline.toml"\nname = "mine"\n'
                  "[truce]\nmonitoring = true\n")
    code, out, err = _check(capsys, path)
    assert code == 0, err
    scenario = load_scenario(path)
    assert scenario.name == "mine" and scenario["truce.monitoring"] is True
    assert scenario["truce.start"] == load_scenario(BASELINE)["truce.start"]


def test_load_scenario_raises_scenario_error_naming_file_and_key(tmp_path):
    path = _write(tmp_path, "p.toml", "[arms]\nembargo_enforcement = 1.5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.key == "arms.embargo_enforcement"
    assert str(path) in info.value.source


@pytest.mark.parametrize("command", ["params", "run"])
def test_other_commands_reject_malformed_files_the_same_way(command, tmp_path, capsys):
    path = _write(tmp_path, "bad.toml", "[arms]\nembargo_enforcement = 1.5\n")
    argv = [command, str(path)] + (["--out", str(tmp_path / "out"), "--quiet"]
                                   if command == "run" else [])
    code = main(argv)
    err = capsys.readouterr().err
    _assert_one_clear_error(code, err, "bad.toml", "arms.embargo_enforcement", "1.5")
    assert not (tmp_path / "out").exists()


def test_installed_command_exits_2_without_traceback(tmp_path):
    """The real console entry point, as a user runs it."""
    path = _write(tmp_path, "syntax.toml", "[truce\n")
    exe = Path(sys.executable).with_name("libyasim")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "libyasim.cli"]
    result = subprocess.run([*cmd, "check", str(path)], capture_output=True, text=True,
                            timeout=120)
    _assert_one_clear_error(result.returncode, result.stderr, "syntax.toml", "TOML syntax error")
