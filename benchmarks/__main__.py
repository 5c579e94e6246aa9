"""``python -m benchmarks [--quick] [--out DIR] [--only PART ...]``: run the benchmarks and
write ``results.json``, ``results.md`` and ``results.png`` into DIR (default: this folder;
with ``--quick``, a smoke run of every part at the smallest size, into a temporary folder)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.document import write_results
from benchmarks.measure import (
    curated,
    scaling,
    startup,
    versus_enumeration,
    versus_greedy,
    versus_pyomo,
)
from benchmarks.worlds import ENUMERATION_LEVERS

PARTS = ("startup", "enumeration", "greedy", "backends", "scaling", "curated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one run of each part, small sizes")
    parser.add_argument("--out", type=Path, help="folder for results.{json,md,png}")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=PARTS,
        default=list(PARTS),
        help="parts to run (none: rewrite results.md and .png from .json)",
    )
    arguments = parser.parse_args(argv)
    out = arguments.out or (
        Path(tempfile.mkdtemp(prefix="benchmarks.")) if arguments.quick else Path(__file__).parent
    )
    runs = 1 if arguments.quick else 5
    stored = out / "results.json"
    results: dict[str, Any] = json.loads(stored.read_text()) if stored.exists() else {}
    quick = arguments.quick
    measurements: dict[str, Callable[[], Any]] = {
        "startup": lambda: startup(3 if quick else 11),
        "enumeration": lambda: versus_enumeration(
            runs, ENUMERATION_LEVERS[:1] if quick else ENUMERATION_LEVERS
        ),
        "greedy": lambda: versus_greedy(2 if quick else 20),
        "backends": lambda: versus_pyomo({"1k": 1} if quick else {"1k": 5, "10k": 5}),
        "scaling": lambda: scaling({"1k": 1} if quick else {"1k": 5, "10k": 5, "100k": 5}),
        "curated": lambda: curated(runs),
    }
    out.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        if part in arguments.only:
            print(part, file=sys.stderr)
            results[part] = measurements[part]()
            stored.write_text(json.dumps(results, indent=2))
    write_results(results, out)
    print(f"results: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
