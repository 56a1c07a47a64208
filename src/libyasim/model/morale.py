"""Morale and supply: each faction's supply moves toward what depots, deliveries and paid
salaries sustain; losses and lost places lower morale, captures raise it; forces without
supply or morale erode (equations in `Faction.resupply`, `update_morale` and `erode`)."""

from __future__ import annotations

from libyasim.model.agents import Faction


def update(factions: list[Faction]) -> None:
    """Resupply, then morale, then erosion, for every faction (in the agents' order)."""
    for faction in factions:
        faction.recover()
