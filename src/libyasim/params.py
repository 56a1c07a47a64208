"""Every parameter the model reads, with its default, its allowed range and its provenance.

The registry is the single source of truth: scenario files are validated against it, the
model reads resolved values by name, and `libyasim params` prints it.
Provenance kinds: ``article`` (a short exact quote from the January 2020 news article that
states the value), ``public_record`` (a figure a named document gives), ``assumption`` (a
modelling choice, its reason and a prior range) and ``calibrated`` (fitted to named observations
up to an information cutoff). ``known_on`` is the date the information became public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from libyasim.geography import PLACES, ROADS, SUPPLY_HUBS

ARTICLE, RECORD, ASSUMPTION, CALIBRATED = "article", "public_record", "assumption", "calibrated"
KINDS = (ARTICLE, RECORD, ASSUMPTION, CALIBRATED)
ARTICLE_DATE = dt.date(2020, 1, 10)  # the news article was published about 10 January 2020

BACKERS = ("turkey", "russia", "uae", "egypt", "qatar")
MEDIATORS = ("russia_turkey", "berlin")
FACTIONS = ("gna", "wag", "lna")
HOLDERS = ("gna", "wag", "lna", "unaligned", "none")  # "none": the 0.1 name of "unaligned"


@dataclass(frozen=True)
class Param:
    """One model parameter: its default value, allowed range and provenance."""

    name: str
    default: Any
    kind: str
    source: str
    reason: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    on_or_after_start: bool = False  # a date that must not precede day 0
    fixed: bool = False  # shown with provenance, but not settable from a scenario file
    known_on: dt.date | None = None  # when the information became public (None: assumption)
    quote: str | None = None  # for `article`: the short exact quote that states the value

    @property
    def type(self) -> type:
        return type(self.default)

    def describe_expected(self) -> str:
        """Plain words for what a valid value looks like."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = {bool: "true or false", int: "a whole number", float: "a number",
                dt.date: "a date (YYYY-MM-DD)", str: "a text"}[self.type]
        if self.on_or_after_start:
            return f"{kind} on or after scenario.start_date"
        if self.low is not None and self.high is not None:
            return f"{kind} between {self.low:g} and {self.high:g}"
        if self.low is not None:
            return f"{kind} of at least {self.low:g}"
        return kind


def _p(name, default, kind, source, reason, low=None, high=None, **kw) -> Param:
    return Param(name, default, kind, source, reason, low, high, **kw)


D = dt.date
PROB = dict(low=0.0, high=1.0)
NONNEG = dict(low=0.0)

