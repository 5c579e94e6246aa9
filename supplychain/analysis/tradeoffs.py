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
from supplychain.status import Status

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


BATCH_COLUMNS = ("status", "capability", "diplomatic", "economic_usd", "levers")
"""Columns of ``compare.csv`` / ``frontier.csv`` after the label (``option`` or ``value``)."""


def batch_frame(rows: list[Row], first_column: str) -> pd.DataFrame:
    """``compare.csv`` / ``frontier.csv`` rows: label, how the solve ended, capability, costs,
    levers. A variant with no policy (infeasible, or stopped before finding one) has no
    capability and no costs, rather than costs of 0 that would read as a free policy."""
    return pd.DataFrame(
        [
            {
                first_column: row.label,
                "status": str(row.status),
                "capability": row.capability,
                "diplomatic": None if row.capability is None else row.diplomatic,
                "economic_usd": None if row.capability is None else row.economic_usd,
                "levers": row.levers,
            }
            for row in rows
        ],
        columns=[first_column, *BATCH_COLUMNS],
    )


def proven(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a ``compare`` or ``sweep`` table proven optimal: the only ones a reading of
    shares, steps or Pareto points may use."""
    return table[table["status"] == Status.OPTIMAL]
