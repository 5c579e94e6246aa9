"""The analysis's shortcuts are exact: the closers, the waterfall and the marginal values equal
what fresh follower solves of every lever set give; the removal bound holds; and the
instance's array-based lever rules equal their definitions."""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import pairwise

import numpy as np
import pytest
from conftest import SHIPPED_SCENARIOS

from supplychain.analysis.tables import (
    ACTIVE,
    Capabilities,
    Waterfall,
    analyse,
)
from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.model.follower import LEAST_FLOW_SLACK, FollowerLP
from supplychain.model.instance import Cover, Instance, Lever, build_instance
from supplychain.runs.pipeline import Run
from supplychain.testing import Scale, Size, random_scenario, random_world, scaled_world

SEEDS = range(20)


def random_instance(seed: int) -> Instance:
    """A small random instance drawn from ``seed`` (as the brute-force tests draw them)."""
    rng = random.Random(seed)
    size = Size(
        targets=rng.randint(1, 2),
        categories=rng.randint(2, 3),
        items_per_category=rng.randint(1, 2),
        subsystems=rng.randint(0, 2),
        partners=rng.randint(1, 3),
    )
    world_data = random_world(rng, size)
    world = World.model_validate(world_data)
    scenario = Scenario.model_validate(random_scenario(rng, world_data))
    return build_instance(scenario, world, topological_items(world))


def closed(instance: Instance, levers: Iterable[Lever]) -> list[Lever]:
    """``levers`` with every lever they need."""
    return sorted({needed for lever in levers for needed in instance.with_requirements(lever)})


def most_removing_by_solving(
    follower: FollowerLP, applied: list[Lever], options: list[tuple[str, list[Lever]]]
) -> list[Lever] | None:
    """The option that lowers C(applied) most, by more than ACTIVE (ties to the first label),
    every option solved afresh; None when none does."""
    current = follower.evaluate(applied).capability
    removals = [
        (current - follower.evaluate([*applied, *group]).capability, label, group)
        for label, group in options
    ]
    lowering = [option for option in removals if option[0] > ACTIVE]
    if not lowering:
        return None
    return min(lowering, key=lambda option: (-option[0], option[1]))[2]


def greedy_by_solving_everything(instance: Instance, chosen: list[Lever]) -> list[list[Lever]]:
    """The waterfall's steps by its rule (``waterfall_frame``), solving every option afresh."""
    follower = FollowerLP(instance)
    remaining, applied, steps = list(chosen), [], []
    while remaining:
        groups = {
            lever: [x for x in instance.with_requirements(lever) if x in remaining]
            for lever in remaining
        }
        singles = [(lever.label, group) for lever, group in groups.items()]
        group = most_removing_by_solving(follower, applied, singles)
        if group is None and len(remaining) > 1:
            pairs = [
                (f"{a.label} {b.label}", list(dict.fromkeys([*groups[a], *groups[b]])))
                for i, a in enumerate(remaining)
                for b in remaining[i + 1 :]
            ]
            group = most_removing_by_solving(follower, applied, pairs)
        if group is None:
            group = min(singles, key=lambda option: option[0])[1]
        steps.append(group)
        applied += group
        remaining = [lever for lever in remaining if lever not in group]
    return steps


