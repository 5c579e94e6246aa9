"""Every error ``supplychain`` raises on purpose, in one hierarchy.

The command line maps them to exit codes (DESIGN §7): :class:`InputError` and
:class:`NotAResultFolder` exit 2 (the inputs are at fault, one line per problem);
:class:`SolverError`, :class:`InternalError` and :class:`ResultsNotWritten` exit 1. Catching
:class:`SupplychainError` catches all of them and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


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
