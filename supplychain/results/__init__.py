"""Results: runs and their tables in, result folders out, and back.

Takes a :class:`~supplychain.runs.pipeline.Run` and its
:class:`~supplychain.analysis.tables.Analysis`; gives a result folder (``summary.json`` and the
CSV tables, DESIGN §6) moved into place whole by ``swap``. ``read`` gives the folder back as
:class:`~supplychain.results.read.Results` for the report, refusing with
:class:`~supplychain.errors.NotAResultFolder` what a run did not write. ``files`` names the
files both sides agree on.
"""
