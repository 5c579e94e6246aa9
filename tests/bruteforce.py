"""Brute force: the exact leader optimum by enumerating every lever set (test helper).

For each subset S of the instance's levers that respects requirements, regimes, pins, mode and
budgets, solve the follower LP; the optimum is the least capability (or, with
``objective: {minimize: cost}``, the least diplomatic cost among sets within the capability
cap), with ties broken as the MILP breaks them: least diplomatic, then least economic cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, combinations

from supplychain.follower import FollowerLP
from supplychain.instance import Instance, Lever

TIE = 1e-7


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
        best = min(tied, key=lambda entry: (entry[1], entry[2]))
    else:
        assert instance.max_capability is not None
        within = [entry for entry in scored if entry[0] <= instance.max_capability + 1e-9]
        if not within:
            return None
        best = min(within, key=lambda entry: (entry[1], entry[2]))
    return Enumerated(best[0], best[1], best[2], best[3], len(scored))
