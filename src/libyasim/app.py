"""The classroom app: a Solara page with a live map of Libya, the truce, events and charts.

Served by `libyasim app [SCENARIO]` (see `libyasim.serve`); the scenario file reaches the page
through the LIBYASIM_APP_SCENARIO environment variable (the baseline when unset). Students set
plain-word switches (each shows the provenance of its default on hover), press Reset to start
again with them, then step a day, play, or run 30 days or the whole horizon at once. The page
drives Mesa's model (`LibyaModel`) through its public interface only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import threading
import time
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import solara
from matplotlib.figure import Figure

from libyasim import maps
from libyasim.model import PLACE_KEYS, SERIES_CATEGORIES, SERIES_COLUMNS, LibyaModel
from libyasim.params import PARAMS
from libyasim.plots import END_STATE_LABELS, SIDE_COLOURS
from libyasim.scenario import Scenario, load_scenario, resolve_scenario
from libyasim.serve import SCENARIO_ENV, safe

TITLE = "libyasim: ceasefire in Libya, 2020"
GNA_BACKERS, LNA_BACKERS = ("turkey", "qatar"), ("russia", "uae", "egypt")
COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}
TRUCE_STATES = SERIES_CATEGORIES["truce_state"]
TRUCE_COLOURS = {"none": "#7f7f7f", "holding": "#2ca02c", "broken": "#d62728",
                 "settled": "#1f77b4"}
HELD_WORDS = {"gna": "held by the GNA side", "lna": "held by the LNA side",
              "unaligned": "held by no side", "contested": "contested by both sides"}
PLAY_DAYS, PLAY_PAUSE_S = 7, 0.3  # Play runs a week at a time
MAX_SEED = 2**32 - 1
SLIDERS = {"truce_day": (0, 120), "embargo": (0.0, 1.0), "arms_gna": (0.0, 3.0),
           "arms_lna": (0.0, 3.0)}  # each slider's range
CSS = """
.libyasim-message { white-space: normal !important; overflow-wrap: anywhere; }
.libyasim-message .v-alert__content { white-space: normal; }
.libyasim-status p { margin-bottom: 4px; }
.libyasim-situation img, .libyasim-charts img { width: 100%; height: auto; }
"""


@dataclass(frozen=True)
class Settings:
    """The app's switches, in the units students see."""

    truce: bool
    truce_day: int  # days after day 0
    monitoring: bool
    russia_turkey: bool
    berlin: bool
    embargo: float  # share of shipments stopped
    turkey: bool
    arms_gna: float  # multiple of the scenario's planned volumes
    arms_lna: float
    seed: int

    @classmethod
    def from_scenario(cls, base: Scenario) -> Settings:
        """The switches as the scenario file sets them."""
        return cls(
            truce=base["truce.enabled"],
            truce_day=(base["truce.start"] - base["scenario.start_date"]).days,
            monitoring=base["truce.monitoring"],
            russia_turkey=base["mediation.russia_turkey.enabled"],
            berlin=base["mediation.berlin.enabled"],
            embargo=base["arms.embargo_enforcement"],
            turkey=base["arms.turkey.enabled"],
            arms_gna=1.0, arms_lna=1.0,
            seed=base["scenario.seed"],
        )

    def overrides(self, base: Scenario) -> dict[str, Any]:
        """Model parameters for these switches on top of the scenario."""
        out = {
            "truce.enabled": self.truce,
            "truce.start": base["scenario.start_date"] + dt.timedelta(days=self.truce_day),
            "truce.monitoring": self.monitoring,
            "mediation.russia_turkey.enabled": self.russia_turkey,
            "mediation.berlin.enabled": self.berlin,
            "arms.embargo_enforcement": self.embargo,
            "arms.turkey.enabled": self.turkey,
        }
        for backers, factor in ((GNA_BACKERS, self.arms_gna), (LNA_BACKERS, self.arms_lna)):
            for backer in backers:
                out[f"arms.{backer}.volume"] = base[f"arms.{backer}.volume"] * factor
        return out


