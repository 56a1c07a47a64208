"""Mediation: leverage through the backers (fading with time), talks on three tracks
(military, economic, political), ripeness, the commitment problem, and the ways a war can end
in a permanent ceasefire: a mediated agreement, parallel declarations without mediators, or a
decisive victory."""

from __future__ import annotations

from libyasim.model.agents import Faction, Mediator
from libyasim.model.config import GNA, LNA, Config
from libyasim.model.state import State, Truce

UNRIPE_SPEED = 0.25  # talks during fighting, before the stalemate is ripe, move at this pace
TRACK_TEXT = {
    "military": "The joint military commission (five officers from each side) agrees on the "
                "terms of a ceasefire.",
    "economic": "The economic track agrees on sharing oil revenue; the oil terminals may reopen.",
    "political": "The political track agrees on a roadmap to a unified government.",
}


def press(s: State, mediators: list[Mediator]) -> None:
    """Each side's mediation pressure today (leverage, fading, through ties to its backers)."""
    for m in mediators:
        m.decay()
    s.pressure = [sum([m.pressure_on(side) for m in mediators]) for side in (GNA, LNA)]
    s.guarantees = any(m.orders.get("guarantees", False) for m in mediators)


def credibility(s: State, cfg: Config) -> float:
    """How far each side can trust a deal: shifting power makes promises incredible (a side in
    decline cannot commit its future self); monitors at work and guarantees restore part."""
    c = cfg.commitment
    trust = max(0.0, 1.0 - c.credibility_weight * abs(s.trend[GNA]))
    if s.monitors or s.guarantees or s.tracks["political"] >= 1.0:
        trust += c.verification * (1.0 - trust)
    return trust


def negotiate(s: State, cfg: Config, mediators: list[Mediator], factions: list[Faction]) -> None:
    """Talks, tracks, ripeness and settlement."""
    if s.truce == Truce.SETTLED:
        return
    md = cfg.mediation
    if _decisive_victory(s, cfg):
        return
    # ripeness: days on which neither side expects to gain by fighting on; quiet days count
    if abs(s.projected[GNA]) < md.stalemate_advantage:
        s.ripeness += 1
    else:
        s.ripeness = 0
    ripe = s.ripeness >= md.stalemate_days
    pressure = 0.5 * (s.pressure[GNA] + s.pressure[LNA])
    willing = all(f.joins_talks for f in factions)
    convened = [m for m in mediators if m.cfg.enabled and m.orders.get("convene_talks", True)]
    if s.talks_day is None:
        if convened and willing and s.day >= md.conference_day and (
                s.truce in (Truce.HOLDING, Truce.BROKEN) or ripe):
            rate = md.conference_talks_probability if s.day == md.conference_day else md.talks_rate
            if s.dice.mediation.uniform() < min(1.0, rate * pressure):
                s.talks_day = s.day
                s.log("talks", "The two sides' delegations begin talks under the mediators.")
    elif willing:
        trust = credibility(s, cfg)
        # talks move at full speed while the stalemate is ripe or the guns are quiet
        speed = 1.0 if ripe or s.truce == Truce.HOLDING else UNRIPE_SPEED
        for track, rate in (("military", md.military_rate), ("economic", md.economic_rate),
                            ("political", md.political_rate)):
            if s.tracks[track] < 1.0:
                s.tracks[track] += rate * pressure * trust * speed
                if s.tracks[track] >= 1.0:
                    s.log("track", TRACK_TEXT[track])
                    if track == "economic" and s.blockade:
                        s.blockade, s.blockade_settled = False, True
                        s.log("blockade", "The oil terminals reopen under the economic deal.",
                              "lna", "oil_crescent")
        # a signature needs a ripe stalemate, or a truce that holds; the commitment problem
        # (trust) discounts it, which monitors and guarantees partly repair
        if (ripe or s.truce == Truce.HOLDING) and s.tracks["military"] >= 1.0 and \
                s.dice.mediation.uniform() < md.settlement_rate * pressure * trust:
            _settle(s, "mediated", "The sides sign a permanent ceasefire agreement.")
            return
    if ripe and s.dice.mediation.uniform() < md.parallel_rate * credibility(s, cfg):
        _settle(s, "parallel_declarations", "Both sides declare a ceasefire in parallel "
                "statements, without a signed agreement.")


def _decisive_victory(s: State, cfg: Config) -> bool:
    """The fall of one side's seat ends the war on the winner's terms."""
    m = cfg.map
    if s.owner[m.tripoli] == LNA:
        _settle(s, "decisive_victory", "With Tripoli lost, the GNA side sues for peace.")
        return True
    if s.owner[m.benghazi] == GNA:
        _settle(s, "decisive_victory", "With Benghazi lost, the LNA sues for peace.")
        return True
    return False


def _settle(s: State, path: str, text: str) -> None:
    s.truce = Truce.SETTLED
    s.settlement_day, s.settlement_path = s.day, path
    if s.first_start is not None and s.first_end is None:
        s.first_end = s.day
    s.blockade = False
    s.log("settlement", text)
