"""The truce: its nominal life (declared until formally ended or superseded) and its
effective life (until fighting resumes at war intensity); violations as monitors count them;
attribution of violations by monitors, which needs the watched side's consent."""

from __future__ import annotations

from libyasim.model.agents import Faction, Mediator
from libyasim.model.config import GNA, LNA, Config
from libyasim.model.state import FACTIONS_OF, State, Truce

SIDE_WORDS = {"gna": "The GNA", "wag": "The western armed groups", "lna": "The LNA"}


def open_day(s: State, cfg: Config, mediators: list[Mediator], factions: list[Faction]) -> None:
    """The calendar (the truce's start) and the monitors' presence and attribution."""
    t = cfg.truce
    if s.truce == Truce.NONE and s.first_start is None and t.start_day is not None \
            and s.day >= t.start_day:
        declare(s, "The truce called by Russia and Turkey comes into force.")
    proposed = any(m.orders.get("propose_monitors", t.monitoring) for m in mediators)
    nominal = s.truce in (Truce.HOLDING, Truce.BROKEN)
    was = s.monitors
    s.monitors = (proposed and nominal and s.truce_started is not None
                  and s.day >= s.truce_started + _deploy_days(cfg))
    if s.monitors and not was:
        s.log("monitors", "Ceasefire monitors begin to verify and attribute violations.",
              "berlin")
    for f in factions:
        watched = s.monitors and f.consents
        s.attribution[f.index] = t.attribution_monitored if watched else t.attribution_unmonitored


def _deploy_days(cfg: Config) -> int:
    t = cfg.truce
    return 0 if t.monitor_day is None or t.start_day is None else t.monitor_day - t.start_day


def declare(s: State, text: str) -> None:
    """A (new) truce comes into force; it supersedes any earlier one."""
    if s.first_start is not None and s.first_end is None:
        s.first_end = s.day
    s.truce = Truce.HOLDING
    s.truce_started = s.day
    s.broken_since = None
    s.truce_count += 1
    if s.first_start is None:
        s.first_start = s.day
    s.log("truce", text)


def attribute(s: State, cfg: Config, factions: list[Faction]) -> None:
    """Monitors attribute violations; while the truce holds, each faction then remembers what it
    perceives the other side's leadership did (once the truce is broken, the sides are at war
    as they would be without one). Without attribution, violations by units outside the other
    leadership's control and incidents of unclear origin are answered as if that leadership
    had ordered them; attribution lowers such retaliation against the wrong target."""
    if s.truce not in (Truce.HOLDING, Truce.BROKEN):
        return
    t = cfg.truce
    by_side = [0, 0]
    answered = [0.0, 0.0]  # violations by each side that the other side answers
    for f in factions:
        n = s.violations[f.index]
        if not n:
            continue
        a = s.attribution[f.index]
        s.attributed[f.index] = attributed = s.dice.truce.count(n * a)
        by_side[f.side] += n
        rogue_known = s.rogue[f.index] * attributed / n  # attributed rogue acts
        answered[f.side] += n - rogue_known
    unclear = s.dice.truce.poisson(t.unclear_incidents)
    clear = t.attribution_monitored if s.monitors else t.attribution_unmonitored
    misread = unclear * (1.0 - clear)
    if s.truce == Truce.HOLDING:  # at war, with or without a paper truce, nothing is answered
        for f in factions:
            f.remember(answered[1 - f.side] + misread)
    total = by_side[0] + by_side[1]
    if total and s.monitors:
        blamed = [sum([s.attributed[i] for i in FACTIONS_OF[side]]) for side in (GNA, LNA)]
        s.log("violations", f"{total} violations reported; monitors attribute {blamed[0]} to the "
              f"GNA side and {blamed[1]} to the LNA.")
    elif total:
        s.log("violations", f"{total} violations reported; each side blames the other.")


def update(s: State, cfg: Config, factions: list[Faction]) -> None:
    """End of the effective life (war intensity); formal end, declared by a side on the
    offensive once the truce has been broken for a while, unless talks keep it alive; or a new
    truce."""
    t = cfg.truce
    if s.truce == Truce.HOLDING and s.intensity >= t.war_intensity:
        s.truce = Truce.BROKEN
        s.broken_since = s.day
        if s.first_collapse is None and s.truce_count == 1:
            s.first_collapse = s.day
        s.log("truce_broken", "Fighting resumes at full intensity; the truce exists only on paper.")
    elif s.truce == Truce.BROKEN and s.talks_day is None and s.broken_since is not None \
            and s.day - s.broken_since >= t.declare_over_days:
        for f in factions:
            if f.stance == "offensive" and f.propensity > t.declare_over_probability:
                s.truce = Truce.NONE
                if s.first_end is None:
                    s.first_end = s.day
                s.log("truce_over", f"{SIDE_WORDS[f.key]} declares the truce over.", f.key)
                break
    elif s.truce in (Truce.NONE, Truce.BROKEN) and s.first_start is not None \
            and not any(f.stance == "offensive" for f in factions):
        pressure = 0.5 * (s.pressure[GNA] + s.pressure[LNA])
        if s.dice.truce.uniform() < t.redeclare_rate * pressure:
            for f in factions:
                f.perceived = 0.0
            declare(s, "The sides agree to a new truce.")
