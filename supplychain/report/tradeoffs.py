"""The report's sections on alignment options (``compare.csv``) and sweeps (``frontier.csv``).

Options are read in the scenario's order. The share of the capability option *a* leaves that
option *b* removes is

.. math::

    \\mathrm{removed}(a \\to b) = (c_a - c_b) / c_a,

and every option is measured against the first (the reference, say US alone) and against the
option before it: "of what US alone leaves, US+NL+JP removes 31 %; US+NL+JP+KR+TW+DE removes
60 % (a further 42 % of what US+NL+JP leaves)". List options from fewest partners to most for
that reading. The share is negative when *b* leaves more (a plurilateral common list under a
budget can force costly alignments and so afford fewer other levers).

The shares and the Pareto frontier are computed in :mod:`supplychain.analysis.tradeoffs`.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from supplychain.analysis.tradeoffs import NOISE, pareto_mask, proven, removed_share
from supplychain.report.document import (
    Block,
    Heading,
    Image,
    Paragraph,
    code,
    money,
    number,
    percent,
    table,
    text,
)
from supplychain.results.read import number_cell
from supplychain.status import Status

COMPARE_FIGURE = "compare.png"
FRONTIER_FIGURE = "frontier.png"


def option_phrase(reference: pd.Series, before: pd.Series | None, option: pd.Series) -> str:
    """What ``option`` removes of the capability ``reference`` leaves, and how it compares
    with the option ``before`` it (None for the second option)."""
    name = code(option.option)
    share = removed_share(reference.capability, option.capability)
    if share is None:
        return f"{name} removes nothing ({code(reference.option)} leaves nothing to remove)"
    if share < -NOISE:
        phrase = f"{name} leaves {percent(-share)} more"
    elif share <= NOISE:
        phrase = f"{name} removes nothing"
    else:
        phrase = f"{name} removes {percent(share)}"
    if before is None:
        return phrase
    earlier = code(before.option)
    further = removed_share(before.capability, option.capability)
    if abs(option.capability - before.capability) <= NOISE:
        return f"{phrase} (as much as {earlier})"
    if further is not None and further > 0:
        return f"{phrase} (a further {percent(further)} of what {earlier} leaves)"
    return f"{phrase} (less than {earlier})"


def cost_phrase(row: pd.Series) -> str:
    """An option's or a point's cost in words."""
    return f"{number(row.diplomatic)} diplomatic units and {money(row.economic_usd)} of lost sales"


def compare_sentences(options: pd.DataFrame) -> list[str]:
    """The plain-language answer: what the first option leaves, then what every later option
    removes of that, and of what the option before it leaves. Only options proven optimal are
    read; the others are named with how their solve ended."""
    answered = proven(options)
    if answered.empty:
        return [
            "No option was solved to proven optimality, so there is nothing to compare.",
            *unproven_sentences(options, "option"),
        ]
    rows = [row for _, row in answered.iterrows()]
    reference = rows[0]
    sentences = [
        f"{code(reference.option)} leaves the adversary "
        f"{percent(reference.capability)} of its capability."
    ]
    phrases = [
        option_phrase(reference, rows[position] if position else None, option)
        for position, option in enumerate(rows[1:])
    ]
    if phrases:
        sentences.append(f"Of that, {'; '.join(phrases)}.")
    best = min(rows, key=lambda row: (round(row.capability, 9), row.diplomatic, row.economic_usd))
    sentences.append(
        f"The lowest capability, {percent(best.capability)}, comes with "
        f"{code(best.option)} at {cost_phrase(best)}."
    )
    return [*sentences, *unproven_sentences(options, "option")]


def unproven_sentences(table: pd.DataFrame, label: str) -> list[str]:
    """Which options or sweep values (``label``: the table's first column) were not solved to
    proven optimality, and how their solves ended."""
    sentences = []
    for status, what in (
        (Status.TIME_LIMIT, "stopped at the time limit, not proven optimal"),
        (Status.INFEASIBLE, "infeasible: no policy satisfies the pins and budgets"),
    ):
        labels = [code(value) for value in table[label][table["status"] == status]]
        if labels:
            sentences.append(
                f"{'Value' if label == 'value' else 'Option'}"
                f"{'s' if len(labels) > 1 else ''} {', '.join(labels)}: {what}."
            )
    return sentences


def unproven_count(table: pd.DataFrame | None) -> int:
    """How many rows of a ``compare`` or ``sweep`` table were not proven optimal."""
    return 0 if table is None else int((table["status"] != Status.OPTIMAL).sum())


def cost_cells(diplomatic: float, economic_usd: float) -> tuple[str, str]:
    """A row's diplomatic cost and lost sales as table cells; dashes for a row with no policy
    (its costs are empty, never 0)."""
    if pd.isna(diplomatic) or pd.isna(economic_usd):
        return "—", "—"
    return number(diplomatic), money(economic_usd)


def levers_cell(levers: str) -> str:
    """The ``;``-joined lever labels of a row as code spans."""
    return ", ".join(code(label) for label in levers.split(";") if label) or "none"


def compare_blocks(options: pd.DataFrame | None) -> list[Block]:
    """The alignment-options section, when the folder has ``compare.csv``."""
    if options is None:
        return []
    rows = [
        (
            text(row.option),
            text(str(row.status).replace("_", " ")),
            percent(number_cell(row.capability)),
            *cost_cells(number_cell(row.diplomatic), number_cell(row.economic_usd)),
            levers_cell(str(row.levers)),
        )
        for row in options.itertuples()
    ]
    columns = [
        ("Option", False),
        ("Status", False),
        ("Capability", True),
        ("Diplomatic", True),
        ("Lost sales", True),
        ("Levers", False),
    ]
    return [
        Heading(2, "Alignment options"),
        Paragraph(" ".join(compare_sentences(options))),
        table(columns, rows),
        Image(
            COMPARE_FIGURE,
            "Capability left and diplomatic cost of each compare option "
            "(from `supplychain compare`).",
        ),
    ]


def frontier_sentences(points: pd.DataFrame, on_frontier: list[bool]) -> list[str]:
    """The plain-language reading of a sweep: its range, its largest step, the frontier, read
    from the values proven optimal only; the others are named with how their solve ended."""
    answered = proven(points)
    if answered.empty:
        return [
            "No sweep value was solved to proven optimality.",
            *unproven_sentences(points, "value"),
        ]
    first, last = answered.iloc[0], answered.iloc[-1]
    sentences = [
        f"From value {code(first.value)} to {code(last.value)} the adversary's "
        f"capability goes from {percent(first.capability)} to "
        f"{percent(last.capability)}."
    ]
    steps = [
        (before.capability - after.capability, before, after)
        for (_, before), (_, after) in pairwise(answered.iterrows())
    ]
    drop, before, after = max(steps, key=lambda step: step[0], default=(0.0, first, first))
    if drop > NOISE:
        sentences.append(
            f"The largest step is from {code(before.value)} to "
            f"{code(after.value)}: {percent(before.capability)} to "
            f"{percent(after.capability)}."
        )
    lowest = answered.capability.min()
    enough = answered[answered.capability <= lowest + NOISE].iloc[0]
    sentences.append(
        f"The lowest capability, {percent(lowest)}, is first reached at value "
        f"{code(enough.value)}, at {cost_phrase(enough)}."
    )
    sentences.append(
        f"{sum(on_frontier)} of the {len(answered)} points proven optimal are on the "
        "Pareto frontier of capability against cost (diplomatic and lost sales)."
    )
    return [*sentences, *unproven_sentences(points, "value")]


def frontier_blocks(points: pd.DataFrame | None) -> list[Block]:
    """The sweep section, when the folder has ``frontier.csv``."""
    if points is None:
        return []
    answered = proven(points)
    mask = dict(
        zip(
            answered.index,
            pareto_mask(
                list(answered.capability), list(answered.diplomatic), list(answered.economic_usd)
            ),
            strict=True,
        )
    )
    rows = [
        (
            code(row.value),
            text(str(row.status).replace("_", " ")),
            percent(number_cell(row.capability)),
            *cost_cells(number_cell(row.diplomatic), number_cell(row.economic_usd)),
            "yes" if mask.get(row.Index, False) else "",
            levers_cell(str(row.levers)),
        )
        for row in points.itertuples()
    ]
    columns = [
        ("Value", True),
        ("Status", False),
        ("Capability", True),
        ("Diplomatic", True),
        ("Lost sales", True),
        ("Pareto", False),
        ("Levers", False),
    ]
    return [
        Heading(2, "Sweep"),
        Paragraph(" ".join(frontier_sentences(points, list(mask.values())))),
        table(columns, rows),
        Image(
            FRONTIER_FIGURE,
            "Capability against diplomatic cost for every sweep value, "
            "the Pareto frontier marked (from `supplychain sweep`).",
        ),
    ]
