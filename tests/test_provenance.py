"""Provenance: every parameter the model reads has an entry, and the entries are well formed."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from libyasim.check import posterior_within_cutoff
from libyasim.cli import main
from libyasim.ensemble import run_ensemble
from libyasim.geography import PLACES, ROADS, SUPPLY_HUBS
from libyasim.model import LibyaModel
from libyasim.params import (ARTICLE_DATE, KINDS, PARAMS, TABLES, Param, RegistryError, calibrated,
                             load_registry, record)
from libyasim.scenario import Scenario, cutoff_problems, load_scenario, not_public_by

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
# the source article sits in ../shared beside the checkout (or beside the worktrees' folder)
ARTICLE = next((p for p in (ROOT.parent / "shared" / "article.txt",
                            ROOT.parents[1] / "shared" / "article.txt") if p.exists()),
               ROOT.parent / "shared" / "article.txt")
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


# Scenario settings the model does not read: the ensemble runner reads runs and seed;
# `libyasim check` reads the information cutoff and the hindsight flag.
NOT_READ_BY_THE_MODEL = {"scenario.runs", "scenario.seed", "scenario.information_cutoff",
                         "scenario.hindsight", "scenario.posterior"}


def test_every_settable_entry_is_read_by_the_model(model_reads):
    """The reverse: no registry entry that nothing uses (fixed map entries excepted)."""
    unused = sorted(name for name, p in PARAMS.items()
                    if not p.fixed and name not in NOT_READ_BY_THE_MODEL
                    and name not in model_reads)
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
    assert p.kind in KINDS == ("article", "public_record", "assumption", "calibrated")
    assert isinstance(p.source, str) and p.source.strip(), "empty source"
    assert isinstance(p.reason, str) and p.reason.strip(), "empty reason"
    assert isinstance(p.default, (bool, int, float, str, dt.date))
    if _numeric(p):
        assert p.low is None or p.default >= p.low, "default below its allowed range"
        assert p.high is None or p.default <= p.high, "default above its allowed range"
    if p.choices:
        assert p.default in p.choices
    assert p.known_on is None or type(p.known_on) is dt.date
    assert (p.quote is not None) == (p.kind == "article"), "a quote belongs to article entries"


def _numeric(p: Param) -> bool:
    return isinstance(p.default, (int, float)) and not isinstance(p.default, bool)


@pytest.mark.parametrize("name", sorted(n for n, p in PARAMS.items() if p.kind == "assumption"))
def test_assumption_has_an_honest_prior_and_no_date(name):
    p = PARAMS[name]
    assert p.known_on is None, "an assumption is a judgment, not information published on a date"
    assert "calibration" not in p.source.lower(), "say what the value means, not 'calibration'"
    if not _numeric(p):
        assert p.prior is None
        return
    assert p.prior is not None, "a numeric assumption needs a prior range"
    low, high = p.prior
    assert math.isfinite(low) and math.isfinite(high) and low < high
    assert low <= p.default <= high, "the prior range does not contain the default"
    assert p.low is None or low >= p.low, "prior below the allowed range"
    assert p.high is None or high <= p.high, "prior above the allowed range"


@pytest.mark.parametrize("name", sorted(n for n, p in PARAMS.items() if p.kind != "assumption"))
def test_public_information_has_its_date(name):
    p = PARAMS[name]
    assert p.known_on is not None, "article, public_record and calibrated values have a date"
    if p.kind == "article":
        assert p.known_on == ARTICLE_DATE
        assert p.source == "news article, about 10 January 2020"
    if p.kind == "public_record":  # names the document with its date, and the figure
        assert str(p.known_on.year) in p.source, "the source does not date the document"
        assert ":" in p.source and len(p.source.split(":", 1)[1].strip()) >= 20, \
            "the source should say what the document gives, after a colon"
        assert p.prior is None
    if p.kind == "calibrated":  # names the observations and the information cutoff
        assert p.source.startswith("fitted to ")
        assert p.known_on.isoformat() in p.source
        assert p.prior is not None and p.prior[0] <= p.default <= p.prior[1]


_LATER = re.compile(r"\b(?:(?:February|March|April|May|June|July|August|September|October|"
                    r"November|December) 2020|202[1-9])\b")


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_sources_cite_nothing_published_after_day_0(name):
    """Later events may be told in a reason (openly), but a value's source is day-0 knowledge."""
    p = PARAMS[name]
    if p.known_on is None or p.known_on <= ARTICLE_DATE:
        assert not _LATER.search(p.source), f"{name} cites later information: {p.source}"


