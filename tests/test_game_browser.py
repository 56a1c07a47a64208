"""The classroom game in real browsers: `libyasim game` on 127.0.0.1, a teacher and students in
separate browser contexts (separate sessions) of headless Chromium, driven by Playwright. The
browsers resolve no name but 127.0.0.1, so the page must work offline."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from serving import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, serving, start_server, stop

TIMEOUT_MS = 30_000
HTML_NAME = "<b>Ann</b><img src=x>"

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                reason=f"{CHROMIUM} is missing (scripts/install-browser.sh "
                                "installs it); the game itself does not need it")


@pytest.fixture(scope="module")
def game_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`libyasim game` on a 28-day scenario with 14-day turns (two turns), on a free port."""
    folder = tmp_path_factory.mktemp("game")
    port = free_port()
    with serving(_game_args(folder, port), port, folder / "server.log", poll=0.3) as url:
        yield url


def _game_args(folder: Path, port: int) -> list[str]:
    """`libyasim game` on a 28-day scenario with 14-day turns, its games saved in `folder`."""
    scenario = folder / "short.toml"
    scenario.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                        "horizon_days = 28\n")
    return ["game", str(scenario), "--port", str(port), "--turn-days", "14",
            "--ensemble-runs", "10", "--ensemble-dir", str(folder / "ensembles"),
            "--data", str(folder / "data")]


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser, url: str):
    """A page in a new browser context: its own cookies, so its own session."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000},
                               accept_downloads=True).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url, timeout=TIMEOUT_MS)
    return page


def _enter(page, name: str, actor: str) -> None:
    page.locator(".game-name input").fill(name)
    page.get_by_role("button", name="Enter the room").click()
    page.locator(f".game-take-{actor}").click()
    page.locator(".game-submit").wait_for()


def _choose(page, actor: str, key: str, value) -> None:
    """Pick `value` for the option `key` in the page's drop-down, by the words it shows, and
    wait until the team's choices on the page (read back from the server) include it."""
    from libyasim.game.debrief import summary
    from libyasim.game.engine import OPTIONS, check_orders, choice_label

    label = next(o.label for o in OPTIONS[actor] if o.key == key)
    page.get_by_label(label).click(force=True)
    page.get_by_role("option", name=choice_label(actor, key, value), exact=True).click()
    expected = summary(actor, check_orders(actor, {key: value}))
    page.locator(".game-draft").get_by_text(expected).wait_for()


