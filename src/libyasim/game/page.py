"""The classroom game's browser page (served by `libyasim game` through `libyasim.serve`).

One page for everyone: the teacher creates a room and runs it; students join with the room
code, take an actor (or join its team) and choose their orders each turn. The rules live in
`libyasim.game.rooms`; this module only draws them. Every text a player typed is shown with
`solara.Text` (never as Markdown or HTML). Each page watches its room's version number and
redraws when another browser changed the room: every component that reads the room takes that
number (`tick`) as an argument, since a component whose arguments are unchanged is not redrawn.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import solara

from libyasim.game import debrief
from libyasim.game.cli import (
    ENV_DATA,
    ENV_DIR,
    ENV_MAX_ROOMS,
    ENV_RUNS,
    ENV_SCENARIO,
    ENV_SEED,
    ENV_TURN_DAYS,
    ENV_URL,
)
from libyasim.game.engine import (
    ACTORS,
    COL,
    OPTIONS,
    SHORT_NAMES,
    choice_label,
    provenance,
)
from libyasim.game.record import dumps
from libyasim.game.rooms import (
    MAX_ROOMS,
    NAME_MAX,
    PIN_LENGTH,
    GameError,
    Registry,
    Room,
    normalise_code,
)
from libyasim.game.store import Store
from libyasim.maps import map_figure
from libyasim.outcomes import END_STATE_LABELS
from libyasim.scenario import Scenario, load_scenario, resolve_scenario
from libyasim.serve import safe

HOLDER_WORDS = {"gna": "the GNA side", "lna": "the LNA", "unaligned": "local forces",
                "contested": "nobody (contested)"}
TRUCE_WORDS = ("no truce declared", "in force", "broken down", "settled: permanent ceasefire")


@dataclasses.dataclass(frozen=True)
class Settings:
    """What `libyasim game` passed to the page."""

    scenario: Scenario
    seed: int
    turn_days: int
    url: str
    ensemble_runs: int
    ensemble_dir: Path


@functools.cache
def settings() -> Settings:
    path = os.environ.get(ENV_SCENARIO)
    scenario = load_scenario(path) if path else dataclasses.replace(
        resolve_scenario(None), name="baseline")
    seed = int(os.environ.get(ENV_SEED) or scenario["scenario.seed"])
    return Settings(scenario, seed, int(os.environ.get(ENV_TURN_DAYS) or 14),
                    os.environ.get(ENV_URL, "http://127.0.0.1:8766/"),
                    int(os.environ.get(ENV_RUNS) or 100),
                    Path(os.environ.get(ENV_DIR) or "results/game-ensembles"))


LOG = logging.getLogger("libyasim.game")


def start_registry() -> Registry:
    """The server's rooms, saved in (and brought back from) the data folder when one is set."""
    folder = os.environ.get(ENV_DATA)
    registry = Registry(int(os.environ.get(ENV_MAX_ROOMS) or MAX_ROOMS),
                        store=Store(folder) if folder else None)
    if folder:
        count = registry.restore()
        LOG.info("libyasim game: %d saved rooms brought back from %s", count, folder)
    return registry


REGISTRY = start_registry()


def ensemble_of(room: Room) -> debrief.Ensemble:
    s = settings()
    return debrief.ensemble(room.scenario, s.ensemble_runs, s.ensemble_dir)


# ---------------------------------------------------------------- pictures, drawn in the background
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="game-draw")  # one: pyplot
_DRAWINGS: dict[Hashable, Future] = {}
_DRAWINGS_LOCK = threading.Lock()
_DRAWN = [0]  # drawings finished so far: pages waiting for one redraw when it changes


def _finished(_: Future) -> None:
    _DRAWN[0] += 1


def drawing(key: Hashable, make: Callable[[], Any]) -> Future:
    """The PNG drawn by `make`, drawn once per key in the background (the page stays live)."""
    with _DRAWINGS_LOCK:
        future = _DRAWINGS.get(key)
        if future is None:
            if len(_DRAWINGS) > 300:  # forget old pictures
                for old in [k for k, f in _DRAWINGS.items() if f.done()][:150]:
                    del _DRAWINGS[old]
            future = _DRAWINGS[key] = _DRAWER.submit(make)
            future.add_done_callback(_finished)
        return future


