"""Figures of the gap report, drawn with matplotlib's Agg renderer from the result tables.

Each figure is a function from result tables (the frames of :mod:`supplychain.analysis`, as
read back from a result folder) to a :class:`~matplotlib.figure.Figure`:

* :func:`waterfall_figure` — capability from no levers through each chosen lever;
* :func:`gap_heatmap` — each item's accessible supply by source class, divided by the
  quantity the adversary requires (1 = that source alone covers the need);
* :func:`backfill_figure` — backfill capacity of each item by supplier country;
* :func:`supply_graph_figure` — the targets' supply graph, routes coloured by source class.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common
colour-vision deficiencies; line styles and labels repeat what colour says. :func:`png` writes
no software tag and no date, so equal tables give byte-identical files.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import networkx as nx
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from supplychain.analysis import SOURCE_CLASSES

ORANGE, SKY_BLUE, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE, GREY = "#0072B2", "#D55E00", "#CC79A7", "#999999"
"""The Okabe–Ito palette (with its grey)."""

CLASS_COLOURS = {"indigenous": GREEN, "leak": SKY_BLUE, "backfill": VERMILLION,
                 "uncontrolled": PURPLE}
CLASS_LABELS = {"indigenous": "indigenous", "leak": "covered (leak)", "backfill": "backfill",
                "uncontrolled": "uncontrolled"}
COUNTRY_COLOURS = (ORANGE, SKY_BLUE, GREEN, BLUE, VERMILLION, PURPLE, YELLOW)
"""Colours of the countries with most backfill; the rest share grey as "other"."""

DPI = 110
NOISE = 1e-9
"""Capability differences smaller than this are solver noise and shown as none."""
CROWDED = 12
"""Bars beyond which waterfall labels stand upright."""
LABEL_WIDTH = 26
"""Characters per line of a wrapped axis label."""


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, rendered by Agg, without software tag or date."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """A blank figure of the given size in inches with constrained layout."""
    return Figure(figsize=(width, height), layout="constrained")


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` broken into lines of at most ``width`` characters where it has spaces."""
    return "\n".join(textwrap.wrap(text, width)) or text


def message_figure(title: str, message: str) -> Figure:
    """A small figure that says, in words, why there is nothing to draw."""
    figure = new_figure(7, 2.2)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title, loc="left", fontweight="bold")
    axes.text(0.5, 0.45, wrap(message, 70), ha="center", va="center", fontsize=11,
              transform=axes.transAxes)
    return figure


def item_label(row: pd.Series) -> str:
    """An item's axis label: its name, marked when it is a control gap or controlled."""
    mark = " (gap)" if row["gap"] else " (controlled)" if row["controlled"] else ""
    return wrap(f"{row['name']}{mark}")


def step_label(step: str) -> str:
    """A waterfall step's levers, one line per label part: ``align:NLD:lithography`` →
    ``align NLD`` / ``lithography``; levers added together joined by ``+``."""
    lines = []
    for label in step.split(" + "):
        kind, country, category = label.split(":")
        lines.append(" ".join(part for part in (kind, country) if part)
                     + (f"\n{category}" if category else ""))
    return "\n+ ".join(lines)


