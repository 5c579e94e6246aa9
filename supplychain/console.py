"""The console entry point: the command line, with Ctrl-C handled from the first moment.

Importing the solver stack takes a second or two; an interrupt then must not print a
traceback either, so the import happens inside the guard.
"""

from __future__ import annotations

import sys

INTERRUPTED = "interrupted; no result folder was changed"


def main() -> int:
    """Run ``supplychain`` with the process arguments; return its exit code."""
    try:
        from supplychain.cli import main as command_line

        return command_line()
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr, flush=True)
        return 1
