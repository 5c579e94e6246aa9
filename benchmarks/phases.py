"""One ``supplychain run`` in a fresh interpreter, timed phase by phase (a child process).

Usage: ``python -m benchmarks.phases SCENARIO OUT_DIR``. Prints a JSON
object after the load, the solve and the report, each with the phases so far: seconds for
``imports`` (the package, from interpreter start), ``load``, ``build``, ``solve``, ``report``
(the pipeline's own timings, as ``summary.json`` records them), ``total`` (imports through
report; the pipeline's phases, not the benchmark's extra builds), ``highs_build`` and
``pyomo_build`` (the MILP alone as highspy arrays, which the run solves and counts in
``build``, and as the Pyomo model, Pyomo imported beforehand; each built once more after the
solve), the peak resident
memory so far in MB, and the run's status and size. The last line is the answer; a parent
that stops the run early still has the phases that finished.
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

PHASES = ("imports", "load", "build", "solve", "report")


def main(arguments: list[str]) -> None:
    started = time.perf_counter()
    from supplychain.cli import write_results
    from supplychain.report.write import write_report
    from supplychain.runs.pipeline import load, solve_scenario
    from supplychain.solve.lexicographic import build_leader

    imported = time.perf_counter()
    scenario, out = Path(arguments[0]), Path(arguments[1])
    record: dict[str, Any] = {"imports": imported - started}
    loaded, record["load"] = load(scenario)
    emit(record)
    run = solve_scenario(loaded, load_seconds=record["load"])
    importlib.import_module("supplychain.model.pyomo_leader")
    builds = {}
    for backend in ("highs", "pyomo"):
        started = time.perf_counter()
        build_leader(run.instance, backend)
        builds[f"{backend}_build"] = time.perf_counter() - started
    record.update(
        run.timings,
        **builds,
        status=run.outcome.status,
        routes=len(run.instance.routes),
        levers=len(run.instance.levers),
        capability=run.outcome.capability,
    )
    emit(record)
    _, summary = write_results(run, out, write_report)
    record["report"] = float(summary["timings"]["report"])
    record["total"] = sum(record[phase] for phase in PHASES)
    emit(record)


def emit(record: dict[str, Any]) -> None:
    """Print the phases measured so far (the last line printed is the answer), with the peak
    resident memory so far in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**record, "peak_mb": peak}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