def base_scenario() -> Scenario:
    """The scenario named by LIBYASIM_APP_SCENARIO, or the defaults (which are the baseline's)."""
    path = os.environ.get(SCENARIO_ENV)
    if path:
        return load_scenario(path)
    return dataclasses.replace(resolve_scenario(None), name="baseline (the model's defaults)")


# ---------------------------------------------------------------- provenance for tooltips
def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dt.date):
        return value.strftime("%d %B %Y").lstrip("0")
    return f"{value:g}" if isinstance(value, float) else str(value)


def provenance(base: Scenario, *names: str) -> str:
    """Where the defaults of these parameters come from, in a few lines."""
    lines = []
    for name in names:
        param = PARAMS[name]
        line = (f"{name} = {_value_text(param.default)} by default. "
                f"Source ({param.kind.replace('_', ' ')}): {param.citation}. {param.reason}")
        if name in base.overrides and base[name] != param.default:
            line += f" This scenario sets {_value_text(base[name])}."
        lines.append(line)
    return "\n".join(lines)


def build_model(base: Scenario, settings: Settings) -> LibyaModel:
    """The model for these switches, recording its data every day."""
    return LibyaModel(base, rng=settings.seed, collect_every_step=True,
                      **settings.overrides(base))


def slider_value(name: str, value: Any) -> int | float | None:
    """A slider's value brought into its range (None for what is not a finite number: a
    browser can send anything, not only what the slider offers)."""
    low, high = SLIDERS[name]
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    number = min(max(number, low), high)
    return round(number) if isinstance(low, int) else number


def parse_seed(text: str | None) -> int:
    """A seed typed by a student; ValueError with a sentence saying what is expected."""
    shown = text.strip() if isinstance(text, str) else ""
    if not shown.isdigit() or int(shown) > MAX_SEED:
        raise ValueError(f"The seed must be a whole number from 0 to {MAX_SEED:,}; "
                         f"{shown!r} is not one. The last valid seed is kept.")
    return int(shown)


# ---------------------------------------------------------------- the switches
def Html(content: str, style: str = ""):
    """Trusted HTML built here (any outside text escaped). Solara's Markdown is avoided: it
    loads KaTeX from a CDN on every use, which no installed package ships."""
    return solara.HTML(tag="div", unsafe_innerHTML=content, style=style)


@solara.component
def Hint(text: str, children: list = []):  # noqa: B006 (solara's children convention)
    """Show `text` when the pointer rests on the children."""
    with solara.Tooltip(Html("<br><br>".join(escape(line) for line in text.split("\n")),
                             style="max-width: 420px; color: white")):
        solara.Div(children=children, classes=["libyasim-control"])


