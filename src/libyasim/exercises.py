"""Classroom exercises: answer keys whose figures are those `libyasim compare` prints.

Each exercise folder holds `exercise.toml` (a title and its scenario files, the first being the
reference), a `worksheet.md` for students, and `key.template.md`: the teacher's answer key with
fields such as `{monitors.median_truce_days}` (scenario file stem, then a row of compare's
per-scenario summary, see `comparison.SUMMARY_ROWS`, or `seed`), `{table}` (the per-scenario
summary as `compare` prints it) and `{changes}` (each scenario against the reference, with
whether the difference is beyond Monte Carlo noise, by the same paired test as `compare`).
`render_keys` runs the scenarios as `compare` does (the reference's runs and seed for all) and
writes `answer_key.md`; `stale_keys` tells which committed keys differ.
"""

from __future__ import annotations

import json
import string
import tempfile
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from libyasim import comparison
from libyasim.ensemble import run_ensemble
from libyasim.results import Results
from libyasim.scenario import Scenario, ScenarioError, load_scenario

SPEC_FILE, TEMPLATE_FILE, KEY_FILE = "exercise.toml", "key.template.md", "answer_key.md"


@dataclass(frozen=True)
class Exercise:
    """An exercise folder: its title and its scenarios (stem -> Scenario), reference first."""

    folder: Path
    title: str
    scenarios: dict[str, Scenario]


def load_exercise(folder: str | Path) -> Exercise:
    """Read `exercise.toml` and load (validate) its scenario files."""
    folder = Path(folder)
    spec_path = folder / SPEC_FILE
    try:
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(str(spec_path), None, f"cannot read the exercise: {exc}") from None
    files = spec.get("scenarios")
    if not isinstance(spec.get("title"), str) or not isinstance(files, list) or not files:
        raise ScenarioError(str(spec_path), None,
                            "expected title = \"...\" and scenarios = [\"file.toml\", ...]")
    scenarios = {}
    for name in files:
        stem = Path(name).stem
        if not stem.isidentifier():
            raise ScenarioError(str(spec_path), "scenarios",
                                f"{name!r}: expected a file name made of letters, digits and _")
        scenarios[stem] = load_scenario(folder / name)
    return Exercise(folder, spec["title"], scenarios)


def find_exercises(root: str | Path) -> list[Path]:
    """Exercise folders under `root`, in name order."""
    return sorted(p.parent for p in Path(root).glob(f"*/{SPEC_FILE}"))


def with_keys(root: str | Path) -> list[Path]:
    """Every exercise folder under `root` whose answer key the model computes: those of
    `exercise.toml` and the scenario-discovery ones (`explore.toml`)."""
    from libyasim.discovery import EXERCISE_FILE

    explorations = (p.parent for p in Path(root).glob(f"*/{EXERCISE_FILE}"))
    return sorted({*find_exercises(root), *explorations})


# ------------------------------------------------------------------ running and figures
def _cache_key(scenario: Scenario, runs: int, seed: int) -> str:
    return json.dumps([scenario.to_json()["values"], runs, seed], sort_keys=True)


def run_scenario(scenario: Scenario, runs: int, seed: int, workers: int | None = None
                 ) -> Results:
    """A scenario's results (runs and root seed as given), without daily series."""
    with tempfile.TemporaryDirectory(prefix="libyasim-exercise-") as tmp:
        run_ensemble(scenario, tmp, runs=runs, seed=seed, workers=workers, with_series=False,
                     progress=False)
        results = Results.load(tmp)
    return replace(results, path=None)


def _verdict(row: dict[str, Any]) -> str:
    return "beyond Monte Carlo noise" if row["clear"] else "within the Monte Carlo noise"


def _amount(row: dict[str, Any], key: str, unit: bool = True) -> str:
    share = row["unit"].startswith("share")
    value = f"{row[key] * (100 if share else 1):+,.1f}"
    if not unit:
        return value
    return f"{value} percentage points" if share else f"{value} {row['unit']}"


