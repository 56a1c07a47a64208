"""Results are never overwritten by accident; `check` reports every problem of every file;
small command-line promises (--version, the params table, no lock file left)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

import libyasim as ly
from libyasim.api import default_folder
from libyasim.cli import main, params_table
from libyasim.files import FolderError
from libyasim.params import PARAMS
from libyasim.scenario import load_scenario
from variants import baseline_variant

ROOT = Path(__file__).resolve().parents[1]


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    return baseline_variant(folder, name, extra)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_a_folder_of_another_scenario_is_refused_and_kept(tmp_path, capsys):
    base, other = _scenario(tmp_path, "base"), _scenario(tmp_path, "other",
                                                         "[truce]\nmonitoring = true\n")
    out = tmp_path / "out"
    assert main(["run", str(base), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    before = (out / "runs.parquet").read_bytes()
    capsys.readouterr()
    assert main(["run", str(other), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds the results of scenario 'base'" in err and "--force" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (out / "runs.parquet").read_bytes() == before
    assert _manifest(out)["scenario"]["name"] == "base"
    # another seed is another ensemble too
    assert main(["run", str(base), "--out", str(out), "--seed", "9", "--workers", "1",
                 "--quiet"]) == 2
    # the same scenario and seed may be run again; --force replaces the other scenario
    assert main(["run", str(base), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    assert main(["run", str(other), "--out", str(out), "--workers", "1", "--quiet",
                 "--force"]) == 0
    assert _manifest(out)["scenario"]["name"] == "other"
    assert not (out / "report.html").exists()  # the report of 'base' is gone with its runs
    assert not (out / ".lock").exists()


def test_out_naming_a_file_is_a_clear_error(tmp_path, capsys):
    base = _scenario(tmp_path, "base")
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    assert main(["run", str(base), "--out", str(target), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err
    assert target.read_text() == "mine"
    assert main(["run", str(base), "--out", str(tmp_path), "--quiet"]) == 2  # other files
    assert "holds other files" in capsys.readouterr().err


def test_api_names_its_folder_from_the_scenario_and_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = _scenario(tmp_path, "base")
    plain = ly.run(base, workers=1)
    varied = ly.run(base, overrides={"arms.embargo_enforcement": 0.5}, workers=1)
    assert plain.path == Path("results/base")
    assert varied.path == default_folder("base", {"arms.embargo_enforcement": 0.5})
    assert varied.path != plain.path and varied.values["arms.embargo_enforcement"] == 0.5
    assert _manifest(plain.path)["scenario"]["values"]["arms.embargo_enforcement"] != 0.5
    with pytest.raises(FolderError, match="--force"):
        ly.run(base, overrides={"arms.embargo_enforcement": 0.5}, out="results/base", workers=1)
    again = ly.run(base, overrides={"arms.embargo_enforcement": 0.5}, out="results/base",
                   workers=1, overwrite=True)
    assert again.values["arms.embargo_enforcement"] == 0.5


def test_a_result_made_with_overrides_is_named_so_and_never_merged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = _scenario(tmp_path, "base")
    plain = ly.run(base, workers=1)
    varied = ly.run(base, overrides={"arms.embargo_enforcement": 0.5}, workers=1)
    assert plain.name == "base" and varied.name == "base (arms.embargo_enforcement=0.5)"
    # two results called the same (as loaded from two folders) stay two in tables and plots
    twin = ly.load(varied.path)
    clash = [plain, replace(twin, name="base")]
    table = ly.summary(clash)
    assert len({name for name, _ in table.columns}) == 2
    fig = ly.plot_survival(clash)
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in
              ax.get_legend().get_texts()]
    assert len(set(labels)) == len(labels) and len(labels) >= 2


def test_readme_api_example_works_in_a_fresh_interpreter_in_any_order(tmp_path):
    """`ly.compare` stays the function even after the submodules are imported."""
    import subprocess
    import sys

    base = _scenario(tmp_path, "base")
    other = _scenario(tmp_path, "other", "[truce]\nmonitoring = true\n")
    code = (f"import libyasim as ly\nimport libyasim.comparison, libyasim.results\n"
            f"r = ly.compare([{str(base)!r}, {str(other)!r}], runs=3, workers=1)\n"
            f"b = ly.run({str(base)!r}, runs=3, workers=1)\n"
            "print(ly.differences(r).shape[0] > 0, ly.summary(b).shape[0] > 0)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600,
                          env={**__import__("os").environ,
                               "PYTHONPATH": str(Path(ly.__file__).resolve().parents[1])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True True"


def test_check_reports_every_problem_of_every_file(tmp_path, capsys):
    good = _scenario(tmp_path, "good")
    two = tmp_path / "two.toml"
    two.write_text('[truce]\nenabled = "yes"\n[arms]\nembargo_enforcement = 1.5\n')
    late = tmp_path / "late.toml"
    late.write_text("[scenario]\nhorizon_days = 30\ninformation_cutoff = 2020-03-31\n"
                    "[truce]\nstart = 2020-06-01\n")
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing here\n")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    code = main(["check", str(two), str(good), str(late), str(empty), str(folder),
                 str(tmp_path / "missing.toml")])
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" not in captured.err
    assert "good.toml: ok" in captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 6
    assert any("truce.enabled" in e for e in errors)
    assert any("arms.embargo_enforcement" in e for e in errors)
    assert any("late.toml: truce.start" in e and "horizon" in e for e in errors)
    assert any("empty.toml" in e and "nothing to run" in e for e in errors)
    assert any("folder.toml" in e and "is a folder" in e for e in errors)
    assert any("missing.toml" in e and "not found" in e for e in errors)
    assert "5 of 6 files have problems" in captured.err


def test_check_reports_a_late_truce_beside_a_wrong_setting(tmp_path, capsys):
    both = tmp_path / "both.toml"
    both.write_text('[scenario]\nhorizon_days = 30\n[truce]\nstart = 2020-06-01\n'
                    '[arms]\nembargo_enforcement = 1.5\n')
    early = tmp_path / "early.toml"
    early.write_text('[truce]\nstart = 2019-12-01\n[arms]\nembargo_enforcement = -1\n')
    assert main(["check", str(both), str(early)]) == 2
    errors = capsys.readouterr().err
    assert "both.toml: arms.embargo_enforcement" in errors
    assert "both.toml: truce.start" in errors and "horizon" in errors
    assert "early.toml: arms.embargo_enforcement" in errors
    assert "early.toml: truce.start" in errors and "on or after" in errors


def test_params_table_fits_a_100_column_terminal():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    text = params_table(scenario, width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    for name in PARAMS:
        assert re.search(rf"^{re.escape(name)}\b", text, re.M), name
    assert '"cease hostilities from 00:00 on January 12"' in " ".join(text.split())


def test_version_and_params_table(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("libyasim ")
    text = params_table(load_scenario(ROOT / "scenarios" / "monitored_truce.toml"), width=160)
    lines = text.splitlines()
    assert lines[0].split() == ["name", "value", "range", "kind", "known_on", "source"]
    assert max(len(line) for line in lines) <= 160  # wrapped, not cut
    assert any(line.startswith("truce.monitoring *") for line in lines)
    assert "\u2026" not in text
    row = next(line for line in lines if line.startswith("arms.embargo_enforcement"))
    low, high = PARAMS["arms.embargo_enforcement"].range  # its prior range, not cut
    assert f"{low:g} to {high:g}" in row