ARTICLE_ENTRIES = sorted(n for n, p in PARAMS.items() if p.kind == "article")
# words by which a quote states a holder
HOLDER_WORDS = {"gna": ("Government of National Accord",),
                "lna": ("Libyan National Army", "Haftar")}


def test_there_are_article_entries():
    assert len(ARTICLE_ENTRIES) >= 5


@pytest.mark.skipif(not ARTICLE.exists(), reason="../shared/article.txt is not there")
@pytest.mark.parametrize("name", ARTICLE_ENTRIES)
def test_article_quote_occurs_in_the_article(name):
    article = ARTICLE.read_text(encoding="utf-8")
    quote = PARAMS[name].quote or ""
    assert len(quote) >= 5, f"quote too short to mean anything: {quote!r}"
    assert quote in article, f"{name}: {quote!r} is not an exact part of the article"
    assert len(quote) <= 160, "quote a short phrase, not a passage"


@pytest.mark.parametrize("name", ARTICLE_ENTRIES)
def test_article_quote_states_the_value(name):
    p = PARAMS[name]
    quote = p.quote or ""
    if isinstance(p.default, dt.date):
        month = p.default.strftime("%B")
        assert re.search(rf"{month} {p.default.day}\b|\b{p.default.day} {month}", quote), \
            f"{name}: the quote does not give {p.default.isoformat()}"
    elif p.choices:
        assert any(word in quote for word in HOLDER_WORDS[p.default]), \
            f"{name}: the quote does not name {p.default}"
    else:
        assert p.default is True, "an article quote states that something is the case"


def test_a_prior_spanning_an_order_of_magnitude_is_uniform_in_its_logarithm():
    """A range that spans a factor of ten or more above a positive lower bound was written as
    a spread by factors around its judgment, so it is drawn uniformly in its logarithm (on
    each side of the judgment, its median; uniform, most draws would lie far above it); a
    range from 0, or a narrower one, is drawn uniformly on each side."""
    from libyasim.draws import from_prior

    drawn = from_prior().names
    assert len(drawn) > 150
    wide = []
    for name in drawn:
        p = PARAMS[name]
        low, high = p.prior
        assert p.log_prior == (low > 0 and high / low >= 10), name
        if p.log_prior:
            wide.append(name)
            assert low <= p.default <= high, name
    assert {"arms.turkey.volume", "economy.blockade_rate", "mediation.settlement_rate",
            "combat.lethality"} <= set(wide)
    assert not PARAMS["arms.embargo_enforcement"].log_prior  # from 0: uniform


def test_judged_values_are_not_labelled_as_stated():
    """Values the issue names as judgments (leverage, ties, command and control, volumes)."""
    judged = ["mediation.russia_turkey.leverage", "mediation.berlin.leverage",
              "forces.wag.command_control", "arms.russia.volume", "arms.turkey.volume",
              *[n for n in PARAMS if ".tie." in n]]
    assert {PARAMS[n].kind for n in judged} == {"assumption"}


# ------------------------------------------------------------------ `libyasim params`
JSON_KEYS = {"name", "value", "kind", "source", "reason", "low", "high", "log_prior", "known_on",
             "informed_by", "quote"}