def map_drawing(room: Room) -> Future:
    with room.lock:
        holders = room.run.holders()
        title = f"Who holds what on {room.run.date_of(room.run.day):%d %B %Y}"
    return drawing(("map", tuple(holders.items()), title), lambda: debrief.png(
        map_figure(holders, title=title, width=7.5, dpi=90)))


def debrief_drawings(room: Room, ens: debrief.Ensemble) -> tuple[Future, Future | None]:
    """The decisions' timeline and, once the ensemble is ready, its comparison."""
    with room.lock:
        turns = [(t.day, t.orders) for t in room.turns]
        actors = sorted({a for t in room.turns for a in t.orders})
        last, date_of, horizon = room.run.day, room.run.date_of, room.run.horizon
        outcomes = room.run.outcomes()
        marks = debrief.key_events([e for t in room.turns for e in t.events])
    key = (room.code, id(room.run), last, len(turns))
    timeline = drawing(("timeline", *key), lambda: debrief.png(
        debrief.timeline_figure(turns, actors, last, date_of, marks)))
    if ens.runs_table is None:
        return timeline, None
    runs = ens.runs_table
    return timeline, drawing(("distributions", *key), lambda: debrief.png(
        debrief.distributions_figure(outcomes, runs, horizon, room.scenario.name)))


# ---------------------------------------------------------------- helpers
def _code_from(search: str | None) -> str:
    values = parse_qs(search or "").get("room", [""])
    return values[0][:32]


def _attempt(set_message: Callable[[str], None], action: Callable[[], Any]) -> None:
    """Do what a player asked; a refusal is shown in one line, and anything unexpected too
    (its details go to the server's log, never to the page)."""
    try:
        action()
        set_message("")
    except GameError as exc:
        set_message(str(exc))
    except Exception:
        LOG.exception("libyasim game: a player's action failed")
        set_message("That did not work (the details are in the server's log).")


def _client() -> str:
    """The address of this page's browser, as the server saw it."""
    from solara.lab.utils.headers import headers as request_headers

    headers = request_headers.value or {}
    return (headers.get("x-libyasim-client") or [""])[0]


def _date(room: Room, day: int) -> str:
    return f"{room.run.date_of(day):%-d %b %Y}"


VIOLATION_KINDS = ("violation", "violations")  # daily reports, summed up per turn


def event_lines(room: Room) -> list[str]:
    """The last turn's events as dated sentences; daily violation reports as one line."""
    events = room.last_events()
    lines = [f"{room.run.date_of(e.day):%-d %b}: {e.text}" for e in events
             if e.kind not in VIOLATION_KINDS]
    days = sorted({e.day for e in events if e.kind in VIOLATION_KINDS})
    if days:
        series = room.run.series[days[0]: days[-1] + 1]
        columns = ["violations"] if "violations" in COL else [
            f"violations_{k}" for k in ("gna", "wag", "lna")]
        total = int(sum(series[:, COL[c]].sum() for c in columns))
        lines.append(f"{room.run.date_of(days[0]):%-d %b} to {room.run.date_of(days[-1]):%-d %b}: "
                     f"{total:,} truce violations reported, on {len(days)} of those days")
    return lines


# ---------------------------------------------------------------- text (no Markdown: its maths
# renderer would be fetched from a CDN, and players' texts must never become HTML)
def Heading(text: str, size: str = "1.05em") -> None:
    solara.Text(text, style={"font-weight": "bold", "font-size": size, "display": "block",
                             "margin": "0.7em 0 0.3em 0"})


def Paragraph(text: str) -> None:
    with solara.Div(style={"margin-bottom": "0.5em"}):
        solara.Text(text)


