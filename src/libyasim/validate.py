"""Score an ensemble against what happened after a forecast origin, as forecasters score.

For every observation whose window lies after the origin (`--from`, repeatable; default: the
scenario's information cutoff) and inside the runs, the ensemble's distribution of the
observation's statistic (observations.statistic, the function calibration fits with) is scored:
numbers and dates by percentiles, interval coverage, PIT and CRPS; floors ("at least N") as
censored values (threshold-weighted CRPS and the probability of reaching the floor); yes/no
facts by the predicted probability, Brier and log score. When an origin lies after the runs'
day 0, the runs are first conditioned on what was known at the origin (conditioning.py), so that
runs which contradict the known map or counts earn no credit. References, scored the same way
(docs/validation.md defines them): zero, the last observed value, a bootstrap of the previous
12 months ("conflictology"), a uniform climatology of dates over the window, and, with
`--reference DIR`, another ensemble such as the model's prior predictive.
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
from libyasim.conditioning import Conditioned, condition, known_by, map_at
from libyasim.files import atomic_write
from libyasim.folders import REPORT_FILE, refuse_foreign, remove_derived, usable_folder
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
REFERENCES = ("zero", "last_value", "conflictology", "climatology", "prior")
PROB_FLOOR = 0.01  # probabilities are kept within [0.01, 0.99] for the log score
HISTORY_DAYS = 365  # conflictology: the record of the year before the origin
RESAMPLE_SEED = 0  # conditioned ensembles are resampled with this seed (reproducible)
MIN_ESS = 20  # below this effective sample size (or 5% of the runs) validate warns


@dataclasses.dataclass(frozen=True)
class Scored:
    """One observation scored at one origin: the ensemble's values and the row of
    validation.csv."""

    obs: Observation
    ensemble: np.ndarray
    row: dict[str, Any]


# ---------------------------------------------------------------------------- selection
def select(observations: Sequence[Observation], view: SeriesView, start: dt.date
           ) -> tuple[list[Observation], list[dict[str, str]]]:
    """Observations asked after `start` and computable from the runs; and those left out, why.

    A total counts when at least MIN_COVERAGE of its window lies after `start`; a first_day or
    occurs window is cut to begin at `start` (what happened before it was known; the runs are
    conditioned on it); a state counts when its date is after `start`.
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
        if obs.kind == "first_day" and obs.value <= start:  # type: ignore[operator]
            skipped.append({"name": obs.name, "reason": f"it happened on or before {start} "
                            "(part of what was known then)"})
            continue
        asked = obs.from_date(start)
        reason = why_not_computable(asked, view)
        if reason:
            skipped.append({"name": obs.name, "reason": reason})
            continue
        chosen.append(asked)
    return chosen, skipped


# ---------------------------------------------------------------------------- references
def reference_forecasts(obs: Observation, view: SeriesView, records: Sequence[Observation],
                        origin: dt.date, prior: SeriesView | None = None
                        ) -> dict[str, np.ndarray | None]:
    """Each reference's forecast of `obs` made at `origin`, as a sample of values (numbers and
    dates) or a one-element array holding a probability (yes/no facts); None where the
    reference says nothing about this kind of fact or the record is too short.

    zero and last_value and conflictology are for counts, climatology for dates; last_value
    for yes/no facts is the state on the origin (the known map); prior for every kind.
    """
    refs: dict[str, np.ndarray | None] = dict.fromkeys(REFERENCES)
    if prior is not None and why_not_computable(obs, prior) is None:
        values = statistic(obs, prior)
        refs["prior"] = values if obs.numeric else np.array([values.mean()])
    if obs.kind == "total":
        same = [r for r in known_by(records, origin)
                if r.kind == "total" and r.column == obs.column]
        latest = max(same, key=lambda r: (r.end, -r.window_days), default=None)
        year = [r for r in same if r.end > origin - dt.timedelta(days=HISTORY_DAYS)]
        refs["zero"] = np.zeros(1)
        refs["last_value"] = None if latest is None else np.array([_rate(latest, obs)])
        refs["conflictology"] = (np.array([_rate(r, obs) for r in year]) if len(year) >= 2
                                 else None)
    elif obs.kind == "first_day":
        refs["climatology"] = np.arange(obs.window_days, dtype=float)  # uniform, never "never"
    else:
        state = map_at(obs.column, view, records, origin)
        holds = float(state == view.code(obs.column, obs.equals or ""))
        refs["last_value"] = np.array([holds])
    return refs


