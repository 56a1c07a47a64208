"""Score an ensemble against what happened after its information cutoff (a hindcast).

For every observation whose window lies after `--from` and inside the runs, the ensemble's
distribution of the observation's statistic (observations.statistic, the same function
calibration fits with) is scored: numbers and dates by percentiles, interval coverage, PIT and
CRPS; yes/no facts by the predicted probability, Brier and log score. Two naive references are
scored the same way so that skill is relative (docs/validation.md defines them):

- persistence: the state at the cutoff carries on (nothing changes hands, the truce stays as it
  was); counts go on at the daily rate of the latest record known at the cutoff;
- year before: the record of the year before the cutoff repeats (the same fact one year
  earlier, or for counts the daily rate of the longest record ending in that year).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from libyasim import arguments
from libyasim.files import atomic_write
from libyasim.folders import REPORT_FILE, remove_derived, usable_folder
from libyasim.observations import (
    MIN_COVERAGE,
    Observation,
    ObservationError,
    SeriesView,
    load_observations,
    statistic,
    why_not_computable,
)

VALIDATION_CSV, VALIDATION_JSON, VALIDATION_PNG = (
    "validation.csv", "validation.json", "validation.png")
REFERENCES = ("persistence", "year_before")
PROB_FLOOR = 0.01  # probabilities are kept within [0.01, 0.99] for the log score


@dataclasses.dataclass(frozen=True)
class Scored:
    """One observation scored: the ensemble's values and the rows of validation.csv."""

    obs: Observation
    ensemble: np.ndarray
    row: dict[str, Any]


# ---------------------------------------------------------------------------- selection
def select(observations: Sequence[Observation], view: SeriesView, start: dt.date
           ) -> tuple[list[Observation], list[dict[str, str]]]:
    """Observations asked after `start` and computable from the runs; and those left out, why.

    A total counts when at least MIN_COVERAGE of its window lies after `start`; a first_day or
    occurs window is cut to begin at `start` (what happened before it was known); a state
    counts when its date is after `start`.
    """
    chosen, skipped = [], []
    for obs in observations:
        after = (obs.end - max(obs.start, start)).days + 1
        if obs.kind == "total" and after < MIN_COVERAGE * obs.window_days:
            skipped.append({"name": obs.name, "reason": f"less than {MIN_COVERAGE:.0%} of its "
                            f"window lies after {start}"})
            continue
        if obs.end <= start:
            skipped.append({"name": obs.name, "reason": f"its window ends on or before {start}"})
            continue
        asked = obs.from_date(start)
        reason = why_not_computable(asked, view)
        if reason:
            skipped.append({"name": obs.name, "reason": reason})
            continue
        chosen.append(asked)
    return chosen, skipped


# ---------------------------------------------------------------------------- references
def _known(records: Sequence[Observation], cutoff: dt.date) -> list[Observation]:
    return [r for r in records if r.end <= cutoff and r.known_on <= cutoff]


def _state_at(column: str, view: SeriesView, records: Sequence[Observation],
              cutoff: dt.date) -> float:
    """The column's value at the cutoff as the record had it: the runs' day 0 (the scenario's
    initial state, public record), changed by first_day facts known by then."""
    values = view.column(column)[:, 0]
    state = float(pd.Series(values).mode().iloc[0])
    changes = sorted((r for r in _known(records, cutoff)
                      if r.kind == "first_day" and r.column == column), key=lambda r: r.value)
    for change in changes:
        state = view.code(column, change.equals or "")
    return state


def reference_forecasts(obs: Observation, view: SeriesView, records: Sequence[Observation],
                        cutoff: dt.date) -> dict[str, float | None]:
    """Point forecasts of the naive references (None where the record gives none)."""
    known = _known(records, cutoff)
    same = [r for r in known if r.kind == "total" and r.column == obs.column]
    if obs.kind == "total":
        latest = max(same, key=lambda r: (r.end, -r.window_days), default=None)
        year = [r for r in same if r.end > cutoff - dt.timedelta(days=365)]
        longest = max(year, key=lambda r: (r.window_days, r.end), default=None)
        return {"persistence": _rate(latest, obs), "year_before": _rate(longest, obs)}
    state = _state_at(obs.column, view, records, cutoff)
    holds = state == view.code(obs.column, obs.equals or "")
    persistence = {"first_day": 0.0 if holds else float(obs.window_days),
                   "state": float(holds), "occurs": float(holds)}[obs.kind]
    earlier = [r for r in known if (r.kind, r.column, r.equals) == (obs.kind, obs.column,
                                                                    obs.equals)
               and abs((obs.end - r.end).days - 365) <= 7]
    year_before = None
    if earlier:
        year_before = earlier[-1].observed()  # a date as days after its window's start
    return {"persistence": persistence, "year_before": year_before}


