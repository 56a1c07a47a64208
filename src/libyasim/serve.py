"""Serve one of the package's Solara pages (the classroom app, the game) on a local port.

The page's web files come with the install: `solara-assets` puts them into
`sys.prefix/share/solara/cdn`, and Solara serves them from there when its assets proxy is on
(SOLARA_ASSETS_PROXY=true), so nothing is fetched from a CDN. They fit the Vue 2 page that
Solara uses with ipyvue < 3 (the `[app]` extra pins both).

`serve` replaces the command's process with `python -m libyasim.serve MODULE HOST PORT`, which
runs Solara's web app behind `Guard`, the part that makes it fit for a classroom network:
session tokens issued and signed by the server (HttpOnly, 12 hours), websockets only from the
server's own pages, frame and content-security headers, diagnostics for this computer only,
idle sessions culled after a few minutes and their number bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import socket
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Solara warns on every page load served over plain http under a name other than "localhost"
# (solara/server/starlette.py, root(): it then sets the session cookie with SameSite=Lax instead
# of None, which only matters for pages embedded in an iframe on another site). A page opened
# directly, as here, is unaffected; Solara has no setting for it, so the server process gets a
# warning filter for that one message.
SCENARIO_ENV = "LIBYASIM_APP_SCENARIO"  # the scenario file a page starts from (unset: baseline)
SECRET_ENV = "LIBYASIM_SECRET_FILE"  # signs session tokens (unset: a new secret per start)
COOKIE_WARNING_FILTER = "ignore:Cookies with samesite=none require https::solara.server.starlette"
LOG = logging.getLogger("libyasim.serve")

SESSION_COOKIES = ("solara-session-id", "solara-session-id-lax")
SESSION_MAX_AGE_S = 12 * 3600  # a session cookie lasts a school day; each visit renews it
TOKEN = re.compile(r"[A-Za-z0-9_-]{24}\.[0-9a-f]{32}")
NEW_SESSIONS_PER_MINUTE = 120  # per client address (a whole class behind one router fits)
MAX_PAGES = 300  # pages connected at once (websockets), on the whole server
MAX_PAGES_PER_SESSION = 10  # pages (tabs) one browser may have connected at once
WS_MAX_BYTES = 2**21  # largest message a page may send (the pages send clicks and short texts)
CLIENT_HEADER = b"x-libyasim-client"  # the client's address, as the page sees it
DIAGNOSTICS = ("/resourcez",)  # answered to this computer only
ASSET_PREFIXES = ("/static", "/_solara", "/jupyter", "/readyz", "/favicon")
# Solara's own limits, set for a classroom (see docs/game.md, "Running it for a school")
SOLARA_LIMITS = {
    "SOLARA_KERNEL_CULL_TIMEOUT": "3m",  # a closed or dropped page is freed after 3 minutes
    "SOLARA_KERNEL_MAX_COUNT": "300",  # pages served at once (more wait their turn)
    "SOLARA_SESSION_HTTP_ONLY": "true",  # page scripts cannot read the session cookie
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",  # nothing leaves the classroom
    "SOLARA_MODE": "production",
}
CSP = "; ".join([
    "default-src 'self'",
    # Solara's page is built in the browser by Vue 2 from inline scripts and templates
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [(b"x-frame-options", b"DENY"), (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin")]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# ---------------------------------------------------------------- session tokens
def load_secret(path: str | None) -> bytes:
    """The key that signs session tokens: kept in `path` (made on first use, readable by the
    owner only) so that a restarted server knows its browsers; a fresh one without a path."""
    if not path:
        return secrets.token_bytes(32)
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    try:
        secret = bytes.fromhex(file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        secret = b""
    if len(secret) != 32:
        raise ValueError(f"{file}: not a session key written by libyasim; delete it and "
                         "start again (browsers then get new sessions)")
    return secret


def _signature(secret: bytes, body: str) -> str:
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()[:32]


def new_token(secret: bytes) -> str:
    """A session token: 24 random characters and the server's signature of them."""
    body = secrets.token_urlsafe(18)
    return f"{body}.{_signature(secret, body)}"


