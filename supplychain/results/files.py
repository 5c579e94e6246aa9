"""The files of a result folder (DESIGN §6), as both the writer and the reader name them."""

from __future__ import annotations

SUMMARY_FILE = "summary.json"
TABLES = ("targets", "levers", "routes", "items", "backfill", "closers", "waterfall")
"""The analysis frames written as ``<name>.csv`` into every result folder."""
BATCH_TABLES = ("compare", "frontier")
"""The tables ``compare`` and ``sweep`` add as ``<name>.csv``, with a figure ``<name>.png``."""
BATCH_FILES = tuple(f"{name}.{ending}" for name in BATCH_TABLES for ending in ("csv", "png"))
"""Files ``compare`` and ``sweep`` add to a result folder."""
PREVIOUS_SUFFIX = ".previous"
"""``<root>/<name>.previous`` keeps the folder a run replaced (a slug has no dot)."""
SUMMARY_KEYS = (
    "scenario",
    "mode",
    "capability",
    "baseline_capability",
    "targets",
    "levers",
    "cost",
    "status",
    "mip_gap",
    "timings",
    "provenance",
)
"""Keys every ``summary.json`` holds."""
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
    "compare": {"option", "levers"},
    "frontier": {"value", "levers"},
}
"""Columns read as text; every other column is a number or a True/False flag."""
