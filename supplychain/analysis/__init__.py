"""Analysis: solved runs in, tidy tables out.

Takes a :class:`~supplychain.runs.pipeline.Run`; gives an
:class:`~supplychain.analysis.tables.Analysis` of pandas DataFrames (targets, levers, routes,
items, backfill, closers, waterfall), each number a follower-LP fact about the chosen policy.
``tradeoffs`` compares variants: shares removed, Pareto points and the compare/sweep table.
"""
