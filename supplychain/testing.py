"""Random worlds and scenarios of a chosen size, for the brute-force tests and the benchmarks.

The generated data follows the file formats of DESIGN §3–4 (plain dicts, ready for
``yaml.safe_dump`` or ``model_validate``) and has the shape of the real problem: targets made by
the adversary from tools along alternative recipes; tools, subsystems and materials supplied by
firms in the controller, partners, third countries and the adversary; indigenous routes that
need subsystems; diversion routes through a transit country; adversary-owned firms abroad;
leakage at every level of specificity.

Everything is drawn from one ``random.Random(seed)``, so a seed names an instance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

CONTROLLER, ADVERSARY, TRANSIT = "USA", "CHN", "MYS"
PARTNERS = ("NLD", "JPN", "KOR", "DEU", "TWN")


@dataclass(frozen=True)
class Size:
    """How big a random instance is."""

    targets: int = 1
    categories: int = 3
    items_per_category: int = 2
    subsystems: int = 1
    partners: int = 2
    suppliers_per_item: int = 3


def random_world(rng: random.Random, size: Size) -> dict[str, Any]:
    """A random world model (DESIGN §3) with the given size."""
    partners = list(PARTNERS[: size.partners])
    countries = [CONTROLLER, ADVERSARY, TRANSIT, *partners]
    items: dict[str, dict[str, Any]] = {}
    suppliers: dict[str, dict[str, Any]] = {}
    routes: list[dict[str, Any]] = []
    subsystems = [f"sub{index}" for index in range(size.subsystems)]
    for subsystem in subsystems:
        items[subsystem] = {
            "kind": "subsystem",
            "category": "subsystems",
            "market_usd": float(rng.randint(1, 5)) * 1e8,
        }
    tools = []
    for category_index in range(size.categories):
        category = f"cat{category_index}"
        for tool_index in range(size.items_per_category):
            tool = f"{category}_tool{tool_index}"
            tools.append(tool)
            items[tool] = {
                "kind": "tool",
                "category": category,
                "market_usd": float(rng.randint(1, 20)) * 1e9,
            }
    for item in [*subsystems, *tools]:
        routes.extend(_supplier_routes(rng, item, countries, subsystems, suppliers, size))
    for target_index in range(size.targets):
        target = f"target{target_index}"
        items[target] = {"kind": "capability"}
        for _ in range(rng.randint(1, 2)):
            recipe = rng.sample(tools, k=min(len(tools), rng.randint(1, 3)))
            routes.append(
                {
                    "item": target,
                    "inputs": {tool: float(rng.randint(1, 3)) for tool in sorted(recipe)},
                }
            )
    return {
        "name": "synthetic",
        "countries": {country: {"name": country} for country in countries},
        "items": items,
        "suppliers": suppliers,
        "routes": routes,
    }


def random_category_table(rng: random.Random, world: dict[str, Any]) -> dict[str, Any]:
    """A random ``categories`` table (DESIGN §8.1) for ``world``: some categories get a group
    and their own de minimis share (``None``: de minimis reach off for that category), the
    others keep the scenario's."""
    table: dict[str, Any] = {}
    for category in _named_categories(world):
        if rng.random() < 0.6:
            table[category] = {
                "group": rng.choice(["tools", category]),
                "de_minimis": rng.choice([0.0, 0.1, 0.4, None]),
            }
    return table


def _named_categories(world: dict[str, Any]) -> list[str]:
    """The categories the items of a generated world name explicitly, sorted."""
    return sorted({item["category"] for item in world["items"].values() if "category" in item})


def _supplier_routes(
    rng: random.Random,
    item: str,
    countries: list[str],
    subsystems: list[str],
    suppliers: dict[str, dict[str, Any]],
    size: Size,
) -> list[dict[str, Any]]:
    """The supplier routes of one tool or subsystem, with random levers' hooks on them."""
    routes = []
    third = [country for country in countries if country not in (ADVERSARY, TRANSIT)]
    for index in range(rng.randint(1, size.suppliers_per_item)):
        name = f"{item}_s{index}"
        country = rng.choice([*third, ADVERSARY]) if index else rng.choice(third)
        supplier: dict[str, Any] = {"country": country}
        if country != ADVERSARY:
            if rng.random() < 0.5:
                supplier["content"] = {CONTROLLER: round(rng.uniform(0.0, 0.5), 2)}
            if rng.random() < 0.5:
                supplier["direct_product_of"] = [CONTROLLER]
            if rng.random() < 0.15:
                supplier["owner"] = ADVERSARY
        suppliers[name] = supplier
        route: dict[str, Any] = {
            "item": item,
            "supplier": name,
            "capacity": round(rng.uniform(0.1, 0.8), 2),
        }
        if country == ADVERSARY and subsystems and not item.startswith("sub"):
            route["inputs"] = {rng.choice(subsystems): float(rng.randint(1, 2))}
        if rng.random() < 0.2:
            route["leakage"] = round(rng.uniform(0.0, 0.3), 2)
        routes.append(route)
        if country != ADVERSARY and rng.random() < 0.25:
            routes.append(
                {
                    "item": item,
                    "supplier": name,
                    "via": TRANSIT,
                    "capacity": round(rng.uniform(0.05, 0.3), 2),
                }
            )
    return routes