def valid_token(secret: bytes, value: str | None) -> bool:
    """True only for a token this server issued (any other text, of any kind: False)."""
    if not value or not TOKEN.fullmatch(value):
        return False
    body, signature = value.split(".")
    return hmac.compare_digest(signature.encode(), _signature(secret, body).encode())


def _cookies(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                out.setdefault(key, val.strip('"'))
    return out


def _with_session(headers: list[tuple[bytes, bytes]], token: str | None
                  ) -> list[tuple[bytes, bytes]]:
    """The request's headers with the session cookies replaced by `token` (or removed)."""
    kept = [(k, v) for k, v in headers if k != b"cookie"]
    others = [f"{k}={v}" for k, v in _cookies(headers).items() if k and k not in SESSION_COOKIES]
    if token:
        others.append(f"{SESSION_COOKIES[0]}={token}")
    if others:
        kept.append((b"cookie", "; ".join(others).encode("latin-1")))
    return kept


def _session_cookie_header(value: bytes) -> bytes:
    """Solara's Set-Cookie for the session, made HttpOnly and to last SESSION_MAX_AGE_S."""
    parts = [p.strip() for p in value.decode("latin-1").split(";")]
    kept = [p for p in parts[1:] if p.split("=")[0].lower() not in ("expires", "max-age",
                                                                   "httponly")]
    return "; ".join([parts[0], f"Max-Age={SESSION_MAX_AGE_S}", *kept, "HttpOnly"]).encode()


# ---------------------------------------------------------------- the guard
def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in headers if k == name), "")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def same_origin(origin: str, host: str) -> bool:
    """True when a browser's Origin header names the server it connects to (its Host)."""
    if not origin or not host:
        return False
    return urlsplit(origin).netloc.lower() == host.lower() and \
        urlsplit(origin).scheme in ("http", "https")


class Guard:
    """ASGI middleware in front of Solara's web app (see the module's docstring)."""

    def __init__(self, app: ASGIApp, secret: bytes, clock: Callable[[], float] = time.monotonic):
        self.app, self.secret, self.clock = app, secret, clock
        self.issued: dict[str, list[float]] = {}  # client address -> times of new sessions
        self.pages: dict[str, int] = {}  # session token -> pages connected now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("", 0))[0] or ""
        headers = [(k, v) for k, v in scope["headers"] if k != CLIENT_HEADER]
        headers.append((CLIENT_HEADER, client.encode("latin-1", "replace")))
        if scope["path"].startswith(DIAGNOSTICS) and not _is_loopback(client):
            return await _plain(send, 404, "Not found.")
        token = _cookies(headers).get(SESSION_COOKIES[0]) or _cookies(headers).get(
            SESSION_COOKIES[1])
        valid = valid_token(self.secret, token)
        if scope["type"] == "websocket":
            origin = _header(headers, b"origin")
            if origin and not same_origin(origin, _header(headers, b"host")):
                LOG.warning("libyasim: refused a websocket from %s opened by a page of %s",
                            client, origin[:100])
                return await send({"type": "websocket.close", "code": 1008})
            if not valid or not self._may_connect(token or ""):
                return await send({"type": "websocket.close", "code": 1008})
            scope = {**scope, "headers": _with_session(headers, token)}
            try:
                return await self.app(scope, receive, send)
            finally:
                self._disconnected(token or "")
        if not valid:
            token = None
            if not scope["path"].startswith(ASSET_PREFIXES):
                if self._too_many_new_sessions(client):
                    return await _plain(send, 429, "Too many new visitors from your network "
                                        "in a minute: wait a minute, then reload the page.")
                token = new_token(self.secret)
        scope = {**scope, "headers": _with_session(headers, token)}
        await self.app(scope, receive, _secured(send))

    def _may_connect(self, token: str) -> bool:
        """Count one more connected page, unless the browser or the server has too many."""
        if self.pages.get(token, 0) >= MAX_PAGES_PER_SESSION or \
                sum(self.pages.values()) >= MAX_PAGES:
            LOG.warning("libyasim: refused a page: %d connected, %d from that browser",
                        sum(self.pages.values()), self.pages.get(token, 0))
            return False
        self.pages[token] = self.pages.get(token, 0) + 1
        return True

    def _disconnected(self, token: str) -> None:
        self.pages[token] -= 1
        if not self.pages[token]:
            del self.pages[token]

    def _too_many_new_sessions(self, client: str) -> bool:
        now = self.clock()
        recent = [t for t in self.issued.get(client, []) if now - t < 60.0]
        if len(recent) >= NEW_SESSIONS_PER_MINUTE:
            return True
        self.issued[client] = [*recent, now]
        if len(self.issued) > 10_000:
            self.issued = {client: self.issued[client]}
        return False


