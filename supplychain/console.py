"""The console entry point: the command line, with Ctrl-C handled from the first moment.

Importing the solver stack takes a second or two; an interrupt then must not print a
traceback either, so the import happens inside the guard. An interrupt that lands in a
callback Python cannot raise from (a weak-reference or finaliser callback during garbage
collection) would be printed as an "exception ignored" traceback and lost; it is delivered
again 50 ms later from a timer thread, by when ordinary code runs again. (An interrupt during
a HiGHS solve is handled in :mod:`supplychain.solve.lexicographic`.)
"""

from __future__ import annotations

import signal
import sys
import threading

INTERRUPTED = "interrupted; no result folder was changed"


def reraise_interrupts(unraisable: sys.UnraisableHookArgs) -> None:
    """``sys.unraisablehook``: an interrupt is delivered again shortly, anything else reported
    as Python would."""
    if unraisable.exc_type is KeyboardInterrupt:
        threading.Timer(0.05, signal.raise_signal, (signal.SIGINT,)).start()
        return
    sys.__unraisablehook__(unraisable)


def main() -> int:
    """Run ``supplychain`` with the process arguments; return its exit code."""
    sys.unraisablehook = reraise_interrupts
    try:
        from supplychain.cli import main as command_line

        return command_line()
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr, flush=True)
        return 1