# ---------------------------------------------------------------- shared view
@solara.component
def Situation(room: Room, tick: int):
    """Map, date, the last turn's events and the running outcomes: the same for everybody."""
    with room.lock:
        run = room.run
        day, horizon = run.day, run.horizon
        out = run.outcomes()
        truce = int(run.model.series[day, COL["truce_state"]])
        events = event_lines(room)
        turn = len(room.turns)
        paused, ended = room.paused, room.ended
    with solara.Card(classes=["game-situation"]):
        solara.Text(f"{_date(room, day)}: day {day} of {horizon}, after turn {turn}",
                    classes=["game-date"], style={"font-size": "1.3em", "font-weight": "bold"})
        if paused and not ended:
            solara.Warning("The teacher has paused the game.", classes=["game-paused"])
        if ended:
            solara.Info("The game has ended: see the debrief below.", classes=["game-ended"])
        picture = map_drawing(room)
        last_map = solara.use_ref(None)
        if picture.done():
            last_map.current = picture.result()
        if not picture.done():
            solara.Text(f"Drawing the map of {_date(room, day)}...",
                        classes=["game-map-pending"], style={"color": "#777"})
        if last_map.current is not None:  # meanwhile, the last map drawn
            solara.Image(last_map.current, width="100%", classes=["game-map"])
        with solara.Column():
            Heading("Last turn's events" if turn else "The situation")
            with solara.Div(classes=["game-events"]):
                if not events:
                    solara.Text("Nothing yet: the first turn has not been played."
                                if turn == 0 else "A quiet turn: no events.")
                for line in events[-40:]:
                    with solara.Div():
                        solara.Text(line)
            Heading("The war so far")
            tripoli = out.get("holder_tripoli", "gna")
            lines = [
                f"Truce: {TRUCE_WORDS[truce] if 0 <= truce < 4 else truce}",
                f"Truce violations: {out['violations_total']:,}",
                (f"Deaths in fighting: {out['battle_deaths']:,} fighters, "
                 f"{out['civilian_deaths']:,} civilians"),
                f"Tripoli is held by {HOLDER_WORDS.get(tripoli, tripoli)}",
                (f"Population held: GNA side {out['gna_population_share']:.0%}, "
                 f"LNA {out['lna_population_share']:.0%}"),
                f"If it ended today: {END_STATE_LABELS.get(out['end_state'], out['end_state'])}",
            ]
            with solara.Div(classes=["game-outcomes"]):
                for line in lines:
                    with solara.Div():
                        solara.Text(line)


# ---------------------------------------------------------------- the teacher
@solara.component
def TeacherView(room: Room, token: str, tick: int):
    message, set_message = solara.use_state("")
    link = f"{settings().url}?room={room.code}"
    with solara.Card("Your room", classes=["game-teacher"]):
        solara.Text(f"Room code: {room.code}", classes=["game-code"],
                    style={"font-size": "2em", "font-weight": "bold", "letter-spacing": "0.1em"})
        with solara.Div():
            solara.Text("Students open ")
            solara.Text(link, classes=["game-link"], style={"font-family": "monospace"})
            solara.Text(" or enter the code on the game's page.")
        with solara.Details("Teacher PIN (not for the projector)"):
            solara.Text(f"{room.pin}: with the room code, it makes another browser this "
                        "room's teacher. Keep it to yourself.", classes=["game-pin"],
                        style={"font-size": "0.85em", "color": "#555"})
        if message:
            solara.Error(message, classes=["game-error"])
        with room.lock:
            seats = {a: [(t, room.members[t].name) for t in s.members]
                     for a, s in room.seats.items()}
            unseated = [(t, m.name) for t, m in room.members.items() if m.actor is None]
            submitted = set(room.submitted)
            requests = [(t, room.members[t].name, a) for t, a in room.requests.items()]
            paused, ended, turns = room.paused, room.ended, len(room.turns)
            closed = room.closed
        Heading("Seats (the model plays every actor nobody holds)")
        for actor, name in ACTORS.items():
            with solara.Row(classes=["game-seat", f"game-seat-{actor}"]):
                state = "played by the model" if actor not in seats else (
                    "submitted" if actor in submitted else "played by" if ended else "choosing")
                solara.Text(f"{name}: {state}", style={"min-width": "22em"})
                for member_token, member_name in seats.get(actor, []):
                    solara.Text(member_name, style={"margin-right": "0.3em"})
                    RemoveButton(room, token, member_token, set_message)
        if unseated:
            with solara.Row(classes=["game-unseated"], style={"flex-wrap": "wrap"}):
                solara.Text("In the room without a seat:", style={"margin-right": "0.5em"})
                for member_token, member_name in unseated:
                    solara.Text(member_name, style={"margin-right": "0.3em"})
                    RemoveButton(room, token, member_token, set_message)
        for member_token, member_name, actor in requests:
            with solara.Row(classes=["game-request"]):
                solara.Text(member_name)
                solara.Text(f"asks to join the team playing {ACTORS[actor]}")
                solara.Button("Let in", color="success", on_click=functools.partial(
                    _attempt, set_message, functools.partial(
                        room.answer_request, token, member_token, True)))
                solara.Button("Refuse", on_click=functools.partial(
                    _attempt, set_message, functools.partial(
                        room.answer_request, token, member_token, False)))
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button("Advance turn", color="primary", disabled=ended,
                          on_click=lambda: _attempt(set_message, lambda: room.advance(token)))
            solara.Button("Resume" if paused else "Pause", disabled=ended,
                          on_click=lambda: _attempt(set_message,
                                                    lambda: room.set_paused(token, not paused)))
            solara.Button("Rewind one turn", disabled=turns == 0,
                          on_click=lambda: _attempt(set_message, lambda: room.rewind(token)))
            solara.Button("End game", color="error", disabled=ended,
                          on_click=lambda: _attempt(set_message, lambda: room.end(token)))
            solara.Button("Let newcomers in" if closed else "Close to newcomers",
                          classes=["game-door"], on_click=lambda: _attempt(
                              set_message, lambda: room.set_closed(token, not closed)))
        if room.last_turn_seconds is not None:
            solara.Text(f"Last turn computed in {room.last_turn_seconds * 1000:.0f} ms.",
                        style={"color": "#777", "font-size": "0.85em"})