def _change_lines(reference: Results, other: Results) -> list[str]:
    """Each compared outcome of `other` against `reference`, as `compare` computes it."""
    lines = [f"**{other.name}** against **{reference.name}** (mean difference, 95% paired "
             "bootstrap interval):", ""]
    for o in comparison.compared_outcomes():
        row = comparison.paired_difference(reference, other, o.name)
        if row is None:
            continue
        lines.append(f"- {row['label']}: {_amount(row, 'difference')} "
                     f"[{_amount(row, 'low', False)} to {_amount(row, 'high', False)}], "
                     f"{_verdict(row)}")
    test = comparison.logrank([reference, other]).iloc[0]
    if np.isfinite(test["pvalue"]):
        verdict = "a clear difference" if test["pvalue"] < 0.05 else "within the noise"
        lines.append(f"- truce survival from the truce's start, log-rank test: "
                     f"p = {test['pvalue']:.2g} ({verdict})")
    elif test["note"]:
        lines.append(f"- truce survival: {test['note']}")
    return lines


# ------------------------------------------------------------------ keys
def render_key(exercise: Exercise, workers: int | None = None,
               cache: dict[str, Results] | None = None) -> str:
    """The answer key's text: the template with every figure filled in."""
    cache = {} if cache is None else cache
    reference = next(iter(exercise.scenarios.values()))
    runs, seed = reference["scenario.runs"], reference["scenario.seed"]
    results: list[Results] = []
    for name, scenario in exercise.scenarios.items():
        key = _cache_key(scenario, runs, seed)
        if key not in cache:
            cache[key] = run_scenario(scenario, runs, seed, workers)
        results.append(replace(cache[key], name=name))
    summary = comparison.scenario_summary(results)
    cells = comparison.summary_cells(summary)
    changes: list[str] = []
    for other in results[1:]:
        changes += _change_lines(results[0], other) + [""]
    fields: dict[str, Any] = {n: SimpleNamespace(**c, seed=str(seed)) for n, c in cells.items()}
    fields.update(table="```\n" + comparison.format_summary(summary) + "\n```",
                  changes="\n".join(changes).rstrip(), title=exercise.title)
    template_path = exercise.folder / TEMPLATE_FILE
    names = list(exercise.scenarios)
    try:
        body = string.Formatter().vformat(template_path.read_text(encoding="utf-8"), (), fields)
    except (KeyError, AttributeError, ValueError, IndexError) as exc:
        keys = ", ".join(k for k, _, _ in comparison.SUMMARY_ROWS)
        raise ScenarioError(str(template_path), None,
                            f"unknown or malformed field {exc}; expected a scenario stem "
                            f"({', '.join(names)}) with one of {keys}, seed; or {{table}}, "
                            "{changes}, {title}") from None
    header = (f"<!-- Generated by `libyasim exercises` from {TEMPLATE_FILE} and the scenario "
              "files: do not edit by hand. -->\n")
    return header + body


def render_keys(root: str | Path, write: bool = True, workers: int | None = None
                ) -> dict[Path, str]:
    """Render the answer key of every exercise under `root`; write them unless `write` is
    False. Returns key path -> text."""
    from libyasim import discovery

    cache: dict[str, Results] = {}
    out = {}
    for folder in find_exercises(root):
        text = render_key(load_exercise(folder), workers, cache)
        path = folder / KEY_FILE
        if write:
            path.write_text(text, encoding="utf-8")
        out[path] = text
    out.update(discovery.render_keys(root, write, workers))  # scenario discovery exercises
    return out


def stale_keys(root: str | Path, workers: int | None = None) -> list[Path]:
    """Committed answer keys that differ from what the model computes now."""
    fresh = render_keys(root, write=False, workers=workers)
    return [path for path, text in fresh.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]
