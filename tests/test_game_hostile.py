"""The classroom game against a careless or hostile class, without a browser: removal, limits,
guessing, tokens, saved rooms, hostile files, and a class of 30 playing several turns."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import numpy as np
import pytest

from libyasim import cli
from libyasim.game.engine import ACTORS
from libyasim.game.rooms import (
    MAX_TEAM_INVITE_MISSES,
    ASK_INTERVAL_S,
    MAX_CODE_MISSES,
    MAX_EMPTY_ROOMS_PER_ADDRESS,
    MAX_PIN_TRIES,
    MAX_ROOMS_PER_TEACHER,
    GameError,
    Registry,
    Room,
    same_token,
)
from libyasim.game.store import GAMES_FILE, Store
from libyasim.scenario import load_scenario

TEACHER, ANN, BOB, EVE = "teacher-token", "ann-token", "bob-token", "eve-token"


@pytest.fixture(scope="module")
def scenario(short):
    return load_scenario(short)  # the baseline cut to 20 days


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def room(scenario, clock) -> Room:
    return Registry(clock=clock).create(TEACHER, scenario, seed=7, turn_days=5)


# ---------------------------------------------------------------- removal means out
def test_a_removed_student_stays_out(room: Room) -> None:
    room.join(ANN, "Ann")
    seat = room.take_seat(ANN, "lna")
    room.join(EVE, "Eve")
    room.join_team(EVE, "lna", seat.invite)
    old_invite = seat.invite
    room.remove(TEACHER, EVE)
    assert room.seats["lna"].members == [ANN]
    assert room.seats["lna"].invite != old_invite  # the code Eve knew no longer works
    for attempt in (lambda: room.join(EVE, "Eve again"),
                    lambda: room.join_team(EVE, "lna", old_invite),
                    lambda: room.join_team(EVE, "lna", room.seats["lna"].invite),
                    lambda: room.take_seat(EVE, "turkey"),
                    lambda: room.ask_to_join(EVE, "lna")):
        with pytest.raises(GameError, match="removed you"):
            attempt()
    assert EVE not in room.members and room.seat_of(EVE) is None
    # a student who never took a seat can be removed too
    room.join(BOB, "Bob")
    room.remove(TEACHER, BOB)
    with pytest.raises(GameError, match="removed you"):
        room.take_seat(BOB, "russia")


def test_fresh_browsers_cannot_guess_a_teams_invite(room: Room, clock: Clock, caplog) -> None:
    room.join(ANN, "Ann")
    invite = room.take_seat(ANN, "lna").invite
    with caplog.at_level(logging.WARNING, logger="libyasim.game"):
        for i in range(MAX_TEAM_INVITE_MISSES):  # a new cookie for every guess
            room.join(f"guesser-{i}", "G")
            with pytest.raises(GameError, match="not this team's invite"):
                room.join_team(f"guesser-{i}", "lna", "AAAAAA")
    assert any("wrong invite codes for the team" in r.getMessage() for r in caplog.records)
    room.join("lucky", "L")
    with pytest.raises(GameError, match="wait a minute"):
        room.join_team("lucky", "lna", invite)
    clock.now += 61
    room.join_team("lucky", "lna", invite)
    assert room.seat_of("lucky") == "lna"


def test_scripts_cannot_fill_a_room_from_one_address(room: Room, clock: Clock) -> None:
    from libyasim.game.rooms import MAX_JOINS_PER_ADDRESS

    for i in range(MAX_JOINS_PER_ADDRESS):  # a whole class behind the school's router fits
        room.join(f"bot-{i}", f"Bot {i}", "10.0.0.1")
    with pytest.raises(GameError, match="Too many newcomers"):
        room.join("bot-x", "Bot", "10.0.0.1")
    room.join("bot-0", "Renamed", "10.0.0.1")  # those inside are not affected
    room.join(ANN, "Ann", "10.0.0.2")
    clock.now += 61
    room.join("bot-x", "Bot", "10.0.0.1")


def test_a_student_in_the_wrong_seat_can_leave_it(room: Room) -> None:
    room.join(ANN, "Ann")
    room.take_seat(ANN, "egypt")
    room.leave_team(ANN)
    assert "egypt" not in room.seats and room.seat_of(ANN) is None
    room.take_seat(ANN, "lna")
    with pytest.raises(GameError, match="not in a team"):
        room.leave_team(BOB)


def test_asking_the_teacher_is_rate_limited(room: Room, clock: Clock) -> None:
    room.join(ANN, "Ann")
    room.take_seat(ANN, "lna")
    room.join(EVE, "Eve")
    room.ask_to_join(EVE, "lna")
    with pytest.raises(GameError, match="just asked"):
        room.ask_to_join(EVE, "lna")
    room.answer_request(TEACHER, EVE, False)
    clock.now += ASK_INTERVAL_S + 1
    room.ask_to_join(EVE, "lna")
    room.answer_request(TEACHER, EVE, False)
    clock.now += ASK_INTERVAL_S + 1
    with pytest.raises(GameError, match="said no"):
        room.ask_to_join(EVE, "lna")
    assert room.requests == {}


def test_a_closed_room_takes_no_newcomers(room: Room) -> None:
    room.join(ANN, "Ann")
    room.set_closed(TEACHER, True)
    with pytest.raises(GameError, match="closed"):
        room.join(EVE, "Eve")
    room.join(ANN, "Ann B")  # those inside stay and may rename
    with pytest.raises(GameError, match="teacher"):
        room.set_closed(ANN, False)
    room.set_closed(TEACHER, False)
    room.join(EVE, "Eve")


# ---------------------------------------------------------------- teacher PIN
def test_the_teacher_pin_moves_the_teacher_and_resists_guessing(room: Room, caplog) -> None:
    assert len(room.pin) == 6 and room.pin.isdigit()
    room.join(BOB, "Bob")
    with caplog.at_level(logging.WARNING, logger="libyasim.game"):
        for _ in range(MAX_PIN_TRIES):
            with pytest.raises(GameError, match="not this room's teacher PIN"):
                room.claim_teacher(EVE, "000000" if room.pin != "000000" else "111111")
        with pytest.raises(GameError, match="Too many wrong PINs"):
            room.claim_teacher(EVE, room.pin)  # even the right PIN waits now
    assert any("wrong teacher PINs" in r.getMessage() for r in caplog.records)
    assert room.is_teacher(TEACHER) and not room.is_teacher(EVE)
    room.pin_tries.events.clear()  # ten minutes later
    room.claim_teacher("new-laptop", f" {room.pin[:3]}-{room.pin[3:]} ")
    assert room.is_teacher("new-laptop") and not room.is_teacher(TEACHER)
    room.advance("new-laptop")
    room.take_seat(BOB, "lna")  # a seated student who has the PIN becomes the teacher
    room.claim_teacher(BOB, room.pin)
    assert "lna" not in room.seats and BOB not in room.members and room.is_teacher(BOB)


# ---------------------------------------------------------------- limits
def test_only_open_rooms_count_and_ending_frees_a_slot(scenario) -> None:
    registry = Registry(max_rooms=2)
    first = registry.create("t1", scenario, 1, 5)
    registry.create("t2", scenario, 1, 5)
    with pytest.raises(GameError, match="already runs 2 games"):
        registry.create("t3", scenario, 1, 5)
    first.end("t1")
    third = registry.create("t3", scenario, 1, 5)
    assert registry.get(first.code) is first  # the ended game stays for its debrief
    assert third.code in registry.rooms
    for _ in range(MAX_ROOMS_PER_TEACHER - 1):
        registry.max_rooms += 1
        registry.create("t3", scenario, 1, 5)
    registry.max_rooms += 1
    with pytest.raises(GameError, match=f"already runs {MAX_ROOMS_PER_TEACHER} rooms"):
        registry.create("t3", scenario, 1, 5)


def test_room_creation_is_limited_per_address_without_locking_out_a_teacher(scenario) -> None:
    registry = Registry(max_rooms=100)
    school = "10.0.0.1"
    rooms = [registry.create(f"prankster-{i}", scenario, 1, 5, school)
             for i in range(MAX_EMPTY_ROOMS_PER_ADDRESS)]
    with pytest.raises(GameError, match="nobody has joined"):
        registry.create("prankster-new-cookie", scenario, 1, 5, school)
    registry.create("elsewhere", scenario, 1, 5, "10.9.9.9")  # other networks are not affected
    # the teacher's real room counts no more once a student has joined it
    rooms[0].join(ANN, "Ann")
    teacher_room = registry.create("teacher", scenario, 1, 5, school)
    teacher_room.join(BOB, "Bob")
    # and rooms nobody joins expire within half an hour, freeing the address
    registry.clock = lambda: 10_000_000.0
    registry.create("teacher-2", scenario, 1, 5, school)


def test_code_guessing_is_throttled_and_logged(room: Room, scenario, caplog) -> None:
    registry = Registry(max_rooms=5)
    real = registry.create(TEACHER, scenario, 1, 5)
    with caplog.at_level(logging.WARNING, logger="libyasim.game"):
        for i in range(MAX_CODE_MISSES):
            assert registry.find(f"ZZZZ{i:02d}", "10.0.0.66") is None
    assert any("wrong room codes from 10.0.0.66" in r.getMessage() for r in caplog.records)
    with pytest.raises(GameError, match="Too many wrong room codes"):
        registry.find(real.code, "10.0.0.66")  # even a right guess is refused for a while
    assert registry.find(real.code, "10.0.0.7") is real  # the rest of the school is not
    registry.misses.clock = lambda: 1e12  # a minute later
    assert registry.find(real.code, "10.0.0.66") is real


def test_tokens_are_compared_as_bytes_whatever_they_hold(room: Room) -> None:
    for odd in ("é", "\udc80", "\x00", "", "🙂" * 50):
        assert not same_token(odd, TEACHER)
        assert not room.is_teacher(odd)
        with pytest.raises(GameError, match="teacher"):
            room.advance(odd)
    assert same_token("é", "é")


# ---------------------------------------------------------------- saved rooms
def _class_mid_turn(registry: Registry, scenario) -> Room:
    room = registry.create(TEACHER, scenario, 7, 5, "10.0.0.1")
    room.join(ANN, "Ann")
    room.take_seat(ANN, "lna")
    room.join(BOB, "Bob")
    room.take_seat(BOB, "turkey")
    room.join(EVE, "Eve")
    room.join_team(EVE, "lna", room.seats["lna"].invite)
    room.submit(ANN, {"stance": "offensive", "target": "tripoli"})
    room.submit(BOB, {"fighters": 2.0})  # turn 1 runs
    room.set_draft(EVE, "stance", "limited")  # turn 2: the LNA's draft ...
    room.submit(BOB, {"drones": 0.0})  # ... and Turkey has submitted
    room.join("dan", "Dan")
    room.remove(TEACHER, "dan")
    return room


def test_a_restarted_registry_brings_back_every_room(scenario, tmp_path: Path) -> None:
    before = Registry(store=Store(tmp_path / "games"))
    assert (tmp_path / "games").stat().st_mode & 0o077 == 0  # it holds the players' sessions
    room = _class_mid_turn(before, scenario)
    ended = before.create("other-teacher", scenario, 3, 10)
    ended.end("other-teacher")
    before.store.close()  # the server is gone

    after = Registry(store=Store(tmp_path / "games"))
    assert after.restore() == 2
    back = after.rooms[room.code]
    assert back.state() == room.state()
    np.testing.assert_array_equal(back.run.series, room.run.series)
    assert back.turns == room.turns
    assert back.seats["lna"].draft["stance"] == "limited"
    assert list(back.submitted) == ["turkey"]
    assert back.is_teacher(TEACHER) and back.pin == room.pin
    with pytest.raises(GameError, match="removed you"):
        back.join("dan", "Dan")
    assert after.rooms[ended.code].ended
    back.submit(EVE)  # the class goes on: the turn runs
    assert len(back.turns) == 2 and back.run.day == 10
    third = Registry(store=Store(tmp_path / "games"))
    third.restore()
    assert third.rooms[room.code].run.day == 10  # saved as it changed


def test_a_damaged_saved_room_is_one_log_line_and_the_others_load(scenario, tmp_path: Path,
                                                                  caplog) -> None:
    registry = Registry(store=Store(tmp_path))
    good = _class_mid_turn(registry, scenario)
    damaged = {}
    for name, change in [("not json", None),
                         ("bad orders", lambda s: s["turns"][0]["orders"].update(lna=5)),
                         ("bad seat", lambda s: s["seats"]["lna"].update(members=["nobody"])),
                         ("negative seed", lambda s: s.update(seed=-1)),
                         ("deep", lambda s: s.update(scenario=json.loads("[" * 900 + "]" * 900)))]:
        state = good.state()
        code = f"BAD{len(damaged)}"
        state["code"] = code
        if change is None:
            registry.store.db.execute("INSERT INTO rooms VALUES (?, ?, 0)", (code, "{oops"))
        else:
            change(state)
            registry.store.save(code, state)
        damaged[code] = name
    with caplog.at_level(logging.WARNING, logger="libyasim.game"):
        again = Registry(store=Store(tmp_path))
        assert again.restore() == 1
    assert list(again.rooms) == [good.code]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == len(damaged)
    for code in damaged:
        line = next(x for x in lines if f"room {code} " in x)
        assert "\n" not in line and GAMES_FILE in line and "damaged" in line


# ---------------------------------------------------------------- hostile files
def _game_file(**changes) -> dict:
    data = {"format": "libyasim-game", "scenario": {"name": "x", "overrides": {}}, "seed": 1,
            "turn_days": 5, "last_day": 5, "turns": [{"day": 0, "orders": {}}],
            "series": {"columns": ["a"], "rows": [[1.0]]}, "outcomes": {}}
    data.update(changes)
    return data


HOSTILE_GAMES = {
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deep-object.json": '{"a":' * 5000 + "1" + "}" * 5000,
    "huge-seed.json": json.dumps(_game_file()).replace('"seed": 1', '"seed": ' + "9" * 5000),
    "orders-number.json": json.dumps(_game_file(turns=[{"day": 0, "orders": {"lna": 5}}])),
    "orders-unknown.json": json.dumps(_game_file(turns=[{"day": 0, "orders": {"x": {}}}])),
    "orders-list.json": json.dumps(_game_file(turns=[{"day": 0,
                                                      "orders": {"lna": {"stance": [1]}}}])),
    "seed-negative.json": json.dumps(_game_file(seed=-5)),
    "seed-bool.json": json.dumps(_game_file(seed=True)),
    "last-day-huge.json": json.dumps(_game_file(last_day=10**12)),
    "rows-ragged.json": json.dumps(_game_file(series={"columns": ["a"], "rows": [[1, 2], [3]]})),
    "rows-text.json": json.dumps(_game_file(series={"columns": ["a"], "rows": [["x"]]})),
    "scenario-list.json": json.dumps(_game_file(scenario=[])),
    "scenario-bad.json": json.dumps(_game_file(scenario={"name": "x", "overrides": {"q": 1}})),
    "turn-days-bad.json": json.dumps(_game_file(turns=[{"day": 3, "orders": {}}])),
    "binary.json": "\x00\xff\xfe",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_GAMES))
def test_replay_meets_a_hostile_file_with_one_line_and_exit_2(name: str, tmp_path: Path,
                                                              capsys) -> None:
    path = tmp_path / name
    path.write_text(HOSTILE_GAMES[name], encoding="utf-8", errors="surrogateescape")
    assert cli.main(["replay", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err[:500]
    assert err.startswith(f"error: {path}")


@pytest.mark.parametrize("text", ["a = " + "[" * 3000 + "]" * 3000,
                                  "[scenario]\nx = " + "{a=" * 3000 + "1" + "}" * 3000])
def test_a_deeply_nested_scenario_file_gets_one_line(text: str, tmp_path: Path,
                                                     capsys) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(text)
    assert cli.main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nested too deeply" in err and str(path) in err


def test_a_posterior_that_is_not_one_gets_one_line(tmp_path: Path, capsys) -> None:
    from libyasim.draws import CalibrationError, from_posterior

    with pytest.raises(CalibrationError, match="/etc/passwd: not a posterior"):
        from_posterior("/etc/passwd")
    fake = tmp_path / "posterior.parquet"
    fake.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    with pytest.raises(CalibrationError, match="not a posterior"):
        from_posterior(tmp_path)


# ---------------------------------------------------------------- a class of 30
def test_a_class_of_30_plays_several_turns(scenario) -> None:
    """A teacher and 30 students (8 teams, some of four), every student acting from their own
    thread at once: drafts, submits; four turns run, nothing is lost or mixed up."""
    registry = Registry()
    room = registry.create(TEACHER, scenario, 11, 5)
    students = [f"student-{i:02d}" for i in range(30)]
    actors = list(ACTORS)
    for i, token in enumerate(students):
        room.join(token, f"Student {i}")
    for actor, founder in zip(actors, students):
        room.take_seat(founder, actor)
    for i, token in enumerate(students[len(actors):]):
        actor = actors[i % len(actors)]
        room.join_team(token, actor, room.seats[actor].invite)
    assert sum(len(s.members) for s in room.seats.values()) == 30

    from libyasim.game.engine import OPTIONS

    errors: list[BaseException] = []
    founders = set(students[:len(actors)])

    def play(token: str, turn: int) -> None:
        """Everyone changes the team's choices; the founder then submits, the others look."""
        actor = room.seat_of(token)
        try:
            for option in OPTIONS[actor]:
                value = option.choices[(turn + len(token)) % len(option.choices)][0]
                room.set_draft(token, option.key, value)
            if token in founders:
                room.submit(token)
            else:
                room.state(), room.last_events()
        except GameError as exc:  # the founder submitted (or the game ended) first
            if "submitted" not in str(exc) and "ended" not in str(exc):
                errors.append(exc)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    for turn in range(4):
        threads = [threading.Thread(target=play, args=(t, turn)) for t in students]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(room.turns) == turn + 1, "every team submitted: the turn ran"
        assert sorted(room.turns[-1].orders) == sorted(actors)
    assert room.run.day == 20 and room.ended
    from libyasim.game.engine import replay

    rerun = replay(scenario, 11, [(t.day, t.orders) for t in room.turns], 20)
    np.testing.assert_array_equal(rerun.series, room.run.series)


