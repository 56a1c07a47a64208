"""Rooms of the classroom game: codes, seats, teams, turns and the teacher's controls.

Everything here is plain Python, shared by all browser sessions of one server process. Every
caller is identified by a session token (the browser's session cookie, issued and signed by the
server: see `libyasim.serve`): the token that created a room is its teacher (another browser
becomes the teacher with the room's PIN); the token that took a seat is in that actor's team.
Methods that change a room check the caller and raise `GameError` with a message for the page.
A `Registry` with a `Store` saves every room as it changes and brings the rooms back on start.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from libyasim.game.engine import ACTORS, Event, GameRun, check_orders, replay, replay_turns
from libyasim.scenario import Scenario

if TYPE_CHECKING:
    from libyasim.game.store import Store

LOG = logging.getLogger("libyasim.game")

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
NAME_MAX = 24
PIN_LENGTH = 6  # digits of a room's teacher PIN
MAX_ROOMS = 30  # open rooms on one server (ended rooms do not count)
MAX_ROOMS_PER_TEACHER = 3  # open rooms one browser may run at a time
MAX_EMPTY_ROOMS_PER_ADDRESS = 5  # open rooms nobody has joined yet, per client address
MAX_MEMBERS = 80  # per room
MAX_JOINS_PER_ADDRESS = 40  # newcomers to one room from one client address per GUESS_WINDOW_S
MAX_REQUESTS = 20  # pending requests to join a team, per room
MAX_INVITE_TRIES = 5  # wrong team invites before a student must ask the teacher
MAX_TEAM_INVITE_MISSES = 20  # wrong invites for one team, from anyone, per GUESS_WINDOW_S
MAX_REFUSALS = 2  # requests the teacher refused before a student must ask in person
ASK_INTERVAL_S = 30.0  # between two requests of one student
MAX_PIN_TRIES = 5  # wrong teacher PINs for a room before it refuses PINs for a while
MAX_CODE_MISSES = 20  # wrong room codes per client address per GUESS_WINDOW_S
GUESS_WINDOW_S = 60.0
ROOM_TTL_S = 4 * 3600.0  # a room unused for this long is removed
EMPTY_ROOM_TTL_S = 1800.0  # a room nobody has joined is removed after this long unused
STATE_VERSION = 1  # of a saved room


def same_token(a: str, b: str) -> bool:
    """Two session tokens compared as bytes in constant time (any text, never an error)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"),
                               b.encode("utf-8", "surrogatepass"))


class Throttle:
    """At most `limit` events per key in a sliding window of `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]):
        self.limit, self.window, self.clock = limit, window, clock
        self.events: dict[str, list[float]] = {}

    def _recent(self, key: str) -> list[float]:
        now = self.clock()
        recent = [t for t in self.events.get(key, []) if now - t < self.window]
        if recent:
            self.events[key] = recent
        else:
            self.events.pop(key, None)
        return recent

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def add(self, key: str) -> bool:
        """Count one event; True when this one reaches the limit."""
        recent = self._recent(key)
        recent.append(self.clock())
        self.events[key] = recent
        if len(self.events) > 10_000:  # forget the oldest keys
            for old in list(self.events)[:5_000]:
                del self.events[old]
        return len(recent) == self.limit


class GameError(Exception):
    """An action that is not allowed; the message is shown to the player as it is."""


def new_code(length: int = CODE_LENGTH) -> str:
    """A random code from an alphabet without look-alike characters."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_pin() -> str:
    """A teacher PIN: random digits."""
    return "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))


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
    except ValueError as exc:  # the model's message, which quotes what was sent: cut short
        raise GameError(str(exc)[:200]) from None


