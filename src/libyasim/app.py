"""The classroom app: a Mesa SolaraViz page with a live map of Libya, the truce and charts.

Served by `libyasim app [SCENARIO]`, which runs `solara run libyasim.app`; the scenario file
reaches the page through the LIBYASIM_APP_SCENARIO environment variable (the baseline when
unset). Students set plain-word switches (each shows the provenance of its default on hover),
press Reset to start again with them, then Step, Play or run the whole horizon at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from libyasim.geography import LIBYA_OUTLINE, PLACES, ROADS
from libyasim.model import SERIES_COLUMNS, LibyaModel, Truce
from libyasim.params import PARAMS
from libyasim.plots import END_STATE_LABELS, SIDE_COLOURS
from libyasim.scenario import Scenario, load_scenario, resolve_scenario

SCENARIO_ENV = "LIBYASIM_APP_SCENARIO"
GNA_BACKERS, LNA_BACKERS = ("turkey", "qatar"), ("russia", "uae", "egypt")
COL = {name: i for i, name in enumerate(SERIES_COLUMNS)}
HOLDER_WORDS = {"gna": "GNA side", "lna": "LNA side", "unaligned": "unaligned",
                "contested": "contested"}
TRUCE_COLOURS = {Truce.NONE: "#7f7f7f", Truce.IN_FORCE: "#2ca02c", Truce.COLLAPSED: "#d62728",
                 Truce.SETTLED: "#1f77b4"}


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


class ClassroomModel(LibyaModel):
    """The Libya model built from the app's switches, collecting its data every day.

    `settings` may be a reactive value: Mesa's Reset button rebuilds the model with the same
    arguments, so it then reads the switches as they are at that moment.
    """

    def __init__(self, base: Scenario, settings: Settings | solara.Reactive[Settings]):
        current = settings.value if isinstance(settings, solara.Reactive) else settings
        self.settings = current
        super().__init__(base, rng=current.seed, collect_every_step=True,
                         **current.overrides(base))

    def step(self) -> None:
        """One day; nothing once the horizon is reached."""
        if self.running:
            super().step()


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


# ---------------------------------------------------------------- the switches
@solara.component
def Hint(text: str, children: list = []):  # noqa: B006 (solara's children convention)
    """Show `text` when the pointer rests on the children."""
    with solara.Tooltip(solara.Markdown(text.replace("\n", "\n\n"),
                                        style={"max-width": "420px", "color": "white"})):
        solara.Div(children=children, classes=["libyasim-control"])


@solara.component
def SwitchPanel(base: Scenario, settings: solara.Reactive[Settings],
                model: solara.Reactive[ClassroomModel]):
    """Plain-word switches; they take effect when Reset is pressed."""
    s = settings.value

    def setter(field: str):
        return lambda value: settings.set(dataclasses.replace(settings.value, **{field: value}))

    truce_date = base["scenario.start_date"] + dt.timedelta(days=s.truce_day)
    with solara.Sidebar(), solara.Card("Scenario switches", classes=["libyasim-switches"]):
        solara.Markdown(f"Scenario: **{base.name}**. Rest the pointer on a switch to see where "
                        "its default comes from.")
        with Hint(provenance(base, "truce.enabled")):
            solara.Checkbox(label="Truce called", value=s.truce, on_value=setter("truce"))
        with Hint(provenance(base, "truce.start")):
            solara.SliderInt(f"Truce starts on {_value_text(truce_date)}", value=s.truce_day,
                             min=0, max=120, on_value=setter("truce_day"), disabled=not s.truce)
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
                               value=s.embargo, min=0.0, max=1.0, step=0.05,
                               on_value=setter("embargo"))
        with Hint(provenance(base, *(f"arms.{b}.volume" for b in GNA_BACKERS))):
            solara.SliderFloat(f"Arms to the GNA side: {s.arms_gna:.1f} x planned",
                               value=s.arms_gna, min=0.0, max=3.0, step=0.1,
                               on_value=setter("arms_gna"))
        with Hint(provenance(base, *(f"arms.{b}.volume" for b in LNA_BACKERS))):
            solara.SliderFloat(f"Arms to the LNA side: {s.arms_lna:.1f} x planned",
                               value=s.arms_lna, min=0.0, max=3.0, step=0.1,
                               on_value=setter("arms_lna"))
        with Hint(provenance(base, "scenario.seed")):
            solara.InputInt("Random seed (same seed, same run)", value=s.seed,
                            on_value=setter("seed"))
        if s != model.value.settings:
            solara.Warning("Switches changed: press RESET to start again with them.",
                           classes=["libyasim-pending"])


# ---------------------------------------------------------------- the views
def _date_text(model: LibyaModel, day: int | None) -> str:
    return _value_text(model.date_of(day)) if day is not None else ""


def _truce_words(model: LibyaModel) -> str:
    if model.truce == Truce.IN_FORCE:
        since = "" if model.truce_collapse_day is None else " again"
        return f"in force{since}"
    if model.truce == Truce.COLLAPSED:
        return f"collapsed (first on {_date_text(model, model.truce_collapse_day)})"
    if model.truce == Truce.SETTLED:
        return f"permanent ceasefire signed on {_date_text(model, model.settlement_day)}"
    if model.truce_start_day is None:
        return "none called"
    return f"not yet in force (from {_date_text(model, model.truce_start_day)})"


def status_markdown(model: LibyaModel) -> str:
    """Today's date, the truce, violations, talks, deaths and Tripoli, in a few lines."""
    day = model.steps
    so_far = model.series[: day + 1]
    today = [int(so_far[day, COL[f"violations_{k}"]]) for k in ("gna", "wag", "lna")]
    total = int(so_far[:, COL["violations_gna"]:COL["violations_lna"] + 1].sum())
    tripoli = model.place_holders()[model.place_index["tripoli"]]
    talks = (f"since {_date_text(model, model.talks_day)}" if model.talks_day is not None
             else "not started")
    colour = TRUCE_COLOURS[model.truce]
    return (
        f"### Day {day} of {model.horizon}: {_date_text(model, day)}\n\n"
        f"<span style='background:{colour};color:white;padding:2px 8px;border-radius:4px'>"
        f"Truce: {_truce_words(model)}</span>\n\n"
        f"**Violations today:** GNA {today[0]}, western armed groups {today[1]}, "
        f"LNA {today[2]} (total so far: {total})  \n"
        f"**Talks:** {talks}  \n"
        f"**Deaths so far:** {int(so_far[:, COL['battle_deaths']].sum()):,} fighters, "
        f"{int(so_far[:, COL['civilian_deaths']].sum()):,} civilians  \n"
        f"**Tripoli:** held by the {HOLDER_WORDS[tripoli]}  \n"
        f"**Outcome if it ended today:** {END_STATE_LABELS[model.end_state()]}")