def random_scenario(rng: random.Random, world: dict[str, Any]) -> dict[str, Any]:
    """A random scenario (DESIGN §4) for ``world``: partners, lever choices, leakage, budgets.

    Pins, ``mode`` and ``objective`` are left to the caller, which knows the levers that exist.
    """
    partners = sorted(
        country for country in world["countries"] if country not in (CONTROLLER, ADVERSARY, TRANSIT)
    )
    categories = _named_categories(world)
    targets = sorted(
        item_id for item_id, item in world["items"].items() if item["kind"] == "capability"
    )
    scenario: dict[str, Any] = {
        "name": "synthetic",
        "model": "synthetic.yaml",
        "targets": {
            target: {"demand": round(rng.uniform(0.4, 1.5), 2), "weight": float(rng.randint(1, 3))}
            for target in targets
        },
        "partners": {
            country: {
                "align_cost": float(rng.randint(1, 4)),
                **({"fdpr_cost": float(rng.randint(1, 5))} if rng.random() < 0.5 else {}),
            }
            for country in rng.sample(partners, k=rng.randint(1, len(partners)))
        },
        "levers": {
            "control": sorted(rng.sample(categories, k=rng.randint(1, len(categories)))),
            "align": rng.choice(["all", sorted(rng.sample(categories, k=1))]),
            "fdpr": rng.choice(["all", "none", sorted(rng.sample(categories, k=1))]),
        },
        "leakage": {"default": round(rng.uniform(0.0, 0.2), 2)},
        "de_minimis": rng.choice([None, 0.1, 0.25]),
        "costs": {
            "adversary_share": round(rng.uniform(0.1, 0.5), 2),
            "fdpr_default": float(rng.randint(1, 4)),
        },
    }
    if rng.random() < 0.4:
        scenario["leakage"]["by_country"] = {rng.choice(partners): round(rng.uniform(0, 0.3), 2)}
    if rng.random() < 0.4:
        scenario["leakage"]["by_category"] = {rng.choice(categories): round(rng.uniform(0, 0.3), 2)}
    pressure_kinds = rng.sample(["monitor", "restrict", "tariff", "screen"], k=rng.randint(0, 2))
    for kind in pressure_kinds:
        scenario["levers"][kind] = (
            [TRANSIT] if kind in ("monitor", "restrict") else [rng.choice(partners)]
        )
        for country in scenario["levers"][kind]:
            scenario.setdefault("pressure", {})[country] = {
                "monitor_effect": round(rng.uniform(0.3, 0.9), 2),
                "tariff_compliance": round(rng.uniform(0.5, 0.95), 2),
                "restrict_cost_usd": float(rng.randint(0, 3)) * 1e9,
                "tariff_cost": float(rng.randint(1, 3)),
            }
    budget: dict[str, float] = {}
    if rng.random() < 0.6:
        budget["diplomatic"] = float(rng.randint(1, 8))
    if rng.random() < 0.3:
        budget["economic_usd"] = float(rng.randint(5, 60)) * 1e9
    if budget:
        scenario["budget"] = budget
    return scenario


@dataclass(frozen=True)
class Scale:
    """The size of a layered world and its scenario, for :func:`scaled_world`.

    ``countries`` counts the controller, the adversary and the transit country; of the others,
    the first half (rounded up) are partners. ``depth`` is the number of layers of the input
    DAG, the targets' layer included (at least 2). ``levers`` is the exact number of candidate
    levers of the scenario. ``routes`` counts every route: supplier routes, diversion routes
    and the targets' own (two per target).
    """

    items: int
    suppliers: int
    countries: int
    depth: int
    levers: int
    routes: int
    targets: int = 1


