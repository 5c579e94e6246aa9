"""The result files of a run (DESIGN §6), filled into a folder that
:mod:`supplychain.results.swap` moves into place.

``compare`` and ``sweep`` files (:data:`BATCH_FILES`) of the folder being replaced are carried
into the new one when both were made from the same scenario and model files (equal SHA-256), so
``run``, ``compare`` and ``sweep`` of one scenario add up to one folder and one report.

Numbers are written with 12 significant digits so that equal inputs give byte-identical files
(only ``timings`` in ``summary.json`` differ between runs).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from supplychain import __version__
from supplychain.analysis.tables import Analysis, lever_rows
from supplychain.results.files import BATCH_FILES, SUMMARY_FILE, TABLES
from supplychain.results.swap import write_atomically
from supplychain.runs.pipeline import Run
from supplychain.solve.lexicographic import SOLVER_OPTIONS

SIGNIFICANT_DIGITS = 12
FLOAT_FORMAT = f"%.{SIGNIFICANT_DIGITS}g"


def number(value: float | None) -> float | None:
    """A float rounded to :data:`SIGNIFICANT_DIGITS`, so that solver noise does not show;
    None for no value or a non-finite one (a solver's infinite bound), which JSON cannot hold."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}") + 0.0


def provenance(run: Run) -> dict[str, Any]:
    """What made a result: input hashes, package and solver versions, solver options."""
    return {
        "scenario_file": os.path.normpath(run.loaded.path),
        "scenario_sha256": run.loaded.sha256,
        "model_file": os.path.normpath(run.loaded.world.path),
        "model_sha256": run.loaded.world.sha256,
        "supplychain": __version__,
        "pyomo": version("pyomo"),
        "highspy": version("highspy"),
        "milp_backend": run.outcome.backend,
        "solver_options": {
            **SOLVER_OPTIONS,
            "mip_rel_gap": run.scenario.solver.mip_gap,
            "time_limit": run.time_limit,
        },
    }


def summary(run: Run, report_seconds: float) -> dict[str, Any]:
    """The ``summary.json`` record, with exactly the keys of DESIGN §6."""
    outcome = run.outcome
    outputs = outcome.follower.outputs if outcome.follower else {}
    targets = {}
    for target in run.instance.targets:
        output = outputs.get(target.item)
        targets[target.item] = {
            "capability": number(None if output is None else output / target.demand),
            "output": number(output),
            "demand": number(target.demand),
        }
    return {
        "scenario": run.scenario.name,
        "mode": run.scenario.mode,
        "capability": number(outcome.capability),
        "baseline_capability": number(run.baseline.capability),
        "targets": targets,
        "levers": lever_rows(outcome.levers),
        "cost": {
            "diplomatic": number(outcome.diplomatic),
            "economic_usd": number(outcome.economic_usd),
        },
        "status": outcome.status,
        "mip_gap": number(outcome.mip_gap),
        "bound": number(outcome.bound),
        "timings": {
            phase: round(seconds, 4)
            for phase, seconds in {**run.timings, "report": report_seconds}.items()
        },
        "provenance": provenance(run),
    }


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as CSV with fixed number formatting and Unix line ends."""
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_json(record: dict[str, Any], path: Path) -> None:
    """Write JSON with sorted-as-built keys, two-space indent and a final newline."""
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_tables(analysis: Analysis, folder: Path) -> None:
    """Write every analysis frame as CSV."""
    for name in TABLES:
        write_csv(getattr(analysis, name), folder / f"{name}.csv")


def carry_over(earlier: Path, folder: Path, inputs: dict[str, Any]) -> None:
    """Copy :data:`BATCH_FILES` from the result folder ``earlier`` into ``folder`` when its
    ``summary.json`` names the same scenario and model SHA-256 as ``inputs`` (a provenance)."""
    try:
        record = json.loads((earlier / SUMMARY_FILE).read_text(encoding="utf-8"))["provenance"]
        same = all(record[key] == inputs[key] for key in ("scenario_sha256", "model_sha256"))
    except (OSError, ValueError, KeyError, TypeError):
        return
    if same:
        for name in BATCH_FILES:
            if (earlier / name).is_file():
                shutil.copyfile(earlier / name, folder / name)


def write_run(
    run: Run,
    analysis: Analysis,
    root: Path,
    *,
    batch: tuple[str, pd.DataFrame] | None = None,
    extra: Callable[[Path], object] | None = None,
    analysis_seconds: float = 0.0,
) -> tuple[Path, dict[str, Any]]:
    """Write the result folder of ``run`` and its ``analysis`` under ``root``; return its path
    and the summary.

    ``batch`` is a ``compare`` or ``sweep`` table with its name (``compare``, ``frontier``),
    written as ``<name>.csv``. ``extra`` may add more files (reports, figures) to the folder
    before it is put in place; it finds every table, a provisional ``summary.json`` (report
    time 0) and the carried-over compare and sweep files already there. The summary's report
    time is ``analysis_seconds`` plus the time spent writing.
    """

    def fill(folder: Path) -> dict[str, Any]:
        started = time.perf_counter()
        carry_over(root / run.scenario.name, folder, provenance(run))
        write_tables(analysis, folder)
        if batch is not None:
            name, table = batch
            write_csv(table, folder / f"{name}.csv")
        if extra is not None:
            write_json(summary(run, 0.0), folder / SUMMARY_FILE)
            extra(folder)
        record = summary(run, analysis_seconds + time.perf_counter() - started)
        write_json(record, folder / SUMMARY_FILE)
        return record

    return write_atomically(root, run.scenario.name, fill)