_CORE: list[Param] = [
    # --- scenario --------------------------------------------------------------------------
    _p("scenario.start_date", D(2020, 1, 10), ARTICLE,
       "told RIA Novosti on January 9",
       "Day 0 is the day after the latest event the article reports."),
    _p("scenario.horizon_days", 365, ASSUMPTION, "modelling choice",
       "One year covers the 2020 campaign up to the October 2020 permanent ceasefire.",
       low=1, high=3650),
    _p("scenario.runs", 200, ASSUMPTION, "modelling choice",
       "200 runs put a 95% interval of about +/-7 points on a probability and finish in seconds.",
       low=1, high=10_000_000),
    _p("scenario.seed", 20200112, ASSUMPTION, "modelling choice",
       "Fixed root seed so that a scenario reruns identically; the date of the truce.",
       low=0, high=2**63 - 1),
    _p("scenario.information_cutoff", D(2020, 1, 10), ASSUMPTION, "modelling choice",
       "The scenario may use only information public on or before this date (default: day 0); "
       "`libyasim check` refuses later sources unless scenario.hindsight is true."),
    _p("scenario.hindsight", False, ASSUMPTION, "modelling choice",
       "Set true to allow values that were published after the information cutoff (a "
       "counterfactual or a hindcast with hindsight), stated openly."),
    # --- truce -----------------------------------------------------------------------------
    _p("truce.enabled", True, ARTICLE, "cease hostilities from 00:00 on January 12",
       "Russia and Turkey called a truce that both sides welcomed."),
    _p("truce.start", D(2020, 1, 12), ARTICLE, "cease hostilities from 00:00 on January 12",
       "The truce starts at 00:00 on 12 January 2020.", on_or_after_start=True),
    _p("truce.monitoring", False, RECORD,
       "UN Security Council resolution 2570 (April 2021) first set up UN ceasefire monitors",
       "No monitoring mechanism existed in January 2020."),
    _p("truce.monitoring_effect", 0.7, ASSUMPTION,
       "Fortna, 'Peace Time' (2004): monitoring and verification clauses make ceasefires last longer",
       "Monitoring lowers the log-odds of violating by this much (about half the odds).",
       **NONNEG),
    _p("truce.base_logit", -2.0, ASSUMPTION, "calibration",
       "Log-odds of a violation on a quiet day with even forces and no mediation: about 12% of days.",
       low=-10, high=10),
    _p("truce.advantage_weight", 5.0, ASSUMPTION,
       "bargaining theory of war (Fearon 1995): a side that expects to win keeps fighting",
       "Log-odds added per unit of perceived advantage (advantage runs from -1 to 1).",
       **NONNEG),
    _p("truce.reciprocity_weight", 0.25, ASSUMPTION,
       "tit-for-tat reciprocity in ceasefires (Axelrod 1984)",
       "Log-odds added per remembered violation by the other side; how violations are answered.",
       **NONNEG),
    _p("truce.forgiveness", 0.25, ASSUMPTION, "generous tit-for-tat (Nowak & Sigmund 1992)",
       "Share of remembered violations forgiven each day.", **PROB),
    _p("truce.spoiler_rate", 0.08, ASSUMPTION,
       "spoilers in peace processes (Stedman 1997)",
       "Daily chance that units outside the leadership's control break the truce, "
       "scaled by the share of forces not under command.", **PROB),
    _p("truce.violations_per_day_max", 6.0, ASSUMPTION, "calibration",
       "Expected violations a faction commits on a day it decides to violate.", low=0.0, high=1000),
    _p("truce.intensity_per_violation", 0.05, ASSUMPTION, "calibration",
       "Fighting intensity (0 quiet, 1 open war) that each violation brings to the fronts.",
       **PROB),
    _p("truce.collapse_threshold", 40, ASSUMPTION,
       "UNSMIL counted dozens of violations a month in early 2020",
       "Violations within the window above which the truce is considered collapsed.", low=1),
    _p("truce.collapse_window_days", 14, ASSUMPTION, "calibration",
       "Two weeks of sustained violations mark a collapse rather than an incident.",
       low=1, high=365),
    _p("truce.declare_over_probability", 0.6, ASSUMPTION, "calibration",
       "A faction whose daily violation probability exceeds this declares the truce over.",
       **PROB),
    _p("truce.redeclare_rate", 0.01, ASSUMPTION,
       "repeated truces in Libya: 12 January, 21 August and 23 October 2020",
       "Daily chance per unit of mediation pressure that a collapsed truce is declared again.",
       **PROB),
    # --- mediation -------------------------------------------------------------------------
    _p("mediation.russia_turkey.enabled", True, ARTICLE,
       "Vladimir Putin and Recep Tayyip Erdogan, as mediators",
       "The Istanbul initiative of 8 January 2020 is active."),
    _p("mediation.russia_turkey.leverage", 0.8, ARTICLE,
       "The interests of Turkey and Russia coincide",
       "High leverage: the two mediators are also the main backers on each side.", **NONNEG),
    _p("mediation.berlin.enabled", True, ARTICLE, "support the ongoing Berlin process",
       "The Berlin process with the UN is active."),
    _p("mediation.berlin.leverage", 0.5, ARTICLE,
       "no specific measures have been worked out",
       "A wide coalition with less leverage of its own than the two main backers.", **NONNEG),
    _p("mediation.conference_date", D(2020, 1, 19), RECORD,
       "Berlin Conference on Libya, 19 January 2020 (article: 'may be held in mid-January')",
       "Talks are scheduled at the conference.", on_or_after_start=True),
    _p("mediation.violation_cost", 1.0, ASSUMPTION,
       "mediator leverage raises the cost of defection (Beardsley 2011, 'The Mediation Dilemma')",
       "Log-odds of violating removed per unit of mediation pressure.", **NONNEG),
    _p("mediation.conference_talks_probability", 0.5, RECORD,
       "Haftar left the Moscow talks of 13 January 2020 without signing; the 5+5 military "
       "commission met in Geneva from 3 February 2020",
       "Chance per unit of pressure that talks start at the conference.", **PROB),
    _p("mediation.talks_rate", 0.01, ASSUMPTION, "calibration",
       "Daily chance per unit of pressure that talks start after the conference, while a "
       "truce holds.", **PROB),
    _p("mediation.stalemate_advantage", 0.35, ASSUMPTION,
       "mutually hurting stalemate (Zartman 2000)",
       "Both sides see no gain in fighting when the absolute advantage is below this.",
       **PROB),
    _p("mediation.hurting_losses", 0.01, ASSUMPTION,
       "a stalemate is ripe only when it hurts both sides (Zartman 2000)",
       "Both sides hurt when their recent losses (a running sum over about memory.days) "
       "exceed this share of their fighters.", **PROB),
    _p("mediation.stalemate_days", 60, ASSUMPTION, "ripeness theory (Zartman 2000)",
       "Days of stalemate before a settlement becomes possible.", low=1, high=3650),
    _p("mediation.settlement_rate", 0.02, ASSUMPTION,
       "permanent ceasefire signed 23 October 2020, about nine months after the talks began",
       "Daily chance per unit of pressure of a signed, permanent ceasefire once the stalemate "
       "is ripe and talks are under way.", **PROB),
    # --- arms supply and the embargo ----------------------------------------------------------
    _p("arms.embargo_enforcement", 0.05, RECORD,
       "UN Panel of Experts on Libya, S/2021/229: the arms embargo 'remains totally ineffective'",
       "Chance that a shipment is interdicted: a leaky embargo.", **PROB),
    _p("arms.delivery_delay_days", 21, ASSUMPTION, "calibration",
       "Shipping, training and integration take about three weeks before materiel counts.",
       low=0, high=365),
    _p("arms.shipment_size", 50.0, ASSUMPTION, "calibration",
       "Fighter-equivalents per shipment (a cargo flight or ship); sets the lumpiness of supply.",
       low=1.0, high=100_000),
    _p("arms.escalation", 1.0, ASSUMPTION,
       "backers respond to their client's losses (Egypt's 'red line' at Sirte-Jufra, 20 June 2020)",
       "Extra share of deliveries per unit of the client's recent losses.", **NONNEG),
    _p("arms.escalation_cap", 3.0, ASSUMPTION, "calibration",
       "Deliveries rise at most to this multiple of the planned volume.", low=1.0, high=100),
    # per backer
    _p("arms.turkey.enabled", True, ARTICLE, "the arrival of the first group of Turkish troops",
       "Turkey deploys troops, Syrian fighters, drones and air defence for the GNA."),
    _p("arms.turkey.start", D(2020, 1, 7), ARTICLE, "On January 7",
       "First Turkish troops arrive in Tripoli on 7 January 2020."),
    _p("arms.turkey.volume", 2000.0, RECORD,
       "US DoD Lead Inspector General, Q1 2020: Turkey sent 3,500-3,800 paid Syrian fighters "
       "to Libya in the first three months of 2020",
       "Fighter-equivalents a month: about 1,200 fighters plus Turkish troops, drones and air defence.", **NONNEG),
    _p("arms.turkey.air_share", 0.5, RECORD,
       "Bayraktar TB2 drones and air defence turned the air war in spring 2020 (UN Panel of Experts)",
       "Share of Turkish deliveries that is air power.", **PROB),
    _p("arms.russia.enabled", True, RECORD,
       "UN Panel of Experts (2020): 800-1,200 Wagner Group contractors fought with the LNA",
       "Russian private military contractors support the LNA."),
    _p("arms.russia.start", D(2019, 9, 1), RECORD,
       "Wagner snipers reported on the Tripoli front from September 2019",
       "Deliveries were under way before day 0."),
    _p("arms.russia.volume", 250.0, RECORD,
       "US AFRICOM, May 2020: Russia sent at least 14 MiG-29 and Su-24 aircraft to Jufra",
       "Fighter-equivalents a month: contractors plus aircraft.", **NONNEG),
    _p("arms.russia.air_share", 0.3, ASSUMPTION, "follows the AFRICOM report of combat aircraft",
       "Share of Russian deliveries that is air power.", **PROB),
    _p("arms.uae.enabled", True, RECORD,
       "UN Panel of Experts, S/2021/229: UAE-operated Wing Loong drones and cargo flights to the LNA",
       "The UAE supplies the LNA with drones and materiel."),
    _p("arms.uae.start", D(2019, 4, 4), RECORD, "LNA offensive on Tripoli from 4 April 2019",
       "Deliveries were under way before day 0."),
    _p("arms.uae.volume", 500.0, RECORD,
       "UN Panel of Experts: over 100 cargo flights to eastern Libya from January to April 2020",
       "Fighter-equivalents a month.", **NONNEG),
    _p("arms.uae.air_share", 0.5, RECORD,
       "UAE drones gave the LNA air superiority over Tripoli in 2019 (UN Panel of Experts)",
       "Share of UAE deliveries that is air power.", **PROB),
    _p("arms.egypt.enabled", True, RECORD,
       "Egypt backed the LNA; its parliament authorised troops for Libya on 20 July 2020",
       "Egypt supplies and trains the LNA across the land border."),
    _p("arms.egypt.start", D(2019, 4, 4), RECORD, "LNA offensive on Tripoli from 4 April 2019",
       "Deliveries were under way before day 0."),
    _p("arms.egypt.volume", 250.0, ASSUMPTION, "no public count of Egyptian deliveries",
       "A modest, steady flow of supplies and training (fighter-equivalents a month).", **NONNEG),
    _p("arms.egypt.air_share", 0.1, ASSUMPTION, "mostly ground logistics",
       "Share of Egyptian deliveries that is air power.", **PROB),
    _p("arms.qatar.enabled", True, ARTICLE, "supported by Qatar and Turkey",
       "Qatar backs the Tripoli side, chiefly with money."),
    _p("arms.qatar.start", D(2019, 4, 4), ASSUMPTION, "support since the 2014 government",
       "Support was under way before day 0."),
    _p("arms.qatar.volume", 150.0, ASSUMPTION, "no public count of Qatari support",
       "Funding that buys supplies: a small flow of fighter-equivalents a month.", **NONNEG),
    _p("arms.qatar.air_share", 0.0, ASSUMPTION, "money, not aircraft",
       "Share of Qatari deliveries that is air power.", **PROB),
    # --- forces ------------------------------------------------------------------------------
    _p("forces.lna.fighters", 25000, RECORD,
       "public estimates of the LNA's fighting strength, about 25,000 (e.g. ECFR, 'Mapping "
       "Libya's armed groups', 2019); the LNA claims far more",
       "Fighters of the LNA and its allied local forces on day 0.", low=0),
    _p("forces.gna.fighters", 6000, RECORD,
       "forces under the GNA's own command in Tripoli are a minority of its side (ECFR 2019)",
       "Fighters under the GNA's direct command on day 0.", low=0),
    _p("forces.wag.fighters", 20000, RECORD,
       "Misrata's brigades alone were estimated at about 18,000 fighters (ECFR 2019)",
       "Fighters of the western armed groups (Volcano of Wrath) on day 0.", low=0),
    _p("forces.wag.command_control", 0.4, ARTICLE,
       "armed groups based in the western regions of Libya",
       "Share of the western armed groups' units that obey the GNA leadership on the truce.",
       **PROB),
    _p("forces.gna.command_control", 0.9, ASSUMPTION, "units under direct command",
       "Share of GNA units that obey the leadership.", **PROB),
    _p("forces.lna.command_control", 0.8, RECORD,
       "the LNA relies on allied local brigades (Kaniyat in Tarhuna) and foreign contractors",
       "Share of LNA-side units that obey Haftar's command on the truce.", **PROB),
    _p("forces.lna.air", 400.0, RECORD,
       "UAE drones gave the LNA air superiority over Tripoli in 2019 (UN Panel of Experts)",
       "Air power on day 0, in fighter-equivalents.", **NONNEG),
    _p("forces.gna.air", 150.0, RECORD,
       "Turkish drones delivered to the GNA in 2019 were largely destroyed (UN Panel of Experts)",
       "Air power on day 0, in fighter-equivalents.", **NONNEG),
    _p("forces.front_share", 0.6, ASSUMPTION, "the war for Tripoli concentrated forces",
       "Share of each faction's fighters at front places on day 0; the rest by population.",
       **PROB),
    _p("forces.place_weight_floor", 50000.0, ASSUMPTION, "calibration",
       "Forces are placed in proportion to residents plus this floor, so that air bases and "
       "villages get garrisons too.", **NONNEG),
    _p("forces.redeploy_rate", 0.03, ASSUMPTION, "calibration",
       "Share of rear forces moved to the fronts each day.", **PROB),
    _p("forces.garrison_share", 0.3, ASSUMPTION, "calibration",
       "Share of a rear place's day-0 garrison kept back from redeployment.", **PROB),
    # --- combat ------------------------------------------------------------------------------
    _p("combat.lethality", 0.02, ASSUMPTION,
       "Lanchester attrition calibrated to about 2,000 fighters killed in the first nine months "
       "of the Tripoli offensive (WHO and UN, January 2020)",
       "Fighters put out of action per day per effective enemy fighter engaged at full intensity.",
       low=0.0, high=1.0),
    _p("combat.engaged_share", 0.25, ASSUMPTION, "most fighters at a front are not in contact daily",
       "Share of forces at a front place that takes part in a day's fighting.", **PROB),
    _p("combat.killed_share", 0.25, RECORD,
       "about three wounded per combatant killed in modern wars (ICRC wounded-to-killed ratios)",
       "Share of fighters put out of action who are killed.", **PROB),
    _p("combat.noise_cv", 0.35, ASSUMPTION, "calibration",
       "Coefficient of variation of daily losses (gamma noise).", low=0.0, high=5.0),
    _p("combat.urban_defence", 1.5, ASSUMPTION,
       "defender's advantage in towns (Dupuy's combat factors, about 1.3-1.6)",
       "Multiplier on defenders' effective strength in a town.", low=1.0, high=10.0),
    _p("combat.air_weight", 1.5, ASSUMPTION,
       "air and drone superiority decided the 2020 campaign (UN Panel of Experts)",
       "Effective strength is multiplied by 1 + air_weight x the side's share of air power.",
       **NONNEG),
    _p("combat.air_attrition", 0.01, ASSUMPTION,
       "drones were lost in numbers on both sides in 2020 (UN Panel of Experts)",
       "Daily share of air power lost to wear, accidents and air defence.", **PROB),
    _p("combat.strength_gradient", 0.1, ASSUMPTION,
       "loss-of-strength gradient (Boulding 1962, 'Conflict and Defense'); the GNA advance "
       "stopped at Sirte, 2-3 road links from its bases, in June 2020",
       "Share of a side's strength lost per road link between a place and the nearest supply "
       "hub the side holds.", **PROB),
    _p("combat.reach_floor", 0.4, ASSUMPTION, "calibration",
       "A side keeps at least this share of its strength however far from its hubs.", **PROB),
    _p("combat.break_ratio", 0.6, ASSUMPTION, "calibration",
       "Defenders break when their effective strength falls below this share of the attacker's.",
       low=0.0, high=1.0),
    _p("combat.capture_rate", 0.05, ASSUMPTION,
       "towns held out for days to weeks once outmatched (Gharyan 2019, al-Watiya 2020)",
       "Daily chance at full intensity that outmatched defenders break.", **PROB),
    _p("combat.capture_intensity", 0.5, ASSUMPTION, "calibration",
       "A place can change hands only on days of at least this fighting intensity.", **PROB),
    _p("combat.advance_share", 0.5, ASSUMPTION, "calibration",
       "Share of the attacker's forces that move into a captured place.", **PROB),
    _p("combat.civilian_harm", 0.06, RECORD,
       "about 280 civilians killed around Tripoli from April 2019 to January 2020 (WHO, UNSMIL)",
       "Civilian deaths per day per 100,000 residents at a place under full-intensity fighting.",
       **NONNEG),
    _p("combat.urban_civilian_factor", 2.0, ASSUMPTION,
       "explosive weapons in populated areas harm more civilians (UN Secretary-General reports)",
       "Multiplier on civilian harm where the fighting is in a town.", low=1.0, high=20),
    # --- morale and supply --------------------------------------------------------------------
    _p("morale.capture_gain", 0.05, ASSUMPTION, "calibration",
       "Morale gained per place captured.", **PROB),
    _p("morale.loss_per_place", 0.08, ASSUMPTION,
       "the LNA's front collapsed within days of losing al-Watiya and Tarhuna (May-June 2020)",
       "Morale lost per place lost.", **PROB),
    _p("morale.casualty_sensitivity", 2.0, ASSUMPTION, "calibration",
       "Morale lost per unit of the day's losses as a share of the faction's fighters.", **NONNEG),
    _p("morale.recovery", 0.02, ASSUMPTION, "calibration",
       "Share of the gap to normal morale (1) recovered each day.", **PROB),
    _p("morale.desertion", 0.01, ASSUMPTION, "calibration",
       "Daily share of fighters lost per unit of morale below morale.desertion_threshold.", **PROB),
    _p("morale.floor", 0.2, ASSUMPTION, "calibration",
       "Morale never falls below this: some fighters always hold on.", low=0.0, high=1.0),
    _p("morale.ceiling", 1.3, ASSUMPTION, "calibration",
       "Morale never rises above this: victories help only so much.", low=1.0, high=5.0),
    _p("morale.desertion_threshold", 0.7, ASSUMPTION, "calibration",
       "Below this morale, fighters start to desert.", low=0.0, high=5.0),
    _p("memory.days", 30.0, ASSUMPTION, "a month: the horizon of monthly UN and media tallies",
       "Days over which recent losses and deliveries are remembered: each day keeps "
       "1 - 1/days of the running sum.", low=1.0, high=3650),
    _p("forces.presence_threshold", 1.0, ASSUMPTION, "calibration",
       "Fewer fighters than this at a place do not count as a presence (for contested places "
       "and the Tripoli front).", low=0.0),
    _p("supply.base", 0.85, ASSUMPTION, "calibration",
       "Supply level a faction keeps from its own depots, ports and air bases.", **PROB),
    _p("supply.delivery_weight", 40.0, ASSUMPTION, "calibration",
       "Supply gained per unit of a month's deliveries as a share of the faction's fighters.",
       **NONNEG),
    _p("supply.adjust_rate", 0.1, ASSUMPTION, "calibration",
       "Share of the gap to the supply target closed each day.", **PROB),
    _p("supply.erosion", 0.002, ASSUMPTION, "calibration",
       "Daily share of fighters lost per unit of missing supply.", **PROB),
    # --- outcomes ------------------------------------------------------------------------------
    _p("outcomes.tripoli_front_radius_km", 100.0, ASSUMPTION,
       "the LNA left Tarhuna, 65 km from Tripoli, on 5 June 2020",
       "The LNA has left the Tripoli front when it holds no place within this distance of "
       "Tripoli's centre.", low=1.0, high=2000),
    _p("map.supply_hubs", "; ".join(f"{side}: {', '.join(h)}" for side, h in SUPPLY_HUBS.items()),
       RECORD, "UN Panel of Experts on Libya (2019-2021): Mitiga airport and Misrata supplied the "
       "GNA side; Benghazi and the al-Jufra air base the LNA",
       "Where each side's supplies land.", fixed=True),
    _p("map.roads", ", ".join(f"{a}-{b}" for a, b in ROADS), RECORD,
       "the brief's road links: coastal highway and inland routes",
       "Which places are neighbours.", fixed=True),
]

