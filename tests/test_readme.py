"""The README quotes the tool only where a test keeps the quote true: the output of `check`,
the information cutoff, the folders its examples create and then report on, and no score that
changes with the model."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from libyasim.check import problems
from libyasim.cli import main
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_check_output_quoted_is_what_check_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    quoted = [line for line in README.splitlines() if line.startswith("scenarios/baseline.toml: ok")]
    assert quoted
    assert main(["check", "scenarios/baseline.toml"]) == 0
    printed = capsys.readouterr().out.strip()
    assert all(line == printed for line in quoted), (quoted, printed)


def test_the_information_cutoff_quoted_is_the_baselines_and_check_holds_it():
    quoted = re.search(r"baseline's information cutoff is (\d{1,2} \w+ \d{4})", README)
    assert quoted
    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    assert dt.datetime.strptime(quoted.group(1), "%d %B %Y").date() == \
        baseline["scenario.information_cutoff"]
    assert problems(ROOT / "scenarios" / "baseline.toml") == []
    assert "uses nothing published after 10 January 2020" not in README


def _default_out(command: str) -> str | None:
    """Where a `libyasim run` or `compare` example of the README writes (its --out or the
    default folder)."""
    words = command.split()
    if "--out" in words:
        return words[words.index("--out") + 1]
    files = [Path(w).stem for w in words[2:] if w.endswith(".toml")]
    if words[1] == "run":
        return f"results/{files[0]}"
    if words[1] == "compare":
        return "results/compare-" + "-".join(files)
    return None


def test_every_folder_the_readme_reports_on_is_one_its_examples_create():
    commands = [line.split("#")[0].strip().removeprefix("$ ")
                for line in README.splitlines() if re.match(r"\s*(\$ )?libyasim (run|compare) ",
                                                            line)]
    made = {_default_out(c) for c in commands} | {"results/baseline"}  # make baseline
    reported = re.findall(r"libyasim report (\S+)", README)
    assert reported
    for folder in reported:
        assert folder in made, f"README reports on {folder}, which no example creates"


def test_the_readme_quotes_no_score_that_changes_with_the_model():
    assert not re.search(r"CRPS \([+-]\d", README), "quote scores from a test-kept source"