def _rate(record: Observation | None, obs: Observation) -> float | None:
    if record is None:
        return None
    return float(record.value) / record.window_days * obs.window_days  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- scores
def score_numeric(observed: float, ensemble: np.ndarray) -> dict[str, Any]:
    """Percentiles, interval coverage, PIT (mid-rank, for ties) and CRPS of an ensemble."""
    import scoringrules as sr

    q05, q25, q50, q75, q95 = np.quantile(ensemble, [0.05, 0.25, 0.5, 0.75, 0.95])
    below, ties = np.mean(ensemble < observed), np.mean(ensemble == observed)
    return {"median": q50, "q05": q05, "q25": q25, "q75": q75, "q95": q95,
            "in_50": bool(q25 <= observed <= q75), "in_90": bool(q05 <= observed <= q95),
            "pit": float(below + ties / 2),
            "crps": float(sr.crps_ensemble(observed, ensemble, estimator="fair"))}


def score_binary(observed: float, probability: float) -> dict[str, float]:
    """Brier and log score of a probability for a yes/no fact."""
    import scoringrules as sr

    kept = min(max(probability, PROB_FLOOR), 1 - PROB_FLOOR)
    return {"probability": probability,
            "brier": float(sr.brier_score(observed, probability)),
            "log_score": float(sr.log_score(observed, kept))}


def crps_scale(obs: Observation) -> float:
    """What one CRPS unit is measured against, so that rows of different units can be averaged:
    the observed count (at least 1) for totals, the window's length in days for dates."""
    return max(abs(obs.observed()), 1.0) if obs.kind == "total" else float(obs.window_days)


def score(observations: Sequence[Observation], view: SeriesView,
          records: Sequence[Observation], cutoff: dt.date) -> list[Scored]:
    """Score each observation's ensemble and the references' forecasts."""
    out = []
    for obs in observations:
        ensemble = statistic(obs, view)
        observed = obs.observed()
        low, high = obs.bounds()
        row: dict[str, Any] = {
            "name": obs.name, "kind": obs.kind, "column": obs.column, "equals": obs.equals,
            "start": obs.start.isoformat(), "end": obs.end.isoformat(),
            "known_on": obs.known_on.isoformat(), "observed": observed,
            "observed_text": (obs.value.isoformat() if isinstance(obs.value, dt.date)
                              else f"{obs.value:g}"),
            "low": low, "high": high, "units": _units(obs), "runs": len(ensemble)}
        refs = reference_forecasts(obs, view, records, cutoff)
        if obs.numeric:
            row.update(score_numeric(observed, ensemble))
            row["crps_relative"] = row["crps"] / crps_scale(obs)
            for name, forecast in refs.items():
                row[f"{name}_forecast"] = forecast
                row[f"{name}_crps"] = None if forecast is None else abs(forecast - observed)
        else:
            row.update(score_binary(observed, float(ensemble.mean())))
            for name, forecast in refs.items():
                row[f"{name}_forecast"] = forecast
                row[f"{name}_brier"] = (None if forecast is None
                                        else score_binary(observed, forecast)["brier"])
                row[f"{name}_log_score"] = (None if forecast is None
                                            else score_binary(observed, forecast)["log_score"])
        out.append(Scored(obs, ensemble, row))
    return out


def _units(obs: Observation) -> str:
    if obs.kind == "total":
        return {"violations": "violations"}.get(obs.column, "people" if "deaths" in obs.column
                                                 else "count")
    return f"days after {obs.start}" if obs.kind == "first_day" else "yes/no"