@solara.component
def SwitchPanel(base: Scenario, settings: solara.Reactive[Settings], applied: Settings):
    """Plain-word switches; they take effect when Reset is pressed."""
    s = settings.value
    seed_text = solara.use_reactive(str(s.seed))
    seed_error = solara.use_reactive("")

    def replace(name: str, value: Any) -> None:
        settings.set(dataclasses.replace(settings.value, **{name: value}))

    def setter(name: str):
        def set_value(value: Any) -> None:
            if type(value) is type(getattr(settings.value, name)):  # a browser can send anything
                replace(name, value)
        return set_value

    def slider(name: str):
        def set_value(value: Any) -> None:
            bounded = slider_value(name, value)
            if bounded is not None:
                replace(name, bounded)
        return set_value

    def set_seed(text: str | None) -> None:
        seed_text.set(text or "")
        try:
            setter("seed")(parse_seed(text))
            seed_error.set("")
        except ValueError as error:
            seed_error.set(str(error))

    truce_date = base["scenario.start_date"] + dt.timedelta(days=s.truce_day)
    with solara.Card("Scenario switches", classes=["libyasim-switches"]):
        Html(f"Scenario: <b>{escape(base.name)}</b>. Rest the pointer on a switch to see where "
             "its default comes from.")
        with Hint(provenance(base, "truce.enabled")):
            solara.Checkbox(label="Truce called", value=s.truce, on_value=setter("truce"))
        with Hint(provenance(base, "truce.start")):
            solara.SliderInt(f"Truce starts on {_value_text(truce_date)}", value=s.truce_day,
                             min=int(SLIDERS["truce_day"][0]), max=int(SLIDERS["truce_day"][1]),
                             on_value=slider("truce_day"), disabled=not s.truce)
        with Hint(provenance(base, "truce.monitoring", "truce.monitoring_effect")):
            solara.Checkbox(label="Ceasefire monitors on the ground", value=s.monitoring,
                            on_value=setter("monitoring"))
        with Hint(provenance(base, "mediation.russia_turkey.enabled",
                             "mediation.russia_turkey.leverage")):
            solara.Checkbox(label="Russia and Turkey mediate", value=s.russia_turkey,
                            on_value=setter("russia_turkey"))
        with Hint(provenance(base, "mediation.berlin.enabled", "mediation.berlin.leverage",
                             "mediation.conference_date")):
            solara.Checkbox(label="Berlin process and UN mediate", value=s.berlin,
                            on_value=setter("berlin"))
        with Hint(provenance(base, "arms.turkey.enabled", "arms.turkey.start")):
            solara.Checkbox(label="Turkey sends troops and drones", value=s.turkey,
                            on_value=setter("turkey"))
        with Hint(provenance(base, "arms.embargo_enforcement")):
            solara.SliderFloat(f"Arms embargo stops {s.embargo:.0%} of shipments",
                               value=s.embargo, min=SLIDERS["embargo"][0], max=SLIDERS["embargo"][1],
                               step=0.05, on_value=slider("embargo"))
        with Hint(provenance(base, *(f"arms.{b}.volume" for b in GNA_BACKERS))):
            solara.SliderFloat(f"Arms to the GNA side: {s.arms_gna:.1f} x planned",
                               value=s.arms_gna, min=SLIDERS["arms_gna"][0], max=SLIDERS["arms_gna"][1],
                               step=0.1, on_value=slider("arms_gna"))
        with Hint(provenance(base, *(f"arms.{b}.volume" for b in LNA_BACKERS))):
            solara.SliderFloat(f"Arms to the LNA side: {s.arms_lna:.1f} x planned",
                               value=s.arms_lna, min=SLIDERS["arms_lna"][0], max=SLIDERS["arms_lna"][1],
                               step=0.1, on_value=slider("arms_lna"))
        with Hint(provenance(base, "scenario.seed")):
            solara.InputText("Random seed (same seed, same run)", value=seed_text.value,
                             on_value=set_seed, continuous_update=False,
                             classes=["libyasim-seed"])
        if seed_error.value:
            solara.Error(seed_error.value, classes=["libyasim-message", "libyasim-seed-error"])
        if s != applied:
            solara.Warning("Switches changed: press Reset to start again with them.",
                           classes=["libyasim-message", "libyasim-pending"])


# ---------------------------------------------------------------- the views
def _date_text(model: LibyaModel, day: int | None) -> str:
    return _value_text(model.date_of(day)) if day is not None else ""


def truce_words(model: LibyaModel, settings: Settings) -> tuple[str, str]:
    """The state of the truce today in words, and its colour."""
    state = TRUCE_STATES[int(model.series[model.steps, COL["truce_state"]])]
    colour = TRUCE_COLOURS[state]
    if state == "holding":
        return "in force and holding", colour
    if state == "broken":
        return "in force on paper, but fighting has resumed", colour
    if state == "settled":
        day = model.outcomes().get("settlement_day")
        return f"permanent ceasefire signed on {_date_text(model, day)}", colour
    if settings.truce and model.steps < settings.truce_day:
        return f"not yet in force (called for {_date_text(model, settings.truce_day)})", colour
    return "none in force", colour


