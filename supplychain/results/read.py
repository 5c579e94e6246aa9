"""A result folder read back into the tables and summary a run wrote."""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from supplychain.analysis.tables import Analysis
from supplychain.errors import NotAResultFolder
from supplychain.results.files import (
    BATCH_TABLES,
    SUMMARY_FILE,
    SUMMARY_KEYS,
    TABLES,
    TEXT_COLUMNS,
)


@dataclass(frozen=True)
class Results(Analysis):
    """A result folder read back: the analysis tables and the summary record."""

    summary: dict[str, Any]
    compare: pd.DataFrame | None = None
    """``compare.csv`` when ``supplychain compare`` wrote one."""
    frontier: pd.DataFrame | None = None
    """``frontier.csv`` when ``supplychain sweep`` wrote one."""

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


def typed(frame: pd.DataFrame, text_columns: set[str]) -> pd.DataFrame:
    """Columns read as text converted: True/False flags to booleans, the rest to numbers
    (empty cells to NaN); text columns keep empty cells as empty strings."""
    converted = {}
    for column in frame.columns:
        values = frame[column]
        if column in text_columns:
            converted[column] = values.astype(object)
        elif len(values) and values.isin(["True", "False"]).all():
            converted[column] = values == "True"
        else:
            converted[column] = pd.to_numeric(values.replace("", None))
    return pd.DataFrame(converted, columns=frame.columns)


def number_cell(cell: object) -> float:
    """A number or flag cell of a typed table as a float (pandas-stubs types the fields of an
    ``itertuples`` row as any scalar); raise TypeError for any other cell."""
    if not isinstance(cell, numbers.Real):
        raise TypeError(f"not a number: {cell!r}")
    return float(cell)


def read_table(path: Path, text_columns: set[str]) -> pd.DataFrame:
    """One CSV table of a result folder, typed."""
    return typed(pd.read_csv(path, dtype=str, keep_default_na=False), text_columns)


def read_results(folder: Path) -> Results:
    """Read a result folder; raise :class:`~supplychain.errors.NotAResultFolder` when it is
    not one."""
    if not folder.is_dir():
        raise NotAResultFolder(f"{folder}: not a result folder (no such directory)")
    names = [SUMMARY_FILE, *(f"{table}.csv" for table in TABLES)]
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise NotAResultFolder(f"{folder}: not a result folder (missing {', '.join(missing)})")
    try:
        summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        absent = [key for key in SUMMARY_KEYS if key not in summary]
        if absent:
            raise ValueError(f"no {', '.join(absent)}")
        tables = {
            table: read_table(folder / f"{table}.csv", TEXT_COLUMNS[table]) for table in TABLES
        }
        batches = {
            name: read_table(folder / f"{name}.csv", TEXT_COLUMNS[name])
            for name in BATCH_TABLES
            if (folder / f"{name}.csv").is_file()
        }
    except (ValueError, TypeError, pd.errors.ParserError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NotAResultFolder(f"{folder}: not a result folder ({reason})") from error
    return Results(summary=summary, **tables, **batches)
