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

The marginal values, the closers and the waterfall ask for C of many lever sets. They get it
from :class:`Capabilities`, which solves each set once and skips the solves a bound proves
unneeded (a lever that cuts no flow of a response removes nothing), and the waterfall solves
its options in order of that bound (:class:`Waterfall`): the tables are those of solving every
set afresh.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from supplychain.model.follower import LEAST_FLOW_SLACK, FollowerLP, FollowerSolution
from supplychain.model.instance import Instance, Lever, RouteData
from supplychain.runs.pipeline import Run

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "targets": (
        "target",
        "demand",
        "baseline_output",
        "baseline_capability",
        "output",
        "capability",
    ),
    "levers": (
        "kind",
        "country",
        "category",
        "chosen",
        "pinned",
        "diplomatic_cost",
        "economic_usd",
        "items_reached",
        "routes_reached",
        "residual_min",
        "residual_max",
        "marginal_capability",
    ),
    "routes": (
        "route",
        "item",
        "category",
        "supplier",
        "country",
        "via",
        "domestic",
        "capacity",
        "inputs",
        "leakage",
        "covered",
        "levers",
        "availability",
        "accessible",
        "source_class",
        "flow",
    ),
    "items": (
        "item",
        "name",
        "kind",
        "category",
        "target",
        "required",
        "world_capacity",
        "accessible",
        "indigenous",
        "leak",
        "backfill",
        "uncontrolled",
        "bottleneck",
        "shadow_price",
        "controlled",
        "gap",
    ),
    "backfill": (
        "item",
        "gap",
        "country",
        "via",
        "supplier",
        "supplier_name",
        "capacity",
    ),
    "closers": (
        "item",
        "rank",
        "lever",
        "with",
        "capability_removed",
        "diplomatic_cost",
        "economic_usd",
        "within_budget",
    ),
    "waterfall": (
        "step",
        "lever",
        "capability",
    ),
}
"""The columns of each analysis table, in order: the frames below have them, and a result
folder's reader requires them."""
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
    :meth:`supplychain.model.follower.FollowerLP.evaluate`), so unused supply shows as unused.
    """
    follower = FollowerLP(run.instance)
    capabilities = Capabilities(follower)
    chosen = run.outcome.levers
    policy = follower.evaluate(chosen, least_flow=True)
    response = capabilities.respond(
        frozenset(chosen),
        policy.capability,
        np.array(policy.flows),
        np.array(policy.availability),
        LEAST_FLOW_SLACK,
    )
    classes = source_classes(run.instance, chosen)
    items = items_frame(run, policy, classes)
    return Analysis(
        targets=targets_frame(run, policy),
        levers=levers_frame(run, capabilities, policy.capability),
        routes=routes_frame(run, policy, classes),
        items=items,
        backfill=backfill_frame(run, classes, items),
        closers=closers_frame(run, capabilities, response, items),
        waterfall=waterfall_frame(run, capabilities),
    )


@dataclass(frozen=True)
class Response:
    """A lever set S solved once: an optimal (or the least-flow) response y, the route bounds
    u_r(S) = cap_r · a_r(S) it was solved under, and per item (by position in
    ``Instance.items``) what y leaves unused: ``slack`` s_j (made but not consumed; 0 for
    targets) and ``spare`` e_j (capacity left on the routes of j that draw no inputs)."""

    levers: frozenset[Lever]
    capability: float
    """C(S)."""
    upper: np.ndarray
    flows: np.ndarray
    slack: np.ndarray
    spare: np.ndarray
    shortfall: float
    """ε: capability y may give up against C(S) (0 for an optimal y, at most
    :data:`~supplychain.model.follower.LEAST_FLOW_SLACK` for the least-flow one)."""


class Capabilities:
    """C(S) for the many lever sets the tables ask about, with as few LP solves as
    exactness allows.

    Equal sets have equal capability, so each set is solved once. Adding levers A to a solved
    set S only lowers route bounds, u'_r = u_r(S ∪ A) ≤ u_r(S), so C(S ∪ A) ≤ C(S), and a
    response y to S bounds how much lower (:meth:`removal_bound`): cut each route
    to y'_r = min(y_r, u'_r), losing δ_r = (y_r − u'_r)⁺ of item i(r); replace the loss of
    item j from its slack s_j and from the capacity e'_j left on its routes that draw no
    inputs; and make up what remains, n_j = (Σ_{i(r)=j} δ_r − e'_j − s_j)⁺, by running
    consumers of j less, which loses at most the value of a unit of j,

    .. math::

        V_j = \\max\\Big([j \\in T]\\, v_j,\\ \\max_{r\\ \\text{domestic},\\ q_{r,j} > 0}
              V_{i(r)} / q_{r,j}\\Big),

    per unit of j. That response is feasible for S ∪ A, so

    .. math::

        C(S) - C(S \\cup A) \\le L(S, A) + \\varepsilon,\\qquad
        L(S, A) = \\sum_j V_j\\, n_j,

    with ε the capability y gives up against C(S): 0 for an optimal response, at most
    :data:`~supplychain.model.follower.LEAST_FLOW_SLACK` for the least-flow one (which draws only
    the supply it needs, so fits more often). When L = 0 (y fits the lowered bounds)
    C(S ∪ A) is taken as C(S) without a solve: exact to within ε, no more than the noise
    level :data:`ACTIVE` below which :func:`snap` shows 0 anyway.
    """

    def __init__(self, follower: FollowerLP) -> None:
        self.follower = follower
        instance = self.instance = follower.instance
        position = {item: index for index, item in enumerate(instance.items)}
        capacity = np.array(
            [math.inf if route.capacity is None else route.capacity for route in instance.routes]
        )
        self._unlimited = np.isinf(capacity)
        self._finite_capacity = np.where(self._unlimited, 0.0, capacity)
        self._route_item = np.array(
            [position[route.item] for route in instance.routes], dtype=np.int64
        )
        self._inputless = np.array(
            [not (route.domestic and route.inputs) for route in instance.routes], dtype=bool
        )
        drawn = [
            (route.index, position[item], quantity)
            for route in instance.routes
            if route.domestic
            for item, quantity in route.inputs
        ]
        self._input_route = np.array([entry[0] for entry in drawn], dtype=np.int64)
        self._input_item = np.array([entry[1] for entry in drawn], dtype=np.int64)
        self._input_quantity = np.array([entry[2] for entry in drawn], dtype=float)
        self._targets = np.array(
            [position[target.item] for target in instance.targets], dtype=np.int64
        )
        values = unit_values(instance)
        self._unit_value = np.array([values[item] for item in instance.items])
        self._known: dict[frozenset[Lever], float] = {}

    def of(self, levers: Iterable[Lever]) -> float:
        """C(levers), solved at most once per set."""
        key = frozenset(levers)
        if key not in self._known:
            self._known[key] = self.follower.optimum(key).capability
        return self._known[key]

    def response(self, levers: Iterable[Lever]) -> Response:
        """Solve ``levers`` for an optimal response (always a fresh solve)."""
        key = frozenset(levers)
        optimum = self.follower.optimum(key)
        return self.respond(key, optimum.capability, optimum.flows, optimum.availability, 0.0)

    def respond(
        self,
        levers: frozenset[Lever],
        capability: float,
        flows: np.ndarray,
        availability: np.ndarray,
        shortfall: float,
    ) -> Response:
        """The follower's response ``flows`` to ``levers`` (availabilities
        ``availability``), worth ``capability`` = C(levers) less at most ``shortfall``, as a
        :class:`Response`."""
        self._known.setdefault(levers, capability)
        upper = self._bounds(availability)
        return Response(
            levers,
            capability,
            upper,
            flows,
            self._slack(flows),
            self._spare(flows, upper),
            shortfall,
        )

    def with_added(self, response: Response, added: Iterable[Lever]) -> float:
        """C(S ∪ added) for the set S of ``response``: C(S) when L(S, added) = 0 (see the
        class docstring), otherwise :meth:`of`."""
        key = response.levers | frozenset(added)
        if key in self._known:
            return self._known[key]
        if self.removal_bound(response, added) == 0:
            return response.capability
        return self.of(key)

    def removal_bound(self, response: Response, added: Iterable[Lever]) -> float:
        """L(S, added) for the set S of ``response``: C(S) − C(S ∪ added) ≤ L + ε, with ε its
        ``shortfall`` (see the class docstring)."""
        routes, after = self._lowered(response, response.levers | frozenset(added))
        before, flow = response.upper[routes], response.flows[routes]
        lowered = (after < before) & self._inputless[routes]
        spare_lost = np.zeros(len(routes))
        spare_lost[lowered] = np.maximum(0.0, before[lowered] - flow[lowered]) - np.maximum(
            0.0, after[lowered] - flow[lowered]
        )
        items, of_item = np.unique(self._route_item[routes], return_inverse=True)
        cut = np.bincount(of_item, weights=np.maximum(0.0, flow - after), minlength=len(items))
        lost = np.bincount(of_item, weights=spare_lost, minlength=len(items))
        short = np.maximum(0.0, cut - (response.spare[items] - lost) - response.slack[items])
        return float(np.dot(self._unit_value[items], short))

    def _lowered(
        self, response: Response, levers: frozenset[Lever]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The routes that covers active under ``levers`` but not under the set S of
        ``response`` reach, and their bounds u'_r = min(u_r(S), cap_r · ρ) (only those covers
        are looked at)."""
        instance = self.instance
        positions = instance.active_positions(levers, among=levers - response.levers)
        covered = instance.cover_route[positions]
        cover_bound = np.where(
            self._unlimited[covered],
            math.inf,
            self._finite_capacity[covered] * instance.cover_residual[positions],
        )
        routes, of_route = np.unique(covered, return_inverse=True)
        after = response.upper[routes].copy()
        np.minimum.at(after, of_route, cover_bound)
        return routes, after

    def _bounds(self, availability: np.ndarray) -> np.ndarray:
        """u_r = cap_r · a_r (unlimited routes stay unlimited)."""
        return np.where(self._unlimited, math.inf, self._finite_capacity * availability)

    def _slack(self, flows: np.ndarray) -> np.ndarray:
        """s_j = (made − consumed)⁺ per item under ``flows``; 0 for targets."""
        count = len(self.instance.items)
        made = np.bincount(self._route_item, weights=flows, minlength=count)
        consumed = np.bincount(
            self._input_item,
            minlength=count,
            weights=self._input_quantity * flows[self._input_route],
        )
        slack: np.ndarray = np.maximum(0.0, made - consumed)
        slack[self._targets] = 0.0
        return slack

    def _spare(self, flows: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """e_j = Σ (u_r − y_r)⁺ over the routes of j that draw no inputs (∞ when one of
        them is unlimited)."""
        count = len(self.instance.items)
        finite = self._inputless & ~self._unlimited
        spare = np.bincount(
            self._route_item[finite],
            minlength=count,
            weights=np.maximum(0.0, upper[finite] - flows[finite]),
        )
        spare[self._route_item[self._inputless & self._unlimited]] = math.inf
        return spare


def unit_values(instance: Instance) -> dict[str, float]:
    """V_j, the most capability one unit of each item can be worth (see
    :class:`Capabilities`), from the targets upstream."""
    value = {target.item: target.value for target in instance.targets}
    consumers: dict[str, list[tuple[str, float]]] = {}
    for route in instance.routes:
        if route.domestic:
            for item, quantity in route.inputs:
                if quantity > 0:
                    consumers.setdefault(item, []).append((route.item, quantity))
    worth: dict[str, float] = {}
    for item in reversed(instance.topological_order):
        worth[item] = max(
            [
                value.get(item, 0.0),
                *(worth[made] / quantity for made, quantity in consumers.get(item, [])),
            ]
        )
    return worth


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
            throughput = min(need[item], route.capacity if route.capacity is not None else math.inf)
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
        rows.append(
            {
                "target": target.item,
                "demand": target.demand,
                "baseline_output": before,
                "baseline_capability": before / target.demand,
                "output": after,
                "capability": after / target.demand,
            }
        )
    return pd.DataFrame(
        rows,
        columns=TABLE_COLUMNS["targets"],
    )


def capability_without(
    capabilities: Capabilities, chosen: tuple[Lever, ...], lever: Lever
) -> float:
    """C(S without ``lever`` and the levers that require it)."""
    dropped = {lever} | {a for a, b in capabilities.instance.requires if b == lever}
    return capabilities.of(other for other in chosen if other not in dropped)


def levers_frame(run: Run, capabilities: Capabilities, capability: float) -> pd.DataFrame:
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
        rows.append(
            {
                "kind": lever.kind,
                "country": lever.country or "",
                "category": lever.category or "",
                "chosen": lever in chosen,
                "pinned": "on"
                if lever in instance.pinned_on
                else "off"
                if lever in instance.pinned_off
                else "",
                "diplomatic_cost": instance.diplomatic_cost[lever],
                "economic_usd": instance.economic_cost[lever]
                + sum(instance.routes[route].economic_usd for route in reached),
                "items_reached": ";".join(
                    sorted({instance.routes[route].item for route in reached})
                ),
                "routes_reached": len(reached),
                "residual_min": min(reached.values(), default=None),
                "residual_max": max(reached.values(), default=None),
                "marginal_capability": snap(
                    capability_without(capabilities, chosen, lever) - capability
                )
                if lever in chosen
                else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=TABLE_COLUMNS["levers"],
    )


def routes_frame(run: Run, policy: FollowerSolution, classes: list[str]) -> pd.DataFrame:
    """Every route: supplier, coverage, availability, accessible capacity, source class, flow."""
    instance = run.instance
    covering = instance.covering_levers(run.outcome.levers)
    rows = []
    for route in instance.routes:
        availability = policy.availability[route.index]
        rows.append(
            {
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
            }
        )
    return pd.DataFrame(rows)


def routes_by_item(instance: Instance) -> dict[str, list[RouteData]]:
    """The routes making each item, in route order."""
    grouped: dict[str, list[RouteData]] = {}
    for route in instance.routes:
        grouped.setdefault(route.item, []).append(route)
    return grouped


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
    routes_of = routes_by_item(instance)
    rows = []
    for item in instance.items:
        if need[item] <= 0:
            continue
        routes = routes_of.get(item, [])
        split = dict.fromkeys(SOURCE_CLASSES, 0.0)
        for route in routes:
            split[classes[route.index]] += accessible(route, policy.availability[route.index])
        total = sum(split.values())
        world = sum(math.inf if r.capacity is None else r.capacity for r in routes)
        category = routes[0].category if routes else (world_items[item].category or item)
        shadow = policy.shadow_prices[item]
        rows.append(
            {
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
                "gap": category in controlled
                and not math.isinf(total)
                and total >= need[item] - 1e-12,
            }
        )
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
            if route.supplier
            else "",
            "capacity": route.capacity,
        }
        for route in run.instance.routes
        if classes[route.index] == "backfill" and route.item in on_path
    ]
    frame = pd.DataFrame(
        rows,
        columns=TABLE_COLUMNS["backfill"],
    )
    return frame.sort_values(
        ["gap", "item", "capacity", "supplier"],
        ascending=[False, True, False, True],
        ignore_index=True,
    )


def levers_by_item(instance: Instance) -> dict[str, set[Lever]]:
    """The levers that cover at least one route of each item."""
    reaching: dict[str, set[Lever]] = {}
    for cover in instance.covers:
        reaching.setdefault(instance.routes[cover.route].item, set()).update(cover.levers)
    return reaching


def closers_frame(
    run: Run, capabilities: Capabilities, response: Response, items: pd.DataFrame
) -> pd.DataFrame:
    """For each gap, every single lever not chosen that reaches it, with the capability it
    removes, C(S) − C(S ∪ {l} ∪ needs(l)), and the extra diplomatic and economic cost
    (``response``: the solved policy S).

    A lever's row is the same for every gap it reaches, so it is worked out once. Rank within
    each gap: by capability removed per diplomatic unit (free levers first), then per billion
    USD of lost sales.
    """
    instance = run.instance
    chosen = run.outcome.levers
    gaps = list(items.loc[items["gap"], "item"]) if len(items) else []
    reaching = levers_by_item(instance)
    covered = instance.covered(chosen)
    base_cost = instance.cost(chosen, covered)
    closing: dict[Lever, dict[str, object]] = {}
    rows = []
    for item in gaps:
        for lever in sorted(reaching.get(item, set()) - set(chosen) - instance.pinned_off):
            if lever not in closing:
                closing[lever] = closer_row(
                    instance, capabilities, response, covered, base_cost, lever
                )
            rows.append({"item": item, **closing[lever]})
    frame = pd.DataFrame(
        rows,
        columns=[column for column in TABLE_COLUMNS["closers"] if column != "rank"],
    )
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
        ascending=[True, False, False, False, True],
        ignore_index=True,
    )
    frame.insert(1, "rank", frame.groupby("item").cumcount() + 1)
    return frame.drop(columns=["_free", "_per_unit", "_per_billion"])


