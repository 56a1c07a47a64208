"""The guard in front of the page servers (`libyasim app`, `libyasim game`), without a browser:
session tokens, websocket origins, security headers, diagnostics, links to open."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from libyasim import serve

SECRET = b"k" * 32
HOST = b"192.168.1.20:8766"


class Recorder:
    """A stand-in for Solara's web app: records what reached it, sets a session cookie."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope, receive, send) -> None:
        self.scopes.append(scope)
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept"})
            return
        cookie = serve._cookies(scope["headers"]).get("solara-session-id", "none")
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"set-cookie", f"solara-session-id={cookie}; expires=Fri, 01 Jan 2038 00:00:00 "
                            "GMT; Path=/; SameSite=lax".encode())]})
        await send({"type": "http.response.body", "body": b"page"})


def _call(guard: serve.Guard, kind: str, path: str = "/", client: str = "192.168.1.50",
          headers: list[tuple[bytes, bytes]] | None = None) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message) -> None:
        sent.append(message)

    scope = {"type": kind, "path": path, "client": (client, 5000),
             "headers": [(b"host", HOST), *(headers or [])]}
    asyncio.run(guard(scope, receive, send))
    return sent


def _cookie(token: str) -> tuple[bytes, bytes]:
    return (b"cookie", f"other=1; solara-session-id={token}".encode("utf-8"))


def test_the_server_issues_the_session_token_and_refuses_any_other() -> None:
    app = Recorder()
    guard = serve.Guard(app, SECRET)
    for chosen in ("é", "attacker-picked-value", "a" * 24 + "." + "0" * 32, ""):
        raw = chosen.encode("utf-8").decode("latin-1")  # as a browser sends it
        sent = _call(guard, "http", headers=[(b"cookie", f"solara-session-id={raw}".encode(
            "latin-1"))])
        seen = serve._cookies(app.scopes[-1]["headers"])["solara-session-id"]
        assert seen != chosen and serve.valid_token(SECRET, seen)
        cookie = dict(sent[0]["headers"])[b"set-cookie"].decode()
        assert cookie.startswith(f"solara-session-id={seen};")
        assert "HttpOnly" in cookie and f"Max-Age={serve.SESSION_MAX_AGE_S}" in cookie
        assert "2038" not in cookie
    # a token it issued passes unchanged, with the browser's other cookies
    token = serve.new_token(SECRET)
    _call(guard, "http", headers=[_cookie(token)])
    assert serve._cookies(app.scopes[-1]["headers"]) == {"other": "1",
                                                         "solara-session-id": token}
    # another server's token (another secret) is not this server's
    assert not serve.valid_token(b"x" * 32, token)


def test_a_websocket_needs_the_servers_own_origin_and_token() -> None:
    app = Recorder()
    guard = serve.Guard(app, SECRET)
    token = serve.new_token(SECRET)
    own = [_cookie(token), (b"origin", b"http://" + HOST)]
    assert _call(guard, "websocket", "/jupyter/api/kernels/k/channels", headers=own) == [
        {"type": "websocket.accept"}]
    forged = serve._cookies(app.scopes[-1]["headers"])
    assert forged["solara-session-id"] == token
    for origin in (b"http://192.168.1.20:9999", b"http://evil.example", b"null",
                   b"file://", b"http://192.168.1.20:8766.evil.example"):
        sent = _call(guard, "websocket", headers=[_cookie(token), (b"origin", origin)])
        assert sent == [{"type": "websocket.close", "code": 1008}], origin
    for cookie in (_cookie("made-up"), _cookie("é"), (b"x-none", b"")):
        sent = _call(guard, "websocket", headers=[cookie, (b"origin", b"http://" + HOST)])
        assert sent == [{"type": "websocket.close", "code": 1008}]
    assert len(app.scopes) == 1  # none of the refused reached Solara


def test_the_client_address_header_cannot_be_forged() -> None:
    app = Recorder()
    guard = serve.Guard(app, SECRET)
    _call(guard, "websocket", client="10.1.2.3", headers=[
        _cookie(serve.new_token(SECRET)), (serve.CLIENT_HEADER, b"127.0.0.1")])
    values = [v for k, v in app.scopes[-1]["headers"] if k == serve.CLIENT_HEADER]
    assert values == [b"10.1.2.3"]


