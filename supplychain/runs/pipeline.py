"""One scenario from file to answer: load, build, solve, re-check; with timings per phase.

This is the single place that strings the steps together, so ``run``, ``compare`` and
``sweep`` share it and a test can drive exactly what the command line drives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from supplychain.inputs.graph import topological_items
from supplychain.inputs.load import LoadedScenario, load_scenario
from supplychain.inputs.schema import Scenario
from supplychain.model.follower import FollowerLP, FollowerSolution
from supplychain.model.instance import Instance, build_instance
from supplychain.solve.lexicographic import Outcome, solve


@dataclass(frozen=True)
class Run:
    """Everything one solve of one scenario produced."""

    loaded: LoadedScenario
    scenario: Scenario
    """The scenario as solved (a compare option or sweep value may differ from the file)."""
    instance: Instance
    baseline: FollowerSolution
    """The adversary's best response to no levers at all."""
    outcome: Outcome
    timings: dict[str, float]
    time_limit: float | None
    """Seconds the solver was allowed (None: no limit)."""


def load(path: Path) -> tuple[LoadedScenario, float]:
    """Load and validate a scenario and its world model; return it with the seconds taken."""
    started = time.perf_counter()
    loaded = load_scenario(path)
    return loaded, time.perf_counter() - started


def solve_scenario(
    loaded: LoadedScenario,
    scenario: Scenario | None = None,
    plurilateral: bool = False,
    time_limit: float | None = None,
    load_seconds: float = 0.0,
    progress: Callable[[str], None] | None = None,
    aligners: Collection[str] | None = None,
) -> Run:
    """Build the instance of ``scenario`` (default: the loaded one) and solve it exactly.

    ``time_limit`` overrides the scenario's ``solver.time_limit``; ``plurilateral`` and
    ``aligners`` pose a compare option (see :func:`supplychain.model.instance.build_instance`).
    """
    scenario = scenario or loaded.scenario
    started = time.perf_counter()
    world = loaded.world.world
    instance = build_instance(
        scenario, world, topological_items(world), loaded.document, plurilateral, aligners
    )
    follower = FollowerLP(instance)
    baseline = follower.evaluate(())
    instance_seconds = time.perf_counter() - started
    limit = time_limit if time_limit is not None else scenario.solver.time_limit
    if progress is not None:
        progress(
            f"  {len(instance.levers)} candidate levers, {len(instance.routes)} routes, "
            f"{len(instance.items)} items"
        )
    outcome = solve(instance, follower, limit, scenario.solver.mip_gap, progress)
    timings = {
        "load": load_seconds,
        "build": instance_seconds + outcome.build_seconds,
        "solve": outcome.solve_seconds,
    }
    return Run(loaded, scenario, instance, baseline, outcome, timings, limit)