@dataclass
class Member:
    """A student in a room: their name and, once taken, the actor their team plays."""

    name: str
    actor: str | None = None
    invite_tries: int = 0
    refusals: int = 0  # requests the teacher refused
    asked_at: float | None = None  # when they last asked to join a team


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
                 clock: Callable[[], float] = time.monotonic, pin: str | None = None,
                 address: str = ""):
        self.code, self.teacher, self.pin = code, teacher, pin or new_pin()
        self.address = address  # the client address that created it
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
        self.barred: set[str] = set()  # sessions the teacher removed
        self.paused = False
        self.closed = False  # no newcomers (the teacher closed the door)
        self.ended = False
        self.pin_tries = Throttle(MAX_PIN_TRIES, 600.0, clock)
        self.invite_misses = Throttle(MAX_TEAM_INVITE_MISSES, GUESS_WINDOW_S, clock)
        self.joins = Throttle(MAX_JOINS_PER_ADDRESS, GUESS_WINDOW_S, clock)
        self.version = 0  # increases with every change; pages redraw when it does
        self.last_turn_seconds: float | None = None
        self.on_change: Callable[[Room], None] | None = None  # saves the room

    # ------------------------------------------------------------------ helpers
    def _changed(self) -> None:
        self.version += 1
        self.touched = self.clock()
        if self.on_change is not None:
            self.on_change(self)

    def _teacher_only(self, token: str) -> None:
        if not self.is_teacher(token):
            raise GameError("Only the teacher's browser can do this.")

    def _open(self) -> None:
        if self.ended:
            raise GameError("The game has ended.")

    def is_teacher(self, token: str) -> bool:
        return same_token(token, self.teacher)

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
    def join(self, token: str, name: str, address: str = "") -> Member:
        """Enter the room under a name (again: change the name); `address`: the client's."""
        with self.lock:
            if self.is_teacher(token):
                raise GameError("This browser runs the room as the teacher; students join "
                                "from their own browsers.")
            if token in self.barred:
                raise GameError("The teacher has removed you from this room.")
            name = clean_name(name)
            member = self.members.get(token)
            if member is None:
                if self.closed:
                    raise GameError("The teacher has closed this room to newcomers.")
                if len(self.members) >= MAX_MEMBERS:
                    raise GameError(f"The room is full ({MAX_MEMBERS} players).")
                if self.joins.blocked(address):
                    raise GameError("Too many newcomers from your network at once: wait a "
                                    "minute.")
                if self.joins.add(address):
                    LOG.warning("libyasim game: room %s: %d newcomers from %s within %.0f s",
                                self.code, MAX_JOINS_PER_ADDRESS, address or "an unknown "
                                "address", GUESS_WINDOW_S)
                member = self.members[token] = Member(name)
            member.name = name
            self._changed()
            return member

    def _need_member(self, token: str) -> Member:
        member = self.members.get(token)
        if member is None:
            raise GameError("The teacher has removed you from this room." if token in
                            self.barred else "Join the room with a name first.")
        if member.actor is not None:
            raise GameError(f"You already play {ACTORS[member.actor]}.")
        return member

    def take_seat(self, token: str, actor: str) -> Seat:
        """Take a free actor: the caller's team now plays it."""
        with self.lock:
            self._open()
            member = self._need_member(token)
            if actor not in ACTORS:
                raise GameError("There is no such actor in this game.")
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
            if self.invite_misses.blocked(actor):  # many new browsers guessing together
                raise GameError("Too many wrong invite codes for this team: wait a minute.")
            if not same_token(normalise_code(invite), seat.invite):
                member.invite_tries += 1
                if self.invite_misses.add(actor):
                    LOG.warning("libyasim game: room %s: %d wrong invite codes for the team "
                                "playing %s within %.0f s", self.code, MAX_TEAM_INVITE_MISSES,
                                actor, GUESS_WINDOW_S)
                self._changed()
                raise GameError("That is not this team's invite code.")
            self._add_to_team(token, seat)
            return seat

    def ask_to_join(self, token: str, actor: str) -> None:
        """Ask the teacher to let the caller into the team that plays `actor`."""
        with self.lock:
            self._open()
            member = self._need_member(token)
            if actor not in self.seats:
                raise GameError("Nobody plays this actor yet: take the seat instead.")
            if member.refusals >= MAX_REFUSALS:
                raise GameError("The teacher has said no: ask them in person.")
            now = self.clock()
            if member.asked_at is not None and now - member.asked_at < ASK_INTERVAL_S:
                raise GameError("You have just asked: wait for the teacher's answer.")
            if token not in self.requests and len(self.requests) >= MAX_REQUESTS:
                raise GameError("The teacher has too many requests waiting; try again soon.")
            member.asked_at = now
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
            elif not approve and member is not None:
                member.refusals += 1
            self._changed()

    def _add_to_team(self, token: str, seat: Seat) -> None:
        seat.members.append(token)
        self.members[token].actor = seat.actor
        self.requests.pop(token, None)
        self._changed()

    def remove(self, teacher: str, token: str) -> None:
        """The teacher sends a student out of the room for good: out of their team (whose
        invite code is renewed; an empty seat goes back to the model), and barred from this
        room's seats, invites and requests."""
        with self.lock:
            self._teacher_only(teacher)
            seat = self._unseat(token)
            if seat is not None:
                seat.invite = new_code()
            self.members.pop(token, None)
            self.requests.pop(token, None)
            self.barred.add(token)
            self._changed()
            self._maybe_run()

    def leave_team(self, token: str) -> None:
        """A student leaves their team (a seat taken by mistake); they stay in the room."""
        with self.lock:
            self._open()
            if self._unseat(token) is None:
                raise GameError("You are not in a team.")
            self._changed()
            self._maybe_run()

    def _unseat(self, token: str) -> Seat | None:
        """Take the member out of their team (an emptied seat goes back to the model)."""
        member = self.members.get(token)
        if member is None or member.actor is None:
            return None
        seat = self.seats[member.actor]
        seat.members.remove(token)
        if not seat.members:
            del self.seats[member.actor]
            self.submitted.pop(member.actor, None)
        member.actor = None
        return seat

    def set_closed(self, teacher: str, closed: bool) -> None:
        """The teacher closes the room to newcomers (those inside stay), or opens it again."""
        with self.lock:
            self._teacher_only(teacher)
            self.closed = closed
            self._changed()

    def claim_teacher(self, token: str, pin: str) -> None:
        """Another browser (or the same one after its cookie was lost) becomes the teacher
        with the room's PIN; wrong PINs are counted and logged."""
        with self.lock:
            if self.pin_tries.blocked(self.code):
                raise GameError("Too many wrong PINs for this room: wait ten minutes.")
            if not same_token("".join(c for c in pin if c.isdigit())[:PIN_LENGTH + 1],
                              self.pin):
                if self.pin_tries.add(self.code):
                    LOG.warning("libyasim game: room %s: %d wrong teacher PINs; PINs refused "
                                "for ten minutes", self.code, MAX_PIN_TRIES)
                raise GameError("That is not this room's teacher PIN.")
            self._unseat(token)  # a teacher holds no seat
            self.members.pop(token, None)
            self.requests.pop(token, None)
            self.teacher = token
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

    # ------------------------------------------------------------------ saving
    def state(self) -> dict[str, Any]:
        """Everything needed to bring the room back after a restart, JSON-ready."""
        with self.lock:
            return {
                "state_version": STATE_VERSION, "code": self.code, "teacher": self.teacher,
                "pin": self.pin, "address": self.address,
                "scenario": self.scenario.to_json(), "seed": self.seed,
                "turn_days": self.turn_days, "last_day": self.run.day,
                "turns": [{"day": t.day, "orders": t.orders} for t in self.turns],
                "members": {t: {"name": m.name, "actor": m.actor, "invite_tries": m.invite_tries,
                                "refusals": m.refusals} for t, m in self.members.items()},
                "seats": {a: {"invite": s.invite, "members": s.members, "draft": s.draft}
                          for a, s in self.seats.items()},
                "requests": self.requests, "submitted": self.submitted,
                "barred": sorted(self.barred), "paused": self.paused, "closed": self.closed,
                "ended": self.ended,
            }

    @classmethod
    def from_state(cls, data: Mapping[str, Any], clock: Callable[[], float] = time.monotonic
                   ) -> Room:
        """A saved room, checked (ValueError, KeyError or TypeError when it is damaged)."""
        if not isinstance(data, Mapping):
            raise TypeError(f"not a saved room ({data})")
        if data.get("state_version") != STATE_VERSION:
            raise ValueError(f"state_version {data.get('state_version')!r}, expected "
                             f"{STATE_VERSION}")
        scenario = Scenario.from_json(data["scenario"])
        room = cls(_text(data["code"]), _text(data["teacher"]), scenario, _whole(data["seed"]),
                   _whole(data["turn_days"]), clock, pin=_text(data["pin"]),
                   address=_text(data.get("address", "")))
        turns = [(_whole(t["day"]), {a: check_orders(a, o) for a, o in t["orders"].items()})
                 for t in data["turns"]]
        room.run, events = replay_turns(scenario, room.seed, turns, _whole(data["last_day"]))
        room.turns = [Turn(day, orders, tuple(e)) for (day, orders), e in zip(turns, events)]
        for token, m in data["members"].items():
            actor = m["actor"]
            if actor is not None and actor not in data["seats"]:
                raise ValueError(f"a player's actor {actor!r} has no seat")
            room.members[_text(token)] = Member(clean_name(m["name"]), actor,
                                                _whole(m["invite_tries"]), _whole(m["refusals"]))
        for actor, seat in data["seats"].items():
            members = [_text(t) for t in seat["members"]]
            if actor not in ACTORS or not members or any(
                    room.seat_of(t) != actor for t in members):
                raise ValueError(f"the seat of {actor!r} does not match its players")
            room.seats[actor] = Seat(actor, _text(seat["invite"]), members,
                                     check_orders(actor, seat["draft"]))
        room.requests = {_text(t): a for t, a in data["requests"].items()
                         if t in room.members and a in room.seats}
        room.submitted = {a: check_orders(a, o) for a, o in data["submitted"].items()
                          if a in room.seats}
        room.barred = {_text(t) for t in data["barred"]}
        room.paused, room.closed, room.ended = (bool(data["paused"]), bool(data["closed"]),
                                                bool(data["ended"]))
        return room


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise TypeError(f"expected a whole number, got {value!r}"[:80])
    return value


