"""`libyasim check`: every problem of every scenario file, one readable line each.

`problems(path)` returns the list of problems of one file (empty when it is fine). The file is
read, each setting is validated on its own (so that all wrong settings are reported, not only
the first), and then the resolved scenario goes through the rules in `RULES`: functions of a
`Scenario` that return a list of problems. Further rules (e.g. an information cutoff) are added
by appending to `RULES`. `load_checked(paths)` loads scenarios for the commands that run or
serve them, refusing (with every problem printed) what `check` rejects.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from libyasim.scenario import (Scenario, ScenarioError, _read_chain, _resolve, cutoff_problems,
                               load_scenario, validate_values)

Rule = Callable[[Scenario], list[str]]


def truce_within_horizon(scenario: Scenario) -> list[str]:
    """A truce that starts after the horizon is never simulated."""
    if not scenario["truce.enabled"]:
        return []
    day = (scenario["truce.start"] - scenario["scenario.start_date"]).days
    horizon = scenario["scenario.horizon_days"]
    if day > horizon:
        return [f"{scenario.path}: truce.start: got {scenario['truce.start'].isoformat()} "
                f"(day {day}); expected a date within the horizon (day 0 to {horizon}), or "
                "truce.enabled = false"]
    return []


def posterior_within_cutoff(scenario: Scenario) -> list[str]:
    """A posterior fitted to information later than the scenario's cutoff brings it in."""
    named = scenario["scenario.posterior"]
    if not named or scenario["scenario.hindsight"]:
        return []
    folder = Path(named) if Path(named).is_dir() else Path(named).parent
    where = f"{scenario.path or scenario.name}: scenario.posterior"
    try:
        fitted = json.loads((folder / "calibration.json").read_text(encoding="utf-8"))
        until = dt.date.fromisoformat(fitted["information_cutoff"])
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{where}: {folder} has no readable calibration.json with an information_cutoff; "
                "expected a folder written by `libyasim calibrate`"]
    cutoff = scenario["scenario.information_cutoff"]
    if until <= cutoff:
        return []
    return [f"{where}: fitted to information up to {until.isoformat()}, after the information "
            f"cutoff {cutoff.isoformat()}; expected a posterior fitted by the cutoff (set "
            "information_cutoff, or [scenario] hindsight = true)"]


# information published after the scenario's cutoff: values (scenario.cutoff_problems) and
# the posterior a scenario draws from
RULES: list[Rule] = [truce_within_horizon, cutoff_problems, posterior_within_cutoff]


def problems(path: str | Path) -> list[str]:
    """Every problem of the scenario file at `path`, one line each (empty: the file is fine)."""
    path = Path(path)
    if path.is_dir():
        return [f"{path}: is a folder; expected a TOML scenario file"]
    if not path.exists():
        return [f"{path}: file not found; expected a TOML scenario file"]
    chain: list[str] = []  # the file's own name, description or extends, if wrong
    try:
        raw, meta = _read_chain(path, [], chain)
    except ScenarioError as exc:
        return [*chain, str(exc)]
    except OSError as exc:
        return [f"{path}: cannot read it: {exc.strerror}"]
    if not raw and not meta and not chain:
        return [f"{path}: empty; nothing to run (expected settings such as "
                "[scenario] extends = \"baseline.toml\")"]
    found, overrides, invalid = list(chain), {}, set()
    for name, item in raw.items():
        try:
            overrides.update(validate_values({name: item}, str(path)))
        except ScenarioError as exc:
            found.append(str(exc))
            invalid.add(name)
    if invalid & {"scenario.start_date", "scenario.horizon_days"}:
        return found  # the checks across settings need day 0 and the horizon
    try:
        values = _resolve(overrides, str(path))
    except ScenarioError as exc:
        return [*found, str(exc)]
    name = meta.get("scenario.name") or path.stem
    scenario = Scenario(name, meta.get("scenario.description", ""), str(path), overrides, values)
    # with a setting unread, the cutoff rule could blame the default that stands in for it;
    # with the file it extends unread, every rule could
    rules = [] if chain else RULES if not found else [truce_within_horizon]
    return [*found, *(problem for rule in rules for problem in rule(scenario))]


def load_checked(paths: list[str]) -> list[Scenario] | None:
    """The scenarios of `paths`; None after printing every problem of every file that `check`
    would reject (all of them, not only the first): what `check` refuses is never run."""
    loaded, bad = [], False
    for path in paths:
        found = problems(path)
        try:
            if not found:
                loaded.append(load_scenario(path))
        except ScenarioError as exc:
            found = [str(exc)]
        for problem in found:
            print(f"error: {problem}", file=sys.stderr)
        bad = bad or bool(found)
    return None if bad else loaded
