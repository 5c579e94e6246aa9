"""The measurements: each returns plain rows (dicts) for :mod:`benchmarks.document`."""

from __future__ import annotations

import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.worlds import (
    CURATED,
    ENUMERATION_LEVERS,
    ROOT,
    SCALES,
    SHIPPED,
    enumeration_scale,
    write_scaled,
)
from supplychain.inputs.graph import topological_items
from supplychain.inputs.schema import Scenario, World
from supplychain.model.follower import FollowerLP
from supplychain.model.instance import Instance, build_instance
from supplychain.runs.pipeline import load, solve_scenario
from supplychain.solve.greedy import greedy
from supplychain.solve.lexicographic import BACKENDS, Outcome, solve
from supplychain.testing import Size, random_scenario, random_world, scaled_world

Row = dict[str, Any]
TIMEOUT = 900.0
"""Seconds after which a scaling run is stopped and reported with the phases it finished."""


def bruteforce() -> ModuleType:
    """``tests/bruteforce.py``, the test suite's enumeration of lever sets (reused as is)."""
    spec = importlib.util.spec_from_file_location("bruteforce", ROOT / "tests" / "bruteforce.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bruteforce"] = module
    spec.loader.exec_module(module)
    return module


def timed(action: Callable[..., Any], *arguments: Any, **keywords: Any) -> tuple[float, Any]:
    """Seconds ``action(*arguments, **keywords)`` took, and its result."""
    started = time.perf_counter()
    result = action(*arguments, **keywords)
    return time.perf_counter() - started, result


def exact(instance: Instance, backend: str = "highs") -> Outcome:
    """The exact optimum as ``supplychain run`` finds it (follower LP built too), through the
    given MILP backend."""
    return solve(instance, FollowerLP(instance), backend=backend)


def instance_of(world: dict[str, Any], scenario: dict[str, Any]) -> Instance:
    checked = World.model_validate(world)
    return build_instance(Scenario.model_validate(scenario), checked, topological_items(checked))


def versus_enumeration(runs: int, lever_counts: tuple[int, ...] = ENUMERATION_LEVERS) -> list[Row]:
    """MILP (build and all solve stages) against enumerating every lever set, per lever count,
    with the scenario's diplomatic budget and without it (then every set is feasible and has
    its LP solved): median seconds of ``runs`` runs on one instance, and whether the optima
    agree."""
    enumerate_optimum = bruteforce().enumerate_optimum
    rows = []
    for budgeted in (True, False):
        for levers in lever_counts:
            world, scenario = scaled_world(random.Random(levers), enumeration_scale(levers))
            if not budgeted:
                del scenario["budget"]
            instance = instance_of(world, scenario)
            milp_times, pyomo_times, enumeration_times = [], [], []
            for _ in range(runs):
                seconds, outcome = timed(exact, instance)
                milp_times.append(seconds)
                seconds, through_pyomo = timed(exact, instance, "pyomo")
                pyomo_times.append(seconds)
                seconds, expected = timed(enumerate_optimum, instance)
                enumeration_times.append(seconds)
            milp = statistics.median(milp_times)
            enumeration = statistics.median(enumeration_times)
            rows.append(
                {
                    "budget": budgeted,
                    "levers": len(instance.levers),
                    "routes": len(instance.routes),
                    "lever_sets": expected.feasible_sets,
                    "runs": runs,
                    "milp_s": milp,
                    "pyomo_s": statistics.median(pyomo_times),
                    "enumeration_s": enumeration,
                    "ratio": enumeration / milp,
                    "milp_capability": outcome.capability,
                    "enumeration_capability": expected.capability,
                    "same": max(
                        abs(outcome.capability - expected.capability),
                        abs(through_pyomo.capability - expected.capability),
                    )
                    <= 1e-6,
                }
            )
            print(
                f"  enumeration {levers} levers, budget {budgeted}: {rows[-1]['ratio']:.0f}x",
                file=sys.stderr,
            )
    return rows


def greedy_row(name: str, instance: Instance) -> Row:
    """Exact and greedy answers for one instance."""
    follower = FollowerLP(instance)
    baseline = follower.evaluate(()).capability
    exact_seconds, optimum = timed(solve, instance, follower)
    greedy_seconds, heuristic = timed(greedy, instance, follower)
    exact_capability = optimum.capability if optimum.capability is not None else float("nan")
    removed_exact = baseline - exact_capability
    return {
        "instance": name,
        "levers": len(instance.levers),
        "objective": instance.minimize,
        "baseline": baseline,
        "exact": exact_capability,
        "greedy": heuristic.capability,
        "greedy_feasible": heuristic.feasible,
        "exact_diplomatic": optimum.diplomatic,
        "greedy_diplomatic": heuristic.diplomatic,
        "share_removed": (baseline - heuristic.capability) / removed_exact
        if removed_exact > 1e-12
        else 1.0,
        "exact_s": exact_seconds,
        "greedy_s": greedy_seconds,
    }


