"""Every parameter the model reads, with its default, its allowed range and its provenance.

The registry is data: one CSV table per section in ``libyasim/data/params/`` (``truce.csv``,
``combat.csv``...), one row per parameter, which a researcher can review and edit in a
spreadsheet (docs/parameters.md describes the columns). This module reads and checks the
tables; scenario files are validated against the result, the model reads resolved values by
name, and `libyasim params` prints it.

Provenance kinds: ``article`` (a short exact quote from the January 2020 news article that
states the value), ``public_record`` (a figure a named document gives), ``assumption`` (a
modelling choice, its reason and a prior range) and ``calibrated`` (fitted to named observations
up to an information cutoff). ``known_on`` is the date the information became public;
``informed_by`` the date of the latest information a judgment used (for an assumption; the
other kinds are informed by what they cite, so it equals their ``known_on``).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARTICLE, RECORD, ASSUMPTION, CALIBRATED = "article", "public_record", "assumption", "calibrated"
KINDS = (ARTICLE, RECORD, ASSUMPTION, CALIBRATED)
ARTICLE_DATE = dt.date(2020, 1, 10)  # the news article was published about 10 January 2020
ARTICLE_SOURCE = "news article, about 10 January 2020"

BACKERS = ("turkey", "russia", "uae", "egypt", "qatar")
DETERRING = ("egypt", "russia", "turkey")  # backers that may declare red lines (deterrence.csv)
MEDIATORS = ("russia_turkey", "berlin")
FACTIONS = ("gna", "wag", "lna")

TABLES = Path(__file__).resolve().parent / "data" / "params"
COLUMNS = ("name", "value", "type", "kind", "source", "quote", "reason", "prior_low",
           "prior_high", "min", "max", "choices", "known_on", "informed_by", "flags")
REQUIRED_COLUMNS = ("name", "value", "type", "kind", "source", "reason")
TYPES: dict[str, type] = {"bool": bool, "int": int, "float": float, "date": dt.date, "text": str}
FLAGS = ("fixed", "on_or_after_start", "log_prior")
# the order in which `libyasim params` lists the sections; other tables follow by name
SECTION_ORDER = ("scenario", "truce", "mediation", "arms", "forces", "fighters", "combat", "air",
                 "deterrence", "unaligned", "economy", "commitment", "morale", "memory", "supply",
                 "stocks",
                 "outcomes", "map", "place")


@dataclass(frozen=True)
class Param:
    """One model parameter: its default value, allowed range and provenance."""

    name: str
    default: Any
    kind: str
    source: str
    reason: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    on_or_after_start: bool = False  # a date that must not precede day 0
    fixed: bool = False  # shown with provenance, but not settable from a scenario file
    known_on: dt.date | None = None  # when the information became public (None: assumption)
    quote: str | None = None  # for `article`: the short exact quote that states the value
    prior: tuple[float, float] | None = None  # assumption, calibrated: range of plausible values
    log_prior: bool = False  # the prior is uniform in the logarithm (a rate spanning magnitudes)
    informed_by: dt.date | None = None  # latest information the judgment used (None: no dated fact)

    @property
    def type(self) -> type:
        return type(self.default)

    @property
    def citation(self) -> str:
        """The source as a reader should see it: an article entry shows its quote."""
        return f'"{self.quote}" ({self.source})' if self.quote else self.source

    @property
    def range(self) -> tuple[float | None, float | None]:
        """The range `libyasim params` shows: the prior of a judged or fitted value, else the
        allowed range (a scenario may set any value in the allowed range)."""
        return self.prior if self.prior is not None else (self.low, self.high)

    @property
    def information_date(self) -> dt.date | None:
        """The latest date of the information behind the value (the information cutoff
        applies to it): when it was published, or what the judgment used."""
        dates = [d for d in (self.known_on, self.informed_by) if d is not None]
        return max(dates) if dates else None

    def describe_expected(self) -> str:
        """Plain words for what a valid value looks like."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = {bool: "true or false", int: "a whole number", float: "a number",
                dt.date: "a date (YYYY-MM-DD)", str: "a text"}[self.type]
        if self.on_or_after_start:
            return f"{kind} on or after scenario.start_date"
        if self.low is not None and self.high is not None:
            return f"{kind} between {plain(self.low)} and {plain(self.high)}"
        if self.low is not None:
            return f"{kind} of at least {plain(self.low)}"
        return kind


def plain(number: float) -> str:
    """A bound as people write it: 10000000, not 1e+07; 0.05, not 5e-02."""
    if float(number).is_integer():
        return f"{int(number):d}"
    return f"{number:g}"


def article(name: str, default: Any, quote: str, reason: str, **kw: Any) -> Param:
    """A value that the article's own words state; `quote` is the short exact phrase."""
    return Param(name, default, ARTICLE, ARTICLE_SOURCE, reason, known_on=ARTICLE_DATE,
                 quote=quote, informed_by=ARTICLE_DATE, **kw)