@pytest.mark.parametrize("seed", SEEDS)
def test_the_waterfall_is_the_greedy_that_solves_every_option(seed: int) -> None:
    instance = random_instance(seed)
    rng = random.Random(seed)
    chosen = closed(
        instance, rng.sample(list(instance.levers), k=rng.randint(1, len(instance.levers)))
    )
    capabilities = Capabilities(FollowerLP(instance))
    steps = list(Waterfall(instance, capabilities, chosen).steps())
    assert [group for group, _ in steps] == greedy_by_solving_everything(instance, chosen)
    follower = FollowerLP(instance)
    applied: list[Lever] = []
    for group, capability in steps:
        applied += group
        assert capability == pytest.approx(follower.evaluate(applied).capability, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_removal_bound_holds(seed: int) -> None:
    """C(S) − C(S ∪ A) ≤ L(S, A) + ε for random S and A, from optimal and least-flow
    responses; L = 0 means nothing is removed."""
    instance = random_instance(seed)
    rng = random.Random(seed)
    follower = FollowerLP(instance)
    capabilities = Capabilities(follower)
    levers = list(instance.levers)
    for _ in range(10):
        base = rng.sample(levers, k=rng.randint(0, len(levers)))
        added = rng.sample(levers, k=rng.randint(1, len(levers)))
        exact = follower.evaluate([*base, *added]).capability
        least = follower.evaluate(base, least_flow=True)
        responses = [
            capabilities.response(base),
            capabilities.respond(
                frozenset(base),
                least.capability,
                np.array(least.flows),
                np.array(least.availability),
                LEAST_FLOW_SLACK,
            ),
        ]
        for response in responses:
            bound = capabilities.removal_bound(response, added)
            assert response.capability - exact <= bound + response.shortfall + 1e-9
            if bound == 0:
                assert capabilities.with_added(response, added) == pytest.approx(exact, abs=2e-9)


@pytest.mark.parametrize("name", [path.stem for path in SHIPPED_SCENARIOS])
def test_closers_and_marginal_values_equal_fresh_solves(
    name: str, shipped_runs: dict[str, Run]
) -> None:
    run = shipped_runs[name]
    analysis = analyse(run)
    follower = FollowerLP(run.instance)
    chosen = list(run.outcome.levers)
    capability = follower.evaluate(chosen).capability
    levers = {lever.label: lever for lever in run.instance.levers}
    for row in analysis.closers.to_dict("records"):
        added = [
            levers[row["lever"]],
            *(levers[label] for label in row["with"].split(";") if label),
        ]
        fresh = capability - follower.evaluate([*chosen, *added]).capability
        assert row["capability_removed"] == pytest.approx(fresh, abs=2e-9), row
    marginal = analysis.levers.set_index(
        analysis.levers["kind"]
        + ":"
        + analysis.levers["country"]
        + ":"
        + analysis.levers["category"]
    )["marginal_capability"]
    for lever in chosen:
        dropped = {lever} | {a for a, b in run.instance.requires if b == lever}
        regained = follower.evaluate([x for x in chosen if x not in dropped]).capability
        assert marginal[lever.label] == pytest.approx(regained - capability, abs=2e-9)


def naive_active(instance: Instance, chosen: set[Lever]) -> list[Cover]:
    return [cover for cover in instance.covers if chosen.issuperset(cover.levers)]


@pytest.mark.parametrize("seed", SEEDS)
def test_lever_rules_equal_their_definitions(seed: int) -> None:
    """Availability is min(1, min ρ over active covers); the cost counts each covered route
    once, summed in route order."""
    instance = random_instance(seed)
    rng = random.Random(seed)
    for _ in range(10):
        chosen = set(rng.sample(list(instance.levers), k=rng.randint(0, len(instance.levers))))
        active = naive_active(instance, chosen)
        assert instance.active_covers(chosen) == active
        expected = [
            min([1.0, *(cover.residual for cover in active if cover.route == route.index)])
            for route in instance.routes
        ]
        assert instance.availability(chosen) == expected
        covered = sorted({cover.route for cover in active})
        economic = sum(instance.economic_cost[lever] for lever in sorted(chosen))
        economic += sum(instance.routes[route].economic_usd for route in covered)
        diplomatic = sum(instance.diplomatic_cost[lever] for lever in sorted(chosen))
        assert instance.cost(chosen) == (diplomatic, economic)


def test_the_waterfall_of_a_scaled_world_is_the_greedy_that_solves_every_option() -> None:
    """A benchmark-shaped world (300 routes, 37 levers), all its levers chosen."""
    world_data, scenario_data = scaled_world(
        random.Random(7), Scale(items=40, suppliers=80, countries=9, depth=5, levers=37, routes=300)
    )
    world = World.model_validate(world_data)
    instance = build_instance(
        Scenario.model_validate(scenario_data), world, topological_items(world)
    )
    chosen = list(instance.levers)
    steps = list(Waterfall(instance, Capabilities(FollowerLP(instance)), chosen).steps())
    assert [group for group, _ in steps] == greedy_by_solving_everything(instance, chosen)
    levels = [FollowerLP(instance).evaluate(()).capability, *(level for _, level in steps)]
    assert sum(after < before - ACTIVE for before, after in pairwise(levels)) >= 3