def waterfall_figure(waterfall: pd.DataFrame) -> Figure:
    """Capability from no levers, down by what each chosen lever removes, to the policy.

    Bar i > 0 spans C_{i−1} − C_i, the capability lever i removes after the earlier ones;
    the last bar is the policy's capability C_n.
    """
    steps = waterfall.sort_values("step")
    values = [float(value) for value in steps["capability"]]
    labels = ["no levers", *(step_label(str(step)) for step in steps["lever"][1:])]
    crowded = len(values) + 1 > CROWDED
    figure = new_figure(min(max(6.0, 1.25 * (len(values) + 1) + 1.5), 18.0),
                        6.5 if crowded else 4.8)
    axes = figure.add_subplot()
    axes.bar(0, values[0], color=BLUE, width=0.6)
    axes.annotate(f"{values[0]:.0%}", (0, values[0]), ha="center", va="bottom",
                  xytext=(0, 3), textcoords="offset points")
    for position in range(1, len(values)):
        removed = values[position - 1] - values[position]
        axes.bar(position, removed, bottom=values[position], width=0.6,
                 color=VERMILLION if removed > 0 else GREY)
        axes.plot([position - 1.3, position + 0.3], [values[position - 1]] * 2, color="black",
                  linestyle=":", linewidth=0.8)
        change = f"−{removed * 100:.3g} pp" if removed > NOISE else "no change"
        axes.annotate(change, (position, values[position - 1]), ha="center", va="bottom",
                      xytext=(0, 3), textcoords="offset points",
                      rotation=90 if crowded else 0, fontsize=8 if crowded else 10)
    if len(values) > 1:
        axes.bar(len(values), values[-1], color=BLUE, width=0.6)
        axes.annotate(f"{values[-1]:.0%}", (len(values), values[-1]), ha="center",
                      va="bottom", xytext=(0, 3), textcoords="offset points")
        labels.append("policy")
    else:
        axes.text(0.98, 0.5, "no levers chosen", ha="right", transform=axes.transAxes)
    axes.set_xticks(range(len(labels)), labels, fontsize=8 if crowded else 9,
                    rotation=90 if crowded else 0)
    axes.set_ylim(0, max(1.0, *values) * 1.12)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel("adversary capability (share of goal)")
    axes.set_title("Capability from no levers through each chosen lever", loc="left",
                   fontweight="bold")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


HEATMAP_ROWS = 40
"""Most items the gap heat map shows; a taller figure is unreadable and slow to draw."""


def gap_heatmap(items: pd.DataFrame) -> Figure:
    """Accessible supply of each capacity-limited item by source class over its requirement,
    rows in the order of ``items``.

    Cell (j, s) is accessible_{j,s} / req_j; the last column is the whole accessible supply.
    At most :data:`HEATMAP_ROWS` rows are drawn (the caller's order puts gaps first).
    A value of 1 or more means that source alone meets the adversary's need; colours
    saturate there and the numbers give the value.
    """
    title = "Accessible supply by source, as a multiple of what the adversary requires"
    rows = items[items["world_capacity"].notna()]
    if rows.empty:
        return message_figure(title, "No item with a limited capacity lies on the path to a "
                                     "target.")
    if len(rows) > HEATMAP_ROWS:
        title += f" (the first {HEATMAP_ROWS} of {len(rows)} items; all are in items.csv)"
        rows = rows.head(HEATMAP_ROWS)
    columns = [*SOURCE_CLASSES, "accessible"]
    values = rows[columns].astype(float).div(rows["required"].astype(float), axis=0)
    figure = new_figure(8.5, 1.6 + 0.5 * len(rows))
    axes = figure.add_subplot()
    image = axes.imshow(values.to_numpy(), cmap="cividis", vmin=0, vmax=1, aspect="auto")
    for (row, column), value in pd.DataFrame(values.to_numpy()).stack().items():
        axes.text(column, row, f"{value:.2g}", ha="center", va="center", fontsize=9,
                  color="white" if value < 0.5 else "black")
    axes.set_xticks(range(len(columns)),
                    [*(CLASS_LABELS[name] for name in SOURCE_CLASSES), "all accessible"])
    axes.set_yticks(range(len(rows)), [item_label(row) for _, row in rows.iterrows()])
    for tick, gap in zip(axes.get_yticklabels(), rows["gap"], strict=True):
        if gap:
            tick.set_fontweight("bold")
    axes.axvline(len(SOURCE_CLASSES) - 0.5, color="white", linewidth=3)
    axes.tick_params(length=0)
    axes.xaxis.tick_top()
    colorbar = figure.colorbar(image, ax=axes, extend="max",
                               shrink=min(0.9, 4.0 / figure.get_figheight()))
    colorbar.set_label("accessible ÷ required")
    axes.set_title(wrap(title, 60), loc="left", fontweight="bold")
    return figure


