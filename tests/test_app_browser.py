"""The classroom app in a real browser: `libyasim app` served on 127.0.0.1, driven by headless
Chromium (Debian's package; scripts/install-browser.sh installs it when it can) through
Playwright. The browser resolves no name but 127.0.0.1, so the page must work offline."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from libyasim.params import PARAMS
from serving import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, serving

TIMEOUT_MS = 60_000
MESA_CONTROLS = ("Play Interval", "Render Interval", "Use Threads", "Model Parameters", "Time:")

if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"the browser test needs Chromium at {CHROMIUM} (scripts/install-browser.sh "
                "installs it with root or sudo)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`libyasim app scenarios/baseline.toml` on a free port: its address and its log."""
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with serving(["app", str(ROOT / "scenarios/baseline.toml"), "--port", str(port)],
                 port, log) as url:
        yield url, log


@pytest.fixture()
def page(server: tuple[str, Path]):
    url, _ = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1500, "height": 1100})
            tab.set_default_timeout(TIMEOUT_MS)
            elsewhere: list[str] = []
            tab.on("request", lambda r: elsewhere.append(r.url)
                   if not r.url.startswith((url, "data:", "blob:")) else None)
            tab.goto(url, timeout=TIMEOUT_MS)
            yield tab
            assert elsewhere == [], "the page asked for files from elsewhere"
        finally:
            browser.close()


def _image_loaded(page, selector: str) -> bool:
    return page.locator(selector).evaluate("img => img.complete && img.naturalWidth > 100")


def _wait_image(page, selector: str) -> str:
    page.wait_for_function(f"document.querySelector('{selector}') !== null && "
                           f"document.querySelector('{selector}').naturalWidth > 100")
    return page.locator(selector).get_attribute("src")


def test_app_renders_offline_steps_plays_and_applies_switches(page, server) -> None:
    status = page.locator(".libyasim-status")
    status.get_by_text("10 January 2020 (day 0 of 365)").wait_for()
    status.get_by_text("Truce: not yet in force").wait_for()
    map_img, charts_img = ".libyasim-situation img", ".libyasim-charts img"
    first_map, first_charts = _wait_image(page, map_img), _wait_image(page, charts_img)
    assert page.get_by_text("Scenario: baseline").is_visible()
    for name in ("Reset", "Step one day", "Play", "Run 30 days", "Run to the end"):
        assert page.get_by_role("button", name=name).is_visible()
    body = page.locator("body").inner_text()
    for generic in MESA_CONTROLS:
        assert generic not in body
    # hovering a switch shows where its default comes from
    monitors = page.get_by_label("Ceasefire monitors on the ground")
    monitors_label = page.get_by_text("Ceasefire monitors on the ground")
    monitors_label.hover()
    page.get_by_text(PARAMS["truce.monitoring"].source, exact=False).first.wait_for()

    # a bad seed gets a whole, readable sentence; a switch changed waits for Reset
    seed = page.get_by_label("Random seed (same seed, same run)")
    seed.fill("twelve")
    seed.press("Enter")
    error = page.locator(".libyasim-seed-error")
    error.get_by_text("The seed must be a whole number", exact=False).wait_for()
    assert error.inner_text().rstrip().endswith("The last valid seed is kept.")
    assert error.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    seed.fill("7")
    seed.press("Enter")
    error.wait_for(state="detached")
    assert not monitors.is_checked()
    monitors_label.click()
    pending = page.locator(".libyasim-pending")
    pending.wait_for()
    page.get_by_role("button", name="Reset").click()
    pending.wait_for(state="detached")
    assert monitors.is_checked()

    page.get_by_role("button", name="Step one day").click()
    status.get_by_text("11 January 2020 (day 1 of 365)").wait_for()
    page.wait_for_function(
        f"document.querySelector('{map_img}').getAttribute('src') !== {first_map!r}")
    page.wait_for_function(
        f"document.querySelector('{charts_img}').getAttribute('src') !== {first_charts!r}")
    assert _image_loaded(page, map_img) and _image_loaded(page, charts_img)

    # Play runs a week at a time until paused
    page.get_by_role("button", name="Play").click()
    status.get_by_text("(day 15 of 365)").wait_for()
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    sync_api.expect(page.get_by_role("button", name="Step one day")).to_be_enabled()
    if os.environ.get("LIBYASIM_UPDATE_SCREENSHOT"):  # refresh the picture in the docs
        page.mouse.move(0, 0)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ROOT / "docs" / "img" / "app.png"))

    # the whole horizon runs in the browser
    page.get_by_role("button", name="Run to the end").click()
    status.get_by_text("(day 365 of 365)").wait_for()
    sync_api.expect(page.get_by_role("button", name="Run to the end")).to_be_disabled()
    assert page.get_by_text("Outcome if it ended today:").is_visible()
    assert _image_loaded(page, charts_img)

    # no warning noise per page load in the server's terminal
    _, log = server
    assert "samesite" not in log.read_text().lower()
    assert "Traceback" not in log.read_text()
