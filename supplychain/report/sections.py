"""The content of the gap report (DESIGN §6): its sections as document blocks, composed from a
result folder read back (:class:`supplychain.results.read.Results`), so that ``supplychain run``
and ``supplychain report`` share one code path and a report can be rebuilt without solving.

Control gaps are ranked by accessible surplus normalised by the requirement,

.. math::

    s_j = (\\mathrm{accessible}_j - req_j) / req_j,

how far beyond its need the supply the levers leave the adversary still reaches. Gaps with
unlimited own production (a route without a capacity, limited only by its inputs) have no
surplus figure and come last. Shadow prices rank the bottlenecks instead (a gap, having slack,
usually has a zero shadow price).

A large world's report stays readable: the first :data:`GAP_SECTIONS` gaps get a section and
the long tables show :data:`TABLE_ROWS` rows; each cut says so and names the CSV file that
holds everything (the figures cut themselves, see :mod:`supplychain.report.figures`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from supplychain.analysis.tradeoffs import NOISE
from supplychain.report.document import (
    Block,
    Heading,
    Image,
    Paragraph,
    code,
    humane,
    listing,
    money,
    number,
    percent,
    points,
    strong,
    table,
    text,
)
from supplychain.report.figures import supply_view
from supplychain.report.tradeoffs import compare_blocks, frontier_blocks, unproven_count
from supplychain.results.files import FIGURE_FOLDER, SUMMARY_FILE
from supplychain.results.read import Results, number_cell
from supplychain.status import Status

CLOSERS_SHOWN = 5
"""Closers listed per gap (all of them are in ``closers.csv``)."""
LEAD_ITEMS = 3
"""Gaps and bottlenecks named in the summary paragraph."""
GAP_SECTIONS = 40
"""Gaps the report gives a section of their own, largest first (all are in ``items.csv``)."""
TABLE_ROWS = 100
"""Rows the report's long tables show (bottlenecks, backfill of items that are not gaps,
supply by item); the CSV files hold them all."""


def figure_path(name: str) -> str:
    """Where the report's own figure ``name`` is written, relative to the result folder."""
    return f"{FIGURE_FOLDER}/{name}.png"


def item_name(results: Results, item: str) -> str:
    """An item's name, or its id when it has none."""
    return results.names.get(item, item)


def item_phrase(results: Results, item: str) -> str:
    """An item as a reader meets it: its name and, in code, its id."""
    name = item_name(results, item)
    return f"{text(name)} ({code(item)})" if name != item else code(item)


def policy_phrase(levers: list[dict[str, Any]]) -> str:
    """The chosen levers in words, e.g. ``controls on etch and NLD aligned on lithography``."""
    by_kind: dict[str, dict[str, list[str]]] = {}
    for lever in levers:
        by_kind.setdefault(lever["kind"], {}).setdefault(text(lever["country"] or ""), []).append(
            text(humane(lever["category"] or ""))
        )

    def each(kind: str, phrase: Callable[[str, str], str]) -> list[str]:
        return [
            phrase(country, listing(categories))
            for country, categories in sorted(by_kind.get(kind, {}).items())
        ]

    def countries(kind: str) -> str:
        return listing(sorted(by_kind[kind]))

    parts = each("control", lambda _, categories: f"controls on {categories}")
    parts += each("align", lambda country, categories: f"{country} aligned on {categories}")
    if "fdpr" in by_kind:
        parts.append(
            "the FDPR on "
            + listing(each("fdpr", lambda country, categories: f"{country}'s {categories}"))
        )
    if "restrict" in by_kind:
        parts.append(
            "licences on "
            + listing(
                each("restrict", lambda country, categories: f"{categories} exports to {country}")
            )
        )
    for kind, phrase in (
        ("monitor", "end-use monitoring in"),
        ("tariff", "the threat of secondary tariffs on"),
        ("screen", "investment screening in"),
    ):
        if kind in by_kind:
            parts.append(f"{phrase} {countries(kind)}")
    if not parts:
        return "no levers"
    if set(by_kind) == {"control"}:
        return f"{parts[0]} alone"
    if any(" and " in part for part in parts[:-1]):
        return ", ".join(parts[:-1]) + ", and " + parts[-1]
    return listing(parts)