def summarise(scored: Sequence[Scored], skipped: Sequence[dict[str, str]], start: dt.date,
              observations_file: str) -> dict[str, Any]:
    """validation.json: coverage, mean scores and skill against each reference."""
    numeric = [s for s in scored if s.obs.numeric]
    binary = [s for s in scored if not s.obs.numeric]
    summary: dict[str, Any] = {
        "observations_file": observations_file, "from": start.isoformat(),
        "scored": len(scored), "numeric": len(numeric), "binary": len(binary),
        "coverage_50": _coverage(numeric, "in_50"), "coverage_90": _coverage(numeric, "in_90"),
        "mean_crps_relative": _mean([s.row["crps_relative"] for s in numeric]),
        "mean_brier": _mean([s.row["brier"] for s in binary]),
        "mean_log_score": _mean([s.row["log_score"] for s in binary]),
        "skill": {}, "skipped": list(skipped),
    }
    for ref in REFERENCES:
        rows = [s for s in numeric if s.row[f"{ref}_crps"] is not None]
        model = sum(s.row["crps"] / crps_scale(s.obs) for s in rows)
        naive = sum(s.row[f"{ref}_crps"] / crps_scale(s.obs) for s in rows)
        bins = [s for s in binary if s.row[f"{ref}_brier"] is not None]
        brier_model = sum(s.row["brier"] for s in bins)
        brier_naive = sum(s.row[f"{ref}_brier"] for s in bins)
        summary["skill"][ref] = {
            "crps": _skill(model, naive) if rows else None, "crps_observations": len(rows),
            "brier": _skill(brier_model, brier_naive) if bins else None,
            "brier_observations": len(bins)}
    return summary


def _coverage(rows: Sequence[Scored], key: str) -> dict[str, Any]:
    inside = sum(bool(s.row[key]) for s in rows)
    return {"covered": inside, "of": len(rows), "share": inside / len(rows) if rows else None}


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _skill(model: float, naive: float) -> float | None:
    """1 - model/naive: above 0 the model beats the reference, 1 is perfect."""
    if naive == 0:
        return None if model == 0 else -math.inf
    return 1.0 - model / naive


def summary_line(summary: dict[str, Any]) -> str:
    """One line, e.g. `90% intervals cover 11 of 14 observations; CRPS skill vs persistence
    +0.31`."""
    cov = summary["coverage_90"]
    parts = [f"90% intervals cover {cov['covered']} of {cov['of']} observations"]
    for ref in REFERENCES:
        skill = summary["skill"][ref]
        label = ref.replace("_", " ")
        if skill["crps"] is not None:
            parts.append(f"CRPS skill vs {label} {skill['crps']:+.2f} "
                         f"({skill['crps_observations']} obs)")
        if skill["brier"] is not None:
            parts.append(f"Brier skill vs {label} {skill['brier']:+.2f} "
                         f"({skill['brier_observations']} obs)")
    if summary["mean_brier"] is not None:
        parts.append(f"mean Brier score {summary['mean_brier']:.3f} on {summary['binary']} "
                     "yes/no facts")
    return "; ".join(parts)


# ---------------------------------------------------------------------------- the plot
def figure(scored: Sequence[Scored], title: str):
    """Observed value against each ensemble interval (one panel per number or date), the
    predicted probability of each yes/no fact, and the PIT histogram."""
    import matplotlib.pyplot as plt

    numeric = [s for s in scored if s.obs.numeric]
    binary = [s for s in scored if not s.obs.numeric]
    rows = max(len(numeric), 1)
    fig = plt.figure(figsize=(13, 1.0 + 0.62 * max(rows, 8)), layout="constrained")
    grid = fig.add_gridspec(rows, 2, width_ratios=[1.45, 1])
    for i, s in enumerate(numeric):
        ax = fig.add_subplot(grid[i, 0])
        _interval_panel(ax, s)
    if not numeric:
        fig.add_subplot(grid[0, 0]).text(0.5, 0.5, "no numbers or dates to score",
                                         ha="center", va="center")
    right = grid[:, 1].subgridspec(2, 1, height_ratios=[max(len(binary), 2), 3])
    ax = fig.add_subplot(right[0])
    _binary_panel(ax, binary)
    ax = fig.add_subplot(right[1])
    pits = [s.row["pit"] for s in numeric]
    ax.hist(pits, bins=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0], color="#4c72b0", edgecolor="white")
    if pits:
        ax.axhline(len(pits) / 5, color="black", lw=1, ls="--", label="uniform (calibrated)")
        ax.legend(loc="upper center", fontsize=8)
    ax.set(xlim=(0, 1), xlabel="PIT: share of runs below the observed value",
           ylabel="observations", title=f"PIT histogram ({len(pits)} numbers and dates)")
    fig.suptitle(title)
    return fig


