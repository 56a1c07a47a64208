"""Serve one of the package's Solara pages (the classroom app, the game) on a local port.

The page's web files come with the install: `solara-assets` puts them into
`sys.prefix/share/solara/cdn`, and Solara serves them from there when its assets proxy is on
(SOLARA_ASSETS_PROXY=true), so nothing is fetched from a CDN. They fit the Vue 2 page that
Solara uses with ipyvue < 3 (the `[app]` extra pins both).
"""

from __future__ import annotations

import os
import socket
import sys
from importlib import metadata
from pathlib import Path

# Solara warns on every page load served over plain http under a name other than "localhost"
# (solara/server/starlette.py, root(): it then sets the session cookie with SameSite=Lax instead
# of None, which only matters for pages embedded in an iframe on another site). A page opened
# directly, as here, is unaffected; Solara has no setting for it, so the server process gets a
# warning filter for that one message.
SCENARIO_ENV = "LIBYASIM_APP_SCENARIO"  # the scenario file a page starts from (unset: baseline)
COOKIE_WARNING_FILTER = "ignore:Cookies with samesite=none require https::solara.server.starlette"


def port_in_use(host: str, port: int) -> bool:
    """True when another process listens on (host, port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def asset_problems() -> list[str]:
    """Why the page would need the internet, one sentence each (empty when it does not)."""
    problems = []
    cache = Path(sys.prefix, "share", "solara", "cdn", "@widgetti")
    if not cache.is_dir():
        problems.append("Solara's web files are not installed, so the page fetches them from "
                        "the internet; install them with: pip install 'solara-assets==1.58.2'")
    try:
        major = int(metadata.version("ipyvue").split(".")[0])
    except metadata.PackageNotFoundError:
        major = 0
    if major >= 3:
        problems.append("ipyvue 3 needs web files that no package ships, so the page fetches "
                        "them from the internet; install: pip install 'ipyvue<3' 'ipyvuetify<3'")
    return problems


def serve(command: str, module: str, *, host: str, port: int,
          env: dict[str, str] | None = None) -> int:
    """Run `solara run MODULE` in place of this process; 2 when the port is taken."""
    if port_in_use(host, port):
        print(f"libyasim {command}: port {port} on {host} is already in use; "
              f"choose another with --port", file=sys.stderr)
        return 2
    for problem in asset_problems():
        print(f"libyasim {command}: {problem}", file=sys.stderr)
    environ = dict(os.environ if env is None else env)
    environ["SOLARA_ASSETS_PROXY"] = "true"  # serve the installed web files, never a CDN's
    environ["PYTHONWARNINGS"] = ",".join(
        w for w in (environ.get("PYTHONWARNINGS"), COOKIE_WARNING_FILTER) if w)
    print(f"libyasim {command}: open http://{host}:{port} in a browser (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    argv = [sys.executable, "-m", "solara", "run", module, "--host", host, "--port", str(port),
            "--no-open", "--production"]
    os.execve(sys.executable, argv, environ)  # the server replaces this process
