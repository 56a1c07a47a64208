"""What a core install (no extras) must do, as the command-line user sees it: check, run,
compare, report; and commands that need an extra say which one. `make test-min` runs this
file in a fresh environment with the lowest versions pyproject.toml allows."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def libyasim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line of the libyasim this test imports, run in `cwd`."""
    import libyasim as package

    source = str(Path(package.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [source, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "libyasim.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_version(tmp_path):
    import libyasim as package

    done = libyasim("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"libyasim {package.__version__}"


def test_check_run_compare_and_report(tmp_path):
    scenario = tmp_path / "short.toml"
    scenario.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                        'name = "short"\nhorizon_days = 30\n')
    late = tmp_path / "late.toml"
    late.write_text(f'[scenario]\nextends = "{scenario}"\nname = "late"\n'
                    "[truce]\nstart = 2020-02-01\n")
    assert libyasim("check", str(scenario), str(late), cwd=tmp_path).returncode == 0
    done = libyasim("run", str(scenario), "--runs", "3", "--workers", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "results" / "short" / "plots" / "truce_survival.png").is_file()
    done = libyasim("compare", str(scenario), str(late), "--runs", "3", "--out", "cmp",
                    "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "truce length, Kaplan-Meier median (days from its start)" in done.stdout
    done = libyasim("report", "cmp", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "libyasim compare" in (tmp_path / "cmp" / "report.html").read_text()


@pytest.mark.skipif(importlib.util.find_spec("solara") is not None,
                    reason="the [app] extra is installed")
def test_app_without_its_extra_names_it(tmp_path):
    done = libyasim("app", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "pip install 'libyasim[app]'" in done.stderr


def test_package_version_matches_pyproject():
    """`--version`, manifests and the installed metadata all report the pyproject version."""
    import tomllib

    import libyasim as package

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert package.__version__ == pyproject["project"]["version"]
