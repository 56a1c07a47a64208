"""Scenario files: TOML that sets parameters, can extend another file, and is validated strictly."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from libyasim.geography import place_keys, place_lists
from libyasim.params import DETERRING, PARAMS, Param, defaults

META_KEYS = {"scenario.name", "scenario.description", "scenario.extends"}
# settings that list places, each with the parser that checks it
PLACE_SETTINGS: dict[str, Callable[[str], object]] = {
    "deterrence.interests": lambda text: place_lists(text, DETERRING),
    "deterrence.declared": lambda text: place_lists(text, DETERRING),
    "combat.switching_places": place_keys,
}
POSTERIOR_KEY = "scenario.posterior"


class ScenarioError(Exception):
    """A scenario file or override is wrong; the message names the file, the key and the fix."""

    def __init__(self, source: str, key: str | None, message: str):
        self.source, self.key = source, key
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: every parameter's value, and what the files set."""

    name: str
    description: str = ""
    path: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # values the file chain set
    values: dict[str, Any] = field(default_factory=dict)  # all parameters, resolved

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "overrides") -> Scenario:
        """A copy with more parameters set (validated like a file's)."""
        merged = {**self.overrides, **validate_values(dict(overrides), source)}
        return Scenario(self.name, self.description, self.path, merged, _resolve(merged, source))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description, enough to rerun the scenario."""
        return {
            "name": self.name, "description": self.description, "path": self.path,
            "overrides": {k: _jsonable(v) for k, v in self.overrides.items()},
            "values": {k: _jsonable(v) for k, v in self.values.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scenario:
        """Rebuild a scenario from `to_json` output (as saved in a manifest)."""
        overrides = validate_values(dict(data["overrides"]), "manifest")
        return cls(data["name"], data.get("description", ""), data.get("path"), overrides,
                   _resolve(overrides, "manifest"))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def default_scenario() -> Scenario:
    """The model's defaults, which are those of scenarios/baseline.toml."""
    return Scenario("defaults", "all parameters at their defaults", None, {}, defaults())


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge (through `extends`) and validate a scenario file."""
    path = Path(path)
    raw, meta = _read_chain(path, [])
    name = meta.get("scenario.name") or path.stem
    overrides = validate_values(raw, str(path))
    return Scenario(name, meta.get("scenario.description", ""), str(path), overrides,
                    _resolve(overrides, str(path)))


def _read_chain(path: Path, stack: list[Path], found: list[str] | None = None
                ) -> tuple[dict[str, tuple[Any, str]], dict]:
    """Flatten a file and its `extends` ancestors; later files win. Values keep their file.
    With a list `found`, a wrong name, description or `extends` of the file itself is added
    to it and the file is read on without it (so that `check` lists every problem), instead
    of stopping the reading."""
    resolved = path.resolve()
    if resolved in stack:
        cycle = " -> ".join(str(p.name) for p in [*stack, resolved])
        raise ScenarioError(str(stack[-1]), "scenario.extends",
                            f"circular extends ({cycle}); expected a chain that ends")
    if not path.is_file():
        raise ScenarioError(str(path), None, "file not found; expected a TOML scenario file")
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), None,
                            f"TOML syntax error: {exc}{_bad_date(text, str(exc))}") from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), None, "not a UTF-8 text file; expected TOML") from None
    except RecursionError:
        raise ScenarioError(str(path), None, "nested too deeply; expected a TOML scenario "
                            "file") from None
    flat = _flatten(data, str(path))
    if isinstance(flat.get(POSTERIOR_KEY, (None,))[0], str) and flat[POSTERIOR_KEY][0]:
        value, where = flat[POSTERIOR_KEY]  # a path relative to the file that sets it
        flat[POSTERIOR_KEY] = (str((path.parent / value).resolve()), where)
    meta = {k: flat.pop(k)[0] for k in list(flat) if k in META_KEYS}

    def wrong(key: str, message: str) -> None:
        error = ScenarioError(str(path), key, message)
        if found is None:
            raise error
        found.append(str(error))
        meta.pop(key)

    for key in ("scenario.name", "scenario.description", "scenario.extends"):
        if key in meta and not isinstance(meta[key], str):
            wrong(key, f"got {meta[key]!r}; expected a text")
    parent_values: dict[str, tuple[Any, str]] = {}
    parent_meta: dict = {}
    if "scenario.extends" in meta:
        parent = path.parent / meta["scenario.extends"]
        if parent.is_dir():
            wrong("scenario.extends", f"{meta['scenario.extends']!r} is a folder ({parent}); "
                  "expected the path of another scenario file, relative to this one")
        elif not parent.is_file():
            wrong("scenario.extends", f"{meta['scenario.extends']!r} not found (looked for "
                  f"{parent}); expected the path of another scenario file, relative to this one")
        else:
            parent_values, parent_meta = _read_chain(parent, [*stack, resolved])
    merged_meta = {**{k: v for k, v in parent_meta.items() if k != "scenario.name"}, **meta}
    return {**parent_values, **flat}, merged_meta


def _bad_date(text: str, error: str) -> str:
    """Where TOML stumbled on something shaped like a date that is none (2020-13-40), say so."""
    where = re.search(r"at line (\d+)", error)
    lines = text.splitlines()
    if not where or not 0 < int(where.group(1)) <= len(lines):
        return ""
    line = lines[int(where.group(1)) - 1]
    for found in re.finditer(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])", line):
        try:
            dt.date(*map(int, found.groups()))
        except ValueError:
            key = line.split("=")[0].strip()
            return f"; {key} = {found.group(0)} is not a date (expected YYYY-MM-DD)"
    return ""


def _flatten(data: dict, source: str, prefix: str = "") -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in PARAMS:
            out.update(_flatten(value, source, name + "."))
        else:
            out[name] = (value, source)
    return out


def validate_values(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Check names, types and ranges; return the values converted to their parameter types.

    `values` maps a parameter name to a value, or to (value, source file) as read from files.
    """
    out = {}
    for name, item in values.items():
        value, where = item if isinstance(item, tuple) else (item, source)
        param = PARAMS.get(name)
        if param is None:
            raise ScenarioError(where, name, _unknown_key_message(name))
        if param.fixed:
            raise ScenarioError(where, name, "is fixed and cannot be set in a scenario")
        out[name] = _convert(param, value, where)
    return out


