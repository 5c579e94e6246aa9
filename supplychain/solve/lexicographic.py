"""Solve the leader MILP with HiGHS in lexicographic stages and check the answer.

``objective: {minimize: capability}`` (the default) solves, in order: least capability; then,
holding capability at that optimum, least diplomatic cost; then least economic cost; then fewest
levers. ``{minimize: cost, max_capability: x}`` holds capability ≤ x and minimises diplomatic
cost, then economic cost, then capability, then the lever count. Each stage's optimum is held
(within a small tolerance) while the next is solved.

The MILP reaches HiGHS through one of two backends behind :class:`supplychain.model.stages.Leader`
(:data:`BACKENDS`): arrays built directly for highspy (the default; each stage starts from the
previous stage's solution) or the Pyomo model. A stage whose objective moves in known steps
(lever counts by 1; diplomatic costs by the gcd of the levers' costs, see
:func:`objective_step`) stops once its gap is below half a step, which proves its optimum
exactly; the others stop at an absolute gap of 10⁻⁹.

After the last stage the chosen levers are re-evaluated with the independent follower LP
(:mod:`supplychain.model.follower`); a disagreement with the MILP's capability is an internal error,
never a silent answer. A stage that stops on the time limit (or another HiGHS limit) ends the
sequence with status ``time_limit`` and the best levers so far, whichever stage it is; the
MILP's capability of levers chosen before capability was minimised is only an upper bound on
the adversary's (see :func:`_checked`). An infeasible first stage gives ``infeasible``.
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

from supplychain.errors import InternalError, SolverError
from supplychain.model.follower import FollowerLP, FollowerSolution
from supplychain.model.formulation import ECONOMIC_UNIT
from supplychain.model.highs_leader import HighsLeader
from supplychain.model.instance import Instance, Lever
from supplychain.model.stages import Leader, StageResult
from supplychain.status import Status

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

DECIMAL_SCALE = 1_000_000
"""Diplomatic costs are compared as whole multiples of 10⁻⁶ (see :func:`objective_step`)."""

BACKENDS = ("highs", "pyomo")
"""How the MILP reaches HiGHS (:mod:`supplychain.model.stages`): ``highs`` builds its arrays
directly and starts each stage from the previous solution; ``pyomo`` is the Pyomo model of
:mod:`supplychain.model.pyomo_model`. Both give the same optimum; ``highs`` is the faster."""


@dataclass(frozen=True)
class Outcome:
    """What a solve produced."""

    status: Status
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
    backend: str
    """The MILP backend that solved it (one of :data:`BACKENDS`)."""


def solve(
    instance: Instance,
    follower: FollowerLP,
    time_limit: float | None = None,
    mip_gap: float = 0.0,
    progress: Callable[[str], None] | None = None,
    backend: str = "highs",
) -> Outcome:
    """Optimise (or evaluate) the instance; see the module docstring for the stages.

    ``progress`` receives one line as each stage ends (for people watching a long solve);
    ``backend`` is one of :data:`BACKENDS`.
    """
    started = time.perf_counter()
    leader = build_leader(instance, backend)
    build_seconds = time.perf_counter() - started
    if instance.minimize == "capability":
        stages = [
            ("capability", CAPABILITY_TOLERANCE),
            ("diplomatic", COST_TOLERANCE),
            ("economic", COST_TOLERANCE),
            ("lever_count", None),
        ]
    else:
        if instance.max_capability is None:
            raise InternalError("objective 'cost' without max_capability passed validation")
        leader.hold("capability", instance.max_capability)
        stages = [
            ("diplomatic", COST_TOLERANCE),
            ("economic", COST_TOLERANCE),
            ("capability", CAPABILITY_TOLERANCE),
            ("lever_count", None),
        ]
    solve_started = time.perf_counter()
    status, bound, gap, first_value = Status.OPTIMAL, None, None, None
    capability_proven = False
    for number, (name, tolerance) in enumerate(stages):
        leader.minimize(name)
        remaining = None
        if time_limit is not None:
            remaining = max(time_limit - (time.perf_counter() - solve_started), 0.01)
        stage_started = time.perf_counter()
        step = objective_step(name, instance)
        result = _run(
            leader, remaining, mip_gap, SOLVER_OPTIONS["mip_abs_gap"] if step is None else step / 2
        )
        if progress is not None:
            progress(
                f"  stage {number + 1}/{len(stages)} least {name.replace('_', ' ')}: "
                f"{result.status} in {time.perf_counter() - stage_started:.2f} s"
            )
        if number == 0:
            bound = None if result.status == Status.INFEASIBLE else _bound(result.bound, step)
            if bound is None or result.incumbent is None:
                return _no_answer(result.status, bound, build_seconds, solve_started, backend)
            gap = _gap(result.incumbent, bound)
        elif result.status == Status.INFEASIBLE:
            raise InternalError(f"tie-breaking stage '{name}' lost the earlier stages' answer")
        if result.status != Status.OPTIMAL:
            status = result.status
            break
        chosen = tuple(leader.chosen())
        value = _exact_value(name, chosen, instance, follower)
        if number == 0:
            first_value = value
        capability_proven = capability_proven or name == "capability"
        if tolerance is not None:
            leader.hold(name, value + tolerance * max(1.0, abs(value)))
    chosen = tuple(leader.chosen())
    solve_seconds = time.perf_counter() - solve_started
    return _checked(
        instance,
        follower,
        leader,
        chosen,
        status,
        bound,
        gap,
        first_value,
        capability_proven,
        (build_seconds, solve_seconds),
        backend,
    )


def build_leader(instance: Instance, backend: str = "highs") -> Leader:
    """The leader MILP of ``instance`` built by ``backend`` (one of :data:`BACKENDS`).

    Pyomo is imported only when its backend is asked for: the import takes ~0.4 s, a good
    part of the curated world's whole run."""
    if backend == "highs":
        return HighsLeader(instance, SOLVER_OPTIONS)
    if backend == "pyomo":
        from supplychain.model.pyomo_leader import PyomoLeader

        return PyomoLeader(instance, SOLVER_OPTIONS)
    raise ValueError(f"unknown MILP backend {backend!r} (one of {', '.join(BACKENDS)})")


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


