"""Oil and money: the LNA side can close the oil terminals it holds; the GNA's revenue falls,
its reserves run down and, with them, the salaries that keep its armed groups supplied and in
line. Lifting the blockade is a bargaining chip of the economic track (see mediation)."""

from __future__ import annotations

from libyasim.model.config import LNA, Config
from libyasim.model.state import State, Truce


def update(s: State, cfg: Config, mediation_active: bool) -> None:
    """Impose or lift the blockade; move funds toward revenue; set the share of pay."""
    e = cfg.economy
    holds_oil = s.owner[cfg.map.oil] == LNA
    if s.blockade and (not holds_oil or s.truce == Truce.SETTLED):
        s.blockade = False
        s.log("blockade", "The oil terminals reopen.", "lna", "oil_crescent")
    elif (not s.blockade and e.blockade_enabled and holds_oil and mediation_active
          and not s.blockade_settled and s.truce != Truce.SETTLED
          and s.dice.economy.uniform() < e.blockade_rate):
        s.blockade = True
        s.log("blockade", "LNA-aligned groups close the oil terminals; the GNA's oil revenue "
              "collapses.", "lna", "oil_crescent")
    revenue = e.blockade_revenue if s.blockade else 1.0
    s.funds += (revenue - s.funds) / e.reserve_days
    s.pay = 1.0 - e.salary_weight * (1.0 - s.funds)