def country_colours(countries: Sequence[str]) -> dict[str, str]:
    """Okabe–Ito colours for the first countries, grey for the rest."""
    return {
        country: COUNTRY_COLOURS[index] if index < len(COUNTRY_COLOURS) else GREY
        for index, country in enumerate(countries)
    }


def backfill_figure(backfill: pd.DataFrame, items: pd.DataFrame) -> Figure:
    """Backfill capacity of each item, stacked by supplier country (and transit country),
    with the adversary's requirement marked; items in the order of ``items``."""
    title = "Backfill by supplier country"
    if backfill.empty:
        return message_figure(title, "No backfill: no uncovered foreign supplier sells a "
                                     "controlled category the adversary needs.")
    source = backfill["country"].where(backfill["via"] == "",
                                       backfill["country"] + " via " + backfill["via"])
    frame = backfill.assign(source=source)
    by_source = frame.groupby("source")["capacity"].sum()
    sources = sorted(by_source.index, key=lambda name: (-by_source[name], name))
    colours = country_colours(sources)
    item_order = [item for item in items["item"] if item in set(frame["item"])]
    details = items.set_index("item")
    figure = new_figure(8.5, 1.8 + 0.55 * len(item_order))
    axes = figure.add_subplot()
    shown: dict[str, Patch] = {}
    for position, item in enumerate(item_order):
        left = 0.0
        rows = frame[frame["item"] == item].groupby("source")["capacity"].sum()
        for name in sources:
            if name not in rows:
                continue
            axes.barh(position, rows[name], left=left, color=colours[name], height=0.6,
                      edgecolor="white")
            left += rows[name]
            label = name if colours[name] != GREY else "other"
            shown.setdefault(label, Patch(color=colours[name], label=label))
        axes.plot(details.loc[item, "required"], position, marker="|", markersize=24,
                  markeredgewidth=2.5, color="black")
    required = Line2D([], [], marker="|", markersize=14, markeredgewidth=2.5, color="black",
                      linestyle="none", label="required")
    axes.legend(handles=[*shown.values(), required], loc="upper left", fontsize=9,
                frameon=False, bbox_to_anchor=(1.01, 1.0))
    axes.set_yticks(range(len(item_order)), [item_label(details.loc[item]) for item in item_order])
    axes.invert_yaxis()
    axes.set_xlabel("capacity (share of annual world supply)")
    axes.set_title(title, loc="left", fontweight="bold")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def parse_inputs(text: str) -> list[str]:
    """The input items of a route from its ``item:quantity;item:quantity`` cell."""
    return [part.rsplit(":", 1)[0] for part in text.split(";") if part]


Node = tuple[str, str]
"""``("item", id)`` or ``("supplier", id)``."""
ITEM_SPACING = 2.0
"""Least vertical distance between items of one column (suppliers: 1), room for labels."""


def supply_network(routes: pd.DataFrame, items: pd.DataFrame) -> nx.MultiDiGraph:
    """Items on the path to a target and their suppliers as a graph.

    Edges ``supplier → item`` for every supplier route (attribute ``source_class``) and
    ``input item → item`` for every input of a domestic route (``source_class`` empty); a
    foreign supplier's own inputs are out of the adversary's reach and not drawn.
    """
    graph = nx.MultiDiGraph()
    targets = set(items.loc[items["target"].astype(bool), "item"])
    on_path = set(items["item"])
    for item in sorted(on_path):
        graph.add_node(("item", item), label=item, target=item in targets)
    for route in routes.sort_values("route").itertuples():
        if route.item not in on_path:
            continue
        made = ("item", route.item)
        if route.supplier:
            supplier = ("supplier", route.supplier)
            if supplier not in graph:
                graph.add_node(supplier, label=f"{route.supplier} ({route.country})")
            graph.add_edge(supplier, made, source_class=route.source_class)
        for input_item in parse_inputs(route.inputs) if route.domestic else []:
            if ("item", input_item) not in graph:
                graph.add_node(("item", input_item), label=input_item, target=False)
            graph.add_edge(("item", input_item), made, source_class="")
    return graph


