"""The compiled model is the same model as its plain-Python reading (one source, run under
`NUMBA_DISABLE_JIT=1`), and its compiled code is cached where a user can write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from libyasim.model import simulate
from libyasim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
ORDERS = {0: {"turkey": {"drones": 2.0}}, 20: {"lna": {"stance": "offensive"}},
          40: {"berlin": {"propose_monitors": True, "press": "uae"}}}
# the LNA tests Turkey's red line at Tripoli, then attacks unaligned Bani Walid
RED_LINES = {0: {"lna": {"stance": "offensive", "target": "tripoli"}},
             30: {"lna": {"stance": "offensive", "target": "bani_walid"}}}
CASES = [("baseline.toml", 1, None), ("monitored_truce.toml", 2, None),
         ("no_truce.toml", 3, ORDERS), ("no_truce.toml", 4, RED_LINES),
         ("embargo_enforced.toml", 5, None),
         ("situation_2020-06-30.toml", 6, None)]  # a later start: truce broken, terminals
                                                    # closed, a red line declared on day 0
PLAIN = """
import json, sys
import numpy as np
from libyasim.model import simulate
from libyasim.scenario import load_scenario
out = []
for name, seed, orders in json.loads(sys.argv[1]):
    orders = {int(day): given for day, given in (orders or {}).items()}
    outcomes, series = simulate(load_scenario(sys.argv[2] + "/" + name).with_overrides(
        {"scenario.horizon_days": 150}), seed, orders)
    out.append([outcomes, series.tolist()])
print(json.dumps(out))
"""


def test_compiled_and_plain_python_runs_are_identical():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", PLAIN, json.dumps(CASES), str(SCENARIOS)],
                          env=env, capture_output=True, text=True, timeout=600, check=True)
    plain = json.loads(done.stdout)
    for (name, seed, orders), (outcomes, series) in zip(CASES, plain):
        scenario = load_scenario(SCENARIOS / name).with_overrides({"scenario.horizon_days": 150})
        compiled, compiled_series = simulate(scenario, seed, orders)
        assert json.loads(json.dumps(compiled)) == outcomes, name
        assert np.array_equal(np.array(series), compiled_series), name


def test_orders_given_by_day_match_stepping_day_by_day():
    """`simulate` runs the days between orders in one compiled call; stepping a day at a
    time with the same orders gives the same run."""
    from libyasim.model import LibyaModel

    scenario = load_scenario(SCENARIOS / "no_truce.toml").with_overrides(
        {"scenario.horizon_days": 60})
    outcomes, series = simulate(scenario, 5, ORDERS)
    model = LibyaModel(scenario, rng=5)
    for actor, given in ORDERS[0].items():
        model.set_orders(actor, given)
    while model.running:
        for actor, given in ORDERS.get(model.steps + 1, {}).items():
            model.set_orders(actor, given)
        model.step()
    assert model.outcomes() == outcomes
    assert np.array_equal(model.series, series)


@pytest.mark.parametrize("writable", [True, False])
def test_the_cache_goes_to_a_user_folder_when_the_package_is_read_only(tmp_path, writable):
    from libyasim.model import jit

    package = tmp_path / "package"
    (package / "__pycache__").mkdir(parents=True)
    (package / "day.py").write_text("x = 1\n")
    if not writable:
        (package / "__pycache__").chmod(0o555)
    try:
        folder = jit.cache_folder(package, {"XDG_CACHE_HOME": str(tmp_path / "cache")})
    finally:
        (package / "__pycache__").chmod(0o755)
    if writable or os.access(package / "__pycache__", os.W_OK):  # root writes anywhere
        assert folder.parent == package / "__pycache__"
    else:
        assert folder.parent == tmp_path / "cache" / "libyasim"


def test_an_edited_model_gets_a_fresh_cache(tmp_path):
    """numba checks only the file of the function it loads: a change to any submodel must
    move the cache, or the old compiled day would run."""
    from libyasim.model import jit

    (tmp_path / "day.py").write_text("x = 1\n")
    (tmp_path / "truce.py").write_text("y = 1\n")
    before = jit.cache_folder(tmp_path, {})
    (tmp_path / "truce.py").write_text("y = 2\n")
    assert jit.cache_folder(tmp_path, {}) != before
    edited = jit.cache_folder(tmp_path, {})
    (tmp_path / "model.py").write_text("z = 1\n")  # no compiled function there
    assert jit.cache_folder(tmp_path, {}) == edited


def test_simulate_and_the_workers_start_without_mesa():
    """A worker imports `simulate` and the chunk writer only: no Mesa, no pandas (each costs
    a worker about a second to start)."""
    code = ("import sys, libyasim.worker; from libyasim.model import simulate; "
            "print(sorted(m for m in ('mesa', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, check=True)
    assert done.stdout.strip() == "[]"
