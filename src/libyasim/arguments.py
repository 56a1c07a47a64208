"""Parsers of command-line values, shared by every subcommand: each turns a bad value into one
plain argparse error ("expected ..., got ...")."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable

from libyasim.params import PARAMS


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """A parser of whole numbers from `low` (to `high`, inclusive)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"expected a number {span}, got {value}")
        return value
    return parse


positive_int = whole(1)
runs = whole(1, int(PARAMS["scenario.runs"].high or 0))  # its documented maximum
seed = whole(0, 2**63 - 1)
port = whole(1, 65535)


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value
