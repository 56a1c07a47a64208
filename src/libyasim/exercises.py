"""Classroom exercises: answer keys whose figures the model computes.

Each exercise folder holds `exercise.toml` (a title and its scenario files, the first being the
reference), a `worksheet.md` for students, and `key.template.md`: the teacher's answer key with
fields such as `{monitors.median_truce_days}` (scenario file stem, then a figure; see FIGURES),
`{table}` (all figures side by side) and `{changes}` (each scenario against the reference, with
whether the difference is beyond Monte Carlo noise). `render_keys` runs the scenarios (runs and
seed from the files) and writes `answer_key.md`; `stale_keys` tells which committed keys differ.
"""

from __future__ import annotations

import json
import string
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from libyasim import analysis
from libyasim.ensemble import load_results, run_ensemble
from libyasim.plots import END_STATE_LABELS
from libyasim.scenario import Scenario, ScenarioError, load_scenario

SPEC_FILE, TEMPLATE_FILE, KEY_FILE = "exercise.toml", "key.template.md", "answer_key.md"
NOISE_P = 0.05  # a difference is called clear when a two-sided test gives p below this

# figure name -> what it means (the rows of {table})
FIGURES = {
    "truce_collapsed": "runs in which the truce collapsed",
    "median_truce_days": "median truce survival (Kaplan-Meier)",
    "violations": "truce violations in the year (mean)",
    "battle_deaths": "battle deaths, fighters (median)",
    "battle_deaths_range": "battle deaths, 90% of runs between",
    "civilian_deaths": "civilian deaths (median)",
    "tripoli_falls": "runs in which Tripoli falls",
    "lna_withdraws": "runs in which the LNA leaves the Tripoli front",
    "talks": "runs in which talks start",
    "settlement": "runs ending in a signed permanent ceasefire",
    "gna_population": "population held by the GNA side at the end (mean)",
    "arms": "arms delivered, fighter-equivalents (mean)",
    "most_likely_end": "most common end state",
}


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
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
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


# ------------------------------------------------------------------ running and figures
def _cache_key(scenario: Scenario) -> str:
    return json.dumps(scenario.to_json()["values"], sort_keys=True)


def run_scenario(scenario: Scenario, workers: int | None = None) -> pd.DataFrame:
    """The per-run outcomes of a scenario (its own runs and seed), without daily series."""
    with tempfile.TemporaryDirectory(prefix="libyasim-exercise-") as tmp:
        run_ensemble(scenario, tmp, workers=workers, with_series=False, progress=False)
        runs, _, _ = load_results(tmp)
    return runs


def _share(mask: pd.Series) -> str:
    return f"{mask.mean():.0%}"


def _number(value: float) -> str:
    return f"{value:,.0f}"


def _survival(runs: pd.DataFrame, scenario: Scenario) -> str:
    if not scenario["truce.enabled"]:
        return "no truce"
    horizon = scenario["scenario.horizon_days"]
    median = analysis.median_survival(analysis.truce_survival(runs, horizon))
    return f"more than {horizon} days" if median is None else f"{median:.0f} days"


def figures(runs: pd.DataFrame, scenario: Scenario) -> dict[str, str]:
    """The figures of one scenario's runs, formatted for an answer key (see FIGURES)."""
    deaths = runs["battle_deaths"].astype(float)
    ends = runs["end_state"].value_counts(normalize=True)
    out = {
        "runs": str(len(runs)),
        "seed": str(scenario["scenario.seed"]),
        "truce_collapsed": _share(runs["truce_collapsed"].astype(bool)),
        "median_truce_days": _survival(runs, scenario),
        "violations": _number(runs["violations_total"].mean()),
        "battle_deaths": _number(deaths.median()),
        "battle_deaths_range": f"{deaths.quantile(0.05):,.0f} and {deaths.quantile(0.95):,.0f}",
        "civilian_deaths": _number(runs["civilian_deaths"].median()),
        "tripoli_falls": _share(runs["tripoli_fall_day"].notna()),
        "lna_withdraws": _share(runs["lna_withdraw_day"].notna()),
        "talks": _share(runs["talks_day"].notna()),
        "settlement": _share(runs["settlement_day"].notna()),
        "gna_population": f"{runs['gna_population_share'].mean():.0%}",
        "arms": _number(runs["arms_delivered_total"].mean()),
        "most_likely_end": f"{END_STATE_LABELS[ends.index[0]]} ({ends.iloc[0]:.0%})",
    }
    for state, label in END_STATE_LABELS.items():
        out[f"end_{state}"] = f"{ends.get(state, 0.0):.0%}"
    return out


# ------------------------------------------------------------------ comparisons
def _verdict(p: float) -> str:
    return "a clear difference" if p < NOISE_P else "within the Monte Carlo noise"


def _p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _fisher(a: pd.Series, b: pd.Series) -> float:
    table = [[int(a.sum()), int((~a).sum())], [int(b.sum()), int((~b).sum())]]
    return float(stats.fisher_exact(table).pvalue)


