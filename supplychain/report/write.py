"""Writing the gap report of a result folder: ``report.md``, a self-contained ``report.html``
and ``figures/*.png``.

The report is composed once (:func:`supplychain.report.sections.compose`) as document blocks
(headings, paragraphs, tables, figures) and rendered twice, as Markdown and as HTML.
"""

from __future__ import annotations

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
from supplychain.report.sections import FIGURE_FOLDER, compose, figure_path, ranked_items
from supplychain.report.tradeoffs import COMPARE_FIGURE, FRONTIER_FIGURE
from supplychain.results.read import Results, read_results


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
        (folder / COMPARE_FIGURE).write_bytes(png(compare_figure(table)))
    else:
        (folder / FRONTIER_FIGURE).write_bytes(png(frontier_figure(table, parameter)))


def batch_figures(results: Results, folder: Path) -> dict[str, bytes]:
    """The figures ``compare`` and ``sweep`` drew, for the report to embed."""
    present = {
        COMPARE_FIGURE: results.compare is not None,
        FRONTIER_FIGURE: results.frontier is not None,
    }
    return {path: (folder / path).read_bytes() for path, shown in present.items() if shown}


def write_report(folder: Path) -> list[Path]:
    """(Re)write ``report.md``, ``report.html`` and ``figures/*.png`` of a result folder from
    its files; return the paths written."""
    results = read_results(folder)
    drawn = draw_figures(results)
    blocks = compose(results)
    (folder / FIGURE_FOLDER).mkdir(exist_ok=True)
    written = []
    for relative, data in drawn.items():
        path = folder / relative
        path.write_bytes(data)
        written.append(path)
    images = {**drawn, **batch_figures(results, folder)}
    title = f"Gap report: {results.summary['scenario']}"
    for name, content in (
        ("report.md", markdown(blocks)),
        ("report.html", html_page(blocks, images, title)),
    ):
        path = folder / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