def _rate(record: Observation, obs: Observation) -> float:
    """The record's daily rate scaled to `obs`'s window."""
    return float(record.value) / record.window_days * obs.window_days  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- scores
def crps(observed: float, sample: np.ndarray, floor: bool = False) -> float:
    """CRPS of a sample (the fair estimator for an ensemble of runs; the exact value for a
    one-value forecast); for a floor, the threshold-weighted CRPS that looks only below it
    (the score of the censored forecast min(X, floor) against the floor)."""
    import scoringrules as sr

    estimator = "fair" if len(sample) > 1 else "nrg"
    if floor:
        return float(sr.twcrps_ensemble(observed, sample, b=observed, estimator=estimator))
    return float(sr.crps_ensemble(observed, sample, estimator=estimator))


def score_numeric(observed: float, ensemble: np.ndarray, floor: bool = False
                  ) -> dict[str, Any]:
    """Percentiles, interval coverage, PIT (mid-rank, for ties) and CRPS of an ensemble.

    For a floor the truth is `observed` or more: an interval covers it when its upper end
    reaches the floor, the PIT is not defined, and the probability of reaching the floor is
    scored with the Brier score."""
    q05, q25, q50, q75, q95 = np.quantile(ensemble, [0.05, 0.25, 0.5, 0.75, 0.95])
    below, ties = np.mean(ensemble < observed), np.mean(ensemble == observed)
    row: dict[str, Any] = {"median": q50, "q05": q05, "q25": q25, "q75": q75, "q95": q95,
                           "floor": floor, "crps": crps(observed, ensemble, floor)}
    if floor:
        reach = float(np.mean(ensemble >= observed))
        row.update(in_50=bool(q75 >= observed), in_90=bool(q95 >= observed), pit=None,
                   p_reach_floor=reach, brier_floor=(1.0 - reach) ** 2)
    else:
        row.update(in_50=bool(q25 <= observed <= q75), in_90=bool(q05 <= observed <= q95),
                   pit=float(below + ties / 2))
    return row


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
          records: Sequence[Observation], origin: dt.date,
          prior: SeriesView | None = None) -> list[Scored]:
    """Score each observation's ensemble and the references' forecasts made at `origin`."""
    out = []
    for obs in observations:
        ensemble = statistic(obs, view)
        observed = obs.observed()
        low, high = obs.bounds()
        row: dict[str, Any] = {
            "origin": origin.isoformat(), "name": obs.name, "kind": obs.kind,
            "column": obs.column, "equals": obs.equals, "start": obs.start.isoformat(),
            "end": obs.end.isoformat(), "known_on": obs.known_on.isoformat(),
            "observed": observed,
            "observed_text": (obs.value.isoformat() if isinstance(obs.value, dt.date)
                              else ("at least " if obs.floor else "") + f"{obs.value:g}"),
            "low": low, "high": high, "units": _units(obs), "runs": len(ensemble)}
        refs = reference_forecasts(obs, view, records, origin, prior)
        if obs.numeric:
            row.update(score_numeric(observed, ensemble, obs.floor))
            row["crps_relative"] = row["crps"] / crps_scale(obs)
            for name, sample in refs.items():
                row[f"{name}_forecast"] = None if sample is None else float(np.median(sample))
                row[f"{name}_crps"] = (None if sample is None
                                       else crps(observed, sample, obs.floor))
        else:
            row.update(score_binary(observed, float(ensemble.mean())))
            for name, sample in refs.items():
                scores = None if sample is None else score_binary(observed, float(sample[0]))
                row[f"{name}_forecast"] = None if scores is None else scores["probability"]
                row[f"{name}_brier"] = None if scores is None else scores["brier"]
                row[f"{name}_log_score"] = None if scores is None else scores["log_score"]
        out.append(Scored(obs, ensemble, row))
    return out


def _units(obs: Observation) -> str:
    if obs.kind == "total":
        return {"violations": "violations"}.get(obs.column, "people" if "deaths" in obs.column
                                                 else "count")
    return f"days after {obs.start}" if obs.kind == "first_day" else "yes/no"


