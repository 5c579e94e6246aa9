"""The leader's problem as one MILP: levers chosen, follower replaced by its LP dual.

For a lever set S the follower optimum equals its dual optimum

.. math::

    \\min \\sum_r cap_r\\,a_r(S)\\,\\pi_r + \\sum_t d_t \\delta_t
    \\quad\\text{s.t.}\\quad
    \\pi_r \\ge u_{i(r)} - [r \\text{ domestic}] \\sum_j q_{r,j} u_j, \\qquad
    \\delta_t \\ge \\frac{w_t}{d_t \\sum w} - u_t, \\qquad u, \\pi, \\delta \\ge 0 .

A cover c (route r, residual ρ_c, levers L_c) removes :math:`cap_r (1-ρ_c) π_r` from the
objective while all of L_c are chosen. With :math:`w_c = v_c π_r` the product is linearised:

.. math::

    w_c \\le M_r z_l \\ (l \\in L_c), \\qquad \\sum_{c \\text{ on } r} w_c \\le \\pi_r, \\qquad
    \\text{capability} = \\sum_r cap_r π_r - \\sum_c cap_r (1-ρ_c) w_c + \\sum_t d_t δ_t .

(The selector v_c ∈ [0,1] of DESIGN §5 is continuous, so it is projected out: ``w_c ≤ M_r v_c``,
``v_c ≤ z_l`` becomes ``w_c ≤ M_r z_l``; the minimisation puts all of π_r on the strongest
active cover, so residuals never multiply.)

Big-M from the input DAG, never guessed: :math:`U_t = w_t/(d_t Σw)` for targets and, in reverse
topological order, :math:`U_j = \\max(U_j, \\max_{r \\text{ domestic consuming } j}
U_{i(r)}/q_{r,j})`; some optimal dual has :math:`u_j \\le U_j` and
:math:`π_r \\le U_{i(r)}`, so :math:`M_r = U_{i(r)}` and those bounds are imposed as variable
bounds.

Route classes: capacitated routes that make the same item, consume the same inputs from the
adversary's pool (none, for foreign routes) and carry the same covers (residuals and levers)
are one class g with :math:`cap_g = \\sum_{r \\in g} cap_r` and one :math:`π_g`. Their
availabilities are equal under every lever set, so the follower's bounds
:math:`y_r \\le cap_r a(S)` sum to :math:`\\sum_{r\\in g} y_r \\le cap_g a(S)` and the merged
problem has the same optimum; lost sales add up likewise. Firm-level worlds hold many such
parallel routes, and the MILP shrinks with them (the answer does not change).

Costs: a route is covered when any of its covers is active,
:math:`covered_r \\ge \\sum_{l \\in L_c} z_l - (|L_c|-1)`; economic cost
:math:`\\sum_r econ_r\\,covered_r + \\sum_l econ_l z_l` (in billions of USD inside the
model), diplomatic :math:`\\sum_l dip_l z_l`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

from supplychain.model.formulation import (
    ECONOMIC_UNIT,
    Inputs,
    RouteClass,
    dual_bounds,
    fixed_levers,
    route_classes,
)
from supplychain.model.instance import Instance, Lever


@dataclass
class LeaderModel:
    """The Pyomo MILP and the index maps needed to read it."""

    model: pyo.ConcreteModel
    levers: tuple[Lever, ...]

    def chosen(self) -> list[Lever]:
        """Levers whose binary is 1 in the loaded solution."""
        return [lever for i, lever in enumerate(self.levers) if (self.model.z[i].value or 0) > 0.5]


def build_leader_model(instance: Instance) -> LeaderModel:
    """Build the single-level MILP of the instance (objective set later by the solver stages)."""
    m = pyo.ConcreteModel(name="supplychain_leader")
    lever_index = {lever: i for i, lever in enumerate(instance.levers)}
    bound = dual_bounds(instance)
    classes = route_classes(instance)
    covers = [
        (g, residual, levers)
        for g, group in enumerate(classes)
        for residual, levers in group.covers
    ]

    m.LEVERS = pyo.Set(initialize=range(len(instance.levers)), ordered=True)
    m.ITEMS = pyo.Set(initialize=instance.items, ordered=True)
    m.CLASSES = pyo.Set(initialize=range(len(classes)), ordered=True)
    m.COVERS = pyo.Set(initialize=range(len(covers)), ordered=True)
    m.COVERABLE = pyo.Set(initialize=sorted({g for g, _, _ in covers}), ordered=True)
    m.TARGETS = pyo.Set(initialize=[t.item for t in instance.targets], ordered=True)

    _leader_variables(m, instance, lever_index)
    _dual_feasibility(m, instance, classes, bound)
    _covers(m, instance, classes, covers, lever_index, bound)
    _costs(m, instance, classes, covers, lever_index)
    _policy_rules(m, instance, lever_index)
    return LeaderModel(m, instance.levers)


def _leader_variables(m: pyo.ConcreteModel, instance: Instance, index: dict[Lever, int]) -> None:
    m.z = pyo.Var(m.LEVERS, domain=pyo.Binary)
    for lever, value in fixed_levers(instance).items():
        m.z[index[lever]].fix(value)


def _dual_feasibility(
    m: pyo.ConcreteModel,
    instance: Instance,
    classes: tuple[RouteClass, ...],
    bound: dict[str, float],
) -> None:
    """Dual variables with their DAG bounds and the dual constraints of the follower LP: one
    per route class and one per uncapacitated route (which has no π)."""
    values = {t.item: t.value for t in instance.targets}
    unlimited = [r for r in instance.routes if r.capacity is None]
    m.u = pyo.Var(m.ITEMS, bounds=lambda _, j: (0.0, bound[j]))
    m.pi = pyo.Var(m.CLASSES, bounds=lambda _, g: (0.0, bound[classes[g].item]))
    m.delta = pyo.Var(m.TARGETS, bounds=lambda _, t: (0.0, values[t]))

    def consumed(inputs: Inputs) -> pyo.Expression:
        return sum(q * m.u[j] for j, q in inputs)

    m.route_dual = pyo.Constraint(
        m.CLASSES,
        rule=lambda m, g: consumed(classes[g].inputs) - m.u[classes[g].item] + m.pi[g] >= 0,
    )
    m.unlimited_route_dual = pyo.Constraint(
        range(len(unlimited)),
        rule=lambda m, r: (
            consumed(unlimited[r].inputs if unlimited[r].domestic else ()) - m.u[unlimited[r].item]
            >= 0
        ),
    )
    m.target_dual = pyo.Constraint(m.TARGETS, rule=lambda m, t: m.u[t] + m.delta[t] >= values[t])


def _covers(
    m: pyo.ConcreteModel,
    instance: Instance,
    classes: tuple[RouteClass, ...],
    covers: list[tuple[int, float, tuple[Lever, ...]]],
    index: dict[Lever, int],
    bound: dict[str, float],
) -> None:
    """w_c ≤ M_g z_l for every lever of a cover, Σ_c w_c ≤ π_g, and the capability objective."""
    big_m = [bound[classes[g].item] for g, _, _ in covers]
    m.w = pyo.Var(m.COVERS, bounds=lambda _, c: (0.0, big_m[c]))
    m.cover_switch = pyo.Constraint(
        [(c, index[lever]) for c, (_, _, levers) in enumerate(covers) for lever in levers],
        rule=lambda m, c, lever: m.w[c] <= big_m[c] * m.z[lever],
    )
    covers_on: dict[int, list[int]] = {}
    for c, (g, _, _) in enumerate(covers):
        covers_on.setdefault(g, []).append(c)
    m.cover_share = pyo.Constraint(
        m.COVERABLE, rule=lambda m, g: sum(m.w[c] for c in covers_on[g]) <= m.pi[g]
    )
    m.capability = pyo.Expression(
        expr=sum(group.capacity * m.pi[g] for g, group in enumerate(classes))
        - sum(
            classes[g].capacity * (1.0 - residual) * m.w[c]
            for c, (g, residual, _) in enumerate(covers)
        )
        + sum(t.demand * m.delta[t.item] for t in instance.targets)
    )


def _costs(
    m: pyo.ConcreteModel,
    instance: Instance,
    classes: tuple[RouteClass, ...],
    covers: list[tuple[int, float, tuple[Lever, ...]]],
    index: dict[Lever, int],
) -> None:
    m.covered = pyo.Var(m.COVERABLE, bounds=(0.0, 1.0))
    m.covered_when_on = pyo.Constraint(
        m.COVERS,
        rule=lambda m, c: (
            m.covered[covers[c][0]]
            >= sum(m.z[index[lever]] for lever in covers[c][2]) - (len(covers[c][2]) - 1)
        ),
    )
    m.diplomatic = pyo.Expression(
        expr=sum(instance.diplomatic_cost[lever] * m.z[i] for lever, i in index.items())
    )
    m.economic = pyo.Expression(
        expr=sum(classes[g].economic_usd / ECONOMIC_UNIT * m.covered[g] for g in m.COVERABLE)
        + sum(instance.economic_cost[lever] / ECONOMIC_UNIT * m.z[i] for lever, i in index.items())
    )
    m.lever_count = pyo.Expression(expr=sum(m.z[i] for i in m.LEVERS))


def _policy_rules(m: pyo.ConcreteModel, instance: Instance, index: dict[Lever, int]) -> None:
    m.requires = pyo.Constraint(
        range(len(instance.requires)),
        rule=lambda m, p: (
            m.z[index[instance.requires[p][0]]] <= m.z[index[instance.requires[p][1]]]
        ),
    )
    m.same = pyo.Constraint(
        range(len(instance.same)),
        rule=lambda m, p: m.z[index[instance.same[p][0]]] == m.z[index[instance.same[p][1]]],
    )
    if not instance.levers:
        return
    if instance.budget_diplomatic is not None:
        m.diplomatic_budget = pyo.Constraint(expr=m.diplomatic <= instance.budget_diplomatic)
    if instance.budget_economic is not None:
        m.economic_budget = pyo.Constraint(
            expr=m.economic <= instance.budget_economic / ECONOMIC_UNIT
        )
