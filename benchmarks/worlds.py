"""The benchmark instances: synthetic worlds written as YAML files, and the shipped ones."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from supplychain.testing import Scale, scaled_world

ROOT = Path(__file__).resolve().parents[1]
CURATED = ROOT / "scenarios" / "us_unilateral.yaml"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))

ENUMERATION_LEVERS = (10, 12, 14, 16)
SCALES = {
    "1k": Scale(
        items=100, suppliers=200, countries=10, depth=4, levers=50, routes=1_000, targets=2
    ),
    "10k": Scale(
        items=500, suppliers=2_000, countries=14, depth=5, levers=200, routes=10_000, targets=3
    ),
    "100k": Scale(
        items=2_000,
        suppliers=20_000,
        countries=20,
        depth=6,
        levers=1_000,
        routes=100_000,
        targets=5,
    ),
}


def enumeration_scale(levers: int) -> Scale:
    """A small world (60 routes) with exactly ``levers`` candidate levers."""
    return Scale(items=12, suppliers=20, countries=6, depth=3, levers=levers, routes=60)


def write_scaled(scale: Scale, seed: int, folder: Path) -> Path:
    """Write the world and scenario of ``scale`` (drawn from ``seed``) into ``folder``; return
    the scenario's path."""
    world, scenario = scaled_world(random.Random(seed), scale)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "world.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump(
            world,
            stream,
            Dumper=yaml.CSafeDumper,
            sort_keys=False,
            default_flow_style=None,
            width=200,
        )
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return path