# ---------------------------------------------------------------- what a page shows
def test_an_invented_choice_or_a_failure_is_one_line_on_the_page(room: Room, caplog) -> None:
    from libyasim.game.page import _attempt, _choice

    shown: list[str] = []
    room.join(ANN, "Ann")
    room.take_seat(ANN, "lna")
    by_label = {"Hold the truce": "hold"}
    _attempt(shown.append, lambda: room.set_draft(ANN, "stance", _choice(by_label, "nuke")))
    assert shown == ["That is not one of the choices."]
    _attempt(shown.append, lambda: room.set_draft(ANN, "stance", _choice(by_label, ["x"])))
    assert shown[-1] == "That is not one of the choices."
    _attempt(shown.append, lambda: room.set_draft(ANN, "x" * 100_000, 1))  # an invented order
    assert "has no order" in shown[-1] and len(shown[-1]) <= 200

    def broken() -> None:
        raise KeyError("/srv/secret/path.py")

    with caplog.at_level(logging.ERROR, logger="libyasim.game"):
        _attempt(shown.append, broken)
    assert shown[-1] == "That did not work (the details are in the server's log)."
    assert "secret" not in shown[-1]
    assert any(r.exc_info and "secret" in str(r.exc_info[1]) for r in caplog.records)


def test_a_page_that_fails_to_draw_shows_one_line(caplog) -> None:
    import ipyvuetify
    import solara

    from libyasim.serve import safe

    @solara.component
    def Broken():
        raise OverflowError("/srv/app.py line 12: int too large")

    with caplog.at_level(logging.ERROR, logger="libyasim.serve"):
        box, rc = solara.render(safe(Broken)(), handle_error=False)
    texts = [w.children for w in rc.find(ipyvuetify.Alert).widgets]
    assert texts and "Something went wrong" in str(texts[0]) and "/srv" not in str(texts)
    assert any(r.exc_info for r in caplog.records)


def test_an_unusable_data_folder_is_one_line(tmp_path: Path, capsys) -> None:
    import socket

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for data in (not_a_folder, not_a_folder / "games"):
        assert cli.main(["game", "--port", str(port), "--data", str(data)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("libyasim game: --data: ")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "session.key").write_text("not hex")
    assert cli.main(["game", "--port", str(port), "--data", str(tmp_path / "data")]) == 2
    assert "not a session key" in capsys.readouterr().err
