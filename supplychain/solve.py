"""Solve the leader MILP with HiGHS in lexicographic stages and check the answer.

``objective: {minimize: capability}`` (the default) solves, in order: least capability; then,
holding capability at that optimum, least diplomatic cost; then least economic cost; then fewest
levers. ``{minimize: cost, max_capability: x}`` holds capability ≤ x and minimises diplomatic
cost, then economic cost, then capability, then the lever count. Each stage's optimum is held
(within a small tolerance) while the next is solved.

After the last stage the chosen levers are re-evaluated with the independent follower LP
(:mod:`supplychain.follower`); a disagreement with the MILP's capability is an internal error,
never a silent answer. A stage that stops on the time limit ends the sequence with status
``time_limit``; an infeasible first stage gives ``infeasible``.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import pyomo.environ as pyo
from pyomo.contrib.solver.common.base import SolverBase
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import Results, TerminationCondition

from supplychain.follower import FollowerLP, FollowerSolution, SolverFailure
from supplychain.instance import Instance, Lever
from supplychain.model import ECONOMIC_UNIT, LeaderModel, build_leader_model

CAPABILITY_TOLERANCE = 1e-9
"""How far (relative, at least absolute) a later stage may let capability drift above the
optimum of an earlier stage."""
COST_TOLERANCE = 1e-7
"""Relative slack with which a cost stage's optimum is held in later stages."""
AGREEMENT_TOLERANCE = 1e-6
"""Largest accepted difference between MILP and follower-LP capability."""

SOLVER_OPTIONS = {
    "threads": 1,
    "random_seed": 0,
    "mip_abs_gap": 1e-9,
    "mip_feasibility_tolerance": 1e-9,
    "primal_feasibility_tolerance": 1e-9,
}
"""Pinned for determinism (recorded in every summary's provenance). The feasibility tolerances
are tighter than HiGHS's defaults (1e-6, 1e-7): capability values per unit can be as small as
w_t/(d_t Σw), and at default tolerances the dual constraints may be violated by enough to hide
a thousandth of capability (found by the max-flow interdiction tests)."""


@dataclass(frozen=True)
class Outcome:
    """What a solve produced."""

    status: str
    """optimal | time_limit | infeasible"""
    levers: tuple[Lever, ...]
    capability: float | None
    """Follower-LP capability of the chosen levers (None when infeasible or no incumbent)."""
    bound: float | None
    """Best bound on the first stage's objective (capability; diplomatic cost under
    ``objective: cost``)."""
    mip_gap: float | None
    """Relative gap of the first stage when it ended (at most ``solver.mip_gap`` when
    optimal; None without an incumbent)."""
    diplomatic: float
    economic_usd: float
    follower: FollowerSolution | None
    build_seconds: float
    solve_seconds: float


class InternalError(RuntimeError):
    """The optimiser produced something that fails its own checks."""


