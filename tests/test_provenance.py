"""Provenance: every parameter the model reads has an entry, and the entries are well formed."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from libyasim.cli import main
from libyasim.ensemble import run_ensemble
from libyasim.geography import PLACES, ROADS, SUPPLY_HUBS
from libyasim.model import LibyaModel
from libyasim.params import KINDS, PARAMS
from libyasim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
ARTICLE = ROOT.parent / "shared" / "article.txt"
# Scenarios whose switches send the model down different branches (truce collapse and
# re-declaration, talks and settlement, no arms, monitoring), so that together they read
# every parameter at least once.
COVERAGE_SCENARIOS = ("baseline", "no_truce", "no_mediation", "no_foreign_arms",
                      "monitored_truce")


class RecordingDict(dict):
    """A parameter mapping that remembers which names were read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads: set[str] = set()

    def __getitem__(self, key):
        self.reads.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.reads.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.reads.add(key)
        return super().__contains__(key)


def _recording(scenario: Scenario, **changes) -> Scenario:
    """The same scenario with its values in a RecordingDict (the model uses it as is)."""
    values = RecordingDict({**scenario.values, **changes})
    return Scenario(scenario.name, scenario.description, scenario.path, scenario.overrides,
                    values)


@pytest.fixture(scope="module")
def model_reads() -> set[str]:
    """Every parameter name the model reads over full runs of several scenarios."""
    reads: set[str] = set()
    for name in COVERAGE_SCENARIOS:
        base = load_scenario(SCENARIOS / f"{name}.toml")
        for seed in (1, 2):
            scenario = _recording(base)
            model = LibyaModel(scenario, rng=seed)
            assert model.params is scenario.values, "the model copied its parameters"
            while model.running:
                model.step()
            model.outcomes()
            reads |= scenario.values.reads
    return reads


def test_every_parameter_the_model_reads_has_an_entry(model_reads):
    assert model_reads, "nothing recorded: the model no longer reads its params mapping"
    missing = sorted(model_reads - set(PARAMS))
    assert not missing, f"read by the model but not in the registry: {missing}"


def test_ensemble_reads_runs_and_seed_from_the_registry(tmp_path):
    base = load_scenario(SCENARIOS / "baseline.toml")
    scenario = _recording(base, **{"scenario.runs": 2, "scenario.horizon_days": 10})
    run_ensemble(scenario, tmp_path / "out", workers=1, chunk_size=2, progress=False)
    assert {"scenario.runs", "scenario.seed"} <= scenario.values.reads
    assert not scenario.values.reads - set(PARAMS)


def test_every_settable_entry_is_read_by_the_model(model_reads):
    """The reverse: no registry entry that nothing uses (fixed map entries excepted)."""
    ensemble_only = {"scenario.runs", "scenario.seed"}  # read by the ensemble runner
    unused = sorted(name for name, p in PARAMS.items()
                    if not p.fixed and name not in ensemble_only and name not in model_reads)
    assert not unused, f"registry entries never read by the model: {unused}"


def test_fixed_entries_match_the_map_the_model_uses():
    by_key = {p.key: p for p in PLACES}
    fixed = {name for name, p in PARAMS.items() if p.fixed}
    assert fixed, "expected the map's coordinates and roads as fixed entries"
    for name in fixed:
        parts = name.split(".")
        if parts[0] == "place":
            assert PARAMS[name].default == getattr(by_key[parts[1]], parts[2]), name
        elif name == "map.roads":
            assert PARAMS[name].default == ", ".join(f"{a}-{b}" for a, b in ROADS)
        elif name == "map.supply_hubs":
            for side, hubs in SUPPLY_HUBS.items():
                assert f"{side}: {', '.join(hubs)}" in PARAMS[name].default
        else:
            pytest.fail(f"unexpected fixed entry {name}")


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_entry_is_complete(name):
    p = PARAMS[name]
    assert p.name == name
    assert p.kind in ("article", "public_record", "assumption")
    assert p.kind in KINDS
    assert isinstance(p.source, str) and p.source.strip(), "empty source"
    assert isinstance(p.reason, str) and p.reason.strip(), "empty reason"
    assert isinstance(p.default, (bool, int, float, str, dt.date))
    if isinstance(p.default, (int, float)) and not isinstance(p.default, bool):
        assert p.low is None or p.default >= p.low, "default below its range"
        assert p.high is None or p.default <= p.high, "default above its range"
    if p.choices:
        assert p.default in p.choices


def _fold(text: str) -> str:
    """Fold white space; curly quotes and apostrophes to straight ones."""
    text = (text.replace("\u2019", "'").replace("\u2018", "'")
            .replace("\u201c", '"').replace("\u201d", '"'))
    return re.sub(r"\s+", " ", text).strip()


ARTICLE_ENTRIES = sorted(n for n, p in PARAMS.items() if p.kind == "article")


def test_there_are_article_entries():
    assert len(ARTICLE_ENTRIES) >= 5


@pytest.mark.skipif(not ARTICLE.exists(), reason="../shared/article.txt is not there")
@pytest.mark.parametrize("name", ARTICLE_ENTRIES)
def test_article_quote_occurs_in_the_article(name):
    article = _fold(ARTICLE.read_text(encoding="utf-8"))
    quote = _fold(PARAMS[name].source)
    assert len(quote) >= 5, f"quote too short to mean anything: {quote!r}"
    assert quote in article, f"{name}: {quote!r} is not in the article"


# ------------------------------------------------------------------ `libyasim params`
def _params_json(capsys, path: Path) -> list[dict]:
    code = main(["params", str(path), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_params_json_lists_every_entry_with_exactly_the_five_keys(capsys):
    rows = _params_json(capsys, SCENARIOS / "baseline.toml")
    assert isinstance(rows, list)
    assert [r["name"] for r in rows if isinstance(r, dict)] == list(PARAMS)
    for row in rows:
        assert set(row) == {"name", "value", "kind", "source", "reason"}
        p = PARAMS[row["name"]]
        assert (row["kind"], row["source"], row["reason"]) == (p.kind, p.source, p.reason)


def test_params_json_shows_the_scenario_values(capsys):
    rows = {r["name"]: r["value"] for r in _params_json(capsys, SCENARIOS /
                                                         "embargo_enforced.toml")}
    variant = load_scenario(SCENARIOS / "embargo_enforced.toml")
    assert rows["arms.embargo_enforcement"] == variant["arms.embargo_enforcement"]
    assert rows["arms.embargo_enforcement"] != PARAMS["arms.embargo_enforcement"].default
    assert rows["truce.start"] == variant["truce.start"].isoformat()


def test_params_table_names_every_entry(capsys):
    assert main(["params", str(SCENARIOS / "no_truce.toml")]) == 0
    out = capsys.readouterr().out
    for name in PARAMS:
        assert name in out
    assert re.search(r"truce\.enabled \*", out), "settings of the file are not marked"
