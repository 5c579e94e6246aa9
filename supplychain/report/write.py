"""Writing the gap report of a result folder: ``report.md``, a self-contained ``report.html``
and ``figures/*.png``.

The report is composed once (:func:`supplychain.report.sections.compose`) as document blocks
(headings, paragraphs, tables, figures) and rendered twice, as Markdown and as HTML.

:func:`write_report` writes into a folder this process is filling (a run's temporary folder);
:func:`rebuild_report`, behind ``supplychain report DIR``, never writes into ``DIR``: it copies
the folder's regular files (no link followed) into a temporary folder, rebuilds the report
there and swaps it in as a run does, so a full disk or a crash leaves the old report whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from supplychain.report.document import html_page, markdown
from supplychain.report.figures import (
    backfill_figure,
    compare_figure,
    frontier_figure,
    gap_heatmap,
    png,
    supply_graph_figure,
    waterfall_figure,
)
from supplychain.report.sections import compose, figure_path, ranked_items
from supplychain.report.tradeoffs import COMPARE_FIGURE, FRONTIER_FIGURE
from supplychain.results.files import FIGURE_FOLDER
from supplychain.results.folder import copy_regular_files, write_bytes
from supplychain.results.read import Results, read_results
from supplychain.results.swap import ignore, write_atomically


def draw_figures(results: Results) -> dict[str, bytes]:
    """Every figure the report draws, as PNG bytes by path in the result folder."""
    items = ranked_items(results.items)
    return {
        figure_path("waterfall"): png(waterfall_figure(results.waterfall)),
        figure_path("gap_heatmap"): png(gap_heatmap(items)),
        figure_path("backfill_by_country"): png(backfill_figure(results.backfill, items)),
        figure_path("supply_graph"): png(supply_graph_figure(results.routes, items)),
    }


def write_batch_figure(folder: Path, name: str, table: pd.DataFrame, parameter: str) -> None:
    """Draw ``compare.png`` (``name`` ``compare``) or ``frontier.png`` (``frontier``, against
    the swept ``parameter``) of a ``compare`` or ``sweep`` table into ``folder``."""
    if name == "compare":
        write_bytes(folder / COMPARE_FIGURE, png(compare_figure(table)))
    else:
        write_bytes(folder / FRONTIER_FIGURE, png(frontier_figure(table, parameter)))


def write_report(folder: Path) -> list[Path]:
    """Write ``report.md``, ``report.html`` and ``figures/*.png`` into a result folder this
    process is filling, from its files; return the paths written."""
    results = read_results(folder)
    drawn = draw_figures(results)
    blocks = compose(results)
    (folder / FIGURE_FOLDER).mkdir(exist_ok=True)
    written = []
    for relative, data in drawn.items():
        path = folder / relative
        write_bytes(path, data)
        written.append(path)
    images = {**drawn, **results.batch_figures}
    title = f"Gap report: {results.summary['scenario']}"
    for name, content in (
        ("report.md", markdown(blocks)),
        ("report.html", html_page(blocks, images, title)),
    ):
        path = folder / name
        write_bytes(path, content.encode("utf-8"))
        written.append(path)
    return written


def rebuild_report(folder: Path, progress: Callable[[str], None] = ignore) -> list[Path]:
    """Rebuild the report of the result folder ``folder`` (``supplychain report``) in a copy
    and swap the copy in, deleting the folder it replaces (its tables are the copy's); return
    the paths written. Raise :class:`~supplychain.errors.NotAResultFolder` before writing
    anything when ``folder`` is not what a run wrote; ``progress`` hears of a wait for a run
    of the same name and of entries the copy leaves out (links, special files)."""
    read_results(folder)
    folder = Path(os.path.abspath(folder))

    def fill(staging: Path) -> list[Path]:
        for left_out in copy_regular_files(folder, staging):
            progress(f"not copied into the new {folder}: {left_out}")
        return [folder / path.relative_to(staging) for path in write_report(staging)]

    return write_atomically(
        folder.parent, folder.name, fill, keep_previous=False, progress=progress
    )[1]
