"""The greedy heuristic: always a feasible policy, never better than the exact optimum, and
beaten by it on a world where two levers only help together."""

from __future__ import annotations

import random

import pytest

from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Instance, Lever, build_instance
from supplychain.solve.greedy import greedy
from supplychain.solve.lexicographic import solve
from supplychain.testing import Size, random_scenario, random_world


def build(world_data: dict[str, object], scenario_data: dict[str, object]) -> Instance:
    world = World.model_validate(world_data)
    return build_instance(Scenario.model_validate(scenario_data), world, topological_items(world))


@pytest.mark.parametrize("seed", range(8))
def test_greedy_is_feasible_and_never_beats_the_optimum(seed: int) -> None:
    rng = random.Random(seed)
    world = random_world(rng, Size(targets=2, categories=3, partners=3))
    instance = build(world, random_scenario(rng, world))
    follower = FollowerLP(instance)
    heuristic = greedy(instance, follower)
    exact = solve(instance, follower)
    assert heuristic.feasible
    assert instance.is_feasible(heuristic.levers)
    assert heuristic.capability == pytest.approx(follower.evaluate(heuristic.levers).capability)
    assert exact.capability is not None
    assert heuristic.capability >= exact.capability - 1e-9


def test_greedy_misses_levers_that_only_help_together() -> None:
    """Two partners each supply the whole demand of the one tool: aligning either alone
    removes nothing (the other backfills), so the greedy stops at no levers while the optimum
    aligns both (budget 2) and leaves only the 10% leakage of each."""
    world = {
        "name": "substitutes",
        "countries": {"USA": {}, "CHN": {}, "NLD": {}, "JPN": {}},
        "items": {"chip": {"kind": "capability"}, "tool": {"kind": "tool"}},
        "suppliers": {"nl_firm": {"country": "NLD"}, "jp_firm": {"country": "JPN"}},
        "routes": [
            {"item": "tool", "supplier": "nl_firm", "capacity": 1.0},
            {"item": "tool", "supplier": "jp_firm", "capacity": 1.0},
            {"item": "chip", "inputs": {"tool": 1.0}},
        ],
    }
    scenario = {
        "name": "substitutes",
        "model": "substitutes.yaml",
        "targets": {"chip": {"demand": 1.0}},
        "partners": {"NLD": {"align_cost": 1.0}, "JPN": {"align_cost": 1.0}},
        "levers": {"control": "none", "fdpr": "none"},
        "leakage": {"default": 0.1},
        "budget": {"diplomatic": 2.0},
    }
    instance = build(world, scenario)
    heuristic = greedy(instance)
    exact = solve(instance, FollowerLP(instance))
    assert heuristic.levers == ()
    assert heuristic.capability == pytest.approx(1.0)
    assert exact.levers == (Lever("align", "JPN", "tool"), Lever("align", "NLD", "tool"))
    assert exact.capability == pytest.approx(0.2)
