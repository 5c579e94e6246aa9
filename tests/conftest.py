"""Shared fixtures: solved runs of the shipped scenarios, computed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from supplychain.pipeline import Run, load, solve_scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="session")
def shipped_runs() -> dict[str, Run]:
    """Every shipped scenario solved as ``supplychain run`` solves it, by file stem."""
    runs = {}
    for path in SHIPPED_SCENARIOS:
        loaded, seconds = load(path)
        runs[path.stem] = solve_scenario(loaded, load_seconds=seconds)
    return runs
