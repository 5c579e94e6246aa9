"""What both builders of the leader MILP share: the big-M bounds and the route classes.

The mathematics is in :mod:`supplychain.model.pyomo_model` (the Pyomo formulation);
:mod:`supplychain.model.highs_leader` builds the same MILP as arrays. Neither this module nor the
arrays need Pyomo, so a run that solves through highspy does not import it.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplychain.model.instance import Instance, Lever

ECONOMIC_UNIT = 1e9
"""The MILP counts economic cost in billions of USD, keeping its coefficients near 1."""


def fixed_levers(instance: Instance) -> dict[Lever, float]:
    """The levers the MILP fixes, with their value: pinned levers (off wins over on), and in
    ``mode: evaluate`` every lever (1 exactly for the pinned-on ones)."""
    if instance.mode == "evaluate":
        return {lever: float(lever in instance.pinned_on) for lever in instance.levers}
    return {**dict.fromkeys(instance.pinned_on, 1.0), **dict.fromkeys(instance.pinned_off, 0.0)}


def dual_bounds(instance: Instance) -> dict[str, float]:
    """U_j: an upper bound on some optimal item dual, from the input DAG (see
    :mod:`supplychain.model.pyomo_model` for why it is valid)."""
    bound = dict.fromkeys(instance.items, 0.0)
    for target in instance.targets:
        bound[target.item] = max(bound[target.item], target.value)
    consumers: dict[str, list[tuple[str, float]]] = {}
    for route in instance.routes:
        if route.domestic:
            for input_id, quantity in route.inputs:
                consumers.setdefault(input_id, []).append((route.item, quantity))
    for item in reversed(instance.topological_order):
        for output, quantity in consumers.get(item, []):
            bound[item] = max(bound[item], bound[output] / quantity)
    return bound


Inputs = tuple[tuple[str, float], ...]
Covers = tuple[tuple[float, tuple[Lever, ...]], ...]


@dataclass(frozen=True)
class RouteClass:
    """Capacitated routes the leader cannot tell apart, merged (see
    :mod:`supplychain.model.pyomo_model` for why merging is exact)."""

    item: str
    inputs: Inputs
    """Inputs drawn from the adversary's pool per unit (empty for foreign routes)."""
    capacity: float
    economic_usd: float
    covers: Covers
    """(residual, levers) of each cover of the class's routes."""


def route_classes(instance: Instance) -> tuple[RouteClass, ...]:
    """The capacitated routes of the instance grouped into classes, in first-route order."""
    covers_by_route = instance.covers_by_route
    merged: dict[tuple[str, Inputs, Covers], list[float]] = {}
    for route in instance.routes:
        if route.capacity is None:
            continue
        inputs = route.inputs if route.domestic else ()
        covers = tuple(
            (cover.residual, cover.levers) for cover in covers_by_route.get(route.index, ())
        )
        totals = merged.setdefault((route.item, inputs, covers), [0.0, 0.0])
        totals[0] += route.capacity
        totals[1] += route.economic_usd
    return tuple(
        RouteClass(item, inputs, capacity, economic, covers)
        for (item, inputs, covers), (capacity, economic) in merged.items()
    )