@solara.component
def RemoveButton(room: Room, token: str, member: str, set_message: Callable[[str], None]):
    """Send a student out of the room for good."""
    solara.Button("remove", text=True, small=True, classes=["game-remove"],
                  on_click=functools.partial(_attempt, set_message, functools.partial(
                      room.remove, token, member)))


# ---------------------------------------------------------------- the students
def _choice(by_label: dict[str, Any], label: Any) -> Any:
    """The value behind a drop-down's label (a label the page never offered is refused)."""
    if not isinstance(label, str) or label not in by_label:
        raise GameError("That is not one of the choices.")
    return by_label[label]


@solara.component
def OptionField(room: Room, actor: str, option, value: Any, locked: bool, token: str,
                set_message: Callable[[str], None]):
    labels = [label for _, label in option.choices]
    by_label = dict(zip(labels, (v for v, _ in option.choices)))
    current = choice_label(actor, option.key, value)
    with solara.Div(classes=["game-option", f"game-option-{option.key}"],
                    style={"margin-bottom": "0.8em"}):
        solara.Select(option.label, values=labels, value=current, disabled=locked,
                      on_value=lambda label: _attempt(set_message, lambda: room.set_draft(
                          token, option.key, _choice(by_label, label))))
        solara.Text(f"What the model does with it: {option.consequence}",
                    style={"font-size": "0.85em", "color": "#444"})
        sources = provenance(tuple(option.params), room.scenario)
        if sources:
            with solara.Details("Where its numbers come from"):
                for line in sources:
                    with solara.Div(classes=["game-provenance"]):
                        solara.Text(line, style={"font-size": "0.8em"})


@solara.component
def Orders(room: Room, token: str, actor: str, set_message: Callable[[str], None], tick: int):
    with room.lock:
        seat = room.seats.get(actor)
        if seat is None:  # the teacher has just removed the team
            return
        draft = {**{o.key: o.default for o in OPTIONS[actor]}, **seat.draft}
        locked = actor in room.submitted or room.ended
        waiting = [a for a in room.human_actors() if a not in room.submitted]
        paused = room.paused
    with solara.Card(f"Your orders for the next {room.turn_days} days", classes=["game-orders"]):
        for option in OPTIONS[actor]:
            if option.key == "target" and draft.get("stance") != "offensive":
                continue
            OptionField(room, actor, option, draft[option.key], locked, token, set_message)
        solara.Text(f"Your team's choices: {debrief.summary(actor, draft)}",
                    classes=["game-draft"], style={"font-weight": "bold"})
        if locked and not room.ended:
            names = ", ".join(SHORT_NAMES[a] for a in waiting)
            solara.Success(f"Submitted. Waiting for: {names or 'the turn to run'}.",
                           classes=["game-submitted"])
        elif not room.ended:
            solara.Button("Submit", color="primary", disabled=paused, classes=["game-submit"],
                          on_click=lambda: _attempt(set_message, lambda: room.submit(token)))