def goal_phrase(results: Results) -> str:
    """What the adversary keeps, under the policy or (without one) under no levers: one
    target's output, or each target's capability."""
    prefix = "" if results.solved else "baseline_"
    rows = list(results.targets.itertuples())
    if len(rows) == 1:
        target = rows[0]
        return (
            f"its {text(item_name(results, str(target.target)))} goal "
            f"({number(getattr(target, prefix + 'output'))} of the "
            f"{number(number_cell(target.demand))} it wants)"
        )
    each = [
        f"{text(item_name(results, str(target.target)))} "
        f"{percent(getattr(target, prefix + 'capability'))}"
        for target in rows
    ]
    return f"its weighted goal ({', '.join(each)})"


def status_suffix(summary: dict[str, Any]) -> str:
    """The title's warning when the run has no proven-optimal policy: the status, and for a
    time-limited answer its incumbent, the solver's bound and the relative gap."""
    status = summary["status"]
    if status == Status.OPTIMAL:
        return ""
    if summary["capability"] is None:
        return f" — {text(status.replace('_', ' '))}, no policy"
    bound = summary.get("bound")
    figures = [f"capability {percent(summary['capability'])}"]
    if bound is not None:
        figures.append(f"bound {number(bound)}")
    if summary["mip_gap"] is not None:
        figures.append(f"gap {percent(summary['mip_gap'])}")
    return f" — NOT PROVEN OPTIMAL ({text(status.replace('_', ' '))}: {', '.join(figures)})"


def batch_suffix(results: Results) -> str:
    """The title's warning when compare options or sweep values were not all proven optimal."""
    parts = []
    for batch, what in ((results.compare, "COMPARE OPTIONS"), (results.frontier, "SWEEP POINTS")):
        unproven = unproven_count(batch)
        if batch is not None and unproven:
            parts.append(f" — {unproven} OF {len(batch)} {what} NOT PROVEN OPTIMAL")
    return "".join(parts)


def status_blocks(results: Results) -> list[Block]:
    """A prominent warning when the run has no proven-optimal policy."""
    summary = results.summary
    status = summary["status"]
    if status == Status.OPTIMAL:
        return []
    stopped = "the solver stopped at its time limit"
    if not results.solved:
        headline, cause = {
            Status.INFEASIBLE: (
                "the solve ended infeasible",
                "No lever set satisfies the scenario's pins and budgets",
            ),
            Status.TIME_LIMIT: (f"{stopped} before finding one", "There is no lever set"),
        }.get(status, (f"the solve ended '{status}'", "There is no lever set"))
        return [
            Paragraph(
                f"{strong(f'No policy: {text(headline)}.')} {cause}, so there is no policy "
                "capability to report. The tables and figures below describe the world with no "
                "levers.",
                "warning",
            )
        ]
    headline = stopped if status == Status.TIME_LIMIT else f"the solve ended '{status}'"
    gap = "" if summary["mip_gap"] is None else f" (relative MIP gap {percent(summary['mip_gap'])})"
    return [
        Paragraph(
            f"{strong(f'Not proven optimal: {text(headline)}')}{gap}. The levers below are the "
            "best the solver found; a better or cheaper policy may exist.",
            "warning",
        )
    ]


def ranked_items(items: pd.DataFrame) -> pd.DataFrame:
    """Items in reading order, with their normalised ``surplus``: gaps, then other controlled
    items, then the rest; each group by surplus, largest first, unlimited supply last."""
    surplus = (items["accessible"] - items["required"]) / items["required"]
    return items.assign(surplus=surplus).sort_values(
        ["gap", "controlled", "surplus", "item"],
        ascending=[False, False, False, True],
        na_position="last",
    )


def ranked_gaps(results: Results) -> pd.DataFrame:
    """The gap items, largest normalised surplus first, unlimited own production last."""
    items = ranked_items(results.items)
    return items[items["gap"].astype(bool)]


