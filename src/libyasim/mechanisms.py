"""The mechanisms table and the literature table: data a researcher can read and edit.

`data/mechanisms.csv` has one row per mechanism of the model: its `name`, a one-line
`description` in plain words, the registry values that switch it `off` (`NAME=VALUE; ...`, each
inside the parameter's allowed range: a bool switch, or a value such as a weight 0 that removes
the mechanism) and the `literature` keys that discuss it. `data/literature.csv` says, for each
work (`key`) and `topic` (a mechanism or a scenario name), what the work `says` in a sentence,
and its full `reference`. Adding a mechanism is adding a row; `read_mechanisms` checks every row
and reports every problem, one line each, naming the file, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from libyasim.params import PARAMS, Param
from libyasim.scenario import Scenario

DATA = Path(__file__).resolve().parent / "data"
MECHANISMS_FILE = DATA / "mechanisms.csv"
LITERATURE_FILE = DATA / "literature.csv"
MECHANISM_COLUMNS = ("name", "description", "off", "literature")
LITERATURE_COLUMNS = ("key", "topic", "says", "reference")


class MechanismError(Exception):
    """The mechanisms or literature table is malformed: one line per problem, naming the file,
    the row, the column and what was expected."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Mechanism:
    """A mechanism of the model and the registry values that switch it off."""

    name: str
    description: str
    off: dict[str, Any]
    literature: tuple[str, ...] = ()

    def is_off_in(self, scenario: Scenario) -> bool:
        """Whether `scenario` already has every value that switches this mechanism off."""
        return all(scenario[name] == value for name, value in self.off.items())

    @property
    def off_text(self) -> str:
        return "; ".join(f"{k}={_text(v)}" for k, v in self.off.items())


@dataclass(frozen=True)
class Reading:
    """What one work of the literature says on one topic (a mechanism or a scenario)."""

    key: str
    topic: str
    says: str
    reference: str


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}" \
        if isinstance(value, float) else str(value)


# ---------------------------------------------------------------------------- the tables
def _rows(path: Path, columns: Sequence[str], problems: list[str]) -> list[tuple[int, dict]]:
    """The rows of a CSV table with their line numbers; a missing column is one problem."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                problems.append(f"{path}: missing column(s) {', '.join(missing)}; expected "
                                f"the columns {', '.join(columns)}")
                return []
            return [(reader.line_num, row) for row in reader]
    except OSError as exc:
        problems.append(f"{path}: cannot read it: {exc.strerror or exc}")
        return []


def _setting(text: str, where: str, problems: list[str]) -> tuple[str, Any] | None:
    """One `name=value` of an `off` cell, checked against the registry."""
    name, sep, raw = (part.strip() for part in text.partition("="))
    if not sep or not name or not raw:
        problems.append(f"{where}: {text.strip()!r}: expected NAME=VALUE, e.g. "
                        "truce.spoiler_rate=0")
        return None
    param = PARAMS.get(name)
    if param is None or param.fixed:
        import difflib

        close = difflib.get_close_matches(name, list(PARAMS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(f"{where}: {name}: not a registry parameter a scenario can set{hint}")
        return None
    value = _parse(param, raw)
    if value is None:
        problems.append(f"{where}: {name}: got {raw!r}; expected {param.describe_expected()}")
        return None
    return name, value


def _parse(param: Param, raw: str) -> Any:
    """`raw` as a value of `param` inside its allowed range, or None."""
    kind = param.type
    try:
        if kind is bool:
            return {"true": True, "false": False}.get(raw.lower())
        if kind is dt.date:
            return None  # a date is not a switch
        value: Any = int(raw) if kind is int else float(raw) if kind is float else raw
    except ValueError:
        return None
    if kind is str:
        return value if not param.choices or value in param.choices else None
    if not math.isfinite(value) or (param.low is not None and value < param.low) or \
            (param.high is not None and value > param.high):
        return None
    return value


def read_literature(path: Path = LITERATURE_FILE) -> list[Reading]:
    """The literature table: what each work says on a mechanism or a scenario."""
    problems: list[str] = []
    readings: list[Reading] = []
    references: dict[str, str] = {}
    for line, row in _rows(path, LITERATURE_COLUMNS, problems):
        cells = {c: (row.get(c) or "").strip() for c in LITERATURE_COLUMNS}
        where = f"{path}: row {line}: {cells['key'] or '(no key)'}"
        for column in LITERATURE_COLUMNS:
            if not cells[column]:
                problems.append(f"{where}: {column}: empty; expected a text")
        known = references.setdefault(cells["key"], cells["reference"])
        if cells["key"] and known != cells["reference"]:
            problems.append(f"{where}: reference: differs from the key's first row "
                            f"({known!r}); expected one reference per key")
        readings.append(Reading(**cells))
    if problems:
        raise MechanismError(problems)
    return readings


def read_mechanisms(path: Path = MECHANISMS_FILE,
                    literature: Sequence[Reading] | None = None) -> list[Mechanism]:
    """The mechanisms table, checked: names unique and plain, each `off` setting a registry
    parameter at a value inside its allowed range, literature keys known."""
    problems: list[str] = []
    keys = {r.key for r in (read_literature() if literature is None else literature)}
    mechanisms: list[Mechanism] = []
    seen: set[str] = set()
    for line, row in _rows(path, MECHANISM_COLUMNS, problems):
        cells = {c: (row.get(c) or "").strip() for c in MECHANISM_COLUMNS}
        name = cells["name"]
        where = f"{path}: row {line}: {name or '(no name)'}"
        before = len(problems)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append(f"{where}: name: expected lower-case letters, digits and _")
        elif name in seen:
            problems.append(f"{where}: name: used by an earlier row; expected unique names")
        seen.add(name)
        if not cells["description"]:
            problems.append(f"{where}: description: empty; expected one line in plain words")
        parts = [p for p in cells["off"].split(";") if p.strip()]
        if not parts:
            problems.append(f"{where}: off: empty; expected NAME=VALUE; NAME=VALUE... (the "
                            "registry values that switch the mechanism off)")
        off = dict(s for p in parts if (s := _setting(p, f"{where}: off", problems)))
        cited = tuple(k.strip() for k in cells["literature"].split(";") if k.strip())
        for key in cited:
            if key not in keys:
                problems.append(f"{where}: literature: unknown key {key!r}; expected a key of "
                                f"{LITERATURE_FILE.name}")
        if len(problems) == before:
            mechanisms.append(Mechanism(name, cells["description"], off, cited))
    if problems:
        raise MechanismError(problems)
    return mechanisms


def select(names: Sequence[str] | None, mechanisms: Sequence[Mechanism] | None = None
           ) -> list[Mechanism]:
    """The mechanisms called `names` (all when None), or a MechanismError naming the unknown."""
    table = list(read_mechanisms() if mechanisms is None else mechanisms)
    if names is None:
        return table
    by_name = {m.name: m for m in table}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise MechanismError([f"unknown mechanism {n!r}; expected one of "
                              f"{', '.join(by_name)}" for n in unknown])
    return [by_name[n] for n in names]