def _secured(send: Send) -> Send:
    """`send` with the security headers added and the session cookie made HttpOnly."""
    async def wrapped(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = []
            for name, value in message.get("headers", []):
                if name.lower() == b"set-cookie" and value.split(b"=")[0].decode(
                        "latin-1") in SESSION_COOKIES:
                    value = _session_cookie_header(value)
                headers.append((name, value))
            present = {name.lower() for name, _ in headers}
            headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


async def _plain(send: Send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": text.encode()})


# ---------------------------------------------------------------- pages
def safe(page: Callable[[], Any]) -> Any:
    """The page component inside a safety net: if drawing it fails, the page says so in one
    line (Solara would show the traceback) and the details go to the server's log."""
    import reacton
    import solara

    def SafePage():
        error, clear = solara.use_exception()

        def log() -> None:
            if error is not None:
                LOG.error("libyasim: a page failed", exc_info=error)

        solara.use_effect(log, [error])
        if error is not None:
            solara.Error("Something went wrong on this page (the details are in the server's "
                         "log).", classes=["libyasim-failed"])
            solara.Button("Go on", on_click=clear)
            return
        page()

    # reacton's own decorator: solara's would check the hooks from the source code, which it
    # cannot parse for a function defined inside another
    return reacton.component(SafePage)


# ---------------------------------------------------------------- starting a server
def port_in_use(host: str, port: int) -> bool:
    """True when another process listens on (host, port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def lan_address() -> str:
    """This computer's address on the local network (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def link(host: str, port: int) -> str:
    """The address to open in a browser: the machine's LAN address for an open bind."""
    shown = lan_address() if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"


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
    """Run the page server in place of this process; 2 when the port is taken."""
    if port_in_use(host, port):
        print(f"libyasim {command}: port {port} on {host} is already in use; "
              f"choose another with --port", file=sys.stderr)
        return 2
    for problem in asset_problems():
        print(f"libyasim {command}: {problem}", file=sys.stderr)
    environ = dict(os.environ if env is None else env)
    environ["SOLARA_ASSETS_PROXY"] = "true"  # serve the installed web files, never a CDN's
    environ.update(SOLARA_LIMITS)
    environ["PYTHONWARNINGS"] = ",".join(
        w for w in (environ.get("PYTHONWARNINGS"), COOKIE_WARNING_FILTER) if w)
    print(f"libyasim {command}: open {link(host, port)} in a browser (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    argv = [sys.executable, "-m", "libyasim.serve", module, host, str(port)]
    os.execve(sys.executable, argv, environ)  # the server replaces this process


def main(argv: list[str]) -> None:
    """`python -m libyasim.serve MODULE HOST PORT`: Solara's web app for MODULE, guarded."""
    module, host, port = argv
    os.environ.update({"SOLARA_APP": module, "SERVER_NAME": host, "SERVER_PORT": port})
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG
    from solara.server.starlette import app

    config = {**LOGGING_CONFIG, "loggers": {**LOGGING_CONFIG["loggers"],
                                            "libyasim": {"handlers": ["default"],
                                                         "level": "INFO"}}}
    uvicorn.run(Guard(app, load_secret(os.environ.get(SECRET_ENV))), host=host, port=int(port),
                log_config=config, ws_max_size=WS_MAX_BYTES,
                limit_concurrency=MAX_PAGES + 200)  # beyond: "503 Service Unavailable"


if __name__ == "__main__":
    main(sys.argv[1:])
