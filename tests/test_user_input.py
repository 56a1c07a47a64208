"""What users type, as they type it: a scenario `check` rejects is never run, the same file
typed another way is the same scenario, spreadsheet CSVs load, options that do nothing alone
are refused, and a missing extra or folder is one line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from libyasim.cli import main
from libyasim.observations import load_observations
from libyasim.params import PARAMS
from libyasim.validate import VALIDATION_CSV, VALIDATION_JSON, validate
from variants import baseline_variant, one_line_error

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """A short scenario with an information cutoff, and a finished run of it."""
    folder = tmp_path_factory.mktemp("typed")
    scenario = baseline_variant(folder, "typed", "information_cutoff = 2020-01-10\n",
                                horizon=30, runs=4)
    assert main(["run", str(scenario), "--out", str(folder / "run"), "--workers", "1",
                 "--quiet"]) == 0
    return scenario, folder / "run"


# ------------------------------------------------------------------ scenarios `check` rejects
def test_run_refuses_an_empty_scenario_file(tmp_path, capsys):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert main(["run", str(empty), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert "empty; nothing to run" in one_line_error(capsys)
    assert not (tmp_path / "x").exists()


def test_run_refuses_a_truce_after_the_horizon_as_check_does(tmp_path, capsys):
    late = baseline_variant(tmp_path, "late", "[truce]\nstart = 2020-03-01\n", horizon=30)
    assert main(["check", str(late)]) != 0
    capsys.readouterr()
    assert main(["run", str(late), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert "truce.start" in one_line_error(capsys)
    assert not (tmp_path / "x").exists()


def test_run_refuses_values_published_after_the_scenarios_cutoff(tmp_path, capsys):
    early = baseline_variant(tmp_path, "early", "information_cutoff = 2020-01-01\n")
    assert main(["run", str(early), "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "after the information cutoff" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_extends_naming_a_folder_says_so(tmp_path, capsys):
    child = tmp_path / "child.toml"
    child.write_text(f'[scenario]\nextends = "{tmp_path}"\n')
    assert main(["check", str(child)]) != 0
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert "is a folder" in err and "not found" not in err


def test_a_range_is_written_as_people_write_it():
    runs = PARAMS["scenario.runs"].describe_expected()
    assert "10000000" in runs and "e+" not in runs


# ------------------------------------------------------------------ the same file, typed otherwise
def test_resume_and_reuse_with_the_scenario_path_typed_another_way(finished, tmp_path,
                                                                  monkeypatch, capsys):
    scenario, done = finished
    out = Path(shutil.copytree(done, tmp_path / "run"))
    monkeypatch.chdir(scenario.parent)
    assert main(["run", scenario.name, "--out", str(out), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    monkeypatch.chdir(tmp_path)
    relative = os.path.relpath(scenario, tmp_path)
    assert main(["run", relative, "--out", str(out), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    assert "cannot resume" not in capsys.readouterr().err


def test_shards_run_from_paths_typed_differently_merge(finished, tmp_path, monkeypatch):
    scenario, _ = finished
    monkeypatch.chdir(scenario.parent)
    assert main(["run", scenario.name, "--shard", "0/2", "--out", str(tmp_path / "0"),
                 "--workers", "1", "--quiet"]) == 0
    assert main(["run", str(scenario), "--shard", "1/2", "--out", str(tmp_path / "1"),
                 "--workers", "1", "--quiet"]) == 0
    assert main(["merge", str(tmp_path / "0"), str(tmp_path / "1"), "--out",
                 str(tmp_path / "all")]) == 0


# ------------------------------------------------------------------ validate's folder and files
def test_validate_out_refuses_a_folder_holding_other_files(finished, tmp_path, capsys):
    _, done = finished
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine")
    assert main(["validate", str(done), "--out", str(notes)]) == 2
    assert "holds other files" in one_line_error(capsys)
    assert sorted(p.name for p in notes.iterdir()) == ["notes.txt"]
    other = tmp_path / "other-run"
    shutil.copytree(done, other)
    assert main(["validate", str(done), "--out", str(other)]) == 2
    assert not (other / VALIDATION_CSV).exists()
    assert main(["validate", str(done), "--out", str(tmp_path / "scores")]) == 0


def test_validation_json_is_strict_json_with_a_perfect_reference(finished, tmp_path):
    """A reference that is exactly right makes the skill minus infinity: written as text."""
    _, done = finished
    obs = tmp_path / "obs.csv"
    obs.write_text("name,kind,column,equals,value,low,high,start,end,known_on,source\n"
                   "nothing_yet,total,civilian_deaths,,0,,,2020-01-12,2020-02-08,2020-02-09,t\n"
                   "early,total,civilian_deaths,,0,,,2019-12-01,2019-12-31,2020-01-05,t\n")
    summary = validate(done, obs, out=tmp_path / "v")
    text = (tmp_path / "v" / VALIDATION_JSON).read_text()

    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    strict = json.loads(text, parse_constant=refuse)
    if summary["skill"]["last_value"]["crps"] == float("-inf"):
        assert strict["skill"]["last_value"]["crps"] == "-inf"


def test_a_reference_of_another_period_is_flagged(finished, tmp_path):
    scenario, done = finished
    longer = baseline_variant(tmp_path, "longer", "information_cutoff = 2020-01-10\n",
                              horizon=40, runs=4)
    assert main(["run", str(longer), "--out", str(tmp_path / "ref"), "--workers", "1",
                 "--quiet"]) == 0
    summary = validate(done, out=tmp_path / "v", reference=tmp_path / "ref")
    assert any("reference" in w and "2020-02-19" in w for w in summary["warnings"])
    same = validate(done, out=tmp_path / "v2", reference=done)
    assert not any("compares like with like" in w for w in same["warnings"])


def test_a_csv_saved_by_a_spreadsheet_with_a_byte_order_mark_loads(tmp_path):
    shipped = (ROOT / "src/libyasim/data/observations.csv").read_text(encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_text(shipped, encoding="utf-8-sig")
    assert [o.name for o in load_observations(bom)] == [o.name for o in load_observations()]


def test_a_scenario_saved_with_a_byte_order_mark_loads(tmp_path, capsys):
    plain = baseline_variant(tmp_path, "plain")
    bom = tmp_path / "bom.toml"
    bom.write_text(plain.read_text(), encoding="utf-8-sig")
    assert main(["check", str(bom)]) == 0


# ------------------------------------------------------------------ options and extras
def test_exercises_check_of_a_missing_folder_fails(tmp_path, capsys):
    assert main(["exercises", str(tmp_path / "nope"), "--check"]) == 2
    assert "not found" in one_line_error(capsys)
    assert main(["exercises", str(tmp_path), "--check"]) == 2
    assert "no exercise" in one_line_error(capsys)


def test_an_option_that_needs_another_is_refused_not_ignored(finished, tmp_path, capsys):
    scenario, _ = finished
    assert main(["forecast", str(scenario), "--origin", "2020-01-10", "--out",
                 str(tmp_path / "f"), "--draws", "10"]) == 2
    assert "--method rejection" in one_line_error(capsys)
    assert main(["calibrate", str(scenario), "--until", "2020-01-20", "--params",
                 "truce.base_logit", "--keep", "5", "--out", str(tmp_path / "c")]) == 2
    assert "--method rejection" in one_line_error(capsys)
    assert main(["compare", str(scenario), str(scenario), "--mechanism", "reciprocity",
                 "--out", str(tmp_path / "c2")]) == 2
    assert "--explain" in one_line_error(capsys)
    assert not any((tmp_path / d).exists() for d in ("f", "c", "c2"))


def test_abc_smc_without_its_extra_names_the_extra(finished, tmp_path, monkeypatch, capsys):
    scenario, _ = finished
    monkeypatch.setitem(sys.modules, "pyabc", None)  # as if not installed
    assert main(["calibrate", str(scenario), "--until", "2020-01-20", "--params",
                 "truce.base_logit", "--out", str(tmp_path / "c")]) == 2
    err = one_line_error(capsys)
    assert "[calibration]" in err and "--method rejection" in err


def test_an_impossible_date_is_named_as_such(tmp_path, capsys):
    bad = baseline_variant(tmp_path, "bad", "[truce]\nstart = 2020-13-40\n")
    assert main(["check", str(bad)]) != 0
    captured = capsys.readouterr()
    assert "start = 2020-13-40 is not a date" in captured.out + captured.err


def test_check_lists_a_wrong_name_or_parent_beside_the_settings_problems(tmp_path, capsys):
    named = tmp_path / "named.toml"
    named.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                     "name = 5\ndescription = 7\n[truce]\nmonitorng = true\n")
    orphan = tmp_path / "orphan.toml"
    orphan.write_text('[scenario]\nextends = "missing.toml"\n[arms]\nembargo_enforcement = 1.5\n')
    assert main(["check", str(named), str(orphan)]) != 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    for problem in ("scenario.name", "scenario.description", "monitorng", "missing.toml",
                    "embargo_enforcement"):
        assert problem in said, problem


@pytest.mark.parametrize("command", ["app", "game"])
def test_the_classroom_pages_refuse_what_check_rejects(command, tmp_path, capsys, monkeypatch):
    """A teacher's broken file is one line and exit 2 before any server starts."""
    from libyasim import serve

    def no_server(*args, **kwargs):
        raise AssertionError("a server was started for a file check rejects")

    monkeypatch.setattr(serve, "serve", no_server)
    late = baseline_variant(tmp_path, "late", "[truce]\nstart = 2020-03-01\n", horizon=30)
    assert main([command, str(late), "--port", "65431"]) == 2
    assert "truce.start" in one_line_error(capsys)
