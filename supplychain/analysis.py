"""Tidy tables of one run: one row per thing, sorted, plain columns (DESIGN §6).

Reports and CSV files are thin layers over these frames. Notation: S the chosen levers,
cap_r a route's capacity, a_r(S) its availability (the fraction the levers leave), C(S) the
follower LP's optimal capability.

*Accessible* capacity of route r is ``cap_r · a_r(S)``; it comes from the policy and the
capacities, never from one of the LP's many optimal flows. Each accessible unit falls in one
*source class*:

* ``indigenous`` — a domestic route (supplier in the adversary, or none);
* ``leak`` — a foreign route some chosen lever covers (what is left is its residual);
* ``backfill`` — an uncovered foreign route of a category the controller controls (someone
  else fills the orders the controller denies);
* ``uncontrolled`` — an uncovered foreign route of a category the controller leaves alone.

*Required* quantity of item j at full demand, through the recipe: with d_t the target
demands and for every domestic route r making item i from q_{r,j} units of j,

.. math::

    req_j = [j \\in T]\\, d_j + \\sum_{i} \\max_{r:\\ i(r)=i} \\min(req_i, cap_r)\\, q_{r,j},

alternatives of one item taking the most demanding recipe and distinct consumers adding up.
An item is on the path to a target when req_j > 0. A *control gap* is an item whose category
the controller controls and whose accessible capacity still covers req_j (items the adversary
can also make without a capacity limit are bounded by their inputs, not by controls, and are
never gaps).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from supplychain.follower import FollowerLP, FollowerSolution
from supplychain.instance import Instance, Lever, RouteData
from supplychain.pipeline import Run

SOURCE_CLASSES = ("indigenous", "leak", "backfill", "uncontrolled")
ACTIVE = 1e-9
"""A shadow price above this marks a binding item (a bottleneck)."""


@dataclass(frozen=True)
class Analysis:
    """Every table a report needs, computed once per run."""

    targets: pd.DataFrame
    levers: pd.DataFrame
    routes: pd.DataFrame
    items: pd.DataFrame
    backfill: pd.DataFrame
    closers: pd.DataFrame
    waterfall: pd.DataFrame


def lever_rows(levers: Iterable[Lever]) -> list[dict[str, str | None]]:
    """Levers as ``{kind, country, category}`` records (``None`` where not applicable)."""
    return [
        {"kind": lever.kind, "country": lever.country, "category": lever.category}
        for lever in levers
    ]


def analyse(run: Run) -> Analysis:
    """All tables of ``run``. A run without an answer is analysed under no levers.

    Route flows are the adversary's least-flow optimal response (see
    :meth:`supplychain.follower.FollowerLP.evaluate`), so unused supply shows as unused.
    """
    follower = FollowerLP(run.instance)
    chosen = run.outcome.levers
    policy = follower.evaluate(chosen, least_flow=True)
    classes = source_classes(run.instance, chosen)
    items = items_frame(run, policy, classes)
    return Analysis(
        targets=targets_frame(run, policy),
        levers=levers_frame(run, follower, policy.capability),
        routes=routes_frame(run, policy, classes),
        items=items,
        backfill=backfill_frame(run, classes, items),
        closers=closers_frame(run, follower, policy.capability, items),
        waterfall=waterfall_frame(run, follower),
    )


def snap(value: float) -> float:
    """Solver noise (below 1e-9 in magnitude, or a negative zero) shown as 0."""
    return 0.0 if abs(value) < ACTIVE else value


def controlled_categories(chosen: Iterable[Lever]) -> set[str]:
    """Categories on which the controller's own control is chosen."""
    return {lever.category for lever in chosen if lever.kind == "control" and lever.category}


def source_classes(instance: Instance, chosen: tuple[Lever, ...]) -> list[str]:
    """The source class of every route under the chosen levers (see the module docstring)."""
    covered = instance.covering_levers(chosen)
    controlled = controlled_categories(chosen)
    classes = []
    for route in instance.routes:
        if route.domestic:
            classes.append("indigenous")
        elif route.index in covered:
            classes.append("leak")
        elif route.category in controlled:
            classes.append("backfill")
        else:
            classes.append("uncontrolled")
    return classes