def summarise(scored: Sequence[Scored], skipped: Sequence[dict[str, str]], start: dt.date,
              observations_file: str) -> dict[str, Any]:
    """One origin's summary: coverage, mean scores and skill against each reference."""
    numeric = [s for s in scored if s.obs.numeric]
    binary = [s for s in scored if not s.obs.numeric]
    floors = [s for s in numeric if s.obs.floor]
    summary: dict[str, Any] = {
        "observations_file": observations_file, "from": start.isoformat(),
        "scored": len(scored), "numeric": len(numeric), "binary": len(binary),
        "floors": len(floors),
        "coverage_50": _coverage(numeric, "in_50"), "coverage_90": _coverage(numeric, "in_90"),
        "mean_crps_relative": _mean([s.row["crps_relative"] for s in numeric]),
        "mean_brier": _mean([s.row["brier"] for s in binary]),
        "mean_log_score": _mean([s.row["log_score"] for s in binary]),
        "mean_brier_floor": _mean([s.row["brier_floor"] for s in floors]),
        "pit": [s.row["pit"] for s in numeric if s.row["pit"] is not None],
        "hindcast": hindcast(scored),
        "skill": {}, "skipped": list(skipped),
    }
    for ref in REFERENCES:
        rows = [s for s in numeric if s.row[f"{ref}_crps"] is not None]
        model = sum(s.row["crps"] / crps_scale(s.obs) for s in rows)
        naive = sum(s.row[f"{ref}_crps"] / crps_scale(s.obs) for s in rows)
        bins = [s for s in binary if s.row[f"{ref}_brier"] is not None]
        summary["skill"][ref] = {
            "crps": _skill(model, naive) if rows else None, "crps_observations": len(rows),
            "brier": (_skill(sum(s.row["brier"] for s in bins),
                             sum(s.row[f"{ref}_brier"] for s in bins)) if bins else None),
            "log_score": (_skill(sum(s.row["log_score"] for s in bins),
                                 sum(s.row[f"{ref}_log_score"] for s in bins))
                          if bins else None),
            "brier_observations": len(bins)}
    return summary


def hindcast(scored: Sequence[Scored]) -> dict[str, Any]:
    """The strict hindcast: facts the ensemble got right, a number or date inside its 90%
    interval (a floor: reached by its upper end), a yes/no fact with more than half of the
    runs on the side that happened; and the names of the misses."""
    def right(s: Scored) -> bool:
        if s.obs.numeric:
            return bool(s.row["in_90"])
        return (s.row["probability"] > 0.5) == (s.obs.observed() == 1)

    misses = [s.obs.name for s in scored if not right(s)]
    return {"right": len(scored) - len(misses), "of": len(scored), "misses": misses}


