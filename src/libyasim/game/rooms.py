"""Rooms of the classroom game: codes, seats, teams, turns and the teacher's controls.

Everything here is plain Python, shared by all browser sessions of one server process. Every
caller is identified by a session token (the browser's session cookie): the token that
created a room is its teacher; the token that took a seat is in that actor's team. Methods
that change a room check the caller and raise `GameError` with a message for the page.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from libyasim.game.engine import ACTORS, Event, GameRun, check_orders, replay
from libyasim.scenario import Scenario

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
NAME_MAX = 24
MAX_ROOMS = 30
MAX_ROOMS_PER_TEACHER = 3  # open rooms one browser may run at a time
MAX_MEMBERS = 80  # per room
MAX_REQUESTS = 20  # pending requests to join a team, per room
MAX_INVITE_TRIES = 5  # wrong team invites before a student must ask the teacher
ROOM_TTL_S = 4 * 3600.0  # a room unused for this long is removed


class GameError(Exception):
    """An action that is not allowed; the message is shown to the player as it is."""


def new_code(length: int = CODE_LENGTH) -> str:
    """A random code from an alphabet without look-alike characters."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(text: str) -> str:
    """A code as typed (spaces, dashes, lower case) in its canonical form."""
    return "".join(c for c in text.upper() if c.isalnum())[:32]


def clean_name(text: str) -> str:
    """A display name: printable characters only, spaces collapsed, at most NAME_MAX long."""
    printable = "".join(" " if c.isspace() else c for c in text[:10 * NAME_MAX]
                        if c.isspace() or unicodedata.category(c)[0] not in "CZ")
    name = " ".join(printable.split())[:NAME_MAX].strip()
    if not name:
        raise GameError("Please give a name (letters or digits).")
    return name


