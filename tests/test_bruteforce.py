"""The MILP against brute-force enumeration on random small instances (DESIGN §5).

Every instance is drawn from a seed by :mod:`supplychain.testing` and then given, by the
seed too, pins, ``mode: evaluate``, ``objective: {minimize: cost}`` or a plurilateral regime.
Instances with fewer than 5 or more than 12 levers are redrawn so that enumeration (at most
4096 LPs) stays quick.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from bruteforce import enumerate_optimum

from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Instance, Lever, build_instance
from supplychain.solve.lexicographic import BACKENDS, solve
from supplychain.testing import (
    ADVERSARY,
    Size,
    random_category_table,
    random_scenario,
    random_world,
)

MIN_LEVERS, MAX_LEVERS = 5, 12
SEEDS = range(60)


def pin_of(lever: Lever) -> dict[str, Any]:
    """The scenario ``fixed`` entry that names ``lever``."""
    if lever.kind == "control":
        return {"control": lever.category}
    if lever.category is None:
        return {lever.kind: lever.country}
    return {lever.kind: [lever.country, lever.category]}


def build(
    world_data: dict[str, Any], scenario_data: dict[str, Any], plurilateral: bool = False
) -> Instance:
    world = World.model_validate(world_data)
    scenario = Scenario.model_validate(scenario_data)
    return build_instance(scenario, world, topological_items(world), plurilateral=plurilateral)


def random_instance(seed: int) -> tuple[Instance, str]:
    """A random instance with at most :data:`MAX_LEVERS` levers, and what variant it is
    (with ``+own de minimis`` when a category's own de minimis share changes what a control
    covers)."""
    rng = random.Random(seed)
    while True:
        size = Size(
            targets=rng.randint(1, 2),
            categories=rng.randint(2, 3),
            items_per_category=rng.randint(1, 2),
            subsystems=rng.randint(0, 2),
            partners=rng.randint(1, 3),
        )
        world = random_world(rng, size)
        if rng.random() < 0.5:
            world["categories"] = random_category_table(rng, world)
        scenario = random_scenario(rng, world)
        instance = build(world, scenario)
        if MIN_LEVERS <= len(instance.levers) <= MAX_LEVERS:
            break
    variant = ["plain", "pins", "evaluate", "cost", "plurilateral"][seed % 5]
    if variant == "pins":
        on, *off = rng.sample(list(instance.levers), k=min(2, len(instance.levers)))
        scenario["fixed"] = {"on": [pin_of(on)], "off": [pin_of(lever) for lever in off]}
    elif variant == "evaluate":
        chosen = set(rng.sample(list(instance.levers), k=rng.randint(0, len(instance.levers))))
        chosen |= {required for lever, required in instance.requires if lever in chosen}
        scenario["fixed"] = {"on": [pin_of(lever) for lever in sorted(chosen)]}
        scenario["mode"] = "evaluate"
        if rng.random() < 0.5:
            scenario.pop("budget", None)
    elif variant == "cost":
        baseline = FollowerLP(instance).evaluate(()).capability
        scenario["objective"] = {
            "minimize": "cost",
            "max_capability": round(rng.uniform(0.3, 1.0) * baseline, 3),
        }
    instance = build(world, scenario, plurilateral=variant == "plurilateral")
    plain_world = {key: value for key, value in world.items() if key != "categories"}
    plain = build(plain_world, scenario, plurilateral=variant == "plurilateral")
    if plain.covers != instance.covers:
        variant += "+own de minimis"
    return instance, variant


@pytest.mark.parametrize("seed", SEEDS)
def test_milp_matches_enumeration(seed: int) -> None:
    """Both MILP backends find the enumerated optimum, tie-breaks (costs, lever count)
    included."""
    instance, variant = random_instance(seed)
    expected = enumerate_optimum(instance)
    follower = FollowerLP(instance)
    for backend in BACKENDS:
        outcome = solve(instance, follower, backend=backend)
        if expected is None:
            assert outcome.status == "infeasible", (variant, backend)
            continue
        assert outcome.status == "optimal", (variant, backend)
        assert outcome.capability is not None
        if instance.minimize == "capability":
            assert outcome.capability == pytest.approx(expected.capability, abs=1e-6), backend
        else:
            assert outcome.capability <= instance.max_capability + 1e-6, backend
        assert outcome.diplomatic == pytest.approx(expected.diplomatic, abs=1e-6), backend
        assert outcome.economic_usd == pytest.approx(expected.economic_usd, rel=1e-6, abs=1.0), (
            backend
        )
        assert len(outcome.levers) == len(expected.levers), backend
        assert instance.is_feasible(outcome.levers, tolerance=1e-6)
        again = FollowerLP(instance).evaluate(outcome.levers)
        assert again.capability == pytest.approx(outcome.capability, abs=1e-9)


def test_random_instances_cover_every_feature() -> None:
    """The seeds above exercise each lever kind, residual source and policy rule."""
    seen: set[str] = set()
    for seed in SEEDS:
        instance, variant = random_instance(seed)
        seen.update(variant.split("+"))
        seen.update(lever.kind for lever in instance.levers)
        seen.update("conjunction" for cover in instance.covers if len(cover.levers) > 1)
        seen.update("requires" for _ in instance.requires[:1])
        seen.update(
            "indigenous"
            for route in instance.routes
            if route.domestic and route.supplier and route.inputs
        )
        seen.update(
            "alternatives"
            for target in instance.targets
            if sum(route.item == target.item for route in instance.routes) > 1
        )
        seen.update("via" for route in instance.routes if route.via)
        seen.update(
            "owned" for route in instance.routes if route.owner == ADVERSARY and not route.domestic
        )
        seen.update(
            "budget"
            for _ in [instance.budget_diplomatic, instance.budget_economic]
            if _ is not None
        )
    assert seen >= {
        "plain",
        "pins",
        "evaluate",
        "cost",
        "plurilateral",
        "control",
        "align",
        "fdpr",
        "monitor",
        "restrict",
        "tariff",
        "screen",
        "conjunction",
        "requires",
        "indigenous",
        "alternatives",
        "via",
        "owned",
        "budget",
        "own de minimis",
    }