def closer_row(
    instance: Instance,
    capabilities: Capabilities,
    response: Response,
    covered: np.ndarray,
    base_cost: tuple[float, float],
    lever: Lever,
) -> dict[str, object]:
    """What adding ``lever`` (with the levers it needs) to the solved policy, which covers
    the routes ``covered`` and costs ``base_cost``, removes and costs: the columns of
    ``closers.csv`` after ``item``."""
    chosen = response.levers
    added = [extra for extra in instance.with_requirements(lever) if extra not in chosen]
    base_diplomatic, base_economic = base_cost
    policy = [*chosen, *added]
    diplomatic, economic = instance.cost(policy, covered | instance.covered(policy, added))
    return {
        "lever": lever.label,
        "with": ";".join(extra.label for extra in added[1:]),
        "capability_removed": snap(response.capability - capabilities.with_added(response, added)),
        "diplomatic_cost": diplomatic - base_diplomatic,
        "economic_usd": economic - base_economic,
        "within_budget": within_budget(instance, diplomatic, economic),
    }


def within_budget(instance: Instance, diplomatic: float, economic: float) -> bool:
    """Whether costs fit the scenario's budgets."""
    return (
        instance.budget_diplomatic is None or diplomatic <= instance.budget_diplomatic + 1e-9
    ) and (instance.budget_economic is None or economic <= instance.budget_economic * (1 + 1e-9))