def _checked(actor: str, orders: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return check_orders(actor, orders)
    except ValueError as exc:
        raise GameError(str(exc)) from None


@dataclass
class Member:
    """A student in a room: their name and, once taken, the actor their team plays."""

    name: str
    actor: str | None = None
    invite_tries: int = 0


@dataclass
class Seat:
    """An actor played by a team of students."""

    actor: str
    invite: str
    members: list[str] = field(default_factory=list)  # session tokens, first = founder
    draft: dict[str, Any] = field(default_factory=dict)  # the team's current choices


@dataclass(frozen=True)
class Turn:
    """A turn played: the day it started, the orders set then and what happened."""

    day: int
    orders: dict[str, dict[str, Any]]  # actor -> orders (human players only)
    events: tuple[Event, ...]


class Room:
    """One class playing one game; all methods are thread-safe."""

    def __init__(self, code: str, teacher: str, scenario: Scenario, seed: int, turn_days: int,
                 clock: Callable[[], float] = time.monotonic):
        self.code, self.teacher = code, teacher
        self.scenario, self.seed, self.turn_days = scenario, seed, turn_days
        self.clock = clock
        self.created = self.touched = clock()
        self.lock = threading.RLock()
        self.run = GameRun(scenario, seed)
        self.turns: list[Turn] = []
        self.members: dict[str, Member] = {}
        self.seats: dict[str, Seat] = {}
        self.requests: dict[str, str] = {}  # token -> actor it asks to join
        self.submitted: dict[str, dict[str, Any]] = {}  # actor -> orders locked this turn
        self.paused = False
        self.ended = False
        self.version = 0  # increases with every change; pages redraw when it does
        self.last_turn_seconds: float | None = None

    # ------------------------------------------------------------------ helpers
    def _changed(self) -> None:
        self.version += 1
        self.touched = self.clock()

    def _teacher_only(self, token: str) -> None:
        if not hmac.compare_digest(token, self.teacher):
            raise GameError("Only the teacher's browser can do this.")

    def _open(self) -> None:
        if self.ended:
            raise GameError("The game has ended.")

    def is_teacher(self, token: str) -> bool:
        return hmac.compare_digest(token, self.teacher)

    def member(self, token: str) -> Member | None:
        return self.members.get(token)

    def seat_of(self, token: str) -> str | None:
        member = self.members.get(token)
        return member.actor if member else None

    def free_actors(self) -> list[str]:
        return [a for a in ACTORS if a not in self.seats]

    def human_actors(self) -> list[str]:
        return [a for a in ACTORS if a in self.seats]

    # ------------------------------------------------------------------ joining
    def join(self, token: str, name: str) -> Member:
        """Enter the room under a name (again: change the name)."""
        with self.lock:
            if self.is_teacher(token):
                raise GameError("This browser runs the room as the teacher; students join "
                                "from their own browsers.")
            name = clean_name(name)
            member = self.members.get(token)
            if member is None:
                if len(self.members) >= MAX_MEMBERS:
                    raise GameError(f"The room is full ({MAX_MEMBERS} players).")
                member = self.members[token] = Member(name)
            member.name = name
            self._changed()
            return member

    def _need_member(self, token: str) -> Member:
        member = self.members.get(token)
        if member is None:
            raise GameError("Join the room with a name first.")
        if member.actor is not None:
            raise GameError(f"You already play {ACTORS[member.actor]}.")
        return member

    def take_seat(self, token: str, actor: str) -> Seat:
        """Take a free actor: the caller's team now plays it."""
        with self.lock:
            self._open()
            member = self._need_member(token)
            if actor not in ACTORS:
                raise GameError(f"Unknown actor {actor!r}.")
            if actor in self.seats:
                raise GameError(f"{ACTORS[actor]} is already played by a team: ask that team "
                                "for its invite code, or ask the teacher to let you in.")
            seat = self.seats[actor] = Seat(actor, new_code(), [token])
            member.actor = actor
            self.requests.pop(token, None)
            self._changed()
            return seat

    def join_team(self, token: str, actor: str, invite: str) -> Seat:
        """Join the team that plays `actor` with the invite code its members see."""
        with self.lock:
            self._open()
            member = self._need_member(token)
            seat = self.seats.get(actor)
            if seat is None:
                raise GameError("Nobody plays this actor yet: take the seat instead.")
            if member.invite_tries >= MAX_INVITE_TRIES:
                raise GameError("Too many wrong invite codes: ask the teacher to let you in.")
            if not hmac.compare_digest(normalise_code(invite), seat.invite):
                member.invite_tries += 1
                raise GameError("That is not this team's invite code.")
            self._add_to_team(token, seat)
            return seat

    def ask_to_join(self, token: str, actor: str) -> None:
        """Ask the teacher to let the caller into the team that plays `actor`."""
        with self.lock:
            self._open()
            self._need_member(token)
            if actor not in self.seats:
                raise GameError("Nobody plays this actor yet: take the seat instead.")
            if token not in self.requests and len(self.requests) >= MAX_REQUESTS:
                raise GameError("The teacher has too many requests waiting; try again soon.")
            self.requests[token] = actor
            self._changed()

    def answer_request(self, teacher: str, token: str, approve: bool) -> None:
        """The teacher lets a student into the team they asked for, or not."""
        with self.lock:
            self._teacher_only(teacher)
            actor = self.requests.pop(token, None)
            member = self.members.get(token)
            if approve and actor in self.seats and member and member.actor is None:
                self._add_to_team(token, self.seats[actor])
            self._changed()

    def _add_to_team(self, token: str, seat: Seat) -> None:
        seat.members.append(token)
        self.members[token].actor = seat.actor
        self.requests.pop(token, None)
        self._changed()

    def remove_from_team(self, teacher: str, token: str) -> None:
        """The teacher takes a student out of their team (an empty seat goes back to the
        model, with its invite code renewed when a team takes it again)."""
        with self.lock:
            self._teacher_only(teacher)
            member = self.members.get(token)
            if member is None or member.actor is None:
                return
            seat = self.seats[member.actor]
            seat.members.remove(token)
            if not seat.members:
                del self.seats[member.actor]
                self.submitted.pop(member.actor, None)
            member.actor = None
            self._changed()
            self._maybe_run()

    # ------------------------------------------------------------------ turns
    def set_draft(self, token: str, key: str, value: Any) -> None:
        """Change one of the team's choices for this turn (before Submit)."""
        with self.lock:
            actor = self._player(token)
            if actor in self.submitted:
                raise GameError("Your team has submitted this turn's choices.")
            draft = {**self.seats[actor].draft, key: value}
            self.seats[actor].draft = _checked(actor, draft)
            self._changed()

    def _player(self, token: str) -> str:
        self._open()
        actor = self.seat_of(token)
        if actor is None:
            raise GameError("Take a seat first.")
        return actor

    def submit(self, token: str, orders: Mapping[str, Any] | None = None) -> None:
        """Lock the team's choices; the turn runs once every team has submitted."""
        with self.lock:
            actor = self._player(token)
            if self.paused:
                raise GameError("The teacher has paused the game.")
            if actor in self.submitted:
                raise GameError("Your team has already submitted this turn.")
            chosen = self.seats[actor].draft if orders is None else orders
            self.submitted[actor] = _checked(actor, chosen)
            self.seats[actor].draft = dict(self.submitted[actor])
            self._changed()
            self._maybe_run()

    def _maybe_run(self) -> None:
        humans = self.human_actors()
        if humans and not self.paused and not self.ended and all(
                a in self.submitted for a in humans):
            self._run_turn()

    def _run_turn(self) -> None:
        start = time.perf_counter()
        day = self.run.day
        orders = {a: self.submitted[a] for a in ACTORS if a in self.submitted}
        events = self.run.play(orders, self.turn_days)
        self.turns.append(Turn(day, orders, tuple(events)))
        self.submitted = {}
        if self.run.finished:
            self.ended = True
        self.last_turn_seconds = time.perf_counter() - start
        self._changed()

    # ------------------------------------------------------------------ teacher
    def advance(self, teacher: str) -> None:
        """Run the turn now; teams that have not submitted keep their last orders."""
        with self.lock:
            self._teacher_only(teacher)
            self._open()
            self._run_turn()

    def set_paused(self, teacher: str, paused: bool) -> None:
        with self.lock:
            self._teacher_only(teacher)
            self._open()
            self.paused = paused
            self._changed()
            if not paused:
                self._maybe_run()

    def rewind(self, teacher: str) -> None:
        """Undo the last turn: the run is replayed from day 0 with the orders before it."""
        with self.lock:
            self._teacher_only(teacher)
            if not self.turns:
                raise GameError("There is no turn to undo.")
            kept = self.turns[:-1]
            self.run = replay(self.scenario, self.seed, [(t.day, t.orders) for t in kept],
                              self.turns[-1].day)
            self.turns = kept
            self.submitted = {}
            self.ended = False
            self._changed()

    def end(self, teacher: str) -> None:
        with self.lock:
            self._teacher_only(teacher)
            self.ended = True
            self._changed()

    # ------------------------------------------------------------------ reading
    def last_events(self) -> tuple[Event, ...]:
        """The last turn's events (before the first turn: the situation on day 0)."""
        return self.turns[-1].events if self.turns else tuple(self.run.events)

    def record(self) -> dict[str, Any]:
        """The whole game as JSON-ready data (see `libyasim.game.record`)."""
        from libyasim.game.record import game_record

        with self.lock:
            return game_record(self)


class Registry:
    """The rooms of one server: bounded in number, removed when unused for `ttl` seconds."""

    def __init__(self, max_rooms: int = MAX_ROOMS, ttl: float = ROOM_TTL_S,
                 clock: Callable[[], float] = time.monotonic):
        self.max_rooms, self.ttl, self.clock = max_rooms, ttl, clock
        self.rooms: dict[str, Room] = {}
        self.lock = threading.Lock()

    def _purge(self) -> None:
        now = self.clock()
        for code in [c for c, r in self.rooms.items() if now - r.touched > self.ttl]:
            del self.rooms[code]

    def create(self, teacher: str, scenario: Scenario, seed: int, turn_days: int) -> Room:
        """A new room whose teacher is the caller's session."""
        if turn_days < 1:
            raise GameError("A turn lasts at least one day.")
        with self.lock:
            self._purge()
            if sum(hmac.compare_digest(r.teacher, teacher) for r in self.rooms.values()) \
                    >= MAX_ROOMS_PER_TEACHER:
                raise GameError(f"This browser already runs {MAX_ROOMS_PER_TEACHER} rooms; "
                                "use one of them or wait for one to expire.")
            if len(self.rooms) >= self.max_rooms:
                raise GameError(f"This server already holds {self.max_rooms} rooms; end or "
                                "wait for an old one to expire.")
            code = new_code()
            while code in self.rooms:
                code = new_code()
            room = Room(code, teacher, scenario, seed, turn_days, self.clock)
            self.rooms[code] = room
            return room

    def get(self, code: str) -> Room | None:
        """The room with this code (as typed), unless it does not exist or has expired."""
        with self.lock:
            self._purge()
            return self.rooms.get(normalise_code(code))