_TIES = {  # mediator -> backer -> tie strength (0..1)
    "russia_turkey": {"turkey": 1.0, "russia": 1.0, "uae": 0.3, "egypt": 0.3, "qatar": 0.3},
    "berlin": {"turkey": 1.0, "russia": 1.0, "uae": 1.0, "egypt": 1.0, "qatar": 0.0},
}
_TIE_SOURCES = {
    "russia_turkey": (ARTICLE, "Vladimir Putin and Recep Tayyip Erdogan, as mediators",
                      "Each co-mediator has full leverage over its own client's main backer; "
                      "some over their partners."),
    "berlin": (ARTICLE, "Egypt, the United Arab Emirates, Turkey",
               "Participants of the Berlin process are tied to it; Qatar is not among them."),
}


def _tie_params() -> list[Param]:
    out = []
    for mediator, ties in _TIES.items():
        kind, source, reason = _TIE_SOURCES[mediator]
        for backer, tie in ties.items():
            out.append(_p(f"mediation.{mediator}.tie.{backer}", tie, kind, source, reason, **PROB))
    return out


def _place_params() -> list[Param]:
    out = []
    for p in PLACES:
        key = f"place.{p.key}"
        out += [
            _p(f"{key}.holder", p.holder, RECORD, p.holder_source,
               f"Who holds {p.name} on day 0.", choices=HOLDERS),
            _p(f"{key}.population", p.population, RECORD, p.population_source,
               "Rounded public estimate; drives civilian harm and population control.", low=0),
            _p(f"{key}.urban", p.urban, ASSUMPTION, "town or open ground/air base",
               "Towns give defenders an advantage and raise civilian harm."),
            _p(f"{key}.contested", p.contested, RECORD, p.holder_source,
               "Both sides have forces there on day 0."),
            _p(f"{key}.lat", p.lat, RECORD, "brief: approximate coordinates", "Map position.",
               fixed=True),
            _p(f"{key}.lon", p.lon, RECORD, "brief: approximate coordinates", "Map position.",
               fixed=True),
        ]
    return out