def waterfall_frame(run: Run, capabilities: Capabilities) -> pd.DataFrame:
    """Capability from the baseline through each chosen lever, added one at a time.

    Each step adds the remaining lever (with the levers it needs) that lowers capability most,
    so the first bars show what matters most. When no single lever lowers it (levers that only
    work together, such as alignments on two sources of one item), the pair that lowers it most
    is one step, so the chart shows no empty step before a large one. Lowering by less than
    :data:`ACTIVE` counts as none; ties go to the first label (see :class:`Waterfall`).
    """
    steps = [{"step": 0, "lever": "no levers", "capability": run.baseline.capability}]
    for group, capability in Waterfall(run.instance, capabilities, run.outcome.levers).steps():
        steps.append(
            {
                "step": len(steps),
                "lever": " + ".join(x.label for x in group),
                "capability": capability,
            }
        )
    return pd.DataFrame(steps, columns=TABLE_COLUMNS["waterfall"])


Option = tuple[str, list[Lever], Lever | None]
"""A waterfall step to try: its label, its levers, and the lever it stands for (None for a
pair)."""


class Waterfall:
    """The waterfall's steps through the chosen levers, with as few LP solves as exactness
    allows.

    At step k, with A the levers applied so far, an option g (a lever with what it needs)
    removes C(A) − C(A ∪ g), at most its bound L(A, g) + ε (:meth:`Capabilities.removal_bound`).
    An option solved at an earlier step, for the set X ⊆ A ∪ g, bounds it as well: by the same
    argument from its response, C(A ∪ g) ≥ C(X) − L(X, A ∪ g) − ε_X, so it removes at most
    C(A) − C(X) + L(X, A ∪ g) + ε_X. Options are solved by decreasing bound until the next
    bound falls below the best removal found: none left could beat it, so the step is the one
    solving every option would choose.
    """

    def __init__(
        self, instance: Instance, capabilities: Capabilities, chosen: Iterable[Lever]
    ) -> None:
        self.instance = instance
        self.capabilities = capabilities
        self.remaining = list(chosen)
        self.current = capabilities.response(())
        self.earlier: dict[Lever, Response] = {}
        """Per remaining lever, the response of the last step that solved its option."""

    def steps(self) -> Iterator[tuple[list[Lever], float]]:
        """Each step's levers and the capability after it."""
        while self.remaining:
            group, self.current = self.next_step()
            self.remaining = [lever for lever in self.remaining if lever not in group]
            for lever in group:
                self.earlier.pop(lever, None)
            yield group, self.current.capability

    def next_step(self) -> tuple[list[Lever], Response]:
        """The next step's levers and its response: the single remaining lever (with what it
        needs) that lowers C most, else the pair that does, else the single lever first by
        label."""
        groups = {
            lever: [x for x in self.instance.with_requirements(lever) if x in self.remaining]
            for lever in self.remaining
        }
        singles: list[Option] = [(lever.label, group, lever) for lever, group in groups.items()]
        best = self.most_removing(singles)
        if best is None and len(self.remaining) > 1:
            pairs: list[Option] = [
                (
                    f"{first.label} {second.label}",
                    list(dict.fromkeys([*groups[first], *groups[second]])),
                    None,
                )
                for position, first in enumerate(self.remaining)
                for second in self.remaining[position + 1 :]
            ]
            best = self.most_removing(pairs)
        if best is None:
            _, group, _ = min(singles, key=lambda option: option[0])
            return group, self.capabilities.response(self.current.levers | frozenset(group))
        return best

    def bound(self, option: Option) -> float:
        """The least of the option's bounds on what it removes (see the class docstring)."""
        _, group, lever = option
        current = self.current
        bound = self.capabilities.removal_bound(current, group) + current.shortfall
        earlier = self.earlier.get(lever) if lever is not None else None
        if earlier is not None:
            reach = current.levers | frozenset(group)
            bound = min(
                bound,
                current.capability
                - earlier.capability
                + self.capabilities.removal_bound(earlier, reach)
                + earlier.shortfall,
            )
        return bound

    def most_removing(self, options: list[Option]) -> tuple[list[Lever], Response] | None:
        """The levers and response of the option that lowers C most, by more than
        :data:`ACTIVE` (ties to the first label); None when none does."""
        bounded = sorted(
            ((self.bound(option), option) for option in options),
            key=lambda pair: (-pair[0], pair[1][0]),
        )
        best_removal, best = ACTIVE, None
        for bound, (label, group, lever) in bounded:
            if bound < best_removal:
                break
            response = self.capabilities.response(self.current.levers | frozenset(group))
            if lever is not None:
                self.earlier[lever] = response
            removal = self.current.capability - response.capability
            if removal > best_removal or (
                best is not None and removal == best_removal and label < best[0]
            ):
                best_removal, best = removal, (label, group, response)
        return None if best is None else (best[1], best[2])
