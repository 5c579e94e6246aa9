"""Results: runs and their tables in, result folders out, and back.

Takes a :class:`~supplychain.runs.pipeline.Run` and its
:class:`~supplychain.analysis.tables.Analysis`; gives a result folder (``summary.json`` and the
CSV tables, DESIGN §6). ``write`` fills a staging folder, ``record`` notes each file's rows and
SHA-256 in ``summary.json``, ``swap`` moves the folder into place whole (old or new at every
instant, under a lock per scenario name). ``read`` gives the folder back as
:class:`~supplychain.results.read.Results` for the report, refusing with
:class:`~supplychain.errors.NotAResultFolder` what a run did not write; ``folder`` reads and
copies it without following links. ``files`` names the files both sides agree on.
"""
