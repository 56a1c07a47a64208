"""Scenario discovery: under which conditions does a case of interest happen?

`libyasim explore SCENARIO --case "truce_days >= 60"` varies levers (the switches and dials a
policy maker holds, `LEVERS`) and uncertain values (prior ranges of the assumptions) over a
space-filling design (Latin hypercube or Sobol), runs every experiment through the ensemble
engine, marks each run that meets the case, and asks which few conditions make the case likely:

- PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010) peels the input space one small slice
  at a time towards a box where the case is dense, then pastes back what it cut too eagerly.
  The peeling trajectory runs from the whole space (coverage 1, density = base rate) to small,
  dense, over-restricted boxes; `choose_box` picks one by a stated rule.
- CART (a classification tree) splits the space into leaf boxes.
- Feature scores (extra trees) rank the inputs by how much they tell about the case.

The algorithms are EMA Workbench's (`ema_workbench.analysis`, the [discovery] extra).

Python use (e.g. in a notebook)::

    import libyasim as ly
    found = ly.explore("scenarios/baseline.toml", case="truce_days >= 60",
                       levers=["truce.monitoring", "arms.embargo_enforcement"],
                       vary=["truce.monitoring_effect"], samples=200)
    found                      # one line: the case's share and the chosen box
    found.box_table()          # limits, quasi-p values, resampling
    found.plot_tradeoff()
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import difflib
import functools
import json
import math
import operator
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import __version__, arguments
from libyasim import outcomes as registry
from libyasim.ensemble import Backend, EnsembleError, load_results, run_points, usable_folder
from libyasim.files import atomic_write, atomic_write_parquet, atomic_write_text
from libyasim.params import ASSUMPTION, PARAMS
from libyasim.scenario import Scenario, ScenarioError

EXPERIMENTS_FILE, SETTINGS_FILE = "experiments.parquet", "explore.json"
TRAJECTORY_FILE, BOXES_FILE = "trajectory.csv", "boxes.csv"
CART_FILE, SCORES_FILE = "cart.csv", "feature_scores.csv"
PLOTS = ("tradeoff", "box_limits", "pairs", "feature_scores")

# the default box rule: among the boxes that keep at least MIN_COVERAGE of the cases, find the
# highest density; among the boxes within DENSITY_TOLERANCE of it, take the one with the highest
# coverage (then the denser, then fewer restricted inputs): the knee of the trade-off, not its
# over-restricted end. A limit whose quasi-p exceeds SIGNIFICANCE is flagged as not significant
MIN_COVERAGE, SIGNIFICANCE, DENSITY_TOLERANCE = 0.5, 0.05, 0.05
RARE = 0.05  # a case in fewer (or more) than this share of runs: boxes rest on few cases
RERUN_CAP = 2000  # runs in each PRIM rerun of the resampling check: half the runs, at most this


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Input:
    """One varied input: a lever or an uncertainty, a switch or a number in [low, high]."""

    name: str  # the parameter
    role: str  # "lever" or "uncertainty"
    low: float = 0.0
    high: float = 1.0
    label: str = ""

    @property
    def switch(self) -> bool:
        return PARAMS[self.name].type is bool

    @property
    def whole(self) -> bool:
        return PARAMS[self.name].type is int

    def value(self, unit: float) -> Any:
        """The input's value at a point `unit` in [0, 1) of the design."""
        if self.switch:
            return bool(unit >= 0.5)
        value = self.low + unit * (self.high - self.low)
        return int(round(value)) if self.whole else float(value)

    def text(self, value: float) -> str:
        if self.switch:
            return "on" if value >= 0.5 else "off"
        return f"{value:,.0f}" if self.whole or abs(value) >= 100 else f"{value:.3g}"

    def to_json(self) -> dict[str, Any]:
        kind = "switch" if self.switch else "whole number" if self.whole else "number"
        return {"name": self.name, "role": self.role, "kind": kind, "low": self.low,
                "high": self.high, "label": self.label}


def _lever(name: str, label: str, low: float = 0.0, high: float = 1.0) -> Input:
    return Input(name, "lever", low, high, label)


# The levers: what a conference, a mediator or a backer could switch or set. Switches are drawn
# off or on with equal chance; dials uniformly over the range given.
LEVERS: dict[str, Input] = {lever.name: lever for lever in (
    _lever("truce.monitoring", "monitors verify the truce"),
    _lever("arms.embargo_enforcement", "share of arms shipments interdicted (0.05 in January "
           "2020; 0.8 in scenarios/embargo_enforced.toml)", 0.0, 0.8),
    _lever("arms.embargo.sea", "extra interdiction at sea, a naval operation (0 in January "
           "2020; 0.8 in scenarios/sea_embargo.toml)", 0.0, 0.8),
    _lever("mediation.russia_turkey.enabled", "the Russia-Turkey mediation is active"),
    _lever("mediation.berlin.enabled", "the Berlin process is active"),
    _lever("arms.turkey.enabled", "Turkey deploys and delivers for the GNA side"),
    _lever("arms.russia.enabled", "Russian contractors and materiel for the LNA"),
    _lever("arms.uae.enabled", "UAE deliveries to the LNA"),
    _lever("arms.egypt.enabled", "Egyptian supplies to the LNA"),
    _lever("arms.qatar.enabled", "Qatari money for the GNA side"),
    _lever("arms.rearm_during_truce", "backers keep delivering and sending fighters while a "
           "truce holds"),
    _lever("deterrence.enabled", "backers declare red lines when their clients' core "
           "interests are threatened, and may intervene"),
    _lever("economy.blockade.enabled", "the LNA side may close the oil terminals"),
    _lever("economy.backer_finance.enabled", "backers pay part of their clients' wages"),
)}


def default_uncertainties() -> list[str]:
    """Every numeric assumption with a prior range (run settings such as the horizon left out)."""
    return [p.name for p in PARAMS.values()
            if p.kind == ASSUMPTION and p.prior is not None and not p.fixed
            and p.type in (int, float) and not p.name.startswith("scenario.")]


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def lever_problems(names: Sequence[str]) -> list[str]:
    return [f"--levers {name}: not a lever{_did_you_mean(name, list(LEVERS))}; levers: "
            + ", ".join(LEVERS) for name in names if name not in LEVERS]