def columns(graph: nx.MultiDiGraph) -> dict[Node, int]:
    """Column of every node, counted leftwards from the targets: an item two columns left of
    the furthest item it is an input of, a supplier one column left of the furthest item it
    supplies; so every edge points right."""
    item_graph = graph.subgraph(node for node in graph if node[0] == "item")
    column: dict[Node, int] = {}
    for node in reversed(list(nx.lexicographical_topological_sort(item_graph, key=str))):
        column[node] = max((column[fed] + 2 for fed in item_graph.successors(node)), default=0)
    for node in graph:
        if node[0] == "supplier":
            column[node] = 1 + max(column[item] for item in graph.successors(node))
    return column


def layered_positions(graph: nx.MultiDiGraph) -> dict[Node, tuple[float, float]]:
    """Left-to-right positions: targets in the rightmost column (see :func:`columns`); within
    a column, nodes sit near the mean height of the nodes they feed, suppliers at least one
    unit apart and items :data:`ITEM_SPACING` (a one-sweep barycentre layout, deterministic).
    """
    column = columns(graph)
    positions: dict[Node, tuple[float, float]] = {}
    for index in sorted(set(column.values())):
        members = [node for node in graph if column[node] == index]
        anchor = {
            node: sum(positions[fed][1] for fed in graph.successors(node))
            / max(1, len(list(graph.successors(node))))
            for node in members
        }
        members.sort(key=lambda node: (-anchor[node], str(node)))
        heights = [anchor[node] for node in members]
        for rank in range(1, len(heights)):
            gap = ITEM_SPACING if members[rank][0] == "item" else 1.0
            heights[rank] = min(heights[rank], heights[rank - 1] - gap)
        shift = (sum(anchor.values()) - sum(heights)) / len(heights)
        for node, height in zip(members, heights, strict=True):
            positions[node] = (-float(index), height + shift)
    return positions


def supply_graph_figure(routes: pd.DataFrame, items: pd.DataFrame) -> Figure:
    """The targets' supply graph, flowing left to right: suppliers (dots, labelled with their
    country) feed items (squares; targets bold); supply edges coloured by the route's source
    class, grey edges for the inputs the adversary's own routes consume."""
    title = "Supply graph of the targets"
    graph = supply_network(routes, items)
    if graph.number_of_nodes() == 0:
        return message_figure(title, "No item lies on the path to a target.")
    positions = layered_positions(graph)
    width = 1 + max(-x for x, _ in positions.values())
    heights = [y for _, y in positions.values()]
    figure = new_figure(min(3.0 + 1.2 * width, 24.0),
                        min(2.5 + 0.24 * (max(heights) - min(heights)), 36.0))
    axes = figure.add_subplot()
    axes.set_axis_off()
    edges = list(graph.edges(data="source_class"))
    for source_class, colour, width_points in [("", GREY, 0.8),
                                               *((name, CLASS_COLOURS[name], 1.8)
                                                 for name in SOURCE_CLASSES)]:
        nx.draw_networkx_edges(graph, positions, ax=axes, arrows=False, width=width_points,
                               edgelist=[(a, b) for a, b, kind in edges if kind == source_class],
                               edge_color=colour,
                               style="dashed" if source_class == "leak" else "solid")
    item_nodes = [node for node in graph if node[0] == "item"]
    nx.draw_networkx_nodes(graph, positions, nodelist=item_nodes, ax=axes, node_shape="s",
                           node_size=110, node_color="white", edgecolors="black",
                           linewidths=[2.5 if graph.nodes[node]["target"] else 1.0
                                       for node in item_nodes])
    supplier_nodes = [node for node in graph if node[0] == "supplier"]
    nx.draw_networkx_nodes(graph, positions, nodelist=supplier_nodes, ax=axes, node_size=18,
                           node_color="black")
    for node, (x, y) in positions.items():
        is_item = node[0] == "item"
        axes.annotate(graph.nodes[node]["label"], (x, y), xytext=(0, 6) if is_item else (-5, 0),
                      textcoords="offset points", ha="center" if is_item else "right",
                      va="bottom" if is_item else "center", fontsize=8 if is_item else 7,
                      fontweight="bold" if is_item else "normal",
                      bbox={"boxstyle": "round,pad=0.1", "facecolor": "white",
                            "edgecolor": "none", "alpha": 0.8})
    handles = [Line2D([], [], color=CLASS_COLOURS[name], linewidth=1.8,
                      linestyle="--" if name == "leak" else "-", label=CLASS_LABELS[name])
               for name in SOURCE_CLASSES]
    handles.append(Line2D([], [], color=GREY, linewidth=0.8, label="input (own production)"))
    axes.legend(handles=handles, loc="upper left", fontsize=8, frameon=False,
                bbox_to_anchor=(0, 0), ncol=len(handles))
    axes.margins(x=0.12, y=0.04)
    axes.set_title(title + ": suppliers (dots) supply items (squares), target in bold; "
                   "left to right", loc="left", fontweight="bold", fontsize=10)
    return figure