def _params_json(capsys, *args: str) -> list[dict]:
    code = main(["params", *args, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_params_json_lists_every_entry_with_its_provenance(capsys):
    rows = _params_json(capsys, str(SCENARIOS / "baseline.toml"))
    assert isinstance(rows, list)
    assert [r["name"] for r in rows if isinstance(r, dict)] == list(PARAMS)
    for row in rows:
        assert set(row) == JSON_KEYS
        p = PARAMS[row["name"]]
        assert (row["kind"], row["source"], row["reason"], row["quote"]) == (
            p.kind, p.source, p.reason, p.quote)
        assert row["known_on"] == (p.known_on.isoformat() if p.known_on else None)
        assert row["informed_by"] == (p.informed_by.isoformat() if p.informed_by else None)
        assert row["log_prior"] == p.log_prior
        if p.kind in ("assumption", "calibrated") and _numeric(p):  # the prior range
            assert (row["low"], row["high"]) == p.prior
            assert row["low"] <= row["value"] <= row["high"]
        elif p.kind not in ("assumption", "calibrated"):  # the allowed range
            assert (row["low"], row["high"]) == (p.low, p.high)


def test_params_json_without_a_scenario_gives_the_defaults(capsys):
    rows = {r["name"]: r["value"] for r in _params_json(capsys)}
    assert rows["truce.start"] == "2020-01-12"
    assert rows["arms.turkey.volume"] == PARAMS["arms.turkey.volume"].default


def test_params_json_shows_the_scenario_values(capsys):
    rows = {r["name"]: r["value"] for r in _params_json(capsys, str(SCENARIOS /
                                                                    "embargo_enforced.toml"))}
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
    # a prior drawn uniformly in its logarithm says so beside its range
    assert re.search(r"arms\.turkey\.volume\s+1000\s+200 to 5000 \(log\)", out)
    assert re.search(r"arms\.embargo_enforcement\s+0\.05\s+0 to 0\.3\s", out)


def test_known_by_lists_the_values_not_yet_public(capsys):
    rows = _params_json(capsys, str(SCENARIOS / "baseline.toml"), "--known-by", "2019-12-01")
    expected = [n for n, p in PARAMS.items()
                if p.information_date and p.information_date > dt.date(2019, 12, 1)]
    assert [r["name"] for r in rows] == expected
    assert "truce.start" in expected and "arms.uae.enabled" in expected  # article; 9 Dec 2019
    assert "arms.russia.enabled" not in expected  # published 5 November 2019
    assert "mediation.berlin.leverage" in expected  # a judgment informed by the article
    assert "truce.forgiveness" not in expected  # informed by Nowak & Sigmund (1992)
    assert all(max(d for d in (r["known_on"], r["informed_by"]) if d) > "2019-12-01"
               for r in rows)


def test_known_by_leaves_out_values_the_scenario_does_not_use(capsys):
    rows = _params_json(capsys, str(SCENARIOS / "no_truce.toml"), "--known-by", "2019-12-01")
    names = {r["name"] for r in rows}
    assert "truce.start" not in names and "truce.enabled" not in names  # switched off
    assert "arms.turkey.start" in names


def test_known_by_its_cutoff_lists_nothing_for_the_baseline(capsys):
    assert _params_json(capsys, str(SCENARIOS / "baseline.toml"), "--known-by",
                        "2020-01-10") == []
    assert main(["params", str(SCENARIOS / "baseline.toml"), "--known-by", "2020-01-10"]) == 0
    assert "public by 2020-01-10" in capsys.readouterr().out


def test_known_by_table(capsys):
    assert main(["params", "--known-by", "2020-01-07"]) == 0
    out = capsys.readouterr().out
    assert "truce.start" in out and "place.sirte.holder" not in out  # 6 January 2020


def test_known_by_rejects_a_bad_date(capsys):
    with pytest.raises(SystemExit) as info:
        main(["params", "--known-by", "January"])
    assert info.value.code == 2
    assert "expected a date" in capsys.readouterr().err


# ------------------------------------------------------------------ the information cutoff
EXTENDS = f'[scenario]\nextends = "{(SCENARIOS / "baseline.toml").as_posix()}"\n'


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_scenarios_use_nothing_published_after_their_cutoff():
    for path in sorted(SCENARIOS.glob("*.toml")):
        scenario = load_scenario(path)
        assert not scenario["scenario.hindsight"] or path.stem != "baseline"
        assert cutoff_problems(scenario) == [], path.name
    baseline = load_scenario(SCENARIOS / "baseline.toml")  # a forecast from day 0
    assert baseline["scenario.information_cutoff"] == dt.date(2020, 1, 10)
    assert baseline["scenario.posterior"]  # fitted on the 2019 war, by the cutoff
    assert posterior_within_cutoff(baseline) == []
    assert not_public_by(baseline, baseline["scenario.start_date"]) == []


def test_check_fails_a_scenario_that_uses_later_information(tmp_path, capsys):
    path = _write(tmp_path, "early.toml", f"{EXTENDS}information_cutoff = 2020-01-01\n")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    expected = [n for n, p in PARAMS.items()
                if p.information_date and p.information_date > dt.date(2020, 1, 1)]
    # one line per value (the article's, Sirte, judgments), and one for the baseline's
    # posterior, fitted on what was public by 10 January 2020
    assert len(lines) == len(expected) + 1
    assert "scenario.posterior: fitted to information up to 2020-01-10" in lines[-1]
    for name, line in zip(expected, lines):
        assert line.startswith(f"error: {path}: {name}: ")
        assert PARAMS[name].information_date.isoformat() in line and "2020-01-01" in line
        assert "hindsight" in line


def test_hindsight_allows_later_information(tmp_path, capsys):
    path = _write(tmp_path, "hindcast.toml",
                  f"{EXTENDS}information_cutoff = 2020-01-01\nhindsight = true\n")
    assert main(["check", str(path)]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_value_set_in_the_file_replaces_the_later_information(tmp_path):
    path = _write(tmp_path, "own.toml", f"{EXTENDS}information_cutoff = 2020-01-08\n"
                  '[place.sirte]\nholder = "wag"\n')
    problems = cutoff_problems(load_scenario(path))
    assert problems and not any("place.sirte.holder" in line for line in problems)
    assert any("truce.start" in line for line in problems)


def test_the_cutoff_follows_day_0_unless_set(tmp_path):
    before = load_scenario(_write(tmp_path, "before.toml", "[scenario]\nstart_date = 2020-01-05\n"))
    assert before["scenario.information_cutoff"] == dt.date(2020, 1, 5)
    assert any("truce.start: known on 2020-01-10" in line for line in cutoff_problems(before))
    after = load_scenario(_write(tmp_path, "after.toml", "[scenario]\nstart_date = 2020-01-11\n"))
    assert after["scenario.information_cutoff"] == dt.date(2020, 1, 11)
    assert cutoff_problems(after) == []  # the defaults use nothing later than 10 January
    own = load_scenario(_write(tmp_path, "own.toml", "[scenario]\nstart_date = 2020-01-05\n"
                               "information_cutoff = 2020-03-31\n"))
    assert own["scenario.information_cutoff"] == dt.date(2020, 3, 31)
    assert cutoff_problems(own) == []


def test_a_later_record_used_by_the_baseline_fails_check(monkeypatch, capsys):
    """A public record published after day 0 counts when the baseline uses it ..."""
    later = record("arms.uae.enabled", True, "UN Panel of Experts on Libya, S/2021/229 "
                   "(8 March 2021): UAE cargo flights to the LNA", dt.date(2021, 3, 8),
                   "The UAE supplies the LNA.")
    monkeypatch.setitem(PARAMS, "arms.uae.enabled", later)
    assert main(["check", str(SCENARIOS / "baseline.toml")]) == 2
    err = capsys.readouterr().err
    assert "arms.uae.enabled: known on 2021-03-08" in err and "2020-01-10" in err
    # ... and not when the scenario switches the backer off
    assert main(["check", str(SCENARIOS / "no_foreign_arms.toml")]) == 0


def test_a_calibrated_value_names_its_observations_and_counts_from_its_cutoff(monkeypatch):
    fitted = calibrated("truce.base_logit", -1.7, "UNSMIL's counts of truce violations, "
                        "12-31 January 2020", dt.date(2020, 1, 31),
                        "Log-odds of a violation on a quiet day.", prior=(-4.0, 0.0),
                        low=-10, high=10)
    assert fitted.kind == "calibrated" and fitted.known_on == dt.date(2020, 1, 31)
    assert "UNSMIL" in fitted.source and "2020-01-31" in fitted.source
    monkeypatch.setitem(PARAMS, "truce.base_logit", fitted)
    test_public_information_has_its_date("truce.base_logit")
    baseline = load_scenario(SCENARIOS / "baseline.toml")  # resolves to the fitted default
    assert "truce.base_logit" in {p.name for p in not_public_by(baseline, dt.date(2020, 1, 30))}
    assert "truce.base_logit" not in {p.name for p in not_public_by(baseline,
                                                                     dt.date(2020, 1, 31))}
    early = baseline.with_overrides({"scenario.information_cutoff": dt.date(2020, 1, 30)})
    assert any("truce.base_logit: known on 2020-01-31" in line for line in cutoff_problems(early))


# ------------------------------------------------------------------ informed_by: dated judgments
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@pytest.mark.parametrize("name", sorted(n for n, p in PARAMS.items() if p.kind == "assumption"))
def test_an_assumption_that_cites_a_dated_fact_says_when(name):
    """informed_by is null only when the source cites no dated fact, and never precedes it."""
    p = PARAMS[name]
    years = [int(y) for y in YEAR.findall(p.source)] + [2020] * ("article" in p.source)
    if years:
        assert p.informed_by is not None, f"{name} cites a dated fact: set informed_by"
        assert p.informed_by.year >= max(years), f"{name}: informed_by precedes its source"
    assert p.informed_by is None or p.informed_by <= ARTICLE_DATE, \
        f"{name}: a judgment of the registry uses information from after day 0"


def test_params_json_dates_every_assumption_and_the_baseline_uses_nothing_later():
    """The command line, as a researcher runs it: every entry says what informed it, and no
    value the baseline uses was informed after its information cutoff."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "libyasim.cli", "params",
                           str(SCENARIOS / "baseline.toml"), "--format", "json"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    cutoff = next(r["value"] for r in rows if r["name"] == "scenario.information_cutoff")
    assert cutoff == "2020-01-10"
    assumptions = [r for r in rows if r["kind"] == "assumption"]
    assert len(assumptions) > 200 and all("informed_by" in r for r in assumptions)
    assert sum(r["informed_by"] is not None for r in assumptions) > 100
    for row in rows:
        default = PARAMS[row["name"]].default
        used = row["value"] == (default.isoformat() if isinstance(default, dt.date) else default)
        dates = [d for d in (row["known_on"], row["informed_by"]) if d]
        if used and dates:
            assert max(dates) <= cutoff, f"{row['name']} was informed after the cutoff"


def test_check_applies_the_cutoff_to_informed_by(monkeypatch, tmp_path, capsys):
    later = dataclasses.replace(PARAMS["mediation.stalemate_days"],
                                informed_by=dt.date(2020, 10, 23))
    monkeypatch.setitem(PARAMS, "mediation.stalemate_days", later)
    assert main(["check", str(SCENARIOS / "baseline.toml")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {SCENARIOS / 'baseline.toml'}: mediation.stalemate_days: ")
    assert "2020-10-23" in lines[0] and "cutoff 2020-01-10" in lines[0]
    own = _write(tmp_path, "own.toml", f"{EXTENDS}[mediation]\nstalemate_days = 45\n")
    assert main(["check", str(own)]) == 0  # a value of the scenario's own replaces it


def test_the_march_calibration_is_a_separate_scenario_with_its_hindsight_stated(tmp_path, capsys):
    march = SCENARIOS / "baseline_calibrated_march.toml"
    scenario = load_scenario(march)
    assert scenario["scenario.information_cutoff"] == dt.date(2020, 3, 31)
    assert scenario["scenario.posterior"].endswith("posterior/baseline")
    assert "hindsight" in scenario.description
    assert main(["check", str(march)]) == 0
    capsys.readouterr()
    early = _write(tmp_path, "early.toml", f'[scenario]\nextends = "{march.as_posix()}"\n'
                   "information_cutoff = 2020-01-10\n")
    assert main(["check", str(early)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and f"{early}: scenario.posterior: " in lines[0]
    assert "2020-03-31" in lines[0] and "2020-01-10" in lines[0]


# ------------------------------------------------------------------ the registry's tables
def test_every_entry_comes_from_its_sections_table():
    names = []
    for path in sorted(TABLES.glob("*.csv")):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert rows, f"{path.name} is empty"
        assert {r["name"].split(".")[0] for r in rows} == {path.stem}
        names += [r["name"] for r in rows]
    assert sorted(names) == sorted(PARAMS)
    assert load_registry(TABLES) == PARAMS


def _edit_table(folder: Path, section: str, changes: dict[str, dict[str, str]],
                extra: list[dict[str, str]] = ()) -> None:
    path = folder / f"{section}.csv"
    with path.open(encoding="utf-8") as file:
        reader = csv.DictReader(file)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        row.update(changes.get(row["name"], {}))
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, *extra])


def _broken_tables(folder: Path) -> list[tuple[str, str, str]]:
    """Plant five problems; return (table, name, column) of each, in reading order."""
    _edit_table(folder, "combat", {"combat.lethality": {"value": "lots"},
                                   "combat.killed_share": {"prior_low": "0.3"},
                                   "combat.noise_cv": {"kind": "guess"}})
    _edit_table(folder, "truce", {"truce.forgiveness": {"informed_by": "10/01/2020"}})
    stray = {**next(csv.DictReader((folder / "air.csv").open(encoding="utf-8")))}
    _edit_table(folder, "air", {}, [{**stray, "name": "combat.lethality"}])
    return [("truce", "truce.forgiveness", "informed_by"),
            ("combat", "combat.lethality", "value"),
            ("combat", "combat.killed_share", "value"),
            ("combat", "combat.noise_cv", "kind"),
            ("air", "combat.lethality", "name")]


def test_a_malformed_table_gives_one_clear_line_per_problem(tmp_path):
    folder = tmp_path / "params"
    shutil.copytree(TABLES, folder)
    planted = _broken_tables(folder)
    with pytest.raises(RegistryError) as info:
        load_registry(folder)
    problems = info.value.problems
    assert len(problems) == len(planted), "\n".join(problems)
    for line, (table, name, column) in zip(problems, planted):
        assert re.match(rf"{re.escape(str(folder / table))}\.csv: row \d+: {re.escape(name)}: "
                        rf"{column}: .*expected", line), line


def test_a_table_without_a_required_column_is_named(tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    (folder / "truce.csv").write_text("name,value,kind,source,reason\n", encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(folder)
    assert info.value.problems == [f"{folder / 'truce.csv'}: header: missing column 'type'; "
                                   "expected the columns " + ", ".join(
                                       __import__("libyasim.params").params.COLUMNS)]


def test_the_command_line_reports_a_broken_table_without_a_traceback(tmp_path):
    package = tmp_path / "src" / "libyasim"
    shutil.copytree(ROOT / "src" / "libyasim", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    planted = _broken_tables(package / "data" / "params")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    done = subprocess.run([sys.executable, "-m", "libyasim.cli", "params"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == len(planted)
    assert all(line.startswith(f"error: {package / 'data' / 'params'}") for line in lines)


def test_a_log_prior_needs_a_positive_low_end(tmp_path):
    """A prior uniform in the logarithm (`log_prior`) cannot start at 0: the registry says so
    in one line naming the table, the entry and the column."""
    folder = tmp_path / "params"
    shutil.copytree(TABLES, folder)
    _edit_table(folder, "economy", {"economy.blockade_rate": {"prior_low": "0"}})
    with pytest.raises(RegistryError) as info:
        load_registry(folder)
    [line] = info.value.problems
    assert "economy.blockade_rate: prior_low: got 0; expected more than 0 for a log_prior" in line
