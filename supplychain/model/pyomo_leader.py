"""The Pyomo leader MILP (:mod:`supplychain.model.pyomo_model`) solved through Pyomo's HiGHS
interface.

The reference backend of :mod:`supplychain.model.stages`: the model reads as the mathematics, and
the brute-force tests solve every instance with it as well as with
:class:`supplychain.model.highs_leader.HighsLeader`. Each :meth:`PyomoLeader.run` hands the model to
HiGHS anew through ``pyomo.contrib.solver`` (persistent highspy interface).
"""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition

from supplychain.errors import InternalError
from supplychain.model.instance import Instance, Lever
from supplychain.model.pyomo_model import build_leader_model
from supplychain.model.stages import StageResult
from supplychain.status import Status


class PyomoLeader:
    """Stages over the Pyomo model: one objective component at a time, holds as constraints."""

    def __init__(self, instance: Instance, options: dict[str, float | int]) -> None:
        self.leader = build_leader_model(instance)
        self.levers = instance.levers
        self.options = options
        self.solver = SolverFactory("highs")
        self.objective: pyo.Objective | None = None
        self.holds = 0

    def minimize(self, objective: str) -> None:
        m = self.leader.model
        if self.objective is not None:
            m.del_component(self.objective)
        self.objective = pyo.Objective(expr=getattr(m, objective), sense=pyo.minimize)
        m.add_component("stage_objective", self.objective)

    def hold(self, objective: str, upper: float) -> None:
        m = self.leader.model
        m.add_component(f"hold_{self.holds}", pyo.Constraint(expr=getattr(m, objective) <= upper))
        self.holds += 1

    def run(self, time_limit: float | None, mip_gap: float, abs_gap: float) -> StageResult:
        result = self.solver.solve(
            self.leader.model,
            time_limit=time_limit,
            solver_options={**self.options, "mip_rel_gap": mip_gap, "mip_abs_gap": abs_gap},
            load_solutions=False,
            raise_exception_on_nonoptimal_result=False,
        )
        status = _status(result.termination_condition)
        if result.incumbent_objective is not None:
            result.solution_loader.load_vars()
        bound = None if status == Status.INFEASIBLE else result.objective_bound
        return StageResult(status, result.incumbent_objective, bound)

    def chosen(self) -> list[Lever]:
        return self.leader.chosen()

    def capability(self) -> float:
        return float(pyo.value(self.leader.model.capability))

    def write_lp(self, path: Path) -> None:
        """Write the Pyomo model as an LP file, with the model's own component names."""
        self.leader.model.write(str(path), io_options={"symbolic_solver_labels": True})


def _status(condition: TerminationCondition) -> Status:
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        return Status.OPTIMAL
    if condition in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit):
        return Status.TIME_LIMIT
    if condition in (
        TerminationCondition.provenInfeasible,
        TerminationCondition.locallyInfeasible,
        TerminationCondition.infeasibleOrUnbounded,
    ):
        return Status.INFEASIBLE
    raise InternalError(f"HiGHS stopped with {condition}")
