"""`libyasim game` (serve the classroom game) and `libyasim replay` (rerun a downloaded game)."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

from libyasim import arguments

EXIT_BAD_INPUT = 2
# The page (a separate server process, see `libyasim.serve`) reads its settings from these.
ENV_SCENARIO, ENV_TURN_DAYS, ENV_SEED = ("LIBYASIM_GAME_SCENARIO", "LIBYASIM_GAME_TURN_DAYS",
                                         "LIBYASIM_GAME_SEED")
ENV_URL, ENV_RUNS, ENV_DIR = ("LIBYASIM_GAME_URL", "LIBYASIM_GAME_ENSEMBLE_RUNS",
                              "LIBYASIM_GAME_ENSEMBLE_DIR")
ENV_DATA, ENV_MAX_ROOMS = "LIBYASIM_GAME_DATA", "LIBYASIM_GAME_MAX_ROOMS"
SECRET_FILE = "session.key"  # in the data folder: signs the browsers' session tokens


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `game` and `replay` on the main parser's subcommands."""
    game = sub.add_parser("game", help="the multiplayer classroom game in a browser")
    game.add_argument("scenario", nargs="?", help="scenario file (default: the baseline)")
    game.add_argument("--port", type=arguments.port, default=8766,
                      help="port (default: 8766)")
    game.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default: 127.0.0.1, this computer only; "
                      "0.0.0.0 opens it to the network: see docs/game.md)")
    game.add_argument("--turn-days", type=arguments.whole(1), default=14,
                      help="days the model runs per turn (default: 14)")
    game.add_argument("--seed", type=arguments.seed,
                      help="seed of the class's run (default: the scenario's)")
    game.add_argument("--ensemble-runs", type=arguments.whole(10, 2000),
                      help="model-only runs the debrief compares the class with (default: the "
                      "scenario's runs)")
    game.add_argument("--ensemble-dir", default=str(Path("results") / "game-ensembles"),
                      help="where those runs are saved and reused (default: "
                      "results/game-ensembles)")
    game.add_argument("--data", metavar="DIR",
                      help="folder where the rooms are saved as they change, and restored from "
                      "on start (default: $XDG_DATA_HOME/libyasim/games, i.e. "
                      "~/.local/share/libyasim/games)")
    game.add_argument("--max-rooms", type=arguments.whole(1, 1000),
                      help="games running at once on this server (default: 30; ended games "
                      "do not count)")
    game.set_defaults(func=cmd_game)

    rep = sub.add_parser("replay", help="rerun a game downloaded from the debrief and check "
                         "that it gives the same result")
    rep.add_argument("file", help="the game's JSON file")
    rep.set_defaults(func=cmd_replay)


def _port_busy(host: str, port: int) -> str | None:
    """Why the server could not listen there, or None when it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"cannot use --host {host!r} ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use; choose another with --port"
            return f"cannot listen on {host}:{port} ({exc.strerror})"
    return None


def cmd_game(args: argparse.Namespace) -> int:
    from libyasim.extras import require
    from libyasim.scenario import resolve_scenario

    require("solara", "app", "libyasim game")

    if args.scenario:
        from libyasim.check import load_checked

        loaded = load_checked([args.scenario])  # what `check` rejects is not played
        if loaded is None:
            return EXIT_BAD_INPUT
        scenario = loaded[0]
    else:
        scenario = resolve_scenario(None)
    horizon = scenario["scenario.horizon_days"]
    if args.turn_days > horizon:
        print(f"error: --turn-days {args.turn_days} is longer than the scenario's horizon "
              f"({horizon} days)", file=sys.stderr)
        return EXIT_BAD_INPUT
    problem = _port_busy(args.host, args.port)
    if problem:
        print(f"libyasim game: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from libyasim.game.store import Store, StoreError, default_data_dir
    from libyasim.serve import SECRET_ENV, link, load_secret

    data = Path(args.data or default_data_dir()).resolve()
    try:
        Store(data).close()
        load_secret(str(data / SECRET_FILE))
    except (StoreError, OSError, ValueError) as exc:
        print(f"libyasim game: --data: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    url = link(args.host, args.port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBYASIM_GAME_")}
    env.update({ENV_TURN_DAYS: str(args.turn_days), ENV_URL: url, ENV_DATA: str(data),
                ENV_MAX_ROOMS: str(args.max_rooms or ""), SECRET_ENV: str(data / SECRET_FILE),
                ENV_RUNS: str(args.ensemble_runs or scenario["scenario.runs"]),
                ENV_DIR: str(Path(args.ensemble_dir).resolve())})
    if args.scenario:
        env[ENV_SCENARIO] = str(Path(args.scenario).resolve())
    if args.seed is not None:
        env[ENV_SEED] = str(args.seed)
    print(f"libyasim game: students open {url} (the teacher presses Create room there); "
          f"games are saved in {data}", file=sys.stderr, flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("libyasim game: listening on the network: use it on a trusted classroom network "
              "only (docs/game.md)", file=sys.stderr, flush=True)
    from libyasim.serve import serve

    return serve("game", "libyasim.game.page", host=args.host, port=args.port, env=env)


def cmd_replay(args: argparse.Namespace) -> int:
    from libyasim.game.record import RecordError, differences, load_record, rerun

    try:
        data = load_record(args.file)
        run = rerun(data, args.file)
        found = differences(data, run)
    except RecordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from libyasim import __version__

    if data.get("libyasim_version") != __version__:
        print(f"note: played with libyasim {str(data.get('libyasim_version'))[:40]}, rerun "
              f"with {__version__}", file=sys.stderr)
    days, columns = run.series.shape
    if not found:
        print(f"{args.file}: identical: {len(data['turns'])} turns, {days} days x {columns} "
              f"columns of the daily series and {len(data['outcomes'])} outcomes reproduced "
              "exactly")
        return 0
    print(f"{args.file}: the rerun differs from the recorded game:")
    for line in found:
        print(f"  {line}")
    return 1