def accessible(route: RouteData, availability: float) -> float:
    """What of the route the adversary can reach: cap_r · a_r (infinite without a capacity)."""
    return math.inf if route.capacity is None else route.capacity * availability


def requirements(instance: Instance) -> dict[str, float]:
    """req_j for every item (see the module docstring)."""
    need = dict.fromkeys(instance.items, 0.0)
    for target in instance.targets:
        need[target.item] += target.demand
    consumers: dict[str, list[RouteData]] = {}
    for route in instance.routes:
        if route.domestic:
            consumers.setdefault(route.item, []).append(route)
    for item in reversed(instance.topological_order):
        drawn: dict[str, float] = {}
        for route in consumers.get(item, []):
            throughput = min(need[item], route.capacity if route.capacity is not None
                             else math.inf)
            for input_id, quantity in route.inputs:
                drawn[input_id] = max(drawn.get(input_id, 0.0), throughput * quantity)
        for input_id, quantity in drawn.items():
            need[input_id] += quantity
    return need


def targets_frame(run: Run, policy: FollowerSolution) -> pd.DataFrame:
    """Baseline versus policy for each target."""
    rows = []
    for target in run.instance.targets:
        before = run.baseline.outputs[target.item]
        after = policy.outputs[target.item]
        rows.append({
            "target": target.item, "demand": target.demand,
            "baseline_output": before, "baseline_capability": before / target.demand,
            "output": after, "capability": after / target.demand,
        })
    return pd.DataFrame(rows, columns=[
        "target", "demand", "baseline_output", "baseline_capability", "output", "capability",
    ])


def capability_without(
    follower: FollowerLP, instance: Instance, chosen: tuple[Lever, ...], lever: Lever
) -> float:
    """C(S without ``lever`` and the levers that require it)."""
    dropped = {lever} | {a for a, b in instance.requires if b == lever}
    return follower.evaluate([other for other in chosen if other not in dropped]).capability


def levers_frame(run: Run, follower: FollowerLP, capability: float) -> pd.DataFrame:
    """Every candidate lever: chosen or not, pinned, costs, what it reaches, marginal value.

    ``economic_usd`` is the lever's own cost plus the lost sales of every route it reaches on
    its own (the summary's total counts a route once however many levers reach it).
    ``items_reached`` and ``routes_reached`` say what the lever covers; ``residual_min`` and
    ``residual_max`` bound the residual ρ it leaves on those routes (a route's leakage for most
    kinds, ``1 − monitor_effect`` for monitoring, ``1 − tariff_compliance`` for tariffs).
    ``marginal_capability`` (chosen levers only) is the capability the adversary regains if
    the lever, and any lever that requires it, were dropped: C(S ∖ {l}) − C(S).
    """
    instance = run.instance
    chosen = run.outcome.levers
    residuals: dict[Lever, dict[int, float]] = {lever: {} for lever in instance.levers}
    for cover in instance.covers:
        for lever in cover.levers:
            residuals[lever][cover.route] = cover.residual
    rows = []
    for lever in instance.levers:
        reached = residuals[lever]
        rows.append({
            "kind": lever.kind,
            "country": lever.country or "",
            "category": lever.category or "",
            "chosen": lever in chosen,
            "pinned": "on" if lever in instance.pinned_on
            else "off" if lever in instance.pinned_off else "",
            "diplomatic_cost": instance.diplomatic_cost[lever],
            "economic_usd": instance.economic_cost[lever]
            + sum(instance.routes[route].economic_usd for route in reached),
            "items_reached": ";".join(sorted({instance.routes[route].item
                                              for route in reached})),
            "routes_reached": len(reached),
            "residual_min": min(reached.values(), default=None),
            "residual_max": max(reached.values(), default=None),
            "marginal_capability": snap(
                capability_without(follower, instance, chosen, lever) - capability
            ) if lever in chosen else None,
        })
    return pd.DataFrame(rows, columns=[
        "kind", "country", "category", "chosen", "pinned", "diplomatic_cost", "economic_usd",
        "items_reached", "routes_reached", "residual_min", "residual_max", "marginal_capability",
    ])