# --- model 2.0 mechanisms (new in 2.0; one block so that the registry's history stays legible) ---
# Each value needs judgment and is an `assumption` with an honest prior range (low/high), set
# from the mechanism, the literature named in `source` and what was public by 10 January 2020;
# `libyasim calibrate` may fit them to observations up to its cutoff.
_CONTINGENTS = {  # foreign fighters as people: contingent -> (backer, client faction)
    "syrians": ("turkey", "gna"), "wagner": ("russia", "lna"), "sudanese": ("uae", "lna")}
_RED_LINE_BACKERS = ("egypt", "russia", "turkey")
ROUTES = ("sea", "air", "land")

_MODEL_20: list[Param] = [
    # --- truce: nominal and effective life, monitoring through attribution ------------------
    _p("truce.war_intensity", 0.5, ASSUMPTION,
       "ETH/PRIO Civil Conflict Ceasefire dataset (Clayton, Nathan & Wiehler): a ceasefire ends "
       "when it is violated to the point that fighting resumes",
       "A truce's effective life ends on the first day the fighting reaches this intensity "
       "(0 quiet, 1 a full offensive) on some front.", low=0.2, high=1.0),
    _p("truce.attribution_monitored", 0.8, ASSUMPTION,
       "Fortna, 'Peace Time' (2004): monitors verify who broke the agreement",
       "Share of violations that monitors attribute to the violator, where the watched side "
       "consents to monitors.", low=0.4, high=0.98),
    _p("truce.attribution_unmonitored", 0.25, ASSUMPTION,
       "without monitors, blame rests on the parties' own claims and the media",
       "Share of violations credibly attributed without monitors.", low=0.0, high=0.6),
    _p("truce.unclear_incidents", 0.5, ASSUMPTION,
       "incidents of unclear origin (unaligned groups, criminal gangs, accidents) are blamed on "
       "the enemy unless attributed (Fortna 2004 on accidental violations)",
       "Incidents a day whose author is unclear; unattributed ones are answered as if the other "
       "side had committed them.", low=0.0, high=5.0),
    _p("truce.monitor_deploy_days", 7, ASSUMPTION,
       "monitoring missions take weeks to deploy (UNSMIL ceasefire monitoring planning, 2020)",
       "Days after the truce starts before monitors can work.", low=0, high=180),
    # --- combat: decisions to attack --------------------------------------------------------
    _p("combat.positional_intensity", 0.01, ASSUMPTION,
       "a front without an offensive still sees shelling and drone strikes (ACLED event "
       "types 'shelling/artillery' and 'air/drone strike')",
       "Fighting intensity on a front at war where neither side is on the offensive.",
       low=0.0, high=0.3),
    _p("combat.limited_intensity", 0.2, ASSUMPTION,
       "limited attacks: raids and probing assaults short of an offensive",
       "Fighting intensity of a limited attack.", low=0.05, high=0.7),
    _p("combat.limited_ratio", 0.8, ASSUMPTION,
       "wars of attrition: a side at war raids and shells where it has fair odds but not enough "
       "for an offensive (the Tripoli front, April-December 2019)",
       "At war, a faction makes limited attacks when its best local ratio of effective "
       "strengths (as for combat.attack_ratio) is at least this; below it, only positional "
       "fighting.", low=0.2, high=1.5),
    _p("combat.attack_ratio", 1.5, ASSUMPTION,
       "attackers seek local superiority before an offensive (Mearsheimer 1989 on the 3:1 rule; "
       "lower ratios suffice with air superiority)",
       "Local ratio of effective strengths (attacker over defender, with air, towns, red lines) "
       "at which a side launches an offensive; below this ratio times "
       "combat.culmination_share the offensive stops.", low=1.0, high=4.0),
    _p("combat.culmination_share", 0.7, ASSUMPTION,
       "Clausewitz's culminating point of the attack",
       "An offensive stops when the local ratio falls below this share of combat.attack_ratio.",
       low=0.3, high=1.0),
    # --- air war: drones against air defence -------------------------------------------------
    _p("air.gna.air_defence", 50.0, ASSUMPTION,
       "the GNA had little air defence before Turkey's deployment (UN Panel of Experts, "
       "S/2019/914, December 2019: Turkish drones delivered in 2019 were destroyed)",
       "Air defence on day 0, in fighter-equivalents.", low=0.0, high=1000.0),
    _p("air.lna.air_defence", 200.0, ASSUMPTION,
       "UAE-supplied air defence protected LNA bases in 2019 (UN Panel of Experts, S/2019/914)",
       "Air defence on day 0, in fighter-equivalents.", low=0.0, high=1000.0),
    _p("air.shootdown_rate", 0.03, ASSUMPTION,
       "drones were shot down in numbers on both sides in 2019 (UN Panel of Experts, S/2019/914)",
       "Daily share of a side's drones lost at full coverage by the other side's air defence.",
       low=0.0, high=0.2),
    _p("air.suppression_rate", 0.02, ASSUMPTION,
       "drones and electronic warfare hunt air-defence batteries (suppression of enemy air "
       "defence, a standard air-war mission)",
       "Daily share of a side's air defence destroyed at full coverage by the other side's drones.",
       low=0.0, high=0.2),
    _p("air.coverage_half", 300.0, ASSUMPTION, "saturation of air defence and of drone patrols",
       "Air defence (or drones) in fighter-equivalents that gives half of full coverage.",
       low=10.0, high=5000.0),
    _p("air.advance_share", 0.35, ASSUMPTION,
       "ground advances need at least contested skies (Pape 1996 on air power; the Libyan war "
       "of 2019 was fought around drone bases)",
       "A side can capture places only while its share of air superiority is at least this.",
       low=0.0, high=0.6),
    _p("air.interdiction", 0.4, ASSUMPTION,
       "drones strike supply convoys, depots and reinforcements behind the front (UN Panel of "
       "Experts, S/2019/914, on the drone campaign of 2019)",
       "A side's effective strength is multiplied by 1 - this x the other side's share of air "
       "superiority.", low=0.0, high=0.8),
    # --- red lines and deterrence ------------------------------------------------------------
    _p("deterrence.enabled", True, ASSUMPTION,
       "extended deterrence: a patron protects its client's core (Schelling 1966, 'Arms and "
       "Influence'); Egypt struck in eastern Libya in 2015 and 2017",
       "Backers intervene directly when their client's core is attacked, and attackers expect it."),
    _p("deterrence.core_links", 1, ASSUMPTION,
       "a patron defends the approaches to the core, not only the core itself",
       "A red line covers the backer's core places and the client's places within this many "
       "road links of them.", low=0, high=4),
    _p("deterrence.intervention_strength", 2.0, ASSUMPTION,
       "a state's air force and regular troops outclass militias (Egypt's air strikes of 2015 and "
       "2017 in Libya)",
       "Where a backer intervenes, the client's effective strength is multiplied by "
       "1 + this.", low=0.5, high=6.0),
    _p("deterrence.credibility", 0.8, ASSUMPTION,
       "credibility of commitments (Schelling 1966): attackers discount threats",
       "Share of the threatened intervention that an attacker expects.", **PROB),
    *[_p(f"deterrence.{b}.enabled", True, ASSUMPTION,
         {"egypt": "Egypt treats eastern Libya, on its border, as its security zone (air strikes "
                   "in 2015 and 2017)",
          "russia": "Russian contractors operated from the al-Jufra air base in 2019 (press "
                    "reports, late 2019)",
          "turkey": "Turkey's parliament approved troops to defend the GNA on 2 January 2020"}[b],
         f"{b.capitalize()} intervenes directly when its client's core is attacked.",
         ) for b in _RED_LINE_BACKERS],
    _p("deterrence.cores", "egypt: benghazi, tobruk, ajdabiya, oil_crescent; russia: jufra; "
       "turkey: tripoli, misrata", ASSUMPTION,
       "the backer's interests: Egypt's border region and the oil crescent, Russia's base at "
       "al-Jufra, Turkey's client's seat and its strongest ally",
       "Core places each backer defends (before extending by deterrence.core_links).",
       fixed=True),
    # --- oil and money -----------------------------------------------------------------------
    _p("economy.blockade.enabled", True, ASSUMPTION,
       "Haftar's forces closed the oil crescent's ports in June-July 2018 (public record) and "
       "can use the oil weapon again",
       "The LNA side may close the oil terminals it holds."),
    _p("economy.blockade_rate", 0.03, ASSUMPTION,
       "the 2018 closure was a bargaining move while talks were pending",
       "Daily chance that the LNA side closes the terminals while it holds the oil crescent and "
       "talks are scheduled or under way.", low=0.0, high=0.3),
    _p("economy.blockade_revenue", 0.1, ASSUMPTION,
       "oil is over 90% of Libya's state revenue (World Bank, Libya Economic Monitor 2019)",
       "Share of the GNA's revenue left while the terminals are closed.", **PROB),
    _p("economy.reserve_days", 120.0, ASSUMPTION,
       "the Central Bank in Tripoli holds foreign reserves that delay the effect of lost revenue",
       "Days over which the GNA's funds adjust to its revenue.", low=10.0, high=1000.0),
    _p("economy.salary_weight", 0.3, ASSUMPTION,
       "armed groups on the GNA's payroll depend on salaries (Lacher, 'Libya's Fragmentation', "
       "2020; ECFR 2019)",
       "Share of the GNA side's supply and command that rests on paid salaries.", **PROB),
    # --- commitment problem ------------------------------------------------------------------
    _p("commitment.lookahead_days", 30.0, ASSUMPTION,
       "Fearon (1995), Powell (2006): shifting power makes commitments incredible",
       "Days ahead over which each side extrapolates the trend of the balance of power.",
       low=0.0, high=365.0),
    _p("commitment.trend_days", 30.0, ASSUMPTION, "a month of observed change",
       "Days over which the trend of the balance is measured.", low=5.0, high=180.0),
    _p("commitment.credibility_weight", 8.0, ASSUMPTION,
       "a side in decline cannot make a deal credible (Powell 2006)",
       "A deal's credibility falls by this per unit of the balance's monthly trend; monitors "
       "and guarantees restore part of it.", low=0.0, high=50.0),
    _p("commitment.verification", 0.5, ASSUMPTION,
       "third parties that verify and guarantee make commitments credible (Walter 2002, "
       "'Committing to Peace'; Fortna 2004)",
       "Share of the credibility gap closed by monitors at work or by guarantees.", **PROB),
    # --- mediation tracks --------------------------------------------------------------------
    _p("mediation.leverage_decay", 0.004, ASSUMPTION,
       "attention and leverage of international conferences fade (Beardsley 2011)",
       "Daily rate at which mediators' leverage decays after the conference.", low=0.0, high=0.05),
    _p("mediation.military_rate", 0.03, ASSUMPTION,
       "a joint military commission of both sides' officers (the 5+5 format agreed at the "
       "Berlin process) negotiates the ceasefire's terms",
       "Daily progress of the military track per unit of mediation pressure while talks go on "
       "and the stalemate is ripe (1 = agreed).", low=0.0, high=0.3),
    _p("mediation.economic_rate", 0.02, ASSUMPTION,
       "an economic track on oil revenue and the central bank (Berlin process)",
       "Daily progress of the economic track per unit of pressure while talks go on; its "
       "agreement lifts the oil blockade.", low=0.0, high=0.3),
    _p("mediation.political_rate", 0.01, ASSUMPTION,
       "a political track on a unified government (Berlin process)",
       "Daily progress of the political track per unit of pressure while talks go on.",
       low=0.0, high=0.3),
    _p("mediation.parallel_rate", 0.004, ASSUMPTION,
       "ceasefires are often declared unilaterally and in parallel (Clayton & Sticher 2021)",
       "Daily chance of parallel ceasefire declarations, without mediators, once the stalemate "
       "is ripe and both sides are hurt.", **PROB),
]
for _c, (_backer, _client) in _CONTINGENTS.items():
    _src = {"syrians": "Syrian Observatory for Human Rights, 27 December 2019: 300 Syrian "
                       "fighters sent by Turkey had arrived and 1,600 were in training",
            "wagner": "press reports of late 2019 (Bloomberg, New York Times): from 200 to "
                      "1,400 Russian contractors with the LNA",
            "sudanese": "UN Panel of Experts on Libya, S/2019/914 (December 2019): about 1,000 "
                        "Sudanese troops deployed with the LNA in July 2019, Chadian groups too"}[_c]
    _init, _month, _cap, _tour = {"syrians": (300.0, 1500.0, 5000.0, 120.0),
                                  "wagner": (800.0, 100.0, 1400.0, 180.0),
                                  "sudanese": (1000.0, 100.0, 3000.0, 180.0)}[_c]
    _MODEL_20 += [
        _p(f"fighters.{_c}.initial", _init, ASSUMPTION, _src,
           f"Fighters of this contingent (sent by {_backer}) with the {_client} on day 0.",
           low=0.0, high=_init * 4 + 500),
        _p(f"fighters.{_c}.monthly", _month, ASSUMPTION, _src,
           "Arrivals a month at the backer's usual rate (scaled by its 'fighters' order).",
           low=0.0, high=_month * 3 + 300),
        _p(f"fighters.{_c}.cap", _cap, ASSUMPTION, _src + "; later estimates vary widely",
           "Most fighters of this contingent present at once (recruitment and pay limit it).",
           low=_init, high=_cap * 4),
        _p(f"fighters.{_c}.tour_days", _tour, ASSUMPTION,
           "foreign fighters served contracts of three to six months (press reports on Syrian "
           "recruits, 2019)",
           "Average days a fighter stays before leaving (rotation).", low=30.0, high=720.0),
    ]