def choose_inputs(levers: Sequence[str] | None, vary: Sequence[str] | None
                  ) -> tuple[dict[str, Input], list[str]]:
    """The inputs to vary and a list of problems (one line each).

    `levers`: lever names (None: no lever; an empty list: every lever). `vary`: uncertain
    parameters as NAME (its prior range) or NAME=LOW:HIGH; None: every assumption's prior range;
    ["none"]: no uncertainty.
    """
    from libyasim.sweep import check_ranges, parse_param

    problems: list[str] = []
    inputs: dict[str, Input] = {}
    if levers is not None:
        names = list(levers) or list(LEVERS)
        problems += lever_problems(names)
        inputs.update({n: LEVERS[n] for n in names if n in LEVERS})
    texts = default_uncertainties() if vary is None else [] if list(vary) == ["none"] else vary
    for text in texts:
        try:
            name, bounds = parse_param(text)
            (low, high), = check_ranges({name: bounds}).values()
        except ScenarioError as exc:
            problems.append(str(exc).replace("--param", "--vary", 1))
            continue
        if name in inputs:
            if vary is not None:
                problems.append(f"--vary {name}: already a lever; name it once")
            continue
        inputs[name] = Input(name, "uncertainty", low, high, PARAMS[name].reason.split(". ")[0])
    if not inputs and not problems:
        problems.append("nothing to vary: name --levers, or --vary NAME[=LOW:HIGH] (without "
                        "--vary, every assumption's prior range)")
    return inputs, problems


def design(inputs: Mapping[str, Input], samples: int, method: str = "lhs",
           seed: int = 0) -> pd.DataFrame:
    """The experiments: one row each (column `experiment`, then one column per input), placed
    by a Latin hypercube or a scrambled Sobol sequence; switches off/on, whole numbers rounded."""
    from scipy.stats import qmc

    names = list(inputs)
    if method == "sobol":
        unit = qmc.Sobol(d=len(names), scramble=True, seed=seed % 2**32).random(samples)
    else:
        unit = qmc.LatinHypercube(d=len(names), seed=seed % 2**32).random(samples)
    table = pd.DataFrame({n: [inputs[n].value(u) for u in unit[:, j]]
                          for j, n in enumerate(names)})
    table.insert(0, "experiment", np.arange(samples))
    return table


def design_problems(samples: int, method: str, runs: int) -> list[str]:
    problems = []
    if method not in ("lhs", "sobol"):
        problems.append(f"--design: got {method!r}; expected 'lhs' or 'sobol'")
    if samples < 10:
        problems.append(f"--samples: got {samples}; expected at least 10 experiments")
    elif method == "sobol" and samples & (samples - 1):
        problems.append(f"--samples: got {samples}; expected a power of 2 (e.g. 256) for "
                        "--design sobol")
    if runs < 1:
        problems.append(f"--runs: got {runs}; expected at least 1")
    return problems


# ---------------------------------------------------------------------------- the case
_OPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.GtE: (">=", operator.ge), ast.LtE: ("<=", operator.le), ast.Gt: (">", operator.gt),
    ast.Lt: ("<", operator.lt), ast.Eq: ("==", operator.eq), ast.NotEq: ("!=", operator.ne)}
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}
_BY_SYMBOL = {symbol: fn for symbol, fn in _OPS.values()}
# comparisons that a censored value (the event had not happened by the run's last day, or the
# truce still held) satisfies: the true value lies beyond every threshold within the horizon
_TRUE_WHEN_CENSORED = {">=", ">", "!="}
_FORM = ("expected conditions such as truce_days >= 60, settlement_day <= 365 or "
         "holder_sirte == gna, joined by and, or, not and parentheses")


@dataclass(frozen=True)
class Condition:
    """`outcome OP value`: a number, true/false for events, a label for categories."""

    name: str
    op: str
    value: Any

    def __str__(self) -> str:
        value = str(self.value).lower() if isinstance(self.value, bool) else (
            f"{self.value:g}" if isinstance(self.value, float) else self.value)
        return f"{self.name} {self.op} {value}"


@dataclass(frozen=True)
class Combined:
    how: str  # "and", "or", "not"
    parts: tuple[Any, ...]


class CaseError(ScenarioError):
    """A --case that cannot be parsed, or cannot be decided for some runs."""

    def __init__(self, text: str, message: str):
        super().__init__("--case", repr(text), message)


@dataclass(frozen=True)
class Case:
    """A condition on a run's outcomes, parsed safely (no eval) against the outcome registry.

    Censored values, by the registry's rule: a day outcome whose event had not happened by the
    run's horizon, and a truce that still held at the horizon (truce_days), lie beyond what the
    run saw. A comparison with a threshold within what the run saw is decided (truce_days >= 60
    is met by a truce that held 300 days to the horizon, settlement_day <= 365 is not met when
    no settlement came by day 365); one beyond it is refused (CaseError), never guessed. A run
    without a declared truce meets no condition on truce_days (there was no truce to hold).
    """

    text: str
    tree: Any

    def conditions(self) -> list[Condition]:
        found: list[Condition] = []

        def walk(node: Any) -> None:
            if isinstance(node, Condition):
                found.append(node)
            else:
                for part in node.parts:
                    walk(part)
        walk(self.tree)
        return found

    @property
    def outcomes(self) -> list[str]:
        return list(dict.fromkeys(c.name for c in self.conditions()))

    def evaluate(self, runs: pd.DataFrame, horizon: int) -> np.ndarray:
        """Per run: whether it meets the case (bool array aligned with `runs`)."""
        def value(node: Any) -> np.ndarray:
            if isinstance(node, Condition):
                return _decide(self.text, node, runs, horizon)
            parts = [value(p) for p in node.parts]
            if node.how == "not":
                return ~parts[0]
            combine = np.logical_and if node.how == "and" else np.logical_or
            result = parts[0]
            for part in parts[1:]:
                result = combine(result, part)
            return result
        return np.asarray(value(self.tree), dtype=bool)


def parse_case(text: str) -> Case:
    """Parse a case such as "truce_days >= 60 and not truce_collapsed"; CaseError if wrong."""
    if not isinstance(text, str) or not text.strip():
        raise CaseError(str(text), _FORM)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise CaseError(text, f"cannot be read; {_FORM}") from None
    return Case(text.strip(), _node(text, tree))


