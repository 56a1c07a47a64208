"""Time a classroom game of 30 students on this machine (run by hand).

    PYTHONPATH=src python benchmarks/bench_game.py [--students 30] [--turns 6]

One room on the baseline with 14-day turns, its rooms saved in a temporary data folder as the
server saves them: 30 students in 8 teams set every option of their team's orders and the
founders submit, turn after turn. Prints the time a turn takes to compute, the time a saved
change takes (SQLite, every click), and the time a restarted server takes to bring the room
back (replaying its turns).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from libyasim.game.engine import ACTORS, OPTIONS
from libyasim.game.rooms import Registry
from libyasim.game.store import Store
from libyasim.scenario import resolve_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--turns", type=int, default=6)
    args = parser.parse_args()
    scenario = resolve_scenario(None)
    with tempfile.TemporaryDirectory() as folder:
        registry = Registry(store=Store(folder))
        room = registry.create("teacher", scenario, 1, 14)
        students = [f"student-{i}" for i in range(args.students)]
        for i, token in enumerate(students):
            room.join(token, f"Student {i}")
            actor = list(ACTORS)[i % len(ACTORS)]
            if actor in room.seats:
                room.join_team(token, actor, room.seats[actor].invite)
            else:
                room.take_seat(token, actor)
        clicks: list[float] = []
        for turn in range(args.turns):
            for token in students:
                actor = room.seat_of(token)
                for option in OPTIONS[actor]:
                    start = time.perf_counter()
                    room.set_draft(token, option.key, option.choices[turn % len(option.choices)][0])
                    clicks.append(time.perf_counter() - start)
            for seat in list(room.seats.values()):
                room.submit(seat.members[0])
            print(f"turn {turn + 1}: computed in {room.last_turn_seconds * 1000:.1f} ms")
        start = time.perf_counter()
        again = Registry(store=Store(folder))
        again.restore()
        restored = time.perf_counter() - start
    print(f"{len(clicks)} choices saved: median {statistics.median(clicks) * 1000:.2f} ms, "
          f"max {max(clicks) * 1000:.2f} ms each (checked, applied and written to SQLite)")
    print(f"restart: the room with {args.turns} turns brought back in {restored * 1000:.0f} ms")


if __name__ == "__main__":
    main()