def _interval_panel(ax, s: Scored) -> None:
    r, obs = s.row, s.obs
    to_x = (lambda v: obs.start + dt.timedelta(days=float(v))) if obs.kind == "first_day" \
        else (lambda v: v)
    ax.plot([to_x(r["q05"]), to_x(r["q95"])], [0, 0], color="#9ecae1", lw=7,
            solid_capstyle="butt", label="90% interval")
    ax.plot([to_x(r["q25"]), to_x(r["q75"])], [0, 0], color="#3182bd", lw=7,
            solid_capstyle="butt", label="50% interval")
    ax.plot([to_x(r["median"])], [0], "|", color="black", ms=12, mew=2, label="median")
    low, high = obs.bounds()
    ax.errorbar([to_x(r["observed"])], [0], xerr=None, fmt="D", color="#d62728", ms=6,
                label="observed")
    if high > low:
        ax.plot([to_x(low), to_x(high)], [0.28, 0.28], color="#d62728", lw=1.5,
                label="source's range")
    elif obs.low is not None and obs.high is None and obs.kind == "total":
        ax.annotate("", xy=(to_x(r["observed"] * 1.15 + 1), 0.28),
                    xytext=(to_x(r["observed"]), 0.28),
                    arrowprops={"arrowstyle": "->", "color": "#d62728"})
    ax.set_ylim(-0.6, 0.6)
    ax.set_yticks([])
    never = obs.kind == "first_day" and r["q95"] >= obs.window_days
    note = " (upper end: never in window)" if never else ""
    unit = "date" if obs.kind == "first_day" else r["units"]
    ax.set_title(f"{obs.name} [{unit}]{note}", fontsize=8, loc="left", pad=2)
    ax.tick_params(axis="x", labelsize=7)
    if obs.kind == "first_day":
        ax.xaxis.set_major_formatter(__import__("matplotlib.dates").dates.DateFormatter("%d %b"))
    if s is not None and ax.get_subplotspec().rowspan.start == 0:
        ax.legend(fontsize=7, ncol=5, loc="upper right", bbox_to_anchor=(1, 1.9),
                  frameon=False)


def _binary_panel(ax, binary: Sequence[Scored]) -> None:
    names = [s.obs.name for s in binary]
    probs = [s.row["probability"] for s in binary]
    seen = [s.row["observed"] for s in binary]
    y = np.arange(len(binary))
    ax.barh(y, probs, color="#3182bd", label="ensemble probability")
    ax.scatter(seen, y, marker="D", color="#d62728", zorder=3, label="observed (1 yes, 0 no)")
    persistence = [s.row["persistence_forecast"] for s in binary]
    ax.scatter(persistence, y, marker="x", color="black", zorder=3, label="persistence")
    ax.set_yticks(y, names, fontsize=7)
    ax.set(xlim=(-0.05, 1.05), xlabel="probability",
           title=f"yes/no facts ({len(binary)})")
    if binary:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3,
                  frameon=False)
    ax.invert_yaxis()