def solve(
    instance: Instance,
    follower: FollowerLP,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Optimise (or evaluate) the instance; see the module docstring for the stages.

    ``progress`` receives one line as each stage ends (for people watching a long solve).
    """
    started = time.perf_counter()
    leader = build_leader_model(instance)
    m = leader.model
    build_seconds = time.perf_counter() - started
    if instance.minimize == "capability":
        stages = [("capability", CAPABILITY_TOLERANCE), ("diplomatic", COST_TOLERANCE),
                  ("economic", COST_TOLERANCE), ("lever_count", None)]
    else:
        if instance.max_capability is None:
            raise InternalError("objective 'cost' without max_capability passed validation")
        m.capability_cap = pyo.Constraint(expr=m.capability <= instance.max_capability)
        stages = [("diplomatic", COST_TOLERANCE), ("economic", COST_TOLERANCE),
                  ("capability", CAPABILITY_TOLERANCE), ("lever_count", None)]
    solver = SolverFactory("highs")
    solve_started = time.perf_counter()
    status, bound, gap, first_value = "optimal", None, None, None
    for number, (name, tolerance) in enumerate(stages):
        expression = getattr(m, name)
        objective = pyo.Objective(expr=expression, sense=pyo.minimize)
        m.add_component(f"stage_{number}", objective)
        remaining = None
        if time_limit is not None:
            remaining = max(time_limit - (time.perf_counter() - solve_started), 0.01)
        stage_started = time.perf_counter()
        result = _run(solver, m, remaining, mip_gap)
        stage_status = _status(result)
        if progress is not None:
            progress(f"  stage {number + 1}/{len(stages)} least {name.replace('_', ' ')}: "
                     f"{stage_status} in {time.perf_counter() - stage_started:.2f} s")
        if number == 0:
            bound = None if stage_status == "infeasible" else _bound(result)
            if stage_status == "infeasible" or result.incumbent_objective is None:
                return _no_answer(stage_status, bound, build_seconds, solve_started)
            gap = _gap(result.incumbent_objective, bound)
        elif stage_status == "infeasible":
            raise InternalError(f"tie-breaking stage '{name}' lost the earlier stages' answer")
        if result.incumbent_objective is not None:
            result.solution_loader.load_vars()
        if stage_status != "optimal":
            status = stage_status
            break
        objective.deactivate()
        chosen = tuple(leader.chosen())
        value = _exact_value(name, chosen, instance, follower)
        if number == 0:
            first_value = value
        if tolerance is not None:
            slack = tolerance * max(1.0, abs(value))
            m.add_component(f"hold_{number}", pyo.Constraint(expr=expression <= value + slack))
    chosen = tuple(leader.chosen())
    solve_seconds = time.perf_counter() - solve_started
    return _checked(instance, follower, leader, chosen, status, bound, gap, first_value,
                    build_seconds, solve_seconds)


def _exact_value(
    name: str, chosen: tuple[Lever, ...], instance: Instance, follower: FollowerLP
) -> float:
    """A stage's objective for the rounded lever set, recomputed exactly.

    The MILP's own value can sit a little below it, because binaries are integral only within
    HiGHS's tolerance; holding a stage at the exact value keeps the rounded set feasible for
    the stages that follow.
    """
    if name == "capability":
        return follower.evaluate(chosen).capability
    if name == "lever_count":
        return float(len(chosen))
    diplomatic, economic = instance.cost(chosen)
    return diplomatic if name == "diplomatic" else economic / ECONOMIC_UNIT


def _run(
    solver: SolverBase, m: pyo.ConcreteModel, time_limit: float | None, mip_gap: float
) -> Results:
    options = {**SOLVER_OPTIONS, "mip_rel_gap": mip_gap}
    with noted_interrupts() as interrupted:
        result = solver.solve(
            m,
            time_limit=time_limit,
            solver_options=options,
            load_solutions=False,
            raise_exception_on_nonoptimal_result=False,
        )
    if interrupted:
        raise KeyboardInterrupt
    return result


@contextmanager
def noted_interrupts() -> Iterator[list[int]]:
    """Ctrl-C during a HiGHS solve: highspy cancels the solve on the KeyboardInterrupt and
    swallows it, returning an error status; the signals are noted here so that the caller can
    raise the interrupt again once the solve is back."""
    noted: list[int] = []
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler or (
        threading.current_thread() is not threading.main_thread()
    ):
        yield noted
        return

    def note(number: int, _: FrameType | None) -> None:
        noted.append(number)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def _status(result: Results) -> str:
    condition = result.termination_condition
    if condition == TerminationCondition.convergenceCriteriaSatisfied:
        return "optimal"
    if condition in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit):
        return "time_limit"
    if condition in (
        TerminationCondition.provenInfeasible, TerminationCondition.locallyInfeasible,
        TerminationCondition.infeasibleOrUnbounded,
    ):
        return "infeasible"
    raise InternalError(f"HiGHS stopped with {condition}")


def _bound(result: Results) -> float:
    """HiGHS's best bound, raised to 0: every stage objective (capability, costs, lever
    count) is non-negative, and an early bound from the relaxation may be negative or
    infinite."""
    bound = result.objective_bound
    return 0.0 if bound is None or math.isnan(bound) else max(bound, 0.0)


def _gap(incumbent: float, bound: float) -> float:
    """Relative gap ``(incumbent − bound) / incumbent`` (0 when they meet)."""
    difference = abs(incumbent - bound)
    return 0.0 if difference <= 1e-12 else difference / max(abs(incumbent), 1e-10)


def _no_answer(status: str, bound: float | None, build: float, started: float) -> Outcome:
    return Outcome(status, (), None, bound, None, 0.0, 0.0, None, build,
                   time.perf_counter() - started)


def _checked(
    instance: Instance,
    follower: FollowerLP,
    leader: LeaderModel,
    chosen: tuple[Lever, ...],
    status: str,
    bound: float | None,
    gap: float | None,
    first_value: float | None,
    build_seconds: float,
    solve_seconds: float,
) -> Outcome:
    """Re-evaluate the chosen levers with the follower LP and refuse disagreements."""
    try:
        response = follower.evaluate(chosen)
    except SolverFailure as error:
        raise InternalError(str(error)) from error
    milp_capability = float(pyo.value(leader.model.capability))
    if abs(milp_capability - response.capability) > AGREEMENT_TOLERANCE:
        raise InternalError(
            f"MILP capability {milp_capability:.9f} disagrees with the follower LP's "
            f"{response.capability:.9f} for levers {[lever.label for lever in chosen]}"
        )
    lost_optimum = (
        status == "optimal"
        and instance.minimize == "capability"
        and first_value is not None
        and response.capability > first_value + AGREEMENT_TOLERANCE
    )
    if lost_optimum:
        raise InternalError("tie-breaking stages lost the optimal capability")
    if not instance.is_feasible(chosen, tolerance=1e-6):
        labels = [lever.label for lever in chosen]
        raise InternalError(f"chosen levers break a policy rule: {labels}")
    diplomatic, economic = instance.cost(chosen)
    return Outcome(status, chosen, response.capability, bound, gap, diplomatic, economic,
                   response, build_seconds, solve_seconds)
