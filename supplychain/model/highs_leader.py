"""The leader MILP of :mod:`supplychain.model.pyomo_model`, built directly as HiGHS arrays.

Same columns, rows and stage objectives as the Pyomo formulation (its module docstring states
the mathematics); only the way of handing them to HiGHS differs. Columns, in this order:

.. math::

    z_l \\in \\{0,1\\},\\quad 0 \\le u_j \\le U_j,\\quad 0 \\le π_g \\le U_{i(g)},\\quad
    0 \\le δ_t \\le \\frac{w_t}{d_t Σw},\\quad 0 \\le w_c \\le M_c,\\quad
    0 \\le covered_g \\le 1 .

Rows: ``route_dual`` :math:`\\sum_j q_{g,j} u_j - u_{i(g)} + π_g \\ge 0` per route class,
``unlimited_route_dual`` (no π) per uncapacitated route, ``target_dual``
:math:`u_t + δ_t \\ge w_t/(d_t Σw)`, ``cover_switch`` :math:`w_c - M_c z_l \\le 0`,
``cover_share`` :math:`\\sum_{c \\text{ on } g} w_c - π_g \\le 0`, ``covered_when_on``
:math:`covered_g - \\sum_{l \\in L_c} z_l \\ge 1 - |L_c|`, the policy rules
(:math:`z_a \\le z_b`, :math:`z_a = z_b`) and the budgets.

Why a second builder: Pyomo writes the model through its expression system and hands it to
HiGHS stage by stage; at 10k routes and more that hand-over costs seconds per stage and Pyomo
keeps the HiGHS object private, so a stage cannot start from the previous stage's solution.
Here the matrix is made once from index arrays, each stage only swaps the objective vector
and appends the row that holds the previous optimum, and every stage is handed the previous
solution as a MIP start (it stays feasible: the new row holds exactly its value). The
brute-force tests solve every instance with both builders.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np

from supplychain.errors import InternalError
from supplychain.model.formulation import (
    ECONOMIC_UNIT,
    RouteClass,
    dual_bounds,
    fixed_levers,
    route_classes,
)
from supplychain.model.instance import Instance, Lever
from supplychain.model.quiet_highs import quiet_highs
from supplychain.model.stages import StageResult
from supplychain.status import Status

THREADED_NONZEROS = 50_000
"""Models with at least this many nonzeros are solved in a thread of HiGHS's own, so that
Ctrl-C stops a long stage at once; smaller ones (milliseconds to a second a stage) run in the
calling thread, which saves the few milliseconds a thread hand-off costs per stage, and an
interrupt is seen when the stage returns."""

Terms = dict[int, float]
"""A linear expression: coefficient by column."""


@dataclass
class _Rows:
    """Rows collected in compressed row form."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def add(self, terms: Terms, lower: float, upper: float) -> None:
        self.starts.append(len(self.indices))
        for column in sorted(terms):
            self.indices.append(column)
            self.values.append(terms[column])
        self.lower.append(lower)
        self.upper.append(upper)


@dataclass
class _Columns:
    """Columns collected with their bounds and names; :meth:`block` returns the first index."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    """``symbol(index)`` per column, as the Pyomo model names it (for LP files only)."""

    def block(self, symbol: str, keys: list[str], lower: list[float], upper: list[float]) -> int:
        first = len(self.lower)
        self.lower.extend(lower)
        self.upper.extend(upper)
        self.names.extend(f"{symbol}({key.replace(':', '_')})" for key in keys)
        return first


def _keys(block: Sequence[object]) -> list[str]:
    """Positions ``0 … n−1`` of a block's members, as column-name keys."""
    return [str(position) for position in range(len(block))]


