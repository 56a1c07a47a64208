"""Orders that human players give to actors (the classroom game), and the choices each actor
has. An order replaces the model's own rule for that choice until it is replaced or cleared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from libyasim.model.config import PLACE_KEYS
from libyasim.model.state import (
    ORDER_CONVENE,
    ORDER_DRONES,
    ORDER_FIGHTERS,
    ORDER_GUARANTEES,
    ORDER_INSPECTORS,
    ORDER_MATERIEL,
    ORDER_MONITORS,
    ORDER_PRESS,
    ORDER_PROPOSE_MONITORS,
    ORDER_STANCE,
    ORDER_TALKS,
    ORDER_TARGET,
    STANCES,
    State,
)
from libyasim.params import BACKERS, FACTIONS, MEDIATORS

FACTION_ACTORS = ("lna", "gna", "wag")
BACKER_ACTORS = ("turkey", "russia", "uae", "egypt")
MEDIATOR_ACTORS = ("berlin",)
ACTOR_LABELS = {"lna": "LNA (Haftar)", "gna": "GNA (Sarraj)", "wag": "Western armed groups",
                "turkey": "Turkey", "russia": "Russia", "uae": "United Arab Emirates",
                "egypt": "Egypt", "berlin": "UN mediator (Berlin process)"}
RATES = ((0.0, "none"), (0.5, "half the usual"), (1.0, "the usual"), (2.0, "double the usual"))
YES_NO = ((True, "yes"), (False, "no"))


@dataclass(frozen=True)
class Option:
    """One choice an actor has: its values, what the model does with it, and the registry
    parameters that carry the provenance of its numbers."""

    key: str
    label: str
    choices: tuple[tuple[Any, str], ...]
    default: Any
    consequence: str
    params: tuple[str, ...] = ()


_FACTION = (
    Option("stance", "Stance toward the truce",
           (("hold", "hold the truce"), ("reciprocate", "answer violations in kind"),
            ("limited", "limited attacks"), ("offensive", "an offensive")),
           "reciprocate",
           "Hold: only units outside your control violate. Answer in kind: you violate more the "
           "more you see the other side violate. Limited attacks: daily raids at a third of war "
           "intensity. Offensive: full-intensity fighting at the target; it breaks any truce and "
           "can take the place if your side is much stronger there and has enough of the sky.",
           ("truce.reciprocity_weight", "truce.spoiler_rate", "combat.limited_intensity",
            "combat.attack_ratio", "combat.break_ratio", "air.advance_share")),
    Option("target", "Target of an offensive",
           (("", "the model's choice"), *((k, k.replace("_", " ").title()) for k in PLACE_KEYS)),
           "",
           "The place your offensive attacks; it must be held by the other side (or by no side) "
           "next to a place you hold (otherwise the best place on the front is chosen).",
           ("combat.attack_ratio",)),
    Option("monitors", "Let monitors watch your forces", YES_NO, True,
           "Monitors attribute most violations to whoever committed them: your own violations "
           "cost you more, and the other side stops answering incidents you did not commit.",
           ("truce.attribution_monitored", "truce.attribution_unmonitored",
            "truce.monitoring_effect")),
    Option("talks", "Join talks", YES_NO, True,
           "Talks advance on a military, an economic and a political track; without both sides "
           "at the table no track moves.",
           ("mediation.military_rate", "mediation.economic_rate", "mediation.political_rate")),
)
_BACKER = (
    Option("fighters", "Foreign fighters sent", RATES, 1.0,
           "Fighters arrive at this multiple of the usual monthly rate, up to the contingent's "
           "cap, and leave at the end of their tours.",
           ("fighters.syrians.monthly", "fighters.wagner.monthly", "fighters.sudanese.monthly")),
    Option("materiel", "Materiel (weapons, ammunition, vehicles)", RATES, 1.0,
           "Ground materiel keeps your client supplied (supply raises its effective strength); "
           "it arrives after a delay, unless the embargo stops it.",
           ("arms.turkey.volume", "arms.russia.volume", "arms.uae.volume", "arms.egypt.volume",
            "arms.delivery_delay_days")),
    Option("drones", "Drones", RATES, 1.0,
           "Drones give your client a share of the sky, which multiplies its strength and lets "
           "it advance; the other side's air defence shoots them down.",
           ("arms.turkey.air_share", "arms.uae.air_share", "air.shootdown_rate",
            "combat.air_weight")),
    Option("inspectors", "Let embargo inspectors check your shipments", YES_NO, False,
           "With your consent the embargo's route enforcement works in full; without it only in "
           "part.",
           ("arms.embargo.sea", "arms.embargo.air", "arms.embargo.land",
            "arms.embargo.without_consent")),
)
_MEDIATOR = (
    Option("convene_talks", "Convene talks", YES_NO, True,
           "Talks can start (from the conference date) when both sides join.",
           ("mediation.conference_date", "mediation.talks_rate")),
    Option("propose_monitors", "Propose ceasefire monitors", YES_NO, False,
           "Monitors deploy some days after a truce starts and attribute violations where the "
           "watched side consents.", ("truce.monitor_deploy_days",)),
    Option("press", "Press a backer",
           (("", "nobody"), ("turkey", "Turkey"), ("russia", "Russia"), ("uae", "the UAE"),
            ("egypt", "Egypt")), "",
           "Pressing a backer doubles your leverage through it: its client violates less and "
           "talks move faster.", ("mediation.violation_cost",)),
    Option("guarantees", "Offer guarantees", YES_NO, False,
           "Guarantees make each side's promises credible even while the balance of power shifts "
           "(the commitment problem).", ("commitment.verification",)),
)
ACTOR_OPTIONS: dict[str, list[Option]] = {
    **{a: list(_FACTION) for a in FACTION_ACTORS},
    **{a: list(_BACKER) for a in BACKER_ACTORS},
    **{a: list(_MEDIATOR) for a in MEDIATOR_ACTORS},
}


def validate(actor: str, orders: dict[str, Any]) -> dict[str, Any]:
    """The orders checked against the actor's options; ValueError with a plain message."""
    if actor not in ACTOR_OPTIONS:
        raise ValueError(f"unknown actor {actor!r}; expected one of {', '.join(ACTOR_OPTIONS)}")
    options = {o.key: o for o in ACTOR_OPTIONS[actor]}
    out = {}
    for key, value in orders.items():
        option = options.get(key)
        if option is None:
            raise ValueError(f"{ACTOR_LABELS[actor]} has no order {key!r}; expected one of "
                             f"{', '.join(options)}")
        allowed = [v for v, _ in option.choices]
        if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            shown = ", ".join(repr(v) for v in allowed)
            raise ValueError(f"{ACTOR_LABELS[actor]}: {key} = {value!r} is not a choice; "
                             f"expected one of {shown}")
        out[key] = value
    return out


