"""The libyasim model 3.0: the ODD's submodels as compiled functions over arrays, one module
per submodel, run in the ODD's order by `day.run_days`; `LibyaModel` (Mesa) is its face.

Public API (see the team contract): `LibyaModel`, `simulate`, `SERIES_COLUMNS`,
`SERIES_CATEGORIES`, `PLACE_KEYS`, `HOLDER_LABELS`, `END_STATES`, `Event`; orders for human
players in `libyasim.model.orders` (`ACTOR_OPTIONS`, `Option`).
"""

from typing import TYPE_CHECKING, Any

from libyasim.model.config import PLACE_KEYS
from libyasim.model.orders import ACTOR_OPTIONS, Option
from libyasim.model.records import COUNT_COLUMNS, SERIES_CATEGORIES, SERIES_COLUMNS
from libyasim.model.run import END_STATES, simulate
from libyasim.model.state import HOLDER_LABELS, TRUCE_LABELS, Event, Truce

if TYPE_CHECKING:
    from libyasim.model.model import LibyaModel


def __getattr__(name: str) -> Any:
    """`LibyaModel` (and Mesa with it) is imported when first asked for: `simulate`, and the
    ensemble's workers with it, start without Mesa."""
    if name == "LibyaModel":
        from libyasim.model.model import LibyaModel

        return LibyaModel
    raise AttributeError(f"module 'libyasim.model' has no attribute {name!r}")

__all__ = ["ACTOR_OPTIONS", "COUNT_COLUMNS", "END_STATES", "HOLDER_LABELS", "PLACE_KEYS",
           "SERIES_CATEGORIES", "SERIES_COLUMNS", "TRUCE_LABELS", "Event", "LibyaModel", "Option",
           "Truce", "simulate"]