def record(name: str, default: Any, document: str, published: dt.date, reason: str,
           **kw: Any) -> Param:
    """A value a named public document gives: `document` names it, its date and the figure as
    it gives it; `reason` says how the value follows; `published` is the document's date."""
    return Param(name, default, RECORD, document, reason, known_on=published,
                 informed_by=published, **kw)


def assumption(name: str, default: Any, source: str, reason: str,
               prior: tuple[float, float] | None = None,
               informed_by: dt.date | None = None, **kw: Any) -> Param:
    """A modelling judgment: `source` is what informs it, `prior` the range of plausible values
    (for numbers; the calibration priors), `informed_by` the date of the latest information
    it used."""
    return Param(name, default, ASSUMPTION, source, reason, prior=prior,
                 informed_by=informed_by, **kw)


def calibrated(name: str, default: Any, observations: str, cutoff: dt.date, reason: str,
               prior: tuple[float, float], **kw: Any) -> Param:
    """A value fitted to named observations, all public by `cutoff` (its `known_on`)."""
    source = f"fitted to {observations} (information up to {cutoff.isoformat()})"
    return Param(name, default, CALIBRATED, source, reason, known_on=cutoff, prior=prior,
                 informed_by=cutoff, **kw)


# ---------------------------------------------------------------- reading the tables
class RegistryError(Exception):
    """The parameter tables are malformed: one line per problem, naming file, row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Row:
    """One table row being read: collects the problems of its cells."""

    def __init__(self, path: Path, line: int, cells: dict[str, str], problems: list[str]):
        self.path, self.line, self.cells, self.problems = path, line, cells, problems
        self.name = cells.get("name", "").strip()

    def problem(self, column: str, message: str) -> None:
        self.problems.append(f"{self.path}: row {self.line}: {self.name or '(no name)'}: "
                             f"{column}: {message}")

    def text(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def number(self, column: str) -> float | None:
        text = self.text(column)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.problem(column, f"got {text!r}; expected a number or nothing")
            return None
        return value

    def date(self, column: str) -> dt.date | None:
        text = self.text(column)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.problem(column, f"got {text!r}; expected a date (YYYY-MM-DD) or nothing")
            return None


def _value(row: _Row, kind: type) -> Any:
    text = row.text("value")
    try:
        if kind is bool:
            if text not in ("true", "false"):
                raise ValueError
            return text == "true"
        if kind is int:
            return int(text)
        if kind is float:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
            return value
        if kind is dt.date:
            return dt.date.fromisoformat(text)
        return text
    except ValueError:
        expected = {bool: "true or false", int: "a whole number", float: "a number",
                    dt.date: "a date (YYYY-MM-DD)"}[kind]
        row.problem("value", f"got {text!r}; expected {expected} (type {row.text('type')})")
        return None


def _param(row: _Row) -> Param | None:
    """The parameter a row describes, or None (with its problems noted)."""
    before = len(row.problems)
    for column in REQUIRED_COLUMNS:
        if not row.text(column) and not (column == "value" and row.text("type") == "text"):
            row.problem(column, "empty; expected " + ("a dotted parameter name" if column ==
                                                      "name" else "a value"))
    if len(row.problems) > before:
        return None
    kind = TYPES.get(row.text("type"))
    if kind is None:
        row.problem("type", f"got {row.text('type')!r}; expected one of {', '.join(TYPES)}")
        return None
    value = _value(row, kind)
    provenance = row.text("kind")
    if provenance not in KINDS:
        row.problem("kind", f"got {provenance!r}; expected one of {', '.join(KINDS)}")
    low, high = row.number("min"), row.number("max")
    prior_low, prior_high = row.number("prior_low"), row.number("prior_high")
    known_on, informed_by = row.date("known_on"), row.date("informed_by")
    choices = tuple(c.strip() for c in row.text("choices").split("|")) \
        if row.text("choices") else None
    flags = row.text("flags").split()
    for flag in flags:
        if flag not in FLAGS:
            row.problem("flags", f"got {flag!r}; expected nothing or {' '.join(FLAGS)}")
    quote = row.text("quote") or None
    if (prior_low is None) != (prior_high is None):
        row.problem("prior_high", "expected both prior_low and prior_high, or neither")
    if len(row.problems) > before:
        return None
    prior = None if prior_low is None or prior_high is None else (prior_low, prior_high)
    param = Param(row.name, value, provenance, row.text("source"), row.text("reason"),
                  low=low, high=high, choices=choices, on_or_after_start="on_or_after_start" in
                  flags, fixed="fixed" in flags, known_on=known_on, quote=quote, prior=prior,
                  log_prior="log_prior" in flags,
                  informed_by=informed_by if provenance == ASSUMPTION else known_on)
    for column, message in _entry_problems(param, informed_by):
        row.problem(column, message)
    return param if len(row.problems) == before else None


def _entry_problems(p: Param, informed_by: dt.date | None) -> list[tuple[str, str]]:
    """What is wrong with one entry as a whole: ranges, dates and provenance that disagree."""
    out = []
    numeric = p.type in (int, float)
    if p.low is not None and p.high is not None and p.low > p.high:
        out.append(("max", f"got {p.high:g}; expected at least min ({p.low:g})"))
    if numeric and p.low is not None and p.default < p.low:
        out.append(("value", f"got {p.default:g}; expected at least min ({p.low:g})"))
    if numeric and p.high is not None and p.default > p.high:
        out.append(("value", f"got {p.default:g}; expected at most max ({p.high:g})"))
    if (p.low is not None or p.high is not None) and not numeric:
        out.append(("min", f"got a range for a {p.type.__name__}; expected min and max empty"))
    if p.choices and p.default not in p.choices:
        out.append(("value", f"got {p.default!r}; expected one of {'|'.join(p.choices)}"))
    out += _prior_problems(p, numeric)
    out += _date_problems(p, informed_by)
    if (p.quote is not None) != (p.kind == ARTICLE):
        out.append(("quote", "expected the article's exact words for an article entry, and "
                    "nothing for other kinds"))
    if p.kind == CALIBRATED and not p.source.startswith("fitted to "):
        out.append(("source", "expected 'fitted to <observations> (information up to DATE)'"))
    return out


def _prior_problems(p: Param, numeric: bool) -> list[tuple[str, str]]:
    judged = p.kind in (ASSUMPTION, CALIBRATED)
    if p.prior is None:
        return [("prior_low", "empty; a judged or fitted number needs a prior range "
                 "(prior_low, prior_high)")] if judged and numeric else []
    low, high = p.prior
    if not (judged and numeric):
        return [("prior_low", "expected no prior range: only judged or fitted numbers have one")]
    if not low < high:
        return [("prior_high", f"got {high:g}; expected more than prior_low ({low:g})")]
    if not low <= p.default <= high:
        return [("value", f"got {p.default:g}; expected a value within its prior range "
                 f"({low:g} to {high:g})")]
    if (p.low is not None and low < p.low) or (p.high is not None and high > p.high):
        return [("prior_low", "expected a prior range within the allowed range (min, max)")]
    if p.log_prior and low <= 0:
        return [("prior_low", f"got {low:g}; expected more than 0 for a log_prior")]
    return []


def _date_problems(p: Param, informed_by: dt.date | None) -> list[tuple[str, str]]:
    if p.kind == ASSUMPTION:
        return [("known_on", "expected nothing: an assumption is a judgment, dated by "
                 "informed_by")] if p.known_on is not None else []
    if p.known_on is None:
        return [("known_on", f"empty; expected the date a {p.kind} value became public")]
    if informed_by is not None and informed_by != p.known_on:
        return [("informed_by", f"expected nothing or known_on ({p.known_on.isoformat()}): a "
                 f"{p.kind} value is informed by what it cites")]
    if p.kind == ARTICLE and p.known_on != ARTICLE_DATE:
        return [("known_on", f"expected the article's date {ARTICLE_DATE.isoformat()}")]
    return []


def _table_rows(path: Path, problems: list[str]) -> list[_Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            unknown = [c for c in header if c not in COLUMNS]
            if missing or unknown:
                problems.append(f"{path}: header: " + "; ".join(
                    [f"missing column {c!r}" for c in missing] +
                    [f"unknown column {c!r}" for c in unknown]) +
                    f"; expected the columns {', '.join(COLUMNS)}")
                return []
            return [_Row(path, reader.line_num, row, problems) for row in reader
                    if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(f"{path}: cannot read it as a UTF-8 CSV table: {exc}")
        return []


def _section_key(path: Path) -> tuple[int, str]:
    order = SECTION_ORDER.index(path.stem) if path.stem in SECTION_ORDER else len(SECTION_ORDER)
    return order, path.stem


def load_registry(folder: Path = TABLES) -> dict[str, Param]:
    """Read and check every table in `folder`; raise RegistryError with every problem."""
    problems: list[str] = []
    registry: dict[str, Param] = {}
    tables = sorted(folder.glob("*.csv"), key=_section_key)
    if not tables:
        raise RegistryError([f"{folder}: no parameter tables (*.csv) found"])
    for path in tables:
        for row in _table_rows(path, problems):
            if row.name and not row.name.startswith(f"{path.stem}."):
                row.problem("name", f"expected a name in this table's section, "
                            f"'{path.stem}.<...>'")
            if row.name in registry:
                row.problem("name", "defined twice; expected each parameter once")
                continue
            param = _param(row)
            if param is not None:
                registry[param.name] = param
    if problems:
        raise RegistryError(problems)
    return registry


def _exit_on_registry_error(kind, exc, traceback, previous=sys.excepthook) -> None:
    """A malformed table stops the command line with its problems, one a line, not a traceback."""
    if issubclass(kind, RegistryError):
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(2)
    previous(kind, exc, traceback)


try:
    PARAMS: dict[str, Param] = load_registry()
except RegistryError:
    sys.excepthook = _exit_on_registry_error
    raise


def defaults() -> dict[str, Any]:
    """All parameters at their default values."""
    return {name: p.default for name, p in PARAMS.items()}
