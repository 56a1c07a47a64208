"""One folder rule for every command that writes into a folder, and file-system failures as one
line and exit code 2 with nothing half-written."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from libyasim import arguments, folders
from libyasim.cli import main
from libyasim.files import FolderError
from libyasim.params import PARAMS
from variants import baseline_variant, one_line_error

ROOT = Path(__file__).resolve().parents[1]


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    return baseline_variant(folder, name, extra, runs=4)


def _run(*args: str) -> int:
    return main(["run", *args, "--workers", "1", "--quiet"])


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """A scenario and a finished run of it (run once; tests work on copies)."""
    folder = tmp_path_factory.mktemp("finished")
    scenario = _scenario(folder, "base")
    assert _run(str(scenario), "--out", str(folder / "out")) == 0
    return scenario, folder / "out"


@pytest.fixture
def base(finished) -> Path:
    return finished[0]


@pytest.fixture
def done(finished, tmp_path) -> Path:
    """A copy of the finished run, in this test's own folder."""
    return Path(shutil.copytree(finished[1], tmp_path / "out"))


def test_merge_refuses_other_results_and_foreign_files_and_leaves_them(base, tmp_path, capsys):
    shards = [tmp_path / f"s{i}" for i in range(2)]
    for i, shard in enumerate(shards):
        assert _run(str(base), "--out", str(shard), "--shard", f"{i}/2") == 0
    bigger = tmp_path / "bigger"
    assert _run(str(base), "--out", str(bigger), "--runs", "8") == 0
    before = (bigger / "runs.parquet").read_bytes()
    (bigger / "validation.json").write_text("{}")
    capsys.readouterr()
    assert main(["merge", *map(str, shards), "--out", str(bigger)]) == 2
    assert "8 runs" in one_line_error(capsys)
    assert (bigger / "runs.parquet").read_bytes() == before
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine")
    assert main(["merge", *map(str, shards), "--out", str(notes)]) == 2
    assert "notes.txt" in one_line_error(capsys)
    assert (notes / "notes.txt").read_text() == "mine"
    # --force replaces the folder whole: the other runs' validation goes with them
    assert main(["merge", *map(str, shards), "--out", str(bigger), "--force"]) == 0
    assert len(pd.read_parquet(bigger / "runs.parquet")) == 4
    assert not (bigger / "validation.json").exists()


def test_run_force_removes_the_validation_and_report_of_the_runs_it_replaces(base, done, tmp_path):
    other = _scenario(tmp_path, "other", "[truce]\nmonitoring = true\n")
    out = done
    for name in folders.DERIVED_FILES:
        (out / name).write_text("of base")
    assert _run(str(other), "--out", str(out), "--force") == 0
    assert not any((out / name).exists() for name in folders.DERIVED_FILES)


def test_validation_file_names_are_those_validate_writes():
    from libyasim import validate

    assert set(folders.VALIDATION_FILES) == {validate.VALIDATION_CSV, validate.VALIDATION_JSON,
                                             validate.VALIDATION_PNG}


def test_run_reuses_its_own_complete_folder(base, done, tmp_path, capsys):
    out = done
    stamp = json.loads((out / "manifest.json").read_text())["created"]
    runs = (out / "runs.parquet").stat().st_mtime_ns
    assert main(["run", str(base), "--out", str(out), "--workers", "1"]) == 0
    assert "reused, not rerun" in capsys.readouterr().err
    assert json.loads((out / "manifest.json").read_text())["created"] == stamp
    assert (out / "runs.parquet").stat().st_mtime_ns == runs


def test_another_number_of_runs_is_other_results(base, done, tmp_path, capsys):
    out = done
    capsys.readouterr()
    assert _run(str(base), "--out", str(out), "--runs", "2") == 2
    assert "number of runs" in one_line_error(capsys)


def test_a_full_disk_is_one_line_and_leaves_no_half_file(base, tmp_path, capsys, monkeypatch):
    import pyarrow.parquet as pq

    def full(self, *args, **kwargs):  # the join's writer: some bytes are on disk, then it is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    out = tmp_path / "out"
    assert _run(str(base), "--out", str(out)) == 2
    err = one_line_error(capsys)
    assert "No space left on device" in err and "free some space" in err
    assert not (out / "runs.parquet").exists()
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]


def test_a_read_only_folder_is_one_line_for_run_report_and_sweep(base, done, tmp_path, capsys,
                                                                 monkeypatch):
    out = done
    capsys.readouterr()
    real_access = folders.os.access
    monkeypatch.setattr(folders.os, "access", lambda path, mode: False if Path(path) == out
                        else real_access(path, mode))
    assert _run(str(base), "--out", str(out), "--force") == 2
    assert "read-only" in one_line_error(capsys)
    assert main(["report", str(out)]) == 2
    assert "read-only" in one_line_error(capsys)
    assert main(["sweep", str(base), "--param", "truce.spoiler_rate=0.02:0.2", "--levels", "2",
                 "--runs", "1", "--out", str(out), "--workers", "1", "--quiet"]) == 2
    assert "read-only" in one_line_error(capsys)