def routes_frame(run: Run, policy: FollowerSolution, classes: list[str]) -> pd.DataFrame:
    """Every route: supplier, coverage, availability, accessible capacity, source class, flow."""
    instance = run.instance
    covering = instance.covering_levers(run.outcome.levers)
    rows = []
    for route in instance.routes:
        availability = policy.availability[route.index]
        rows.append({
            "route": route.index,
            "item": route.item,
            "category": route.category,
            "supplier": route.supplier or "",
            "country": route.country or "",
            "via": route.via or "",
            "domestic": route.domestic,
            "capacity": route.capacity,
            "inputs": ";".join(f"{item}:{quantity:g}" for item, quantity in route.inputs),
            "leakage": None if route.domestic else route.leakage,
            "covered": route.index in covering,
            "levers": ";".join(lever.label for lever in covering.get(route.index, [])),
            "availability": availability,
            "accessible": None if route.capacity is None else accessible(route, availability),
            "source_class": classes[route.index],
            "flow": snap(policy.flows[route.index]),
        })
    return pd.DataFrame(rows)


def items_frame(run: Run, policy: FollowerSolution, classes: list[str]) -> pd.DataFrame:
    """One row per item on the path to a target (see the module docstring for the columns).

    Capacities of routes without a capacity (steps the adversary performs itself) are
    unlimited; such items show no ``world_capacity`` or ``accessible`` figure.
    """
    instance = run.instance
    world_items = run.loaded.world.world.items
    need = requirements(instance)
    controlled = controlled_categories(run.outcome.levers)
    targets = {target.item for target in instance.targets}
    rows = []
    for item in instance.items:
        if need[item] <= 0:
            continue
        routes = [route for route in instance.routes if route.item == item]
        split = dict.fromkeys(SOURCE_CLASSES, 0.0)
        for route in routes:
            split[classes[route.index]] += accessible(route, policy.availability[route.index])
        total = sum(split.values())
        world = sum(math.inf if r.capacity is None else r.capacity for r in routes)
        category = routes[0].category if routes else (world_items[item].category or item)
        shadow = policy.shadow_prices[item]
        rows.append({
            "item": item,
            "name": world_items[item].name or item,
            "kind": world_items[item].kind or "",
            "category": category,
            "target": item in targets,
            "required": need[item],
            "world_capacity": None if math.isinf(world) else world,
            "accessible": None if math.isinf(total) else total,
            **{name: None if math.isinf(value) else value for name, value in split.items()},
            "bottleneck": shadow > ACTIVE,
            "shadow_price": shadow,
            "controlled": category in controlled,
            "gap": category in controlled and not math.isinf(total)
            and total >= need[item] - 1e-12,
        })
    return pd.DataFrame(rows)


def backfill_frame(run: Run, classes: list[str], items: pd.DataFrame) -> pd.DataFrame:
    """Backfill by supplier (and country) for every item on the path, gaps first."""
    on_path = set(items["item"]) if len(items) else set()
    gaps = set(items.loc[items["gap"], "item"]) if len(items) else set()
    supplier_names = run.loaded.world.world.suppliers
    rows = [
        {
            "item": route.item,
            "gap": route.item in gaps,
            "country": route.country or "",
            "via": route.via or "",
            "supplier": route.supplier or "",
            "supplier_name": supplier_names[route.supplier].name or route.supplier
            if route.supplier else "",
            "capacity": route.capacity,
        }
        for route in run.instance.routes
        if classes[route.index] == "backfill" and route.item in on_path
    ]
    frame = pd.DataFrame(rows, columns=[
        "item", "gap", "country", "via", "supplier", "supplier_name", "capacity",
    ])
    return frame.sort_values(["gap", "item", "capacity", "supplier"],
                             ascending=[False, True, False, True], ignore_index=True)


def with_requirements(instance: Instance, lever: Lever) -> list[Lever]:
    """``lever`` plus every lever it needs (FDPR and restrictions need the control; a
    plurilateral member's alignment comes with the control and vice versa)."""
    needed = [lever]
    for lever_needed in needed:
        for a, b in [*instance.requires, *instance.same, *[(b, a) for a, b in instance.same]]:
            if a == lever_needed and b not in needed:
                needed.append(b)
    return needed