def test_pages_carry_frame_and_content_security_headers() -> None:
    sent = _call(serve.Guard(Recorder(), SECRET), "http")
    headers = dict(sent[0]["headers"])
    assert headers[b"x-frame-options"] == b"DENY"
    csp = headers[b"content-security-policy"].decode()
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "http:" not in csp and "https:" not in csp  # nothing from elsewhere


def test_diagnostics_answer_this_computer_only() -> None:
    app = Recorder()
    guard = serve.Guard(app, SECRET)
    for path in ("/resourcez", "/resourcez?verbose"):
        sent = _call(guard, "http", path.split("?")[0], client="192.168.1.50")
        assert sent[0]["status"] == 404
    assert app.scopes == []
    _call(guard, "http", "/resourcez", client="127.0.0.1")
    assert len(app.scopes) == 1


def test_new_sessions_are_limited_per_address() -> None:
    guard = serve.Guard(Recorder(), SECRET, clock=lambda: 0.0)
    for _ in range(serve.NEW_SESSIONS_PER_MINUTE):
        assert _call(guard, "http", client="10.0.0.9")[0]["status"] == 200
    assert _call(guard, "http", client="10.0.0.9")[0]["status"] == 429
    assert _call(guard, "http", client="10.0.0.10")[0]["status"] == 200
    token = serve.new_token(SECRET)  # a browser with its cookie is never refused
    assert _call(guard, "http", client="10.0.0.9", headers=[_cookie(token)])[0]["status"] == 200


def test_the_signing_key_is_kept_for_a_restart(tmp_path) -> None:
    path = tmp_path / "data" / "session.key"
    first = serve.load_secret(str(path))
    assert serve.load_secret(str(path)) == first and len(first) == 32
    assert path.stat().st_mode & 0o077 == 0
    assert serve.load_secret(None) != serve.load_secret(None)
    path.write_text("garbage")
    with pytest.raises(ValueError, match="not a session key"):
        serve.load_secret(str(path))


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_the_printed_link_is_one_a_student_can_open(host: str) -> None:
    link = serve.link(host, 8766)
    assert "0.0.0.0" not in link and "[::]" not in link
    assert link == f"http://{serve.lan_address()}:8766/"
    assert serve.link("127.0.0.1", 8766) == "http://127.0.0.1:8766/"


def test_app_sliders_keep_to_their_range() -> None:
    from libyasim.app import slider_value

    assert slider_value("truce_day", 1e308) == 120
    assert slider_value("truce_day", -5) == 0
    assert slider_value("embargo", "0.5") == 0.5
    for bad in (float("nan"), float("inf"), "x", None, [1], 10**400):
        assert slider_value("arms_gna", bad) in (None, 3.0)
    assert slider_value("arms_gna", float("nan")) is None


def test_connected_pages_are_bounded_per_browser() -> None:
    """While a browser holds MAX_PAGES_PER_SESSION pages open, one more is refused; once
    they close, it may connect again."""
    release = asyncio.Event()

    async def holding(scope, receive, send) -> None:
        await send({"type": "websocket.accept"})
        await release.wait()

    guard = serve.Guard(holding, SECRET)
    token = serve.new_token(SECRET)
    scope = {"type": "websocket", "path": "/", "client": ("10.0.0.5", 1),
             "headers": [(b"host", HOST), _cookie(token)]}
    sent: list[Any] = []

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {}

    async def scenario() -> None:
        pages = [asyncio.create_task(guard(scope, receive, send))
                 for _ in range(serve.MAX_PAGES_PER_SESSION)]
        await asyncio.sleep(0.05)
        await guard(scope, receive, send)
        assert sent[-1] == {"type": "websocket.close", "code": 1008}
        release.set()
        await asyncio.gather(*pages)
        assert guard.pages == {}

    asyncio.run(scenario())
    assert sent.count({"type": "websocket.accept"}) == serve.MAX_PAGES_PER_SESSION