def encode(actor: str, orders: Mapping[str, Any], S: State) -> None:
    """Write an actor's standing orders where the compiled day reads them (-1: no order)."""
    if actor in FACTION_ACTORS:
        row = S.faction_orders[FACTIONS.index(actor)]
        stance = orders.get("stance")
        row[ORDER_STANCE] = -1 if stance is None else STANCES.index(stance)
        row[ORDER_TARGET] = PLACE_KEYS.index(orders["target"]) if orders.get("target") else -1
        row[ORDER_MONITORS] = _flag(orders.get("monitors"))
        row[ORDER_TALKS] = _flag(orders.get("talks"))
    elif actor in BACKERS:
        rates = S.backer_orders[BACKERS.index(actor)]
        rates[ORDER_FIGHTERS] = float(orders.get("fighters", 1.0))
        rates[ORDER_MATERIEL] = float(orders.get("materiel", 1.0))
        rates[ORDER_DRONES] = float(orders.get("drones", 1.0))
        rates[ORDER_INSPECTORS] = float(bool(orders.get("inspectors", False)))
    else:
        row = S.mediator_orders[MEDIATORS.index(actor)]
        row[ORDER_CONVENE] = _flag(orders.get("convene_talks"))
        row[ORDER_PROPOSE_MONITORS] = _flag(orders.get("propose_monitors"))
        pressed = orders.get("press") or ""
        row[ORDER_PRESS] = BACKERS.index(pressed) if pressed else -1
        row[ORDER_GUARANTEES] = _flag(orders.get("guarantees"))


def _flag(value: Any) -> int:
    """An order's yes/no as the compiled day reads it: -1 where no order is given."""
    return -1 if value is None else int(bool(value))