def backfill_shares(results: Results, item: str) -> list[tuple[str, float]]:
    """Backfill countries of an item with their share of its accessible supply, largest
    first."""
    rows = results.backfill_of.get(item, results.backfill.iloc[:0])
    accessible = results.items.loc[results.items["item"] == item, "accessible"].iloc[0]
    by_country = rows.groupby("country")["capacity"].sum()
    return sorted(
        (
            (str(country), capacity / accessible)
            for country, capacity in by_country.items()
            if accessible > 0
        ),
        key=lambda pair: (-pair[1], pair[0]),
    )


def sources_phrase(results: Results, gap: pd.Series) -> str:
    """Where a gap's accessible supply comes from, in words."""
    if pd.isna(gap["accessible"]):
        return "own production, limited only by its inputs"
    shares = backfill_shares(results, gap["item"])
    if shares:
        return "backfilled by " + ", ".join(
            f"{text(country)} {percent(share)}" for country, share in shares
        )
    classes = [
        (name, gap[name] / gap["accessible"])
        for name in ("indigenous", "leak", "uncontrolled")
        if gap[name] > 0
    ]
    return "no backfill; " + ", ".join(f"{name} {percent(share)}" for name, share in classes)


def best_closer(results: Results) -> pd.Series | None:
    """The single extra lever that removes most capability over all gaps (ties: within
    budget, cheaper, then by label), or None when none removes any."""
    closers = results.closers[results.closers["capability_removed"] > NOISE]
    if closers.empty:
        return None
    ordered = closers.sort_values(
        ["capability_removed", "within_budget", "diplomatic_cost", "economic_usd", "lever"],
        ascending=[False, False, True, True, True],
    )
    return ordered.iloc[0]


def closer_phrase(results: Results, closer: pd.Series) -> str:
    """One closer in words: lever, the gap it narrows, capability removed, costs, budget."""
    extra = f" with {code(closer['with'])}" if closer["with"] else ""
    budget = "" if closer["within_budget"] else f", {strong('over the budget')}"
    name = item_name(results, closer["item"])
    return (
        f"{code(closer['lever'])}{extra} (on {text(name)}): it would remove a further "
        f"{closer['capability_removed'] * 100:.3g} percentage points of capability for "
        f"{number(closer['diplomatic_cost'])} more diplomatic units and "
        f"{money(closer['economic_usd'])} of lost sales{budget}"
    )


def bottlenecks(results: Results) -> pd.DataFrame:
    """Capacity-limited items whose balance binds, by shadow price."""
    items = results.items
    binding = items[items["bottleneck"].astype(bool) & items["world_capacity"].notna()]
    return binding.sort_values(["shadow_price", "item"], ascending=[False, True])


def gap_sentences(results: Results) -> list[str]:
    """The summary's words on gaps: the largest, their backfill, the best closer."""
    gaps = ranked_gaps(results)
    if gaps.empty:
        if results.items["controlled"].astype(bool).any():
            return [
                "No controlled item has a gap: for each, the supply the adversary can "
                "still reach falls short of what it needs."
            ]
        return [
            "The controller's own controls reach no category on the path to the targets, "
            "so there is no control gap."
        ]
    named = [
        f"{text(gap['name'])} ({sources_phrase(results, gap)})"
        for _, gap in gaps.head(LEAD_ITEMS).iterrows()
    ]
    more = f", and {len(gaps) - LEAD_ITEMS} more" if len(gaps) > LEAD_ITEMS else ""
    noun = "gap is" if len(gaps) == 1 else "gaps are, largest first,"
    closer, them = best_closer(results), "it" if len(gaps) == 1 else "them"
    if closer is not None:
        closing = f"The most effective single extra lever is {closer_phrase(results, closer)}."
    elif results.closers.empty:
        closing = f"No lever the scenario allows reaches {them}."
    else:
        closing = (
            f"None of the {results.closers['lever'].nunique()} levers that reach {them} "
            "would lower capability on its own."
        )
    return [f"The control {noun} {listing(named)}{more}.", closing]


def lead_blocks(results: Results) -> list[Block]:
    """The plain-language summary: capability kept, gaps and their backfill, the best
    closer, the bottlenecks."""
    summary = results.summary
    baseline = summary["baseline_capability"]
    sentences = []
    if results.solved:
        cost = summary["cost"]
        kept = (
            f"With {policy_phrase(summary['levers'])}, the adversary keeps "
            f"{percent(summary['capability'])} of {goal_phrase(results)}"
        )
        sentences.append(
            f"{strong(kept)}; with no levers it would keep {percent(baseline)}. The policy "
            f"costs {number(cost['diplomatic'])} diplomatic units and "
            f"{money(cost['economic_usd'])} of lost sales."
        )
        sentences += gap_sentences(results)
    else:
        sentences.append(
            strong(
                f"No policy was found; with no levers the adversary keeps "
                f"{percent(baseline)} of {goal_phrase(results)}."
            )
        )
    binding = bottlenecks(results).head(LEAD_ITEMS)
    if not binding.empty:
        named = [
            f"{text(row['name'])} (shadow price {number(row['shadow_price'])})"
            for _, row in binding.iterrows()
        ]
        sentences.append(f"What limits the adversary most: {listing(named)}.")
    return [Heading(2, "Summary"), Paragraph(" ".join(sentences), "lead")]


def target_blocks(results: Results) -> list[Block]:
    """Baseline versus policy for each target."""
    rows = []
    for target in results.targets.itertuples():
        baseline_capability = number_cell(target.baseline_capability)
        policy = (
            (
                number(number_cell(target.output)),
                percent(number_cell(target.capability)),
                points(number_cell(target.capability) - baseline_capability, signed=True),
            )
            if results.solved
            else ("—", "—", "—")
        )
        rows.append(
            (
                item_phrase(results, str(target.target)),
                number(number_cell(target.demand)),
                number(number_cell(target.baseline_output)),
                percent(baseline_capability),
                *policy,
            )
        )
    columns = [
        ("Target", False),
        ("Demand", True),
        ("Output, no levers", True),
        ("Capability, no levers", True),
        ("Output, policy", True),
        ("Capability, policy", True),
        ("Change", True),
    ]
    return [Heading(2, "Targets: no levers versus the policy"), table(columns, rows)]


def lever_label(lever: Any) -> str:
    """The label of a lever row, as in ``routes.csv``: ``kind:country:category``."""
    return f"{lever.kind}:{lever.country}:{lever.category}"


def reach_phrase(lever: Any) -> str:
    """The items a lever covers and the number of routes, e.g. ``hbm (2 routes)``."""
    items = ", ".join(code(item) for item in lever.items_reached.split(";") if item)
    routes = f"{lever.routes_reached:g} route{'' if lever.routes_reached == 1 else 's'}"
    return f"{items} ({routes})" if items else routes


def residual_phrase(lever: Any) -> str:
    """The residual a lever leaves, or its range over the routes it covers."""
    low, high = lever.residual_min, lever.residual_max
    if pd.isna(low):
        return "—"
    return percent(low) if abs(high - low) <= NOISE else f"{percent(low)}–{percent(high)}"


def lever_blocks(results: Results) -> list[Block]:
    """The chosen levers with costs and marginal value, and the waterfall figure."""
    chosen = results.levers[results.levers["chosen"].astype(bool)]
    blocks: list[Block] = [Heading(2, "Chosen levers")]
    if chosen.empty:
        blocks.append(Paragraph("No lever is chosen."))
    else:
        rows = [
            (
                code(lever_label(lever)),
                str(lever.pinned or ""),
                number(number_cell(lever.diplomatic_cost)),
                money(number_cell(lever.economic_usd)),
                reach_phrase(lever),
                residual_phrase(lever),
                points(number_cell(lever.marginal_capability)),
            )
            for lever in chosen.itertuples()
        ]
        columns = [
            ("Lever", False),
            ("Pinned", False),
            ("Diplomatic cost", True),
            ("Lost sales", True),
            ("Reaches", False),
            ("Residual", True),
            ("Marginal value", True),
        ]
        cost = results.summary["cost"]
        blocks += [
            table(columns, rows),
            Paragraph(
                f"Reaches: the items whose routes the lever covers. Residual: the share "
                "of a covered route's capacity the lever leaves (leakage; for monitoring "
                "one minus its effect, for tariffs one minus compliance). Marginal value: "
                "the capability the adversary regains if the lever (and any lever that "
                "needs it) were dropped. Lost sales per lever count every "
                "route it reaches; the policy total, "
                f"{money(cost['economic_usd'])}, counts each covered route once. "
                f"{len(results.levers) - len(chosen)} other candidate levers are listed "
                f"in {code('levers.csv')}.",
                "note",
            ),
        ]
    blocks.append(
        Image(
            figure_path("waterfall"),
            "Capability from no levers through each chosen lever, most effective "
            "first (pp: percentage points).",
        )
    )
    return blocks


def times_need(gap: pd.Series) -> str:
    """`` (3.2 times its need)`` from accessible / required = 1 + surplus; empty when the
    supply is unlimited."""
    return "" if pd.isna(gap["surplus"]) else f" ({1 + gap['surplus']:.3g} times its need)"


def gap_section(results: Results, rank: int, gap: pd.Series) -> list[Block]:
    """One gap: its supply, backfill by supplier, and the levers that would close it."""
    blocks: list[Block] = [
        Heading(3, f"{rank}. {item_phrase(results, gap['item'])}"),
        Paragraph(
            f"Category {code(gap['category'])} is controlled, yet the adversary can reach "
            f"{number(gap['accessible'])} against the {number(gap['required'])} it needs"
            f"{times_need(gap)}: indigenous {number(gap['indigenous'])}, leak "
            f"{number(gap['leak'])}, backfill {number(gap['backfill'])}, uncontrolled "
            f"{number(gap['uncontrolled'])}."
        ),
    ]
    backfill = results.backfill_of.get(gap["item"], results.backfill.iloc[:0])
    if not backfill.empty:
        rows = [
            (
                text(row.supplier_name),
                text(row.country),
                text(row.via),
                number(number_cell(row.capacity)),
                percent(number_cell(row.capacity) / gap["accessible"]),
            )
            for row in backfill.itertuples()
        ]
        columns = [
            ("Backfill supplier", False),
            ("Country", False),
            ("Via", False),
            ("Capacity", True),
            ("Share of accessible supply", True),
        ]
        blocks.append(table(columns, rows))
    return blocks + closer_blocks(results, gap["item"])


def closer_blocks(results: Results, item: str) -> list[Block]:
    """What closes a gap: the first :data:`CLOSERS_SHOWN` closers, over-budget ones flagged."""
    closers = results.closers_of.get(item, results.closers.iloc[:0])
    if closers.empty:
        return [Paragraph("What closes it: no lever left reaches this item.")]
    rows = [
        (
            f"{row.rank:g}",
            code(row.lever),
            code(row.with_) if row.with_ else "",
            points(number_cell(row.capability_removed)),
            number(number_cell(row.diplomatic_cost)),
            money(number_cell(row.economic_usd)),
            "within" if row.within_budget else strong("over budget"),
        )
        for row in closers.rename(columns={"with": "with_"}).head(CLOSERS_SHOWN).itertuples()
    ]
    columns = [
        ("Rank", True),
        ("What closes it", False),
        ("Also needs", False),
        ("Capability removed", True),
        ("Extra diplomatic", True),
        ("Extra lost sales", True),
        ("Budget", False),
    ]
    blocks: list[Block] = [table(columns, rows)]
    if len(closers) > CLOSERS_SHOWN:
        blocks.append(
            Paragraph(f"{len(closers) - CLOSERS_SHOWN} more in {code('closers.csv')}.", "note")
        )
    return blocks


def gap_blocks(results: Results) -> list[Block]:
    """The control gaps, ranked, each with backfill and closers; the heatmap."""
    blocks: list[Block] = [
        Heading(2, "Control gaps"),
        Paragraph(
            "A control gap is an item whose category the controller controls and whose "
            "accessible supply still covers what the adversary needs at full demand. Gaps are "
            "ranked by the accessible surplus normalised by that requirement, (accessible − "
            "required) / required. Quantities are shares of a year's world supply. Closers are "
            "single extra levers that reach the item, ranked by capability removed per "
            "diplomatic unit (free levers first), then per billion USD of lost sales.",
            "note",
        ),
    ]
    gaps = ranked_gaps(results)
    if gaps.empty:
        blocks.append(Paragraph("No control gap."))
    for rank, (_, gap) in enumerate(gaps.head(GAP_SECTIONS).iterrows(), start=1):
        blocks += gap_section(results, rank, gap)
    if len(gaps) > GAP_SECTIONS:
        blocks.append(
            Paragraph(
                f"The first {GAP_SECTIONS} of the {len(gaps)} gaps are detailed above; every gap "
                f"is in {code('items.csv')} (column {code('gap')}), with its backfill in "
                f"{code('backfill.csv')} and what would close it in {code('closers.csv')}.",
                "note",
            )
        )
    blocks.append(
        Image(
            figure_path("gap_heatmap"),
            "Accessible supply of each item by source class, as a multiple of what "
            "the adversary requires; gaps in bold.",
        )
    )
    return blocks


def backfill_blocks(results: Results) -> list[Block]:
    """Backfill by country, and backfill of items that are not gaps."""
    blocks: list[Block] = [
        Heading(2, "Backfill"),
        Image(
            figure_path("backfill_by_country"),
            "Backfill (uncovered foreign supply of controlled categories) by supplier country, "
            "with the adversary's requirement.",
        ),
    ]
    others = results.backfill[~results.backfill["gap"].astype(bool)]
    if results.backfill.empty:
        blocks.insert(
            1,
            Paragraph(
                "No backfill: no uncovered foreign supplier sells a "
                "controlled category on the path to a target."
            ),
        )
    elif not others.empty:
        rows = [
            (
                item_phrase(results, str(row.item)),
                text(row.supplier_name),
                text(row.country),
                text(row.via),
                number(number_cell(row.capacity)),
            )
            for row in others.head(TABLE_ROWS).itertuples()
        ]
        columns = [
            ("Item (not a gap)", False),
            ("Supplier", False),
            ("Country", False),
            ("Via", False),
            ("Capacity", True),
        ]
        blocks += [
            Paragraph(
                "Backfill of items that are not gaps (the supply the adversary "
                "can reach there falls short of its need):"
            ),
            table(columns, rows),
            *rest_note(len(others), "backfill routes of items that are not gaps", "backfill.csv"),
        ]
    return blocks


def bottleneck_blocks(results: Results) -> list[Block]:
    """The binding items with their shadow prices."""
    binding = bottlenecks(results)
    blocks: list[Block] = [Heading(2, "Bottlenecks")]
    if binding.empty:
        return [*blocks, Paragraph("No capacity-limited item binds the adversary.")]
    rows = [
        (
            item_phrase(results, str(row.item)),
            number(number_cell(row.required)),
            number(number_cell(row.accessible)),
            number(number_cell(row.shadow_price)),
        )
        for row in binding.head(TABLE_ROWS).itertuples()
    ]
    columns = [("Item", False), ("Required", True), ("Accessible", True), ("Shadow price", True)]
    return [
        *blocks,
        table(columns, rows),
        *rest_note(len(binding), "bottlenecks", "items.csv"),
        Paragraph(
            "Shadow price: capability the adversary would gain per extra unit (a "
            "year's world supply) of the item.",
            "note",
        ),
    ]


def item_blocks(results: Results) -> list[Block]:
    """Every item on the path to a target with its accessible supply split by source, in
    the order of :func:`ranked_items`."""
    rows = [
        (
            item_phrase(results, str(row.item)),
            number(number_cell(row.required)),
            number(number_cell(row.world_capacity)),
            number(number_cell(row.accessible)),
            number(number_cell(row.indigenous)),
            number(number_cell(row.leak)),
            number(number_cell(row.backfill)),
            number(number_cell(row.uncontrolled)),
            "gap" if row.gap else "controlled" if row.controlled else "",
        )
        for row in ranked_items(results.items).head(TABLE_ROWS).itertuples()
    ]
    columns = [
        ("Item", False),
        ("Required", True),
        ("World capacity", True),
        ("Accessible", True),
        ("Indigenous", True),
        ("Leak", True),
        ("Backfill", True),
        ("Uncontrolled", True),
        ("Control", False),
    ]
    return [
        Heading(2, "Supply by item"),
        table(columns, rows),
        *rest_note(len(results.items), "items", "items.csv"),
        Image(figure_path("supply_graph"), supply_graph_caption(results)),
    ]


def supply_graph_caption(results: Results) -> str:
    """The supply graph's caption, saying what a large graph groups and leaves out."""
    caption = (
        "The targets' supply graph, left to right: suppliers (dots, with their country) "
        "supply items (squares), edges coloured by source class; grey edges are the "
        "inputs of the adversary's own production."
    )
    view = supply_view(results.routes, ranked_items(results.items))
    if view.grouped:
        caption += (
            " The graph is large: each dot stands for an item's suppliers of one source "
            "class, with their number and the countries with most capacity"
        )
        caption += (
            f", and only the {len(view.items)} of {view.total} items nearest the "
            f"targets are drawn (all are in {code('items.csv')} and "
            f"{code('routes.csv')})."
            if len(view.items) < view.total
            else "."
        )
    return caption


def rest_note(total: int, what: str, csv: str) -> list[Block]:
    """The note under a table cut at :data:`TABLE_ROWS` rows of ``total``, naming the CSV
    file that holds them all; nothing when the table is whole."""
    if total <= TABLE_ROWS:
        return []
    return [
        Paragraph(
            f"The first {TABLE_ROWS} of {total} {what} are shown; all are in {code(csv)}.", "note"
        )
    ]


def provenance_blocks(results: Results) -> list[Block]:
    """Status, gap, timings, input hashes and versions."""
    summary = results.summary
    record = summary["provenance"]
    timings = ", ".join(
        f"{phase} {seconds:g} s"
        for phase, seconds in summary["timings"].items()
        if phase != "report"
    )
    options = ", ".join(f"{name}={value}" for name, value in record["solver_options"].items())
    gap = "—" if summary["mip_gap"] is None else f"{summary['mip_gap']:g}"
    rows = [
        ("Scenario", f"{code(summary['scenario'])}, mode {code(summary['mode'])}"),
        ("Status", f"{code(summary['status'])}, MIP gap {gap}"),
        ("Timings", f"{timings} (report: see {code(SUMMARY_FILE)})"),
        (
            "Scenario file",
            f"{code(record['scenario_file'])}, sha256 {code(record['scenario_sha256'])}",
        ),
        ("Model file", f"{code(record['model_file'])}, sha256 {code(record['model_sha256'])}"),
        (
            "Versions",
            f"supplychain {text(record['supplychain'])}, Pyomo {text(record['pyomo'])}, "
            f"highspy {text(record['highspy'])}",
        ),
        ("MILP backend", code(record.get("milp_backend", "pyomo"))),
        ("Solver options", text(options)),
    ]
    return [Heading(2, "Provenance"), table([("", False), ("", False)], rows)]


def compose(results: Results) -> list[Block]:
    """The whole report as blocks, in reading order."""
    summary = results.summary
    return [
        Heading(
            1,
            f"Gap report: {text(summary['scenario'])}{status_suffix(summary)}"
            f"{batch_suffix(results)}",
        ),
        *status_blocks(results),
        *lead_blocks(results),
        *target_blocks(results),
        *lever_blocks(results),
        *gap_blocks(results),
        *backfill_blocks(results),
        *bottleneck_blocks(results),
        *item_blocks(results),
        *compare_blocks(results.compare),
        *frontier_blocks(results.frontier),
        *provenance_blocks(results),
    ]