def versus_greedy(random_instances: int) -> list[Row]:
    """Greedy against the optimum on every shipped optimising scenario and on random worlds."""
    rows = []
    for path in SHIPPED:
        loaded, _ = load(path)
        if loaded.scenario.mode != "optimize":
            continue
        run = solve_scenario(loaded)
        rows.append(greedy_row(str(path.relative_to(ROOT)), run.instance))
    for seed in range(random_instances):
        rng = random.Random(1000 + seed)
        size = Size(targets=2, categories=4, items_per_category=2, subsystems=2, partners=4)
        world = random_world(rng, size)
        rows.append(
            greedy_row(
                f"random seed {1000 + seed}", instance_of(world, random_scenario(rng, world))
            )
        )
    for seed in range(max(1, random_instances // 4)):
        scale = enumeration_scale(30)
        rows.append(
            greedy_row(
                f"layered 30 levers seed {seed}",
                instance_of(*scaled_world(random.Random(seed), scale)),
            )
        )
    return rows


def phases(scenario: Path, out: Path, timeout: float | None = None) -> Row:
    """One run in a fresh interpreter (:mod:`benchmarks.phases`). A run stopped by
    ``timeout`` gives the phases it finished, with ``stopped_after`` seconds; a run that
    failed gives them with ``failed``, the last line it printed to standard error."""
    command = [sys.executable, "-m", "benchmarks.phases", str(scenario), str(out)]
    failed = None
    try:
        completed = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        output = completed.stdout
        if completed.returncode != 0:
            failed = (completed.stderr.strip().splitlines() or ["no message"])[-1]
    except subprocess.TimeoutExpired as stopped:
        partial = stopped.stdout or b""
        output = partial.decode() if isinstance(partial, bytes) else partial
    lines = output.strip().splitlines()
    row: Row = json.loads(lines[-1]) if lines else {}
    if failed is not None:
        row["failed"] = failed
    elif "report" not in row:
        row["stopped_after"] = timeout
    return row


def medians(rows: list[Row]) -> Row:
    """Median of every numeric field over the runs that have it; other fields from the first
    row; ``failed`` or ``stopped_after`` when any run has it."""
    merged = dict(rows[0])
    numeric = {key for row in rows for key, value in row.items() if isinstance(value, float)}
    for key in sorted(numeric):
        merged[key] = statistics.median(row[key] for row in rows if isinstance(row.get(key), float))
    for flag in ("failed", "stopped_after"):
        flagged = [row[flag] for row in rows if flag in row]
        if flagged:
            merged[flag] = flagged[0]
    merged["runs"] = len(rows)
    return merged


def scaling(runs: dict[str, int]) -> list[Row]:
    """Phase medians on the synthetic worlds, ``runs[size]`` runs each."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, count in runs.items():
            scale = SCALES[name]
            scenario = write_scaled(scale, seed=1, folder=Path(scratch) / name)
            samples = []
            for _ in range(count):
                samples.append(phases(scenario, Path(scratch) / "results", timeout=TIMEOUT))
                print(f"  scaling {name}: {samples[-1]}", file=sys.stderr)
            rows.append(
                {
                    "size": name,
                    "items": scale.items,
                    "suppliers": scale.suppliers,
                    "countries": scale.countries,
                    "depth": scale.depth,
                    **medians(samples),
                }
            )
    return rows


def versus_pyomo(runs: dict[str, int]) -> list[Row]:
    """Both MILP backends (:data:`supplychain.solve.lexicographic.BACKENDS`) on the synthetic
    worlds: median seconds of the MILP build and of the four stages, ``runs[size]`` runs each,
    and whether they reach the same capability and costs."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, count in runs.items():
            loaded, _ = load(write_scaled(SCALES[name], seed=1, folder=Path(scratch) / name))
            world = loaded.world.world
            instance = build_instance(loaded.scenario, world, topological_items(world))
            follower = FollowerLP(instance)
            answers = {}
            for backend in BACKENDS:
                outcomes = [solve(instance, follower, backend=backend) for _ in range(count)]
                answers[backend] = outcomes[0]
                rows.append(
                    {
                        "size": name,
                        "backend": backend,
                        "routes": len(instance.routes),
                        "levers": len(instance.levers),
                        "runs": count,
                        "build_s": statistics.median(o.build_seconds for o in outcomes),
                        "solve_s": statistics.median(o.solve_seconds for o in outcomes),
                        "capability": outcomes[0].capability,
                        "status": outcomes[0].status,
                    }
                )
                print(f"  backends {name} {backend}: {rows[-1]}", file=sys.stderr)
            reference = answers[BACKENDS[0]]
            for row in rows[-len(BACKENDS) :]:
                other = answers[row["backend"]]
                row["same"] = (
                    other.status == reference.status
                    and abs((other.capability or 0) - (reference.capability or 0)) <= 1e-9
                    and abs(other.diplomatic - reference.diplomatic) <= 1e-9
                    and abs(other.economic_usd - reference.economic_usd)
                    <= 1e-7 * max(1.0, reference.economic_usd)
                )
    return rows


STARTUP_COMMANDS = {
    "version": ["--version"],
    "help": ["--help"],
    "validate": ["validate", "scenarios/example.yaml"],
}
"""The commands a planner expects to answer at once: ``supplychain`` followed by these."""


def startup(runs: int) -> Row:
    """Median wall seconds of each of :data:`STARTUP_COMMANDS` as a whole process (interpreter
    start and imports included), after one unmeasured run to warm the file cache."""
    executable = str(Path(sys.executable).with_name("supplychain"))
    row: Row = {"runs": runs}
    for name, arguments in STARTUP_COMMANDS.items():
        command = [executable, *arguments]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        walls = [
            timed(subprocess.run, command, cwd=ROOT, capture_output=True, check=True)[0]
            for _ in range(runs)
        ]
        row[name] = statistics.median(walls)
    return row


def curated(runs: int) -> Row:
    """The curated scenario through :mod:`benchmarks.phases`, with ``command_wall``: the
    median wall time of the whole ``supplychain run`` command (interpreter start included)."""
    samples, walls = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(runs):
            samples.append(phases(CURATED, Path(scratch)))
            command = [
                str(Path(sys.executable).with_name("supplychain")),
                "run",
                str(CURATED),
                "--out",
                scratch,
            ]
            seconds, _ = timed(subprocess.run, command, cwd=ROOT, capture_output=True, check=True)
            walls.append(seconds)
    return {**medians(samples), "command_wall": statistics.median(walls)}
