"""How a solve ended, as every stage, result file and report names it."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The end of a solve: its value is what ``summary.json`` and the CSV files hold."""

    OPTIMAL = "optimal"
    """Proven optimal (within the scenario's ``solver.mip_gap``), tie-breaks included."""
    TIME_LIMIT = "time_limit"
    """Stopped by the time limit; the best policy found, if any, is not proven optimal."""
    INFEASIBLE = "infeasible"
    """No policy satisfies the pins, the policy rules and the budgets."""
