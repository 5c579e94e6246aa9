"""Comparing answers: what one option removes of what another leaves, and Pareto points.

The share of the capability option *a* leaves that option *b* removes is

.. math::

    \\mathrm{removed}(a \\to b) = (c_a - c_b) / c_a,

negative when *b* leaves more. A point is on the Pareto frontier when no other point has every
criterion (capability, diplomatic cost, lost sales; lower is better) at most its own and one
of them lower.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from supplychain.runs.batch import Row

NOISE = 1e-9
"""Capability differences (and shares) at most this small are solver noise, not findings."""


def removed_share(before: float, after: float) -> float | None:
    """The share of capability ``before`` that ``after`` removes; None when ``before`` is 0."""
    if before <= NOISE:
        return None
    return (before - after) / before


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


def batch_frame(rows: list[Row], first_column: str) -> pd.DataFrame:
    """``compare.csv`` / ``frontier.csv`` rows: label, capability, costs, levers."""
    return pd.DataFrame(
        [
            {
                first_column: row.label,
                "capability": row.capability,
                "diplomatic": row.diplomatic,
                "economic_usd": row.economic_usd,
                "levers": row.levers,
            }
            for row in rows
        ],
        columns=[first_column, "capability", "diplomatic", "economic_usd", "levers"],
    )
