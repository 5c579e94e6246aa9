"""The example's leader MILP, as each backend writes it in LP format, against a checked-in file.

Any change to the formulation (a coefficient, a bound, a row) shows here as a reviewable diff of
the LP text, as Calliope's ``tests/math`` do. A deliberate change is accepted by rewriting the
files: ``SUPPLYCHAIN_UPDATE_GOLDEN=1 pytest tests/test_golden_lp.py``, then reading the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLE

from supplychain.inputs.graph import topological_items
from supplychain.model.instance import Instance, build_instance
from supplychain.runs.pipeline import load
from supplychain.solve.lexicographic import BACKENDS, build_leader

GOLDEN = Path(__file__).parent / "data" / "golden"


def example_instance() -> Instance:
    loaded, _ = load(EXAMPLE)
    world = loaded.world.world
    return build_instance(loaded.scenario, world, topological_items(world), loaded.document)


def lp_text(backend: str, folder: Path) -> bytes:
    """The example's stage-1 MILP (least capability) built afresh by ``backend``, as LP."""
    leader = build_leader(example_instance(), backend)
    leader.minimize("capability")
    path = folder / f"{backend}.lp"
    leader.write_lp(path)
    return path.read_bytes()


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_builds_write_the_same_bytes(backend: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert lp_text(backend, tmp_path / "a") == lp_text(backend, tmp_path / "b")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_example_milp_is_the_checked_in_one(backend: str, tmp_path: Path) -> None:
    written = lp_text(backend, tmp_path)
    golden = GOLDEN / f"example_{backend}.lp"
    if os.environ.get("SUPPLYCHAIN_UPDATE_GOLDEN") == "1":
        golden.write_bytes(written)
    assert written.decode() == golden.read_text()