def _mann_whitney(a: pd.Series, b: pd.Series) -> float:
    p = stats.mannwhitneyu(a.astype(float), b.astype(float)).pvalue
    return 1.0 if np.isnan(p) else float(p)  # nan when both samples are one same value


def _logrank(a: pd.DataFrame, b: pd.DataFrame, horizon: int) -> float:
    def censored(runs: pd.DataFrame) -> stats.CensoredData:
        collapsed = runs["truce_collapsed"].to_numpy(bool)
        days = runs["truce_collapse_day"].astype(float).fillna(horizon).to_numpy()
        return stats.CensoredData(uncensored=days[collapsed], right=days[~collapsed])

    if not (a["truce_collapsed"].any() or b["truce_collapsed"].any()):
        return 1.0
    return float(stats.logrank(censored(a), censored(b)).pvalue)


def _happened(runs: pd.DataFrame, column: str) -> pd.Series:
    return runs[column].notna() if column.endswith("_day") else runs[column].astype(bool)


def _change_lines(ref_name: str, ref: pd.DataFrame, name: str, other: pd.DataFrame,
                  fig_ref: dict[str, str], fig: dict[str, str], scenario: Scenario) -> list[str]:
    horizon = scenario["scenario.horizon_days"]

    rows = []
    if scenario["truce.enabled"]:
        rows.append(("median_truce_days", _logrank(ref, other, horizon)))
    for figure, column in (("truce_collapsed", "truce_collapsed"),
                           ("tripoli_falls", "tripoli_fall_day"), ("talks", "talks_day"),
                           ("settlement", "settlement_day")):
        rows.append((figure, _fisher(_happened(ref, column), _happened(other, column))))
    for figure, column in (("violations", "violations_total"), ("battle_deaths", "battle_deaths"),
                           ("civilian_deaths", "civilian_deaths"),
                           ("gna_population", "gna_population_share"),
                           ("arms", "arms_delivered_total")):
        rows.append((figure, _mann_whitney(ref[column], other[column])))
    lines = [f"**{name}** against **{ref_name}**:", ""]
    for figure, p in rows:
        lines.append(f"- {FIGURES[figure]}: {fig_ref[figure]} -> {fig[figure]} "
                     f"({_verdict(p)}, {_p_text(p)})")
    return lines


# ------------------------------------------------------------------ keys
def render_key(exercise: Exercise, workers: int | None = None,
               cache: dict[str, pd.DataFrame] | None = None) -> str:
    """The answer key's text: the template with every figure filled in."""
    cache = {} if cache is None else cache
    runs: dict[str, pd.DataFrame] = {}
    for name, scenario in exercise.scenarios.items():
        key = _cache_key(scenario)
        if key not in cache:
            cache[key] = run_scenario(scenario, workers)
        runs[name] = cache[key]
    figs = {name: figures(runs[name], sc) for name, sc in exercise.scenarios.items()}
    names = list(exercise.scenarios)
    table = ["| | " + " | ".join(f"`{n}`" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    table += [f"| {label} | " + " | ".join(figs[n][f] for n in names) + " |"
              for f, label in FIGURES.items()]
    changes: list[str] = []
    for name in names[1:]:
        changes += _change_lines(names[0], runs[names[0]], name, runs[name], figs[names[0]],
                                 figs[name], exercise.scenarios[name]) + [""]
    fields: dict[str, Any] = {n: SimpleNamespace(**f) for n, f in figs.items()}
    fields.update(table="\n".join(table), changes="\n".join(changes).rstrip(),
                  title=exercise.title)
    template_path = exercise.folder / TEMPLATE_FILE
    try:
        body = string.Formatter().vformat(template_path.read_text(encoding="utf-8"), (), fields)
    except (KeyError, AttributeError, ValueError, IndexError) as exc:
        raise ScenarioError(str(template_path), None,
                            f"unknown or malformed field {exc}; expected a scenario stem "
                            f"({', '.join(names)}) with a figure, {{table}} or {{changes}}"
                            ) from None
    header = (f"<!-- Generated by `libyasim exercises` from {TEMPLATE_FILE} and the scenario "
              "files: do not edit by hand. -->\n")
    return header + body


def render_keys(root: str | Path, write: bool = True, workers: int | None = None
                ) -> dict[Path, str]:
    """Render the answer key of every exercise under `root`; write them unless `write` is
    False. Returns key path -> text."""
    cache: dict[str, pd.DataFrame] = {}
    out = {}
    for folder in find_exercises(root):
        text = render_key(load_exercise(folder), workers, cache)
        path = folder / KEY_FILE
        if write:
            path.write_text(text, encoding="utf-8")
        out[path] = text
    return out


def stale_keys(root: str | Path, workers: int | None = None) -> list[Path]:
    """Committed answer keys that differ from what the model computes now."""
    fresh = render_keys(root, write=False, workers=workers)
    return [path for path, text in fresh.items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]
