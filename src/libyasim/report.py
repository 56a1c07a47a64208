"""A self-contained HTML report of a `run`, `compare` or `explore` folder, to send to colleagues.

The page embeds its figures (PNG as base64) and holds the summary and difference tables, the
scenario settings and every parameter's value with its provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from libyasim import __version__, analysis, plots
from libyasim.comparison import format_summary, like_for_like
from libyasim.ensemble import EnsembleError
from libyasim.files import atomic_write_text
from libyasim.folders import REPORT_FILE, RUNS_FILE, usable_folder
from libyasim.params import PARAMS
from libyasim.results import COMPARE_FILE, Comparison, Results, load_comparison

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1150px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: .85em; margin: .8em 0; }
th, td { border: 1px solid #ddd; padding: .25em .55em; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td.text, th.text { text-align: left; }
tr.changed td { background: #fff6d6; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #444; }
.meta td { text-align: left; } .note { color: #555; font-size: .9em; }
"""


GENERATOR = '<meta name=generator content="libyasim report">'  # marks the files it may replace


def _figure_html(fig: Figure, caption: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _table_html(frame: pd.DataFrame, index: bool = True) -> str:
    return frame.to_html(index=index, border=0, na_rep="\u2014", float_format=_number)


def _text_table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th class=text>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td class=text>{html.escape(str(v))}</td>" for v in row)
                   + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def local_paths_hidden(text: str) -> str:
    """`text` without this computer's absolute paths: the working folder's prefix dropped, the
    home folder shown as ~ (a report travels; its author's file system does not)."""
    for prefix, shown in ((str(Path.cwd().resolve()) + "/", ""), (str(Path.cwd()) + "/", ""),
                          (str(Path.home()), "~")):
        if len(prefix) > 2:
            text = text.replace(prefix, shown)
    return text


def _meta_html(results: Sequence[Results], command: str | None = None) -> str:
    m = results[0].manifest
    rows = [("scenarios", ", ".join(r.name for r in results)),
            ("runs per scenario", ", ".join(sorted({str(len(r.runs)) for r in results}))),
            ("root seed", ", ".join(sorted({str(r.manifest["root_seed"]) for r in results}))),
            ("simulated", m.get("created", "")), ("libyasim version", m.get("libyasim_version", "")),
            ("Mesa / Python", f"{m.get('mesa_version', '')} / {m.get('python', '')}"),
            ("command", command if command is not None else m.get("command", "")),
            ("report written", dt.datetime.now().isoformat(timespec="seconds")
             + f" by libyasim {__version__}")]
    body = "".join(f"<tr><th class=text>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows)
    return f'<table class="meta">{body}</table>'


def _scenarios_html(results: Sequence[Results]) -> str:
    parts = []
    for r in results:
        sc = r.manifest["scenario"]
        overrides = sc.get("overrides", {})
        rows = "".join(f"<tr><td class=text>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
                       for k, v in overrides.items())
        parts.append(
            f"<h3>{html.escape(r.name)}</h3><p>{html.escape(sc.get('description') or '')}"
            f" <span class=note>(file: {html.escape(str(sc.get('path')))})</span></p>"
            + (f"<table><tr><th class=text>setting</th><th>value</th></tr>{rows}</table>"
               if rows else "<p class=note>No settings: all parameters at their defaults.</p>"))
    return "".join(parts)


def provenance_table(results: Sequence[Results]) -> pd.DataFrame:
    """Every parameter: its value in each scenario, kind, source and reason."""
    rows = []
    for name, param in PARAMS.items():
        row = {"name": name}
        for r in results:
            row[r.name] = r.values.get(name, "\u2014")
        row.update(kind=param.kind, source=param.citation, reason=param.reason)
        rows.append(row)
    return pd.DataFrame(rows)


def _provenance_html(results: Sequence[Results]) -> str:
    table = provenance_table(results)
    names = [r.name for r in results]
    set_by = set().union(*(r.manifest["scenario"].get("overrides", {}) for r in results))
    head = "".join(f"<th class=text>{html.escape(c)}</th>" for c in table.columns)
    body = []
    for _, row in table.iterrows():
        values = [row[n] for n in names]
        changed = row["name"] in set_by or len({str(v) for v in values}) > 1
        cells = "".join(f"<td class=text>{html.escape(str(row[c]))}</td>" for c in table.columns)
        body.append(f"<tr{' class=changed' if changed else ''}>{cells}</tr>")
    return (f"<p class=note>Highlighted: set by a scenario file, or different between "
            f"scenarios. Kinds: <b>article</b> (a quote from the January 2020 news article), "
            f"<b>public_record</b> (a public source), <b>assumption</b> (a modelling choice and "
            f"its reason).</p><table><tr>{head}</tr>{''.join(body)}</table>")


def _run_sections(r: Results) -> list[str]:
    horizon_date = r.start + dt.timedelta(days=r.horizon)
    truce = r.table("truce").iloc[0]
    sections = [
        "<h2>Summary of outcomes</h2><p class=note>Each outcome by the statistic that fits "
        "it, with its 95% interval: yes/no outcomes and dated events as shares of runs (Wilson "
        "intervals); truce length from the truce's own start as a Kaplan-Meier median and a "
        "restricted mean (a truce that held is censored, never averaged as if it had ended); "
        "counts and amounts as medians, with the runs each figure counts.</p>"
        + _text_table_html(analysis.readable_summary(r.table("summary"))),
        "<h2>End states</h2>" + _table_html(r.table("end_states"), index=False),
        "<h2>Figures</h2>",
        _figure_html(plots.survival_figure(r.table("survival"), truce, r.name),
                     "Truce survival: share of truces still holding, by days since the truce "
                     "started (Kaplan-Meier with 95% band)."),
        _figure_html(plots.histograms_figure(r.runs, r.name),
                     "Distributions of battle deaths, civilian deaths and truce violations."),
        _figure_html(plots.end_states_figure(r.table("end_states"), r.name),
                     "Probability of each end state at the horizon, with 95% intervals."),
    ]
    if r.series is not None:
        sections.append(_figure_html(plots.fan_figure(r.table("fans"), r.start, r.name,
                                                      len(r.runs)),
                                     "Daily control, forces and cumulative deaths: median with "
                                     "the middle 50% and 90% of runs."))
    sections.append(_figure_html(plots.map_figure(r.table("holders"), r.name, len(r.runs),
                                                      horizon_date),
                                 "Who holds each key place at the horizon (share of runs)."))
    return sections


def _compare_sections(comparison: Comparison) -> list[str]:
    results = comparison.results
    diffs = comparison.table("differences")
    tests = comparison.table("logrank")
    labels = dict(zip(diffs["outcome"], diffs["label"]))  # outcomes named as `compare` prints
    shown = diffs.assign(outcome=diffs["label"]).drop(columns=["label"]).rename(
        columns={"reference": f"{results[0].name} mean", "value": "scenario mean"})
    means = comparison.table("outcomes")
    means.index = pd.Index([labels.get(name, name) for name in means.index], name="outcome")
    states = comparison.table("end_states")
    states["cell"] = [analysis.share_text(p, lo, hi) for p, lo, hi
                      in zip(states["probability"], states["low"], states["high"])]
    state_table = states.pivot(index="end_state", columns="scenario", values="cell")
    state_table = state_table.loc[list(dict.fromkeys(states["end_state"])), [r.name for r in results]]
    summary = format_summary(comparison.table("summary"))
    warnings = "".join(f"<p><b>Warning:</b> {html.escape(w)}.</p>"
                       for w in like_for_like(results))
    return [
        warnings + "<h2>Each scenario</h2><p class=note>As `libyasim compare` prints it: 95% intervals in "
        "brackets; truce length counted from each truce's own start.</p>"
        f"<pre>{html.escape(summary)}</pre>",
        "<h2>Key outcomes by scenario</h2><p class=note>Mean per run (shares: fraction of runs)."
        "</p>" + _table_html(means),
        f"<h2>Differences from {html.escape(results[0].name)}</h2><p class=note>Difference of "
        "each outcome's mean, scenario minus reference, with a 95% bootstrap (BCa) interval; "
        "paired: the runs share seeds (common random numbers); clear: the interval excludes 0."
        "</p>" + _table_html(shown, index=False),
        _figure_html(plots.forest_figure(diffs, results[0].name),
                     "Forest plot of the differences above: dot = difference, bar = 95% "
                     "interval; an interval that excludes 0 is a difference beyond Monte Carlo "
                     "noise."),
        "<h2>Truce survival</h2>" + _table_html(tests, index=False)
        + "<p class=note>Log-rank test of each scenario against the reference.</p>",
        _figure_html(plots.compare_survival_figure(results, comparison.table("survival"), tests),
                     "Truce survival by scenario from each truce's start (Kaplan-Meier with 95% "
                     "bands)."),
        "<h2>End states</h2><p class=note>Share of runs with 95% Wilson interval.</p>"
        + _table_html(state_table),
        _figure_html(plots.compare_end_states_figure(results, comparison.table("end_states")),
                     "End-state probabilities side by side."),
        "<h2>Deaths, violations and daily outcomes</h2>",
        _figure_html(plots.compare_distributions_figure(results),
                     "Distributions of deaths and violations per run."),
        *([_figure_html(plots.compare_fan_figure(results),
                        "Daily control, forces and cumulative deaths by scenario: median with "
                        "the middle 50% and 90% of runs.")]
          if any(r.series is not None for r in results) else []),
        *_explanation(comparison.path),
    ]


def _explanation(folder: Path) -> list[str]:
    """The section of `compare --explain`, when the folder holds one: what each mechanism
    carries of the differences, as printed, and its figure."""
    from libyasim.explanation import format_table

    path = folder / "explain.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path)
    if table.empty:
        return []
    return ["<h2>Which mechanisms carry the differences</h2><p class=note>Both scenarios rerun "
            "with each mechanism switched off, with the same seeds (`compare --explain`); "
            "carried: the part of the difference that disappears.</p>"
            f"<pre>{html.escape(format_table(table))}</pre>",
            _figure_html(plots.explain_figure(table, int(table["runs"].max())),
                         "What each mechanism carries of each outcome's difference, with 95% "
                         "intervals; the shaded band is the whole difference.")]


def validation_belongs(folder: Path, results: Results) -> bool:
    """Whether the folder's validation.* scored these runs (same scenario and number of runs);
    a validation of other runs is left out of the report, never shown under their name."""
    path = folder / "validation.json"
    if not path.is_file():
        return False
    try:
        summary = json.loads(path.read_text())
    except ValueError:
        return False
    return summary.get("scenario") == results.name and summary.get("runs") == len(results.runs)


def write_report(folder: str | Path, output: str | Path | None = None) -> Path:
    """Write the HTML report of a run or compare folder; return its path
    (default: FOLDER/report.html)."""
    folder = Path(folder)
    command = None
    from libyasim import discovery

    if discovery.is_explore_folder(folder):
        results, (title, sections) = [], discovery.report_sections(folder)
    elif (folder / COMPARE_FILE).is_file():
        comparison = load_comparison(folder)
        results = comparison.results
        command = comparison.command
        title = "Scenario comparison: " + " vs ".join(r.name for r in results)
        sections = _compare_sections(comparison)
    elif (folder / RUNS_FILE).is_file():
        results = [Results.load(folder)]
        title = f"Scenario {results[0].name}"
        sections = _run_sections(results[0])
        from libyasim.validate import report_section  # present after `libyasim validate`

        validation = report_section(folder) if validation_belongs(folder, results[0]) else None
        if validation:
            sections.append(validation)
    else:
        raise EnsembleError(f"{folder}: neither a `libyasim run` folder (no {RUNS_FILE}), a "
                            f"`libyasim compare` folder (no {COMPARE_FILE}) nor a `libyasim "
                            "explore` folder")
    page = (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>{GENERATOR}"
        f"<title>{html.escape(title)}"
        f"</title><style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        "<p>Agent-based Monte Carlo simulation of ceasefire dynamics in Libya's civil war from "
        "January 2020 (libyasim). Each run is one possible course of the year; the statistics "
        "describe the ensemble of runs.</p>"
        + (_meta_html(results, command) if results else "") + "".join(sections)
        + ("<h2>Scenarios</h2>" + _scenarios_html(results)
           + "<h2>Parameters and their provenance</h2>" + _provenance_html(results)
           if results else "")
        + "</body></html>")
    path = Path(output) if output is not None else folder / REPORT_FILE
    if path.is_dir():
        raise EnsembleError(f"{path} is a folder; expected the HTML file to write (--output)")
    if path.is_file() and GENERATOR not in path.read_text(errors="replace")[:500]:
        raise EnsembleError(f"{path} exists and is not a libyasim report; nothing was changed. "
                            "Choose another --output file")
    usable_folder(path.parent)
    atomic_write_text(local_paths_hidden(page), path)
    return path
