"""A result folder read back into the tables and summary a run wrote.

The folder is untrusted input: whoever hands it over may have edited, truncated or replaced
any file, or planted symbolic links. :func:`read_results` therefore refuses, with
:class:`~supplychain.errors.NotAResultFolder` and one line naming the file, anything a run
would not have written: a link or special file where a file or ``figures/`` belongs, a
``summary.json`` whose keys or types the report cannot use, a table missing a column or holding
text in a number column, and any table or compare or sweep file that differs from what the run
recorded in ``summary.json`` (:mod:`supplychain.results.record`). Files are read through an
open descriptor of the folder, never following a link (:mod:`supplychain.results.folder`).
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from supplychain.analysis.tables import Analysis
from supplychain.errors import NotAResultFolder
from supplychain.inputs.messages import format_path, show
from supplychain.results.files import (
    BATCH_FILES,
    BATCH_TABLES,
    COLUMNS,
    FIGURE_FOLDER,
    FILES_KEY,
    FLAG_COLUMNS,
    RECORDED_FILES,
    REPORT_FILES,
    SUMMARY_FILE,
    TABLES,
    TEXT_COLUMNS,
    restored,
)
from supplychain.results.folder import (
    Entry,
    UnsafeEntry,
    entry,
    open_folder,
    read_bytes,
)
from supplychain.results.record import CSV_ENDING, changed_since_run, parse_csv
from supplychain.status import Status


@dataclass(frozen=True)
class Results(Analysis):
    """A result folder read back: the analysis tables and the summary record."""

    summary: dict[str, Any]
    compare: pd.DataFrame | None = None
    """``compare.csv`` when ``supplychain compare`` wrote one."""
    frontier: pd.DataFrame | None = None
    """``frontier.csv`` when ``supplychain sweep`` wrote one."""
    batch_figures: dict[str, bytes] = field(default_factory=dict)
    """``compare.png`` and ``frontier.png`` (the bytes the run recorded) by file name, for
    the tables present."""

    @property
    def solved(self) -> bool:
        """Whether the run has a policy (its capability is known)."""
        return self.summary["capability"] is not None

    @cached_property
    def names(self) -> dict[str, str]:
        """Item id → name, for the items on the path to a target."""
        return dict(zip(self.items["item"], self.items["name"], strict=True))

    @cached_property
    def backfill_of(self) -> dict[str, pd.DataFrame]:
        """Item id → its rows of ``backfill``, in table order."""
        return {str(item): rows for item, rows in self.backfill.groupby("item", sort=False)}

    @cached_property
    def closers_of(self) -> dict[str, pd.DataFrame]:
        """Item id → its rows of ``closers``, in table order."""
        return {str(item): rows for item, rows in self.closers.groupby("item", sort=False)}


def number_cell(cell: object) -> float:
    """A number or flag cell of a typed table as a float (pandas-stubs types the fields of an
    ``itertuples`` row as any scalar); raise TypeError for any other cell."""
    if not isinstance(cell, numbers.Real):
        raise TypeError(f"not a number: {cell!r}")
    return float(cell)


class Record(BaseModel):
    """A part of ``summary.json``: strictly typed (no number written as text, no flag as a
    number); keys the report does not read are left alone."""

    model_config = ConfigDict(strict=True, frozen=True)


class TargetRecord(Record):
    """``targets.<id>``."""

    capability: float | None
    output: float | None
    demand: float | None


class LeverRecord(Record):
    """One of ``levers``."""

    kind: str
    country: str | None
    category: str | None


class CostRecord(Record):
    """``cost``."""

    diplomatic: float | None
    economic_usd: float | None


class ProvenanceRecord(Record):
    """``provenance``; ``milp_backend`` is absent from folders written before it existed."""

    scenario_file: str
    scenario_sha256: str
    model_file: str
    model_sha256: str
    supplychain: str
    pyomo: str
    highspy: str
    milp_backend: str = "pyomo"
    solver_options: dict[str, str | float | bool | None]


class FileRecord(Record):
    """One file of ``files`` (see :mod:`supplychain.results.record`)."""

    rows: int | None = Field(default=None, ge=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")


class SummaryRecord(Record):
    """``summary.json`` as the report reads it (DESIGN §6, plus ``bound`` and ``files``)."""

    scenario: str
    mode: str
    capability: float | None
    baseline_capability: float | None
    targets: dict[str, TargetRecord]
    levers: list[LeverRecord]
    cost: CostRecord
    status: Annotated[Status, Field(strict=False)]
    mip_gap: float | None
    bound: float | None = None
    timings: dict[str, float]
    provenance: ProvenanceRecord
    files: dict[str, FileRecord]


class Invalid(ValueError):
    """Why a folder is not a valid result folder, in a few words naming the file."""


def validated_summary(data: bytes) -> dict[str, Any]:
    """The ``summary.json`` record, its structure checked against :class:`SummaryRecord` and
    its ``files`` record against the files a run writes."""
    try:
        summary = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise Invalid(f"{SUMMARY_FILE} is not JSON ({error})") from error
    if not isinstance(summary, dict):
        raise Invalid(f"{SUMMARY_FILE} holds {show(summary)}, not a JSON object")
    if FILES_KEY not in summary:
        raise Invalid(
            f"{SUMMARY_FILE} has no '{FILES_KEY}' record of the tables (written by an older "
            "supplychain, or edited): run the scenario again"
        )
    try:
        SummaryRecord.model_validate(summary)
    except ValidationError as error:
        problems = error.errors()
        first = problems[0]
        where = format_path(tuple(first["loc"]))
        message = "missing" if first["type"] == "missing" else first["msg"]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise Invalid(f"{SUMMARY_FILE}: {where}: {message}{more}") from error
    check_files_record(summary[FILES_KEY])
    return summary


def check_files_record(files: dict[str, dict[str, Any]]) -> None:
    """The ``files`` record names every table, nothing a run does not write, each compare or
    sweep table with its figure, and a row count exactly for the CSV tables."""
    unknown = sorted(set(files) - set(RECORDED_FILES))
    if unknown:
        raise Invalid(f"{SUMMARY_FILE}: {FILES_KEY}: no run writes {unknown[0]}")
    absent = [f"{table}.csv" for table in TABLES if f"{table}.csv" not in files]
    if absent:
        raise Invalid(f"{SUMMARY_FILE}: {FILES_KEY}: no record of {', '.join(absent)}")
    for table in BATCH_TABLES:
        if (f"{table}.csv" in files) != (f"{table}.png" in files):
            raise Invalid(f"{SUMMARY_FILE}: {FILES_KEY}: {table}.csv and {table}.png go together")
    for name, recorded in files.items():
        if name.endswith(CSV_ENDING) and recorded.get("rows") is None:
            raise Invalid(f"{SUMMARY_FILE}: {FILES_KEY}.{name}: no row count")
        if not name.endswith(CSV_ENDING) and recorded.get("rows") is not None:
            raise Invalid(f"{SUMMARY_FILE}: {FILES_KEY}.{name}: a figure has no rows")


def typed(table: str, header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """The cells of table ``table`` typed: text columns (:data:`TEXT_COLUMNS`) as written
    (empty cells as empty strings, the spreadsheet quote taken off), flags
    (:data:`FLAG_COLUMNS`) as booleans, every other column as numbers (empty cells as NaN);
    raise ValueError naming the first column or cell that does not fit."""
    missing = [column for column in COLUMNS[table] if column not in header]
    if missing:
        raise ValueError(f"no column {', '.join(map(repr, missing))}")
    converted: dict[str, pd.Series] = {}
    for index, column in enumerate(header):
        cells = pd.Series([row[index] for row in rows], dtype=str)
        if column in TEXT_COLUMNS[table]:
            converted[column] = cells.map(restored).astype(object)
        elif column in FLAG_COLUMNS.get(table, set()):
            check_cells(column, cells, lambda cell: cell in ("True", "False"), "True or False")
            converted[column] = (cells == "True").astype(bool)
        else:
            check_cells(column, cells, is_number, "a number")
            converted[column] = pd.to_numeric(cells.replace("", None))
    return pd.DataFrame(converted, columns=header)


def is_number(cell: str) -> bool:
    """Whether a number column's cell reads as a number (or is empty: no value)."""
    if cell == "":
        return True
    try:
        pd.to_numeric(pd.Series([cell]))
    except ValueError:
        return False
    return True