@solara.component
def SeatChooser(room: Room, token: str, set_message: Callable[[str], None], tick: int):
    invite, set_invite = solara.use_state("")
    with room.lock:
        teams = {a: [room.members[t].name for t in s.members] for a, s in room.seats.items()}
        asked = room.requests.get(token)
    with solara.Card("Choose who you play", classes=["game-seats"]):
        Paragraph("Take a free actor, or join a team that already plays one with the "
                  "invite code its members see (or ask the teacher to let you in).")
        if asked:
            solara.Info(f"You asked to join the team playing {ACTORS[asked]}: waiting for "
                        "the teacher.", classes=["game-asked"])
        solara.InputText("Team invite code (to join a team)", value=invite,
                         on_value=set_invite, continuous_update=True)
        for actor, name in ACTORS.items():
            with solara.Row(classes=["game-actor", f"game-actor-{actor}"]):
                if actor not in teams:
                    solara.Button(f"Play {name}", color="primary",
                                  classes=[f"game-take-{actor}"],
                                  on_click=functools.partial(_attempt, set_message,
                                                             functools.partial(
                                                                 room.take_seat, token, actor)))
                    continue
                solara.Text(f"{name}, played by: ", style={"margin-right": "0.3em"})
                for member_name in teams[actor]:
                    solara.Text(member_name, style={"margin-right": "0.5em"})
                solara.Button("Join with invite", on_click=lambda a=actor: _attempt(
                    set_message, lambda: room.join_team(token, a, invite)))
                solara.Button("Ask the teacher", text=True, on_click=lambda a=actor: _attempt(
                    set_message, lambda: room.ask_to_join(token, a)))


@solara.component
def PlayerView(room: Room, token: str, tick: int):
    message, set_message = solara.use_state("")
    name, set_name = solara.use_state("")
    address = _client()
    with room.lock:  # one consistent reading: the teacher may change the seats meanwhile
        member = room.member(token)
        seat = room.seats.get(member.actor) if member and member.actor else None
        actor = seat.actor if seat else None
        team = [room.members[t].name for t in seat.members if t != token] if seat else []
    with solara.Card(f"Room {room.code}", classes=["game-player"]):
        if message:
            solara.Error(message, classes=["game-error"])
        if member is None:
            solara.InputText(f"Your name (at most {NAME_MAX} characters)", value=name,
                             on_value=set_name, continuous_update=True,
                             classes=["game-name"])
            solara.Button("Enter the room", color="primary", classes=["game-enter"],
                          on_click=lambda: _attempt(set_message, lambda: room.join(
                              token, name, address)))
            return
        with solara.Row():
            solara.Text("You are ")
            solara.Text(member.name, classes=["game-my-name"], style={"font-weight": "bold"})
            if actor:
                solara.Text(f"and you play {ACTORS[actor]}", classes=["game-my-actor"])
                if team:
                    solara.Text("with " + ", ".join(team))
        if seat is None:
            if not room.ended:
                SeatChooser(room, token, set_message, tick)
            return
        solara.Text(f"Your team's invite code: {seat.invite} (give it only to classmates who "
                    "join your team)", classes=["game-invite"],
                    style={"font-size": "0.85em", "color": "#555"})
        if not room.ended:
            solara.Button("Leave this team", text=True, small=True, classes=["game-leave"],
                          on_click=lambda: _attempt(set_message, lambda: room.leave_team(token)))
    if actor and not room.ended:
        Orders(room, token, actor, set_message, tick)


# ---------------------------------------------------------------- debrief
@solara.component
def Debrief(room: Room, tick: int):
    ens = ensemble_of(room)
    ready = ens.done.is_set()
    with room.lock:
        outcomes = room.run.outcomes()
        horizon = room.run.horizon
    timeline, dist = debrief_drawings(room, ens)
    with solara.Card("Debrief", classes=["game-debrief"]):
        Heading("Your class's decisions")
        if timeline.done():
            solara.Image(timeline.result(), width="100%", classes=["game-timeline"])
        else:
            solara.Text("Drawing the timeline...")
        Heading("Your class against the model playing alone")
        if not ready:
            solara.Info(f"The model is playing the same scenario {ens.runs} times on its own "
                        "for the comparison; this takes a minute.", classes=["game-waiting"])
        elif ens.runs_table is None:
            solara.Error(f"The model-only runs failed: {ens.error}")
        else:
            table = debrief.percentile_table(outcomes, ens.runs_table, horizon)
            with solara.Div(classes=["game-percentiles"]):
                for line in debrief.percentile_sentences(table, horizon, len(ens.runs_table)):
                    with solara.Div():
                        solara.Text(line)
            if dist is not None and dist.done():
                solara.Image(dist.result(), width="100%", classes=["game-distributions"])
            else:
                solara.Text("Drawing the comparison...")
        solara.FileDownload(lambda: dumps(room.record()), filename=f"libyasim-game-{room.code}.json",
                            label="Download the whole game (JSON)", mime_type="application/json")
        Paragraph("Rerun it with: libyasim replay FILE (same scenario, seed and orders: "
                  "the same daily series).")