def test_a_class_plays_a_game_to_the_debrief(browser, game_url: str, tmp_path: Path) -> None:
    teacher = _open(browser, game_url)
    teacher.get_by_role("button", name="Create room").click()
    code = re.search(r"Room code: (\w+)", teacher.locator(".game-code").inner_text()).group(1)
    assert len(code) >= 6
    assert f"?room={code}" in teacher.locator(".game-link").inner_text()

    ann = _open(browser, f"{game_url}?room={code}")  # by the link
    _enter(ann, HTML_NAME, "lna")
    bob = _open(browser, game_url)  # by the code
    bob.locator(".game-code-input input").fill(code.lower())
    bob.get_by_role("button", name="Join").click()
    _enter(bob, "Bob", "turkey")

    # the name made of HTML is shown as text, to the teacher too
    teacher.locator(".game-seat-lna").get_by_text(HTML_NAME, exact=True).wait_for()
    assert teacher.locator(".game-seat-lna b").count() == 0
    assert teacher.locator(".game-seat-lna img").count() == 0
    assert ann.get_by_text(HTML_NAME, exact=True).is_visible()

    _choose(ann, "lna", "stance", "limited")
    _choose(bob, "turkey", "fighters", 2.0)
    # a value the drop-down never offered (sent by a prankster's script) is refused in one line
    draft = ann.locator(".game-draft").inner_text()
    ann.evaluate("""() => { const vm = document.querySelector('.game-option-stance .v-select')
                            .__vue__; vm.$emit('change', 'nuke'); vm.$emit('input', 'nuke'); }""")
    ann.locator(".game-error").get_by_text("That is not one of the choices.").wait_for()
    assert ann.locator(".game-draft").inner_text() == draft
    body = ann.locator("body").inner_text()
    assert "Traceback" not in body and "KeyError" not in body
    ann.locator(".game-submit").click()
    ann.locator(".game-submitted").wait_for()
    teacher.locator(".game-seat-lna").get_by_text("submitted").wait_for()
    bob.locator(".game-submit").click()
    for page in (ann, bob, teacher):
        page.locator(".game-date").get_by_text("after turn 1").wait_for()
    assert ann.locator(".game-date").inner_text() == bob.locator(".game-date").inner_text()
    assert "24 Jan 2020" in ann.locator(".game-date").inner_text()
    for page in (ann, bob):  # widgets update one by one: wait for the turn's events too (the
        # list before the turn already has day 0's, so wait for the truce of 12 January)
        page.locator(".game-events").get_by_text(re.compile(r"^12 Jan: The truce")).first \
            .wait_for()
    assert ann.locator(".game-events").inner_text() == bob.locator(".game-events").inner_text()

    if os.environ.get("LIBYASIM_UPDATE_SCREENSHOT"):  # refresh the picture in docs/game.md
        ann.locator(".game-map-pending").wait_for(state="detached")
        ann.screenshot(path=str(ROOT / "docs" / "img" / "game.png"))

    # a reload keeps the seat
    ann.reload()
    ann.locator(".game-my-actor").get_by_text("LNA").wait_for()

    # someone else who knows the code cannot take a held seat or run the room
    eve = _open(browser, f"{game_url}?room={code}")
    eve.locator(".game-name input").fill("Eve")
    eve.get_by_role("button", name="Enter the room").click()
    eve.locator(".game-actor-lna").wait_for()
    assert eve.locator(".game-take-lna").count() == 0
    assert eve.locator(".game-take-turkey").count() == 0
    eve.locator(".game-actor-lna").get_by_role("button", name="Join with invite").click()
    eve.locator(".game-error").get_by_text("invite").wait_for()
    for name in ("Advance turn", "Pause", "Rewind one turn", "End game", "Create room"):
        assert eve.get_by_role("button", name=name).count() == 0
    assert eve.locator(".game-orders").count() == 0
    assert "Eve" not in teacher.locator(".game-seat-lna").inner_text()

    # turn 2: the teacher does not wait for Bob; the game reaches its end and the debrief
    ann.locator(".game-submit").click()
    ann.locator(".game-submitted").wait_for()
    teacher.get_by_role("button", name="Advance turn").click()
    for page in (teacher, ann, bob):
        page.locator(".game-debrief").wait_for()
    assert "7 Feb 2020" in bob.locator(".game-date").inner_text()
    teacher.locator(".game-timeline").wait_for()
    teacher.locator(".game-percentiles").get_by_text("percentile").first.wait_for(
        timeout=90_000)
    teacher.locator(".game-distributions").wait_for()
    teacher.screenshot(path=str(tmp_path / "debrief.png"), full_page=True)

    with ann.expect_download() as info:
        ann.get_by_role("button", name="Download the whole game (JSON)").click()
    path = tmp_path / "game.json"
    info.value.save_as(path)
    data = json.loads(path.read_text())
    assert [sorted(t["orders"]) for t in data["turns"]] == [["lna", "turkey"], ["lna"]]
    assert data["turns"][0]["orders"]["turkey"]["fighters"] == 2.0
    assert data["turns"][0]["orders"]["lna"]["stance"] == "limited"
    assert len(data["series"]["rows"]) == 29
    done = subprocess.run([sys.executable, "-m", "libyasim.cli", "replay", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "identical" in done.stdout


def _websocket_status(port: int, cookie: str, origin: str) -> int:
    """The HTTP status the server answers a websocket upgrade with (101: accepted)."""
    request = (f"GET /jupyter/api/kernels/k1/channels?session_id=p1 HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
               f"Origin: {origin}\r\nCookie: solara-session-id={cookie}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        return int(sock.recv(200).split()[1])


def test_the_class_goes_on_after_the_server_is_killed_mid_turn(browser, tmp_path: Path) -> None:
    port = free_port()
    args, log = _game_args(tmp_path, port), tmp_path / "server.log"
    server = start_server(args, port, log, poll=0.3)
    try:
        url = f"http://127.0.0.1:{port}/"
        teacher = _open(browser, url)
        csp_problems: list[str] = []
        teacher.on("console", lambda m: csp_problems.append(m.text)
                   if "Content Security Policy" in m.text else None)
        teacher.get_by_role("button", name="Create room").click()
        code = re.search(r"Room code: (\w+)",
                         teacher.locator(".game-code").inner_text()).group(1)
        ann, bob = _open(browser, f"{url}?room={code}"), _open(browser, f"{url}?room={code}")
        _enter(ann, "Ann", "lna")
        _enter(bob, "Bob", "turkey")
        _choose(ann, "lna", "stance", "limited")
        ann.locator(".game-submit").click()
        ann.locator(".game-submitted").wait_for()
        _choose(bob, "turkey", "fighters", 2.0)  # Bob's team has a draft, not submitted
        teacher.locator(".game-seat-lna").get_by_text("submitted").wait_for()
        assert csp_problems == []

        # the session cookie is the server's own, HttpOnly, and another page's websocket
        # carrying it is refused
        cookie = next(c for c in teacher.context.cookies() if c["name"] == "solara-session-id")
        assert cookie["httpOnly"]
        other_origin = f"http://127.0.0.1:{free_port()}"
        assert _websocket_status(port, cookie["value"], other_origin) == 403
        assert _websocket_status(port, "chosen-by-me", url.rstrip("/")) == 403

        server.send_signal(signal.SIGKILL)  # mid-turn: the LNA submitted, Turkey has not
        server.wait(timeout=30)
        server = start_server(args, port, log, poll=0.3)
        assert "1 saved rooms brought back" in log.read_text()

        for page in (teacher, ann, bob):
            page.reload()
        teacher.locator(".game-code").get_by_text(code).wait_for()  # still the teacher
        teacher.locator(".game-seat-lna").get_by_text("submitted").wait_for()
        ann.locator(".game-submitted").wait_for()
        bob.locator(".game-draft").get_by_text("fighters \u00d72").wait_for()
        bob.locator(".game-submit").click()
        for page in (teacher, ann, bob):
            page.locator(".game-date").get_by_text("after turn 1").wait_for()
        assert "24 Jan 2020" in bob.locator(".game-date").inner_text()
        assert "Traceback" not in log.read_text()
    finally:
        stop(server)
