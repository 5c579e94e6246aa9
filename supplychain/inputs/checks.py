"""Meaning checks that span fields: references, cycles, producibility.

Each ``check_*`` returns the problems it finds; :func:`world_problems` and
:func:`scenario_problems` run them all so a planner sees every finding at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from supplychain.errors import Problem
from supplychain.inputs.graph import find_input_cycle, producible_items
from supplychain.inputs.messages import FieldPath, did_you_mean
from supplychain.inputs.schema import Scenario, World
from supplychain.inputs.yamldoc import Document


def _unknown(doc: Document, path: FieldPath, what: str, name: str, known: Iterable[str]) -> Problem:
    return doc.problem(path, f"unknown {what} '{name}'{did_you_mean(name, known)}")


def categories(world: World) -> set[str]:
    """Control categories: each item's ``category``, or its id when none is given."""
    return {item.category or item_id for item_id, item in world.items.items()}


def check_supplier_references(world: World, doc: Document) -> Iterator[Problem]:
    for supplier_id, supplier in world.suppliers.items():
        path: FieldPath = ("suppliers", supplier_id)
        if supplier.country not in world.countries:
            yield _unknown(doc, (*path, "country"), "country", supplier.country, world.countries)
        for country in supplier.content:
            if country not in world.countries:
                yield _unknown(
                    doc, (*path, "content", country), "country", country, world.countries
                )
        for i, country in enumerate(supplier.direct_product_of):
            if country not in world.countries:
                yield _unknown(
                    doc, (*path, "direct_product_of", i), "country", country, world.countries
                )
        if supplier.owner is not None and supplier.owner not in world.countries:
            yield _unknown(doc, (*path, "owner"), "country", supplier.owner, world.countries)


def check_route_references(world: World, doc: Document) -> Iterator[Problem]:
    for index, route in enumerate(world.routes):
        path: FieldPath = ("routes", index)
        if route.item not in world.items:
            yield _unknown(doc, (*path, "item"), "item", route.item, world.items)
        if route.supplier is not None and route.supplier not in world.suppliers:
            yield _unknown(doc, (*path, "supplier"), "supplier", route.supplier, world.suppliers)
        for input_id in route.inputs:
            if input_id not in world.items:
                yield _unknown(doc, (*path, "inputs", input_id), "item", input_id, world.items)
        if route.via is not None and route.via not in world.countries:
            yield _unknown(doc, (*path, "via"), "country", route.via, world.countries)
        for country in route.content or {}:
            if country not in world.countries:
                yield _unknown(
                    doc, (*path, "content", country), "country", country, world.countries
                )
        for i, country in enumerate(route.direct_product_of or []):
            if country not in world.countries:
                yield _unknown(
                    doc, (*path, "direct_product_of", i), "country", country, world.countries
                )


_SHARE_ROUNDING = 1e-9
"""How far shares that add up to 1 in decimals may add up to more in binary floating point."""


def check_content_totals(world: World, doc: Document) -> Iterator[Problem]:
    """Each ``content`` (a supplier's or a route's override) splits one product's value by
    origin, so its shares add up to at most 1 (give or take :data:`_SHARE_ROUNDING`)."""
    contents: list[tuple[FieldPath, dict[str, float]]] = [
        (("suppliers", supplier_id, "content"), supplier.content)
        for supplier_id, supplier in world.suppliers.items()
    ]
    contents.extend(
        (("routes", index, "content"), route.content)
        for index, route in enumerate(world.routes)
        if route.content is not None
    )
    for path, shares in contents:
        total = sum(shares.values())
        if total > 1 + _SHARE_ROUNDING:
            yield doc.problem(
                path,
                f"shares of the product's value add up to {total:g}, more than 1 "
                f"({', '.join(f'{country} {share:g}' for country, share in shares.items())})",
            )


def check_via_routes(world: World, doc: Document) -> Iterator[Problem]:
    for index, route in enumerate(world.routes):
        supplier = world.suppliers.get(route.supplier or "")
        if route.via is not None and supplier is not None and route.via == supplier.country:
            yield doc.problem(
                ("routes", index, "via"),
                f"a diversion route goes through a third country, not the supplier's own "
                f"'{route.via}'",
            )


def check_input_cycles(world: World, doc: Document) -> Iterator[Problem]:
    if not _has_input_cycle(world):
        return
    cycle = find_input_cycle(world)
    if cycle is None:
        return
    first_route = next(
        index
        for index, route in enumerate(world.routes)
        if route.item == cycle[1] and cycle[0] in route.inputs
    )
    yield doc.problem(
        ("routes", first_route, "inputs", cycle[0]),
        "cycle through route inputs: " + " -> ".join(cycle),
    )


def _has_input_cycle(world: World) -> bool:
    """Whether route inputs form a cycle: Kahn's algorithm, linear in the routes, frees the
    items whose inputs are all freed; an item on a cycle never is. (Naming the cycle with
    :func:`~supplychain.inputs.graph.find_input_cycle` takes some twenty seconds at 100,000 routes,
    so that runs only when there is a cycle to name.)"""
    inputs_of: defaultdict[str, set[str]] = defaultdict(set)
    made_from: defaultdict[str, set[str]] = defaultdict(set)
    for route in world.routes:
        for input_id in route.inputs:
            inputs_of[route.item].add(input_id)
            made_from[input_id].add(route.item)
    free = [item_id for item_id in made_from if item_id not in inputs_of]
    freed = 0
    while free:
        item_id = free.pop()
        freed += 1
        for output in made_from.get(item_id, ()):
            waiting = inputs_of[output]
            waiting.discard(item_id)
            if not waiting:
                free.append(output)
    return freed < len(inputs_of.keys() | made_from.keys())