_ROUTE_SHARES = {  # backer -> (sea, land); the air bridge carries the rest
    "turkey": (0.5, 0.0), "russia": (0.0, 0.0), "uae": (0.0, 0.0), "egypt": (0.0, 1.0),
    "qatar": (0.0, 0.0)}
_AD_SHARE = {"turkey": 0.2, "russia": 0.2, "uae": 0.2, "egypt": 0.0, "qatar": 0.0}
for _b, (_sea, _land) in _ROUTE_SHARES.items():
    _MODEL_20 += [
        _p(f"arms.{_b}.sea_share", _sea, ASSUMPTION,
           "UN Panel of Experts, S/2019/914: deliveries by ship to Tripoli and Misrata, by cargo "
           "aircraft to Benghazi and al-Khadim, by road from Egypt",
           "Share of this backer's materiel shipped by sea.", **PROB),
        _p(f"arms.{_b}.land_share", _land, ASSUMPTION,
           "UN Panel of Experts, S/2019/914: deliveries across Libya's land borders",
           "Share of this backer's materiel sent over land; the air bridge carries the rest.",
           **PROB),
        _p(f"arms.{_b}.air_defence_share", _AD_SHARE[_b], ASSUMPTION,
           "air-defence systems were among the embargo violations the UN Panel of Experts "
           "documented (S/2019/914)",
           "Share of this backer's materiel that is air defence.", **PROB),
    ]
for _r in ROUTES:
    _MODEL_20.append(_p(
        f"arms.embargo.{_r}", 0.0, ASSUMPTION,
        "Brzoska (2008): embargoes work only where enforced; a naval operation can inspect ships "
        "but not cargo flights or desert roads",
        f"Extra chance that a shipment on the {_r} route is stopped (on top of "
        "arms.embargo_enforcement), with the consent of the backer's inspections.", **PROB))
_MODEL_20.append(_p(
    "arms.embargo.without_consent", 0.5, ASSUMPTION,
    "UN Security Council resolution 2292 (2016): inspection on the high seas needs the flag "
    "state's consent to be effective",
    "Share of a route's extra enforcement that works when the backer refuses inspections.",
    **PROB))


PARAMS: dict[str, Param] = {p.name: p for p in _CORE + _tie_params() + _place_params() + _MODEL_20}


def defaults() -> dict[str, Any]:
    """All parameters at their default values."""
    return {name: p.default for name, p in PARAMS.items()}
