"""Checking input files without solving, importing no solver: ``supplychain validate``."""

from __future__ import annotations

from pathlib import Path

from supplychain.inputs.graph import topological_items
from supplychain.inputs.load import is_scenario, load_scenario, load_world
from supplychain.inputs.yamldoc import read_document
from supplychain.model.instance import build_instance


def validate_file(path: Path) -> str:
    """Check one world model or scenario without solving; return which of the two it is.

    A scenario is checked together with its world model and its pins (a pin must name a lever
    that exists). Raises :class:`~supplychain.errors.InputError` listing every problem.
    """
    document = read_document(path)
    if not is_scenario(document):
        load_world(path)
        return "world model"
    loaded = load_scenario(path)
    world = loaded.world.world
    build_instance(loaded.scenario, world, topological_items(world), loaded.document)
    return "scenario"