def status_html(model: LibyaModel, settings: Settings) -> str:
    """Today's date, the truce, violations, talks, deaths and Tripoli, in a few lines."""
    day = model.steps
    so_far = model.series[: day + 1]
    today = [int(so_far[day, COL[f"violations_{k}"]]) for k in ("gna", "wag", "lna")]
    total = int(sum(so_far[:, COL[f"violations_{k}"]].sum() for k in ("gna", "wag", "lna")))
    outcomes = model.outcomes()
    tripoli = model.place_holders()[PLACE_KEYS.index("tripoli")]
    talks = (f"since {_date_text(model, outcomes['talks_day'])}"
             if outcomes.get("talks_day") is not None else "not started")
    words, colour = truce_words(model, settings)
    fighters = int(so_far[:, COL["battle_deaths"]].sum())
    civilians = int(so_far[:, COL["civilian_deaths"]].sum())
    lines = [
        (f"<b>Violations today:</b> GNA {today[0]}, western armed groups {today[1]}, "
         f"LNA {today[2]} (total so far: {total})"),
        f"<b>Talks:</b> {talks}",
        f"<b>Deaths so far:</b> {fighters:,} fighters, {civilians:,} civilians",
        f"<b>Tripoli:</b> {HELD_WORDS[tripoli]}",
        f"<b>Outcome if it ended today:</b> {END_STATE_LABELS[outcomes['end_state']]}",
    ]
    return (f"<h3>{_date_text(model, day)} (day {day} of {model.horizon})</h3>"
            f"<p><span style='background:{colour};color:white;padding:2px 8px;"
            f"border-radius:4px'>Truce: {words}</span></p><p>{'<br>'.join(lines)}</p>")


def map_figure(model: LibyaModel) -> Figure:
    """Who holds each place today, on the shared map."""
    holders = dict(zip(PLACE_KEYS, model.place_holders()))
    return maps.map_figure(holders, title=f"Who holds what on {_date_text(model, model.steps)}",
                           width=7.6, dpi=90)


def events_lines(model: LibyaModel, limit: int = 8) -> list[str]:
    """The latest events, newest first, as "15 Feb: what happened"."""
    return [f"{model.date_of(e.day):%-d %b}: {e.text}" for e in reversed(model.events[-limit:])]


def charts_figure(model: LibyaModel) -> Figure:
    """Daily violations, cumulative deaths and population held, over the whole horizon."""
    s = model.series[: model.steps + 1]
    dates = np.array([np.datetime64(model.date_of(d)) for d in range(len(s))])
    end = np.datetime64(model.date_of(model.horizon))
    fig = Figure(figsize=(6.2, 7.6), dpi=90)
    axes = fig.subplots(3, 1, sharex=True)
    ax = axes[0]
    for key, name in (("gna", "GNA"), ("wag", "western armed groups"), ("lna", "LNA")):
        ax.plot(dates, s[:, COL[f"violations_{key}"]], color=SIDE_COLOURS[key], lw=1, label=name)
    state = s[:, COL["truce_state"]].astype(int)
    for label, words in (("holding", "truce holding"), ("settled", "settled")):
        ax.fill_between(dates, 0, 1, where=state == TRUCE_STATES.index(label),
                        color=TRUCE_COLOURS[label], alpha=0.12, step="mid",
                        transform=ax.get_xaxis_transform(), label=words)
    ax.set_ylabel("violations per day")
    ax.set_title("Truce violations")
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    ax = axes[1]
    ax.plot(dates, np.cumsum(s[:, COL["battle_deaths"]]), color="black", label="fighters")
    ax.plot(dates, np.cumsum(s[:, COL["civilian_deaths"]]), color="#ff7f0e", label="civilians")
    ax.set_ylabel("deaths so far")
    ax.set_title("Deaths (cumulative)")
    ax.legend(fontsize=7, loc="upper left")
    ax = axes[2]
    for key, label in (("gna", "GNA side"), ("lna", "LNA side"), ("contested", "contested")):
        ax.plot(dates, 100 * s[:, COL[f"population_{key}"]], color=SIDE_COLOURS[key],
                label=label)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of population")
    ax.set_title("Population held")
    ax.legend(fontsize=7, loc="upper left", ncol=3)
    ax.set_xlim(dates[0], end)
    ax.set_xlabel("date")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def run_days(model: LibyaModel, days: int | None = None) -> None:
    """Step `days` days (or to the horizon); nothing past the horizon."""
    remaining = model.horizon - model.steps if days is None else days
    for _ in range(remaining):
        if not model.running:
            break
        model.step()


