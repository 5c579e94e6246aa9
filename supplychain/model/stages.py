"""What the lexicographic stages of :mod:`supplychain.solve.lexicographic` ask of a leader-MILP
backend.

Two backends build the same MILP: :class:`supplychain.model.highs_leader.HighsLeader` passes its
arrays straight to HiGHS (the default), and :class:`supplychain.model.pyomo_leader.PyomoLeader`
writes it in Pyomo (:mod:`supplychain.model.pyomo_model`) and hands it over through Pyomo's
HiGHS interface (the readable reference). Each stage makes one of :data:`OBJECTIVES` the
objective, solves, and holds the optimum as a row for the stages after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from supplychain.model.instance import Lever
from supplychain.status import Status

OBJECTIVES = ("capability", "diplomatic", "economic", "lever_count")
"""The linear expressions a stage may minimise or hold (economic cost in billions of USD)."""


@dataclass(frozen=True)
class StageResult:
    """How one stage's solve ended."""

    status: Status
    incumbent: float | None
    """Objective of the best solution found (None without one)."""
    bound: float | None
    """Best bound on the objective (None when HiGHS has none)."""


class Leader(Protocol):
    """One leader MILP, solved stage by stage."""

    levers: tuple[Lever, ...]

    def minimize(self, objective: str) -> None:
        """Make ``objective`` the one objective of the next :meth:`run`."""

    def hold(self, objective: str, upper: float) -> None:
        """Add the constraint ``objective ≤ upper`` for every later run."""

    def run(self, time_limit: float | None, mip_gap: float, abs_gap: float) -> StageResult:
        """Solve with the current objective (stopping at relative gap ``mip_gap`` or absolute
        gap ``abs_gap``) and load the incumbent, if any."""

    def chosen(self) -> list[Lever]:
        """The levers chosen by the loaded incumbent."""

    def capability(self) -> float:
        """The MILP's capability expression at the loaded incumbent."""

    def write_lp(self, path: Path) -> None:
        """Write the model as it stands (objective and holds included) as an LP file."""
