"""Solve many variants of one scenario in parallel worker processes, with a progress bar.

Each worker reloads the scenario from its file (cheap, and nothing large crosses process
boundaries), builds its variant and solves it exactly as ``supplychain run`` would. Results
come back as plain rows in the variants' order, whatever order the workers finish in.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tqdm import tqdm

from supplychain.runs.pipeline import load, solve_scenario
from supplychain.runs.variants import Variant, compare_variants, sweep_variants
from supplychain.status import Status

Kind = Literal["compare", "sweep"]


@dataclass(frozen=True)
class Row:
    """The answer for one variant."""

    label: str
    status: Status
    capability: float | None
    diplomatic: float
    economic_usd: float
    levers: str
    """Chosen levers as ``kind:country:category`` joined by ``;``."""


def variants_of(path: Path, kind: Kind) -> list[Variant]:
    """The variants a scenario file asks for."""
    loaded, _ = load(path)
    scenario = loaded.scenario
    return compare_variants(scenario) if kind == "compare" else sweep_variants(scenario)


def solve_variant(path: Path, kind: Kind, position: int, time_limit: float | None) -> Row:
    """Load the scenario, take its variant number ``position`` and solve it."""
    loaded, seconds = load(path)
    variant = (compare_variants if kind == "compare" else sweep_variants)(loaded.scenario)[position]
    run = solve_scenario(
        loaded,
        variant.scenario,
        variant.plurilateral,
        time_limit,
        seconds,
        aligners=variant.aligners,
    )
    outcome = run.outcome
    return Row(
        label=variant.label,
        status=outcome.status,
        capability=outcome.capability,
        diplomatic=outcome.diplomatic,
        economic_usd=outcome.economic_usd,
        levers=";".join(lever.label for lever in outcome.levers),
    )


def default_jobs() -> int:
    """Worker processes by default: the cores this process may use."""
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )


def solve_all(path: Path, kind: Kind, jobs: int, time_limit: float | None = None) -> list[Row]:
    """Solve every variant, ``jobs`` at a time, showing progress on standard error."""
    count = len(variants_of(path, kind))
    bar = tqdm(total=count, desc=kind, unit="solve", file=sys.stderr, leave=False, disable=None)
    try:
        if jobs <= 1 or count <= 1:
            rows = []
            for position in range(count):
                rows.append(solve_variant(path, kind, position, time_limit))
                bar.update()
            return rows
        with ProcessPoolExecutor(max_workers=min(jobs, count)) as pool:
            futures = [
                pool.submit(solve_variant, path, kind, position, time_limit)
                for position in range(count)
            ]
            for future in futures:
                future.add_done_callback(lambda _: bar.update())
            return [future.result() for future in futures]
    finally:
        bar.close()
