"""Key places of January 2020 and the roads between them (drawn by `libyasim.maps`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

POP_SOURCE = "rounded public estimate (Libyan Bureau of Statistics projections; citypopulation.de)"


@dataclass(frozen=True)
class Place:
    """A key place: its position, day-0 holder and population."""

    key: str
    name: str
    lat: float
    lon: float
    holder: str  # "gna", "wag", "lna" or "unaligned"
    population: int
    urban: bool
    holder_source: str
    contested: bool = False  # both sides have forces there on day 0
    population_source: str = POP_SOURCE


PLACES: tuple[Place, ...] = (
    Place("tripoli", "Tripoli", 32.89, 13.19, "gna", 1_100_000, True,
          "seat of the GNA (UN-recognised since 2015)"),
    Place("tripoli_south", "Southern Tripoli front", 32.75, 13.15, "lna", 300_000, True,
          "Ain Zara, Salah al-Din, Qasr Ben Gashir: contested; LNA 'only a few kilometers from "
          "the center' (article)", contested=True),
    Place("zawiya", "Zawiya", 32.76, 12.73, "wag", 200_000, True, "Zawiya brigades back the GNA"),
    Place("zuwara", "Zuwara", 32.93, 12.08, "wag", 60_000, True, "Amazigh forces aligned with GNA"),
    Place("sabratha", "Sabratha", 32.79, 12.49, "lna", 100_000, True,
          "LNA-allied local forces"),
    Place("surman", "Surman", 32.76, 12.57, "lna", 60_000, True,
          "LNA-allied local forces"),
    Place("watiya", "al-Watiya air base", 32.47, 11.90, "lna", 0, False,
          "LNA-held air base"),
    Place("gharyan", "Gharyan", 32.17, 13.02, "wag", 170_000, True,
          "retaken for the GNA on 26 June 2019"),
    Place("tarhuna", "Tarhuna", 32.43, 13.63, "lna", 100_000, True,
          "Kaniyat brigade allied with the LNA since April 2019"),
    Place("bani_walid", "Bani Walid", 31.76, 13.98, "unaligned", 100_000, True,
          "unaligned town, declared neutrality"),
    Place("misrata", "Misrata", 32.38, 15.09, "wag", 400_000, True,
          "strongest western brigades (Misrata)"),
    Place("abu_grein", "Abu Grein", 31.45, 15.25, "wag", 5_000, False,
          "GNA front line south of Misrata"),
    Place("sirte", "Sirte", 31.21, 16.59, "lna", 80_000, True, "LNA took Sirte on 6 January 2020"),
    Place("jufra", "Jufra air base", 29.12, 15.95, "lna", 50_000, False,
          "LNA air base and logistics hub"),
    Place("oil_crescent", "Oil crescent (Ras Lanuf, Brega)", 30.50, 18.55, "lna", 60_000, False,
          "LNA held the oil terminals since 2016"),
    Place("ajdabiya", "Ajdabiya", 30.76, 20.23, "lna", 150_000, True, "LNA-held"),
    Place("benghazi", "Benghazi", 32.12, 20.09, "lna", 700_000, True,
          "taken by Haftar's forces in 2014-2017"),
    Place("tobruk", "Tobruk", 32.08, 23.96, "lna", 140_000, True,
          "seat of the House of Representatives and the interim government"),
    Place("sabha", "Sabha", 27.04, 14.43, "lna", 130_000, True, "LNA-aligned since early 2019"),
)

ROADS: tuple[tuple[str, str], ...] = (
    ("zuwara", "sabratha"), ("sabratha", "surman"), ("surman", "zawiya"), ("zawiya", "tripoli"),
    ("tripoli", "tripoli_south"), ("tripoli", "misrata"), ("tripoli_south", "gharyan"),
    ("tripoli_south", "tarhuna"), ("gharyan", "tarhuna"), ("watiya", "gharyan"),
    ("watiya", "zuwara"), ("tarhuna", "bani_walid"), ("bani_walid", "jufra"),
    ("misrata", "abu_grein"), ("abu_grein", "sirte"), ("sirte", "jufra"), ("jufra", "sabha"),
    ("sirte", "oil_crescent"), ("oil_crescent", "ajdabiya"), ("ajdabiya", "benghazi"),
    ("benghazi", "tobruk"),
)

# Where each side's supplies land: ports and air bases (UN Panel of Experts reports, 2019-2021:
# Mitiga airport and Misrata for the GNA side; Benghazi and the al-Jufra air base for the LNA).
SUPPLY_HUBS: dict[str, tuple[str, ...]] = {"gna": ("tripoli", "misrata"), "lna": ("benghazi", "jufra")}

def place_lists(text: str, owners: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Places by owner from a text such as 'egypt: tobruk, benghazi; turkey: tripoli' (the
    registry's way of writing them); a ValueError names an unknown owner or place."""
    out: dict[str, tuple[str, ...]] = {}
    for part in filter(None, (x.strip() for x in text.split(";"))):
        owner, _, places = (x.strip() for x in part.partition(":"))
        if owner not in owners:
            raise ValueError(f"unknown name {owner!r} before ':'; expected one of "
                             + ", ".join(owners))
        out[owner] = out.get(owner, ()) + place_keys(places, f" for {owner}")
    return out


def place_keys(text: str, where: str = "") -> tuple[str, ...]:
    """Place keys from a text such as 'gharyan, sirte' (the registry's way of writing a list of
    places); a ValueError names an unknown place (and `where` it was written)."""
    keys = {p.key for p in PLACES}
    named = tuple(filter(None, (x.strip() for x in text.split(","))))
    unknown = [x for x in named if x not in keys]
    if unknown:
        raise ValueError(f"unknown place {unknown[0]!r}{where}; expected place keys separated by "
                         "commas, such as " + ", ".join(sorted(keys)[:4])
                         + " (see `libyasim params`)")
    return named


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))
