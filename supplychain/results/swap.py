"""Moving a filled result folder into place: the old folder or the new one, whole.

A result folder is first filled under a hidden temporary name inside the results root and only
then renamed to ``<root>/<scenario name>``; an older folder of that name is kept as
``<root>/<scenario name>.previous`` (replacing an older one; a slug has no dot, so no scenario
is named like that). A run that fails or is interrupted half-way therefore leaves the earlier
complete result in place and no partial folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from supplychain.errors import ResultsNotWritten
from supplychain.results.files import PREVIOUS_SUFFIX


def write_atomically(
    root: Path, name: str, fill: Callable[[Path], dict[str, Any]]
) -> tuple[Path, dict[str, Any]]:
    """Let ``fill`` write into a temporary folder, then rename it to ``root / name``, keeping
    a folder already there as ``root / (name + ".previous")``."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=root))
    except OSError as error:
        raise ResultsNotWritten(f"cannot write results under {root}: {reason(error)}") from error
    try:
        record = fill(staging)
        final = root / name
        if final.exists():
            previous = root / f"{name}{PREVIOUS_SUFFIX}"
            if previous.exists():
                shutil.rmtree(previous)
            final.rename(previous)
        staging.rename(final)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ResultsNotWritten(
            f"cannot write results under {root}: {reason(error)}; no result folder was changed"
        ) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final, record


def reason(error: OSError) -> str:
    """An operating-system error in a few words, with the file concerned."""
    text = error.strerror or type(error).__name__
    return f"{text} ({error.filename})" if error.filename else text