class Registry:
    """The rooms of one server: open ones bounded in number, removed when unused for `ttl`
    seconds; saved in `store` (when given) on every change."""

    def __init__(self, max_rooms: int = MAX_ROOMS, ttl: float = ROOM_TTL_S,
                 clock: Callable[[], float] = time.monotonic, store: Store | None = None):
        self.max_rooms, self.ttl, self.clock = max_rooms, ttl, clock
        self.store = store
        self.rooms: dict[str, Room] = {}
        self.lock = threading.Lock()
        self.misses = Throttle(MAX_CODE_MISSES, GUESS_WINDOW_S, clock)

    def restore(self) -> int:
        """Bring back the rooms saved in the store; a damaged one is logged in one line and
        left out. The number of rooms brought back."""
        if self.store is None:
            return 0
        for code, data in self.store.load():
            try:
                room = Room.from_state(data, self.clock)
            except Exception as exc:  # any damage: this room is lost, not the others
                LOG.warning("libyasim game: saved room %s in %s is damaged and was not "
                            "restored (%s: %s)", code[:12], self.store.path,
                            type(exc).__name__, str(exc)[:200])
                continue
            self._keep(room)
        return len(self.rooms)

    def _keep(self, room: Room) -> None:
        room.on_change = self._save
        self.rooms[room.code] = room

    def _save(self, room: Room) -> None:
        if self.store is not None:
            self.store.save(room.code, room.state())

    def _expired(self, room: Room, now: float) -> bool:
        ttl = self.ttl if room.members else min(self.ttl, EMPTY_ROOM_TTL_S)
        return now - room.touched > ttl

    def _purge(self) -> None:
        now = self.clock()
        for code in [c for c, r in self.rooms.items() if self._expired(r, now)]:
            del self.rooms[code]
            if self.store is not None:
                self.store.delete(code)

    def open_rooms(self) -> list[Room]:
        return [r for r in self.rooms.values() if not r.ended]

    def create(self, teacher: str, scenario: Scenario, seed: int, turn_days: int,
               address: str = "") -> Room:
        """A new room whose teacher is the caller's session (`address`: the client's)."""
        if turn_days < 1:
            raise GameError("A turn lasts at least one day.")
        with self.lock:
            self._purge()
            open_rooms = self.open_rooms()
            if sum(r.is_teacher(teacher) for r in open_rooms) >= MAX_ROOMS_PER_TEACHER:
                raise GameError(f"This browser already runs {MAX_ROOMS_PER_TEACHER} rooms; "
                                "end one of them first.")
            if address and sum(r.address == address and not r.members for r in open_rooms) \
                    >= MAX_EMPTY_ROOMS_PER_ADDRESS:
                LOG.warning("libyasim game: %s has %d rooms nobody joined; refused another",
                            address, MAX_EMPTY_ROOMS_PER_ADDRESS)
                raise GameError(f"Your network already has {MAX_EMPTY_ROOMS_PER_ADDRESS} rooms "
                                "that nobody has joined: use one of them.")
            if len(open_rooms) >= self.max_rooms:
                raise GameError(f"This server already runs {self.max_rooms} games; try again "
                                "when one has ended.")
            code = new_code()
            while code in self.rooms:
                code = new_code()
            room = Room(code, teacher, scenario, seed, turn_days, self.clock, address=address)
            self._keep(room)
            self._save(room)
            return room

    def get(self, code: str) -> Room | None:
        """The room with this code (as typed), unless it does not exist or has expired."""
        with self.lock:
            self._purge()
            return self.rooms.get(normalise_code(code))

    def find(self, code: str, address: str) -> Room | None:
        """`get` for a code a visitor typed: wrong codes are counted per client address, and
        an address that tries too many is refused for a while (and logged)."""
        with self.lock:
            if self.misses.blocked(address):
                raise GameError("Too many wrong room codes from your network: wait a minute.")
        room = self.get(code)
        if room is None:
            with self.lock:
                if self.misses.add(address):
                    LOG.warning("libyasim game: %d wrong room codes from %s within %.0f s; "
                                "refusing codes from it for a while", MAX_CODE_MISSES,
                                address or "an unknown address", GUESS_WINDOW_S)
        return room
