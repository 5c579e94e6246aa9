"""Scaled synthetic worlds (the benchmarks' instances) are valid files of the asked size."""

from __future__ import annotations

import random
from pathlib import Path

import networkx as nx
import pytest
import yaml

from supplychain.inputs.graph import input_dag
from supplychain.runs.pipeline import load, solve_scenario
from supplychain.testing import Scale, scaled_world

SCALES = [
    Scale(items=12, suppliers=20, countries=6, depth=3, levers=10, routes=60),
    Scale(items=12, suppliers=20, countries=6, depth=3, levers=16, routes=60),
    Scale(items=40, suppliers=80, countries=9, depth=5, levers=37, routes=300, targets=2),
]


@pytest.mark.parametrize("scale", SCALES)
def test_scaled_world_loads_with_the_asked_size(scale: Scale, tmp_path: Path) -> None:
    world, scenario = scaled_world(random.Random(7), scale)
    (tmp_path / "world.yaml").write_text(yaml.safe_dump(world), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    loaded, _ = load(tmp_path / "scenario.yaml")
    model = loaded.world.world
    assert len(model.items) == scale.items
    assert len(model.suppliers) == scale.suppliers
    assert len(model.countries) == scale.countries
    assert len(model.routes) == scale.routes
    assert nx.dag_longest_path_length(input_dag(model)) <= scale.depth - 1
    run = solve_scenario(loaded)
    assert len(run.instance.levers) == scale.levers
    assert run.outcome.status == "optimal"
    assert run.outcome.capability is not None
    assert run.outcome.capability <= run.baseline.capability + 1e-9


def test_a_seed_names_a_world() -> None:
    scale = SCALES[0]
    assert scaled_world(random.Random(3), scale) == scaled_world(random.Random(3), scale)


def test_too_many_levers_for_the_suppliers_is_refused() -> None:
    with pytest.raises(ValueError, match="suppliers"):
        scaled_world(
            random.Random(0),
            Scale(items=12, suppliers=3, countries=6, depth=3, levers=16, routes=60),
        )
