"""Greedy lever selection: the rule of thumb the exact MILP is measured against.

Starting from the pinned levers, the greedy repeatedly adds the *bundle* with the best ratio of
capability removed to cost, where the bundle of a lever l is l with every lever it needs
(:meth:`supplychain.model.instance.Instance.with_requirements`: an FDPR or restriction brings
its control, a plurilateral member's alignment comes with the control), less what is already
chosen:

.. math::

    \\text{ratio}(B \\mid S) = \\frac{C(S) - C(S \\cup B)}{\\text{cost}(B \\mid S)}, \\qquad
    \\text{cost}(B \\mid S) = \\frac{\\Delta_{dip}}{b_{dip}} + \\frac{\\Delta_{econ}}{b_{econ}}

where C is the follower's optimum (:class:`supplychain.model.follower.FollowerLP`), Δ are the
marginal diplomatic units and lost-sales USD of adding B to S (a route already covered is not
paid twice) and b the scenario's budgets: each cost is counted as the share of its budget it
uses, so two budgets weigh equally when both bind. A budget that is absent contributes no
term; with no budget at all, cost is :math:`\\Delta_{dip} + \\Delta_{econ}/10^9` (diplomatic
units plus billions of USD). A bundle that costs nothing and removes capability has an
infinite ratio; ties go to the larger removal, then to the first lever in the instance's order.
Only bundles that keep S within the budgets and the policy rules are considered, and only
those that remove more than :data:`GAIN` capability.

``objective: {minimize: capability}`` adds bundles until none fits or helps;
``{minimize: cost, max_capability: x}`` adds them until C(S) ≤ x and fails if none helps
before that; ``mode: evaluate`` returns the pinned levers. Each step solves one follower LP per
candidate bundle, so a run costs O(n²) LPs for n levers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from supplychain.model.follower import FollowerLP
from supplychain.model.formulation import ECONOMIC_UNIT
from supplychain.model.instance import Instance, Lever

GAIN = 1e-9
"""Least capability a bundle must remove to be added."""


@dataclass(frozen=True)
class GreedyResult:
    """The greedy's lever set and what it achieves."""

    feasible: bool
    """False when the pins break a budget, or the capability cap could not be reached."""
    levers: tuple[Lever, ...]
    capability: float
    diplomatic: float
    economic_usd: float
    evaluations: int
    """Follower LPs solved."""


def greedy(instance: Instance, follower: FollowerLP | None = None) -> GreedyResult:
    """Choose levers greedily by capability removed per unit of cost (module docstring)."""
    follower = follower or FollowerLP(instance)
    chosen = sorted(
        {needed for lever in instance.pinned_on for needed in instance.with_requirements(lever)}
    )
    capability = follower.evaluate(chosen).capability
    evaluations = 1
    if instance.mode == "evaluate" or not instance.is_feasible(chosen):
        return _result(instance, instance.is_feasible(chosen), chosen, capability, evaluations)
    while not _cap_met(instance, capability):
        best: tuple[float, float, list[Lever]] | None = None
        for bundle in _bundles(instance, chosen):
            candidate = [*chosen, *bundle]
            if not instance.is_feasible(candidate):
                continue
            removed = capability - follower.evaluate(candidate).capability
            evaluations += 1
            if removed <= GAIN:
                continue
            ratio = removed / cost if (cost := _cost(instance, chosen, candidate)) > 0 else math.inf
            if best is None or (ratio, removed) > best[:2]:
                best = (ratio, removed, bundle)
        if best is None:
            break
        chosen = sorted([*chosen, *best[2]])
        capability = follower.evaluate(chosen).capability
        evaluations += 1
    feasible = instance.minimize == "capability" or _cap_met(instance, capability)
    return _result(instance, feasible, chosen, capability, evaluations)


def _bundles(instance: Instance, chosen: list[Lever]) -> list[list[Lever]]:
    """Each lever not chosen nor pinned off, with what it needs, once per distinct bundle."""
    taken = set(chosen)
    bundles: dict[frozenset[Lever], list[Lever]] = {}
    for lever in instance.levers:
        if lever in taken or lever in instance.pinned_off:
            continue
        bundle = [extra for extra in instance.with_requirements(lever) if extra not in taken]
        bundles.setdefault(frozenset(bundle), bundle)
    return list(bundles.values())


def _cost(instance: Instance, chosen: list[Lever], candidate: list[Lever]) -> float:
    """cost(B | S): marginal costs as shares of the budgets (module docstring)."""
    before, after = instance.cost(chosen), instance.cost(candidate)
    diplomatic, economic = after[0] - before[0], after[1] - before[1]
    budgets = (instance.budget_diplomatic, instance.budget_economic)
    if budgets == (None, None):
        return diplomatic + economic / ECONOMIC_UNIT
    return sum(
        spent / budget if budget > 0 else 0.0
        for spent, budget in zip((diplomatic, economic), budgets, strict=True)
        if budget is not None
    )


def _cap_met(instance: Instance, capability: float) -> bool:
    """Whether an ``objective: {minimize: cost}`` run has reached its capability cap."""
    cap = instance.max_capability
    return instance.minimize == "cost" and cap is not None and capability <= cap + 1e-9


def _result(
    instance: Instance, feasible: bool, chosen: list[Lever], capability: float, evaluations: int
) -> GreedyResult:
    diplomatic, economic = instance.cost(chosen)
    return GreedyResult(feasible, tuple(chosen), capability, diplomatic, economic, evaluations)
