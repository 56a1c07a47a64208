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
seed = whole(0, 2**63 - 1)
port = whole(1, 65535)
MAX_RUNS = int(PARAMS["scenario.runs"].high or 0)  # the documented maximum of scenario.runs
runs = whole(1, MAX_RUNS)
MAX_SAMPLES = 2**16  # design points asked of a sweep or sensitivity analysis
samples = whole(1, MAX_SAMPLES)
levels = whole(2, 101)


def outcome(text: str) -> str:
    """An outcome name (a runs.parquet column) or end_state=NAME; a typo gets "did you mean"."""
    from libyasim import outcomes as registry

    name, _, state = text.partition("=")
    if name == "end_state" and state:
        known = list(registry.get("end_state").categories)
        if state not in known:
            raise argparse.ArgumentTypeError(_unknown("end state", state, known))
        return text
    known = registry.numeric_names()
    if text not in known:
        raise argparse.ArgumentTypeError(_unknown("outcome", text, [*known, "end_state=NAME"]))
    return text


def _unknown(what: str, text: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(text, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown {what} {text!r}; {hint}expected one of {', '.join(known)}"


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