def test_a_write_refused_by_the_system_is_one_line(base, done, tmp_path, capsys, monkeypatch):
    out = done
    capsys.readouterr()

    def refused(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refused)
    assert main(["report", str(out)]) == 2
    err = one_line_error(capsys)
    assert "report.html" in err and "Permission denied" in err
    assert not (out / "report.html").exists()


def test_a_missing_folder_and_a_file_in_the_way(base, tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    one_line_error(capsys)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _run(str(base), "--out", str(blocker / "sub")) == 2
    assert "cannot make the folder" in one_line_error(capsys)


def test_force_never_empties_the_working_folder(base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FolderError, match="working folder"):
        folders.replace_whole(tmp_path)
    assert (tmp_path / "keep.txt").exists()


@pytest.mark.parametrize("value", ["10000001", "99999999999999999999", "0"])
def test_absurd_runs_are_refused_before_any_work(base, value, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", str(base), "--runs", value])
    assert stop.value.code == 2
    assert "expected a number between 1 and 10000000" in capsys.readouterr().err


def test_the_runs_limit_is_the_documented_one():
    assert arguments.MAX_RUNS == PARAMS["scenario.runs"].range[1]


def test_a_design_over_the_budget_is_refused_before_any_work(base, tmp_path, capsys):
    assert main(["sweep", str(base), "--param", "truce.spoiler_rate=0.02:0.2", "--param",
                 "arms.embargo_enforcement=0:0.8", "--levels", "101", "--runs", "1000",
                 "--out", str(tmp_path / "sw"), "--quiet"]) == 2
    assert "at most 10,000,000" in one_line_error(capsys)
    assert not (tmp_path / "sw").exists()


def test_an_outcome_typo_gets_did_you_mean(base, capsys):
    with pytest.raises(SystemExit):
        main(["sweep", str(base), "--param", "truce.spoiler_rate=0.02:0.2",
              "--outcome", "conflict_death"])
    assert "did you mean 'conflict_deaths'" in capsys.readouterr().err


def test_run_reports_every_problem_of_the_scenario(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                   "[truce]\nmonitorng = true\n[arms]\nembargo_enforcement = 1.5\n")
    assert _run(str(bad)) == 2
    err = capsys.readouterr().err
    assert "monitorng" in err and "embargo_enforcement" in err and "Traceback" not in err


def test_a_sobol_design_too_small_is_flagged_never_a_share_of_variance(base, tmp_path, capsys):
    out = tmp_path / "sa"
    assert main(["sensitivity", str(base), "--param", "combat.lethality", "--param",
                 "truce.spoiler_rate", "--outcome", "battle_deaths", "--samples", "2",
                 "--runs", "1", "--out", str(out), "--workers", "1", "--quiet"]) == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert not table["reliable"].any()
    findings = (out / "findings.txt").read_text()
    assert "no driver can be named" in findings and "--samples" in findings
    from libyasim.sweep import sensitivity_figure

    table.attrs["warnings"] = []
    labels = [ax.get_xlabel() for ax in sensitivity_figure(table).axes]
    assert labels and all("not a share of variance" in label for label in labels)


def test_design_warning_gives_the_size_needed():
    from libyasim.sweep import design_warning

    wide = pd.DataFrame({"method": "sobol", "index": ["S1", "ST"], "value": [1.4, 0.3],
                         "conf": [0.4, 0.2]})
    text = design_warning(wide, 8)
    assert "outside [0, 1]" in text and "--samples 128" in text  # 8 * (0.4 / 0.1)^2
    tight = wide.assign(value=[0.5, 0.6], conf=[0.05, 0.08])
    assert design_warning(tight, 8) == ""
    morris = pd.DataFrame({"method": "morris", "index": ["mu_star", "sigma"],
                           "value": [10.0, 3.0], "conf": [2.0, float("nan")]})
    assert "--samples 10" in design_warning(morris, 4)
    assert design_warning(morris, 20) == ""


def test_report_never_replaces_a_file_it_did_not_write(base, done, tmp_path, capsys):
    out = done
    mine = tmp_path / "notes.html"
    mine.write_text("<html>my notes</html>")
    capsys.readouterr()
    assert main(["report", str(out), "--output", str(mine)]) == 2
    assert "not a libyasim report" in one_line_error(capsys)
    assert mine.read_text() == "<html>my notes</html>"
    assert main(["report", str(out), "--output", str(tmp_path / "r.html")]) == 0
    assert main(["report", str(out), "--output", str(tmp_path / "r.html")]) == 0  # its own