class HighsLeader:
    """The leader MILP as one HiGHS model, solved in stages (see
    :mod:`supplychain.solve.lexicographic`)."""

    def __init__(self, instance: Instance, options: dict[str, float | int]) -> None:
        self.levers = instance.levers
        bound = dual_bounds(instance)
        classes = route_classes(instance)
        lever_index = {lever: i for i, lever in enumerate(instance.levers)}
        covers = [
            (g, residual, tuple(lever_index[lever] for lever in levers))
            for g, group in enumerate(classes)
            for residual, levers in group.covers
        ]
        coverable = sorted({g for g, _, _ in covers})
        columns = _Columns()
        self.z = columns.block(
            "z", [lever.label for lever in instance.levers], *_lever_bounds(instance, lever_index)
        )
        items = list(instance.items)
        u = columns.block("u", items, [0.0] * len(items), [bound[j] for j in items])
        pi = columns.block(
            "pi", _keys(classes), [0.0] * len(classes), [bound[group.item] for group in classes]
        )
        delta = columns.block(
            "delta",
            [target.item for target in instance.targets],
            [0.0] * len(instance.targets),
            [target.value for target in instance.targets],
        )
        big_m = [bound[classes[g].item] for g, _, _ in covers]
        w = columns.block("w", _keys(covers), [0.0] * len(covers), big_m)
        covered = columns.block(
            "covered", [str(g) for g in coverable], [0.0] * len(coverable), [1.0] * len(coverable)
        )
        self.column_names = columns.names
        covered_of = {g: covered + position for position, g in enumerate(coverable)}
        item_column = {item: u + j for j, item in enumerate(instance.items)}

        rows = _Rows()
        for g, group in enumerate(classes):
            terms = _consumption(group.inputs, item_column)
            terms[item_column[group.item]] = terms.get(item_column[group.item], 0.0) - 1.0
            terms[pi + g] = 1.0
            rows.add(terms, 0.0, math.inf)
        for route in instance.routes:
            if route.capacity is None:
                terms = _consumption(route.inputs if route.domestic else (), item_column)
                terms[item_column[route.item]] = terms.get(item_column[route.item], 0.0) - 1.0
                rows.add(terms, 0.0, math.inf)
        for t, target in enumerate(instance.targets):
            rows.add({item_column[target.item]: 1.0, delta + t: 1.0}, target.value, math.inf)
        covers_on: dict[int, list[int]] = {}
        for c, (g, _, levers) in enumerate(covers):
            for lever in levers:
                rows.add({w + c: 1.0, self.z + lever: -big_m[c]}, -math.inf, 0.0)
            covers_on.setdefault(g, []).append(w + c)
        for g in coverable:
            rows.add({**dict.fromkeys(covers_on[g], 1.0), pi + g: -1.0}, -math.inf, 0.0)
        for g, _, levers in covers:
            terms = {covered_of[g]: 1.0}
            for lever in levers:
                terms[self.z + lever] = terms.get(self.z + lever, 0.0) - 1.0
            rows.add(terms, 1.0 - len(levers), math.inf)
        for a, b in instance.requires:
            rows.add({self.z + lever_index[a]: 1.0, self.z + lever_index[b]: -1.0}, -math.inf, 0.0)
        for a, b in instance.same:
            rows.add({self.z + lever_index[a]: 1.0, self.z + lever_index[b]: -1.0}, 0.0, 0.0)

        self.objectives: dict[str, Terms] = {
            "capability": _capability(classes, covers, instance, pi, w, delta),
            "diplomatic": {
                self.z + i: instance.diplomatic_cost[lever] for lever, i in lever_index.items()
            },
            "economic": {
                **{covered_of[g]: classes[g].economic_usd / ECONOMIC_UNIT for g in coverable},
                **{
                    self.z + i: instance.economic_cost[lever] / ECONOMIC_UNIT
                    for lever, i in lever_index.items()
                },
            },
            "lever_count": {self.z + i: 1.0 for i in range(len(instance.levers))},
        }
        if instance.levers and instance.budget_diplomatic is not None:
            rows.add(self.objectives["diplomatic"], -math.inf, instance.budget_diplomatic)
        if instance.levers and instance.budget_economic is not None:
            rows.add(
                self.objectives["economic"], -math.inf, instance.budget_economic / ECONOMIC_UNIT
            )
        self.highs = _highs_model(columns, rows, len(instance.levers), options)
        self.cost = np.zeros(self.highs.getNumCol())
        self.values: np.ndarray | None = None
        self.start: highspy.HighsSolution | None = None

    def minimize(self, objective: str) -> None:
        """Make ``objective`` (one of :data:`~supplychain.model.stages.OBJECTIVES`) the
        objective."""
        cost = np.zeros(self.highs.getNumCol())
        for column, coefficient in self.objectives[objective].items():
            cost[column] += coefficient
        self.highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self.cost = cost

    def hold(self, objective: str, upper: float) -> None:
        """Add the row ``objective ≤ upper``."""
        terms = self.objectives[objective]
        indices = np.array(sorted(terms), dtype=np.int32)
        values = np.array([terms[column] for column in indices], dtype=float)
        self.highs.addRow(-math.inf, upper, len(indices), indices, values)

    def run(self, time_limit: float | None, mip_gap: float, abs_gap: float) -> StageResult:
        """Solve the current stage, starting from the last incumbent when there is one; a
        stage that ends without a solution of its own (say, stopped by the time limit before
        it read its start) leaves the previous stage's solution loaded.

        HiGHS 1.16 can return the MIP start itself, unchanged, with the objective of the
        better point presolve mapped it to (seen on the example world's lever-count stage).
        The returned solution's objective is therefore recomputed; when it disagrees with
        the reported one the stage is solved again without a start. HiGHS 1.16 can also end a
        started solve with a solve error that the same model without the start does not give
        (seen on a 4-lever world's diplomatic stage); that stage too is solved again without
        the start. Either way the answer is the model's own optimum, the start only a hint.
        """
        started = time.perf_counter()
        result = self._solve(time_limit, mip_gap, abs_gap, self.start)
        if (result is None or not self._consistent(result)) and self.start is not None:
            self.highs.clearSolver()
            if time_limit is not None:
                time_limit = max(time_limit - (time.perf_counter() - started), 0.01)
            result = self._solve(time_limit, mip_gap, abs_gap, None)
        if result is None:
            raise InternalError("HiGHS stopped with kSolveError")
        if not self._consistent(result):
            raise InternalError(
                "HiGHS returned a solution whose objective is not the one it reports"
            )
        if self.values is not None:
            self.start = _start(self.values)
        return result

    def _solve(
        self,
        time_limit: float | None,
        mip_gap: float,
        abs_gap: float,
        start: highspy.HighsSolution | None,
    ) -> StageResult | None:
        """One HiGHS solve of the current stage; None when HiGHS ends in a solve error."""
        highs = self.highs
        highs.setOptionValue("time_limit", math.inf if time_limit is None else time_limit)
        highs.setOptionValue("mip_rel_gap", mip_gap)
        highs.setOptionValue("mip_abs_gap", abs_gap)
        if start is not None:
            highs.setSolution(start)
        if highs.getNumNz() >= THREADED_NONZEROS:
            _run_interruptibly(highs)
        else:
            highs.run()
        if highs.getModelStatus() == highspy.HighsModelStatus.kSolveError:
            return None
        status = _status(highs.getModelStatus())
        info = highs.getInfo()
        if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
            return StageResult(
                status, None, None if status == Status.INFEASIBLE else _bound(info, None)
            )
        self.values = np.array(highs.getSolution().col_value)
        incumbent = float(info.objective_function_value)
        return StageResult(
            status, incumbent, _bound(info, incumbent if status == Status.OPTIMAL else None)
        )

    def _consistent(self, result: StageResult) -> bool:
        """Whether the loaded solution has the objective HiGHS reports (a stage that found no
        solution leaves the previous stage's loaded)."""
        if self.values is None or result.incumbent is None:
            return True
        value = float(np.dot(self.cost, self.values))
        return abs(value - result.incumbent) <= 1e-9 * max(1.0, abs(result.incumbent))

    def chosen(self) -> list[Lever]:
        """Levers whose binary is 1 in the last incumbent."""
        if self.values is None:
            return []
        return [lever for i, lever in enumerate(self.levers) if self.values[self.z + i] > 0.5]

    def write_lp(self, path: Path) -> None:
        """Write the HiGHS model as an LP file: columns named as in the Pyomo model (a
        lever's ``:`` written ``_``), rows by position."""
        for column, name in enumerate(self.column_names):
            self.highs.passColName(column, name)
        self.highs.writeModel(str(path))

    def capability(self) -> float:
        """The capability objective at the last incumbent."""
        if self.values is None:
            raise InternalError("no incumbent to read the capability of")
        return sum(
            coefficient * float(self.values[column])
            for column, coefficient in self.objectives["capability"].items()
        )