def check_cells(column: str, cells: pd.Series, fits: Callable[[str], bool], expected: str) -> None:
    """Raise ValueError naming the first cell of ``column`` that ``fits`` refuses."""
    for number, cell in enumerate(cells, 1):
        if not fits(cell):
            raise ValueError(f"row {number}, column {column!r}: {show(cell)} is not {expected}")


def read_results(folder: Path) -> Results:
    """Read a result folder; raise :class:`~supplychain.errors.NotAResultFolder` when it is
    not one, or not what its run wrote (see the module docstring)."""
    shown = str(folder)
    try:
        with open_folder(folder) as directory:
            return read_folder(directory, shown)
    except FileNotFoundError as error:
        raise NotAResultFolder(f"{shown}: not a result folder (no such directory)") from error
    except (Invalid, UnsafeEntry) as error:
        raise NotAResultFolder(f"{shown}: not a valid result folder: {error}") from error
    except OSError as error:
        raise NotAResultFolder(
            f"{shown}: cannot read the result folder: {error.strerror or error}"
        ) from error


def read_folder(directory: int, shown: str) -> Results:
    """:func:`read_results` of the open folder ``directory`` (``shown``: its name)."""
    required = [SUMMARY_FILE, *(f"{table}.csv" for table in TABLES)]
    present = check_entries(directory, [*required, *BATCH_FILES, *REPORT_FILES])
    missing = [name for name in required if name not in present]
    if missing:
        raise NotAResultFolder(f"{shown}: not a result folder (missing {', '.join(missing)})")
    summary = validated_summary(read_bytes(directory, SUMMARY_FILE))
    files: dict[str, dict[str, Any]] = summary[FILES_KEY]
    for name in BATCH_FILES:
        if name in present and name not in files:
            raise Invalid(f"{name} was not written by the run ({SUMMARY_FILE} has no record of it)")
        if name in files and name not in present:
            raise Invalid(f"{name} is missing (the run wrote it)")
    contents = {name: read_bytes(directory, name) for name in files}
    for name, data in contents.items():
        reason = changed_since_run(name, data, files[name])
        if reason is not None:
            raise Invalid(reason)
    tables = {}
    for table in (*TABLES, *BATCH_TABLES):
        name = f"{table}.csv"
        if name in contents:
            try:
                tables[table] = typed(table, *parse_csv(contents[name]))
            except ValueError as error:
                raise Invalid(f"{name}: {error}") from error
    figures = {name: data for name, data in contents.items() if not name.endswith(CSV_ENDING)}
    return Results(summary=summary, batch_figures=figures, **tables)


def check_entries(directory: int, names: list[str]) -> set[str]:
    """The ``names`` present in the open folder ``directory`` as regular files; raise
    :class:`Invalid` for one that is a link, a folder or a special file, and for ``figures``
    when it is not a folder or holds a link."""
    present = set()
    for name in names:
        kind = entry(directory, name)
        if kind is Entry.FILE:
            present.add(name)
        elif kind is not Entry.MISSING:
            raise Invalid(f"{name} is {kind.value}, not a regular file")
    kind = entry(directory, FIGURE_FOLDER)
    if kind is Entry.FOLDER:
        with open_folder(FIGURE_FOLDER, directory) as figures:
            for name in sorted(os.listdir(figures)):
                inner = entry(figures, name)
                if inner is not Entry.FILE:
                    raise Invalid(f"{FIGURE_FOLDER}/{name} is {inner.value}")
    elif kind is not Entry.MISSING:
        raise Invalid(f"{FIGURE_FOLDER} is {kind.value}, not a folder")
    return present
