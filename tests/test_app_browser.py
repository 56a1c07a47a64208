"""The classroom app in a real browser: `libyasim app` served on 127.0.0.1, driven by headless
Chromium (Debian's package, installed by scripts/install-browser.sh) through Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from libyasim.params import PARAMS

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `libyasim app scenarios/baseline.toml` on a free port; stop it afterwards."""
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "libyasim.cli", "app", str(ROOT / "scenarios/baseline.toml"),
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"the app server exited ({server.returncode}):\n{log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the app server did not listen on {port}:\n{log.read_text()}")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture()
def page(app_url: str):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1500, "height": 1100})
            tab.set_default_timeout(TIMEOUT_MS)
            tab.goto(app_url, timeout=TIMEOUT_MS)
            yield tab
        finally:
            browser.close()


def _image_loaded(page, selector: str) -> bool:
    return page.locator(selector).evaluate("img => img.complete && img.naturalWidth > 100")


def test_app_renders_steps_and_applies_switches(page, tmp_path: Path) -> None:
    status = page.locator(".libyasim-status")
    status.get_by_text("Day 0 of 365").wait_for()
    status.get_by_text("Truce: not yet in force").wait_for()
    page.wait_for_function("document.querySelectorAll('.libyasim-situation img').length === 1")
    page.wait_for_function("document.querySelectorAll('.libyasim-charts img').length === 1")
    map_img, charts_img = ".libyasim-situation img", ".libyasim-charts img"
    page.wait_for_function(f"document.querySelector('{map_img}').naturalWidth > 100")
    page.wait_for_function(f"document.querySelector('{charts_img}').naturalWidth > 100")
    assert page.get_by_text("Scenario: baseline").is_visible()
    first_map = page.locator(map_img).get_attribute("src")
    first_charts = page.locator(charts_img).get_attribute("src")

    # hovering a switch shows where its default comes from
    monitors = page.get_by_label("Ceasefire monitors on the ground")
    monitors.hover()
    source = PARAMS["truce.monitoring"].source
    page.get_by_text(source, exact=False).first.wait_for()

    # a switch changed waits for Reset, then applies
    assert not monitors.is_checked()
    monitors.check()
    pending = page.locator(".libyasim-pending")
    pending.wait_for()
    page.get_by_role("button", name="Reset").click()
    pending.wait_for(state="detached")
    assert monitors.is_checked()

    page.get_by_role("button", name="Step").click()
    status.get_by_text("Day 1 of 365").wait_for()
    page.wait_for_function(
        f"document.querySelector('{map_img}').getAttribute('src') !== {first_map!r}")
    page.wait_for_function(
        f"document.querySelector('{charts_img}').getAttribute('src') !== {first_charts!r}")
    assert _image_loaded(page, map_img) and _image_loaded(page, charts_img)
    page.screenshot(path=str(tmp_path / "app-day1.png"), full_page=True)

    # the whole horizon runs in the browser
    page.get_by_role("button", name="Run to the end").click()
    status.get_by_text("Day 365 of 365").wait_for()
    assert page.get_by_role("button", name="Run to the end").is_disabled()
    assert page.get_by_text("Outcome if it ended today:").is_visible()
    page.wait_for_function(f"document.querySelector('{charts_img}').naturalWidth > 100")
    page.screenshot(path=str(tmp_path / "app-end.png"), full_page=True)
    if os.environ.get("LIBYASIM_UPDATE_SCREENSHOT"):  # refresh the picture in the docs
        page.screenshot(path=str(ROOT / "docs" / "img" / "app.png"))
