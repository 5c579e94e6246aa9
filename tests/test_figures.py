"""Figures of large worlds are cut to what stays readable, and each says what it leaves out:
the waterfall folds its later steps into one bar, the backfill figure draws the first items,
the supply graph groups suppliers and draws the items nearest the targets."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from supplychain.report.figures import (
    BACKFILL_ROWS,
    GRAPH_NODES,
    GROUPED_NODES,
    WATERFALL_STEPS,
    backfill_figure,
    png,
    supply_graph_figure,
    supply_view,
    waterfall_figure,
)


def title(figure: Figure) -> str:
    """The figure's left-aligned axes title on one line."""
    return figure.axes[0].get_title(loc="left").replace("\n", " ")


def item_rows(count: int) -> pd.DataFrame:
    """``count`` controlled items with backfill, the first three gaps, as items.csv has them."""
    return pd.DataFrame(
        {
            "item": [f"item{n}" for n in range(count)],
            "name": [f"Item {n}" for n in range(count)],
            "target": False,
            "required": 0.5,
            "world_capacity": 1.0,
            "accessible": 0.6,
            "gap": [n < 3 for n in range(count)],
            "controlled": True,
        }
    )


def test_the_waterfall_draws_the_first_steps_and_folds_the_rest_into_one_bar() -> None:
    """35 levers, each removing 1 point: 30 step bars, one bar for the last 5 (5 points), and
    the no-lever and policy levels."""
    steps = 35
    waterfall = pd.DataFrame(
        {
            "step": range(steps + 1),
            "lever": ["no levers", *(f"align:C{n:02d}:k{n:03d}" for n in range(steps))],
            "capability": [0.9 - 0.01 * n for n in range(steps + 1)],
        }
    )
    figure = waterfall_figure(waterfall)
    assert title(figure).endswith(
        f"(the first {WATERFALL_STEPS} of {steps} steps, the rest as "
        "one bar; all are in waterfall.csv)"
    )
    axes = figure.axes[0]
    bars = axes.patches
    assert len(bars) == WATERFALL_STEPS + 3
    assert bars[-2].get_height() == pytest.approx(0.05)
    assert bars[-2].get_y() == pytest.approx(0.9 - 0.01 * steps)
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert labels[-2:] == ["5 more steps", "policy"]
    assert png(figure).startswith(b"\x89PNG")


def test_a_short_waterfall_is_drawn_whole() -> None:
    waterfall = pd.DataFrame(
        {"step": [0, 1], "lever": ["no levers", "control::etch"], "capability": [1.0, 0.5]}
    )
    figure = waterfall_figure(waterfall)
    assert title(figure) == "Capability from no levers through each chosen lever"
    assert len(figure.axes[0].patches) == 3


def test_the_backfill_figure_draws_the_first_items_and_says_how_many_are_left_out() -> None:
    count = BACKFILL_ROWS + 5
    items = item_rows(count)
    backfill = pd.DataFrame(
        {
            "item": [f"item{n}" for n in range(count) for _ in range(2)],
            "gap": False,
            "country": ["JPN", "NLD"] * count,
            "via": "",
            "supplier": "s",
            "supplier_name": "S",
            "capacity": 0.2,
        }
    )
    figure = backfill_figure(backfill, items)
    assert title(figure).endswith(
        f"(the first {BACKFILL_ROWS} of {count} items with backfill; all are in backfill.csv)"
    )
    axes = figure.axes[0]
    rows = [text.get_text() for text in axes.texts]
    assert rows[0] == "Item 0 (gap)" and rows[-1] == f"Item {BACKFILL_ROWS - 1} (controlled)"
    assert len(rows) == BACKFILL_ROWS
    assert len(axes.patches) == 2 * BACKFILL_ROWS


def supply_frames(inputs: int, suppliers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A target made from ``inputs`` items, each sold by ``suppliers`` firms in five countries,
    half backfill and half covered (leak): routes.csv and items.csv as the report reads them."""
    names = [f"part{n:03d}" for n in range(inputs)]
    routes = [
        {
            "item": "target",
            "supplier": "",
            "country": "",
            "domestic": True,
            "inputs": ";".join(f"{name}:1" for name in names),
            "capacity": None,
            "source_class": "indigenous",
        }
    ]
    for name in names:
        routes += [
            {
                "item": name,
                "supplier": f"{name}_s{k}",
                "country": f"C{k % 5}",
                "domestic": False,
                "inputs": "",
                "capacity": 0.1,
                "source_class": "backfill" if k % 2 else "leak",
            }
            for k in range(suppliers)
        ]
    frame = pd.DataFrame(routes).assign(route=lambda rows: range(len(rows)), via="")
    items = pd.DataFrame(
        {
            "item": ["target", *names],
            "name": ["target", *names],
            "target": [True, *[False] * inputs],
        }
    )
    return frame, items


def test_a_small_supply_graph_draws_every_supplier() -> None:
    routes, items = supply_frames(inputs=4, suppliers=3)
    view = supply_view(routes, items)
    assert not view.grouped and len(view.items) == view.total == 5
    figure = supply_graph_figure(routes, items)
    labels = {text.get_text() for text in figure.axes[0].texts}
    assert "part000_s1 (C1)" in labels
    assert "grouped" not in title(figure) and "nearest" not in title(figure)


def test_a_large_supply_graph_groups_suppliers_and_draws_the_items_nearest_the_targets() -> None:
    """100 inputs of 10 suppliers each (1,100 nodes): grouped by source class, 2 nodes per
    input besides its square, so the target and the first 39 inputs fit in 120 nodes."""
    routes, items = supply_frames(inputs=100, suppliers=10)
    view = supply_view(routes, items)
    assert view.grouped
    assert view.items == ("target", *(f"part{n:03d}" for n in range(39)))
    assert 1 + 3 * 39 <= GROUPED_NODES < 1 + 3 * 40 < GRAPH_NODES
    figure = supply_graph_figure(routes, items)
    assert title(figure).endswith(
        "; suppliers grouped (one dot per item and source class: how "
        "many, in the countries of most capacity); the 40 of 101 items "
        "nearest the targets (all are in items.csv and routes.csv)"
    )
    labels = {text.get_text() for text in figure.axes[0].texts}
    assert "5 in C0, C1, C2 +2" in labels
    assert "part038" in labels and "part039" not in labels
