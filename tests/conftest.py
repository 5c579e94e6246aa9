"""Shared fixtures and helpers: solved runs of the shipped scenarios, computed once per test
session, and variants of the example scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from supplychain.examples import SCENARIO, WORLD, example_folder
from supplychain.results.files import FILES_KEY, RECORDED_FILES, SUMMARY_FILE
from supplychain.results.record import record_files
from supplychain.runs.pipeline import Run, load, solve_scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLE = example_folder() / SCENARIO
"""The example scenario, read from the package data (as ``supplychain new`` copies it)."""
EXAMPLE_WORLD = example_folder() / WORLD


def example_variant(folder: Path, **changes: object) -> Path:
    """A copy of the example scenario with top-level keys changed, written to
    ``folder/<name>.yaml`` in the example's key order (its model path made absolute)."""
    scenario = yaml.safe_load(EXAMPLE.read_text())
    scenario.update(changes, model=str(EXAMPLE_WORLD))
    path = folder / f"{scenario['name']}.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def record_edits(folder: Path) -> None:
    """Record the tables of a result folder that a test edited in its ``summary.json``, as a
    run that wrote them would have, so that the report accepts the edits."""
    summary = json.loads((folder / SUMMARY_FILE).read_text())
    summary[FILES_KEY] = record_files(folder, RECORDED_FILES)
    (folder / SUMMARY_FILE).write_text(json.dumps(summary, indent=2))


@pytest.fixture(scope="session")
def shipped_runs() -> dict[str, Run]:
    """Every shipped scenario solved as ``supplychain run`` solves it, by file stem."""
    runs = {}
    for path in SHIPPED_SCENARIOS:
        loaded, seconds = load(path)
        runs[path.stem] = solve_scenario(loaded, load_seconds=seconds)
    return runs