@solara.component
def Situation(model: ClassroomModel):
    """Map of Libya and the state of the truce today."""
    update_counter.get()
    with solara.Card(classes=["libyasim-situation"]):
        with solara.Div(classes=["libyasim-status"]):
            solara.Markdown(status_markdown(model))
        solara.FigureMatplotlib(map_figure(model), format="png",
                                dependencies=[model, model.steps])
        with solara.Row():
            solara.Button("Run 30 days", on_click=lambda: run_days(model, 30),
                          disabled=not model.running, classes=["libyasim-run30"])
            solara.Button("Run to the end", color="primary", on_click=lambda: run_days(model),
                          disabled=not model.running, classes=["libyasim-run-all"])


def run_days(model: ClassroomModel, days: int | None = None) -> None:
    """Step `days` days (or to the horizon), then redraw once."""
    remaining = model.horizon - model.steps if days is None else days
    for _ in range(remaining):
        model.step()
    force_update()


def map_figure(model: LibyaModel) -> Figure:
    """Libya's outline, roads and places, coloured by holder and sized by forces."""
    fig = Figure(figsize=(6.2, 5.4), dpi=90)
    ax = fig.subplots()
    outline = np.array(LIBYA_OUTLINE)
    ax.fill(outline[:, 0], outline[:, 1], color="#f3ead7", ec="#8c7b5a", lw=1.2, zorder=0)
    coords = {p.key: (p.lon, p.lat) for p in PLACES}
    for a, b in ROADS:
        (x0, y0), (x1, y1) = coords[a], coords[b]
        ax.plot([x0, x1], [y0, y1], color="#b0a58c", lw=1.2, zorder=1)
    holders = model.place_holders()
    forces = model.forces.sum(axis=1)
    sizes = 30 + 600 * np.sqrt(forces / max(forces.max(), 1.0))
    for i, place in enumerate(PLACES):
        ax.scatter(place.lon, place.lat, s=sizes[i], color=SIDE_COLOURS[holders[i]],
                   alpha=0.8, ec="black", lw=0.6, zorder=3)
    for key in ("tripoli", "misrata", "sirte", "jufra", "benghazi", "tobruk", "sabha", "gharyan"):
        x, y = coords[key]
        ax.annotate(PLACES[model.place_index[key]].name.split(" (")[0], (x, y),
                    xytext=(6, 6), textcoords="offset points", fontsize=8, zorder=4)
    for holder in ("gna", "lna", "contested", "unaligned"):
        ax.scatter([], [], s=60, color=SIDE_COLOURS[holder], ec="black", lw=0.6,
                   label=HOLDER_WORDS[holder])
    ax.legend(loc="lower left", fontsize=8, title="held by (size: fighters)",
              title_fontsize=8, framealpha=0.9)
    ax.set_xlim(9.3, 25.5)
    ax.set_ylim(19.3, 34.0)
    ax.set_aspect(1.15)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_title(f"Who holds what on {_date_text(model, model.steps)}")
    fig.tight_layout()
    return fig


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
    for value, label in ((Truce.IN_FORCE, "truce in force"), (Truce.SETTLED, "settled")):
        ax.fill_between(dates, 0, 1, where=state == value, color=TRUCE_COLOURS[value],
                        alpha=0.12, step="mid", transform=ax.get_xaxis_transform(), label=label)
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