def closers_frame(
    run: Run, follower: FollowerLP, capability: float, items: pd.DataFrame
) -> pd.DataFrame:
    """For each gap, every single lever not chosen that reaches it, with the capability it
    removes, C(S) − C(S ∪ {l} ∪ needs(l)), and the extra diplomatic and economic cost.

    Rank within each gap: by capability removed per diplomatic unit (free levers first), then
    per billion USD of lost sales.
    """
    instance = run.instance
    chosen = run.outcome.levers
    gaps = list(items.loc[items["gap"], "item"]) if len(items) else []
    base_diplomatic, base_economic = instance.cost(chosen)
    rows = []
    for item in gaps:
        candidates = sorted({
            lever
            for cover in instance.covers
            if instance.routes[cover.route].item == item
            for lever in cover.levers
            if lever not in chosen and lever not in instance.pinned_off
        })
        for lever in candidates:
            added = [extra for extra in with_requirements(instance, lever) if extra not in chosen]
            policy = [*chosen, *added]
            diplomatic, economic = instance.cost(policy)
            removed = snap(capability - follower.evaluate(policy).capability)
            rows.append({
                "item": item,
                "lever": lever.label,
                "with": ";".join(extra.label for extra in added[1:]),
                "capability_removed": removed,
                "diplomatic_cost": diplomatic - base_diplomatic,
                "economic_usd": economic - base_economic,
                "within_budget": within_budget(instance, diplomatic, economic),
            })
    frame = pd.DataFrame(rows, columns=[
        "item", "lever", "with", "capability_removed", "diplomatic_cost", "economic_usd",
        "within_budget",
    ])
    per_unit = frame["capability_removed"] / frame["diplomatic_cost"].where(
        frame["diplomatic_cost"] > 0
    )
    per_billion = frame["capability_removed"] / (frame["economic_usd"] / 1e9).where(
        frame["economic_usd"] > 0
    )
    frame = frame.assign(
        _free=frame["diplomatic_cost"] <= 0,
        _per_unit=per_unit.fillna(math.inf),
        _per_billion=per_billion.fillna(math.inf),
    ).sort_values(
        ["item", "_free", "_per_unit", "_per_billion", "lever"],
        ascending=[True, False, False, False, True], ignore_index=True,
    )
    frame.insert(1, "rank", frame.groupby("item").cumcount() + 1)
    return frame.drop(columns=["_free", "_per_unit", "_per_billion"])


def within_budget(instance: Instance, diplomatic: float, economic: float) -> bool:
    """Whether costs fit the scenario's budgets."""
    return (instance.budget_diplomatic is None or diplomatic <= instance.budget_diplomatic + 1e-9
            ) and (instance.budget_economic is None
                   or economic <= instance.budget_economic * (1 + 1e-9))


def waterfall_frame(run: Run, follower: FollowerLP) -> pd.DataFrame:
    """Capability from the baseline through each chosen lever, added one at a time.

    Each step adds the remaining lever (with the levers it needs) that lowers capability most,
    so the first bars show what matters most. When no single lever lowers it (levers that only
    work together, such as alignments on two sources of one item), the pair that lowers it most
    is one step, so the chart shows no empty step before a large one.
    """
    instance = run.instance
    remaining = list(run.outcome.levers)
    current = run.baseline.capability
    steps = [{"step": 0, "lever": "no levers", "capability": current}]
    applied: list[Lever] = []
    while remaining:
        groups = {lever: [x for x in with_requirements(instance, lever)
                          if x in remaining and x not in applied] for lever in remaining}
        options = [(follower.evaluate([*applied, *group]).capability, lever.label, group)
                   for lever, group in groups.items()]
        best = min(options, key=lambda option: (option[0], option[1]))
        if best[0] >= current - ACTIVE and len(remaining) > 1:
            pairs = []
            for position, first in enumerate(remaining):
                for second in remaining[position + 1:]:
                    group = list(dict.fromkeys([*groups[first], *groups[second]]))
                    pairs.append((follower.evaluate([*applied, *group]).capability,
                                  f"{first.label} {second.label}", group))
            pair = min(pairs, key=lambda option: (option[0], option[1]))
            if pair[0] < current - ACTIVE:
                best = pair
        current, _, group = best
        applied.extend(group)
        remaining = [lever for lever in remaining if lever not in group]
        steps.append({"step": len(steps), "lever": " + ".join(x.label for x in group),
                      "capability": current})
    return pd.DataFrame(steps, columns=["step", "lever", "capability"])
