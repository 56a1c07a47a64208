"""Fixtures shared by several test files."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def short(tmp_path_factory) -> Path:
    """The baseline cut to 20 days, so that tests run many runs quickly."""
    path = tmp_path_factory.mktemp("scen") / "short.toml"
    path.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                    "horizon_days = 20\n")
    return path
