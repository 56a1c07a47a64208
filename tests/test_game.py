"""The classroom game's rules, without a browser: rooms, seats, turns, teacher controls, replay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from libyasim.game import debrief, engine
from libyasim.game.record import differences, dumps, load_record, rerun
from libyasim.game.rooms import (
    ALPHABET,
    CODE_LENGTH,
    MAX_INVITE_TRIES,
    NAME_MAX,
    GameError,
    Registry,
    Room,
    clean_name,
)
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TEACHER, ANN, BOB, EVE = "teacher-token", "ann-token", "bob-token", "eve-token"


@pytest.fixture(scope="module")
def scenario(short):
    return load_scenario(short)  # the baseline cut to 20 days


@pytest.fixture()
def room(scenario) -> Room:
    return Registry().create(TEACHER, scenario, seed=7, turn_days=5)


def seated(room: Room) -> Room:
    room.join(ANN, "Ann")
    room.take_seat(ANN, "lna")
    room.join(BOB, "Bob")
    room.take_seat(BOB, "turkey")
    return room


def test_room_codes_are_random_long_and_unambiguous(scenario) -> None:
    registry = Registry(max_rooms=200)
    codes = {registry.create(f"t{i}", scenario, 1, 5).code for i in range(100)}
    assert len(codes) == 100
    for code in codes:
        assert len(code) >= 6 and len(code) == CODE_LENGTH
        assert set(code) <= set(ALPHABET)
    assert not set("0O1IL") & set(ALPHABET)
    some = next(iter(codes))
    typed = f" {some[:3].lower()}-{some[3:]} "
    assert registry.get(typed) is registry.rooms[some]


def test_a_held_seat_is_bound_to_its_session(room: Room) -> None:
    seated(room)
    room.join(EVE, "Eve")
    with pytest.raises(GameError, match="already played"):
        room.take_seat(EVE, "lna")
    with pytest.raises(GameError, match="not this team's invite"):
        room.join_team(EVE, "lna", "WRONG1")
    assert room.seat_of(EVE) is None
    # Eve cannot act for the LNA: her session has no seat
    with pytest.raises(GameError, match="Take a seat"):
        room.submit(EVE, {"stance": "offensive"})
    with pytest.raises(GameError, match="Take a seat"):
        room.set_draft(EVE, "stance", "offensive")
    # Ann's session keeps the seat when she comes back (a reload: same token)
    room.join(ANN, "Ann again")
    assert room.seat_of(ANN) == "lna"
    assert room.seats["lna"].members == [ANN]


def test_a_team_grows_only_with_its_invite_or_the_teachers_approval(room: Room) -> None:
    seated(room)
    room.join(EVE, "Eve")
    room.join_team(EVE, "lna", room.seats["lna"].invite.lower())
    assert room.seats["lna"].members == [ANN, EVE]
    carl, dana = "carl-token", "dana-token"
    room.join(carl, "Carl")
    room.ask_to_join(carl, "turkey")
    assert room.seat_of(carl) is None
    with pytest.raises(GameError, match="teacher"):
        room.answer_request(BOB, carl, True)  # a student cannot approve
    room.answer_request(TEACHER, carl, True)
    assert room.seat_of(carl) == "turkey"
    room.join(dana, "Dana")
    room.ask_to_join(dana, "turkey")
    room.answer_request(TEACHER, dana, False)
    assert room.seat_of(dana) is None and dana not in room.requests
    for _ in range(MAX_INVITE_TRIES):
        with pytest.raises(GameError):
            room.join_team(dana, "turkey", "AAAAAA")
    with pytest.raises(GameError, match="Too many"):
        room.join_team(dana, "turkey", room.seats["turkey"].invite)


def test_teacher_controls_answer_only_to_the_teacher(room: Room) -> None:
    seated(room)
    for action in (lambda t: room.advance(t), lambda t: room.set_paused(t, True),
                   lambda t: room.rewind(t), lambda t: room.end(t),
                   lambda t: room.remove(t, ANN)):
        for token in (ANN, EVE, ""):
            with pytest.raises(GameError, match="teacher"):
                action(token)
    assert room.turns == [] and not room.paused and not room.ended
    assert room.seat_of(ANN) == "lna"
    with pytest.raises(GameError, match="teacher"):
        room.join(TEACHER, "Sneaky")  # the teacher's browser cannot also take a seat


def test_names_are_plain_bounded_text() -> None:
    html = "<img src=x onerror=alert(1)><b>Bob</b>"
    assert clean_name(html) == html[:NAME_MAX]  # kept as text; the page shows it as text
    assert clean_name("  Ann\n\t\u200bLee  ") == "Ann Lee"
    assert len(clean_name("x" * 500)) == NAME_MAX
    with pytest.raises(GameError):
        clean_name(" \n\t ")


def test_turn_runs_when_all_players_submitted(room: Room) -> None:
    seated(room)
    room.submit(ANN, {"stance": "offensive", "target": "tripoli"})
    assert room.turns == [] and room.run.day == 0
    with pytest.raises(GameError, match="already submitted"):
        room.submit(ANN, {"stance": "hold"})
    with pytest.raises(GameError, match="submitted"):
        room.set_draft(ANN, "stance", "hold")
    room.submit(BOB, {"fighters": 2.0})
    assert len(room.turns) == 1 and room.run.day == 5
    assert room.turns[0].orders == {
        "lna": engine.check_orders("lna", {"stance": "offensive", "target": "tripoli"}),
        "turkey": engine.check_orders("turkey", {"fighters": 2.0})}
    assert all(0 < e.day <= 5 for e in room.turns[0].events)
    assert room.submitted == {}
    with pytest.raises(GameError, match="expected one of"):
        room.submit(ANN, {"stance": "nuke"})


def test_pause_blocks_turns_and_advance_overrides(room: Room) -> None:
    seated(room)
    room.set_paused(TEACHER, True)
    with pytest.raises(GameError, match="paused"):
        room.submit(ANN)
    room.set_paused(TEACHER, False)
    room.submit(ANN)
    room.advance(TEACHER)  # Bob has not submitted: the turn runs anyway
    assert room.run.day == 5 and list(room.turns[0].orders) == ["lna"]
    while not room.ended:
        room.advance(TEACHER)
    assert room.run.day == room.run.horizon == 20
    with pytest.raises(GameError, match="ended"):
        room.submit(ANN)


def test_rewind_resimulates_the_same_history(room: Room) -> None:
    seated(room)
    room.submit(ANN, {"stance": "limited"})
    room.submit(BOB, {"drones": 0.0})
    after_one = room.run.series
    events_one = room.turns[0].events
    room.submit(ANN, {"stance": "offensive", "target": "gharyan"})
    room.submit(BOB, {"drones": 2.0})
    assert room.run.day == 10
    room.rewind(TEACHER)
    assert room.run.day == 5 and len(room.turns) == 1
    np.testing.assert_array_equal(room.run.series, after_one)
    assert room.turns[0].events == events_one
    room.rewind(TEACHER)
    with pytest.raises(GameError, match="no turn"):
        room.rewind(TEACHER)


def test_rooms_expire_and_are_bounded(scenario) -> None:
    now = [0.0]
    registry = Registry(max_rooms=2, ttl=100.0, clock=lambda: now[0])
    first = registry.create("t1", scenario, 1, 5)
    registry.create("t2", scenario, 1, 5)
    with pytest.raises(GameError, match="already runs 2 games"):
        registry.create("t3", scenario, 1, 5)
    now[0] = 60.0
    first.join(ANN, "Ann")  # activity keeps a room alive
    now[0] = 150.0
    assert registry.get(first.code) is first
    third = registry.create("t3", scenario, 1, 5)  # the idle second room has expired
    assert len(registry.rooms) == 2 and third.code in registry.rooms
    now[0] = 1000.0
    assert registry.get(first.code) is None
    many = Registry(max_rooms=10)
    for _ in range(3):
        many.create("one-browser", scenario, 1, 5)
    with pytest.raises(GameError, match="already runs 3 rooms"):
        many.create("one-browser", scenario, 1, 5)


def _played(room: Room) -> Room:
    seated(room)
    orders = [({"stance": "offensive", "target": "tripoli"}, {"fighters": 2.0}),
              ({"stance": "hold", "monitors": True}, {"fighters": 0.0, "inspectors": True})]
    for lna, turkey in orders:
        room.submit(ANN, lna)
        room.submit(BOB, turkey)
    while not room.ended:
        room.advance(TEACHER)
    return room


def test_replay_of_the_download_is_identical(room: Room, tmp_path: Path) -> None:
    _played(room)
    path = tmp_path / "game.json"
    path.write_text(dumps(room.record()))
    data = load_record(path)
    assert data["seed"] == 7 and data["turn_days"] == 5 and data["last_day"] == 20
    assert [t["day"] for t in data["turns"]] == [0, 5, 10, 15]
    assert data["turns"][0]["orders"]["lna"]["stance"] == "offensive"
    assert len(data["series"]["rows"]) == 21
    assert differences(data, rerun(data)) == []
    done = subprocess.run([sys.executable, "-m", "libyasim.cli", "replay", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0 and "identical" in done.stdout

    data["series"]["rows"][12][0] += 0.25  # a tampered record is reported, exit 1
    data["turns"][1]["orders"]["lna"]["stance"] = "limited"
    path.write_text(json.dumps(data))
    done = subprocess.run([sys.executable, "-m", "libyasim.cli", "replay", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 1
    assert "day 12" in done.stdout and "control_gna" in done.stdout


def test_replay_rejects_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    done = subprocess.run([sys.executable, "-m", "libyasim.cli", "replay", str(bad)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and "format" in done.stderr and "Traceback" not in done.stderr


def test_orders_change_the_run_and_match_the_models_simulate(room: Room) -> None:
    from libyasim.model import simulate

    _played(room)
    turns = [(t.day, t.orders) for t in room.turns]
    _, series = simulate(room.scenario, room.seed, engine.orders_by_day(turns))
    np.testing.assert_array_equal(series[: room.run.day + 1], room.run.series)
    _, alone = simulate(room.scenario, room.seed)
    assert not np.array_equal(alone, series)


def test_debrief_places_the_class_in_the_ensemble(room: Room, tmp_path: Path) -> None:
    _played(room)
    ens = debrief.ensemble(room.scenario, 12, tmp_path)
    assert ens.done.wait(120) and ens.error is None
    runs = ens.runs_table
    table = debrief.percentile_table(room.run.outcomes(), runs, room.run.horizon)
    row = table.set_index("outcome").loc["violations_total"]
    values = runs["violations_total"].to_numpy()
    mine = room.run.outcomes()["violations_total"]
    expected = 100 * ((values < mine).sum() + 0.5 * (values == mine).sum()) / len(values)
    assert row["percentile"] == pytest.approx(expected)
    assert 0 <= table["percentile"].min() and table["percentile"].max() <= 100
    assert "end_state" in set(table["outcome"])
    again = debrief.ensemble(room.scenario, 12, tmp_path)
    assert again is ens  # computed once per scenario
    lines = debrief.percentile_sentences(table, room.run.horizon, len(runs))
    assert any("percentile" in line for line in lines)


def test_timeline_carries_orders_forward() -> None:
    turns = [(0, {"lna": {"stance": "hold"}}), (14, {}), (28, {"lna": {"stance": "offensive",
                                                                       "target": "tripoli"}})]
    fig = debrief.timeline_figure(turns, ["lna"], 42, lambda d: __import__("datetime").date(
        2020, 1, 10) + __import__("datetime").timedelta(days=d))
    bars = [p for p in fig.axes[0].patches]
    assert len(bars) == 3
    colours = [b.get_facecolor() for b in bars]
    assert colours[0] == colours[1] != colours[2]  # turn 2 kept turn 1's orders
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["hold the truce", "offensive at Tripoli"]
    assert debrief.summary("turkey", engine.check_orders("turkey", {"fighters": 2.0})) == \
        "fighters \u00d72"
    assert debrief.summary("berlin", {"convene_talks": True, "press": "russia"}) == \
        "talks + presses Russia"


def test_a_team_shares_its_choices_and_one_submit_locks_them(room: Room) -> None:
    seated(room)
    room.join(EVE, "Eve")
    room.join_team(EVE, "lna", room.seats["lna"].invite)
    room.set_draft(EVE, "stance", "limited")
    assert room.seats["lna"].draft["stance"] == "limited"  # Ann's page shows the same draft
    room.submit(ANN)
    assert room.submitted["lna"]["stance"] == "limited"
    with pytest.raises(GameError, match="already submitted"):
        room.submit(EVE)
    with pytest.raises(GameError, match="expected one of"):
        room.set_draft(BOB, "fighters", 7.0)


def test_an_emptied_seat_goes_back_to_the_model(room: Room) -> None:
    seated(room)
    old_invite = room.seats["lna"].invite
    room.submit(BOB)
    room.remove(TEACHER, ANN)  # the last team still choosing leaves: the turn runs
    assert "lna" not in room.seats and room.seat_of(ANN) is None
    assert len(room.turns) == 1 and list(room.turns[0].orders) == ["turkey"]
    room.join(EVE, "Eve")
    seat = room.take_seat(EVE, "lna")
    assert seat.members == [EVE] and seat.invite != old_invite


def test_game_command_refuses_a_busy_port_in_one_line() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "libyasim.cli", "game", "--port", str(port)],
                              capture_output=True, text=True, cwd=ROOT, check=False, timeout=60)
    assert done.returncode == 2
    assert "already in use" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_every_option_says_where_its_numbers_come_from(scenario) -> None:
    for actor, options in engine.OPTIONS.items():
        assert actor in engine.ACTORS
        for option in options:
            assert option.consequence and option.params, f"{actor}.{option.key}"
            lines = engine.provenance(tuple(option.params), scenario)
            assert len(lines) == len(option.params), f"{actor}.{option.key}: unknown parameter"
            assert all("(" in line and ": " in line for line in lines)
