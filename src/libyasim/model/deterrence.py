"""Red lines and deterrence: a backer intervenes directly when its client's core is attacked
(its air force and troops multiply the defenders' strength there), and attackers who expect
it (`deterrence.credibility`) seldom attack such places, which can freeze a front."""

from __future__ import annotations

from libyasim.model.agents import Backer, Faction
from libyasim.model.config import Config
from libyasim.model.state import State


def assess(s: State, cfg: Config, backers: list[Backer]) -> None:
    """Expected shield of each place (what an attacker reckons with), and warnings when an
    enemy first stands at a red line."""
    d = cfg.deterrence
    if not d.red_lines or s.threat_version == s.owner_version:
        return
    s.threat_version = s.owner_version
    expected = 1.0 + d.strength * d.credibility
    s.threat = [1.0] * cfg.map.n
    for line in d.red_lines:
        for place in line.places:
            if s.owner[place] != line.side:
                continue
            tested = (line.backer, place) in s.intervening
            s.threat[place] = 1.0 + d.strength if tested else expected
            exposed = any(place in (g, lp) and g != lp for g, lp in s.pairs)
            key = (line.backer, -1 - place)
            if exposed and key not in s.intervening:
                s.intervening.add(key)
                s.log("red_line", f"{backers[line.backer].key.capitalize()} warns that it will "
                      f"intervene directly if {cfg.map.names[place]} is attacked.",
                      backers[line.backer].key, cfg.map.keys[place])


def intervene(s: State, cfg: Config, factions: list[Faction], backers: list[Backer]) -> None:
    """Where an offensive hits a red-line place, the backer intervenes today."""
    d = cfg.deterrence
    if not d.red_lines:
        return
    s.shield = [1.0] * cfg.map.n
    for f in factions:
        if f.stance != "offensive" or f.target < 0:
            continue
        place = f.target
        for line in d.red_lines:
            if place in line.places and s.owner[place] == line.side != f.side:
                s.shield[place] = 1.0 + d.strength
                s.threat[place] = 1.0 + d.strength  # a red line tested is a red line believed
                if (line.backer, place) not in s.intervening:
                    s.intervening.add((line.backer, place))
                    s.log("intervention", f"{backers[line.backer].key.capitalize()} intervenes "
                          f"directly to defend {cfg.map.names[place]}.",
                          backers[line.backer].key, cfg.map.keys[place])