def skill_table(summaries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per origin and reference: CRPS, Brier and log-score skill with their counts."""
    return [{"origin": s["from"], "reference": ref, **s["skill"][ref]}
            for s in summaries for ref in REFERENCES
            if s["skill"][ref]["crps_observations"] or s["skill"][ref]["brier_observations"]]


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
    """One line per origin, e.g. `from 2020-03-31: 90% intervals cover 11 of 14 observations;
    CRPS skill vs zero +0.31 (4 obs); ...`."""
    cov = summary["coverage_90"]
    parts = [f"from {summary['from']}: 90% intervals cover {cov['covered']} of {cov['of']} "
             "numbers and dates"]
    if "hindcast" in summary:
        parts.append(f"hindcast {summary['hindcast']['right']} of {summary['hindcast']['of']} "
                     "facts right")
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
    conditioned = summary.get("conditioning")
    if conditioned:
        parts.append(f"conditioned on what was known then: {conditioned['kept']} of "
                     f"{conditioned['runs']} runs kept, effective sample size "
                     f"{conditioned['ess']:.0f}")
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
        if i == 0:
            handles, labels = ax.get_legend_handles_labels()
            fig.legend(handles, labels, loc="outside lower left", ncol=6, fontsize=8,
                       frameon=False)
    if not numeric:
        fig.add_subplot(grid[0, 0]).text(0.5, 0.5, "no numbers or dates to score",
                                         ha="center", va="center")
    right = grid[:, 1].subgridspec(2, 1, height_ratios=[max(len(binary), 2), 3])
    ax = fig.add_subplot(right[0])
    _binary_panel(ax, binary)
    ax = fig.add_subplot(right[1])
    pits = [s.row["pit"] for s in numeric if s.row["pit"] is not None]
    ax.hist(pits, bins=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0], color="#4c72b0", edgecolor="white")
    if pits:
        ax.axhline(len(pits) / 5, color="black", lw=1, ls="--", label="uniform (calibrated)")
        ax.legend(loc="upper right", fontsize=8)
    ax.set(xlim=(0, 1), xlabel="PIT: share of runs below the observed value",
           ylabel="observations", title=f"PIT histogram ({len(pits)} "
           f"{'number or date' if len(pits) == 1 else 'numbers and dates'};\nfloors left out)")
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
    if r["q05"] == r["q95"]:  # every run alike: the interval is a point, drawn as a block
        ax.plot([to_x(r["q05"])], [0], "s", color="#3182bd", ms=9, zorder=1)
    low, high = obs.bounds()
    ax.errorbar([to_x(r["observed"])], [0], xerr=None, fmt=">" if obs.floor else "D",
                color="#d62728", ms=7, label="observed (\u25c6 a value, \u25b6 a floor: at least)")
    if high > low:
        ax.plot([to_x(low), to_x(high)], [0.28, 0.28], color="#d62728", lw=1.5,
                label="source's range")
    elif obs.floor:
        ax.annotate("", xy=(to_x(r["observed"] * 1.15 + 1), 0.28),
                    xytext=(to_x(r["observed"]), 0.28),
                    arrowprops={"arrowstyle": "->", "color": "#d62728"})
    ax.set_ylim(-0.6, 0.6)
    ax.set_yticks([])
    never = obs.kind == "first_day" and r["q95"] >= obs.window_days
    note = " (upper end: never in window)" if never else ""
    if r["q05"] == r["q95"]:
        note += " (the 90% of runs in the middle agree)"
    unit = "date" if obs.kind == "first_day" else r["units"]
    floor = f" (at least {obs.observed():g})" if obs.floor else ""
    ax.set_title(f"{obs.name} [{unit}]{floor}{note}", fontsize=8, loc="left", pad=2)
    ax.tick_params(axis="x", labelsize=7)
    if obs.kind == "first_day":  # the whole window scored, so the dates read against it
        pad = dt.timedelta(days=max(1.0, obs.window_days / 100))
        ax.set_xlim(to_x(0) - pad, to_x(obs.window_days) + pad)
        ax.xaxis.set_major_formatter(__import__("matplotlib.dates").dates.DateFormatter("%d %b"))


def _binary_panel(ax, binary: Sequence[Scored]) -> None:
    names = [s.obs.name for s in binary]
    probs = [s.row["probability"] for s in binary]
    seen = [s.row["observed"] for s in binary]
    y = np.arange(len(binary))
    ax.barh(y, probs, color="#3182bd", label="ensemble probability")
    ax.scatter(seen, y, marker="D", color="#d62728", zorder=3, label="observed (1 yes, 0 no)")
    last = [s.row["last_value_forecast"] for s in binary]
    ax.scatter(last, y, marker="x", color="black", zorder=3, label="last value (state then)")
    ax.set_yticks(y, names, fontsize=7)
    ax.set(xlim=(-0.05, 1.05), xlabel="probability",
           title=f"yes/no facts ({len(binary)})")
    if binary:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2,
                  frameon=False)
    ax.invert_yaxis()


# ---------------------------------------------------------------------------- files, CLI
def validate(results_dir: str | Path | Sequence[str | Path],
             observations_file: str | Path | None = None,
             start: dt.date | Sequence[dt.date] | None = None, out: str | Path | None = None,
             force: bool = False,
             reference: str | Path | Sequence[str | Path] | None = None) -> dict[str, Any]:
    """Score the ensemble in `results_dir` from each origin in `start` (one date or several;
    default: the scenario's information cutoff); write validation.csv, .json and .png into
    `out` (default: the results folder). `reference`: another run folder (e.g. the model's
    prior predictive) scored as a reference. Several folders (forecasts issued on different
    days, each starting from the situation known then) are each scored from their own
    information cutoff, with one reference each or none, into one table (`out` required).
    Returns validation.json's content."""
    folders = _paths(results_dir)
    references: list[Path | None] = ([None] * len(folders) if reference is None
                                     else list(_paths(reference)))
    if len(references) != len(folders):
        raise ObservationError(f"{len(folders)} results folders and {len(references)} "
                               "--reference folders; expected one reference per results folder "
                               "(in the same order) or none")
    if len(folders) > 1 and (start or out is None):
        raise ObservationError("several results folders are each scored from their own "
                               "information cutoff, into one table: give --out DIR and no --from")
    out_dir = Path(out) if out is not None else folders[0]
    if out_dir.resolve() not in {f.resolve() for f in folders}:
        # a folder of its own: it may hold an earlier validation, nothing else
        refuse_foreign(out_dir, (VALIDATION_CSV, VALIDATION_JSON, VALIDATION_PNG), force)
    if not force and (out_dir / VALIDATION_CSV).exists():
        from libyasim.ensemble import EnsembleError

        raise EnsembleError(f"{out_dir / VALIDATION_CSV} exists; use --force to replace it or "
                            "--out for another folder")
    records = load_observations(observations_file)
    per_origin, scored_all, warnings, views = [], [], [], []
    for folder, ref in zip(folders, references):
        view, manifest = read_run(folder)
        prior = None
        if ref is not None:
            prior = read_run(ref)[0]
            warnings += reference_warnings(folder, view, ref, prior)
        values = manifest["scenario"]["values"]
        cutoff = dt.date.fromisoformat(values.get("scenario.information_cutoff",
                                                  values["scenario.start_date"]))
        origins = sorted(set([start] if isinstance(start, dt.date) else (start or [cutoff])))
        scored_here = []
        for origin in origins:
            summary, scored = _score_origin(view, prior, records, origin, observations_file)
            summary.update(results=str(folder), scenario=manifest["scenario"]["name"],
                           reference=None if ref is None else str(ref))
            per_origin.append(summary)
            scored_here += scored
        scored_all += scored_here
        views.append(view)
        warnings += calibration_warnings(scored_here, values)
    per_origin.sort(key=lambda o: o["from"])
    summary = {**per_origin[0], "origins": per_origin, "skill_table": skill_table(per_origin),
               "results": str(folders[0]) if len(folders) == 1 else [str(f) for f in folders],
               "reference": None if references[0] is None else (
                   str(references[0]) if len(folders) == 1 else [str(r) for r in references]),
               "runs": int(views[0].runs),
               "warnings": warnings + [w for o in per_origin if (w := ess_warning(o))]}
    summary["line"] = "\n".join(summary_line(s) for s in per_origin)
    _write(out_dir, summary, scored_all, views[0])
    return summary


def reference_warnings(folder: Path, view: SeriesView, ref: Path,
                       reference: SeriesView) -> list[str]:
    """A reference that does not cover the runs' days scores other days than they do."""
    def span(v: SeriesView) -> str:
        return f"{v.start_date} to {v.start_date + dt.timedelta(days=v.days - 1)}"

    if (reference.start_date, reference.days) == (view.start_date, view.days):
        return []
    return [f"the reference {ref} runs from {span(reference)}, the results {folder} from "
            f"{span(view)}: its skill is scored on the observations both cover, and a "
            "reference of the same period (e.g. `libyasim run SCENARIO --prior`) compares like "
            "with like"]


def _paths(named: str | Path | Sequence[str | Path]) -> list[Path]:
    """One folder or several, as paths."""
    if isinstance(named, (str, Path)):
        return [Path(named)]
    return [Path(p) for p in named]


def _score_origin(view: SeriesView, prior: SeriesView | None, records: Sequence[Observation],
                  origin: dt.date, observations_file: str | Path | None
                  ) -> tuple[dict[str, Any], list[Scored]]:
    """Condition on what was known at `origin` (when it lies after day 0), then score."""
    chosen, skipped = select(records, view, origin)
    if not chosen:
        raise ObservationError(f"{observations_file or 'observations'}: no observation lies "
                               f"after {origin} and inside the runs; nothing to score")
    conditioned = None
    if origin > view.start_date:
        conditioned = condition(view, records, origin)
        view = _resampled(view, conditioned)
        if prior is not None:
            prior = _resampled(prior, condition(prior, records, origin), "the --reference ")
    scored = score(chosen, view, records, origin, prior)
    summary = summarise(scored, skipped, origin, str(observations_file or "shipped"))
    summary["conditioning"] = None if conditioned is None else conditioned.summary()
    return summary, scored


def _resampled(view: SeriesView, conditioned: Conditioned, whose: str = "the ") -> SeriesView:
    if conditioned.kept == 0:
        worst = max(conditioned.contradicted.items(), key=lambda kv: kv[1], default=("", 0))
        raise ObservationError(f"no run of {whose}ensemble agrees with what was known on "
                               f"{conditioned.origin} "
                               f"(e.g. {worst[0]}: contradicted by {worst[1]} runs); "
                               "score from an earlier --from date or run more runs")
    return view.take(conditioned.resample(seed=RESAMPLE_SEED))


def read_run(folder: str | Path) -> tuple[SeriesView, dict[str, Any]]:
    """A run folder's daily series as a view (runs in order 0, 1, ...), and its manifest;
    a clear error for a compare or sweep folder or one without daily series."""
    from libyasim.ensemble import EnsembleError, load_results
    from libyasim.results import COMPARE_FILE, SCENARIO_DIR

    folder = Path(folder)
    if (folder / COMPARE_FILE).exists():
        names = sorted(p.name for p in (folder / SCENARIO_DIR).iterdir() if p.is_dir()) \
            if (folder / SCENARIO_DIR).is_dir() else []
        example = folder / SCENARIO_DIR / (names[0] if names else "NAME")
        raise EnsembleError(f"{folder}: a compare folder; validate each scenario's run folder "
                            f"instead, e.g. `libyasim validate {example}` (scenarios: "
                            f"{', '.join(names) or 'none found'})")
    runs, series, manifest = load_results(folder)
    if series is None:
        raise EnsembleError(f"{folder}: no series.parquet; validation needs the daily series "
                            "(a `libyasim run` folder)")
    if "point" in series.columns or "point" in runs.columns:
        raise EnsembleError(f"{folder}: a sweep folder; validate a `libyasim run` folder")
    start_date = dt.date.fromisoformat(manifest["scenario"]["values"]["scenario.start_date"])
    return SeriesView.from_frame(series, start_date), manifest


def ess_warning(summary: dict[str, Any]) -> str | None:
    """A line when the conditioned ensemble of an origin is worth few runs (its effective
    sample size below MIN_ESS or 5% of the runs): its scores rest on those few."""
    conditioned = summary.get("conditioning")
    if not conditioned or conditioned["ess"] >= max(MIN_ESS, 0.05 * conditioned["runs"]):
        return None
    return (f"from {summary['from']}: the conditioned ensemble is worth only "
            f"{conditioned['ess']:.0f} of {conditioned['runs']} runs (effective sample size); "
            "few runs reproduce what was known then, so these scores are noisy")


def calibration_warnings(scored: Sequence[Scored], values: dict[str, Any]) -> list[str]:
    """One line per scored observation that the scenario's calibration may have used: known
    on or before the calibration's cutoff (its calibration.json), so not out of sample."""
    posterior = values.get("scenario.posterior") or ""
    record = Path(posterior) / "calibration.json" if posterior else None
    if record is None or not record.is_file():
        return []
    calibration = json.loads(record.read_text())
    cutoff = dt.date.fromisoformat(calibration["cutoff"])
    used = {o["name"] for o in calibration.get("observations_used", [])}
    lines = []
    for s in scored:
        if s.obs.known_on <= cutoff:
            how = "was fitted to it" if s.obs.name in used else "could have read it"
            lines.append(f"{s.obs.name} (origin {s.row['origin']}): known on {s.obs.known_on}, "
                         f"on or before the calibration's cutoff {cutoff}; the calibration "
                         f"{how}, so its score is not out of sample")
    return lines


def _write(out_dir: Path, summary: dict[str, Any], scored: Sequence[Scored],
           view: SeriesView) -> None:
    usable_folder(out_dir)
    table = pd.DataFrame([s.row for s in scored])
    atomic_write(out_dir / VALIDATION_CSV, lambda p: table.to_csv(p, index=False))
    atomic_write(out_dir / VALIDATION_JSON, lambda p: p.write_text(
        json.dumps(_strict(summary), indent=1, default=_json, allow_nan=False)))
    first = [s for s in scored if s.row["origin"] == summary["from"]]
    fig = figure(first, f"{summary['scenario']}: {view.runs} runs scored on what happened "
                 f"after {summary['from']}")
    atomic_write(out_dir / VALIDATION_PNG, lambda p: fig.savefig(p, dpi=110, format="png"))
    __import__("matplotlib.pyplot").pyplot.close(fig)
    remove_derived(out_dir, (REPORT_FILE,))  # a report showing the earlier validation is stale


def _strict(value: Any) -> Any:
    """`value` with every infinite or undefined number as text ("-inf", "inf", "nan"): strict
    JSON has no such numbers, and a skill is -inf where the reference was perfect."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _json(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(type(value))


def cmd_validate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    summary = validate(args.folder, args.observations, args.start, args.out, args.force,
                       args.reference)
    out = Path(args.out or args.folder[0])
    print(summary["line"])
    for origin in summary["origins"]:
        if origin["skipped"]:
            names = ", ".join(item["name"] for item in origin["skipped"])
            print(f"  not scored from {origin['from']} ({len(origin['skipped'])}, reasons in "
                  f"{VALIDATION_JSON}): {names}")
    for line in summary["warnings"]:
        print(f"warning: {line}")
    print(f"wrote {out / VALIDATION_CSV}, {VALIDATION_JSON} and {VALIDATION_PNG}")
    return 0


def add_command(sub: Any) -> None:
    """Register `libyasim validate`."""
    val = sub.add_parser("validate", help="score a run folder against observations after "
                         "its information cutoff or other forecast origins")
    val.add_argument("folder", metavar="RESULTS_DIR", nargs="+",
                     help="a folder written by `libyasim run` or `libyasim forecast`; several "
                     "(forecasts issued on different days) are each scored from their own "
                     "information cutoff into one table (with --out)")
    val.add_argument("--observations", metavar="FILE",
                     help="observations CSV (default: the shipped observations.csv)")
    val.add_argument("--from", dest="start", type=arguments.date, metavar="DATE",
                     action="append",
                     help="forecast origin: score what happened after DATE, the runs "
                     "conditioned on what was known then; repeat for several origins "
                     "(default: the scenario's information_cutoff)")
    val.add_argument("--reference", metavar="DIR", action="append",
                     help="another run folder scored as a reference, e.g. the model's prior "
                     "predictive (`libyasim run SCENARIO --prior`); with several results "
                     "folders, repeat it, one per folder in the same order")
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
    keep = [c for c in ("origin", "name", "kind", "observed_text", "median", "q05", "q95",
                        "in_90", "pit", "crps", "probability", "brier", "last_value_forecast")
            if c in table]
    skill = pd.DataFrame(summary.get("skill_table", []))
    parts = [f"<h2>Validation against observations after {html.escape(summary['from'])}</h2>",
             *(f"<p>{html.escape(line)}.</p>" for line in summary["line"].splitlines()),
             *(f"<p><strong>Warning:</strong> {html.escape(w)}.</p>"
               for w in summary.get("warnings", [])),
             "<h3>Skill per origin and reference</h3>",
             "<p>1 - model score / reference score: above 0 the model does better.</p>",
             skill.to_html(index=False, border=0, na_rep="\u2014",
                           float_format=lambda v: f"{v:+.2f}") if len(skill) else "",
             table[keep].to_html(index=False, border=0, na_rep="\u2014",
                                 float_format=lambda v: f"{v:.3g}")]
    if (folder / VALIDATION_PNG).exists():
        data = base64.b64encode((folder / VALIDATION_PNG).read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="validation" src="data:image/png;base64,{data}">'
                     "<figcaption>Observed values against the ensemble's 50% and 90% intervals; "
                     "yes/no facts; PIT histogram.</figcaption></figure>")
    return "\n".join(parts)