# parameters of earlier versions, and what replaced them
REMOVED_KEYS = {
    "deterrence.core_links": "no longer exists: red lines are declared during the run where an "
                             "enemy advance threatens a core interest (deterrence.threat_links)",
    "deterrence.cores": "is now deterrence.interests (the interests red lines protect)",
}


def _unknown_key_message(name: str) -> str:
    if name in REMOVED_KEYS:
        return REMOVED_KEYS[name]
    matches = difflib.get_close_matches(name, list(PARAMS) + sorted(META_KEYS), n=1, cutoff=0.6)
    if not matches:  # try the last part alone, e.g. "enforcment" -> arms.embargo_enforcement
        tails = {p.rsplit(".", 1)[-1]: p for p in PARAMS}
        close = difflib.get_close_matches(name.rsplit(".", 1)[-1], list(tails), n=1, cutoff=0.7)
        matches = [tails[close[0]]] if close else []
    hint = f"; did you mean '{matches[0]}'?" if matches else "; see `libyasim params` for the list"
    return f"unknown key{hint}"


def _convert(param: Param, value: Any, where: str) -> Any:
    def bad() -> ScenarioError:
        shown = value.isoformat() if isinstance(value, dt.date) else repr(value)
        return ScenarioError(where, param.name, f"got {shown}; expected {param.describe_expected()}")

    kind = param.type
    if isinstance(value, dict):
        raise bad()
    if kind is bool:
        if not isinstance(value, bool):
            raise bad()
        return value
    if kind is dt.date:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise bad() from None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise bad()
        return value
    if kind is str:
        if not isinstance(value, str) or (param.choices and value not in param.choices):
            raise bad()
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad()
    if kind is int and not isinstance(value, int):
        raise bad()
    if (param.low is not None and value < param.low) or (
            param.high is not None and value > param.high) or not _finite(value):
        raise bad()
    return kind(value)


