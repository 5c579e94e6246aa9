"""The files of a result folder (DESIGN §6), as both the writer and the reader name them, and
how both write and read text cells."""

from __future__ import annotations

from supplychain.analysis.tables import TABLE_COLUMNS
from supplychain.analysis.tradeoffs import BATCH_COLUMNS

SUMMARY_FILE = "summary.json"
TABLES = ("targets", "levers", "routes", "items", "backfill", "closers", "waterfall")
"""The analysis frames written as ``<name>.csv`` into every result folder."""
BATCH_TABLES = ("compare", "frontier")
"""The tables ``compare`` and ``sweep`` add as ``<name>.csv``, with a figure ``<name>.png``."""
BATCH_FILES = tuple(f"{name}.{ending}" for name in BATCH_TABLES for ending in ("csv", "png"))
"""Files ``compare`` and ``sweep`` add to a result folder."""
RECORDED_FILES = (*(f"{name}.csv" for name in TABLES), *BATCH_FILES)
"""The files ``summary.json`` records (:mod:`supplychain.results.record`), in its order."""
REPORT_FILES = ("report.md", "report.html")
"""The report ``supplychain report`` (re)writes, besides the figures."""
FIGURE_FOLDER = "figures"
"""Where the report's own figures are written, inside the result folder."""
FILES_KEY = "files"
"""The ``summary.json`` key recording every table and compare or sweep file as the run wrote
it (see :mod:`supplychain.results.record`)."""
TEXT_COLUMNS = {
    "targets": {"target"},
    "levers": {"kind", "country", "category", "pinned", "items_reached"},
    "routes": {
        "item",
        "category",
        "supplier",
        "country",
        "via",
        "inputs",
        "levers",
        "source_class",
    },
    "items": {"item", "name", "kind", "category"},
    "backfill": {"item", "country", "via", "supplier", "supplier_name"},
    "closers": {"item", "lever", "with"},
    "waterfall": {"lever"},
    "compare": {"option", "status", "levers"},
    "frontier": {"value", "status", "levers"},
}
"""Columns read as text; every other column is a number or a True/False flag."""
FLAG_COLUMNS = {
    "levers": {"chosen"},
    "routes": {"domestic", "covered"},
    "items": {"target", "bottleneck", "controlled", "gap"},
    "backfill": {"gap"},
    "closers": {"within_budget"},
}
"""Columns of ``True``/``False`` flags; a column in neither this nor :data:`TEXT_COLUMNS` holds
numbers (an empty cell for no value)."""
COLUMNS = {
    **TABLE_COLUMNS,
    "compare": ("option", *BATCH_COLUMNS),
    "frontier": ("value", *BATCH_COLUMNS),
}
"""The columns every table of a run has (the report reads them); a folder missing one is not
a result folder."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula (OWASP, CSV
injection)."""
TEXT_QUOTE = "'"
"""Put before a text cell that starts with one of :data:`FORMULA_STARTS`, so a spreadsheet
shows it as text; put before a text cell that starts with the quote itself too, so that the
reader can take exactly one quote off every text cell that starts with one."""


def neutralised(cell: str) -> str:
    """A text cell as written to CSV: quoted by :data:`TEXT_QUOTE` when a spreadsheet would
    read it as a formula or when it starts with the quote."""
    return TEXT_QUOTE + cell if cell.startswith((*FORMULA_STARTS, TEXT_QUOTE)) else cell


def restored(cell: str) -> str:
    """A text cell as read from CSV: the inverse of :func:`neutralised`."""
    return cell.removeprefix(TEXT_QUOTE)