def compare_figure(table: pd.DataFrame) -> Figure:
    """Per compare option, capability left (left panel) and diplomatic cost (right panel)."""
    figure = new_figure(10, 0.6 * len(table) + 1.6)
    left, right = figure.subplots(1, 2, sharey=True)
    labels = [wrap(str(option)) for option in table["option"]]
    positions = list(range(len(table)))
    left.barh(positions, table["capability"].fillna(0.0), color=BLUE)
    left.set_yticks(positions, labels)
    left.invert_yaxis()
    left.xaxis.set_major_formatter(PercentFormatter(1.0))
    left.set_xlabel("adversary capability left")
    right.barh(positions, table["diplomatic"], color=ORANGE, hatch="//")
    right.set_xlabel("diplomatic cost (units)")
    figure.suptitle("Alignment options compared")
    return figure


def pareto_mask(*criteria: Sequence[float]) -> list[bool]:
    """Points no other point beats: none has every criterion at most as large and one
    smaller (lower is better for all, e.g. capability and costs)."""
    points = list(zip(*criteria, strict=True))
    return [
        not any(
            all(a <= b for a, b in zip(other, point, strict=True)) and other != point
            for other in points
        )
        for point in points
    ]


def frontier_figure(table: pd.DataFrame, parameter: str) -> Figure:
    """Capability against cost for every sweep value, the Pareto frontier marked: against lost
    sales for an economic-budget sweep, against diplomatic cost otherwise. Values that land
    on the same point share one label."""
    column, label, scale = (("economic_usd", "lost sales (billion USD)", 1e9)
                            if parameter == "budget.economic_usd"
                            else ("diplomatic", "diplomatic cost (units)", 1.0))
    figure = new_figure(7, 4.5)
    axes = figure.subplots()
    answered = table.dropna(subset=["capability"])
    cost = answered[column] / scale
    mask = pareto_mask(list(answered["capability"]), list(cost))
    frontier = answered[mask].assign(cost=cost[mask]).sort_values("cost")
    axes.plot(frontier["cost"], frontier["capability"], color=VERMILLION,
              drawstyle="steps-post", label="Pareto frontier")
    axes.scatter(cost, answered["capability"], color=BLUE, zorder=3,
                 label=f"solve per {parameter} value")
    values_at: dict[tuple[float, float], list[str]] = {}
    for value, x, y in zip(answered["value"], cost, answered["capability"], strict=True):
        values_at.setdefault((round(x, 9), round(y, 9)), []).append(str(value))
    for (x, y), values in values_at.items():
        axes.annotate(", ".join(values), (x, y), textcoords="offset points", xytext=(4, 4),
                      fontsize=8)
    axes.margins(x=0.15)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel(label)
    axes.set_ylabel("adversary capability left")
    axes.set_title(f"Frontier over {parameter}")
    axes.legend()
    return figure
