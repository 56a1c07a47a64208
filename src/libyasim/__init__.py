"""libyasim: agent-based Monte Carlo simulation of ceasefire dynamics in Libya (January 2020 on).

The notebook API (`libyasim.api`) is available at the top level, imported on first use::

    import libyasim as ly
    base = ly.run("scenarios/baseline.toml", runs=100)
"""

from typing import Any

__version__ = "3.0.0.dev0"

_API = ("Results", "Comparison", "load", "load_comparison", "run", "compare", "summary",
        "scenario_summary", "end_states",
        "survival", "differences", "logrank", "outcome_means", "plot_survival",
        "plot_distributions", "plot_end_states", "plot_fans", "plot_map", "plot_differences",
        "explore", "load_exploration", "explain", "plot_explanation", "mechanism_table")


def __getattr__(name: str) -> Any:
    if name in _API:  # lazy, so that the command line starts without loading the plotting stack
        from libyasim import api

        return getattr(api, name)
    raise AttributeError(f"module 'libyasim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
