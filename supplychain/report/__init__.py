"""Report: a result folder in, the gap report out.

Takes a result folder (read as :class:`~supplychain.results.read.Results`); gives
``report.md``, a self-contained ``report.html`` and ``figures/*.png``. ``sections`` composes the
content as document blocks, ``tradeoffs`` the compare and sweep sections, ``document`` renders
blocks as Markdown and HTML with every input string escaped, ``figures`` draws with matplotlib,
``write`` puts it all in the folder.
"""