def check_category_table(world: World, doc: Document) -> Iterator[Problem]:
    """Every entry of ``categories`` is a category some item names (an entry nothing names is
    a misspelling, or a rule the model does not use)."""
    named = categories(world)
    for category in world.categories:
        if category not in named:
            yield doc.problem(
                ("categories", category),
                f"no item names category '{category}'{did_you_mean(category, named)}",
            )


def world_problems(world: World, doc: Document) -> list[Problem]:
    """All meaning problems of a world model that passed the schema."""
    problems = [
        *check_supplier_references(world, doc),
        *check_route_references(world, doc),
        *check_content_totals(world, doc),
        *check_via_routes(world, doc),
        *check_category_table(world, doc),
    ]
    if not problems:
        problems.extend(check_input_cycles(world, doc))
    return problems


def check_roles(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    for role in ("controller", "adversary"):
        country = getattr(scenario, role)
        if country not in world.countries:
            yield _unknown(doc, (role,), "country", country, world.countries)
    if scenario.controller == scenario.adversary:
        written = "adversary" if ("adversary",) in doc.lines else "controller"
        yield doc.problem((written,), "the adversary must differ from the controller")


def check_targets(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    known = [target for target in scenario.targets if target in world.items]
    for target in scenario.targets:
        if target not in world.items:
            yield _unknown(doc, ("targets", target), "item", target, world.items)
    if scenario.adversary not in world.countries or not known:
        return
    producible = producible_items(world, scenario.adversary)
    for target in known:
        if target not in producible:
            yield doc.problem(
                ("targets", target),
                f"the adversary cannot produce '{target}' even with no controls "
                "(no route with capacity whose inputs can all be obtained)",
            )


def check_country_keys(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    for section in ("partners", "pressure"):
        for country in getattr(scenario, section):
            if country not in world.countries:
                yield _unknown(doc, (section, country), "country", country, world.countries)
            elif country == scenario.adversary or (
                section == "partners" and country == scenario.controller
            ):
                yield doc.problem(
                    (section, country),
                    "must be a third country, not the controller or adversary"
                    if section == "partners"
                    else "must not be the adversary",
                )
    for country in scenario.leakage.by_country:
        if country not in world.countries:
            yield _unknown(
                doc, ("leakage", "by_country", country), "country", country, world.countries
            )


def check_category_keys(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    known = categories(world)
    for category in scenario.leakage.by_category:
        if category not in known:
            yield _unknown(doc, ("leakage", "by_category", category), "category", category, known)
    for kind in ("control", "align", "fdpr"):
        selection = getattr(scenario.levers, kind)
        if isinstance(selection, list):
            for i, category in enumerate(selection):
                if category not in known:
                    yield _unknown(doc, ("levers", kind, i), "category", category, known)
    for kind in ("monitor", "restrict", "tariff", "screen"):
        selection = getattr(scenario.levers, kind)
        if isinstance(selection, list):
            for i, country in enumerate(selection):
                if country not in world.countries:
                    yield _unknown(doc, ("levers", kind, i), "country", country, world.countries)


def check_pins(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    known = categories(world)
    for side in ("on", "off"):
        for i, pin in enumerate(getattr(scenario.fixed, side)):
            path: FieldPath = ("fixed", side, i, pin.kind)
            if pin.country is not None and pin.country not in world.countries:
                yield _unknown(doc, path, "country", pin.country, world.countries)
            if pin.category is not None and pin.category not in known:
                yield _unknown(doc, path, "category", pin.category, known)


def check_compare_options(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    names: set[str] = set()
    valid_partners = [country for country in scenario.partners if country in world.countries]
    for i, option in enumerate(scenario.compare):
        if option.name in names:
            yield doc.problem(("compare", i, "name"), f"duplicate option name '{option.name}'")
        names.add(option.name)
        if isinstance(option.partners, list):
            for j, country in enumerate(option.partners):
                if country not in scenario.partners:
                    yield doc.problem(
                        ("compare", i, "partners", j),
                        f"'{country}' is not among the scenario's partners"
                        f"{did_you_mean(country, valid_partners)}",
                    )


_SHARE_PARAMETERS = ("leakage.default", "de_minimis", "max_capability")
"""Sweep parameters that are shares, so every value must lie in [0, 1]."""


def check_sweep(scenario: Scenario, world: World, doc: Document) -> Iterator[Problem]:
    sweep = scenario.sweep
    if sweep is None:
        return
    if sweep.parameter == "max_capability" and scenario.objective.minimize != "cost":
        yield doc.problem(
            ("sweep", "parameter"),
            "max_capability is only swept when minimizing cost (objective: {minimize: cost})",
        )
    if sweep.parameter in _SHARE_PARAMETERS:
        for i, value in enumerate(sweep.values):
            if value > 1:
                yield doc.problem(
                    ("sweep", "values", i), f"{sweep.parameter} is a share in [0, 1], got {value:g}"
                )


def scenario_problems(scenario: Scenario, world: World, doc: Document) -> list[Problem]:
    """All meaning problems of a scenario against its (valid) world model."""
    return [
        *check_roles(scenario, world, doc),
        *check_targets(scenario, world, doc),
        *check_country_keys(scenario, world, doc),
        *check_category_keys(scenario, world, doc),
        *check_pins(scenario, world, doc),
        *check_compare_options(scenario, world, doc),
        *check_sweep(scenario, world, doc),
    ]
