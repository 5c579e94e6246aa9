"""Every error ``supplychain`` raises on purpose, in one hierarchy.

The command line maps them to exit codes (DESIGN §7): :class:`InputError` and
:class:`NotAResultFolder` exit 2 (the inputs are at fault, one line per problem);
:class:`SolverError`, :class:`InternalError` and :class:`ResultsNotWritten` exit 1. Catching
:class:`SupplychainError` catches all of them and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""Characters a terminal acts on instead of showing: C0 and C1 controls and DEL (a newline
starts a fake ``file:line:`` line, ``ESC [2J`` clears the screen), the line and paragraph
separators U+2028 and U+2029, the bidirectional controls (U+061C, U+200E, U+200F,
U+202A–U+202E, U+2066–U+2069), which reorder what a line shows, and the lone surrogates by which
Python carries undecodable bytes of a file name (which a UTF-8 stream cannot encode)."""


def escape_controls(text: str) -> str:
    """``text`` with each control character written as Python writes it in a ``repr``
    (``\\n``, ``\\x1b``, ``\\u2028``), so that echoing it prints exactly one harmless line.

    Every other character, the backslash included, stays as it is, so escaping twice changes
    nothing more than escaping once."""
    return _CONTROLS.sub(lambda match: repr(match.group())[1:-1], text)


class SupplychainError(Exception):
    """Base of every error ``supplychain`` raises on purpose; the message is one line."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, located by line and field path."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        """``file:line: field: message`` on one line, control characters escaped."""
        return escape_controls(f"{self.file}:{self.line}: {self.field}: {self.message}")


class InputError(SupplychainError):
    """Every problem found in the inputs; the command line prints one line each and exits 2."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(problem) for problem in self.problems))


class SolverError(SupplychainError):
    """HiGHS did not return an optimal solution of an LP where one must exist."""


class InternalError(SupplychainError):
    """The optimiser produced something that fails its own checks (never an answer)."""


class ResultsNotWritten(SupplychainError):
    """The result folder could not be written (read-only or full disk, a file in the way);
    the message names the results root."""


class NotAResultFolder(SupplychainError):
    """A folder lacks, or cannot parse, the files a run writes."""
