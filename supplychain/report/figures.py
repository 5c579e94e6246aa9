"""Figures of the gap report, drawn with matplotlib's Agg renderer from the result tables.

Each figure is a function from result tables (the frames of :mod:`supplychain.analysis.tables`, as
read back from a result folder) to a :class:`~matplotlib.figure.Figure`:

* :func:`waterfall_figure` — capability from no levers through each chosen lever;
* :func:`gap_heatmap` — each item's accessible supply by source class, divided by the
  quantity the adversary requires (1 = that source alone covers the need);
* :func:`backfill_figure` — backfill capacity of each item by supplier country;
* :func:`supply_graph_figure` — the targets' supply graph, routes coloured by source class.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common
colour-vision deficiencies; line styles and labels repeat what colour says. :func:`png` writes
no software tag and no date, so equal tables give byte-identical files.

The report's figures are drawn once: their margins are worked out beforehand from the sizes of
their labels (:func:`text_size`), not by a layout engine that draws every figure twice. Large
worlds are cut to what stays readable — the first :data:`WATERFALL_STEPS` steps, the first
:data:`HEATMAP_ROWS` and :data:`BACKFILL_ROWS` items, suppliers grouped and the items nearest
the targets in a supply graph of more than :data:`GRAPH_NODES` nodes — and each figure's title
says what it leaves out; the CSV files hold it all.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import blended_transform_factory, offset_copy

from supplychain.analysis.tables import SOURCE_CLASSES
from supplychain.analysis.tradeoffs import NOISE, pareto_mask, proven
from supplychain.status import Status

ORANGE, SKY_BLUE, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE, GREY = "#0072B2", "#D55E00", "#CC79A7", "#999999"
"""The Okabe–Ito palette (with its grey)."""

CLASS_COLOURS = {
    "indigenous": GREEN,
    "leak": SKY_BLUE,
    "backfill": VERMILLION,
    "uncontrolled": PURPLE,
}
CLASS_LABELS = {
    "indigenous": "indigenous",
    "leak": "covered (leak)",
    "backfill": "backfill",
    "uncontrolled": "uncontrolled",
}
COUNTRY_COLOURS = (ORANGE, SKY_BLUE, GREEN, BLUE, VERMILLION, PURPLE, YELLOW)
"""Colours of the countries with most backfill; the rest share grey as "other"."""

DPI = 110
"""Capability differences smaller than this are solver noise and shown as none."""
CROWDED = 12
"""Bars beyond which waterfall labels stand upright, on one line."""
LABEL_WIDTH = 26
"""Characters per line of a wrapped axis label."""
TEXT_SIZE, TITLE_SIZE = 10.0, 12.0
"""Points of tick labels and axis labels, and of axes titles (matplotlib's defaults)."""
LINE_SPACING = 1.2
"""Height of a line of text, in multiples of its size (matplotlib's default)."""
PAD = 0.12
"""Inches kept free between a margin's text and the figure's edge."""
TICK_SPACE = 7 / 72
"""Inches between the axes and a tick label: the tick (3.5 points) and its pad (3.5)."""
PNG_COMPRESSION = 1
"""zlib level of the PNG files: much faster to write than the default 6, and about as small
(antialiased figures compress little better at higher levels)."""
TEXT_HINTING = "no_hinting"
"""FreeType hinting of the figures' text: none, which draws text about a fifth faster than
the autohinter, with no visible difference at :data:`DPI`."""


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, rendered by Agg, without software tag or date.

    Every text is drawn as plain text: labels hold the planner's names, and matplotlib would
    read a name such as ``50$ to 80$ tools`` as mathtext (drawing it in italics, or failing on
    one such as ``$\\foo$``). Texts drawn so far are switched over, and those the drawing adds
    (tick labels) are made under the same setting."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    with rc_context({"text.hinting": TEXT_HINTING, "text.parse_math": False}):
        for artist in figure.findobj(Text):
            if isinstance(artist, Text):
                artist.set_parse_math(False)
        figure.savefig(
            buffer,
            format="png",
            dpi=DPI,
            metadata={"Software": None},
            pil_kwargs={"compress_level": PNG_COMPRESSION},
        )
    return buffer.getvalue()


def text_size(text: str, size: float = TEXT_SIZE, bold: bool = False) -> tuple[float, float]:
    """Width and height in inches of ``text`` (lines broken at newlines) set at ``size``
    points, measured with the font matplotlib draws it in."""
    font = FontProperties(size=size, weight="bold" if bold else "normal")
    lines = text.split("\n")
    width = max(
        text_to_path.get_text_width_height_descent(line, font, ismath=False)[0] for line in lines
    )
    return width / 72, len(lines) * size * LINE_SPACING / 72


def widest(texts: Sequence[str], size: float = TEXT_SIZE, bold: Sequence[bool] = ()) -> float:
    """Inches of the widest of ``texts`` (``bold``: per text, default regular)."""
    weights = list(bold) or [False] * len(texts)
    return max(
        (text_size(text, size, weight)[0] for text, weight in zip(texts, weights, strict=True)),
        default=0.0,
    )


def tallest(texts: Sequence[str], size: float = TEXT_SIZE) -> float:
    """Inches of the tallest of ``texts`` (the most lines)."""
    return max((text_size(text, size)[1] for text in texts), default=0.0)


@dataclass(frozen=True)
class Margins:
    """Inches around the axes, for tick labels, titles and legends."""

    left: float
    right: float
    top: float
    bottom: float


def new_figure(plot_width: float, plot_height: float, margins: Margins) -> tuple[Figure, Axes]:
    """A blank figure whose axes are ``plot_width`` × ``plot_height`` inches with ``margins``
    around them: the figure is as large as its content, so no label is cut off."""
    width = plot_width + margins.left + margins.right
    height = plot_height + margins.top + margins.bottom
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(
        left=margins.left / width,
        right=1 - margins.right / width,
        bottom=margins.bottom / height,
        top=1 - margins.top / height,
    )
    return figure, figure.add_subplot()


def constrained_figure(width: float, height: float) -> Figure:
    """A blank figure of the given size in inches whose layout engine fits its axes around
    their labels (drawing it twice: for the small figures of ``compare`` and ``sweep``)."""
    return Figure(figsize=(width, height), layout="constrained")


def title_height(title: str, size: float = TITLE_SIZE) -> float:
    """Inches an axes title of ``title`` (lines broken at newlines) takes above the axes."""
    return text_size(title, size, bold=True)[1] + PAD


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` broken into lines of at most ``width`` characters where it has spaces."""
    return "\n".join(textwrap.wrap(text, width)) or text


def fit_title(title: str, inches: float, size: float = TITLE_SIZE) -> str:
    """``title`` broken into lines of bold text at ``size`` points no wider than ``inches``
    (where it has spaces)."""
    characters = max(20, int(inches * 72 / (0.55 * size)))
    wrapped = wrap(title, characters)
    while characters > 20 and text_size(wrapped, size, bold=True)[0] > inches:
        characters = int(characters * 0.9)
        wrapped = wrap(title, characters)
    return wrapped


def message_figure(title: str, message: str) -> Figure:
    """A small figure that says, in words, why there is nothing to draw."""
    figure, axes = new_figure(6.6, 1.5, Margins(0.2, 0.2, title_height(title), 0.2))
    axes.set_axis_off()
    axes.set_title(title, loc="left", fontweight="bold")
    axes.text(
        0.5,
        0.45,
        wrap(message, 70),
        ha="center",
        va="center",
        fontsize=11,
        transform=axes.transAxes,
    )
    return figure


def left_out(shown: int, total: int, what: str, csv: str) -> str:
    """The title's note on a cut figure, e.g. ``(the first 40 of 367 items; all are in
    items.csv)``; empty when nothing is left out."""
    return f" (the first {shown} of {total} {what}; all are in {csv})" if total > shown else ""


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
        lines.append(
            " ".join(part for part in (kind, country) if part)
            + (f"\n{category}" if category else "")
        )
    return "\n+ ".join(lines)


WATERFALL_STEPS = 30
"""Steps the waterfall draws one by one; the later (smaller) ones share one bar."""
WATERFALL_TITLE = "Capability from no levers through each chosen lever"


@dataclass(frozen=True)
class Bar:
    """One waterfall bar from ``bottom`` to ``top``, with its tick label and the text above it."""

    label: str
    top: float
    bottom: float
    colour: str
    note: str
    step: bool
    """Whether the bar is a step (what levers remove) rather than a level."""


def waterfall_bars(values: list[float], labels: list[str]) -> list[Bar]:
    """The bars of a waterfall through capabilities C_0 … C_n, step i labelled ``labels[i]``:
    C_0, then C_{i−1} − C_i for each of the first :data:`WATERFALL_STEPS` steps, one bar for
    all later steps together, and C_n (the policy)."""
    bars = [Bar("no levers", values[0], 0.0, BLUE, f"{values[0]:.0%}", step=False)]
    shown = min(len(values) - 1, WATERFALL_STEPS)
    for position in range(1, shown + 1):
        bars.append(step_bar(labels[position], values[position - 1], values[position]))
    if len(values) - 1 > shown:
        bars.append(step_bar(f"{len(values) - 1 - shown} more\nsteps", values[shown], values[-1]))
    if len(values) > 1:
        bars.append(Bar("policy", values[-1], 0.0, BLUE, f"{values[-1]:.0%}", step=False))
    return bars


def step_bar(label: str, before: float, after: float) -> Bar:
    """The bar of a step that takes capability from ``before`` to ``after``."""
    removed = before - after
    note = f"−{removed * 100:.3g} pp" if removed > NOISE else "no change"
    return Bar(label, before, after, VERMILLION if removed > 0 else GREY, note, step=True)


def waterfall_figure(waterfall: pd.DataFrame) -> Figure:
    """Capability from no levers, down by what each chosen lever removes, to the policy.

    Bar i > 0 spans C_{i−1} − C_i, the capability lever i removes after the earlier ones;
    the last bar is the policy's capability C_n. Beyond :data:`WATERFALL_STEPS` steps the
    rest are one bar, and the title says so.
    """
    steps = waterfall.sort_values("step")
    values = [float(value) for value in steps["capability"]]
    labels = ["no levers", *(step_label(str(step)) for step in steps["lever"][1:])]
    bars = waterfall_bars(values, labels)
    crowded = len(bars) > CROWDED
    tick_size = 8 if crowded else 9
    ticks = [" ".join(bar.label.split()) if crowded else bar.label for bar in bars]
    width = min(max(5.5, 1.25 * len(bars)), 16.5)
    title = fit_title(
        WATERFALL_TITLE
        + left_out(WATERFALL_STEPS, len(values) - 1, "steps, the rest as one bar", "waterfall.csv"),
        width,
    )
    bottom = (widest(ticks, tick_size) if crowded else tallest(ticks, tick_size)) + TICK_SPACE
    margins = Margins(
        left=text_size("100%")[0] + text_size("x")[1] + TICK_SPACE + 2 * PAD,
        right=0.2,
        top=title_height(title) + PAD,
        bottom=bottom + PAD,
    )
    figure, axes = new_figure(width, 3.6 if crowded else 3.8, margins)
    positions = range(len(bars))
    axes.bar(
        positions,
        [bar.top - bar.bottom for bar in bars],
        bottom=[bar.bottom for bar in bars],
        color=[bar.colour for bar in bars],
        width=0.6,
    )
    for position, bar in enumerate(bars):
        if bar.step:
            axes.plot(
                [position - 1.3, position + 0.3],
                [bar.top] * 2,
                color="black",
                linestyle=":",
                linewidth=0.8,
            )
        axes.annotate(
            bar.note,
            (position, bar.top),
            ha="center",
            va="bottom",
            xytext=(0, 3),
            textcoords="offset points",
            rotation=90 if crowded and bar.step else 0,
            fontsize=8 if crowded and bar.step else 10,
        )
    if len(values) == 1:
        axes.text(0.98, 0.5, "no levers chosen", ha="right", transform=axes.transAxes)
    axes.set_xticks(positions, ticks, fontsize=tick_size, rotation=90 if crowded else 0)
    axes.set_ylim(0, max(1.0, *values) * 1.12)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel("adversary capability (share of goal)")
    axes.set_title(title, loc="left", fontweight="bold")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


HEATMAP_ROWS = 40
"""Most items the gap heat map shows; a taller figure is unreadable and slow to draw."""
HEATMAP_COLUMN = 1.1
"""Inches per heat-map column (its header must fit)."""
HEATMAP_ROW = 0.5
"""Inches per heat-map row (two lines of label)."""


def gap_heatmap(items: pd.DataFrame) -> Figure:
    """Accessible supply of each capacity-limited item by source class over its requirement,
    rows in the order of ``items``.

    Cell (j, s) is accessible_{j,s} / req_j; the last column is the whole accessible supply.
    At most :data:`HEATMAP_ROWS` rows are drawn (the caller's order puts gaps first).
    A value of 1 or more means that source alone meets the adversary's need; colours
    saturate there and the numbers give the value. A cell without a number is 0: nothing
    from that source.
    """
    title = "Accessible supply by source, as a multiple of what the adversary requires"
    rows = items[items["world_capacity"].notna()]
    if rows.empty:
        return message_figure(
            title, "No item with a limited capacity lies on the path to a target."
        )
    colour_bar = 1.3
    title = fit_title(
        title + left_out(HEATMAP_ROWS, len(rows), "items", "items.csv"),
        HEATMAP_COLUMN * (len(SOURCE_CLASSES) + 1) + colour_bar,
    )
    rows = rows.head(HEATMAP_ROWS)
    columns = [*SOURCE_CLASSES, "accessible"]
    headers = [*(CLASS_LABELS[name] for name in SOURCE_CLASSES), "all accessible"]
    values = rows[columns].astype(float).div(rows["required"].astype(float), axis=0).to_numpy()
    labels = [item_label(row) for _, row in rows.iterrows()]
    gaps = [bool(gap) for gap in rows["gap"]]
    margins = Margins(
        left=widest(labels, bold=gaps) + TICK_SPACE + PAD,
        right=colour_bar,
        top=title_height(title) + tallest(headers) + TICK_SPACE,
        bottom=0.15,
    )
    figure, axes = new_figure(HEATMAP_COLUMN * len(columns), HEATMAP_ROW * len(rows), margins)
    image = axes.imshow(values, cmap="cividis", vmin=0, vmax=1, aspect="auto")
    for (row, column), value in np.ndenumerate(values):
        if value > 0:
            axes.text(
                column,
                row,
                f"{value:.2g}",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if value < 0.5 else "black",
            )
    label_rows(figure, axes, labels, gaps)
    above = offset_copy(axes.transData, figure, x=0, y=TICK_SPACE * 72, units="points")
    for column, header in enumerate(headers):
        axes.text(column, -0.5, header, transform=above, ha="center", va="bottom")
    axes.set_xticks([])
    axes.axvline(len(SOURCE_CLASSES) - 0.5, color="white", linewidth=3)
    colorbar = figure.colorbar(image, cax=colour_bar_axes(figure, axes), extend="max")
    colorbar.set_label("accessible ÷ required")
    axes.set_title(
        title, loc="left", fontweight="bold", pad=(tallest(headers) + TICK_SPACE) * 72 + 6
    )
    return figure


def label_rows(figure: Figure, axes: Axes, labels: Sequence[str], bold: Sequence[bool]) -> None:
    """``labels`` left of the axes at rows 0, 1, …, as tick labels would be (``bold``: per
    row); plain text, cheaper to draw than ticks."""
    axes.set_yticks([])
    left = offset_copy(
        blended_transform_factory(axes.transAxes, axes.transData),
        figure,
        x=-TICK_SPACE * 72,
        y=0,
        units="points",
    )
    for row, (label, strong) in enumerate(zip(labels, bold, strict=True)):
        axes.text(
            0,
            row,
            label,
            transform=left,
            ha="right",
            va="center",
            ma="right",
            fontweight="bold" if strong else "normal",
        )


def colour_bar_axes(figure: Figure, axes: Axes) -> Axes:
    """Axes for a colour bar right of ``axes``: 0.2 inches wide, 0.25 inches off, 0.9 of the
    axes' height but at most 4 inches of the figure's, centred on the axes."""
    width, height = figure.get_size_inches()
    box = axes.get_position()
    bar_height = box.height * min(0.9, 4.0 / height)
    return figure.add_axes(
        (box.x1 + 0.25 / width, box.y0 + (box.height - bar_height) / 2, 0.2 / width, bar_height)
    )


def country_colours(countries: Sequence[str]) -> dict[str, str]:
    """Okabe–Ito colours for the first countries, grey for the rest."""
    return {
        country: COUNTRY_COLOURS[index] if index < len(COUNTRY_COLOURS) else GREY
        for index, country in enumerate(countries)
    }


BACKFILL_ROWS = 40
"""Most items the backfill figure shows (in the caller's order, gaps first)."""
BACKFILL_WIDTH = 5.0
"""Inches of the backfill bars' axes."""
OTHER = "other"


def backfill_sources(backfill: pd.DataFrame) -> pd.Series:
    """Each backfill route's source: its country, or ``country via transit``, and
    :data:`OTHER` beyond the sources with the most backfill capacity that get a colour."""
    source = backfill["country"].where(
        backfill["via"] == "", backfill["country"] + " via " + backfill["via"]
    )
    by_source = backfill.groupby(source)["capacity"].sum()
    ranked = sorted(by_source.index, key=lambda name: (-by_source[name], name))
    coloured = set(ranked[: len(COUNTRY_COLOURS)])
    return source.where(source.isin(coloured), OTHER)


def backfill_figure(backfill: pd.DataFrame, items: pd.DataFrame) -> Figure:
    """Backfill capacity of each item, stacked by supplier country (and transit country),
    with the adversary's requirement marked; items in the order of ``items``, at most
    :data:`BACKFILL_ROWS` of them."""
    title = "Backfill by supplier country"
    if backfill.empty:
        return message_figure(
            title,
            "No backfill: no uncovered foreign supplier sells a "
            "controlled category the adversary needs.",
        )
    with_backfill = set(backfill["item"])
    item_order = [item for item in items["item"] if item in with_backfill]
    item_order, total = item_order[:BACKFILL_ROWS], len(item_order)
    frame = backfill.assign(source=backfill_sources(backfill))
    totals = frame.groupby("source")["capacity"].sum()
    sources = sorted(totals.index, key=lambda name: (name == OTHER, -totals[name], name))
    stacked = (
        frame[frame["item"].isin(item_order)]
        .pivot_table(index="item", columns="source", values="capacity", aggfunc="sum")
        .reindex(index=item_order, columns=sources)
        .fillna(0.0)
    )
    details = items.set_index("item")
    labels = [item_label(details.loc[item]) for item in item_order]
    colours = {**country_colours([name for name in sources if name != OTHER]), OTHER: GREY}
    legend = widest([*sources, "required"], 9) + 0.7
    title = fit_title(
        title + left_out(BACKFILL_ROWS, total, "items with backfill", "backfill.csv"),
        BACKFILL_WIDTH + legend,
    )
    margins = Margins(
        left=widest(labels) + TICK_SPACE + PAD,
        right=legend,
        top=title_height(title),
        bottom=text_size("x")[1] * 2 + TICK_SPACE + PAD,
    )
    figure, axes = new_figure(BACKFILL_WIDTH, 0.55 * len(item_order) + 0.3, margins)
    positions = list(range(len(item_order)))
    left = [0.0] * len(item_order)
    for name in sources:
        widths = stacked[name].tolist()
        drawn = [position for position in positions if widths[position] > 0]
        axes.barh(
            drawn,
            [widths[position] for position in drawn],
            left=[left[position] for position in drawn],
            color=colours[name],
            height=0.6,
            edgecolor="white",
        )
        left = [start + width for start, width in zip(left, widths, strict=True)]
    axes.plot(
        details.loc[item_order, "required"].tolist(),
        positions,
        marker="|",
        markersize=24,
        markeredgewidth=2.5,
        color="black",
        linestyle="none",
    )
    required = Line2D(
        [],
        [],
        marker="|",
        markersize=14,
        markeredgewidth=2.5,
        color="black",
        linestyle="none",
        label="required",
    )
    handles = [Patch(color=colours[name], label=name) for name in sources]
    axes.legend(
        handles=[*handles, required],
        loc="upper left",
        fontsize=9,
        frameon=False,
        bbox_to_anchor=(1.01, 1.0),
    )
    axes.set_ylim(len(item_order) - 0.5, -0.5)
    label_rows(figure, axes, labels, [False] * len(labels))
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
GRAPH_NODES = 200
"""Most nodes the supply graph draws supplier by supplier. A larger graph groups each item's
suppliers by source class, and draws only the items nearest the targets that fit in
:data:`GROUPED_NODES` nodes."""
GROUPED_NODES = 120
"""Most nodes of a supply graph with grouped suppliers (their labels are longer)."""
GROUP_COUNTRIES = 3
"""Countries a group of suppliers names (those with most capacity; the rest counted)."""
GRAPH_TITLE = "Supply graph of the targets"


@dataclass(frozen=True)
class SupplyView:
    """What the supply graph draws of the items on the path to a target."""

    items: tuple[str, ...]
    """Items drawn, nearest the targets first."""
    total: int
    """Items on the path to a target."""
    grouped: bool
    """Whether suppliers are grouped (one node per item and source class) rather than drawn
    one by one."""


def nearest_targets(routes: pd.DataFrame, items: pd.DataFrame) -> list[str]:
    """The items on the path, targets first, then breadth-first upstream: fewer input steps
    to a target first, ties in the order of ``items`` (gaps first)."""
    on_path = list(items["item"])
    rank = {item: position for position, item in enumerate(on_path)}
    inputs: dict[str, set[str]] = {}
    for route in routes.itertuples():
        made = str(route.item)
        if route.domestic and made in rank:
            inputs.setdefault(made, set()).update(
                item for item in parse_inputs(str(route.inputs)) if item in rank
            )
    targets = items.loc[items["target"].astype(bool), "item"]
    layer = sorted(targets, key=rank.__getitem__)
    ordered, seen = [], set(layer)
    while layer:
        ordered += layer
        upstream = {item for made in layer for item in inputs.get(made, ()) if item not in seen}
        seen |= upstream
        layer = sorted(upstream, key=rank.__getitem__)
    return ordered + [item for item in on_path if item not in seen]


def supplier_groups(routes: pd.DataFrame) -> pd.Series:
    """Supplier nodes per item when suppliers are grouped: the number of source classes
    among each item's supplier routes."""
    return routes[routes["supplier"] != ""].groupby("item")["source_class"].nunique()


def supply_view(routes: pd.DataFrame, items: pd.DataFrame) -> SupplyView:
    """All items with every supplier when that is at most :data:`GRAPH_NODES` nodes;
    otherwise suppliers grouped, and the items of :func:`nearest_targets` while the nodes fit
    in :data:`GROUPED_NODES` (the targets always)."""
    on_path = set(items["item"])
    relevant = routes[routes["item"].isin(on_path)]
    suppliers = relevant.loc[relevant["supplier"] != "", "supplier"].nunique()
    order = nearest_targets(relevant, items)
    if len(on_path) + suppliers <= GRAPH_NODES:
        return SupplyView(tuple(order), len(order), grouped=False)
    groups = supplier_groups(relevant)
    targets = set(items.loc[items["target"].astype(bool), "item"])
    drawn, nodes = [], 0
    for item in order:
        cost = 1 + int(groups.get(item, 0))
        if item in targets or nodes + cost <= GROUPED_NODES:
            drawn.append(item)
            nodes += cost
    return SupplyView(tuple(drawn), len(order), grouped=True)


def supply_network(
    routes: pd.DataFrame, items: pd.DataFrame, view: SupplyView
) -> nx.MultiDiGraph[Node]:
    """The items of ``view`` and their suppliers as a graph.

    Edges ``supplier → item`` for every supplier route (attribute ``source_class``) and
    ``input item → item`` for every input of a domestic route (``source_class`` empty; in a
    cut graph only between drawn items); a foreign supplier's own inputs are out of the
    adversary's reach and not drawn. Grouped suppliers are one node per item and source class
    (see :func:`group_label`).
    """
    graph: nx.MultiDiGraph[Node] = nx.MultiDiGraph()
    targets = set(items.loc[items["target"].astype(bool), "item"])
    drawn = set(view.items)
    for item in sorted(drawn):
        graph.add_node(("item", item), label=item, target=item in targets)
    ordered = routes[routes["item"].isin(drawn)].sort_values("route")
    for route in ordered.itertuples():
        made = ("item", str(route.item))
        for input_item in parse_inputs(str(route.inputs)) if route.domestic else []:
            if ("item", input_item) not in graph and len(drawn) == view.total:
                graph.add_node(("item", input_item), label=input_item, target=False)
            if ("item", input_item) in graph:
                graph.add_edge(("item", input_item), made, source_class="")
    supplied = ordered[ordered["supplier"] != ""]
    if view.grouped:
        for key, group in supplied.groupby(["item", "source_class"]):
            item, source_class = map(str, key)
            node = ("supplier", f"{item}/{source_class}")
            graph.add_node(node, label=group_label(group))
            graph.add_edge(node, ("item", item), source_class=source_class)
        return graph
    for route in supplied.itertuples():
        supplier = ("supplier", str(route.supplier))
        if supplier not in graph:
            graph.add_node(supplier, label=f"{route.supplier} ({route.country})")
        graph.add_edge(supplier, ("item", str(route.item)), source_class=route.source_class)
    return graph


def group_label(routes: pd.DataFrame) -> str:
    """The label of a group of supplier routes: the supplier and its country when there is
    one, else the number of suppliers and the :data:`GROUP_COUNTRIES` countries with most
    capacity, e.g. ``12 in JPN, KOR, DEU +2``."""
    suppliers = sorted(set(routes["supplier"]))
    if len(suppliers) == 1:
        return f"{suppliers[0]} ({routes['country'].iloc[0]})"
    by_country = routes.groupby("country")["capacity"].sum()
    countries = sorted(by_country.index, key=lambda country: (-by_country[country], country))
    named = ", ".join(countries[:GROUP_COUNTRIES])
    more = f" +{len(countries) - GROUP_COUNTRIES}" if len(countries) > GROUP_COUNTRIES else ""
    return f"{len(suppliers)} in {named}{more}"


def columns(graph: nx.MultiDiGraph[Node]) -> dict[Node, int]:
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


def layered_positions(graph: nx.MultiDiGraph[Node]) -> dict[Node, tuple[float, float]]:
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


LABEL_POINTS = {"item": 8.0, "supplier": 7.0}
"""Font size of item and supplier labels in the supply graph."""
SUPPLIER_OFFSET = 5.0
"""Points between a supplier's dot and its label (item labels: 6 points above the square)."""
COLUMN_INCHES, ROW_INCHES = 1.5, 0.19
"""Inches per column of the supply graph and per unit of height (one supplier)."""


def label_reach(graph: nx.MultiDiGraph[Node], node: Node) -> tuple[float, float]:
    """Inches a node's label reaches left and right of the node: an item's is centred on
    it, a supplier's ends left of its dot."""
    label = graph.nodes[node]["label"]
    if node[0] == "item":
        half = text_size(label, LABEL_POINTS["item"], bold=True)[0] / 2
        return half, half
    return text_size(label, LABEL_POINTS["supplier"])[0] + SUPPLIER_OFFSET / 72, 0.0


def graph_title(view: SupplyView) -> str:
    """The supply graph's title: what it shows, and what a large graph leaves out."""
    title = f"{GRAPH_TITLE}: suppliers (dots) supply items (squares), target in bold; left to right"
    if view.grouped:
        title += (
            "; suppliers grouped (one dot per item and source class: how many, in the "
            "countries of most capacity)"
        )
    if len(view.items) < view.total:
        title += (
            f"; the {len(view.items)} of {view.total} items nearest the targets "
            "(all are in items.csv and routes.csv)"
        )
    return title


def supply_graph_figure(routes: pd.DataFrame, items: pd.DataFrame) -> Figure:
    """The targets' supply graph, flowing left to right: suppliers (dots, labelled with their
    country) feed items (squares; targets bold); supply edges coloured by the route's source
    class, grey edges for the inputs the adversary's own routes consume. A graph of more
    than :data:`GRAPH_NODES` nodes is cut as :func:`supply_view` says, and the title says
    so."""
    if items.empty:
        return message_figure(GRAPH_TITLE, "No item lies on the path to a target.")
    view = supply_view(routes, items)
    graph = supply_network(routes, items, view)
    positions = layered_positions(graph)
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    left, right = min(xs), max(xs)
    reach_left = max(label_reach(graph, node)[0] for node, (x, _) in positions.items() if x == left)
    reach_right = max(
        label_reach(graph, node)[1] for node, (x, _) in positions.items() if x == right
    )
    width = min(COLUMN_INCHES * (right - left + 0.4), 23.0)
    title = fit_title(graph_title(view), max(width + reach_right, 5.0), 10)
    margins = Margins(
        left=reach_left + 0.1, right=reach_right + 0.1, top=title_height(title, 10), bottom=0.45
    )
    figure, axes = new_figure(width, min(ROW_INCHES * (max(ys) - min(ys) + 2.0), 34.5), margins)
    axes.set_xlim(left - 0.2, right + 0.2)
    axes.set_ylim(min(ys) - 0.5, max(ys) + 1.5)
    axes.set_axis_off()
    draw_edges(axes, graph, positions)
    draw_nodes(axes, graph, positions)
    draw_labels(figure, axes, graph, positions)
    handles = [
        Line2D(
            [],
            [],
            color=CLASS_COLOURS[name],
            linewidth=1.8,
            linestyle="--" if name == "leak" else "-",
            label=CLASS_LABELS[name],
        )
        for name in SOURCE_CLASSES
    ]
    handles.append(Line2D([], [], color=GREY, linewidth=0.8, label="input (own production)"))
    axes.legend(
        handles=handles,
        loc="upper left",
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0, 0),
        ncol=len(handles),
    )
    axes.set_title(title, loc="left", fontweight="bold", fontsize=10)
    return figure


def draw_edges(
    axes: Axes, graph: nx.MultiDiGraph[Node], positions: dict[Node, tuple[float, float]]
) -> None:
    """The graph's edges, one line collection per source class (inputs grey and thin)."""
    edges: list[tuple[Node, Node, str]] = list(graph.edges(data="source_class"))
    for source_class, colour, width_points in [
        ("", GREY, 0.8),
        *((name, CLASS_COLOURS[name], 1.8) for name in SOURCE_CLASSES),
    ]:
        nx.draw_networkx_edges(
            graph,
            positions,
            ax=axes,
            arrows=False,
            width=width_points,
            edgelist=[(a, b) for a, b, kind in edges if kind == source_class],
            edge_color=colour,
            style="dashed" if source_class == "leak" else "solid",
        )


def draw_nodes(
    axes: Axes, graph: nx.MultiDiGraph[Node], positions: dict[Node, tuple[float, float]]
) -> None:
    """Items as squares (targets with a thick edge), suppliers as dots."""
    item_nodes = [node for node in graph if node[0] == "item"]
    nx.draw_networkx_nodes(
        graph,
        positions,
        nodelist=item_nodes,
        ax=axes,
        node_shape="s",
        node_size=110,
        node_color="white",
        edgecolors="black",
        linewidths=[2.5 if graph.nodes[node]["target"] else 1.0 for node in item_nodes],
    )
    supplier_nodes = [node for node in graph if node[0] == "supplier"]
    nx.draw_networkx_nodes(
        graph, positions, nodelist=supplier_nodes, ax=axes, node_size=18, node_color="black"
    )


def draw_labels(
    figure: Figure,
    axes: Axes,
    graph: nx.MultiDiGraph[Node],
    positions: dict[Node, tuple[float, float]],
) -> None:
    """Item names above their squares (bold), supplier labels left of their dots, on a
    half-transparent white ground so crossing edges do not hide them."""
    above = offset_copy(axes.transData, figure, x=0, y=6, units="points")
    before = offset_copy(axes.transData, figure, x=-SUPPLIER_OFFSET, y=0, units="points")
    ground = {"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
    for node, (x, y) in positions.items():
        is_item = node[0] == "item"
        axes.text(
            x,
            y,
            graph.nodes[node]["label"],
            transform=above if is_item else before,
            ha="center" if is_item else "right",
            va="bottom" if is_item else "center",
            fontsize=LABEL_POINTS[node[0]],
            fontweight="bold" if is_item else "normal",
            bbox=ground,
        )


def compare_figure(table: pd.DataFrame) -> Figure:
    """Per compare option, capability left (left panel) and diplomatic cost (right panel); an
    option not proven optimal is labelled with how its solve ended (one with no policy has no
    bars, never a bar at 0 that would read as a perfect policy)."""
    figure = constrained_figure(10, 0.6 * len(table) + 1.6)
    left, right = figure.subplots(1, 2, sharey=True)
    labels = [
        wrap(str(option) if status == Status.OPTIMAL else f"{option} ({status.replace('_', ' ')})")
        for option, status in zip(table["option"], table["status"], strict=True)
    ]
    positions = list(range(len(table)))
    left.barh(positions, table["capability"], color=BLUE)
    left.set_yticks(positions, labels)
    left.invert_yaxis()
    left.xaxis.set_major_formatter(PercentFormatter(1.0))
    left.set_xlabel("adversary capability left")
    right.barh(positions, table["diplomatic"], color=ORANGE, hatch="//")
    right.set_xlabel("diplomatic cost (units)")
    figure.suptitle("Alignment options compared")
    return figure


def frontier_figure(table: pd.DataFrame, parameter: str) -> Figure:
    """Capability against cost for every sweep value, the Pareto frontier marked: against lost
    sales for an economic-budget sweep, against diplomatic cost otherwise. Values that land
    on the same point share one label. Only points proven optimal make the frontier; a point
    stopped at the time limit is drawn hollow, one with no policy not at all."""
    column, label, scale = (
        ("economic_usd", "lost sales (billion USD)", 1e9)
        if parameter == "budget.economic_usd"
        else ("diplomatic", "diplomatic cost (units)", 1.0)
    )
    figure = constrained_figure(7, 4.5)
    axes = figure.subplots()
    unproven = table[(table["status"] != Status.OPTIMAL) & table["capability"].notna()]
    if not unproven.empty:
        axes.scatter(
            unproven[column] / scale,
            unproven["capability"],
            facecolors="none",
            edgecolors=BLUE,
            zorder=3,
            label="stopped at the time limit (not proven optimal)",
        )
    answered = proven(table)
    cost = answered[column] / scale
    mask = pareto_mask(list(answered["capability"]), list(cost))
    frontier = answered[mask].assign(cost=cost[mask]).sort_values("cost")
    axes.plot(
        frontier["cost"],
        frontier["capability"],
        color=VERMILLION,
        drawstyle="steps-post",
        label="Pareto frontier",
    )
    axes.scatter(
        cost, answered["capability"], color=BLUE, zorder=3, label=f"solve per {parameter} value"
    )
    values_at: dict[tuple[float, float], list[str]] = {}
    for value, x, y in zip(answered["value"], cost, answered["capability"], strict=True):
        values_at.setdefault((round(x, 9), round(y, 9)), []).append(str(value))
    for (x, y), values in values_at.items():
        axes.annotate(
            ", ".join(values), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8
        )
    axes.margins(x=0.15)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_xlabel(label)
    axes.set_ylabel("adversary capability left")
    axes.set_title(f"Frontier over {parameter}")
    axes.legend()
    return figure