# ---------------------------------------------------------------- the page
@solara.component
def Landing(token: str, open_room: Callable[[str], None]):
    message, set_message = solara.use_state("")
    code, set_code = solara.use_state("")
    own_code, set_own_code = solara.use_state("")
    pin, set_pin = solara.use_state("")
    address = _client()

    def create() -> None:
        s = settings()
        room = REGISTRY.create(token, s.scenario, s.seed, s.turn_days, address)
        ensemble_of(room)  # the debrief's model-only runs start now, in the background
        open_room(room.code)

    def found(typed: str) -> Room:
        room = REGISTRY.find(typed, address)
        if room is None:
            raise GameError("No room has this code: check it with your teacher.")
        return room

    def take_over() -> None:
        room = found(own_code)
        room.claim_teacher(token, pin)
        open_room(room.code)

    s = settings()
    if message:
        solara.Error(message, classes=["game-error"])
    with solara.Columns([1, 1]):
        with solara.Card("Teacher"):
            Paragraph(f"Scenario: {s.scenario.name}; turns of {s.turn_days} days. "
                      "Create a room, then give its code to the class.")
            solara.Button("Create room", color="primary", classes=["game-create"],
                          on_click=lambda: _attempt(set_message, create))
            with solara.Details("Run a room you created in another browser"):
                solara.InputText("Room code", value=own_code, on_value=set_own_code,
                                 continuous_update=True, classes=["game-own-code"])
                solara.InputText(f"Teacher PIN ({PIN_LENGTH} digits)", value=pin,
                                 on_value=set_pin, continuous_update=True, password=True,
                                 classes=["game-pin-input"])
                solara.Button("Take over as teacher", classes=["game-take-over"],
                              on_click=lambda: _attempt(set_message, take_over))
        with solara.Card("Student"):
            solara.InputText("Room code", value=code, on_value=set_code,
                             continuous_update=True, classes=["game-code-input"])
            solara.Button("Join", color="primary", classes=["game-join"],
                          on_click=lambda: _attempt(set_message, lambda: open_room(
                              found(code).code)))


def _look_up(code: str, address: str) -> str:
    """Empty when a room has this code; otherwise what to tell the visitor."""
    try:
        room = REGISTRY.find(code, address)
    except GameError as exc:
        return str(exc)
    return "" if room else f"There is no room {code[:12]!r} (or it has expired)."


def _watch(room: Room | None):
    """A generator for use_thread: yields whenever the room (or its ensemble) changes."""
    def poll(cancel: threading.Event):
        if room is None:
            return
        ens = ensemble_of(room)
        seen = (room.version, ens.done.is_set(), _DRAWN[0])
        while not cancel.wait(0.4):
            now = (room.version, ens.done.is_set(), _DRAWN[0])
            if now != seen:
                seen = now
                yield now
    return poll


@solara.component
def Page():
    token = solara.get_session_id()
    router = solara.use_router()
    code, set_code = solara.use_state(_code_from(router.search))

    def open_room(new_code: str) -> None:
        """Show the room, with its code in the address (a reload comes back to it)."""
        set_code(new_code)
        router.push(f"{router.path}?room={normalise_code(new_code)}")

    address = _client()
    problem = solara.use_memo(lambda: _look_up(code, address) if code else "", [code])
    room = REGISTRY.get(code) if code and not problem else None
    result = solara.use_thread(_watch(room), dependencies=[code, room is None],
                               intrusive_cancel=False)
    tick = hash(result.value) if result.value else 0
    solara.Title("libyasim game")
    with solara.Column(style={"max-width": "1400px", "margin": "auto"}):
        Heading("Ceasefire in Libya, 2020: the classroom game", size="1.6em")
        if room is None:
            if code:
                solara.Error(problem or f"There is no room {code[:12]!r} (or it has expired).")
            Landing(token, open_room)
            return
        with solara.Columns([2, 3]):
            with solara.Column():
                if room.is_teacher(token):
                    TeacherView(room, token, tick)
                else:
                    PlayerView(room, token, tick)
            Situation(room, tick)
        if room.ended:
            Debrief(room, tick)


page = safe(Page)
