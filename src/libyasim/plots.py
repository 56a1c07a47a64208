"""Plots of an ensemble. Each function returns a matplotlib Figure; `save_all` writes the PNGs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from libyasim import analysis
from libyasim.geography import LIBYA_OUTLINE, PLACES, ROADS

SIDE_COLOURS = {"gna": "#1f77b4", "lna": "#d62728", "unaligned": "#7f7f7f",
                "contested": "#9467bd", "wag": "#17becf"}
END_STATE_LABELS = {
    "lna_takes_tripoli": "LNA takes Tripoli",
    "negotiated_settlement": "Negotiated settlement",
    "gna_pushes_back": "GNA pushes the LNA back",
    "truce_holds": "Truce holds",
    "frozen_front": "Fighting, front frozen",
}


def _dates(start: dt.date, days) -> pd.DatetimeIndex:
    return pd.to_datetime(start) + pd.to_timedelta(np.asarray(days), unit="D")


def _date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(alpha=0.3)


def _subtitle(scenario_name: str, n_runs: int) -> str:
    return f"scenario: {scenario_name} \u2022 {n_runs} runs"


def survival_figure(runs: pd.DataFrame, horizon: int, start: dt.date, scenario_name: str) -> Figure:
    """Kaplan-Meier curve of the first truce with its 95% band and the censored share."""
    surv = analysis.truce_survival(runs, horizon)
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    x = _dates(start, surv["day"])
    ax.fill_between(x, surv["low"], surv["high"], step="post", alpha=0.25, color="#2ca02c",
                    label="95% confidence band")
    ax.step(x, surv["survival"], where="post", color="#2ca02c", lw=2,
            label="share of runs with the first truce still holding")
    censored = int((~runs["truce_collapsed"].astype(bool)).sum())
    median = analysis.median_survival(surv)
    if median is not None:
        ax.axvline(_dates(start, [median])[0], color="k", ls=":", lw=1,
                   label=f"median survival: {median:.0f} days")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("probability the truce still holds")
    ax.set_xlabel("date")
    _date_axis(ax)
    ax.set_title(f"Truce survival (Kaplan\u2013Meier)\n{_subtitle(scenario_name, len(runs))}; "
                 f"{censored} runs censored at the horizon (truce never collapsed)", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    return fig


def histograms_figure(runs: pd.DataFrame, scenario_name: str) -> Figure:
    """Distributions of battle deaths, civilian deaths and truce violations per run."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
    specs = (("battle_deaths", "battle-related deaths (combatants)", "#d62728"),
             ("civilian_deaths", "civilian deaths", "#ff7f0e"),
             ("violations_total", "truce violations (incidents)", "#9467bd"))
    for ax, (col, label, colour) in zip(axes, specs):
        values = runs[col].astype(float)
        ax.hist(values, bins=min(30, max(5, len(values) // 5)), color=colour, alpha=0.8)
        ax.axvline(values.median(), color="k", ls="--", lw=1,
                   label=f"median {values.median():,.0f}")
        ax.set_xlabel(f"{label} per run (whole horizon)")
        ax.set_ylabel("number of runs")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Deaths and violations\n{_subtitle(scenario_name, len(runs))}", fontsize=11)
    return fig


def end_states_figure(runs: pd.DataFrame, scenario_name: str) -> Figure:
    """Probability of each end state with 95% Wilson intervals."""
    probs = analysis.end_state_probabilities(runs)
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    y = np.arange(len(probs))
    err = np.vstack([probs["probability"] - probs["low"], probs["high"] - probs["probability"]])
    ax.barh(y, probs["probability"], xerr=err, capsize=4, color="#4c72b0",
            label="share of runs (bar) with 95% Wilson interval (whiskers)")
    for yi, p in zip(y, probs["probability"]):
        ax.text(min(p + 0.02, 0.9), yi, f"{p:.0%}", va="center", fontsize=9)
    ax.set_yticks(y, [END_STATE_LABELS[s] for s in probs["end_state"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("probability at the horizon (share of runs)")
    ax.set_title(f"End states\n{_subtitle(scenario_name, len(runs))}", fontsize=11)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _fan(ax, series: pd.DataFrame, column: str, start: dt.date, colour: str, label: str,
         cumulative: bool = False, scale: float = 1.0) -> None:
    q = analysis.fan(series, column, cumulative) * scale
    x = _dates(start, q.index)
    ax.fill_between(x, q["p05"], q["p95"], color=colour, alpha=0.15)
    ax.fill_between(x, q["p25"], q["p75"], color=colour, alpha=0.35)
    ax.plot(x, q["median"], color=colour, lw=2, label=f"{label} (median)")


def _band_legend(ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    handles += [plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.35),
                plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.15)]
    labels += ["50% of runs", "90% of runs"]
    ax.legend(handles, labels, fontsize=8, loc="best")


def fan_figure(series: pd.DataFrame, start: dt.date, scenario_name: str) -> Figure:
    """Fan charts: population control, forces by faction, cumulative deaths."""
    n_runs = series["run"].nunique()
    fig, axes = plt.subplots(3, 1, figsize=(9, 11), layout="constrained", sharex=True)
    ax = axes[0]
    _fan(ax, series, "population_gna", start, SIDE_COLOURS["gna"], "GNA side", scale=100)
    _fan(ax, series, "population_lna", start, SIDE_COLOURS["lna"], "LNA side", scale=100)
    _fan(ax, series, "population_contested", start, SIDE_COLOURS["contested"], "contested",
         scale=100)
    ax.set_ylabel("population held (% of the\npopulation of the key places)")
    ax.set_title("Control of the population", fontsize=10)
    _band_legend(ax)
    ax = axes[1]
    _fan(ax, series, "forces_gna", start, SIDE_COLOURS["gna"], "GNA")
    _fan(ax, series, "forces_wag", start, SIDE_COLOURS["wag"], "western armed groups")
    _fan(ax, series, "forces_lna", start, SIDE_COLOURS["lna"], "LNA")
    ax.set_ylabel("fighters")
    ax.set_title("Forces by faction", fontsize=10)
    _band_legend(ax)
    ax = axes[2]
    _fan(ax, series, "battle_deaths", start, "#d62728", "battle deaths", cumulative=True)
    _fan(ax, series, "civilian_deaths", start, "#ff7f0e", "civilian deaths", cumulative=True)
    ax.set_ylabel("cumulative deaths (people)")
    ax.set_title("Deaths since day 0", fontsize=10)
    ax.set_xlabel("date")
    _band_legend(ax)
    for ax in axes:
        _date_axis(ax)
    fig.suptitle(f"Daily outcomes: median, 50% and 90% bands\n{_subtitle(scenario_name, n_runs)}",
                 fontsize=11)
    return fig


def map_figure(runs: pd.DataFrame, scenario_name: str, horizon_date: dt.date) -> Figure:
    """Map of Libya: each place coloured by how often the GNA side or the LNA holds it."""
    fig, ax = plt.subplots(figsize=(9, 8), layout="constrained")
    outline = np.array(LIBYA_OUTLINE)
    ax.fill(outline[:, 0], outline[:, 1], color="#f3efe4", zorder=0)
    ax.plot(outline[:, 0], outline[:, 1], color="#8c8c8c", lw=1, zorder=1)
    pos = {p.key: (p.lon, p.lat) for p in PLACES}
    for a, b in ROADS:
        ax.plot(*zip(pos[a], pos[b]), color="#b0a890", lw=1, zorder=1)
    cmap = plt.get_cmap("RdBu")
    for p in PLACES:
        held = runs[f"holder_{p.key}"].value_counts(normalize=True)
        gna, lna = held.get("gna", 0.0), held.get("lna", 0.0)
        colour = cmap(0.5 + 0.5 * (gna - lna))
        size = 60 + 400 * np.sqrt(p.population / 1_100_000)
        ax.scatter(p.lon, p.lat, s=size, color=colour, edgecolor="k", lw=0.8, zorder=3)
        label = f"{p.name}\nGNA {gna:.0%} / LNA {lna:.0%}"
        if held.get("contested", 0.0) > 0.005:
            label += f" / contested {held.get('contested', 0.0):.0%}"
        right = p.key not in ("tripoli_south", "zuwara", "watiya", "sabratha", "zawiya")
        dy = {"tripoli": 0.25, "tripoli_south": -0.35, "surman": -0.35, "zawiya": 0.2,
              "sabratha": 0.35, "zuwara": 0.25}.get(p.key, 0.0)
        ax.annotate(label, (p.lon, p.lat), xytext=(p.lon + (0.35 if right else -0.35), p.lat + dy),
                    fontsize=6.5, ha="left" if right else "right", va="center", zorder=4)
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(-1, 1))
    bar = fig.colorbar(sm, ax=ax, shrink=0.6, pad=0.01)
    bar.set_label("share of runs held by GNA side minus share held by LNA\n"
                  "(blue: GNA side, red: LNA)")
    ax.set_xlim(7.5, 26)
    ax.set_ylim(19, 34.5)
    ax.set_aspect(1 / np.cos(np.radians(28)))
    ax.set_xlabel("longitude (\u00b0E)")
    ax.set_ylabel("latitude (\u00b0N)")
    ax.set_title(f"Who holds the key places on {horizon_date:%d %B %Y}\n"
                 f"{_subtitle(scenario_name, len(runs))}; marker size: population", fontsize=11)
    ax.grid(alpha=0.2)
    return fig


def save_all(runs: pd.DataFrame, series: pd.DataFrame | None, manifest: dict, out: Path
             ) -> list[Path]:
    """Write every plot of an ensemble as PNG into `out/plots`; return the paths."""
    values = manifest["scenario"]["values"]
    start = dt.date.fromisoformat(values["scenario.start_date"])
    horizon = int(values["scenario.horizon_days"])
    name = manifest["scenario"]["name"]
    plots_dir = Path(out) / "plots"
    plots_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "truce_survival": survival_figure(runs, horizon, start, name),
        "deaths_violations": histograms_figure(runs, name),
        "end_states": end_states_figure(runs, name),
        "map": map_figure(runs, name, start + dt.timedelta(days=horizon)),
    }
    if series is not None:
        figures["fan_charts"] = fan_figure(series, start, name)
    paths = []
    for key, fig in figures.items():
        path = plots_dir / f"{key}.png"
        tmp = path.with_name(f".{path.stem}.tmp.png")
        fig.savefig(tmp, dpi=120)
        plt.close(fig)
        tmp.replace(path)
        paths.append(path)
    return paths
