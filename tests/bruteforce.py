"""Brute force: the exact leader optimum by enumerating every lever set (test helper).

For each subset S of the instance's levers that respects requirements, regimes, pins, mode and
budgets, solve the follower LP; the optimum is the least capability (or, with
``objective: {minimize: cost}``, the least diplomatic cost among sets within the capability
cap), with ties broken as the MILP breaks them: least diplomatic, then least economic cost,
then fewest levers (costs count as tied within the MILP's hold tolerance, 10⁻⁷ relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, combinations

from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Instance, Lever

TIE = 1e-7
COST_TIE = 1e-7
"""Relative tolerance within which the MILP holds a cost stage's optimum (``COST_TOLERANCE``;
economic cost relative to billions of USD, as the MILP counts it)."""


@dataclass(frozen=True)
class Enumerated:
    capability: float
    diplomatic: float
    economic_usd: float
    levers: tuple[Lever, ...]
    feasible_sets: int


def enumerate_optimum(instance: Instance) -> Enumerated | None:
    """The best feasible lever set by exhaustive search, or None when none is feasible."""
    follower = FollowerLP(instance)
    subsets = chain.from_iterable(
        combinations(instance.levers, size) for size in range(len(instance.levers) + 1)
    )
    scored = []
    for subset in subsets:
        if not instance.is_feasible(subset):
            continue
        capability = follower.evaluate(subset).capability
        diplomatic, economic = instance.cost(subset)
        scored.append((capability, diplomatic, economic, subset))
    if not scored:
        return None
    if instance.minimize == "capability":
        least = min(capability for capability, *_ in scored)
        tied = [entry for entry in scored if entry[0] <= least + TIE]
    else:
        assert instance.max_capability is not None
        tied = [entry for entry in scored if entry[0] <= instance.max_capability + 1e-9]
        if not tied:
            return None
    least_diplomatic = min(entry[1] for entry in tied)
    tied = [
        entry
        for entry in tied
        if entry[1] <= least_diplomatic + COST_TIE * max(1.0, least_diplomatic)
    ]
    least_economic = min(entry[2] for entry in tied)
    tied = [
        entry for entry in tied if entry[2] <= least_economic + COST_TIE * max(1e9, least_economic)
    ]
    best = min(tied, key=lambda entry: (len(entry[3]), entry[1], entry[2]))
    return Enumerated(best[0], best[1], best[2], best[3], len(scored))
