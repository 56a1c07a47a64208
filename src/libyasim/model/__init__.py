"""The libyasim model 3.0: the ODD's submodels as compiled functions over arrays, one module
per submodel, run in the ODD's order by `day.run_days`; `LibyaModel` (Mesa) is its face.

Public API (see the team contract): `LibyaModel`, `simulate`, `SERIES_COLUMNS`,
`SERIES_CATEGORIES`, `PLACE_KEYS`, `HOLDER_LABELS`, `END_STATES`, `Event`; orders for human
players in `libyasim.model.orders` (`ACTOR_OPTIONS`, `Option`).
"""

from libyasim.model.config import PLACE_KEYS
from libyasim.model.model import END_STATES, LibyaModel, simulate
from libyasim.model.orders import ACTOR_OPTIONS, Option
from libyasim.model.records import COUNT_COLUMNS, SERIES_CATEGORIES, SERIES_COLUMNS
from libyasim.model.state import HOLDER_LABELS, TRUCE_LABELS, Event, Truce

__all__ = ["ACTOR_OPTIONS", "COUNT_COLUMNS", "END_STATES", "HOLDER_LABELS", "PLACE_KEYS",
           "SERIES_CATEGORIES", "SERIES_COLUMNS", "TRUCE_LABELS", "Event", "LibyaModel", "Option",
           "Truce", "simulate"]
