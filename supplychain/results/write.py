"""The result files of a run (DESIGN §6), filled into a folder that
:mod:`supplychain.results.swap` moves into place.

``compare`` and ``sweep`` files (:data:`BATCH_FILES`) of the folder being replaced are carried
into the new one when both were made from the same scenario and model files (equal SHA-256), so
``run``, ``compare`` and ``sweep`` of one scenario add up to one folder and one report. The
folder being replaced is untrusted: a table is carried with its figure only when both are
regular files holding the bytes its run recorded, read without following links.

Text cells that a spreadsheet would take for a formula (a name from outside data starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are written with a leading quote
(:func:`~supplychain.results.files.neutralised`), which the reader takes off again.

Numbers are written with 12 significant digits so that equal inputs give byte-identical files
(only ``timings`` in ``summary.json`` differ between runs).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from supplychain import __version__
from supplychain.analysis.tables import Analysis, lever_rows
from supplychain.results.files import (
    BATCH_TABLES,
    FILES_KEY,
    RECORDED_FILES,
    SUMMARY_FILE,
    TABLES,
    neutralised,
)
from supplychain.results.folder import (
    Entry,
    open_folder,
    path_entry,
    read_bytes,
    reason,
    write_bytes,
)
from supplychain.results.read import validated_summary
from supplychain.results.record import changed_since_run, record_files
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


def summary(run: Run, report_seconds: float, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ``summary.json`` record: the keys of DESIGN §6, ``bound`` after ``mip_gap``, and
    ``files`` (not in DESIGN §6), the record of the folder's tables and compare or sweep
    files (:mod:`supplychain.results.record`)."""
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
        FILES_KEY: files,
    }


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as CSV with fixed number formatting and Unix line ends, its text cells
    neutralised for spreadsheets (numbers, negative ones included, are left alone)."""
    text_cells = {
        column: frame[column].map(lambda cell: neutralised(cell) if isinstance(cell, str) else cell)
        for column in frame.columns
        if pd.api.types.is_object_dtype(frame[column])
        or pd.api.types.is_string_dtype(frame[column])
    }
    written = frame.assign(**text_cells) if text_cells else frame
    table = written.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\r\n")
    write_bytes(path, unix_lines(table))


def unix_lines(table: str) -> bytes:
    """CSV text written with ``\\r\\n`` line ends (so that the writer quotes every cell holding
    a carriage return or a line feed) as UTF-8 with ``\\n`` line ends. Written with ``\\n``
    line ends directly, a name holding a bare carriage return would be left unquoted and read
    back as two rows."""
    lines = []
    for row in csv.reader(io.StringIO(table, newline="")):
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(row)
        lines.append(line.getvalue().removesuffix("\r\n") + "\n")
    return "".join(lines).encode("utf-8")


def write_json(record: dict[str, Any], path: Path) -> None:
    """Write JSON with sorted-as-built keys, two-space indent and a final newline."""
    write_bytes(path, (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def write_tables(analysis: Analysis, folder: Path) -> None:
    """Write every analysis frame as CSV."""
    for name in TABLES:
        write_csv(getattr(analysis, name), folder / f"{name}.csv")


Progress = Callable[[str], None]
"""Where notes for people go (the command line prints them on standard error)."""


def ignore(_: str) -> None:
    """The default :data:`Progress`: notes are dropped."""


@dataclass(frozen=True)
class Batch:
    """A ``compare`` or ``sweep`` table for a result folder, and what draws its figure."""

    name: str
    """``compare`` or ``frontier``: the table is written as ``<name>.csv``."""
    table: pd.DataFrame
    draw: Callable[[Path], object]
    """Writes ``<name>.png`` into the folder it is given."""


def carry_over(
    earlier: Path,
    folder: Path,
    inputs: dict[str, Any],
    replaced: Iterable[str] = (),
    progress: Progress = ignore,
) -> None:
    """Copy the compare and sweep files of the result folder ``earlier`` into ``folder`` when
    its ``summary.json`` names the same scenario and model SHA-256 as ``inputs`` (a
    provenance): each table (but those named in ``replaced``, which this run writes anew)
    with its figure, and only when both are regular files holding the bytes its run recorded;
    ``progress`` says why a table was left behind."""
    for name, data in carried(earlier, inputs, replaced, progress).items():
        write_bytes(folder / name, data)


def carried(
    earlier: Path, inputs: dict[str, Any], replaced: Iterable[str], progress: Progress
) -> dict[str, bytes]:
    """The files :func:`carry_over` copies, by name; nothing when ``earlier`` is no result
    folder of the same inputs."""
    if path_entry(earlier) is not Entry.FOLDER:
        return {}
    contents: dict[str, bytes] = {}
    try:
        with open_folder(earlier) as directory:
            record = validated_summary(read_bytes(directory, SUMMARY_FILE))
            provenance = record["provenance"]
            if any(provenance[key] != inputs[key] for key in ("scenario_sha256", "model_sha256")):
                return {}
            for table in BATCH_TABLES:
                names = (f"{table}.csv", f"{table}.png")
                if table in replaced or not all(name in record[FILES_KEY] for name in names):
                    continue
                try:
                    pair = {name: read_bytes(directory, name) for name in names}
                except OSError as error:
                    progress(f"not carried over from {earlier}: {reason(error)}")
                    continue
                changes = [
                    change
                    for name, data in pair.items()
                    if (change := changed_since_run(name, data, record[FILES_KEY][name]))
                ]
                if changes:
                    progress(f"not carried over from {earlier}: {changes[0]}")
                    continue
                contents.update(pair)
    except (OSError, ValueError):
        return {}
    return contents


def write_run(
    run: Run,
    analysis: Analysis,
    root: Path,
    *,
    batch: Batch | None = None,
    extra: Callable[[Path], object] | None = None,
    analysis_seconds: float = 0.0,
    progress: Progress = ignore,
) -> tuple[Path, dict[str, Any]]:
    """Write the result folder of ``run`` and its ``analysis`` under ``root``; return its path
    and the summary.

    ``batch`` is a ``compare`` or ``sweep`` table, written as ``<name>.csv`` with its figure.
    ``extra`` may add more files (reports, figures) to the folder before it is put in place;
    it finds every table, the carried-over compare and sweep files and a provisional
    ``summary.json`` (report time 0, the same ``files`` record) already there. The summary's
    report time is ``analysis_seconds`` plus the time spent writing. ``progress`` hears of a
    wait for another run of the scenario and of anything left behind or recovered.
    """

    def fill(folder: Path) -> dict[str, Any]:
        started = time.perf_counter()
        replaced = () if batch is None else (batch.name,)
        carry_over(root / run.scenario.name, folder, provenance(run), replaced, progress)
        write_tables(analysis, folder)
        if batch is not None:
            write_csv(batch.table, folder / f"{batch.name}.csv")
            batch.draw(folder)
        files = record_files(folder, RECORDED_FILES)
        if extra is not None:
            write_json(summary(run, 0.0, files), folder / SUMMARY_FILE)
            extra(folder)
        record = summary(run, analysis_seconds + time.perf_counter() - started, files)
        write_json(record, folder / SUMMARY_FILE)
        return record

    return write_atomically(root, run.scenario.name, fill, progress=progress)
