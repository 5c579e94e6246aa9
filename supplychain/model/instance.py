"""The numeric problem behind a scenario: routes, levers, what each lever covers, and costs.

This is where the lever rules of DESIGN §5 live, as data. Every lever kind only adds
:class:`Cover` entries — *these routes keep this residual fraction of their capacity while all
of these levers are chosen* — so the follower LP, the MILP and the brute-force check share one
mechanism and no lever kind is a special case downstream.

A route r (item i, category k, supplier in country c) is *domestic* when it has no supplier or
its supplier is in the adversary; otherwise *foreign*. With ℓ_r its leakage:

* ``control[k]`` covers foreign routes of k supplied from the controller, or whose controlled
  content ``content[controller]`` exceeds k's de minimis share (the category's own from the
  world's ``categories`` table, else the scenario's ``de_minimis``); residual ℓ_r.
* ``align[c,k]`` covers foreign routes of k supplied from partner c, and via-routes of k
  through c; residual ℓ_r.
* ``fdpr[c,k]`` (requires ``control[k]``) covers foreign routes of k supplied from c whose
  ``direct_product_of`` lists the controller; residual ℓ_r.
* ``monitor[c]`` covers via-routes through c; residual ``1 − monitor_effect``.
* ``restrict[c,k]`` (requires ``control[k]``) covers via-routes of k through c; residual ℓ_r.
* ``tariff[c]`` covers c's own routes of k while ``control[k]`` is chosen; residual
  ``1 − tariff_compliance``.
* ``screen[c]`` covers routes of adversary-owned suppliers located in c (the controller's
  own country included: investment screening at home); residual ℓ_r.

Control and FDPR never reach via-routes; only ``screen`` reaches adversary-owned suppliers.
A route's availability under a lever set S is ``min(1, min ρ over covers active in S)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np

from supplychain.errors import InputError
from supplychain.inputs.checks import categories
from supplychain.inputs.schema import Pin, Pressure, Scenario, World
from supplychain.inputs.yamldoc import Document


@dataclass(frozen=True, order=True)
class Lever:
    """One binary policy choice, e.g. ``align:NLD:lithography`` or ``control::lithography``."""

    kind: str
    country: str | None
    category: str | None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.country or ''}:{self.category or ''}"


@dataclass(frozen=True)
class RouteData:
    """One route with everything the optimiser needs about it."""

    index: int
    item: str
    category: str
    supplier: str | None
    country: str | None
    via: str | None
    owner: str | None
    capacity: float | None
    inputs: tuple[tuple[str, float], ...]
    domestic: bool
    leakage: float
    economic_usd: float


@dataclass(frozen=True)
class Cover:
    """Route ``route`` keeps ``residual`` of its capacity while all of ``levers`` are chosen."""

    route: int
    residual: float
    levers: tuple[Lever, ...]


@dataclass(frozen=True)
class TargetData:
    item: str
    demand: float
    value: float
    """Capability per unit of output, w_t / (d_t · Σw)."""


@dataclass(frozen=True)
class Instance:
    """A scenario turned into numbers: the input of the follower LP and of the MILP."""

    items: tuple[str, ...]
    topological_order: tuple[str, ...]
    targets: tuple[TargetData, ...]
    routes: tuple[RouteData, ...]
    levers: tuple[Lever, ...]
    diplomatic_cost: dict[Lever, float]
    economic_cost: dict[Lever, float]
    covers: tuple[Cover, ...]
    requires: tuple[tuple[Lever, Lever], ...]
    """Pairs (a, b): lever a may be chosen only with lever b."""
    same: tuple[tuple[Lever, Lever], ...]
    """Pairs (a, b) chosen together or not at all (plurilateral regime)."""
    pinned_on: frozenset[Lever]
    pinned_off: frozenset[Lever]
    budget_diplomatic: float | None
    budget_economic: float | None
    mode: str
    minimize: str
    max_capability: float | None
    covers_by_route: dict[int, tuple[Cover, ...]] = field(init=False, repr=False)
    cover_indices_by_lever: dict[Lever, tuple[int, ...]] = field(init=False, repr=False)
    """Positions in ``covers`` of the covers each lever takes part in."""
    cover_route: np.ndarray = field(init=False, repr=False, compare=False)
    """Route of each cover, by position in ``covers``."""
    cover_residual: np.ndarray = field(init=False, repr=False, compare=False)
    """Residual of each cover, by position in ``covers``."""
    _joint_covers: np.ndarray = field(init=False, repr=False, compare=False)
    """Positions of the covers that need more than one lever (tariffs with their control)."""
    linked: dict[Lever, tuple[Lever, ...]] = field(init=False, repr=False, compare=False)
    """Per lever, the levers it cannot be chosen without: b of every pair (lever, b) in
    ``requires``, in ``same`` and in ``same`` reversed, in that order."""
    _positions_by_lever: dict[Lever, np.ndarray] = field(init=False, repr=False, compare=False)
    """``cover_indices_by_lever`` as arrays."""
    _route_economic: np.ndarray = field(init=False, repr=False, compare=False)
    """Lost sales of each route, by route index."""
    _lever_rank: dict[Lever, int] = field(init=False, repr=False, compare=False)
    """Position of each lever in sorted order (costs are summed in that order)."""

    def __post_init__(self) -> None:
        grouped: dict[int, list[Cover]] = {}
        by_lever: dict[Lever, list[int]] = {}
        for position, cover in enumerate(self.covers):
            grouped.setdefault(cover.route, []).append(cover)
            for lever in cover.levers:
                by_lever.setdefault(lever, []).append(position)
        linked: dict[Lever, list[Lever]] = {}
        for a, b in [*self.requires, *self.same, *[(b, a) for a, b in self.same]]:
            linked.setdefault(a, []).append(b)
        derived = {
            "covers_by_route": {route: tuple(covers) for route, covers in grouped.items()},
            "cover_indices_by_lever": {
                lever: tuple(positions) for lever, positions in by_lever.items()
            },
            "cover_route": np.array([cover.route for cover in self.covers], dtype=np.int64),
            "cover_residual": np.array([cover.residual for cover in self.covers], dtype=float),
            "_joint_covers": np.array(
                [position for position, cover in enumerate(self.covers) if len(cover.levers) > 1],
                dtype=np.int64,
            ),
            "_positions_by_lever": {
                lever: np.array(positions, dtype=np.int64) for lever, positions in by_lever.items()
            },
            "_route_economic": np.array([route.economic_usd for route in self.routes]),
            "linked": {lever: tuple(needs) for lever, needs in linked.items()},
            "_lever_rank": {lever: rank for rank, lever in enumerate(sorted(self.diplomatic_cost))},
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def active_positions(
        self, chosen: Iterable[Lever], among: Iterable[Lever] | None = None
    ) -> np.ndarray:
        """Positions in ``covers``, ascending, of the covers whose levers are all in ``chosen``;
        with ``among``, only those in which one of the levers ``among`` takes part (only the
        covers of those levers are looked at)."""
        chosen_set = set(chosen)
        looked_at = chosen_set if among is None else set(among) & chosen_set
        reached = np.zeros(len(self.covers), dtype=bool)
        for lever in looked_at:
            if lever in self._positions_by_lever:
                reached[self._positions_by_lever[lever]] = True
        joint = self._joint_covers[reached[self._joint_covers]].tolist()
        reached[
            [
                position
                for position in joint
                if not chosen_set.issuperset(self.covers[position].levers)
            ]
        ] = False
        return np.flatnonzero(reached)

    def active_covers(self, chosen: Iterable[Lever]) -> list[Cover]:
        """Covers whose levers are all chosen, in the order of ``covers`` (only the covers of
        chosen levers are looked at)."""
        return [self.covers[position] for position in self.active_positions(chosen).tolist()]

    def availability_array(self, chosen: Iterable[Lever]) -> np.ndarray:
        """:meth:`availability` as an array: a_r(S) = min(1, min ρ over the active covers)."""
        available = np.ones(len(self.routes))
        positions = self.active_positions(chosen)
        np.minimum.at(available, self.cover_route[positions], self.cover_residual[positions])
        return available

    def availability(self, chosen: Iterable[Lever]) -> list[float]:
        """Per route, the fraction of capacity the adversary can still reach."""
        available: list[float] = self.availability_array(chosen).tolist()
        return available

    def covering_levers(self, chosen: Iterable[Lever]) -> dict[int, list[Lever]]:
        """Per covered route, the chosen levers that reach it."""
        result: dict[int, list[Lever]] = {}
        for cover in self.active_covers(chosen):
            result.setdefault(cover.route, []).extend(cover.levers)
        return {route: sorted(set(levers)) for route, levers in result.items()}

    def covered(self, chosen: Iterable[Lever], among: Iterable[Lever] | None = None) -> np.ndarray:
        """Per route, whether a cover active under ``chosen`` reaches it (``among``: only the
        covers those levers take part in, as in :meth:`active_positions`)."""
        reached = np.zeros(len(self.routes), dtype=bool)
        reached[self.cover_route[self.active_positions(chosen, among)]] = True
        return reached

    def with_requirements(self, lever: Lever) -> list[Lever]:
        """``lever`` plus every lever it needs, transitively (FDPR and restrictions need the
        control; a plurilateral member's alignment comes with the control and vice versa)."""
        needed = [lever]
        for lever_needed in needed:
            for other in self.linked.get(lever_needed, ()):
                if other not in needed:
                    needed.append(other)
        return needed

    def cost(
        self, chosen: Iterable[Lever], covered: np.ndarray | None = None
    ) -> tuple[float, float]:
        """Diplomatic units and economic USD of a lever set (each covered route counted once);
        ``covered``: its :meth:`covered` routes, when the caller knows them already.

        Levers are summed in sorted order and routes in index order, one after another (a
        cumulative sum), so equal sets give equal floats however they are passed."""
        chosen_set = set(chosen)
        reached = self.covered(chosen_set) if covered is None else covered
        ordered = sorted(chosen_set, key=self._lever_rank.__getitem__)
        diplomatic = sum(self.diplomatic_cost[lever] for lever in ordered)
        economic = sum(self.economic_cost[lever] for lever in ordered)
        lost_sales = self._route_economic[reached]
        if len(lost_sales):
            economic += float(np.cumsum(lost_sales)[-1])
        return diplomatic, economic

    def is_feasible(self, chosen: Iterable[Lever], tolerance: float = 1e-9) -> bool:
        """Whether a lever set respects requirements, regimes, pins, mode and budgets."""
        chosen_set = set(chosen)
        if any(a in chosen_set and b not in chosen_set for a, b in self.requires):
            return False
        if any((a in chosen_set) != (b in chosen_set) for a, b in self.same):
            return False
        if not self.pinned_on <= chosen_set or self.pinned_off & chosen_set:
            return False
        if self.mode == "evaluate" and chosen_set != self.pinned_on:
            return False
        diplomatic, economic = self.cost(chosen_set)
        if self.budget_diplomatic is not None and diplomatic > self.budget_diplomatic + tolerance:
            return False
        return not (
            self.budget_economic is not None
            and economic > self.budget_economic * (1 + tolerance) + tolerance
        )


def _allowed(selection: str | list[str], universe: Iterable[str]) -> list[str]:
    if selection == "all":
        return sorted(universe)
    if selection == "none":
        return []
    return sorted(set(selection) & set(universe))


def _routes(scenario: Scenario, world: World) -> tuple[RouteData, ...]:
    leakage = scenario.leakage
    routes = []
    for index, route in enumerate(world.routes):
        item = world.items[route.item]
        category = item.category or route.item
        supplier = world.suppliers.get(route.supplier) if route.supplier else None
        country = supplier.country if supplier else None
        domestic = supplier is None or country == scenario.adversary
        reach_country = route.via or country
        if route.leakage is not None:
            route_leakage = route.leakage
        elif category in leakage.by_category:
            route_leakage = leakage.by_category[category]
        elif reach_country in leakage.by_country:
            route_leakage = leakage.by_country[reach_country]
        else:
            route_leakage = leakage.default
        capacity = route.capacity
        economic = (
            0.0
            if domestic or capacity is None
            else (capacity * item.market_usd * scenario.costs.adversary_share)
        )
        routes.append(
            RouteData(
                index=index,
                item=route.item,
                category=category,
                supplier=route.supplier,
                country=country,
                via=route.via,
                owner=supplier.owner if supplier else None,
                capacity=capacity,
                inputs=tuple(sorted(route.inputs.items())),
                domestic=domestic,
                leakage=route_leakage,
                economic_usd=economic,
            )
        )
    return tuple(routes)


@dataclass
class _Catalogue:
    """Levers under construction: costs, covers and requirements."""

    diplomatic: dict[Lever, float] = field(default_factory=dict)
    economic: dict[Lever, float] = field(default_factory=dict)
    covers: list[Cover] = field(default_factory=list)
    requires: list[tuple[Lever, Lever]] = field(default_factory=list)

    def add(
        self,
        lever: Lever,
        covers: list[tuple[int, float]],
        diplomatic: float,
        economic: float = 0.0,
        needs: Lever | None = None,
    ) -> None:
        """Add a lever that reaches at least one route (others do not exist)."""
        if not covers or (needs is not None and needs not in self.diplomatic):
            return
        self.diplomatic[lever] = diplomatic
        self.economic[lever] = economic
        self.covers.extend(Cover(route, residual, (lever,)) for route, residual in covers)
        if needs is not None:
            self.requires.append((lever, needs))


def _base_levers(
    scenario: Scenario,
    world: World,
    routes: tuple[RouteData, ...],
    catalogue: _Catalogue,
    aligners: Collection[str] | None,
) -> None:
    controller = scenario.controller
    reachable = [r for r in routes if not r.domestic and r.owner != scenario.adversary]
    direct = [r for r in reachable if r.via is None]
    all_categories = categories(world)
    foreign_categories = {r.category for r in routes if not r.domestic}

    def content(route: RouteData) -> float:
        override = world.routes[route.index].content
        shares = override if override is not None else world.suppliers[route.supplier or ""].content
        return shares.get(controller, 0.0)

    def direct_product(route: RouteData) -> bool:
        override = world.routes[route.index].direct_product_of
        origins = (
            override
            if override is not None
            else world.suppliers[route.supplier or ""].direct_product_of
        )
        return controller in origins

    direct_by_category = _grouped(direct, lambda r: r.category)
    for category in _allowed(scenario.levers.control, foreign_categories):
        de_minimis = de_minimis_share(scenario, world, category)
        covers = [
            (r.index, r.leakage)
            for r in direct_by_category.get(category, [])
            if r.country == controller or (de_minimis is not None and content(r) > de_minimis)
        ]
        lever = Lever("control", None, category)
        catalogue.diplomatic[lever] = 0.0
        catalogue.economic[lever] = 0.0
        catalogue.covers.extend(Cover(route, residual, (lever,)) for route, residual in covers)
    by_category_and_country = _grouped(reachable, lambda r: (r.category, r.via or r.country))
    for country in sorted(scenario.partners):
        if aligners is not None and country not in aligners:
            continue
        partner = scenario.partners[country]
        for category in _allowed(scenario.levers.align, all_categories):
            covers = [
                (r.index, r.leakage) for r in by_category_and_country.get((category, country), [])
            ]
            catalogue.add(Lever("align", country, category), covers, partner.align_cost)
    direct_by_category_and_country = _grouped(direct, lambda r: (r.category, r.country))
    for country in sorted(set(world.countries) - {controller, scenario.adversary}):
        fdpr_partner = scenario.partners.get(country)
        fdpr_cost = (
            fdpr_partner.fdpr_cost
            if fdpr_partner is not None and fdpr_partner.fdpr_cost is not None
            else scenario.costs.fdpr_default
        )
        for category in _allowed(scenario.levers.fdpr, all_categories):
            covers = [
                (r.index, r.leakage)
                for r in direct_by_category_and_country.get((category, country), [])
                if direct_product(r)
            ]
            catalogue.add(
                Lever("fdpr", country, category),
                covers,
                fdpr_cost,
                needs=Lever("control", None, category),
            )


def de_minimis_share(scenario: Scenario, world: World, category: str) -> float | None:
    """The de minimis share of ``category``: its own when the world's ``categories`` table
    sets one (DESIGN §8.1; ``null`` there disables de minimis reach), else the scenario's."""
    entry = world.categories.get(category)
    if entry is not None and entry.own_de_minimis:
        return entry.de_minimis
    return scenario.de_minimis


def _pressure_levers(
    scenario: Scenario, world: World, routes: tuple[RouteData, ...], catalogue: _Catalogue
) -> None:
    adversary = scenario.adversary
    reachable = [r for r in routes if not r.domestic and r.owner != adversary]
    via_routes = [r for r in reachable if r.via is not None]
    countries = set(world.countries) - {scenario.controller, adversary}
    all_categories = categories(world)
    via_by_country = _grouped(via_routes, lambda r: r.via)
    via_by_country_and_category = _grouped(via_routes, lambda r: (r.via, r.category))
    for country in _allowed(scenario.levers.monitor, countries):
        pressure = scenario.pressure.get(country, Pressure())
        covers = [(r.index, 1.0 - pressure.monitor_effect) for r in via_by_country.get(country, [])]
        catalogue.add(Lever("monitor", country, None), covers, pressure.monitor_cost)
    for country in _allowed(scenario.levers.restrict, countries):
        pressure = scenario.pressure.get(country, Pressure())
        for category in sorted(all_categories):
            covers = [
                (r.index, r.leakage)
                for r in via_by_country_and_category.get((country, category), [])
            ]
            catalogue.add(
                Lever("restrict", country, category),
                covers,
                pressure.restrict_cost,
                economic=pressure.restrict_cost_usd,
                needs=Lever("control", None, category),
            )
    direct_by_country = _grouped((r for r in reachable if r.via is None), lambda r: r.country)
    for country in _allowed(scenario.levers.tariff, countries):
        pressure = scenario.pressure.get(country, Pressure())
        lever = Lever("tariff", country, None)
        tariff_covers = [
            Cover(r.index, 1.0 - pressure.tariff_compliance, (lever, control))
            for r in direct_by_country.get(country, [])
            if (control := Lever("control", None, r.category)) in catalogue.diplomatic
        ]
        if tariff_covers:
            catalogue.diplomatic[lever] = pressure.tariff_cost
            catalogue.economic[lever] = 0.0
            catalogue.covers.extend(tariff_covers)
    owned_by_country = _grouped(
        (r for r in routes if not r.domestic and r.owner == adversary), lambda r: r.country
    )
    for country in _allowed(scenario.levers.screen, set(world.countries) - {adversary}):
        pressure = scenario.pressure.get(country, Pressure())
        covers = [(r.index, r.leakage) for r in owned_by_country.get(country, [])]
        catalogue.add(Lever("screen", country, None), covers, pressure.screen_cost)


def _grouped(
    routes: Iterable[RouteData], key: Callable[[RouteData], Hashable]
) -> dict[Hashable, list[RouteData]]:
    """Routes by ``key``, each group in route order (one pass, instead of a scan per lever)."""
    groups: dict[Hashable, list[RouteData]] = {}
    for route in routes:
        groups.setdefault(key(route), []).append(route)
    return groups


def pin_lever(pin: Pin) -> Lever:
    """The lever a ``fixed`` entry names."""
    return Lever(pin.kind, pin.country, pin.category)


def _pins(
    scenario: Scenario, catalogue: _Catalogue, document: Document | None
) -> tuple[frozenset[Lever], frozenset[Lever]]:
    """Pinned levers; a pin to a lever that does not exist is an input error when a document
    is given (the scenario as written) and is dropped otherwise (a comparison option that
    removed the lever)."""
    problems = []
    pinned: dict[str, set[Lever]] = {"on": set(), "off": set()}
    for side in ("on", "off"):
        for i, pin in enumerate(getattr(scenario.fixed, side)):
            lever = pin_lever(pin)
            if lever in catalogue.diplomatic:
                pinned[side].add(lever)
            elif document is not None:
                problems.append(
                    document.problem(
                        ("fixed", side, i, pin.kind),
                        f"no lever '{lever.label}': it reaches no route, or `levers` does not "
                        "allow it",
                    )
                )
    if document is not None:
        for lever in sorted(pinned["on"] & pinned["off"]):
            problems.append(document.problem(("fixed",), f"{lever.label} is pinned on and off"))
    if problems:
        raise InputError(problems)
    return frozenset(pinned["on"]), frozenset(pinned["off"])


def _targets(scenario: Scenario) -> tuple[TargetData, ...]:
    """Each target's capability per unit of output, w_t / (d_t · Σw).

    Only the weights' ratios count, and any positive finite weight is valid, so the weights are
    first divided by the power of two just above the largest: their sum cannot overflow (two
    weights of 1e308 weigh as two of 1), and a power of two divides exactly, so the values are
    the very floats of the unscaled formula wherever that one neither over- nor underflows."""
    exponent = math.frexp(max(target.weight for target in scenario.targets.values()))[1]
    weights = {
        item: math.ldexp(target.weight, -exponent) for item, target in scenario.targets.items()
    }
    total_weight = sum(weights.values())
    return tuple(
        TargetData(item, target.demand, weights[item] / (target.demand * total_weight))
        for item, target in sorted(scenario.targets.items())
    )


def build_instance(
    scenario: Scenario,
    world: World,
    topological_order: Iterable[str],
    document: Document | None = None,
    plurilateral: bool = False,
    aligners: Collection[str] | None = None,
) -> Instance:
    """Turn a valid scenario and world into an :class:`Instance`.

    ``plurilateral``: every aligned partner adopts the controller's common list,
    ``align[c,k] = control[k]``. ``aligners``: the partners that may align (default all);
    the others keep their FDPR price from the partner table. ``document``: the scenario
    file, for locating pin errors.
    """
    routes = _routes(scenario, world)
    catalogue = _Catalogue()
    _base_levers(scenario, world, routes, catalogue, aligners)
    _pressure_levers(scenario, world, routes, catalogue)
    same: list[tuple[Lever, Lever]] = []
    if plurilateral:
        same = [
            (lever, Lever("control", None, lever.category))
            for lever in sorted(catalogue.diplomatic)
            if lever.kind == "align"
        ]
    pinned_on, pinned_off = _pins(scenario, catalogue, document)
    if plurilateral:
        missing = {pair[0] for pair in same if pair[1] not in catalogue.diplomatic}
        pinned_off = pinned_off | missing
        same = [pair for pair in same if pair[0] not in missing]
    return Instance(
        items=tuple(sorted(world.items)),
        topological_order=tuple(topological_order),
        targets=_targets(scenario),
        routes=routes,
        levers=tuple(sorted(catalogue.diplomatic)),
        diplomatic_cost=dict(sorted(catalogue.diplomatic.items())),
        economic_cost=dict(sorted(catalogue.economic.items())),
        covers=tuple(sorted(catalogue.covers, key=lambda c: (c.route, c.levers))),
        requires=tuple(sorted(catalogue.requires)),
        same=tuple(same),
        pinned_on=pinned_on,
        pinned_off=pinned_off,
        budget_diplomatic=scenario.budget.diplomatic,
        budget_economic=scenario.budget.economic_usd,
        mode=scenario.mode,
        minimize=scenario.objective.minimize,
        max_capability=scenario.objective.max_capability,
    )