@solara.component
def Charts(model: ClassroomModel):
    """Live charts of violations, deaths and control."""
    update_counter.get()
    with solara.Card(classes=["libyasim-charts"]):
        solara.FigureMatplotlib(charts_figure(model), format="png",
                                dependencies=[model, model.steps])


@solara.component
def SidebarSwitches(base: Scenario, settings: solara.Reactive[Settings],
                    model: solara.Reactive[ClassroomModel]):
    """The switch panel one component level below the page, so that the sidebar lists it
    after Mesa's controls (the sidebar orders its parts by depth)."""
    SwitchPanel(base, settings, model)


@solara.component
def Page():
    """One session: its own switches and model, in Mesa's SolaraViz frame.

    The views are laid out here rather than passed as SolaraViz components: Mesa places
    components in a draggable grid whose script (vue-grid-layout, built for Vue 2) fails under
    the Vue 3 front end of the installed Solara, leaving the page blank.
    """
    base = solara.use_memo(base_scenario, [])
    first = solara.use_memo(lambda: Settings.from_scenario(base), [])
    settings = solara.use_reactive(first)
    model = solara.use_reactive(solara.use_memo(lambda: ClassroomModel(base, first), []))
    SolaraViz(model, components=[], model_params={"base": base, "settings": settings},
              play_interval=1, render_interval=1, name="libyasim: ceasefire in Libya, 2020")
    SidebarSwitches(base, settings, model)
    with solara.Columns([1, 1]):
        Situation(model.value)
        Charts(model.value)


page = Page