def objective_step(objective: str, instance: Instance) -> float | None:
    """The least difference between two distinct values of a stage objective, when known.

    Lever counts are whole numbers. Diplomatic costs of lever sets are sums of the levers'
    costs, so when every cost is a decimal of at most six places they are multiples of
    g = gcd(costs) (as multiples of 10⁻⁶). A stage whose gap is below half its step has
    proven its optimum exactly, so it stops there instead of chasing the last 10⁻⁹ that
    tight feasibility tolerances leave in the bound.
    """
    if objective == "lever_count":
        return 1.0
    if objective != "diplomatic":
        return None
    micro_units = []
    for cost in instance.diplomatic_cost.values():
        scaled = round(cost * DECIMAL_SCALE)
        if abs(scaled - cost * DECIMAL_SCALE) > 1e-3:
            return None
        micro_units.append(scaled)
    step = math.gcd(*micro_units)
    return step / DECIMAL_SCALE if step else None


INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""Ctrl-C, and SIGTERM, which the command line turns into the same ``KeyboardInterrupt``."""


def _run(leader: Leader, time_limit: float | None, mip_gap: float, abs_gap: float) -> StageResult:
    """One stage's solve; an interrupt during it is raised, also in place of the error that
    the solve, cut short, may have ended in instead (Pyomo reports a solver error)."""
    with noted_interrupts() as interrupted:
        try:
            return leader.run(time_limit, mip_gap, abs_gap)
        finally:
            if interrupted:
                raise interrupted[0]


@contextmanager
def noted_interrupts() -> Iterator[list[BaseException]]:
    """An interrupt during a HiGHS solve: raised inside one of highspy's callbacks (Pyomo
    always has some), the ``KeyboardInterrupt`` cancels the solve and is swallowed, and the
    solve ends in an error status. Each of :data:`INTERRUPT_SIGNALS` with a Python handler
    (SIGINT's default raises ``KeyboardInterrupt``; the command line's SIGTERM handler does
    too) is wrapped here so that what the handler raises is noted, for the caller to raise
    again once the solve is back. Signals that are ignored or left to the system are not
    touched."""
    noted: list[BaseException] = []
    if threading.current_thread() is not threading.main_thread():
        yield noted
        return
    previous: dict[int, Callable[[int, FrameType | None], object]] = {}
    for candidate in INTERRUPT_SIGNALS:
        handler = signal.getsignal(candidate)
        if callable(handler):
            previous[candidate] = handler

    def note(number: int, frame: FrameType | None) -> None:
        try:
            previous[number](number, frame)
        except BaseException as raised:
            noted.append(raised)
            raise

    for interrupt in previous:
        signal.signal(interrupt, note)
    try:
        yield noted
    finally:
        for interrupt, handler in previous.items():
            signal.signal(interrupt, handler)


def _bound(bound: float | None, step: float | None) -> float:
    """HiGHS's best bound, raised to 0 (every stage objective is non-negative, and an early
    bound from the relaxation may be negative or infinite) and, for an objective whose
    values are multiples of ``step``, to the next multiple (less 10⁻⁶ steps of noise)."""
    if bound is None or math.isnan(bound) or bound <= 0.0:
        return 0.0
    if step is None or math.isinf(bound):
        return bound
    return step * math.ceil(bound / step - 1e-6)


def _gap(incumbent: float, bound: float) -> float:
    """Relative gap ``(incumbent − bound) / incumbent`` (0 when they meet)."""
    difference = abs(incumbent - bound)
    return 0.0 if difference <= 1e-12 else difference / max(abs(incumbent), 1e-10)


def _no_answer(
    status: Status, bound: float | None, build: float, started: float, backend: str
) -> Outcome:
    return Outcome(
        status, (), None, bound, None, 0.0, 0.0, None, build, time.perf_counter() - started, backend
    )


def _checked(
    instance: Instance,
    follower: FollowerLP,
    leader: Leader,
    chosen: tuple[Lever, ...],
    status: Status,
    bound: float | None,
    gap: float | None,
    first_value: float | None,
    capability_proven: bool,
    seconds: tuple[float, float],
    backend: str,
) -> Outcome:
    """Re-evaluate the chosen levers with the follower LP and refuse disagreements.

    The MILP prices the levers with the adversary's dual LP, so by weak duality its capability
    is never below the follower's; it equals it only once a stage has minimised capability
    (``capability_proven``) and held it. Before that (``objective: cost`` stopped in its cost
    stages, or any first stage stopped by its limit) the dual values are merely feasible and the
    MILP's capability may lie above the follower's: only a value below it is a disagreement.
    """
    try:
        response = follower.evaluate(chosen)
    except SolverError as error:
        raise InternalError(str(error)) from error
    milp_capability = leader.capability()
    excess = milp_capability - response.capability
    if excess < -AGREEMENT_TOLERANCE or (capability_proven and excess > AGREEMENT_TOLERANCE):
        raise InternalError(
            f"MILP capability {milp_capability:.9f} disagrees with the follower LP's "
            f"{response.capability:.9f} for levers {[lever.label for lever in chosen]}"
        )
    lost_optimum = (
        status == Status.OPTIMAL
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
    return Outcome(
        status,
        chosen,
        response.capability,
        bound,
        gap,
        diplomatic,
        economic,
        response,
        *seconds,
        backend,
    )