def _node(text: str, node: ast.AST) -> Any:
    if isinstance(node, ast.BoolOp):
        how = "and" if isinstance(node.op, ast.And) else "or"
        return Combined(how, tuple(_node(text, v) for v in node.values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Combined("not", (_node(text, node.operand),))
    if isinstance(node, ast.Compare):
        terms = [node.left, *node.comparators]
        pairs = [_condition(text, terms[i], op, terms[i + 1]) for i, op in enumerate(node.ops)]
        return pairs[0] if len(pairs) == 1 else Combined("and", tuple(pairs))
    if isinstance(node, ast.Name):  # a bare event: truce_collapsed
        outcome = _outcome(text, node.id)
        if outcome.kind != "event":
            raise CaseError(text, f"{node.id} is a {outcome.kind}; compare it with a value, "
                            f"e.g. {node.id} {_example(outcome)}")
        return Condition(node.id, "==", True)
    raise CaseError(text, f"'{ast.unparse(node)}' is not a condition; {_FORM}")


def _outcome(text: str, name: str) -> registry.Outcome:
    if name not in registry.OUTCOMES:
        raise CaseError(text, f"unknown outcome {name!r}"
                        f"{_did_you_mean(name, list(registry.OUTCOMES))} (outcomes: see the "
                        "README's outcome table)")
    return registry.OUTCOMES[name]


def _example(outcome: registry.Outcome) -> str:
    if outcome.kind == "category":
        return f"== {outcome.categories[0]}"
    return ">= 60" if outcome.kind in ("day", "duration") else ">= 100"


def _condition(text: str, left: ast.AST, op: ast.cmpop, right: ast.AST) -> Condition:
    if type(op) not in _OPS:
        raise CaseError(text, f"operator '{ast.unparse(op) if hasattr(ast, 'unparse') else op}' "
                        f"is not allowed; use >=, <=, >, <, == or !=")
    symbol = _OPS[type(op)][0]
    if isinstance(right, ast.Name) and right.id in registry.OUTCOMES and not (
            isinstance(left, ast.Name) and left.id in registry.OUTCOMES):
        left, right, symbol = right, left, _FLIP[symbol]  # 60 <= truce_days
    if not isinstance(left, ast.Name):
        raise CaseError(text, f"'{ast.unparse(left)} {symbol} {ast.unparse(right)}': expected "
                        "an outcome name on one side and a value on the other")
    outcome = _outcome(text, left.id)
    return Condition(left.id, symbol, _value(text, outcome, symbol, right))


def _value(text: str, outcome: registry.Outcome, symbol: str, node: ast.AST) -> Any:
    raw: Any
    if isinstance(node, ast.Constant):
        raw = node.value
    elif isinstance(node, ast.Name):
        raw = node.id
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(
            node.operand, ast.Constant):
        raw = -node.operand.value if isinstance(node.operand.value, (int, float)) else None
    else:
        raw = None
    where = f"{outcome.name} {symbol} {ast.unparse(node)}"
    if outcome.kind == "category":
        if symbol not in ("==", "!="):
            raise CaseError(text, f"'{where}': {outcome.name} is a category; use == or !=")
        if raw not in outcome.categories:
            hint = _did_you_mean(str(raw), outcome.categories)
            raise CaseError(text, f"'{where}': unknown {outcome.name} value{hint}; expected "
                            f"one of {', '.join(outcome.categories)}")
        return raw
    if outcome.kind == "event":
        truth = {"true": True, "false": False, True: True, False: False}  # 1 == True
        if symbol not in ("==", "!=") or raw not in truth:
            raise CaseError(text, f"'{where}': {outcome.name} is yes or no; write "
                            f"{outcome.name}, not {outcome.name}, or {outcome.name} == true")
        return truth[raw]
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise CaseError(text, f"'{where}': expected a number ({outcome.label}, "
                        f"{outcome.unit or 'a number'})")
    return float(raw)


def _decide(text: str, condition: Condition, runs: pd.DataFrame, horizon: int) -> np.ndarray:
    """Whether each run meets one condition, censored values by the rule in `Case`."""
    outcome = registry.get(condition.name)
    compare = _BY_SYMBOL[condition.op]
    if outcome.kind in ("category", "event"):
        column = runs[condition.name]
        column = column.astype(bool) if outcome.kind == "event" else column.astype(str)
        return np.asarray(compare(column, condition.value), dtype=bool)
    seen = registry.values(runs, condition.name, horizon).to_numpy(float)  # censored: the bound
    raw = runs[condition.name].astype(float).to_numpy()
    censored = np.isnan(raw) & ~np.isnan(seen)
    threshold = float(condition.value)
    met = np.where(np.isnan(seen), False, compare(np.nan_to_num(seen), threshold))
    undecided = censored & (threshold > seen)
    if undecided.any():
        what = ("the truce still held" if outcome.censoring == "truce_start"
                else f"{outcome.event or 'the event'} had not happened")
        raise CaseError(text, f"'{condition}': in {int(undecided.sum())} runs {what} after "
                        f"only {seen[undecided].min():g} {outcome.unit}, so the case cannot be "
                        f"decided for them; expected a threshold of at most "
                        f"{seen[censored].min():g}")
    met[censored] = condition.op in _TRUE_WHEN_CENSORED
    return met.astype(bool)


def case_problems(case: Case, scenario: Scenario, inputs: Mapping[str, Input]) -> list[str]:
    """Thresholds beyond what any run can see, found before anything runs."""
    horizon = float(scenario["scenario.horizon_days"])
    if "scenario.horizon_days" in inputs:
        horizon = inputs["scenario.horizon_days"].low
    start, day0 = scenario["truce.start"], scenario["scenario.start_date"]
    window = horizon - (start - day0).days if isinstance(start, dt.date) else horizon
    problems = []
    for c in case.conditions():
        outcome = registry.get(c.name)
        if outcome.kind not in ("day", "duration") or outcome.censoring == "":
            continue
        limit = window if outcome.censoring == "truce_start" else horizon
        if float(c.value) > limit:
            problems.append(f"--case {case.text!r}: '{c}' lies beyond what the runs see "
                            f"({limit:g} days); a run in which it had not happened by then "
                            f"cannot be decided; expected a threshold of at most {limit:g}")
    return problems


# ---------------------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Settings:
    """How PRIM and its checks run."""

    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05
    resamples: int = 10  # PRIM reruns on random halves of the runs
    seed: int = 0

    def problems(self) -> list[str]:
        out = []
        for name in ("peel_alpha", "paste_alpha", "mass_min"):
            value = getattr(self, name)
            if not 0 < value < 0.5:
                out.append(f"--{name.replace('_', '-')}: got {value:g}; expected a share "
                           "between 0 and 0.5 (e.g. 0.05)")
        if self.resamples < 0:
            out.append(f"--resamples: got {self.resamples}; expected 0 or more")
        return out


def _ema() -> Any:
    """EMA Workbench's analysis modules (quietly: it warns about optional packages)."""
    from libyasim.extras import require

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        require("ema_workbench", "discovery", "scenario discovery (libyasim explore)")
        from ema_workbench.analysis import cart, feature_scoring, prim
    import logging

    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim, cart, feature_scoring


def _restricted(box: pd.DataFrame, full: pd.DataFrame) -> list[str]:
    return [c for c in box.columns if not np.allclose(box[c].to_numpy(float),
                                                      full[c].to_numpy(float))]


def _prim_box(x: pd.DataFrame, y: np.ndarray, settings: Settings) -> Any:
    prim, _, _ = _ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, peel_alpha=settings.peel_alpha,
                           paste_alpha=settings.paste_alpha, mass_min=settings.mass_min)
        return finder.find_box()


def _qp(values: Sequence[float]) -> float:
    """A restriction's quasi-p value: the larger of its restricted sides' (-1: not restricted)."""
    shown = [v for v in values if v >= 0]
    return float(max(shown)) if shown else float("nan")


def recurrence(x: pd.DataFrame, y: np.ndarray, trajectory: pd.DataFrame, settings: Settings
               ) -> list[dict[str, float]]:
    """Per box of the trajectory: for each input, the share of PRIM reruns on random halves of
    the runs (at most RERUN_CAP runs each, which keeps 10,000 experiments quick) whose box
    nearest in coverage and density restricts that input (as EMA Workbench's
    `PrimBox.resample`, here with the same peeling settings and a seed)."""
    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, 0x5D15C0]))
    reruns = []
    for _ in range(settings.resamples):
        pick = np.sort(rng.choice(len(x), size=min(len(x) // 2, RERUN_CAP), replace=False))
        if not 0 < y[pick].sum() < len(pick):
            continue
        box = _prim_box(x.iloc[pick].reset_index(drop=True), y[pick], settings)
        reruns.append((box.peeling_trajectory[["coverage", "density"]].to_numpy(float),
                       [set(qp) for qp in box.p_values]))
    shares = []
    for point in trajectory[["coverage", "density"]].to_numpy(float):
        counts = dict.fromkeys(x.columns, 0.0)
        for points, restricted in reruns:
            nearest = int(np.hypot(*(points - point).T).argmin())
            for name in restricted[nearest]:
                counts[name] += 1.0
        shares.append({k: v / len(reruns) if reruns else float("nan")
                       for k, v in counts.items()})
    return shares


def choose_box(trajectory: pd.DataFrame) -> int:
    """The default box: see MIN_COVERAGE and DENSITY_TOLERANCE above."""
    pool = trajectory[trajectory["coverage"] >= MIN_COVERAGE]
    near = pool[pool["density"] >= pool["density"].max() - DENSITY_TOLERANCE]
    near = near.sort_values(["coverage", "density", "res_dim"], ascending=[False, False, True])
    return int(near["box"].iloc[0])


SWITCH_LABELS = ("off", "on")


def _as_categories(x: pd.DataFrame) -> pd.DataFrame:
    """Switch columns (0/1) as the categories off/on: PRIM peels a category as a whole (and
    EMA Workbench's quantile search is slow on columns of two values)."""
    out = x.copy()
    for name in x.columns:
        if set(np.unique(x[name].to_numpy(float))) <= {0.0, 1.0}:
            out[name] = pd.Categorical.from_codes(x[name].to_numpy(np.int64),
                                                  categories=pd.Index(SWITCH_LABELS))
    return out


def _bounds(limits: pd.DataFrame, name: str) -> tuple[float, float]:
    """A box's (low, high) for an input; a switch's set of categories as 0/1 bounds."""
    low, high = limits[name].iloc[0], limits[name].iloc[1]
    if isinstance(low, (set, frozenset)):
        return (0.0 if "off" in low else 1.0), (1.0 if "on" in low else 0.0)
    return float(low), float(high)


def discover(x: pd.DataFrame, y: np.ndarray, settings: Settings = Settings()
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM with peeling and pasting on inputs `x` (numbers; switches 0/1) and case `y`.

    Returns (trajectory, boxes): the trajectory has one row per box (box, coverage, density,
    its 95% Wilson interval, mass, n, cases, res_dim, restricted); boxes one row per box and
    restricted input (box, input, low, high, coverage, density, qp, qp_low, qp_high, recurs).
    """
    from libyasim.analysis import wilson

    x = _as_categories(x)
    box = _prim_box(x, y, settings)
    path = box.peeling_trajectory
    full = box.box_lims[0]
    rows, traj = [], []
    shares = recurrence(x, y, path, settings)
    for i in range(len(path)):
        limits, qps = box.box_lims[i], box.p_values[i]
        restricted = [n for n in x.columns if n in qps]
        n, k = int(path["n"].iloc[i]), int(path["k"].iloc[i])
        _, low, high = wilson(k, n)
        traj.append({"box": i, "coverage": float(path["coverage"].iloc[i]),
                     "density": float(path["density"].iloc[i]), "density_low": low,
                     "density_high": high, "mass": float(path["mass"].iloc[i]), "n": n,
                     "cases": k, "res_dim": len(restricted), "restricted": "; ".join(restricted)})
        for name in restricted:
            (low, high), (full_low, full_high) = _bounds(limits, name), _bounds(full, name)
            rows.append({"box": i, "input": name, "low": low, "high": high,
                         "full_low": full_low, "full_high": full_high,
                         "coverage": traj[-1]["coverage"], "density": traj[-1]["density"],
                         "qp": _qp(qps[name]), "qp_low": _nan(qps[name][0]),
                         "qp_high": _nan(qps[name][1]), "recurs": shares[i][name]})
    columns = ["box", "input", "low", "high", "full_low", "full_high", "coverage", "density",
               "qp", "qp_low", "qp_high", "recurs"]
    return pd.DataFrame(traj), pd.DataFrame(rows, columns=columns)


def _nan(value: float) -> float:
    return float(value) if value >= 0 else float("nan")


def cart_boxes(x: pd.DataFrame, y: np.ndarray, mass_min: float) -> pd.DataFrame:
    """CART's leaves as boxes: one row per leaf and restricted input (leaf, input, low, high,
    coverage, density, mass); a leaf that restricts nothing gets one row with an empty input."""
    _, cart, _ = _ema()
    tree = cart.CART(x, y, mass_min=mass_min)
    tree.build_tree()
    full = pd.DataFrame({c: [x[c].min(), x[c].max()] for c in x.columns})
    rows = []
    for leaf, (limits, stats) in enumerate(zip(tree.boxes, tree.stats), start=1):
        common = {"coverage": float(stats["coverage"]), "density": float(stats["density"]),
                  "mass": float(stats["mass"])}
        restricted = _restricted(limits, full)
        for name in restricted or [""]:
            lo, hi = (limits[name].iloc[0], limits[name].iloc[1]) if name else (np.nan, np.nan)
            rows.append({"leaf": leaf, "input": name, "low": float(lo), "high": float(hi),
                         **common})
    return pd.DataFrame(rows)


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int) -> pd.DataFrame:
    """How much each input tells about the case: extra-trees importance (sums to 1)."""
    _, _, scoring = _ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = scoring.get_ex_feature_scores(
            x, y, mode=scoring.RuleInductionType.CLASSIFICATION, random_state=seed % 2**32)
    table = scores.iloc[:, 0].rename("score").rename_axis("input").reset_index()
    return table.sort_values("score", ascending=False, ignore_index=True)


# ---------------------------------------------------------------------------- the result
@dataclass
class Exploration:
    """What `explore` found: the experiments, the case, PRIM's boxes, CART and feature scores.

    In a notebook: `box_table()`, `plot_tradeoff()`, `plot_box_limits()`, `plot_pairs()`,
    `plot_feature_scores()`; `select(k)` gives the same result with box k chosen.
    """

    scenario: str
    case: str
    inputs: dict[str, Input]
    experiments: pd.DataFrame
    x: pd.DataFrame  # one row per run: the inputs as numbers (switches 0/1)
    y: np.ndarray  # one per run: the case is met
    trajectory: pd.DataFrame
    boxes: pd.DataFrame
    chosen: int
    rule: str
    cart: pd.DataFrame
    scores: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None

    def __repr__(self) -> str:
        row = self.trajectory.iloc[self.chosen]
        limits = "; ".join(self.limit_texts()) or "no restriction"
        return (f"<Exploration of {self.scenario!r}: case {self.case!r} met in "
                f"{self.y.mean():.0%} of {len(self.y)} runs; box {self.chosen}: coverage "
                f"{row.coverage:.0%}, density {row.density:.0%} ({limits})>")

    @property
    def base_rate(self) -> float:
        return float(self.y.mean())

    def select(self, box: int) -> Exploration:
        """The same result with box `box` of the trajectory chosen."""
        check_box(box, self.trajectory)
        return replace(self, chosen=box, rule=f"chosen by hand (--box {box})")

    def box_table(self, box: int | None = None) -> pd.DataFrame:
        """The chosen box's limits: input, low, high (switches as off/on), the full range,
        quasi-p values and how often the input recurs in PRIM reruns on half the runs."""
        k = self.chosen if box is None else box
        rows = self.boxes[self.boxes["box"] == k]
        return pd.DataFrame({
            "input": rows["input"],
            "role": [self.inputs[n].role for n in rows["input"]],
            "box": [self._range(n, lo, hi) for n, lo, hi in zip(rows["input"], rows["low"],
                                                                 rows["high"])],
            "full range": [self._range(n, lo, hi) for n, lo, hi in
                           zip(rows["input"], rows["full_low"], rows["full_high"])],
            "qp": rows["qp"], "recurs": rows["recurs"]}).reset_index(drop=True)

    def _range(self, name: str, low: float, high: float) -> str:
        item = self.inputs[name]
        if item.switch:
            return "off or on" if low < 0.5 <= high else item.text(low)
        return f"{item.text(low)} to {item.text(high)}"

    def limit_texts(self, box: int | None = None) -> list[str]:
        """The chosen box's limits in words, e.g. 'truce.monitoring on'."""
        k = self.chosen if box is None else box
        texts = []
        for _, r in self.boxes[self.boxes["box"] == k].iterrows():
            item = self.inputs[r.input]
            if item.switch:
                text = f"{r.input} {item.text(r.low if r.low >= 0.5 else r.high)}"
            elif r.low > r.full_low and r.high < r.full_high:
                text = f"{r.input} {item.text(r.low)} to {item.text(r.high)}"
            elif r.low > r.full_low:
                text = f"{r.input} >= {item.text(r.low)}"
            else:
                text = f"{r.input} <= {item.text(r.high)}"
            texts.append(text + (" (not significant)" if not r.qp <= SIGNIFICANCE else ""))
        return texts

    def findings(self) -> list[str]:
        """Plain sentences: the case's base rate, the chosen box, how sure, the top scores."""
        row = self.trajectory.iloc[self.chosen]
        lines = [f"The case '{self.case}' is met in {self.y.sum():,} of {len(self.y):,} runs "
                 f"({self.base_rate:.0%}) over {len(self.experiments):,} experiments."]
        if self.base_rate < RARE or self.base_rate > 1 - RARE:
            lines.append("Warning: the case is rare (or nearly universal) in these runs; boxes "
                         "rest on few cases. Run more experiments or choose another threshold.")
        limits = self.limit_texts()
        if limits:
            lines.append(f"Box {self.chosen} ({self.rule}): when {' and '.join(limits)}, the case "
                         f"is met in {row.density:.0%} of runs (95% interval "
                         f"{row.density_low:.0%} to {row.density_high:.0%}); the box holds "
                         f"{row.coverage:.0%} of all runs that meet it and {row.mass:.0%} of "
                         "the runs.")
            table = self.box_table()
            weak = table[~(table["qp"] <= SIGNIFICANCE)]["input"].tolist()
            shaky = table[table["recurs"] < 0.5]["input"].tolist()
            lines.append("Every limit is significant (quasi-p <= 0.05)." if not weak else
                         f"Not significant (quasi-p > 0.05; the box says little about them): "
                         f"{', '.join(weak)}.")
            if self.settings.get("resamples"):
                lines.append("Every restricted input recurs in at least half of the PRIM reruns "
                             "on half the runs." if not shaky else
                             f"Recurring in fewer than half of the reruns on half the runs (may "
                             f"be chance): {', '.join(shaky)}.")
        else:
            lines.append("PRIM found no box denser than the whole space: no input (in these "
                         "ranges) makes the case more likely.")
        top = self.scores.head(3)
        lines.append("Feature scores, highest: " + ", ".join(
            f"{n} {s:.2f}" for n, s in zip(top["input"], top["score"])) + ".")
        return lines

    # ------------------------------------------------------------------ figures
    def plot_tradeoff(self) -> Any:
        from libyasim import discovery_plots

        return discovery_plots.tradeoff_figure(self)

    def plot_box_limits(self, box: int | None = None) -> Any:
        from libyasim import discovery_plots

        return discovery_plots.box_limits_figure(self, self.chosen if box is None else box)

    def plot_pairs(self, box: int | None = None) -> Any:
        from libyasim import discovery_plots

        return discovery_plots.pairs_figure(self, self.chosen if box is None else box)

    def plot_feature_scores(self) -> Any:
        from libyasim import discovery_plots

        return discovery_plots.feature_scores_figure(self)

    def figures(self) -> dict[str, Any]:
        return {"tradeoff": self.plot_tradeoff(), "box_limits": self.plot_box_limits(),
                "pairs": self.plot_pairs(), "feature_scores": self.plot_feature_scores()}


def check_box(box: int, trajectory: pd.DataFrame) -> None:
    if not 0 <= box < len(trajectory):
        raise ScenarioError("--box", None, f"got {box}; expected a box of the peeling "
                            f"trajectory, 0 to {len(trajectory) - 1}")


def input_matrix(experiments: pd.DataFrame, runs: pd.DataFrame, inputs: Mapping[str, Input]
                 ) -> pd.DataFrame:
    """One row per run: its experiment's inputs as floats (switches 0/1), in run order."""
    by_experiment = experiments.set_index("experiment")[list(inputs)].astype(float)
    return by_experiment.loc[runs["point"].to_numpy()].reset_index(drop=True)


def analyse(scenario: Scenario, experiments: pd.DataFrame, runs: pd.DataFrame,
            inputs: Mapping[str, Input], case: Case, settings: Settings,
            box: int | None = None, folder: Path | None = None,
            meta: Mapping[str, Any] | None = None) -> Exploration:
    """Mark the runs that meet the case and run PRIM, CART and feature scoring."""
    runs = runs.sort_values(["point", "run"], ignore_index=True)
    y = case.evaluate(runs, scenario["scenario.horizon_days"])
    if y.all() or not y.any():
        raise CaseError(case.text, f"is met in {'all' if y.all() else 'none'} of the "
                        f"{len(y)} runs; nothing to discover. Choose another threshold or "
                        "other ranges (the runs are kept: the same command reuses them)")
    x = input_matrix(experiments, runs, inputs)
    trajectory, boxes = discover(x, y, settings)
    if box is not None:
        check_box(box, trajectory)
        chosen, rule = box, f"chosen by hand (--box {box})"
    else:
        chosen = choose_box(trajectory)
        rule = (f"the default rule: of the boxes with coverage >= {MIN_COVERAGE:.0%}, the "
                f"highest coverage within {DENSITY_TOLERANCE:.0%} of the best density")
    return Exploration(scenario.name, case.text, dict(inputs), experiments, x, y, trajectory,
                       boxes, chosen, rule, cart_boxes(x, y, settings.mass_min),
                       feature_scores(x, y, settings.seed),
                       {**settings.__dict__, **(meta or {})}, folder)


# ---------------------------------------------------------------------------- running
@dataclass(frozen=True)
class Plan:
    """Everything `explore` needs, checked."""

    scenario: Scenario
    inputs: dict[str, Input]
    case: Case
    samples: int
    runs: int
    seed: int
    method: str
    settings: Settings

    def design_json(self) -> dict[str, Any]:
        """What identifies the experiments (a folder with other experiments is refused)."""
        return {"scenario": self.scenario.to_json()["values"], "name": self.scenario.name,
                "inputs": [i.to_json() for i in self.inputs.values()], "samples": self.samples,
                "runs": self.runs, "seed": self.seed, "design": self.method}


def plan(scenario: Scenario, case: str, levers: Sequence[str] | None = None,
         vary: Sequence[str] | None = None, samples: int = 200, runs: int = 1,
         seed: int | None = None, method: str = "lhs", settings: Settings | None = None
         ) -> tuple[Plan | None, list[str]]:
    """Check every input; return the plan, or None and one line per problem."""
    import importlib.util

    inputs, problems = choose_inputs(levers, vary)
    if importlib.util.find_spec("ema_workbench") is None:  # before anything runs
        problems.append("scenario discovery (libyasim explore) needs the [discovery] extra "
                        "(ema_workbench is not installed); install it with: pip install "
                        "'libyasim[discovery]'")
    problems += design_problems(samples, method, runs)
    settings = settings or Settings(seed=scenario["scenario.seed"] if seed is None else seed)
    problems += settings.problems()
    parsed = None
    try:
        parsed = parse_case(case)
        problems += case_problems(parsed, scenario, inputs)
    except ScenarioError as exc:
        problems.append(str(exc))
    if problems or parsed is None:
        return None, problems
    seed = scenario["scenario.seed"] if seed is None else seed
    return Plan(scenario, inputs, parsed, samples, runs, seed, method,
                replace(settings, seed=seed)), []


def refuse_other(out: Path, chosen: Plan, force: bool) -> None:
    """Refuse a folder that holds other experiments, another analysis or other files."""
    if force or not out.is_dir() or not any(out.iterdir()):
        return
    path = out / SETTINGS_FILE
    if not path.is_file():
        raise EnsembleError(f"{out} holds other files, not a libyasim explore folder; choose "
                            "another --out folder, or pass --force to write there")
    old = json.loads(path.read_text())
    if old.get("design") != chosen.design_json():
        raise EnsembleError(f"{out} holds other experiments (another scenario, inputs, "
                            "--samples, --runs, --seed or --design); nothing was changed. "
                            "Choose another --out folder, or pass --force to replace them")
    if old.get("case") not in (None, chosen.case.text):
        raise EnsembleError(f"{out} holds the analysis of case {old['case']!r}; pass --force "
                            f"to replace it with {chosen.case.text!r} (the runs are reused), "
                            "or choose another --out folder")


def run(chosen: Plan, out: str | Path, box: int | None = None, backend: Backend | None = None,
        workers: int | None = None, force: bool = False, progress: bool = True
        ) -> Exploration:
    """Run the experiments into `out` (reusing or completing runs already there) and analyse
    them; write the experiments, the tables and the figures. Returns the result."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        usable_folder(out)  # says that it is a file
    refuse_other(out, chosen, force)
    experiments = design(chosen.inputs, chosen.samples, chosen.method, chosen.seed)
    points = [{str(n): _plain(v) for n, v in row.items() if n != "experiment"}
              for row in experiments.to_dict("records")]
    out.mkdir(parents=True, exist_ok=True)
    if not (out / SETTINGS_FILE).is_file() or force:  # marks the folder before any run
        atomic_write_text(json.dumps({"design": chosen.design_json(), "case": None}, indent=1,
                                     default=str), out / SETTINGS_FILE)
    atomic_write_parquet(experiments, out / EXPERIMENTS_FILE)
    run_points(chosen.scenario, points, out, runs=chosen.runs, seed=chosen.seed, workers=workers,
               backend=backend, resume="auto", progress=progress, own_seeds=True)
    runs_df = load_results(out)[0]
    meta = {"design": chosen.design_json(), "resamples": chosen.settings.resamples}
    found = analyse(chosen.scenario, experiments, runs_df, chosen.inputs, chosen.case,
                    chosen.settings, box, out, meta)
    save(found, out)
    return found


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def save(found: Exploration, out: Path) -> list[Path]:
    """Write the tables, the figures and explore.json (last) into `out`."""
    from libyasim import plots

    tables = {TRAJECTORY_FILE: found.trajectory.assign(chosen=found.trajectory["box"]
                                                       == found.chosen),
              BOXES_FILE: found.boxes, CART_FILE: found.cart, SCORES_FILE: found.scores}
    for name, table in tables.items():
        atomic_write(out / name, functools.partial(_write_csv, table))
    (out / "plots").mkdir(exist_ok=True)
    paths = plots._save_figures(found.figures(), out / "plots")
    record = {"libyasim_version": __version__, "scenario": found.scenario, "case": found.case,
              "chosen_box": found.chosen, "rule": found.rule, "base_rate": found.base_rate,
              "runs": int(len(found.y)), "cases": int(found.y.sum()),
              "findings": found.findings(), "inputs": [i.to_json() for i in found.inputs.values()],
              "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              **found.settings}
    atomic_write_text(json.dumps(record, indent=1, default=str), out / SETTINGS_FILE)
    return paths


def explore(scenario: Scenario, case: str, out: str | Path, levers: Sequence[str] | None = None,
            vary: Sequence[str] | None = None, samples: int = 200, runs: int = 1,
            seed: int | None = None, method: str = "lhs", box: int | None = None,
            settings: Settings | None = None, workers: int | None = None,
            backend: Backend | None = None, force: bool = False, progress: bool = True
            ) -> Exploration:
    """Check the inputs (ScenarioError listing every problem, one per line), then `run`."""
    chosen, problems = plan(scenario, case, levers, vary, samples, runs, seed, method, settings)
    if chosen is None:
        raise ScenarioError("explore", None, "\n".join(problems))
    return run(chosen, out, box, backend, workers, force, progress)


def load(folder: str | Path, box: int | None = None) -> Exploration:
    """Re-read an explore folder (its runs, experiments and case) and redo the analysis."""
    folder = Path(folder)
    if not (folder / SETTINGS_FILE).is_file() or not (folder / EXPERIMENTS_FILE).is_file():
        raise EnsembleError(f"{folder}: not a `libyasim explore` folder (no {SETTINGS_FILE} "
                            f"or {EXPERIMENTS_FILE})")
    record = json.loads((folder / SETTINGS_FILE).read_text())
    runs_df, _, manifest = load_results(folder)
    scenario = Scenario.from_json(manifest["scenario"])
    inputs = {i["name"]: Input(i["name"], i["role"], i["low"], i["high"], i.get("label", ""))
              for i in record["inputs"]}
    settings = Settings(**{k: record[k] for k in Settings.__dataclass_fields__ if k in record})
    return analyse(scenario, pd.read_parquet(folder / EXPERIMENTS_FILE), runs_df, inputs,
                   parse_case(record["case"]), settings,
                   record["chosen_box"] if box is None else box, folder,
                   {"design": record.get("design"), "resamples": settings.resamples})


# ---------------------------------------------------------------------------- command line
def add_command(sub: Any) -> None:
    """Register `libyasim explore`."""
    from libyasim.cli import _add_engine_args

    exp = sub.add_parser("explore", help="scenario discovery: which levers and uncertain values "
                         "make a case (e.g. a truce that holds) likely (PRIM, CART)")
    exp.add_argument("scenario", help="scenario file (TOML) whose other values stay fixed")
    exp.add_argument("--case", required=True, metavar="CONDITION",
                     help="the outcome of interest, e.g. \"truce_days >= 60\", "
                     "\"settlement_day <= 365\", \"holder_sirte == gna\"; join conditions with and, "
                     "or, not")
    exp.add_argument("--levers", nargs="?", const="", metavar="NAME[,NAME...]",
                     help="levers to vary (no value: all of them: " + ", ".join(LEVERS) + ")")
    exp.add_argument("--vary", action="append", metavar="NAME[=LOW:HIGH]",
                     help="an uncertain value and its range (a bare NAME: its prior range); "
                     "repeatable; 'none' for no uncertainty; default: every assumption's prior "
                     "range")
    exp.add_argument("--samples", type=arguments.positive_int, default=200,
                     help="experiments (default: 200)")
    exp.add_argument("--runs", type=arguments.positive_int, default=1,
                     help="runs (replications with their own seeds) per experiment (default: 1)")
    exp.add_argument("--design", choices=("lhs", "sobol"), default="lhs",
                     help="Latin hypercube (default) or scrambled Sobol (a power of 2 samples)")
    exp.add_argument("--seed", type=arguments.seed, help="root seed (default: the scenario's)")
    exp.add_argument("--box", type=arguments.whole(0), metavar="K",
                     help="choose box K of the peeling trajectory (default: by the rule in "
                     "docs/discovery.md)")
    for name, default in (("--peel-alpha", 0.05), ("--paste-alpha", 0.05), ("--mass-min", 0.05)):
        exp.add_argument(name, type=float, default=default, help=f"PRIM setting (default "
                         f"{default})")
    exp.add_argument("--resamples", type=arguments.whole(0), default=10,
                     help="PRIM reruns on random halves of the runs, to check each limit "
                     "recurs (default: 10)")
    exp.add_argument("--out", help="output folder (default: results/explore-SCENARIO)")
    _add_engine_args(exp)
    exp.add_argument("--force", action="store_true",
                     help="replace other experiments or another case's analysis in --out")
    exp.add_argument("--quiet", action="store_true", help="no progress bar or findings")
    exp.set_defaults(func=cmd_explore)


def cmd_explore(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from libyasim.check import problems as scenario_problems
    from libyasim.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, _backend
    from libyasim.scenario import load_scenario

    found = scenario_problems(args.scenario)
    chosen = None
    if not found:
        levers = None if args.levers is None else [n.strip() for n in args.levers.split(",")
                                                   if n.strip()]
        settings = Settings(args.peel_alpha, args.paste_alpha, args.mass_min, args.resamples)
        scenario = load_scenario(args.scenario)
        chosen, found = plan(scenario, args.case, levers, args.vary, args.samples, args.runs,
                             args.seed, args.design, settings)
    if chosen is None:
        for problem in found:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(args.out or Path("results") / f"explore-{Path(args.scenario).stem}")
    if not args.quiet:
        roles = [i.role for i in chosen.inputs.values()]
        print(f"exploring '{chosen.scenario.name}': {chosen.samples} experiments x "
              f"{chosen.runs} runs, {roles.count('lever')} levers and "
              f"{roles.count('uncertainty')} uncertain values, into {out}", file=sys.stderr)
    try:
        result = run(chosen, out, args.box, _backend(args), force=args.force,
                     progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are saved in {out}; the same command completes "
              "them", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print("\n".join(result.findings()))
        with pd.option_context("display.width", 200, "display.float_format", "{:.3g}".format):
            print("\n" + result.box_table().to_string(index=False))
        print(f"\nwrote {out}/{EXPERIMENTS_FILE}, runs.parquet, {TRAJECTORY_FILE}, "
              f"{BOXES_FILE}, {CART_FILE}, {SCORES_FILE}, {SETTINGS_FILE} and plots in "
              f"{out}/plots; `libyasim report {out}` makes a page of it")
    return 0


# ---------------------------------------------------------------------------- report
def is_explore_folder(folder: str | Path) -> bool:
    folder = Path(folder)
    return (folder / EXPERIMENTS_FILE).is_file() and (folder / SETTINGS_FILE).is_file()


def report_sections(folder: str | Path) -> tuple[str, list[str]]:
    """The title and HTML sections of `libyasim report` on an explore folder."""
    import html

    from libyasim.report import _figure_html, _table_html

    found = load(folder)
    manifest = load_results(folder)[2]
    design = found.settings.get("design") or {}
    meta = [("scenario", found.scenario), ("case", found.case),
            ("experiments", f"{len(found.experiments):,} ({design.get('design', 'lhs')})"),
            ("runs", f"{len(found.y):,} ({design.get('runs', 1)} per experiment, each with its "
                     "own seed)"), ("root seed", design.get("seed", "")),
            ("PRIM", f"peel_alpha {found.settings['peel_alpha']}, paste_alpha "
                     f"{found.settings['paste_alpha']}, mass_min {found.settings['mass_min']}, "
                     f"{found.settings['resamples']} reruns on half the runs"),
            ("simulated", manifest.get("created", "")),
            ("libyasim version", manifest.get("libyasim_version", "")),
            ("command", manifest.get("command", ""))]
    rows = "".join(f"<tr><th class=text>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in meta)
    inputs = pd.DataFrame([{**i.to_json()} for i in found.inputs.values()])
    trajectory = found.trajectory[["box", "coverage", "density", "density_low", "density_high",
                                   "mass", "n", "res_dim", "restricted"]]
    sections = [
        f'<table class="meta">{rows}</table>',
        "<h2>Findings</h2><ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in found.findings())
        + "</ul><p class=note>Coverage: the share of all runs meeting the case that fall in "
        "the box. Density: the share of runs in the box that meet the case. Quasi-p: a "
        "one-sided binomial test of each limit (small: the limit matters). Recurs: the share "
        "of PRIM reruns on random halves of the runs whose box restricts the same input. "
        "See docs/discovery.md.</p>",
        f"<h2>Box {found.chosen}</h2>" + _table_html(found.box_table(), index=False),
        _figure_html(found.plot_tradeoff(), "PRIM's peeling trajectory: each dot a box, from "
                     "the whole space (right) to small dense boxes (top left); the chosen box "
                     "ringed."),
        _figure_html(found.plot_box_limits(), "The chosen box's limits against each input's "
                     "full range, with quasi-p values and recurrence in reruns."),
        _figure_html(found.plot_pairs(), "The runs in the box's inputs, cases coloured, the box "
                     "drawn."),
        "<h2>Peeling trajectory</h2>" + _table_html(trajectory, index=False),
        "<h2>CART leaves</h2><p class=note>A classification tree's leaves as boxes, densest "
        "first.</p>" + _table_html(found.cart.sort_values(["density", "leaf"],
                                                          ascending=[False, True]), index=False),
        "<h2>Feature scores</h2>",
        _figure_html(found.plot_feature_scores(), "Which inputs tell most about the case "
                     "(extra-trees importance)."),
        "<h2>Inputs varied</h2>" + _table_html(inputs, index=False),
    ]
    return f"Scenario discovery: {found.scenario}, case '{found.case}'", sections


# ---------------------------------------------------------------------------- exercises
EXERCISE_FILE, KEY_TEMPLATE, KEY_FILE = "explore.toml", "key.template.md", "answer_key.md"


def _exercise_plan(folder: Path) -> Plan:
    """Read an exploration exercise's `explore.toml` and check it like the command line."""
    import tomllib

    from libyasim.scenario import load_scenario

    path = folder / EXERCISE_FILE
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        chosen, problems = plan(load_scenario(folder / spec["scenario"]), spec["case"],
                                spec.get("levers"), spec.get("vary"), int(spec["samples"]),
                                int(spec.get("runs", 1)), int(spec["seed"]))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(str(path), None, f"cannot read the exercise ({exc}); expected "
                            "title, scenario, case, levers, vary, samples and seed") from None
    if chosen is None:
        raise ScenarioError(str(path), None, "; ".join(problems))
    return chosen


def _markdown(table: pd.DataFrame) -> str:
    def cell(value: Any) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)
    lines = ["| " + " | ".join(map(str, table.columns)) + " |",
             "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def render_key(folder: str | Path, workers: int | None = None) -> str:
    """An exploration exercise's answer key: its template with the figures `explore` computes
    (fields: title, case, experiments, runs, base_rate, box, coverage, density, density_low,
    density_high, limits, box_table, findings, scores, trajectory, seed)."""
    import string
    import tempfile
    import tomllib

    folder = Path(folder)
    chosen = _exercise_plan(folder)
    with tempfile.TemporaryDirectory(prefix="libyasim-explore-") as tmp:
        found = run(chosen, Path(tmp) / "out", workers=workers, progress=False)
    row = found.trajectory.iloc[found.chosen]
    table = found.box_table().assign(qp=lambda t: t["qp"].map("{:.2g}".format),
                                     recurs=lambda t: t["recurs"].map("{:.0%}".format))
    fields = {"title": tomllib.loads((folder / EXERCISE_FILE).read_text())["title"],
              "case": found.case, "experiments": f"{len(found.experiments):,}",
              "runs": f"{len(found.y):,}", "seed": str(chosen.seed),
              "base_rate": f"{found.base_rate:.0%}", "box": str(found.chosen),
              "coverage": f"{row.coverage:.0%}", "density": f"{row.density:.0%}",
              "density_low": f"{row.density_low:.0%}", "density_high": f"{row.density_high:.0%}",
              "limits": "\n".join(f"- {t}" for t in found.limit_texts()) or "- (none)",
              "box_table": _markdown(table), "findings": "\n".join(found.findings()),
              "scores": _markdown(found.scores.head(8).round(3)),
              "trajectory": _markdown(found.trajectory[["box", "coverage", "density", "res_dim",
                                                        "restricted"]].round(2))}
    template = folder / KEY_TEMPLATE
    try:
        body = string.Formatter().vformat(template.read_text(encoding="utf-8"), (), fields)
    except (KeyError, ValueError, IndexError) as exc:
        raise ScenarioError(str(template), None, f"unknown or malformed field {exc}; expected "
                            f"one of {', '.join(fields)}") from None
    return (f"<!-- Generated by `libyasim exercises` from {KEY_TEMPLATE} and {EXERCISE_FILE}: do "
            "not edit by hand. -->\n" + body)


def render_keys(root: str | Path, write: bool = True, workers: int | None = None
                ) -> dict[Path, str]:
    """The answer key of every exploration exercise under `root` (folders with explore.toml)."""
    out = {}
    for folder in sorted(p.parent for p in Path(root).glob(f"*/{EXERCISE_FILE}")):
        text = render_key(folder, workers)
        if write:
            atomic_write_text(text, folder / KEY_FILE)
        out[folder / KEY_FILE] = text
    return out
