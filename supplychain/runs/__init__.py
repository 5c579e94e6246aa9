"""Runs: scenario files in, solved runs out.

Takes a scenario path; gives a :class:`~supplychain.runs.pipeline.Run` (what was loaded, the
instance, the no-lever baseline, the outcome and timings per phase). ``pipeline`` strings load,
build and solve together for one scenario; ``variants`` turns compare options and sweep values
into scenarios; ``batch`` solves them in parallel worker processes; ``validate`` checks files
without solving.
"""
