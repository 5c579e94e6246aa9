"""Tidy tables of one run: levers and routes (one row per thing, sorted, plain columns).

Reports and CSV files are thin layers over these frames.

Per route r with capacity cap_r and availability a_r (the fraction the chosen levers leave):
``accessible = cap_r · a_r`` and ``flow`` is the adversary's use y_r in its optimal response.
"""

from __future__ import annotations

import pandas as pd

from supplychain.instance import Lever
from supplychain.pipeline import Run


def lever_rows(levers: tuple[Lever, ...] | list[Lever]) -> list[dict[str, str | None]]:
    """Levers as ``{kind, country, category}`` records (``None`` where not applicable)."""
    return [
        {"kind": lever.kind, "country": lever.country, "category": lever.category}
        for lever in levers
    ]


def levers_frame(run: Run) -> pd.DataFrame:
    """Every candidate lever: chosen or not, pinned, its costs and the routes it reaches.

    ``economic_usd`` is the lever's own cost plus the lost sales of every route it reaches on
    its own (the summary's total counts a route once however many levers reach it).
    """
    instance = run.instance
    chosen = set(run.outcome.levers)
    reached: dict[Lever, set[int]] = {lever: set() for lever in instance.levers}
    for cover in instance.covers:
        for lever in cover.levers:
            reached[lever].add(cover.route)
    rows = []
    for lever in instance.levers:
        routes = sorted(reached[lever])
        rows.append(
            {
                "kind": lever.kind,
                "country": lever.country or "",
                "category": lever.category or "",
                "chosen": lever in chosen,
                "pinned": "on" if lever in instance.pinned_on
                else "off" if lever in instance.pinned_off else "",
                "diplomatic_cost": instance.diplomatic_cost[lever],
                "economic_usd": instance.economic_cost[lever]
                + sum(instance.routes[route].economic_usd for route in routes),
                "routes_reached": len(routes),
            }
        )
    return pd.DataFrame(rows, columns=[
        "kind", "country", "category", "chosen", "pinned", "diplomatic_cost", "economic_usd",
        "routes_reached",
    ])


def routes_frame(run: Run) -> pd.DataFrame:
    """Every route: who supplies it, whether and by which chosen levers it is covered, what
    the adversary can still reach and what it uses."""
    instance = run.instance
    follower = run.outcome.follower
    covering = instance.covering_levers(run.outcome.levers)
    rows = []
    for route in instance.routes:
        availability = follower.availability[route.index] if follower else 1.0
        flow = follower.flows[route.index] if follower else None
        levers = covering.get(route.index, [])
        rows.append(
            {
                "route": route.index,
                "item": route.item,
                "category": route.category,
                "supplier": route.supplier or "",
                "country": route.country or "",
                "via": route.via or "",
                "domestic": route.domestic,
                "capacity": route.capacity,
                "leakage": route.leakage if not route.domestic else None,
                "covered": bool(levers),
                "levers": ";".join(lever.label for lever in levers),
                "availability": availability,
                "accessible": None if route.capacity is None else route.capacity * availability,
                "flow": flow,
            }
        )
    return pd.DataFrame(rows)