def _finite(value: float) -> bool:
    """A number the model can compute with (not nan, not infinite, not beyond a float)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _resolve(overrides: dict[str, Any], source: str) -> dict[str, Any]:
    """All parameters: defaults updated with overrides, with cross-parameter checks."""
    values = {**defaults(), **overrides}
    start = values["scenario.start_date"]
    if "scenario.information_cutoff" not in overrides:  # by default, what was known on day 0
        values["scenario.information_cutoff"] = start
    for name, param in PARAMS.items():
        if name == "truce.start" and values["truce.on_day0"] != "scheduled":
            continue
        if param.on_or_after_start and values[name] < start:
            raise ScenarioError(source, name, f"got {values[name].isoformat()}; expected a date on "
                                f"or after scenario.start_date ({start.isoformat()}, day 0)")
    if (values["truce.enabled"] and values["truce.on_day0"] != "scheduled"
            and values["truce.start"] >= start):
        raise ScenarioError(source, "truce.on_day0", f"got {values['truce.on_day0']!r} with "
                            f"truce.start {values['truce.start'].isoformat()}; expected a truce "
                            f"declared before scenario.start_date ({start.isoformat()}), or "
                            "'scheduled'")
    for name, parse in PLACE_SETTINGS.items():
        try:
            parse(values[name])
        except ValueError as problem:
            raise ScenarioError(source, name, str(problem)) from None
    return values


def _switched_off(name: str, values: Mapping[str, Any]) -> bool:
    """True when a switch above the parameter is off (arms.turkey.enabled for arms.turkey.volume,
    truce.enabled for truce.start): its value then does not matter."""
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        switch = ".".join(parts[:i]) + ".enabled"
        if switch != name and values.get(switch) is False:
            return True
    return False


def not_public_by(scenario: Scenario, date: dt.date) -> list[Param]:
    """The registry values the scenario uses whose information was public only after `date`:
    published after it (`known_on`), or judged with information from after it
    (`informed_by`, for an assumption).

    A value is used when the scenario keeps the registry's default (whether or not its file
    restates it) and no switch above it is off.
    """
    return [p for name, p in PARAMS.items()
            if p.information_date is not None and p.information_date > date
            and scenario[name] == p.default and not _switched_off(name, scenario.values)]


def cutoff_problems(scenario: Scenario) -> list[str]:
    """One line per value the scenario uses whose information is later than its information
    cutoff (none when the scenario says `hindsight = true`)."""
    if scenario["scenario.hindsight"]:
        return []
    cutoff = scenario["scenario.information_cutoff"]
    where = scenario.path or scenario.name
    return [f"{where}: {p.name}: {_dated(p)}, after the information cutoff "
            f"{cutoff.isoformat()}; expected only information public by the cutoff "
            "(set another value, or [scenario] hindsight = true)"
            for p in not_public_by(scenario, cutoff)]


def _dated(p: Param) -> str:
    """When a value's information was public, as `check` says it."""
    if p.known_on is not None and p.known_on == p.information_date:
        return f"known on {p.known_on.isoformat()}"
    assert p.informed_by is not None
    return f"informed by information of {p.informed_by.isoformat()}"


def resolve_scenario(scenario: str | Path | Scenario | None,
                     overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A Scenario from a file path, an existing Scenario or None (defaults), plus overrides."""
    if scenario is None:
        base = default_scenario()
    elif isinstance(scenario, Scenario):
        base = scenario
    else:
        base = load_scenario(scenario)
    return base.with_overrides(overrides) if overrides else base
