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
        items[subsystem] = {"kind": "subsystem", "category": "subsystems",
                            "market_usd": float(rng.randint(1, 5)) * 1e8}
    tools = []
    for category_index in range(size.categories):
        category = f"cat{category_index}"
        for tool_index in range(size.items_per_category):
            tool = f"{category}_tool{tool_index}"
            tools.append(tool)
            items[tool] = {"kind": "tool", "category": category,
                           "market_usd": float(rng.randint(1, 20)) * 1e9}
    for item in [*subsystems, *tools]:
        routes.extend(_supplier_routes(rng, item, countries, subsystems, suppliers, size))
    for target_index in range(size.targets):
        target = f"target{target_index}"
        items[target] = {"kind": "capability"}
        for _ in range(rng.randint(1, 2)):
            recipe = rng.sample(tools, k=min(len(tools), rng.randint(1, 3)))
            routes.append({
                "item": target,
                "inputs": {tool: float(rng.randint(1, 3)) for tool in sorted(recipe)},
            })
    return {
        "name": "synthetic",
        "countries": {country: {"name": country} for country in countries},
        "items": items,
        "suppliers": suppliers,
        "routes": routes,
    }


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
            "item": item, "supplier": name, "capacity": round(rng.uniform(0.1, 0.8), 2),
        }
        if country == ADVERSARY and subsystems and not item.startswith("sub"):
            route["inputs"] = {rng.choice(subsystems): float(rng.randint(1, 2))}
        if rng.random() < 0.2:
            route["leakage"] = round(rng.uniform(0.0, 0.3), 2)
        routes.append(route)
        if country != ADVERSARY and rng.random() < 0.25:
            routes.append({
                "item": item, "supplier": name, "via": TRANSIT,
                "capacity": round(rng.uniform(0.05, 0.3), 2),
            })
    return routes


def random_scenario(rng: random.Random, world: dict[str, Any]) -> dict[str, Any]:
    """A random scenario (DESIGN §4) for ``world``: partners, lever choices, leakage, budgets.

    Pins, ``mode`` and ``objective`` are left to the caller, which knows the levers that exist.
    """
    partners = sorted(
        country for country in world["countries"]
        if country not in (CONTROLLER, ADVERSARY, TRANSIT)
    )
    categories = sorted(
        {item["category"] for item in world["items"].values() if "category" in item}
    )
    targets = sorted(item_id for item_id, item in world["items"].items()
                     if item["kind"] == "capability")
    scenario: dict[str, Any] = {
        "name": "synthetic",
        "model": "synthetic.yaml",
        "targets": {
            target: {"demand": round(rng.uniform(0.4, 1.5), 2),
                     "weight": float(rng.randint(1, 3))}
            for target in targets
        },
        "partners": {
            country: {"align_cost": float(rng.randint(1, 4)),
                      **({"fdpr_cost": float(rng.randint(1, 5))} if rng.random() < 0.5 else {})}
            for country in rng.sample(partners, k=rng.randint(1, len(partners)))
        },
        "levers": {
            "control": sorted(rng.sample(categories, k=rng.randint(1, len(categories)))),
            "align": rng.choice(["all", sorted(rng.sample(categories, k=1))]),
            "fdpr": rng.choice(["all", "none", sorted(rng.sample(categories, k=1))]),
        },
        "leakage": {"default": round(rng.uniform(0.0, 0.2), 2)},
        "de_minimis": rng.choice([None, 0.1, 0.25]),
        "costs": {"adversary_share": round(rng.uniform(0.1, 0.5), 2),
                  "fdpr_default": float(rng.randint(1, 4))},
    }
    if rng.random() < 0.4:
        scenario["leakage"]["by_country"] = {rng.choice(partners): round(rng.uniform(0, 0.3), 2)}
    if rng.random() < 0.4:
        scenario["leakage"]["by_category"] = {rng.choice(categories): round(rng.uniform(0, 0.3), 2)}
    pressure_kinds = rng.sample(["monitor", "restrict", "tariff", "screen"], k=rng.randint(0, 2))
    for kind in pressure_kinds:
        scenario["levers"][kind] = [TRANSIT] if kind in ("monitor", "restrict") else [
            rng.choice(partners)
        ]
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
