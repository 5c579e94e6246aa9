"""The adversary's (follower's) LP for a fixed lever set, solved by HiGHS through highspy.

.. math::

    \\max \\sum_t \\frac{w_t}{d_t \\sum w} x_t
    \\quad\\text{s.t.}\\quad
    \\sum_{r\\ \\text{domestic}} q_{r,j} y_r + x_j [j \\in T] \\le \\sum_{r \\text{ makes } j} y_r
    \\ \\forall j, \\qquad
    0 \\le y_r \\le cap_r \\cdot a_r(S), \\qquad 0 \\le x_t \\le d_t

where :math:`a_r(S)` is the route's availability under lever set S
(:meth:`supplychain.model.instance.Instance.availability`). The LP is built once per instance;
each evaluation only changes the route bounds, so enumerating thousands of lever sets stays
cheap. It is deliberately independent of the leader MILP (:mod:`supplychain.model.pyomo_model`,
:mod:`supplychain.model.highs_leader`): the two are checked against each other after every solve
and in the brute-force tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import highspy
import numpy as np

from supplychain.errors import SolverError
from supplychain.model.instance import Instance, Lever
from supplychain.model.quiet_highs import quiet_highs


@dataclass(frozen=True)
class FollowerSolution:
    """One optimal adversary response."""

    capability: float
    flows: tuple[float, ...]
    """Adversary flow y_r per route (one optimal solution among possibly many)."""
    outputs: dict[str, float]
    """Output x_t per target."""
    shadow_prices: dict[str, float]
    """Capability gained per extra unit of each item (the item balance dual)."""
    availability: tuple[float, ...]


LEAST_FLOW_SLACK = 1e-9
"""Capability the least-flow response may give up against the optimum (numerical room)."""


@dataclass(frozen=True)
class Optimum:
    """An optimal adversary response in arrays, by route."""

    capability: float
    flows: np.ndarray
    """Adversary flow y_r per route (one optimal solution among possibly many)."""
    availability: np.ndarray


class FollowerLP:
    """The follower LP of one instance, re-solvable for any lever set."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        item_row = {item: row for row, item in enumerate(instance.items)}
        starts, indices, values = [0], [], []
        for route in instance.routes:
            column = {item_row[route.item]: -1.0}
            if route.domestic:
                for input_id, quantity in route.inputs:
                    column[item_row[input_id]] = column.get(item_row[input_id], 0.0) + quantity
            for row in sorted(column):
                indices.append(row)
                values.append(column[row])
            starts.append(len(indices))
        for target in instance.targets:
            indices.append(item_row[target.item])
            values.append(1.0)
            starts.append(len(indices))
        n_routes, n_targets = len(instance.routes), len(instance.targets)
        self._capacity = np.array(
            [math.inf if r.capacity is None else r.capacity for r in instance.routes]
        )
        self._unlimited = np.isinf(self._capacity)
        self._finite_capacity = np.where(self._unlimited, 0.0, self._capacity)
        self._route_upper = self._capacity
        """The route bounds HiGHS holds now, cap_r · a_r of the last lever set solved."""
        lp = highspy.HighsLp()
        lp.num_col_ = n_routes + n_targets
        lp.num_row_ = len(instance.items)
        lp.col_cost_ = np.array([0.0] * n_routes + [t.value for t in instance.targets])
        lp.col_lower_ = np.zeros(n_routes + n_targets)
        lp.col_upper_ = np.concatenate(
            [self._capacity, np.array([t.demand for t in instance.targets])]
        )
        lp.row_lower_ = np.full(len(instance.items), -math.inf)
        lp.row_upper_ = np.zeros(len(instance.items))
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values, dtype=float)
        self._highs = quiet_highs()
        self._highs.setOptionValue("threads", 1)
        self._highs.setOptionValue("random_seed", 0)
        self._highs.passModel(lp)

    def evaluate(self, chosen: Iterable[Lever], least_flow: bool = False) -> FollowerSolution:
        """Solve the follower LP with the routes' capacities cut by the chosen levers.

        The LP has many optimal flows (unused supply may be shipped anyway). With
        ``least_flow`` a second LP picks, among the optimal responses, one of least total
        route flow :math:`\\sum_r y_r`: what the adversary actually needs to draw.
        """
        instance = self.instance
        availability, solution = self._solve(chosen)
        n_routes = len(instance.routes)
        columns = list(solution.col_value)
        capability = self._capability(columns[n_routes:])
        flows = self._least_flows(capability) if least_flow else columns[:n_routes]
        return FollowerSolution(
            capability=capability,
            flows=tuple(flows),
            outputs={t.item: columns[n_routes + i] for i, t in enumerate(instance.targets)},
            shadow_prices=dict(zip(instance.items, map(abs, solution.row_dual), strict=True)),
            availability=tuple(availability.tolist()),
        )

    def optimum(self, chosen: Iterable[Lever]) -> Optimum:
        """C(S), one optimal route flow and the availabilities under the chosen levers, as
        :meth:`evaluate` finds them, in arrays (for callers solving many lever sets)."""
        availability, solution = self._solve(chosen)
        columns = np.array(solution.col_value)
        n_routes = len(self.instance.routes)
        return Optimum(
            self._capability(columns[n_routes:].tolist()), columns[:n_routes], availability
        )

    def _solve(self, chosen: Iterable[Lever]) -> tuple[np.ndarray, highspy.HighsSolution]:
        """Solve for the chosen levers; their availabilities a_r(S) and HiGHS's solution."""
        availability = self.instance.availability_array(chosen)
        self._set_route_bounds(availability)
        self._highs.run()
        status = self._highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"follower LP not solved to optimality: {status}")
        return availability, self._highs.getSolution()

    def _capability(self, outputs: list[float]) -> float:
        """Σ_t v_t x_t from the targets' outputs x_t."""
        return sum(t.value * x for t, x in zip(self.instance.targets, outputs, strict=True))

    def _set_route_bounds(self, availability: np.ndarray) -> None:
        """Set 0 ≤ y_r ≤ cap_r · a_r, passing HiGHS only the bounds that differ from the ones
        it holds (a lever set changes few routes; HiGHS keeps its basis either way)."""
        upper = np.where(self._unlimited, math.inf, self._finite_capacity * availability)
        changed = np.flatnonzero(upper != self._route_upper).astype(np.int32)
        if len(changed):
            self._highs.changeColsBounds(
                len(changed), changed, np.zeros(len(changed)), upper[changed]
            )
        self._route_upper = upper

    def _least_flows(self, capability: float) -> list[float]:
        """Route flows of least total among responses reaching ``capability`` (less
        :data:`LEAST_FLOW_SLACK`)."""
        highs, instance = self._highs, self.instance
        n_routes, n_targets = len(instance.routes), len(instance.targets)
        target_columns = np.arange(n_routes, n_routes + n_targets, dtype=np.int32)
        target_values = np.array([t.value for t in instance.targets])
        highs.addRow(
            capability - LEAST_FLOW_SLACK, math.inf, n_targets, target_columns, target_values
        )
        highs.changeColsCost(
            n_routes + n_targets,
            np.arange(n_routes + n_targets, dtype=np.int32),
            np.concatenate([np.ones(n_routes), np.zeros(n_targets)]),
        )
        highs.changeObjectiveSense(highspy.ObjSense.kMinimize)
        try:
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                raise SolverError(f"least-flow LP not solved: {highs.getModelStatus()}")
            return list(highs.getSolution().col_value)[:n_routes]
        finally:
            highs.deleteRows(1, np.array([highs.getNumRow() - 1], dtype=np.int32))
            highs.changeColsCost(
                n_routes + n_targets,
                np.arange(n_routes + n_targets, dtype=np.int32),
                np.concatenate([np.zeros(n_routes), target_values]),
            )
            highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
