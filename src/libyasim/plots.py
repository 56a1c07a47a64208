"""Plots of an ensemble. Each function returns a matplotlib Figure; `save_all` writes the PNGs."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from libyasim import maps
from libyasim.analysis import NO_TRUCE_NOTE, percent
from libyasim.outcomes import END_STATE_LABELS
from libyasim.files import atomic_write
from libyasim.results import Comparison, Results

__all__ = ["END_STATE_LABELS", "SIDE_COLOURS", "save_all", "save_comparison"]
SIDE_COLOURS = {"gna": "#1f77b4", "lna": "#d62728", "unaligned": "#7f7f7f",
                "contested": "#9467bd", "wag": "#17becf"}


def _dates(start: dt.date, days) -> pd.DatetimeIndex:
    return pd.to_datetime(start) + pd.to_timedelta(np.asarray(days), unit="D")


def _date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3)


def _subtitle(scenario_name: str, n_runs: int) -> str:
    return f"scenario: {scenario_name} \u2022 {n_runs} runs"


def _no_truce(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=14,
            color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


def survival_figure(surv: pd.DataFrame, truce: pd.Series, scenario_name: str) -> Figure:
    """Kaplan-Meier curve of the first truce from its own start, with its 95% band.

    `surv` and `truce` are the saved tables `survival` and `truce` (one row) of a run.
    """
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    runs = int(truce["runs"])
    if surv.empty:
        _no_truce(ax, f"{NO_TRUCE_NOTE} in any run:\nno truce survival to show")
        ax.set_title(f"Truce survival\n{_subtitle(scenario_name, runs)}", fontsize=10)
        return fig
    ax.fill_between(surv["day"], surv["low"], surv["high"], step="post", alpha=0.25,
                    color="#2ca02c", label="95% confidence band")
    ax.step(surv["day"], surv["survival"], where="post", color="#2ca02c", lw=2,
            label="share of truces still holding")
    if np.isfinite(truce["median_truce_days"]):
        unstable = bool(truce.get("median_unstable", False))
        ax.axvline(truce["median_truce_days"], color="k", ls=":", lw=1,
                   label=f"median: {truce['median_truce_days']:.0f} days"
                   + (" (unstable: the curve is flat near one half)" if unstable else ""))
    if np.isfinite(truce.get("mean_truce_days", np.nan)):
        ax.plot([], [], " ", label=f"restricted mean: {truce['mean_truce_days']:.0f} days "
                f"[{truce['mean_truce_days_low']:.0f}, {truce['mean_truce_days_high']:.0f}] "
                f"of {int(truce['truce_window'])}")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, max(1, surv["day"].max()))  # a truce on the last day has a 0-day window
    ax.set_ylabel("probability the truce still holds")
    ax.set_xlabel("days since the truce started")
    ax.grid(alpha=0.3)
    censored = int(truce["truce_runs"] - round(truce["truce_collapsed"] * truce["truce_runs"]))
    note = f"{censored} of {int(truce['truce_runs'])} truces held to the horizon (censored)"
    if truce["truce_runs"] < runs:
        without = runs - int(truce["truce_runs"])
        note += f"; {without} run{'s' if without > 1 else ''} without a truce left out"
    ax.set_title(f"Truce survival from the truce's start (Kaplan\u2013Meier)\n"
                 f"{_subtitle(scenario_name, runs)}\n{note}", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def histograms_figure(runs: pd.DataFrame, scenario_name: str) -> Figure:
    """Distributions of battle deaths, civilian deaths and truce violations per run."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
    specs = (("battle_deaths", "battle deaths (combatants)", "#d62728"),
             ("civilian_deaths", "civilian deaths (people)", "#ff7f0e"),
             ("violations_total", "truce violations (incidents)", "#9467bd"))
    for ax, (col, label, colour) in zip(axes, specs):
        values = runs[col].astype(float)
        if col == "violations_total" and not runs["truce_declared"].astype(bool).any():
            ax.text(0.5, 0.5, "no truce declared in any run:\nno truce violations to count",
                    ha="center", va="center", transform=ax.transAxes, color="0.35")
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_xlabel(f"{label} per run")
            continue
        ax.hist(values, bins=min(30, max(5, len(values) // 5)), color=colour, alpha=0.8)
        ax.axvline(values.median(), color="k", ls="--", lw=1,
                   label=f"median {values.median():,.0f}")
        ax.set_xlabel(f"{label} per run")
        ax.set_ylabel("number of runs")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Deaths and violations over the whole horizon\n"
                 f"{_subtitle(scenario_name, len(runs))}", fontsize=11)
    return fig


def end_states_figure(probs: pd.DataFrame, scenario_name: str) -> Figure:
    """Probability of each end state with 95% Wilson intervals (the saved `end_states` table)."""
    runs = int(probs["runs"].sum())
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    y = np.arange(len(probs))
    err = np.vstack([probs["probability"] - probs["low"], probs["high"] - probs["probability"]])
    ax.barh(y, probs["probability"], xerr=err, capsize=4, color="#4c72b0",
            label="share of runs (bar) with 95% Wilson interval (whiskers)")
    for yi, p, high in zip(y, probs["probability"], probs["high"]):
        ax.text(min(high + 0.02, 0.93), float(yi), percent(p), va="center", fontsize=9)
    ax.set_yticks(y, [END_STATE_LABELS[s] for s in probs["end_state"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability at the horizon (share of runs)")
    ax.set_title(f"End states\n{_subtitle(scenario_name, runs)}", fontsize=11)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _fan(ax, fans: pd.DataFrame, column: str, start: dt.date, colour: str, label: str,
         cumulative: bool = False, scale: float = 1.0) -> None:
    q = fans[(fans["column"] == column) & (fans["cumulative"] == cumulative)]
    x = _dates(start, q["day"])
    q = q[["p05", "p25", "median", "p75", "p95"]] * scale
    ax.fill_between(x, q["p05"], q["p95"], color=colour, alpha=0.15)
    ax.fill_between(x, q["p25"], q["p75"], color=colour, alpha=0.35)
    ax.plot(x, q["median"], color=colour, lw=2, label=f"{label} (median)")


FAN_LEGEND = {0: "upper right", 1: "lower right", 2: "upper left"}  # fan row -> free corner


def _band_legend(ax, loc: str) -> None:
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.35),
                plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.15)]
    labels += ["50% of runs", "90% of runs"]
    ax.legend(handles, labels, fontsize=8, loc=loc, ncol=2)


def _fan_limits(axes) -> None:
    """Shares on 0-100% (room for the legend above), fighters from zero."""
    axes[0].set_ylim(0, 100)
    axes[1].set_ylim(bottom=0)


def fan_figure(fans: pd.DataFrame, start: dt.date, scenario_name: str, n_runs: int) -> Figure:
    """Fan charts: population control, forces by faction, cumulative deaths (from the saved
    `fans` table)."""
    fig, axes = plt.subplots(3, 1, figsize=(9, 11), layout="constrained", sharex=True)
    ax = axes[0]
    _fan(ax, fans, "population_gna", start, SIDE_COLOURS["gna"], "GNA side", scale=100)
    _fan(ax, fans, "population_lna", start, SIDE_COLOURS["lna"], "LNA side", scale=100)
    _fan(ax, fans, "population_contested", start, SIDE_COLOURS["contested"], "contested",
         scale=100)
    ax.set_ylabel("population held (% of the\npopulation of the key places)")
    ax.set_title("Control of the population", fontsize=10)
    ax = axes[1]
    _fan(ax, fans, "forces_gna", start, SIDE_COLOURS["gna"], "GNA")
    _fan(ax, fans, "forces_wag", start, SIDE_COLOURS["wag"], "western armed groups")
    _fan(ax, fans, "forces_lna", start, SIDE_COLOURS["lna"], "LNA")
    ax.set_ylabel("fighters")
    ax.set_title("Forces by faction", fontsize=10)
    ax = axes[2]
    _fan(ax, fans, "battle_deaths", start, "#d62728", "battle deaths", cumulative=True)
    _fan(ax, fans, "civilian_deaths", start, "#ff7f0e", "civilian deaths", cumulative=True)
    ax.set_ylabel("cumulative deaths (people)")
    ax.set_title("Deaths since day 0", fontsize=10)
    ax.set_xlabel("date")
    _fan_limits(axes)
    for row, ax in enumerate(axes):
        _band_legend(ax, FAN_LEGEND[row])
        _date_axis(ax)
    fig.suptitle(f"Daily outcomes: median, 50% and 90% bands\n{_subtitle(scenario_name, n_runs)}",
                 fontsize=11)
    return fig


def map_figure(holders: pd.DataFrame, scenario_name: str, n_runs: int,
               horizon_date: dt.date) -> Figure:
    """Map of Libya: each place a pie of how often each side holds it at the horizon
    (from the saved `holders` table)."""
    shares = {str(row["place"]): {h: float(row[h]) for h in maps.HOLDER_LABELS if h in row}
              for _, row in holders.iterrows()}
    return maps.map_figure(
        maps.modal_holders(shares), shares=shares, width=9.0,
        title=f"Who holds the key places on {horizon_date.day} {horizon_date:%B %Y}\n"
              f"{_subtitle(scenario_name, n_runs)}; front line between the most frequent "
              "holders")


def save_all(results: Results) -> list[Path]:
    """Write every plot of an ensemble as PNG into its folder's `plots`; return the paths.

    Figures draw the ensemble's saved tables (computed once by `analysis`)."""
    r = results
    assert r.path is not None
    figures = {
        "truce_survival": survival_figure(r.table("survival"), r.table("truce").iloc[0], r.name),
        "deaths_violations": histograms_figure(r.runs, r.name),
        "end_states": end_states_figure(r.table("end_states"), r.name),
        "map": map_figure(r.table("holders"), r.name, len(r.runs),
                          r.start + dt.timedelta(days=r.horizon)),
    }
    if r.series is not None:
        figures["fan_charts"] = fan_figure(r.table("fans"), r.start, r.name, len(r.runs))
    return _save_figures(figures, r.path / "plots")


# ---------------------------------------------------------------------------- comparisons
def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario, the same in every comparison figure (reference first)."""
    palette = plt.get_cmap("tab10")
    return {name: mcolors.to_hex(palette(i % palette.N)) for i, name in enumerate(names)}


def _compare_subtitle(results: Sequence[Results]) -> str:
    runs = sorted({len(r.runs) for r in results})
    same = all(np.array_equal(results[0].seeds, r.seeds) for r in results[1:])
    seeds = "same seeds in every scenario" if same else "different seeds"
    return f"{' / '.join(str(n) for n in runs)} runs per scenario \u2022 {seeds}"


def compare_survival_figure(results: Sequence[Results], surv: pd.DataFrame,
                            tests: pd.DataFrame) -> Figure:
    """Kaplan-Meier truce survival of each scenario from its truce's start, with 95% bands, and
    log-rank p-values against the first scenario (the saved `survival` and `logrank` tables)."""
    colours = scenario_colours([r.name for r in results])
    pvalues = {str(k): float(v) for k, v in zip(tests["scenario"], tests["pvalue"])}
    fig, ax = plt.subplots(figsize=(9, 5.2), layout="constrained")
    for i, r in enumerate(results):
        curve = surv[surv["scenario"] == r.name]
        if curve.empty:
            ax.plot([], [], color=colours[r.name], lw=2, ls=":",
                    label=f"{r.name}: {NO_TRUCE_NOTE}")
            continue
        ax.fill_between(curve["day"], curve["low"], curve["high"], step="post", alpha=0.15,
                        color=colours[r.name])
        text = r.name + (" (reference)" if i == 0 else "")
        pvalue = pvalues.get(r.name, np.nan) if i > 0 else np.nan
        if np.isfinite(pvalue):
            text += f": log-rank p = {pvalue:.2g}"
        ax.step(curve["day"], curve["survival"], where="post", color=colours[r.name], lw=2,
                label=text)
    if surv.empty:
        _no_truce(ax, f"{NO_TRUCE_NOTE} in any scenario")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("probability the first truce still holds")
    ax.set_xlabel("days since the truce started")
    ax.grid(alpha=0.3)
    ax.set_title("Truce survival from each truce's start (Kaplan\u2013Meier, shaded: 95% band)\n"
                 f"{_compare_subtitle(results)}; p-values compare each scenario with the "
                 "reference", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def compare_distributions_figure(results: Sequence[Results]) -> Figure:
    """Overlaid distributions of battle deaths, civilian deaths and violations per run."""
    colours = scenario_colours([r.name for r in results])
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6), layout="constrained")
    specs = (("battle_deaths", "battle-related deaths (combatants)"),
             ("civilian_deaths", "civilian deaths"),
             ("violations_total", "truce violations (incidents)"))
    for ax, (col, label) in zip(axes, specs):
        pooled = np.concatenate([r.runs[col].to_numpy(float) for r in results])
        bins = np.histogram_bin_edges(pooled, bins=min(30, max(8, len(pooled) // (5 * len(results)))))
        for r in results:
            values = r.runs[col].to_numpy(float)
            if col == "violations_total" and not r.runs["truce_declared"].astype(bool).any():
                ax.plot([], [], color=colours[r.name], lw=1.8, label=f"{r.name}: no truce declared")
                continue
            ax.hist(values, bins=bins, weights=np.full(len(values), 1 / len(values)),
                    histtype="step", lw=1.8, color=colours[r.name],
                    label=f"{r.name} (median {np.median(values):,.0f})")
            ax.axvline(np.median(values), color=colours[r.name], ls="--", lw=1)
        ax.set_xlabel(f"{label} per run")
        ax.set_ylabel("share of runs")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # headroom for the legend
        ax.legend(fontsize=7, loc="upper right")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Deaths and violations by scenario (dashed: medians)\n"
                 f"{_compare_subtitle(results)}", fontsize=11)
    return fig


def compare_end_states_figure(results: Sequence[Results], probs: pd.DataFrame) -> Figure:
    """End-state probabilities of each scenario side by side, with 95% Wilson intervals (the
    saved `end_states` table)."""
    colours = scenario_colours([r.name for r in results])
    n = len(results)
    height = 0.8 / n
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.35 * n * len(END_STATE_LABELS)),
                           layout="constrained")
    y0 = np.arange(len(END_STATE_LABELS))
    for i, r in enumerate(results):
        p = probs[probs["scenario"] == r.name]
        y = y0 - 0.4 + height * (i + 0.5)
        err = np.vstack([p["probability"] - p["low"], p["high"] - p["probability"]])
        ax.barh(y, p["probability"], height=height * 0.9, xerr=err, capsize=2,
                color=colours[r.name], label=r.name, error_kw={"lw": 0.8})
    ax.set_yticks(y0, [END_STATE_LABELS[s] for s in probs["end_state"].unique()])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability at the horizon (share of runs; whiskers: 95% Wilson interval)")
    ax.set_title(f"End states by scenario\n{_compare_subtitle(results)}", fontsize=11)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def forest_figure(diffs: pd.DataFrame, reference: str) -> Figure:
    """Forest plot: each key outcome's difference from the reference with its bootstrap CI.

    One panel per outcome, in the outcome's own unit; shares are shown in percentage points.
    """
    outcomes = list(dict.fromkeys(diffs["outcome"]))
    colours = scenario_colours([reference, *dict.fromkeys(diffs["scenario"])])
    cols = 3
    rows = max(1, -(-len(outcomes) // cols))
    n_scen = diffs["scenario"].nunique()
    fig, axes = plt.subplots(rows, cols, figsize=(13, rows * (0.9 + 0.32 * n_scen) + 1),
                             layout="constrained", squeeze=False)
    for ax, key in zip(axes.flat, outcomes):
        d = diffs[diffs["outcome"] == key]
        share = d["unit"].iloc[0].startswith("share")
        scale = 100 if share else 1
        y = np.arange(len(d))
        for yi, (_, row) in zip(y, d.iterrows()):
            ax.errorbar(row.difference * scale, yi,
                        xerr=[[(row.difference - row.low) * scale],
                              [(row.high - row.difference) * scale]],
                        fmt="o", color=colours[row.scenario], capsize=3, ms=5)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y, d["scenario"])
        ax.set_ylim(len(d) - 0.5, -0.5)
        ax.set_title(d["label"].iloc[0], fontsize=9)
        ax.set_xlabel("difference (percentage points)" if share
                      else f"difference ({d['unit'].iloc[0]})", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle(f"Difference of each outcome's mean from '{reference}' "
                 "(dot) with its 95% bootstrap interval (bar); 0 = no change", fontsize=11)
    return fig


FAN_COLUMNS_MAX = 4  # scenarios side by side; more wrap onto further rows of panels


def compare_fan_figure(results: Sequence[Results]) -> Figure:
    """Fan charts of each scenario side by side (at most FAN_COLUMNS_MAX a row, so the figure
    stays readable for many scenarios): population control, forces, cumulative deaths."""
    with_series = [r for r in results if r.series is not None]
    n = len(with_series)
    cols = min(n, FAN_COLUMNS_MAX)
    blocks = -(-n // cols)
    fig, axes = plt.subplots(3 * blocks, cols, figsize=(4.0 * cols + 0.8, 9 * blocks),
                             layout="constrained", sharey="row", squeeze=False)
    for j, r in enumerate(with_series):
        block, c = divmod(j, cols)
        col = axes[3 * block:3 * block + 3, c]
        for key, side in (("population_gna", "gna"), ("population_lna", "lna"),
                          ("population_contested", "contested")):
            _fan(col[0], r.table("fans"), key, r.start, SIDE_COLOURS[side],
                 {"gna": "GNA side", "lna": "LNA side"}.get(side, side), scale=100)
        for key, side, label in (("forces_gna", "gna", "GNA"), ("forces_wag", "wag", "western groups"),
                                 ("forces_lna", "lna", "LNA")):
            _fan(col[1], r.table("fans"), key, r.start, SIDE_COLOURS[side], label)
        _fan(col[2], r.table("fans"), "battle_deaths", r.start, "#d62728", "battle deaths",
             cumulative=True)
        _fan(col[2], r.table("fans"), "civilian_deaths", r.start, "#ff7f0e", "civilian deaths",
             cumulative=True)
        col[0].set_title(r.name, fontsize=11, fontweight="bold")
        col[2].set_xlabel("date")
        _fan_limits(col)
        end = _dates(r.start, [r.horizon])[0]
        for ax in col:
            ax.set_xlim(pd.Timestamp(r.start), end)  # no margin running past the horizon
            locator = mdates.MonthLocator(interval=3)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))  # each tick its year
            ax.grid(alpha=0.3)
    for kind in (1, 2):  # fighters and deaths on one scale in every row of panels
        top = max(axes[3 * b + kind, 0].get_ylim()[1] for b in range(blocks))
        for b in range(blocks):
            axes[3 * b + kind, 0].set_ylim(0, top)
    for j in range(n, blocks * cols):  # empty places in the last row of panels
        block, c = divmod(j, cols)
        for ax in axes[3 * block:3 * block + 3, c]:
            ax.set_visible(False)
    for block in range(blocks):
        axes[3 * block, 0].set_ylabel("population held (% of the\npopulation of the key places)")
        axes[3 * block + 1, 0].set_ylabel("fighters")
        axes[3 * block + 2, 0].set_ylabel("cumulative deaths (people)")
    for i in range(3):
        _band_legend(axes[i, 0], FAN_LEGEND[i])
    fig.suptitle("Daily outcomes by scenario: median, 50% and 90% of runs\n"
                 f"{_compare_subtitle(with_series)}", fontsize=11)
    return fig


def save_comparison(comparison: Comparison) -> list[Path]:
    """Write every comparison plot as PNG into the folder's `plots`, from its saved tables;
    return the paths."""
    results = comparison.results
    figures = {
        "compare_truce_survival": compare_survival_figure(
            results, comparison.table("survival"), comparison.table("logrank")),
        "compare_deaths_violations": compare_distributions_figure(results),
        "compare_end_states": compare_end_states_figure(results, comparison.table("end_states")),
        "compare_differences": forest_figure(comparison.table("differences"), results[0].name),
    }
    if any(r.series is not None for r in results):
        figures["compare_fan_charts"] = compare_fan_figure(results)
    return _save_figures(figures, comparison.path / "plots")


def _save_png(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=120, format="png")


def _save_figures(figures: dict[str, Figure], plots_dir: Path) -> list[Path]:
    plots_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for key, fig in figures.items():
        path = plots_dir / f"{key}.png"
        try:
            atomic_write(path, functools.partial(_save_png, fig))
        finally:
            plt.close(fig)
        paths.append(path)
    return paths


def explain_figure(table: pd.DataFrame, runs: int) -> Figure:
    """What each mechanism carries of the difference between two scenarios (`explain`'s
    table): one panel per outcome, mechanisms down the side; the dot and bar are the part of
    the difference that switching the mechanism off in both scenarios removes (95% interval),
    the shaded band the whole difference with every mechanism on."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    mechanisms = list(dict.fromkeys(table["mechanism"]))
    cols = min(3, len(outcomes))
    rows = max(1, -(-len(outcomes) // cols))
    height = rows * max(2.4, 1.2 + 0.23 * len(mechanisms)) + 1.2
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols + 1.6, height),
                             layout="constrained", squeeze=False, sharey=True)
    y = {m: i for i, m in enumerate(mechanisms)}
    for ax, key in zip(axes.flat, outcomes):
        d = table[table["outcome"] == key]
        share = d["unit"].iloc[0].startswith("share")
        scale = 100 if share else 1
        first = d.iloc[0]
        ax.axvspan(first.difference_low * scale, first.difference_high * scale,
                   color="#bbbbbb", alpha=0.5, label="whole difference, 95% band")
        ax.axvline(first.difference * scale, color="#555555", lw=1.2, ls="--",
                   label="whole difference B \u2212 A")
        ax.axvline(0, color="k", lw=0.8)
        for _, row in d.iterrows():
            off = row.status.startswith("off in both")
            ax.errorbar(row.carried * scale, y[row.mechanism],
                        xerr=[[(row.carried - row.carried_low) * scale],
                              [(row.carried_high - row.carried) * scale]],
                        fmt="x" if off else "o", ms=4.5, capsize=2.5,
                        color="#999999" if off else ("#d62728" if row.clear else "#1f77b4"))
        ax.set_title(d["label"].iloc[0], fontsize=9)
        ax.set_xlabel("carried (percentage points)" if share
                      else f"carried ({d['unit'].iloc[0]})", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_yticks(range(len(mechanisms)), mechanisms)
        ax.set_ylim(len(mechanisms) - 0.5, -0.5)
        ax.set_ylabel("mechanism switched off", fontsize=8)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    marker = dict(ls="none", capsize=2.5, ms=4.5)
    handles += [axes.flat[0].errorbar([], [], xerr=[], fmt="o", color=c, **marker)
                for c in ("#d62728", "#1f77b4")]
    handles.append(axes.flat[0].errorbar([], [], xerr=[], fmt="x", color="#999999", **marker))
    labels += ["carried, beyond Monte Carlo noise (95% interval)",
               "carried, within noise (95% interval)", "off in both scenarios already: not rerun"]
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
    reference, scenario = table["reference"].iloc[0], table["scenario"].iloc[0]
    fig.suptitle(f"What each mechanism carries of the difference '{scenario}' \u2212 "
                 f"'{reference}'\n(each switched off in both; {runs} runs with common random "
                 "numbers; mean difference it removes)", fontsize=11)
    return fig


def save_explain(table: pd.DataFrame, runs: int, plots_dir: Path) -> Path:
    """Write `explain_figure` as plots_dir/explain.png (whole or not at all)."""
    return _save_figures({"explain": explain_figure(table, runs)}, plots_dir)[0]