def _lever_bounds(instance: Instance, index: dict[Lever, int]) -> tuple[list[float], list[float]]:
    """Bounds of the binaries: 0..1, fixed levers (:func:`fixed_levers`) at their value."""
    lower, upper = [0.0] * len(index), [1.0] * len(index)
    for lever, value in fixed_levers(instance).items():
        lower[index[lever]] = upper[index[lever]] = value
    return lower, upper


def _consumption(inputs: tuple[tuple[str, float], ...], item_column: dict[str, int]) -> Terms:
    terms: Terms = {}
    for item, quantity in inputs:
        terms[item_column[item]] = terms.get(item_column[item], 0.0) + quantity
    return terms


def _capability(
    classes: tuple[RouteClass, ...],
    covers: list[tuple[int, float, tuple[int, ...]]],
    instance: Instance,
    pi: int,
    w: int,
    delta: int,
) -> Terms:
    """:math:`\\sum_g cap_g π_g - \\sum_c cap_g (1-ρ_c) w_c + \\sum_t d_t δ_t`."""
    terms: Terms = {pi + g: group.capacity for g, group in enumerate(classes)}
    for c, (g, residual, _) in enumerate(covers):
        terms[w + c] = -classes[g].capacity * (1.0 - residual)
    for t, target in enumerate(instance.targets):
        terms[delta + t] = target.demand
    return terms