# ---------------------------------------------------------------------------- files, CLI
def validate(results_dir: str | Path, observations_file: str | Path | None = None,
             start: dt.date | None = None, out: str | Path | None = None,
             force: bool = False) -> dict[str, Any]:
    """Score the ensemble in `results_dir`; write validation.csv, .json and .png into `out`
    (default: the results folder). Returns the summary (validation.json)."""
    from libyasim.ensemble import EnsembleError, load_results

    folder = Path(results_dir)
    out_dir = Path(out) if out is not None else folder
    if not force and (out_dir / VALIDATION_CSV).exists():
        raise EnsembleError(f"{out_dir / VALIDATION_CSV} exists; use --force to replace it or "
                            "--out for another folder")
    runs, series, manifest = load_results(folder)
    if series is None:
        raise EnsembleError(f"{folder}: no series.parquet; validation needs the daily series "
                            "(a `libyasim run` folder)")
    if "point" in series.columns or "point" in runs.columns:
        raise EnsembleError(f"{folder}: a sweep folder; validate a `libyasim run` folder")
    values = manifest["scenario"]["values"]
    start_date = dt.date.fromisoformat(values["scenario.start_date"])
    cutoff = dt.date.fromisoformat(values.get("scenario.information_cutoff",
                                              values["scenario.start_date"]))
    start = start or cutoff
    records = load_observations(observations_file)
    view = SeriesView.from_frame(series, start_date)
    chosen, skipped = select(records, view, start)
    if not chosen:
        raise ObservationError(f"{observations_file or 'observations'}: no observation lies "
                               f"after {start} and inside the runs; nothing to score")
    scored = score(chosen, view, records, start)
    summary = summarise(scored, skipped, start, str(observations_file or "shipped"))
    summary["results"] = str(folder)
    summary["scenario"] = manifest["scenario"]["name"]
    summary["runs"] = int(view.runs)
    summary["line"] = summary_line(summary)
    usable_folder(out_dir)
    table = pd.DataFrame([s.row for s in scored])
    atomic_write(out_dir / VALIDATION_CSV, lambda p: table.to_csv(p, index=False))
    atomic_write(out_dir / VALIDATION_JSON,
            lambda p: p.write_text(json.dumps(summary, indent=1, default=_json)))
    fig = figure(scored, f"{summary['scenario']}: {view.runs} runs "
                 f"scored on what happened after {start}")
    atomic_write(out_dir / VALIDATION_PNG, lambda p: fig.savefig(p, dpi=110, format="png"))
    __import__("matplotlib.pyplot").pyplot.close(fig)
    remove_derived(out_dir, (REPORT_FILE,))  # a report showing the earlier validation is stale
    return summary


def _json(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(type(value))




def cmd_validate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    summary = validate(args.folder, args.observations, args.start, args.out, args.force)
    out = Path(args.out or args.folder)
    print(summary["line"])
    for item in summary["skipped"]:
        print(f"  not scored: {item['name']}: {item['reason']}")
    print(f"wrote {out / VALIDATION_CSV}, {VALIDATION_JSON} and {VALIDATION_PNG}")
    return 0


def add_command(sub: Any) -> None:
    """Register `libyasim validate`."""
    val = sub.add_parser("validate", help="score a run folder against observations after its "
                         "information cutoff")
    val.add_argument("folder", metavar="RESULTS_DIR", help="a folder written by `libyasim run`")
    val.add_argument("--observations", metavar="FILE",
                     help="observations CSV (default: the shipped observations.csv)")
    val.add_argument("--from", dest="start", type=arguments.date, metavar="DATE",
                     help="score what happened after DATE (default: the scenario's "
                     "information_cutoff)")
    val.add_argument("--out", metavar="DIR", help="where to write validation.csv, .json, .png "
                     "(default: RESULTS_DIR)")
    val.add_argument("--force", action="store_true", help="replace an earlier validation")
    val.set_defaults(func=cmd_validate)


# ---------------------------------------------------------------------------- report section
def report_section(folder: str | Path) -> str | None:
    """An HTML section for `libyasim report` when the folder holds a validation; else None."""
    import base64
    import html

    folder = Path(folder)
    if not (folder / VALIDATION_JSON).exists() or not (folder / VALIDATION_CSV).exists():
        return None
    summary = json.loads((folder / VALIDATION_JSON).read_text())
    table = pd.read_csv(folder / VALIDATION_CSV)
    keep = [c for c in ("name", "kind", "observed_text", "median", "q05", "q95", "in_90", "pit",
                        "crps", "probability", "brier", "persistence_forecast") if c in table]
    parts = [f"<h2>Validation against observations after {html.escape(summary['from'])}</h2>",
             f"<p>{html.escape(summary['line'])}.</p>",
             table[keep].to_html(index=False, border=0, na_rep="\u2014",
                                 float_format=lambda v: f"{v:.3g}")]
    if (folder / VALIDATION_PNG).exists():
        data = base64.b64encode((folder / VALIDATION_PNG).read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="validation" src="data:image/png;base64,{data}">'
                     "<figcaption>Observed values against the ensemble's 50% and 90% intervals; "
                     "yes/no facts; PIT histogram.</figcaption></figure>")
    return "\n".join(parts)