@dataclass(frozen=True)
class _Hooks:
    """Which align and FDPR levers a scaled world must give rise to."""

    categories: list[str]
    partners: list[str]
    others: list[str]
    aligned: set[tuple[str, str]]
    """(partner, category) pairs with a partner supplier, so ``align`` exists."""
    direct: set[tuple[str, str]]
    """(country, category) pairs with a direct-product supplier, so ``fdpr`` exists."""


def _hooks(rng: random.Random, scale: Scale) -> _Hooks:
    """Categories and the align/FDPR hooks that give exactly ``scale.levers`` levers.

    Each category has its control. A partner may add ``align`` and then ``fdpr`` (a partner's
    direct-product supplier is reached by its alignment too), a non-partner only ``fdpr``. With
    P partners and O non-partners a category holds at most 1 + 2P + O levers; the number of
    categories is the least that holds ``levers``, and the remaining hooks are drawn at random.
    """
    others = [f"C{index:02d}" for index in range(scale.countries - 3)]
    partners = others[: (len(others) + 1) // 2]
    per_category = 1 + len(partners) + len(others)
    count = max(1, -(-scale.levers // per_category))
    if count > scale.items - scale.targets:
        raise ValueError(f"{scale.levers} levers need {count} categories, more than the items")
    categories = [f"k{index:03d}" for index in range(count)]
    aligned: set[tuple[str, str]] = set()
    direct: set[tuple[str, str]] = set()
    slots = [(country, category) for category in categories for country in others]
    for _ in range(scale.levers - count):
        country, category = rng.choice([slot for slot in slots if slot not in direct])
        if country in partners and (country, category) not in aligned:
            aligned.add((country, category))
        else:
            direct.add((country, category))
    return _Hooks(categories, partners, others, aligned, direct)


def _profiles(rng: random.Random, scale: Scale, hooks: _Hooks) -> list[tuple[str, str, bool]]:
    """(country, category, direct product) of every supplier: first one per hook and one in
    the controller per category, then random ones that create no further lever."""
    profiles = [(CONTROLLER, category, False) for category in hooks.categories]
    profiles += [(p, k, (p, k) in hooks.direct) for p, k in sorted(hooks.aligned)]
    profiles += [(c, k, True) for c, k in sorted(hooks.direct) if c not in hooks.partners]
    if len(profiles) > scale.suppliers:
        raise ValueError(f"{scale.levers} levers need at least {len(profiles)} suppliers")
    non_partners = hooks.others[len(hooks.partners) :]
    while len(profiles) < scale.suppliers:
        k = rng.choice(hooks.categories)
        free = [
            (CONTROLLER, k, False),
            *[(c, k, False) for c in non_partners],
            *[(c, k, True) for c in non_partners if (c, k) in hooks.direct],
            *[(p, k, (p, k) in hooks.direct) for p in hooks.partners if (p, k) in hooks.aligned],
        ]
        profiles.append((ADVERSARY, k, False) if rng.random() < 0.3 else rng.choice(free))
    return profiles


def scaled_world(rng: random.Random, scale: Scale) -> tuple[dict[str, Any], dict[str, Any]]:
    """A layered world model (DESIGN §3) and a scenario for it (DESIGN §4) of size ``scale``.

    Items sit in ``depth − 1`` layers; an adversary supplier of a layer-n item (n > 0) needs
    one to three items of layer n − 1, and each target is made by the adversary itself along
    two recipes from the top layer. Every supplier serves one category; the controller has a
    supplier in each, partners and third countries only where a drawn lever hook puts them
    (:func:`_hooks`), the adversary anywhere. Capacities are drawn around 1 / (routes per
    item), so that an item's world supply is about one year of demand. The scenario allows
    every control, alignment and FDPR, a diplomatic budget of a quarter of their total cost
    and five minutes of solver time. Its ``model`` is ``world.yaml``: write the world there,
    or change it.
    """
    if scale.depth < 2 or scale.countries < 4:
        raise ValueError("a scaled world needs depth ≥ 2 and at least 4 countries")
    hooks = _hooks(rng, scale)
    layers = scale.depth - 1
    middle = scale.items - scale.targets
    layer_items: list[list[str]] = [[] for _ in range(layers)]
    items: dict[str, dict[str, Any]] = {}
    by_category: dict[str, list[str]] = {category: [] for category in hooks.categories}
    for n in range(middle):
        layer = n * layers // middle
        item = f"L{layer}_{n:05d}"
        category = (
            hooks.categories[n] if n < len(hooks.categories) else rng.choice(hooks.categories)
        )
        items[item] = {
            "kind": "tool" if layer == layers - 1 else "subsystem",
            "category": category,
            "market_usd": float(rng.randint(1, 50)) * 1e8,
        }
        layer_items[layer].append(item)
        by_category[category].append(item)
    layer_of = {item: layer for layer, members in enumerate(layer_items) for item in members}
    suppliers: dict[str, dict[str, Any]] = {}
    for n, (country, category, direct) in enumerate(_profiles(rng, scale, hooks)):
        supplier: dict[str, Any] = {"country": country, "category": category}
        if country not in (CONTROLLER, ADVERSARY) and rng.random() < 0.3:
            supplier["content"] = {CONTROLLER: round(rng.uniform(0.0, 0.5), 2)}
        if direct:
            supplier["direct_product_of"] = [CONTROLLER]
        elif country in hooks.others[len(hooks.partners) :] and rng.random() < 0.1:
            supplier["owner"] = ADVERSARY
        suppliers[f"s{n:05d}"] = supplier
    supplier_routes = scale.routes - 2 * scale.targets
    if supplier_routes < len(suppliers):
        raise ValueError(f"{scale.routes} routes are fewer than the suppliers and targets need")
    per_item = supplier_routes / middle
    names = sorted(suppliers)
    routes = []
    for n in range(supplier_routes):
        name = names[n] if n < len(names) else rng.choice(names)
        supplier = suppliers[name]
        item = rng.choice(by_category[supplier["category"]])
        route: dict[str, Any] = {
            "item": item,
            "supplier": name,
            "capacity": round(rng.uniform(0.3, 1.7) / per_item, 5),
        }
        if supplier["country"] == ADVERSARY and layer_of[item] > 0:
            below = layer_items[layer_of[item] - 1]
            route["inputs"] = {
                needed: float(rng.randint(1, 2))
                for needed in sorted(rng.sample(below, k=min(len(below), rng.randint(1, 3))))
            }
        elif supplier["country"] != ADVERSARY and n >= len(names) and rng.random() < 0.15:
            route["via"] = TRANSIT
        if rng.random() < 0.1:
            route["leakage"] = round(rng.uniform(0.0, 0.3), 2)
        routes.append(route)
    top = layer_items[-1]
    for index in range(scale.targets):
        items[f"target{index}"] = {"kind": "capability"}
        for _ in range(2):
            recipe = rng.sample(top, k=min(len(top), rng.randint(2, 4)))
            routes.append(
                {
                    "item": f"target{index}",
                    "inputs": {item: float(rng.randint(1, 3)) for item in sorted(recipe)},
                }
            )
    for supplier in suppliers.values():
        del supplier["category"]
    countries = [CONTROLLER, ADVERSARY, TRANSIT, *hooks.others]
    world = {
        "name": "scaled",
        "countries": {country: {} for country in countries},
        "items": items,
        "suppliers": suppliers,
        "routes": routes,
    }
    return world, _scaled_scenario(rng, scale, hooks)


def _scaled_scenario(rng: random.Random, scale: Scale, hooks: _Hooks) -> dict[str, Any]:
    """The scenario of :func:`scaled_world`: all base levers, a quarter of their cost."""
    partners = {
        country: {"align_cost": float(rng.randint(1, 4)), "fdpr_cost": float(rng.randint(2, 5))}
        for country in hooks.partners
    }
    fdpr_default = 3.0
    total = sum(partners[p]["align_cost"] for p, _ in hooks.aligned) + sum(
        partners[c]["fdpr_cost"] if c in partners else fdpr_default for c, _ in hooks.direct
    )
    return {
        "name": "scaled",
        "model": "world.yaml",
        "targets": {
            f"target{index}": {"demand": 1.0, "weight": float(rng.randint(1, 3))}
            for index in range(scale.targets)
        },
        "partners": partners,
        "levers": {"control": "all", "align": "all", "fdpr": "all"},
        "costs": {"adversary_share": 0.3, "fdpr_default": fdpr_default},
        "leakage": {"default": 0.05},
        "de_minimis": 0.25,
        "budget": {"diplomatic": max(1.0, float(round(total / 4)))},
        "solver": {"time_limit": 300.0},
    }
