"""A HiGHS instance that writes nothing to standard output.

highspy prints a two-line banner when the first ``Highs`` object of a process is created, before
any option can be set. Results printed with ``--json`` must be clean JSON, so the banner is sent
to the null device by pointing file descriptor 1 there while the object is made.
"""

from __future__ import annotations

import os
import sys

import highspy


def quiet_highs() -> highspy.Highs:
    """Create a ``highspy.Highs`` with logging off and the creation banner suppressed."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()  # type: ignore[no-untyped-call]  # unannotated in highspy
            highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs
