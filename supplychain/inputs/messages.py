"""The words of input problems: field paths, values as written, did-you-mean hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

FieldPath = tuple[str | int, ...]
"""Where a value sits in a YAML document: keys and list positions from the root."""


def format_path(path: FieldPath) -> str:
    """Render a field path as planners write it: ``routes[7].supplier``, ``partners.NLD``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(file)"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def show(value: Any) -> str:
    """A value as a planner wrote it, for messages: ``true``, ``nothing (null)``, ``'text'``.

    Long text is cut to :data:`_SHOWN` characters so that one problem stays one readable line.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 4]}...{text[-1]}"


_SHOWN = 60
"""Longest value shown in a message, in characters."""