@solara.component
def Controls(running: bool, playing: solara.Reactive[bool], on_reset, on_run):
    """Reset, one day, play/pause, 30 days, to the end (`running`: before the horizon)."""
    busy = playing.value
    with solara.Row(classes=["libyasim-controls"], style={"flex-wrap": "wrap"}):
        solara.Button("Reset", icon_name="mdi-restart", on_click=on_reset, disabled=busy,
                      classes=["libyasim-reset"])
        solara.Button("Step one day", on_click=lambda: on_run(1),
                      disabled=busy or not running, classes=["libyasim-step"])
        solara.Button("Pause" if busy else "Play", icon_name="mdi-pause" if busy else "mdi-play",
                      on_click=lambda: playing.set(not busy), disabled=not running,
                      classes=["libyasim-play"])
        solara.Button("Run 30 days", on_click=lambda: on_run(30),
                      disabled=busy or not running, classes=["libyasim-run30"])
        solara.Button("Run to the end", color="primary", on_click=lambda: on_run(None),
                      disabled=busy or not running, classes=["libyasim-run-all"])


@solara.component
def Page():
    """One session: its own switches and model."""
    base = solara.use_memo(base_scenario, [])
    first = solara.use_memo(lambda: Settings.from_scenario(base), [])
    settings = solara.use_reactive(first)
    applied = solara.use_reactive(first)
    model = solara.use_reactive(solara.use_memo(lambda: build_model(base, first), []))
    version = solara.use_reactive(0)  # bumped whenever the model moves on
    playing = solara.use_reactive(False)
    lock = solara.use_memo(threading.Lock, [])
    m = model.value

    def reset() -> None:
        applied.set(settings.value)
        model.set(build_model(base, settings.value))
        version.set(version.value + 1)

    def run(days: int | None) -> None:
        with lock:
            run_days(m, days)
        version.set(version.value + 1)

    def play() -> None:
        while playing.value and m.running:
            time.sleep(PLAY_PAUSE_S)
            with lock:
                run_days(m, PLAY_DAYS)
            version.set(version.value + 1)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value, m], prefer_threaded=True)
    # drawn only when the model has moved on, not when a switch moves
    map_fig = solara.use_memo(lambda: map_figure(m), [m, version.value])
    charts_fig = solara.use_memo(lambda: charts_figure(m), [m, version.value])
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        SwitchPanel(base, settings, applied.value)
    Controls(m.running, playing, reset, run)
    with solara.Columns([3, 2]):
        with solara.Column(), solara.Card(classes=["libyasim-situation"]):
            with solara.Div(classes=["libyasim-status"]):
                Html(status_html(m, applied.value))
            solara.FigureMatplotlib(map_fig, format="png", dependencies=[m, version.value])
        with solara.Column():
            with solara.Card("What happened", classes=["libyasim-events"]):
                lines = events_lines(m)
                Html("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
                     if lines else "Nothing yet: step or play to see events.")
            with solara.Card(classes=["libyasim-charts"]):
                solara.FigureMatplotlib(charts_fig, format="png",
                                        dependencies=[m, version.value])


page = safe(Page)