def _highs_model(
    columns: _Columns, rows: _Rows, binaries: int, options: dict[str, float | int]
) -> highspy.Highs:
    lp = highspy.HighsLp()
    lp.num_col_ = len(columns.lower)
    lp.num_row_ = len(rows.lower)
    lp.col_cost_ = np.zeros(lp.num_col_)
    lp.col_lower_ = np.array(columns.lower, dtype=float)
    lp.col_upper_ = np.array(columns.upper, dtype=float)
    lp.row_lower_ = np.array(rows.lower, dtype=float)
    lp.row_upper_ = np.array(rows.upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array([*rows.starts, len(rows.indices)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(rows.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(rows.values, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * binaries + [
        highspy.HighsVarType.kContinuous
    ] * (lp.num_col_ - binaries)
    highs = quiet_highs()
    for name, value in options.items():
        highs.setOptionValue(name, value)
    if highs.passModel(lp) == highspy.HighsStatus.kError:
        raise InternalError(
            "HiGHS refused the leader MILP: a coefficient above 1e15 (the inputs' ranges "
            "compound, e.g. a small demand with a chain of small input quantities)"
        )
    return highs


def _run_interruptibly(highs: highspy.Highs) -> None:
    """Run HiGHS in its own thread, so that Ctrl-C is seen during a long solve: the solve is
    cancelled, waited for, and the interrupt raised again (highspy's own ``solve`` would
    print to standard output and swallow it). ``cancelSolve`` stops the solve only through
    highspy's user-interrupt callbacks, which are off until ``HandleUserInterrupt`` is set."""
    highs.HandleUserInterrupt = True
    highs.startSolve()
    try:
        while not highs.wait(0.1)[0]:
            pass
    except KeyboardInterrupt:
        highs.cancelSolve()  # type: ignore[no-untyped-call]  # unannotated in highspy
        while not highs.wait(0.1)[0]:
            pass
        raise


def _start(values: np.ndarray) -> highspy.HighsSolution:
    start = highspy.HighsSolution()
    start.col_value = list(values)
    start.value_valid = True
    return start


def _status(status: highspy.HighsModelStatus) -> Status:
    if status == highspy.HighsModelStatus.kOptimal:
        return Status.OPTIMAL
    if status in (
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
    ):
        return Status.TIME_LIMIT
    if status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return Status.INFEASIBLE
    raise InternalError(f"HiGHS stopped with {status.name}")


def _bound(info: highspy.HighsInfo, optimum: float | None) -> float | None:
    """HiGHS's dual bound; when no branch and bound ran (the model was solved as an LP) the
    optimum, if one was proven, is the bound."""
    if info.mip_node_count == -1:
        return optimum
    return float(info.mip_dual_bound)
