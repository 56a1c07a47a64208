"""The app without a browser: its launcher, the seed check and the status it shows."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from libyasim import serve

ROOT = Path(__file__).resolve().parents[1]


def test_busy_port_gets_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.port_in_use("127.0.0.1", port)
        done = subprocess.run([sys.executable, "-m", "libyasim.cli", "app", "--port", str(port)],
                              check=False, capture_output=True, text=True, cwd=ROOT,
                              timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    expected = (f"libyasim app: port {port} on 127.0.0.1 is already in use; "
                "choose another with --port")
    assert lines == [expected]
    assert done.stdout == ""
    assert not serve.port_in_use("127.0.0.1", port)  # free again once closed


def test_web_files_come_with_the_install() -> None:
    """solara-assets and ipyvue < 3 (the [app] extra): nothing for the page to fetch."""
    assert serve.asset_problems() == []
    assert "samesite=none require https" in serve.COOKIE_WARNING_FILTER


def test_seed_must_be_a_whole_number() -> None:
    from libyasim.app import MAX_SEED, parse_seed

    assert parse_seed(" 42 ") == 42
    for bad in ("twelve", "-1", "1.5", "", str(MAX_SEED + 1), None, ["7"], 7.5):
        with pytest.raises(ValueError, match="whole number from 0 to"):
            parse_seed(bad)


def test_status_names_the_date_and_the_truce() -> None:
    from libyasim.app import Settings, base_scenario, build_model, run_days, status_html

    base = base_scenario()
    settings = Settings.from_scenario(base)
    model = build_model(base, settings)
    text = status_html(model, settings)
    assert "10 January 2020 (day 0 of 365)" in text
    assert "Truce: not yet in force (called for 12 January 2020)" in text
    assert "<b>Tripoli:</b> held by the GNA side" in text
    run_days(model, 3)
    assert "13 January 2020 (day 3 of 365)" in status_html(model, settings)
    run_days(model)
    assert model.steps == model.horizon and not model.running
    run_days(model, 5)  # nothing past the horizon
    assert model.steps == model.horizon
